"""Reviewer pages: work queue, scores, grading round, notices, batches, dashboard, audit."""
from __future__ import annotations

import datetime as dt

from flask import current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from .. import auth, vocabulary
from ..api.assessments import record_scores, rubric_for, run_grading_round
from ..api.audit_log import ACTION_NAMES, audit_query, audit_rows
from ..api.dashboard import STATUS_NAMES, dashboard_data, queue_items
from ..api.notices import NOTICE_KINDS, issue_notice_now, notice_context, preview_view
from ..api.organisations import load_organisation
from ..db import get_session
from ..errors import ApiError
from ..models import BatchJob, Organisation
from . import bp, charts
from .helpers import form_int, form_number, page

REVIEWERS = ("reviewer", "admin")


@bp.get("/queue")
@page(*REVIEWERS)
def queue(user):
    db = get_session()
    status = request.args.get("status") or None
    if status and status not in STATUS_NAMES:
        status = None
    items = queue_items(db, user, status)
    all_items = items if status is None else queue_items(db, user)
    counts = {k: sum(1 for i in all_items if i["status"] == k) for k in STATUS_NAMES}
    return render_template("queue.html", user=user, items=items, counts=counts, status=status)


def _branches(db, user):
    q = auth.filter_visible(select(Organisation).where(Organisation.kind == "branch").order_by(Organisation.name),
                            Organisation.id, db, user)
    return list(db.execute(q).scalars())


@bp.route("/scores", methods=["GET", "POST"])
@page(*REVIEWERS)
def scores(user):
    db = get_session()
    year = dt.date.today().year
    raw_year = request.values.get("year")
    if raw_year and raw_year.isdigit() and 2000 <= int(raw_year) <= 2100:
        year = int(raw_year)
    org = None
    raw_org = request.values.get("organisation_id")
    if raw_org:
        if not raw_org.isdigit() or len(raw_org) > 9:
            raise ApiError("invalid", "组织编号无效。", 422)
        org = load_organisation(db, user, int(raw_org))
    result = None
    if request.method == "POST":
        if org is None:
            raise ApiError("invalid", "请选择党支部。", 422)
        payload = {"year": year, "satisfaction_rate": form_number("satisfaction_rate")}
        if request.form.get("mode") == "items":
            marks = {}
            for key, value in request.form.items():
                if key.startswith("mark:") and value.strip():
                    _, item_id, idx = key.split(":", 2)
                    try:
                        count = int(value)
                    except ValueError:
                        raise ApiError("invalid", f"扣分次数“{value}”不是整数。", 422) from None
                    if count:
                        marks.setdefault(item_id, {})[idx] = count
            payload["marks"] = marks
        else:
            payload["scores"] = {k: form_number(f"score:{k}") for k in
                                 ("leadership", "members", "mechanism", "performance", "reputation")}
        try:
            row, graded = record_scores(db, user, org, payload)
            db.commit()
            flash(f"已保存 {org.name} 的评分：总分 {row.total:g}，等次“{graded['grade_name']}”。", "ok")
            return redirect(url_for("web.scores", organisation_id=org.id, year=year, saved=row.id))
        except ApiError as exc:
            db.rollback()
            flash(exc.message, "error")
    rubric = rubric_for(year)
    domain_rubric = rubric.domain(org.domain) if org is not None and org.domain in rubric.domains else None
    saved = None
    if request.args.get("saved", "").isdigit():
        from ..api.assessments import get_assessment_payload, load_assessment

        saved = get_assessment_payload(db, load_assessment(db, user, int(request.args["saved"])))
    return render_template("scores.html", user=user, branches=_branches(db, user), org=org, year=year,
                           rubric=rubric, domain_rubric=domain_rubric, saved=saved, result=result)


@bp.route("/grading", methods=["GET", "POST"])
@page(*REVIEWERS)
def grading(user):
    result = None
    year = dt.date.today().year
    if request.method == "POST":
        upload = request.files.get("file")
        raw_year = request.form.get("year") or str(year)
        if not raw_year.isdigit() or not 2000 <= int(raw_year) <= 2100:
            raise ApiError("invalid", "年份无效。", 422)
        year = int(raw_year)
        if upload is None or not upload.filename:
            flash("请选择评分表。", "error")
        else:
            db = get_session()
            result = run_grading_round(db, user, upload.read(), upload.filename, year)
            db.commit()
    return render_template("grading.html", user=user, result=result, year=year)


@bp.get("/notices/new")
@page(*REVIEWERS)
def notice_new(user):
    """Preview: the notice as it will read, with a placeholder for the number."""
    db = get_session()
    kind = request.args.get("kind", "rectification-notice")
    record_id = request.args.get("record_id", "")
    if kind not in NOTICE_KINDS or not record_id.isdigit() or len(record_id) > 9:
        raise ApiError("invalid", "请从评分记录或材料页面进入。", 422)
    payload = {"kind": kind, "record_id": int(record_id)}
    if request.args.get("reason"):
        payload["reason"] = request.args["reason"][:300]
    if request.args.get("days", "").isdigit():
        payload["days"] = min(int(request.args["days"]), 365)
    kind, rid, ctx = notice_context(db, user, payload)
    view = preview_view(ctx, kind)
    return render_template("notice.html", user=user, kind=kind, kind_name=NOTICE_KINDS[kind][0], record_id=rid,
                           ctx=ctx, view=view, reason=payload.get("reason", ""), days=payload.get("days", ""))


