"""Batch pages: start a batch of certificates from a roster, follow its progress, cancel it.

Thin over ``service.usecases.batches`` (the same use cases as the API and ``wuhao batch``).
"""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for

from ..auth import REVIEWERS
from ..batch.state import KIND_TITLES
from ..db import get_session
from ..errors import DomainError, Invalid
from ..http import settings
from ..usecases import batches as batch_cases
from ..usecases.listing import Column, ListSpec
from . import imports
from .helpers import blueprint, page
from .kept_files import KEPT, chosen_file, keep
from .lists import list_page

bp = blueprint("batches", "/batches")
PAGE_OUTPUTS = {"outputs": "merged,register,pdf,zip"}


@bp.route("", methods=["GET", "POST"])
@page(*REVIEWERS)
def batches(user):
    """批量制证 in two steps, like every numbered action: 下一步：核对 reads the roster and shows how many
    certificates it would number (nothing numbered yet); 确认生成 with 确认 ticked starts the job. The roster
    goes from one step to the next as a kept file (``kept_files``: a token only this session can redeem)."""
    if request.method == "POST":
        return _post(user)
    return _page(user)


def _post(user):
    confirming = bool(request.form.get("roster" + KEPT))
    try:
        chosen = chosen_file("roster")
    except Invalid:  # kept over an hour ago, by another session, or not a token at all
        flash("名册已过期，请重新选择名册。", "error")
        return redirect(url_for("batches.batches"))
    if chosen is None:
        flash("请选择名册文件。", "error")
        return redirect(url_for("batches.batches"))
    name, data = chosen
    kind = request.form.get("kind", "party-card")
    try:
        if confirming and request.form.get("confirm") == "1":
            job = batch_cases.start(get_session(), user, settings=settings(), roster=data, roster_name=name,
                                    kind=kind, options=PAGE_OUTPUTS, executor=settings().batch_executor,
                                    celery=current_app.extensions.get("celery"))
            return redirect(url_for("batches.batches", job=job["id"]))
        seen = batch_cases.preview(get_session(), user, roster=data, roster_name=name, kind=kind,
                                   options=PAGE_OUTPUTS)
    except DomainError as exc:
        return _refused(user, exc)
    kept = keep(None).get("roster")
    if not kept:  # no browser session to bind the roster to
        flash("名册无法保留到下一步，请重新登录后再试。", "error")
        return redirect(url_for("batches.batches"))
    if confirming:
        flash("生成前请勾选确认。", "error")
    return _page(user, preview=dict(seen, token=kept[0]["token"], roster_name=name, kind=kind),
                 status=422 if confirming else 200)


def _page(user, preview: dict | None = None, status: int = 200):
    focus = request.args.get("job", type=int)
    return list_page("batches.html", _rows(user), BATCHES, extra={"job": focus}, user=user, kinds=KIND_TITLES,
                     focus=focus, import_errors=[], preview=preview), status


def _refused(user, exc: DomainError):
    rows = imports.as_rows((exc.detail or {}).get("errors"))
    flash(exc.message, "error")
    if not rows:
        return redirect(url_for("batches.batches"))
    return list_page("batches.html", _rows(user), BATCHES, user=user, kinds=KIND_TITLES, focus=None,
                     import_errors=rows, error_count=(exc.detail or {}).get("error_count"),
                     report_url=imports.error_report(rows, "名册"), preview=None), 422


#: the jobs the page lists (newest first; the API pages through the rest)
BATCH_ROWS = 500
BATCHES = ListSpec(
    columns=(Column("id", "编号", "int"), Column("kind_name", "证书类型"), Column("roster_name", "名册"),
             Column("organisation_name", "组织"), Column("status_name", "状态"), Column("total", "张数", "int"),
             Column("created_at", "提交时间", "datetime"), Column("finished_at", "完成时间", "datetime")),
    search=("roster_name", "organisation_name", "kind_name", "id"),
    filters=("status", "kind", "organisation", "year"), default_sort="id", default_desc=True, filename="批量制证任务")


def _rows(user) -> list[dict]:
    return batch_cases.list_rows(get_session(), user, limit=BATCH_ROWS)


@bp.get("/<int:job_id>")
@page(*REVIEWERS)
def batch_page(user, job_id: int):
    """One job: progress (the page polls ``/api/v1/batches/<id>``), files, 取消任务 while it runs."""
    return render_template("batch.html", user=user, job=batch_cases.get(get_session(), user, job_id))


@bp.post("/<int:job_id>/cancel")
@page(*REVIEWERS)
def cancel_page(user, job_id: int):
    batch_cases.cancel(get_session(), user, job_id)
    return redirect(url_for("batches.batch_page", job_id=job_id))

