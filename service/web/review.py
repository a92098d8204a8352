"""Reviewers' pages: the work queue, scoring a branch, a grading round, the dashboard, the audit log."""
from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for

from .. import wording
from ..auth import REVIEWERS
from ..db import get_session
from ..errors import Invalid
from ..http import settings, store
from ..usecases import (assessments, audit_log, bulk, cycles, dashboard as figures, grading as rounds, notices,
                        organisations)
from ..vocabulary import DIMENSION_KEYS, DIMENSIONS
from ..usecases.listing import Column, ListSpec
from ..usecases.validate import year_value
from . import charts, imports
from .helpers import attempt, blueprint, form_number, kept_form, page
from .kept_files import chosen_file
from .lists import attachment, list_page

bp = blueprint("review")


def _year(raw) -> int:
    """The year asked for, else this year."""
    return int(raw) if raw and raw.isdigit() and 2000 <= int(raw) <= 2100 else dt.date.today().year


QUEUE = ListSpec(
    columns=(Column("id", "编号", "int"), Column("organisation_name", "支部"), Column("domain_name", "领域"),
             Column("form_name", "表单"), Column("status_name", "状态"), Column("cycle_state_name", "创建阶段"),
             Column("next_due", "下一期限", "date"), Column("uploaded_at", "上传时间", "datetime")),
    search=("organisation_name", "original_name", "form_name", "status_name", "id"),
    filters=("status", "domain", "organisation", "year"), filename="工作队列")


@bp.get("/queue")
@page(*REVIEWERS)
def queue(user):
    return _queue(user)


def _queue(user, kept=None):
    """The work queue; after a 批量发通知 sent back for its confirmation (``kept``) the ticked materials and the
    补正事由 as typed."""
    items = figures.queue(get_session(), user)
    return list_page("queue.html", items, QUEUE, user=user, counts=figures.status_counts(items), kept=kept)


#: 批量审核: the decisions a reviewer may take for several submissions at once
BULK_DECISIONS = {"claim": "开始审核", "approve": "通过"}


def _ids() -> list[int]:
    raw = request.form.getlist("ids")
    if not raw:
        raise Invalid("请先勾选材料。", field="ids")
    if len(raw) > 200 or not all(r.isdigit() and len(r) <= 9 for r in raw):
        raise Invalid("勾选的材料无效（每次最多 200 份）。", field="ids")
    return list(dict.fromkeys(int(r) for r in raw))


@bp.post("/queue/bulk")
@page(*REVIEWERS)
def queue_bulk(user):
    """批量审核 (开始审核 / 通过), 批量发通知 (补正通知, numbered: only confirmed) and 批量下载 (ZIP)."""
    db = get_session()
    action = request.form.get("action", "")
    try:
        ids = _ids()
    except Invalid as exc:
        flash(exc.message, "error")
        return redirect(url_for("review.queue"))
    if action == "download":
        data = bulk.files_zip(db, store(), user, ids)
        return attachment(data, f"材料{len(ids)}份.zip", "application/zip")
    if action == "notify":
        if request.form.get("confirm") != "1":
            flash("批量发通知会为每份材料签发一份有文号的补正通知：请勾选“确认签发”后再提交。", "error")
            return _queue(user, kept_form())
        done, errors = bulk.notify(db, store(), user, settings().data_dir, ids,
                                   {"reason": (request.form.get("reason") or "").strip()[:300] or None})
        what = "份补正通知"
    elif action in BULK_DECISIONS:
        done, errors = bulk.decide(db, user, ids, {"decision": action, "comment": request.form.get("comment")})
        what = f"份材料已{BULK_DECISIONS[action]}"
    else:
        flash("请选择批量操作。", "error")
        return redirect(url_for("review.queue"))
    if done:
        flash(f"{len(done)} {what}{'（已签发）' if action == 'notify' else ''}。", "ok")
    for sub_id, message in errors:
        flash(f"材料 {sub_id}：{message}", "error")
    return redirect(url_for("review.queue"))


def _marks() -> dict:
    """{item id: {deduction index: count}} from the ``mark:<item>:<index>`` fields."""
    marks: dict = {}
    for key, value in request.form.items():
        if key.startswith("mark:") and value.strip():
            _, item_id, idx = key.split(":", 2)
            try:
                count = int(value)
            except ValueError:
                raise Invalid(f"扣分次数“{value}”不是整数。") from None
            if count:
                marks.setdefault(item_id, {})[idx] = count
    return marks