@bp.post("/notices")
@page(*REVIEWERS)
def notice_issue(user):
    db = get_session()
    payload = {"kind": request.form.get("kind", ""), "record_id": form_int("record_id")}
    if request.form.get("reason"):
        payload["reason"] = request.form["reason"][:300]
    if form_int("days"):
        payload["days"] = min(form_int("days"), 365)
    kind, rid, ctx = notice_context(db, user, payload)
    docs = issue_notice_now(db, user, kind, rid, ctx)
    db.commit()
    flash(f"已签发{NOTICE_KINDS[kind][0]}，文号 {docs[0].number}。", "ok")
    return redirect(url_for("web.notice_done", doc_id=docs[0].id))


@bp.get("/notices/<int:doc_id>")
@page()
def notice_done(user, doc_id: int):
    from ..api.notices import document_dict
    from ..models import Document

    db = get_session()
    doc = db.get(Document, doc_id)
    if doc is None:
        raise ApiError("not_found", "未找到该文书。", 404)
    auth.require_org_access(db, user, doc.organisation_id)
    siblings = list(db.execute(select(Document).where(Document.kind == doc.kind, Document.number == doc.number,
                                                      Document.year == doc.year).order_by(Document.id)).scalars())
    return render_template("notice_done.html", user=user, doc=document_dict(doc),
                           files=[document_dict(d) for d in siblings if d.organisation_id == doc.organisation_id])


@bp.route("/batches", methods=["GET", "POST"])
@page(*REVIEWERS)
def batches(user):
    db = get_session()
    if request.method == "POST":
        upload = request.files.get("roster")
        if upload is None or not upload.filename:
            flash("请选择名册文件。", "error")
            return redirect(url_for("web.batches"))
        try:
            from ..batch import executors, jobs
            from ..batch.roster import RosterError
        except ImportError:
            raise ApiError("unavailable", "批量制证模块不可用。", 503) from None
        kind = request.form.get("kind", "party-card")
        if kind not in vocabulary.CERTIFICATE_KINDS:
            raise ApiError("invalid", "未知的证书类型。", 422)
        settings = jobs.Settings.from_config(current_app.config)
        options = {"outputs": "merged,register,pdf,zip"}
        data, name, user_id, org_id = upload.read(), upload.filename, user.id, user.organisation_id
        db.commit()  # end this request's transaction: the job runs in its own sessions (SQLite locks)
        try:
            job_id, _created = jobs.submit(settings, data, name, kind, options, executor="local",
                                           created_by_id=user_id, organisation_id=org_id)
        except RosterError as exc:
            flash(f"名册有 {len(exc.errors)} 处错误，未生成任何证书：" +
                  "；".join(str(e.as_dict().get("message", e.as_dict())) for e in exc.errors[:5]), "error")
            return redirect(url_for("web.batches"))
        except ValueError as exc:
            flash(str(exc), "error")
            return redirect(url_for("web.batches"))
        from .. import audit

        audit.record(db, user_id, "batch_submit", "batch_job", job_id, {"kind": kind, "name": name[:200]},
                     organisation_id=org_id)
        db.commit()
        st = jobs.job_status(settings, job_id)
        if st["state"] in ("queued", "running"):
            executors.start(settings, job_id, st["executor"], current_app.config.get("WUHAO_BATCH_WORKERS"))
        return redirect(url_for("web.batches", job=job_id))
    q = auth.filter_visible(select(BatchJob).order_by(BatchJob.id.desc()).limit(30), BatchJob.organisation_id,
                            db, user)
    jobs_ = list(db.execute(q).scalars())
    kinds = {k: vocabulary.DOCUMENT_KINDS[k] for k in vocabulary.CERTIFICATE_KINDS}
    return render_template("batches.html", user=user, jobs=jobs_, kinds=kinds,
                           focus=request.args.get("job", type=int))


@bp.get("/dashboard")
@page(*REVIEWERS)
def dashboard(user):
    db = get_session()
    year = request.args.get("year", type=int)
    if year is not None and not 2000 <= year <= 2100:
        year = None
    data = dashboard_data(db, user, year)
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
    svg_targets = charts.target_bars(data["community_targets"], title="社区三年目标（SQ-1）完成情况")
    return render_template("dashboard.html", user=user, d=data, svg_grades=svg_grades, svg_backward=svg_backward,
                           svg_cycles=svg_cycles, svg_targets=svg_targets)


@bp.get("/audit")
@page(*REVIEWERS)
def audit(user):
    db = get_session()
    rows = audit_rows(db, audit_query(db, user).limit(200))
    return render_template("audit.html", user=user, rows=rows, actions=ACTION_NAMES,
                           action=request.args.get("action", ""))
