"""两册一证 纪实 pages (JH-6), one blueprint per record kind: 党员 (the member table the 党员证 batch fills),
手册发放登记 (the two registers), 党员纪实 (党费, activities) and 抽查 (reviewers; a problem opens a ledger row
with one click). Lists use the list component (search, filters, 导出Excel); every action is a use-case call."""
from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for

from ..auth import REVIEWERS
from ..db import get_session
from ..usecases import district_handbooks as handbooks
from ..usecases import district_members as members
from ..usecases import organisations
from ..usecases.listing import Column, ListSpec
from ..vocabulary import HANDBOOK_KINDS, MEMBER_RECORD_KINDS, SPOT_CHECK_ITEMS, SPOT_CHECK_RESULTS
from . import imports
from .helpers import attempt, blueprint, form_id, kept_form, page, uploaded_xlsx
from .lists import list_page

members_bp = blueprint("members", "/members")
handbooks_bp = blueprint("handbooks", "/handbooks")
records_bp = blueprint("member_records", "/member-records")
checks_bp = blueprint("spot_checks", "/spot-checks")

MEMBERS = ListSpec(columns=(Column("organisation_name", "党支部"), Column("name", "姓名"), Column("gender", "性别"),
                            Column("joined_on", "入党时间", "date"), Column("card_number", "党员证编号"),
                            Column("id_number", "身份证号码", sortable=False)),
                   search=("name", "card_number", "organisation_name"), filters=("organisation",),
                   default_sort="card_number", filename="党员名册")
ISSUES = ListSpec(columns=(Column("kind_name", "手册"), Column("organisation_name", "党支部"),
                           Column("member_name", "党员"), Column("number", "编号"), Column("given_on", "发放日期", "date"),
                           Column("received_by", "领取人")),
                  search=("number", "member_name", "organisation_name", "received_by"),
                  filters=("kind", "organisation"), filename="手册发放登记")
RECORDS = ListSpec(columns=(Column("organisation_name", "党支部"), Column("member_name", "党员"),
                            Column("kind_name", "类别"), Column("when", "日期", sort_key="sort_on"),
                            Column("amount_text", "金额（元）"), Column("paid", "是否交纳"), Column("what", "内容")),
                   search=("member_name", "organisation_name", "what"), filters=("kind", "organisation", "year"),
                   default_sort="when", default_desc=True, filename="党员纪实")
CHECKS = ListSpec(columns=(Column("checked_on", "抽查日期", "date"), Column("organisation_name", "党支部"),
                           Column("checker", "检查人"), Column("outcome_name", "抽查结果"),
                           Column("open_problems", "未列入台账的问题", "int")),
                  search=("organisation_name", "checker"), filters=("organisation",),
                  default_sort="checked_on", default_desc=True, filename="两册一证抽查")


def _import(use_case, what: str) -> tuple[list[dict], str]:
    """A page's XLSX import: done is flashed; refused, its error rows and report for ``import_errors``."""
    result, problems, report_url = imports.run_import(use_case, what)
    if result is not None:
        flash(f"已导入{what} {result['rows']} 行。", "ok")
    return problems, report_url


@members_bp.route("", methods=["GET", "POST"])
@page()
def members_page(user):
    db = get_session()
    kept = None
    if request.method == "POST":
        payload = {k: request.form.get(k, "").strip() for k in ("name", "gender", "joined_on", "card_number")}
        payload["organisation_id"] = form_id("organisation_id", "党支部")
        _r, error = attempt(members.create, db, user, {k: v for k, v in payload.items() if v not in ("", None)},
                            said="无法新增：")
        if error is None:
            flash("已新增党员。", "ok")
            return redirect(url_for("members.members_page"))
        kept = kept_form(error)  # refused: the page again, with what was typed
    return list_page("two_books_members.html", members.members(db, user), MEMBERS, user=user, kept=kept,
                     branches=organisations.picker(db, user, kind="branch", live=True))


@handbooks_bp.route("", methods=["GET", "POST"])
@page()
def handbooks_page(user):
    db = get_session()
    problems, report_url, kept = [], "", None
    if request.method == "POST" and request.form.get("action") == "import":
        problems, report_url = _import(lambda: handbooks.import_xlsx(db, user, uploaded_xlsx()), "手册发放登记")
        if not problems:
            return redirect(url_for("handbooks.handbooks_page"))
    elif request.method == "POST":
        payload = {"kind": request.form.get("kind"), "organisation_id": form_id("organisation_id", "党支部"),
                   "card_number": request.form.get("card_number", "").strip() or None,
                   "number": request.form.get("number", "").strip() or None,
                   "given_on": request.form.get("given_on") or None,
                   "received_by": request.form.get("received_by", "")}
        _r, error = attempt(handbooks.save, db, user, payload, said="无法登记：")
        if error is None:
            flash("已登记手册发放。", "ok")
            return redirect(url_for("handbooks.handbooks_page"))
        kept = kept_form(error)  # refused: the page again, with what was typed
    return list_page("two_books_handbooks.html", handbooks.issues(db, user), ISSUES, user=user, kinds=HANDBOOK_KINDS,
                     kept=kept,
                     branches=organisations.picker(db, user, kind="branch", live=True), today=dt.date.today().isoformat(),
                     problems=problems, report_url=report_url)


