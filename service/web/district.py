"""The district's management pages (issue 12), one blueprint per record kind: 挂点包保 (leaders, coverage, a
leader's branches and visits), the three lists of a branch (printable), 督导组 and inspections, party days
(compliance per month and per 党委, XLSX import). Every action is a use-case call."""
from __future__ import annotations

import datetime as dt
import re

from flask import flash, redirect, render_template, request, url_for

from ..auth import REVIEWERS
from ..db import get_session
from ..errors import DomainError, Invalid
from ..http import settings
from ..usecases import district_lists, district_partyday, district_people, district_supervision, organisations
from ..vocabulary import ASSIGNMENT_KINDS, INSPECTION_KINDS, PERSON_RANKS
from ..usecases.listing import Column, ListSpec
from . import imports
from .helpers import attempt, blueprint, form_id, form_int, kept_form, page, uploaded_xlsx
from .lists import XLSX, attachment, list_page, listed

leaders_bp = blueprint("leaders", "/leaders")
lists_bp = blueprint("branch_lists", "/branch-lists")
supervision_bp = blueprint("supervision", "/supervision")
party_days_bp = blueprint("party_days", "/party-days")


def _year() -> int:
    raw = request.values.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else dt.date.today().year


def form_id_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


# --- 挂点包保 -----------------------------------------------------------------------------------


def _import(db, user, use_case, what: str) -> tuple[list[dict], str]:
    """One of the page's XLSX imports: done is flashed; refused, its error rows and report for the page."""
    result, problems, report_url = imports.run_import(lambda: use_case(db, user, uploaded_xlsx()), what)
    if result is not None:
        flash(f"已导入{what} {result['rows']} 行。", "ok")
    return problems, report_url


#: the leaders page's imports: action -> (use case, what it reads)
LEADER_IMPORTS = {"import": (district_people.import_people, "人员"),
                  "import_assignments": (district_people.import_assignments, "挂点包保名单"),
                  "import_visits": (lambda db, user, data: district_people.import_visits(
                      db, user, data, settings().rectify_days), "走访记录")}


@leaders_bp.route("", methods=["GET", "POST"])
@page(*REVIEWERS)
def leaders_page(user):
    db = get_session()
    year = _year()
    problems, report_url, failed, kept = [], "", "", None
    if request.method == "POST" and request.form.get("action") in LEADER_IMPORTS:
        failed = request.form["action"]
        problems, report_url = _import(db, user, *LEADER_IMPORTS[failed])
        if not problems:
            return redirect(url_for("leaders.leaders_page", year=year))
    elif request.method == "POST":
        action = request.form.get("action")
        if action == "person":
            payload = {k: request.form.get(k, "") for k in ("name", "rank", "title", "phone")}
            _r, error = attempt(district_people.create_person, db, user, payload, said="无法新增：")
            if error is None:
                flash("已新增人员。", "ok")
        elif action == "assign":
            payload = {"person_id": form_id("person_id", "领导"), "organisation_id": form_id("organisation_id", "党支部"),
                       "kind": request.form.get("kind") or None, "year": year}
            _r, error = attempt(district_people.assign, db, user, payload, said="无法落实：")
            if error is None:
                flash("已落实挂点。", "ok")
        else:
            raise Invalid("未知的操作。", field="action")
        if error is None:
            return redirect(url_for("leaders.leaders_page", year=year))
        kept = kept_form(error)  # refused: the page again, with what was typed
    coverage = district_people.coverage(db, user, year)
    people = district_people.people(db, user)
    people_list = listed([_person_row(p) for p in people], PEOPLE, extra={"year": year}, prefix="p_")
    return list_page("district_leaders.html", [_coverage_row(b) for b in coverage["branches"]], COVERAGE,
                     extra={"year": year}, others=(people_list,), user=user, year=year, coverage=coverage,
                     people=people, people_list=people_list, ranks=PERSON_RANKS, kinds=ASSIGNMENT_KINDS,
                     branches=organisations.picker(db, user, kind="branch", live=True),
                     problems=problems, report_url=report_url, failed=failed, kept=kept,
                     failed_what=LEADER_IMPORTS[failed][1] if failed else "")


#: the people of the leaders page, the page's second list (its parameters p_q, p_sort, p_page…)
PEOPLE = ListSpec(
    columns=(Column("name", "姓名"), Column("kind_name", "类别", sort_key="kind"), Column("title", "职务"),
             Column("phone", "联系电话"), Column("active_name", "在任情况")),
    search=("name", "title", "phone"), filters=("kind",), filename="人员名单")


