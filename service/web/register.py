"""The 发文 register page (reviewers, admins): every number used, its XLSX, and 作废 with a reason."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for

from ..db import get_session
from ..usecases import register
from ..usecases.listing import Column, ListSpec
from .helpers import attempt, blueprint, kept_form, page
from .lists import list_page

bp = blueprint("register")
REVIEWERS = ("reviewer", "admin")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year():
    raw = request.args.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else None


REGISTER = ListSpec(
    columns=(Column("organ", "发文机关"), Column("number", "文号", sort_key="seq"), Column("kind_name", "种类"),
             Column("addressee", "主送"), Column("issued_on", "成文日期", "date"), Column("signer", "签发人"),
             Column("status_name", "状态")),
    search=("number", "addressee", "kind_name", "signer", "organ"), filters=("year", "kind", "status"),
    filename="发文登记簿")


@bp.get("/register")
@page(*REVIEWERS)
def register_page(user):
    return _register_page(user)


def _register_page(user, kept=None, refused_doc: int | None = None):
    """The register; after a refused 作废 (``kept``) its row's reason stays as typed."""
    return list_page("register.html", register.rows(get_session(), user), REGISTER, user=user, kept=kept,
                     refused_doc=refused_doc)


@bp.get("/register.xlsx")
@page(*REVIEWERS)
def register_xlsx(user):
    data = register.as_xlsx(register.rows(get_session(), user, year=_year()))
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": "attachment; filename=register.xlsx"})


@bp.post("/register/<int:doc_id>/withdraw")
@page(*REVIEWERS)
def register_withdraw(user, doc_id: int):
    """作废 needs the reason and the ticked confirmation: it cannot be undone."""
    if request.form.get("confirm") != "1":
        flash("请勾选“确认作废”后再提交。", "error")
        return redirect(url_for("register.register_page"))
    done, error = attempt(register.withdraw, get_session(), user, doc_id, {"reason": request.form.get("reason")})
    if done is not None:
        flash(f"已作废 {done['number']}，该文号不再使用。", "ok")
        return redirect(url_for("register.register_page"))
    return _register_page(user, kept_form(error), doc_id)  # refused: the register again, the reason as typed