@handbooks_bp.route("/<int:issue_id>", methods=["GET", "POST"])
@page()
def issue_page(user, issue_id: int):
    """Correct a register line (编号、发放日期、领取人) or remove it (confirmed first); a refused correction shows
    the form again with what was typed."""
    db = get_session()
    issue = handbooks.get_issue(db, user, issue_id)
    values = issue
    if request.method == "POST":
        if request.form.get("action") == "delete":
            _r, error = attempt(handbooks.delete_issue, db, user, issue_id, said="无法删除：")
            if error is None:
                flash("已删除该手册发放登记。", "ok")
                return redirect(url_for("handbooks.handbooks_page"))
        else:
            payload = {k: request.form.get(k, "").strip() for k in ("number", "given_on", "received_by")}
            _r, error = attempt(handbooks.update_issue, db, user, issue_id, payload, said="无法保存：")
            if error is None:
                flash("已保存手册发放登记。", "ok")
                return redirect(url_for("handbooks.handbooks_page"))
            values = {**issue, **payload}
    return render_template("two_books_handbook_edit.html", user=user, issue=issue, values=values,
                           today=dt.date.today().isoformat())


def _record_rows(items: list[dict]) -> list[dict]:
    for r in items:
        r["when"] = f"{r['year']}年{r['month']}月" if r["happened_on"] is None else dt.date.fromisoformat(
            r["happened_on"]).strftime("%Y年%-m月%-d日")
        r["sort_on"] = r["happened_on"] or f"{r['year']:04d}-{r['month']:02d}"
        r["amount_text"] = r["amount"] or ""
        r["paid"] = r["paid"] if r["kind"] == "dues" else None
    return items


@records_bp.route("", methods=["GET", "POST"])
@page()
def records_page(user):
    db = get_session()
    problems, report_url = [], ""
    if request.method == "POST":
        problems, report_url = _import(lambda: members.import_records(db, user, uploaded_xlsx()), "党员纪实")
        if not problems:
            return redirect(url_for("member_records.records_page"))
    return list_page("two_books_records.html", _record_rows(members.records(db, user)), RECORDS, user=user,
                     kinds=MEMBER_RECORD_KINDS, problems=problems, report_url=report_url)


@checks_bp.route("", methods=["GET", "POST"])
@page(*REVIEWERS)
def checks_page(user):
    db = get_session()
    kept = None
    if request.method == "POST":
        if request.form.get("action") == "open":
            _r, error = attempt(handbooks.open_problem, db, user, form_id("check_id", "检查记录") or 0,
                                int(request.form.get("index") or 0) if (request.form.get("index") or "0").isdigit()
                                else -1, said="无法列入：")
            if error is None:
                flash("已列入整改工作台账。", "ok")
        else:
            open_ledger = request.form.get("open_ledger") == "1"
            payload = {"organisation_id": form_id("organisation_id", "党支部"), "checked_on": request.form.get("checked_on") or None,
                       "checker": request.form.get("checker", ""), "outcome": request.form.get("outcome"),
                       "answers": {k: request.form.get(f"item:{k}") == "1" for k in SPOT_CHECK_ITEMS},
                       "problems": [{"text": line.strip(), "open_ledger": open_ledger}
                                    for line in (request.form.get("problems") or "").splitlines() if line.strip()]}
            _r, error = attempt(handbooks.record_check, db, user, payload, said="无法记录：")
            if error is None:
                flash("已记录抽查。", "ok")
            else:
                kept = kept_form(error)  # refused: the page again, with what was typed
        if kept is None:
            return redirect(url_for("spot_checks.checks_page"))
    year = dt.date.today().year
    return list_page("two_books_checks.html", handbooks.checks(db, user), CHECKS, user=user, items=SPOT_CHECK_ITEMS,
                     year=year, coverage=handbooks.coverage(db, user, year),
                     outcomes=SPOT_CHECK_RESULTS, branches=organisations.picker(db, user, kind="branch", live=True),
                     today=dt.date.today().isoformat(), kept=kept)


@checks_bp.route("/<int:check_id>", methods=["GET", "POST"])
@page(*REVIEWERS)
def check_page(user, check_id: int):
    """Correct a 抽查 (date, checker, items, result, the problems not yet in the ledger) or remove it
    (confirmed first; one whose problems are in the ledger is refused); a refused correction shows the form
    again with what was typed."""
    db = get_session()
    check = handbooks.get_check(db, user, check_id)
    values = {**check, "problems_text": "\n".join(p["text"] for p in check["problems"] if not p.get("ledger_item_id"))}
    if request.method == "POST":
        if request.form.get("action") == "delete":
            _r, error = attempt(handbooks.delete_check, db, user, check_id, said="无法删除：")
            if error is None:
                flash("已删除该抽查记录。", "ok")
                return redirect(url_for("spot_checks.checks_page"))
        else:
            text = request.form.get("problems", "")
            payload = {"checked_on": request.form.get("checked_on", "").strip(),
                       "checker": request.form.get("checker", "").strip(), "outcome": request.form.get("outcome"),
                       "answers": {k: request.form.get(f"item:{k}") == "1" for k in SPOT_CHECK_ITEMS},
                       "problems": [line.strip() for line in text.splitlines() if line.strip()]}
            _r, error = attempt(handbooks.update_check, db, user, check_id, payload, said="无法保存：")
            if error is None:
                flash("已保存抽查记录。", "ok")
                return redirect(url_for("spot_checks.check_page", check_id=check_id))
            values = {**check, **payload, "problems": check["problems"], "problems_text": text}
    return render_template("two_books_check_edit.html", user=user, check=check, values=values,
                           items=SPOT_CHECK_ITEMS, outcomes=SPOT_CHECK_RESULTS, today=dt.date.today().isoformat())