def _person_row(p: dict) -> dict:
    return {**p, "kind": p["rank"], "kind_name": p["rank_name"], "active_name": "在任" if p["active"] else "不再在任"}


COVERAGE = ListSpec(
    columns=(Column("branch_name", "党支部"), Column("committee", "所属党委"), Column("leaders_text", "包保领导"),
             Column("items", "整改事项", "int"), Column("closed", "已销号", "int"), Column("overdue", "逾期", "int")),
    search=("branch_name", "committee", "leaders_text"), filters=("committee", "status"),
    filename="挂点包保落实情况")


def _coverage_row(b: dict) -> dict:
    """A 相对后进 branch of the coverage as a list row (flagged 未落实 while no leader takes charge of it)."""
    return {"organisation_id": b["organisation_id"], "branch_name": b["branch_name"], "committee": b["parent_name"],
            "leaders": b["leaders"], "leaders_text": "、".join(b["leaders"]) or "未落实", "uncovered": b["uncovered"],
            "status": "uncovered" if b["uncovered"] else "covered",
            "status_name": "未落实挂点领导" if b["uncovered"] else "已落实挂点领导",
            "items": b["ledger"]["items"], "closed": b["ledger"]["closed"], "overdue": b["ledger"]["overdue"]}


@leaders_bp.route("/<int:person_id>", methods=["GET", "POST"])
@page(*REVIEWERS)
def person_page(user, person_id: int):
    db = get_session()
    detail = district_people.person_detail(db, user, person_id)
    kept = None
    if request.method == "POST":
        action = request.form.get("action") or "visit"
        if action != "visit":
            error = _person_correction(db, user, person_id, action)
            if error is None:
                return redirect(url_for("leaders.leaders_page") if action == "delete_person"
                                else url_for("leaders.person_page", person_id=person_id))
            kept = kept_form(error)  # refused: the page again, the corrected form open with what was typed
            detail = district_people.person_detail(db, user, person_id)
    if request.method == "POST" and kept is None:
        problem = (request.form.get("problem") or "").strip()
        payload = {"visited_on": request.form.get("visited_on") or None, "found": request.form.get("found", ""),
                   "follow_up": request.form.get("follow_up", ""),
                   "open_rows": [{"problem": problem, "measure": request.form.get("measure", ""),
                                  "due_on": request.form.get("due_on") or None}] if problem else []}
        visit, error = attempt(district_people.add_visit, db, user, form_id("assignment_id", "走访的党支部") or 0, payload,
                               settings().rectify_days, said="无法记录：")
        if error is None:
            flash("已记录走访" + (f"，并列入整改工作台账{len(visit['ledger_item_ids'])}项" if visit["ledger_item_ids"]
                              else "") + "。", "ok")
            return redirect(url_for("leaders.person_page", person_id=person_id))
        kept = kept_form(error, "visit")  # refused: the form again, with what was typed
    return render_template("district_person.html", user=user, p=detail, today=dt.date.today().isoformat(), kept=kept,
                           ranks=PERSON_RANKS, kinds=ASSIGNMENT_KINDS, people=district_people.people(db, user))


def _person_correction(db, user, person_id: int, action: str) -> DomainError | None:
    """The person page's corrections: the person, a 挂点, a visit — edited or removed; the refusal, if any."""
    form = request.form
    if action == "update_person":
        payload = {k: form.get(k, "") for k in ("name", "rank", "title", "phone")}
        payload["active"] = form.get("active") == "1"
        _r, error = attempt(district_people.update_person, db, user, person_id, payload, said="无法保存：")
        done = "已保存人员信息。"
    elif action == "delete_person":
        _r, error = attempt(district_people.delete_person, db, user, person_id, said="无法删除：")
        done = "已删除该人员。"
    elif action == "update_assignment":
        payload = {"person_id": form_id("person_id", "领导"), "kind": form.get("kind") or None,
                   "assigned_on": form.get("assigned_on") or None, "note": form.get("note", "")}
        _r, error = attempt(district_people.update_assignment, db, user, form_id("assignment_id", "挂点包保") or 0, payload,
                            said="无法保存：")
        done = "已保存挂点。"
    elif action == "unassign":
        _r, error = attempt(district_people.unassign, db, user, form_id("assignment_id", "挂点包保") or 0, said="无法撤销：")
        done = "已撤销挂点。"
    elif action == "update_visit":
        payload = {k: form.get(k, "") for k in ("found", "follow_up")}
        payload["visited_on"] = form.get("visited_on") or None
        _r, error = attempt(district_people.update_visit, db, user, form_id("visit_id", "走访记录") or 0, payload,
                            said="无法保存：")
        done = "已保存走访记录。"
    elif action == "delete_visit":
        _r, error = attempt(district_people.delete_visit, db, user, form_id("visit_id", "走访记录") or 0, said="无法删除：")
        done = "已删除走访记录。"
    else:
        raise Invalid("未知的操作。", field="action")
    if error is None:
        flash(done, "ok")
    return error


