"""The 整改工作台账 pages: the rows of a branch or a subtree (overdue ones marked on both sides), one row's
plan, progress notes with evidence and 销号, and the 整改任务书 form. Every action is a ``usecases.ledger`` call."""
from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from ..db import get_session
from ..errors import Forbidden, Invalid
from ..http import settings, store
from ..models import Assessment
from ..usecases import ledger
from ..usecases.validate import opt_date
from ..vocabulary import DOCUMENT_KINDS, cn_date
from ..usecases.listing import Column, ListSpec
from .lists import list_page
from .helpers import attempt, blueprint, form_id, kept_form, page
from .kept_files import chosen_file

bp = blueprint("ledger", "/ledger")
bp.add_app_template_filter(cn_date, "cn_date")


LEDGER = ListSpec(
    columns=(Column("id", "序号", "int"), Column("branch_name", "党支部"), Column("category", "问题类别"),
             Column("problem", "具体问题"), Column("measure", "整改措施"), Column("leader", "责任领导"),
             Column("owner", "责任人"), Column("due_on", "整改时限", "date"), Column("progress", "进展情况"),
             Column("status_name", "状态"), Column("closed_on", "销号日期", "date")),
    search=("branch_name", "category", "problem", "measure", "leader", "owner", "progress"),
    filters=("organisation",), filename=DOCUMENT_KINDS["rectification-ledger"])


@bp.route("", methods=["GET", "POST"])
@page()
def ledger_page(user):
    db = get_session()
    org_id = request.values.get("organisation_id", "")
    org_id = int(org_id) if org_id.isdigit() and len(org_id) < 10 else None
    kept = None
    if request.method == "POST":
        if user.role not in ledger.REVIEWERS:
            raise Forbidden("您的角色无权执行该操作。")
        action = request.form.get("action")
        if action == "taskbook" and request.form.get("confirm") != "1":  # a 文号 is taken for good: ticked only
            flash("请勾选“确认签发”后再签发整改任务书。", "error")
        elif action == "taskbook":
            deadline = opt_date(request.form, "deadline")
            docs, error = attempt(lambda: ledger.issue_taskbook(
                db, store(), user, form_id("assessment_id", "考核结果") or 0, deadline=deadline,
                default_days=settings().rectify_days), said="无法签发：")
            if error is None:
                flash("已签发整改任务书" + (f"（{docs[0].number}）" if docs[0].number else "") + "。", "ok")
            else:
                kept = kept_form(error)  # refused: the 整改时限 stays as typed
        else:
            payload = {k: request.form.get(k, "") for k in ("category", "problem", "measure", "target", "leader",
                                                             "owner", "due_on")}
            payload["organisation_id"] = form_id("organisation_id", "党支部")
            payload["due_on"] = payload["due_on"] or None
            _row, error = attempt(ledger.create, db, user, payload, said="无法新增：")
            if error is None:
                flash("已新增整改事项。", "ok")
            else:
                kept = kept_form(error)  # refused: the page again, with what was typed
        if kept is None:
            return redirect(url_for("ledger.ledger_page", organisation_id=org_id or ""))
    status = request.args.get("status") or None
    rows = ledger.listing(db, user, organisation_id=org_id, status=status if status in ledger.STATUSES else None)
    assessments = []
    if user.role in ledger.REVIEWERS and org_id:
        assessments = list(db.execute(select(Assessment).where(Assessment.organisation_id == org_id)
                                      .order_by(Assessment.id.desc()).limit(20)).scalars())
    rows = [{**r, "organisation_name": r.get("branch_name")} for r in rows]
    return list_page("ledger.html", rows, LEDGER, extra={"organisation_id": org_id, "status": status},
                           user=user, organisation_id=org_id, status=status, kept=kept,
                           overdue=sum(1 for r in rows if r["overdue"]), assessments=assessments,
                           default_deadline=(dt.date.today() + dt.timedelta(days=settings().rectify_days)).isoformat())


@bp.route("/<int:item_id>", methods=["GET", "POST"])
@page()
def item_page(user, item_id: int):
    db = get_session()
    if request.method == "POST":
        ledger.get(db, user, item_id)  # 404 outside the actor's view, before any action
        action = request.form.get("action")
        if action == "note":
            _n, error = attempt(lambda: ledger.add_note(db, store(), user, item_id, request.form.get("body"),
                                                        chosen_file(), opt_date(request.form, "written_on")),
                                said="无法报送：")
            said = "已报送整改进展。"
        elif action == "close":
            _r, error = attempt(lambda: ledger.close(db, user, item_id, opt_date(request.form, "closed_on"),
                                                     request.form.get("note")), said="无法销号：")
            said = "已销号。"
        elif action == "update":
            fields = ledger.TEXT_FIELDS if user.role in ledger.REVIEWERS else ledger.BRANCH_FIELDS
            payload = {k: request.form[k] for k in fields if k in request.form}
            if user.role in ledger.REVIEWERS and "due_on" in request.form:
                payload["due_on"] = request.form["due_on"] or None
            _r, error = attempt(ledger.update, db, user, item_id, payload, said="无法保存：")
            said = "已保存。"
        else:
            raise Invalid("未知的操作。", field="action")
        if error is None:
            flash(said, "ok")
            return redirect(url_for("ledger.item_page", item_id=item_id))
        kept = kept_form(error)  # refused: the form again, with what was typed and the file chosen (kept)
    else:
        kept = {}
    item = ledger.get(db, user, item_id)
    return render_template("ledger_item.html", user=user, item=item, today=dt.date.today().isoformat(), kept=kept,
                           reviewer=user.role in ledger.REVIEWERS, branch_fields=ledger.BRANCH_FIELDS)
