"""Pages everyone uses: sign in, materials, upload, a submission, forms, documents, lifecycle."""
from __future__ import annotations

import datetime as dt

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import login_user, logout_user
from sqlalchemy import select

from .. import audit, auth, intake, review
from ..api import serialize
from ..api.dashboard import deadlines
from ..api.forms import build_preview, form_list
from ..api.notices import document_dict
from ..api.organisations import load_organisation
from ..api.submissions import findings_of, load_submission
from ..config import settings_of
from ..db import get_session
from ..errors import ApiError
from ..models import Assessment, Document, FieldCorrection, Organisation, Submission
from ..storage import current_store
from . import bp
from .helpers import page

FIELD_TYPES_HELP = {"date": "YYYY-MM-DD", "int": "整数", "number": "数字", "bool": "是 / 否"}


@bp.get("/")
@page()
def index(user):
    if user.role != "branch":
        return redirect(url_for("web.queue"))
    return _submission_list(user, "材料列表")


@bp.get("/submissions")
@page()
def submissions(user):
    return _submission_list(user, "材料列表")


def _submission_list(user, title: str):
    db = get_session()
    query = auth.filter_visible(select(Submission).order_by(Submission.id.desc()).limit(300),
                                Submission.organisation_id, db, user)
    subs = [serialize.submission(s, full=False) for s in db.execute(query).scalars()]
    return render_template("index.html", user=user, submissions=subs, title=title)


@bp.route("/login", methods=["GET", "POST"])
def login():
    error, status = None, 200
    if request.method == "POST":
        db = get_session()
        user, error, status = auth.login(db, request.form.get("username", "")[:80],
                                         request.form.get("password", "")[:200], request.remote_addr or "")
        if user is not None:
            from flask import session

            session.clear()  # a fresh session (and CSRF token) after signing in
            login_user(auth.LoginUser(user))
            audit.record(db, user, "login", "user", user.id, {"ip": request.remote_addr})
            db.commit()
            target = request.args.get("next", "")
            ok = target.startswith("/") and not target.startswith("//") and "\\" not in target
            return redirect(target if ok else url_for("web.index"))
        db.commit()  # keep the failed-attempt counter
    return render_template("login.html", error=error), status


@bp.post("/logout")
def logout():
    from flask import session

    logout_user()
    session.clear()
    return redirect(url_for("web.login"))


@bp.get("/submissions/<int:submission_id>")
@page()
def submission_page(user, submission_id: int):
    db = get_session()
    sub = load_submission(db, user, submission_id)
    s = serialize.submission(sub, findings_of(db, sub))
    preview = {"blocks": []}
    try:
        data = current_store().path_for(sub.sha256).read_bytes()
        preview = build_preview(data, s["extraction"]["provenance"] if s["extraction"] else {})
    except OSError:
        preview = {"blocks": [], "error": "原文件不可用。"}
    attachments = [serialize.submission(a, findings_of(db, a), full=True) for a in db.execute(
        select(Submission).where(Submission.attached_to_id == sub.id).order_by(Submission.id)).scalars()]
    parent = load_submission(db, user, sub.attached_to_id) if sub.attached_to_id else None
    spec = {}
    if sub.form not in ("unknown",):
        try:
            from parsers.forms import field_spec

            spec = field_spec(sub.form)
        except (KeyError, ValueError):
            spec = {}
    return render_template("submission.html", user=user, s=s, preview=preview, spec=spec,
                           attachments=attachments, parent=parent, type_help=FIELD_TYPES_HELP,
                           can_review=user.role in ("reviewer", "admin"))


def _parse_value(kind: str, raw: str):
    """A corrected value typed into the page, as the field contract wants it."""
    raw = raw.strip()
    if raw == "":
        return None
    if kind == "int":
        try:
            return int(raw.replace("人", ""))
        except ValueError:
            raise ApiError("invalid", f"“{raw}”不是整数。", 422) from None
    if kind == "number":
        try:
            value = float(raw.replace("分", ""))
        except ValueError:
            raise ApiError("invalid", f"“{raw}”不是数字。", 422) from None
        return int(value) if value.is_integer() else value
    if kind == "bool":
        if raw in ("是", "有", "true", "1", "√"):
            return True
        if raw in ("否", "无", "false", "0"):
            return False
        raise ApiError("invalid", "请填写“是”或“否”。", 422)
    if kind == "scores":
        import json

        try:
            return json.loads(raw)
        except ValueError:
            raise ApiError("invalid", '五个好得分请写成 {"leadership": 19, …}。', 422) from None
    return raw