# --- three lists -----------------------------------------------------------------------------------


@lists_bp.get("/<int:org_id>")
@page()
def lists_page(user, org_id: int):
    """The three lists of a branch (or of every branch under a 党委) as one searchable list of ledger rows drawn
    as three tables; ``?export=xlsx`` writes the rows shown as the three sheets, ``?print=1`` every matching row
    without the controls (the 整改任务书 annex)."""
    raw = request.args.get("year", "")
    year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else None
    data = district_lists.lists(get_session(), user, org_id, year=year)
    lst = listed(district_lists.flat_rows(data), BRANCH_LISTS, extra={"year": year})
    if request.args.get("export") == "xlsx":
        return attachment(district_lists.rows_xlsx(lst["matching"]), f"{data['organisation_name']}三个清单.xlsx", XLSX)
    printing = request.args.get("print") == "1"
    return render_template("district_lists.html", user=user, data=data, year=year, lst=lst, printing=printing,
                           rows=lst["matching"] if printing else lst["rows"], tables=LIST_TABLES)


BRANCH_LISTS = ListSpec(
    columns=(Column("branch_name", "党支部"), Column("seq", "序号", "int"), Column("category", "问题类别"),
             Column("problem", "具体问题"), Column("opened_on", "立项日期", "date"), Column("measure", "整改措施"),
             Column("target", "整改目标"), Column("due_on", "整改时限", "date"), Column("leader", "责任领导"),
             Column("owner", "责任人"), Column("status_name", "状态")),
    search=("branch_name", "category", "problem", "measure", "target", "leader", "owner"),
    filters=("organisation", "status"), filename="三个清单")
#: list -> the columns of its table (service.usecases.district_lists.HEADERS)
LIST_TABLES = {"problems": ("branch_name", "seq", "category", "problem", "opened_on"),
               "tasks": ("branch_name", "seq", "measure", "target", "due_on", "status_name"),
               "duties": ("branch_name", "seq", "problem", "leader", "owner", "due_on", "status_name")}


# --- 督导组 -----------------------------------------------------------------------------------------


#: the supervision page's imports: action -> (use case, what it reads)
SUPERVISION_IMPORTS = {"import_groups": (district_supervision.import_groups, "督导组"),
                       "import_inspections": (lambda db, user, data: district_supervision.import_inspections(
                           db, user, data, settings().rectify_days), "督导检查记录")}


@supervision_bp.route("", methods=["GET", "POST"])
@page(*REVIEWERS)
def supervision_page(user):
    db = get_session()
    problems, report_url, failed = [], "", ""
    kept = None  # a refused 记录督导检查: its form is drawn again, open, with what was typed
    if request.method == "POST" and request.form.get("action") in SUPERVISION_IMPORTS:
        failed = request.form["action"]
        problems, report_url = _import(db, user, *SUPERVISION_IMPORTS[failed])
        if not problems:
            return redirect(url_for("supervision.supervision_page"))
    elif request.method == "POST":
        action = request.form.get("action")
        if action == "open":
            _r, error = attempt(district_supervision.open_finding, db, user, form_id("inspection_id", "督导检查记录") or 0,
                                int(request.form.get("index") or 0), settings().rectify_days, said="无法列入：")
            if error is None:
                flash("已列入整改工作台账。", "ok")
        elif action == "inspect":
            group = district_supervision.get_group(db, user, form_id("group_id", "督导组") or 0)
            answers = {item: request.form.get(f"answer:{i}", "").strip() for i, item in enumerate(group["checklist"])}
            findings = [{"text": line.strip(), "open_ledger": request.form.get("open_ledger") == "1"}
                        for line in (request.form.get("findings") or "").splitlines() if line.strip()]
            payload = {"group_id": group["id"], "organisation_id": form_id("organisation_id", "党支部"),
                       "kind": request.form.get("kind") or "field",
                       "inspected_on": request.form.get("inspected_on") or None,
                       "answers": {k: v for k, v in answers.items() if v}, "findings": findings}
            _r, error = attempt(district_supervision.record, db, user, payload, settings().rectify_days,
                                said="无法记录：")
            if error is None:
                flash("已记录督导检查。", "ok")
            else:
                kept = kept_form(error)
        else:
            error = _supervision_correction(db, user, action)
            if error is not None:
                kept = kept_form(error)  # refused: the page again, that form open with what was typed
        if kept is None:
            return redirect(url_for("supervision.supervision_page"))
    groups = district_supervision.groups(db, user)
    inspections = [_inspection_row(i) for i in district_supervision.inspections(db, user)]
    group_list = listed([_group_row(g, inspections) for g in groups], GROUPS, prefix="g_")
    return list_page("district_supervision.html", inspections, INSPECTIONS, others=(group_list,), user=user,
                     groups=groups, group_list=group_list, checklists={g["id"]: g["checklist"] for g in groups},
                     problems=problems, report_url=report_url, failed=failed, kept=kept,
                     failed_what=SUPERVISION_IMPORTS[failed][1] if failed else "",
                     committees=organisations.listing(db, user, "party_committee") if user.role == "admin" else [],
                     kinds=INSPECTION_KINDS, branches=organisations.picker(db, user, kind="branch", live=True),
                     today=dt.date.today().isoformat())