@bp.route("/scores", methods=["GET", "POST"])
@page(*REVIEWERS)
def scores(user):
    db = get_session()
    year = _year(request.values.get("year"))
    raw = request.values.get("organisation_id", "")
    if raw and (not raw.isdigit() or len(raw) > 9):
        raise Invalid("组织编号无效。")
    org = cycles.load_organisation(db, user, int(raw)) if raw else None
    errors: dict = {}
    if request.method == "POST":
        if org is None:
            raise Invalid("请选择党支部。")
        def record():  # a score typed wrong is refused like the use case's own: next to its field, as typed
            payload = {"year": year, "satisfaction_rate": form_number("satisfaction_rate", "群众满意率")}
            if request.form.get("mode") == "items":
                payload["marks"] = _marks()
            else:
                payload["scores"] = {k: form_number(f"score:{k}", DIMENSIONS[k]) for k in DIMENSION_KEYS}
            return assessments.record_scores(db, user, org.id, payload, settings().rubric_dir)
        done, error = attempt(record)
        if done is not None:
            row, graded = done
            flash(f"已保存 {org.name} 的评分：总分 {wording.score(row.total)}，等次“{graded['grade_name']}”。", "ok")
            return redirect(url_for("review.scores", organisation_id=org.id, year=year, saved=row.id))
        field = (error.detail or {}).get("field") or ""
        errors = {(f"score:{field}" if field in DIMENSION_KEYS else field): error.message}
    rubric = assessments.rubric_for(year, settings().rubric_dir)
    domain_rubric = rubric.domain(org.domain) if org is not None and org.domain in rubric.domains else None
    saved = None
    if request.args.get("saved", "").isdigit():
        saved = assessments.get(db, user, int(request.args["saved"]))
    notice_ok = saved is not None and notices.offerable(db, user, settings().data_dir,
                                                        {"kind": "rectification-notice", "record_id": saved["id"]})
    return render_template("scores.html", user=user, branches=organisations.branches(db, user), org=org, year=year,
                           rubric=rubric, domain_rubric=domain_rubric, saved=saved, result=None, notice_ok=notice_ok,
                           values=request.form if request.method == "POST" else {}, errors=errors)


@bp.route("/grading", methods=["GET", "POST"])
@page(*REVIEWERS)
def grading(user):
    result, pending, kept = None, None, None
    year = dt.date.today().year
    if request.method == "POST":
        year = year_value(request.form.get("year") or year)
        try:  # a sheet chosen now, or the one the 替换 / 确认 buttons post back (kept since the refusal)
            chosen, said = chosen_file(), "请选择评分表。"
        except Invalid as exc:  # kept over an hour ago, or by another session
            chosen, said = None, exc.message
        if chosen is None:
            flash(said, "error")
        else:
            name, data = chosen
            replace = request.form.get("replace") == "1"
            ties = {k[4:]: request.form.getlist(k) for k in request.form if k.startswith("tie_") and k != "tie_reason"}
            result, error = attempt(rounds.run_round, get_session(), user, data, name, year, replace,
                                    ties or None, request.form.get("tie_reason"))
            if error is not None:
                kept = kept_form(error)  # a refused choice of tied branches comes back ticked, its reason as typed
            sheet = next(iter(kept.files.get("file", [])), None) if kept is not None else None  # {"token", …}
            if error is not None and (error.detail or {}).get("ties"):
                pending = {"sheet": sheet, "replace": replace, "ties": error.detail["ties"]}
            elif error is not None and error.code == "scores_exist":
                pending = {"sheet": sheet, "branches": (error.detail or {}).get("branches", [])}
            elif error is not None and error.code == "unmatched_rows":
                rows = (error.detail or {}).get("rows", [])
                pending = {"rows": rows, "report_url": imports.error_report(
                    [{"row": u.get("row"), "column": u.get("branch_name"), "reason": u.get("reason")} for u in rows],
                    "评分表")}
    return render_template("grading.html", user=user, result=result, year=year, pending=pending, kept=kept)


@bp.get("/dashboard")
@page(*REVIEWERS)
def dashboard(user):
    year = request.args.get("year", type=int)
    data = figures.figures(get_session(), user, year if year is not None and 2000 <= year <= 2100 else None)
    grade_keys = list(data["grade_names"])
    domains = list(data["domain_names"])
    svg_grades = charts.stacked_bars(
        [data["domain_names"][d] for d in domains],
        [(data["grade_names"][g], [data["grades_by_domain"][d][g] for d in domains]) for g in grade_keys],
        title=f"{data['year']}年各领域定级结果")
    svg_backward = charts.bars(list(data["backward_by_committee"].items()), title="各党委相对后进党支部数",
                               unit="相对后进", colour="#c62828") if data["backward_by_committee"] else None
    svg_cycles = charts.bars([(v["name"], v["count"]) for v in data["cycles_by_state"].values()],
                             title="创建周期状态", unit="支部") if data["cycles_by_state"] else None
    return render_template("dashboard.html", user=user, d=data, svg_grades=svg_grades, svg_backward=svg_backward,
                           svg_cycles=svg_cycles)


@bp.get("/audit")
@page(*REVIEWERS)
def audit(user):
    """The newest :data:`AUDIT_ROWS` rows in the user's view (of one action when the filter asks:
    then that action's newest, however old), searched, sorted, paged and exported by the list component."""
    action = request.args.get("action", "")
    action = action if action in audit_log.ACTION_NAMES else None
    rows = [{**r, "object_text": f"{r['object_name']} {r['object_id'] or ''}".strip(), "user_text": r["username"] or "系统"}
            for r in audit_log.rows(get_session(), user, action=action, limit=AUDIT_ROWS)]
    return list_page("audit.html", rows, AUDIT, user=user, csv_action=action)


#: how many audit rows the page lists (the CSV export of the API pages through all of them)
AUDIT_ROWS = 2000
AUDIT = ListSpec(
    columns=(Column("at", "时间", "datetime", sort_key="id"), Column("user_text", "用户"),
             Column("organisation_name", "组织"), Column("action_name", "操作"), Column("object_text", "对象"),
             Column("detail_text", "详情", sortable=False)),
    search=("user_text", "organisation_name", "action_name", "object_text", "detail_text"),
    filters=("action", "organisation"), default_sort="at", default_desc=True, filename="审计日志")