@bp.post("/submissions/<int:submission_id>/correct")
@page("reviewer", "admin")
def correct_field(user, submission_id: int):
    db = get_session()
    sub = load_submission(db, user, submission_id)
    if not sub.extractions:
        raise ApiError("conflict", "该材料尚无提取结果，无法更正。", 409)
    extraction = sub.extractions[-1]
    key = request.form.get("field", "")
    from parsers.forms import field_spec

    try:
        spec = field_spec(extraction.form)
    except (KeyError, ValueError):
        spec = {}
    if key not in spec:
        raise ApiError("invalid_field", f"字段 {key} 不属于此类表单。", 422)
    value = _parse_value(spec[key].get("type", "str"), request.form.get("value", ""))
    problem = intake.correction_problem(extraction.form, key, value)
    if problem:
        flash(problem, "error")
        return redirect(url_for("web.submission_page", submission_id=sub.id) + "#fields")
    current = intake.effective_fields(extraction)
    db.add(FieldCorrection(extraction_id=extraction.id, field=key, old_value=current.get(key), new_value=value,
                           corrected_by_id=user.id))
    audit.record(db, user, "correct_field", "submission", sub.id, {"field": key, "old": current.get(key), "new": value},
                 organisation_id=sub.organisation_id)
    db.commit()
    flash(f"已更正“{spec[key].get('label', key)}”，原值已保留。", "ok")
    return redirect(url_for("web.submission_page", submission_id=sub.id) + "#fields")


@bp.post("/submissions/<int:submission_id>/check")
@page()
def check_page(user, submission_id: int):
    db = get_session()
    sub = load_submission(db, user, submission_id)
    result = review.check_submission(db, user, sub, rubric_dir=settings_of(current_app).rubric_dir)
    db.commit()
    flash("审核完成：" + ("符合条件。" if result["eligible"] else f"发现 {len(result['findings'])} 条意见。"), "ok")
    return redirect(url_for("web.submission_page", submission_id=sub.id) + "#findings")


@bp.route("/upload", methods=["GET", "POST"])
@page()
def upload(user):
    db = get_session()
    if request.method == "POST":  # without JavaScript
        from flask import current_app

        files = [f for f in request.files.getlist("file") if f and f.filename]
        if not files:
            flash("请选择要上传的文件。", "error")
            return redirect(url_for("web.upload"))
        org_id = user.organisation_id
        raw = request.form.get("organisation_id")
        if raw:
            if not raw.isdigit():
                raise ApiError("invalid_organisation", "组织编号无效。", 422)
            org_id = load_organisation(db, user, int(raw)).id
        created = []
        for f in files:
            created.append(intake.receive(db, current_store(), user, org_id, f.filename, f.read(),
                                          max_bytes=current_app.config["WUHAO_MAX_UPLOAD_BYTES"]))
        forms_ = [s for s in created if s.form not in ("report", "unknown")]
        if len(forms_) == 1:
            for s in created:
                if s.form == "report":
                    s.attached_to_id = forms_[0].id
            db.commit()
        main = forms_[0] if forms_ else created[0]
        return redirect(url_for("web.submission_page", submission_id=main.id, uploaded=len(created)))
    branches = []
    if user.role != "branch":
        q = auth.filter_visible(select(Organisation).where(Organisation.kind == "branch").order_by(Organisation.name),
                                Organisation.id, db, user)
        branches = list(db.execute(q).scalars())
    return render_template("upload.html", user=user, branches=branches)


@bp.get("/forms")
@page()
def forms(user):
    return render_template("forms.html", user=user, forms=form_list())


@bp.get("/documents")
@page()
def documents(user):
    db = get_session()
    q = auth.filter_visible(select(Document).where(Document.status != "deleted").order_by(Document.id.desc())
                            .limit(300), Document.organisation_id, db, user)
    docs = []
    names = {}
    for d in db.execute(q).scalars():
        item = document_dict(d)
        if d.organisation_id and d.organisation_id not in names:
            org = db.get(Organisation, d.organisation_id)
            names[d.organisation_id] = org.name if org else ""
        item["organisation_name"] = names.get(d.organisation_id, "")
        docs.append(item)
    return render_template("documents.html", user=user, documents=docs)