INSPECTIONS = ListSpec(
    columns=(Column("inspected_on", "日期", "date"), Column("group_name", "督导组"), Column("kind_name", "方式"),
             Column("branch_name", "党支部"), Column("committee", "所属党委"),
             Column("answers_text", "检查情况", sortable=False), Column("findings_text", "发现的问题", sortable=False),
             Column("status_name", "问题处理")),
    search=("branch_name", "committee", "group_name", "answers_text", "findings_text"),
    filters=("group", "kind", "committee", "year", "status"), filename="督导检查记录")
INSPECTION_STATES = {"open": "有问题尚未列入台账", "listed": "问题均已列入台账", "none": "未发现问题"}
#: the 督导组 of the supervision page, drawn as cards: the page's second list (g_q, g_sort, g_page…)
GROUPS = ListSpec(
    columns=(Column("name", "名称"), Column("leader", "组长"), Column("members_text", "成员"),
             Column("committees_text", "负责督导的党委"), Column("checklist_text", "督导清单", sortable=False),
             Column("inspections", "检查记录", "int")),
    search=("name", "leader", "members_text", "committees_text", "checklist_text"), filename="督导组")


def _group_row(g: dict, inspections: list[dict]) -> dict:
    return {**g, "members_text": "、".join(g["members"]), "committees_text": "、".join(g["committee_names"]) or "全部党委",
            "checklist_text": "；".join(g["checklist"]),
            "inspections": sum(1 for i in inspections if i["group_id"] == g["id"])}


def _inspection_row(i: dict) -> dict:
    """An inspection as a list row: its year, its answers and findings as text, whether a finding waits to be
    列入整改工作台账."""
    state = ("open" if any(not f.get("ledger_item_id") for f in i["findings"]) else "listed") if i["findings"] else "none"
    return {**i, "year": (i["inspected_on"] or "")[:4], "status": state, "status_name": INSPECTION_STATES[state],
            "answers_text": "；".join(f"{q}：{a}" for q, a in i["answers"].items()),
            "findings_text": "；".join(f["text"] for f in i["findings"])}


def _lines(name: str) -> list[str]:
    return [line.strip() for line in (request.form.get(name) or "").splitlines() if line.strip()]


def _group_payload() -> dict:
    return {"name": request.form.get("name", ""), "leader": request.form.get("leader", ""),
            "members": [m for m in re.split(r"[、，,；;\s]+", request.form.get("members", "")) if m],
            "committee_ids": [int(v) for v in request.form.getlist("committee_ids") if v.isdigit() and len(v) < 10],
            "checklist": _lines("checklist")}


def _supervision_correction(db, user, action: str) -> DomainError | None:
    """督导组 set up, edited and removed (admin); an inspection corrected or removed."""
    if action == "create_group":
        _r, error = attempt(district_supervision.create_group, db, user, _group_payload(), said="无法新建：")
        done = "已新建督导组。"
    elif action == "update_group":
        _r, error = attempt(district_supervision.update_group, db, user, form_id("group_id", "督导组") or 0, _group_payload(),
                            said="无法保存：")
        done = "已保存督导组。"
    elif action == "delete_group":
        _r, error = attempt(district_supervision.delete_group, db, user, form_id("group_id", "督导组") or 0, said="无法删除：")
        done = "已删除督导组。"
    elif action == "update_inspection":
        inspection = district_supervision.get(db, user, form_id("inspection_id", "督导检查记录") or 0)
        group = district_supervision.get_group(db, user, inspection["group_id"])
        answers = {item: request.form.get(f"answer:{i}", "").strip() for i, item in enumerate(group["checklist"])}
        payload = {"kind": request.form.get("kind") or None, "inspected_on": request.form.get("inspected_on") or None,
                   "answers": answers, "findings": _lines("findings")}
        _r, error = attempt(district_supervision.update_inspection, db, user, inspection["id"], payload,
                            said="无法保存：")
        done = "已保存督导检查记录。"
    elif action == "delete_inspection":
        _r, error = attempt(district_supervision.delete_inspection, db, user, form_id("inspection_id", "督导检查记录") or 0,
                            said="无法删除：")
        done = "已删除督导检查记录。"
    else:
        raise Invalid("未知的操作。", field="action")
    if error is None:
        flash(done, "ok")
    return error


# --- 主题党日 ---------------------------------------------------------------------------------------


@party_days_bp.route("", methods=["GET", "POST"])
@page()
def party_days_page(user):
    db = get_session()
    year = _year()
    problems, report_url = [], ""
    typed = typed_edit = kept = None  # a refused new record / a refused correction, as typed; the refusal
    if request.method == "POST" and request.form.get("action") == "import":
        problems, report_url = _import(db, user, district_partyday.import_xlsx, "主题党日记录")
        if not problems:
            return redirect(url_for("party_days.party_days_page", year=year))
    elif request.method == "POST":
        action = request.form.get("action")
        if action == "delete":
            _r, error = attempt(district_partyday.delete, db, user, form_id("day_id", "主题党日记录") or 0, said="无法删除：")
            if error is None:
                flash("已删除主题党日记录。", "ok")
        else:
            payload = {"organisation_id": form_id("organisation_id", "党支部"), "held_on": request.form.get("held_on") or None,
                       "topic": request.form.get("topic", ""), "reason": request.form.get("reason", ""),
                       "dues_collected": request.form.get("dues_collected") == "1"}
            if action == "update":
                payload["attendees"] = [a for a in re.split(r"[、，,；;\s]+", request.form.get("attendees", "")) if a]

            def save():  # a head count typed wrong is refused next to it (it was dropped and the rest saved)
                counts = {k: form_int(k, n) for k, n in (("expected", "应到人数"), ("attended", "实到人数"))}
                if action == "update":
                    return district_partyday.update(db, user, form_id("day_id", "主题党日记录") or 0, payload | counts)
                return district_partyday.save(db, user, payload | counts)
            _r, error = attempt(save, said="无法保存：")
            if error is None:
                flash("已保存主题党日记录。", "ok")
            else:  # refused: the form again, with what was typed and the refusal next to its input
                kept = kept_form(error)
                typed = {k: request.form.get(k, "") for k in ("held_on", "topic", "reason", "expected", "attended")}
                typed["dues_collected"] = payload["dues_collected"]
                if action == "update":
                    typed["attendees"] = [request.form.get("attendees", "")]
                    typed_edit = {**district_partyday.get(db, user, form_id("day_id", "主题党日记录") or 0), **typed}
                else:
                    typed["organisation_id"] = payload["organisation_id"]
        if typed is None and typed_edit is None:
            return redirect(url_for("party_days.party_days_page", year=year))
    editing = typed_edit or (district_partyday.get(db, user, form_id_arg("edit")) if form_id_arg("edit") else None)
    data = district_partyday.compliance(db, user, year, cells=False)
    # the month-by-month grid is paged (2,000 branches x 12 months was 24,000 cells, 1.6 s of CPU a view),
    # and only the page's branches get their months
    return list_page("district_party_days.html", data["branches"], PARTY_DAYS, extra={"year": year}, user=user,
                     shown=lambda rows: district_partyday.add_cells(db, data, rows),
                     year=year, editing=editing, typed=typed, kept=kept, data=data,
                     branches=organisations.picker(db, user, kind="branch", live=True),
                     today=dt.date.today().isoformat(), problems=problems, report_url=report_url)


PARTY_DAYS = ListSpec(
    columns=(Column("branch_name", "党支部"), Column("committee", "所属党委"), Column("on_day", "8日开展", "int"),
             Column("other_day", "其他日期", "int"), Column("other_day_no_reason", "未说明原因", "int"),
             Column("missing", "未开展", "int")),
    search=("branch_name", "committee"), filename="主题党日开展情况")