@bp.get("/lifecycle")
@page()
def lifecycle(user):
    if user.role != "branch":
        return redirect(url_for("web.dashboard"))
    return redirect(url_for("web.organisation_page", org_id=user.organisation_id))


def gather_facts(db, org: Organisation) -> dict:
    """What the records say, for the lifecycle's guards: the latest forms, the report, the last score."""
    facts: dict = {}
    for form in ("declaration", "acceptance"):
        sub = db.execute(select(Submission).where(Submission.organisation_id == org.id, Submission.form == form)
                         .order_by(Submission.id.desc()).limit(1)).scalar_one_or_none()
        if sub is None or not sub.extractions:
            continue
        facts.update({k: v for k, v in intake.effective_fields(sub.extractions[-1]).items() if v is not None})
        if form == "acceptance":
            report = review.report_of(db, sub)
            if report is not None and report.extractions:
                count = intake.effective_fields(report.extractions[-1]).get("char_count")
                if count is not None:
                    facts["report_char_count"] = count
    last = db.execute(select(Assessment).where(Assessment.organisation_id == org.id)
                      .order_by(Assessment.id.desc()).limit(1)).scalar_one_or_none()
    if last is not None and last.total is not None:
        facts["assessment_score"] = last.total
    return facts


@bp.route("/organisations/<int:org_id>", methods=["GET", "POST"])
@page()
def organisation_page(user, org_id: int):
    from ..checks.lifecycle import allowed_events, cycle_status, machine, state_name

    db = get_session()
    org = load_organisation(db, user, org_id)
    if request.method == "POST":
        if user.role not in ("reviewer", "admin"):
            raise ApiError("forbidden", "您的角色无权执行该操作。", 403)
        event = request.form.get("event", "")
        facts = gather_facts(db, org)
        for key in ("reason", "rectify_deadline"):
            if request.form.get(key, "").strip():
                facts[key] = request.form[key].strip()[:300]
        as_of = None
        if request.form.get("as_of"):
            try:
                as_of = dt.date.fromisoformat(request.form["as_of"])
            except ValueError:
                raise ApiError("invalid_date", "日期应为 YYYY-MM-DD。", 422) from None
        try:
            review.apply_transition(db, user, org, event, as_of, facts)
            db.commit()
            flash("状态已更新。", "ok")
        except ApiError as exc:
            if exc.code != "transition_refused":
                raise
            flash(f"无法执行：{exc.message}", "error")
        return redirect(url_for("web.organisation_page", org_id=org.id))
    cycle = review.current_cycle(db, org.id)
    events = machine()["events"]
    allowed = [(e, events[e]["name"]) for e in allowed_events(cycle.state if cycle else None)]
    status = cycle_status(review.cycle_dict(cycle), dt.date.today()) if cycle else []
    states = [(code, spec["name"]) for code, spec in machine()["states"].items()]
    subs = list(db.execute(select(Submission).where(Submission.organisation_id == org.id)
                           .order_by(Submission.id.desc()).limit(50)).scalars())
    assessments = list(db.execute(select(Assessment).where(Assessment.organisation_id == org.id)
                                  .order_by(Assessment.id.desc()).limit(20)).scalars())
    docs = [document_dict(d) for d in db.execute(select(Document).where(Document.organisation_id == org.id)
                                                 .order_by(Document.id.desc()).limit(50)).scalars()]
    children = list(db.execute(select(Organisation).where(Organisation.parent_id == org.id)
                               .order_by(Organisation.name)).scalars())
    return render_template("organisation.html", user=user, org=org, cycle=cycle,
                           state_name=state_name(cycle.state) if cycle else "未开始", states=states,
                           allowed=allowed, status=status, deadlines=deadlines(cycle, dt.date.today()),
                           submissions=subs, assessments=assessments, documents=docs, children=children,
                           today=dt.date.today().isoformat(),
                           facts=gather_facts(db, org) if user.role != "branch" else {})
