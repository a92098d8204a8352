"""An organisation's page: its creation cycle with deadlines and the reviewers' transitions, its records."""
from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from .. import vocabulary, wording
from ..auth import REVIEWERS
from ..checks.findings import load_config
from ..checks.lifecycle import allowed_events, cycle_status, machine, state_name
from ..db import get_session
from ..errors import Forbidden
from ..models import Assessment, Organisation, Submission
from ..usecases import cycles, dashboard, documents, submissions, todo
from ..usecases.validate import opt_date
from .helpers import attempt, blueprint, kept_form, page

bp = blueprint("organisations", "/organisations")

#: events that end a title: confirmed on a second page before they are done
IRREVERSIBLE = ("delist", "revoke", "expire")
#: the grounds of a 摘牌 a reviewer picks (service/checks/config.yaml): 解散、调整 (自然摘牌), 违纪、投诉 (无条件摘牌)
DELISTING_GROUNDS = {key: (("自然摘牌：" if kind == "natural" else "无条件摘牌：") + text)
                     for kind, grounds in load_config()["delisting"].items() for key, text in grounds.items()}


@bp.route("/<int:org_id>", methods=["GET", "POST"])
@page()
def organisation_page(user, org_id: int):
    db = get_session()
    if request.method == "POST" and user.role not in REVIEWERS:
        raise Forbidden("您的角色无权执行该操作。")
    org = cycles.load_organisation(db, user, org_id)
    kept = None
    if request.method == "POST":
        facts = submissions.recorded_facts(db, org)
        for key in ("reason", "rectify_deadline", "early_reason"):
            if request.form.get(key, "").strip():
                facts[key] = request.form[key].strip()[:300]
        ground = request.form.get("ground", "")
        if ground in DELISTING_GROUNDS:  # 自然摘牌 (解散、调整) or 无条件摘牌 with its ground
            facts[ground] = request.form.get("ground_detail", "").strip()[:300] or True
        as_of = opt_date(request.form, "as_of")
        event = request.form.get("event", "")
        if event in IRREVERSIBLE and request.form.get("confirm") != "1":
            # an irreversible step (摘牌, 撤销, 届满) is shown once more and done only when confirmed
            cycle = cycles.current_cycle(db, org.id)
            return render_template("transition_confirm.html", user=user, org=org, event=event,
                                   event_name=machine()["events"].get(event, {}).get("name", ""),
                                   state_name=state_name(cycle.state) if cycle else "未开始",
                                   as_of=as_of, ground_name=DELISTING_GROUNDS.get(ground, ""),
                                   form={k: v for k, v in request.form.items() if k not in ("csrf_token", "confirm")},
                                   certificates=documents.valid_certificates(db, org.id))
        _cycle, error = attempt(cycles.move, db, user, org.id, event, as_of, facts, said="无法执行：")
        if error is None:
            flash("状态已更新。", "ok")
            return redirect(url_for("organisations.organisation_page", org_id=org.id))
        kept = kept_form(error)  # refused: the page again, the event, dates and reasons as typed
    cycle = cycles.current_cycle(db, org.id)
    events = machine()["events"]
    today = dt.date.today()
    progress = todo.progress(db, user, org.id)
    return render_template(
        "organisation.html", user=user, org=org, cycle=cycle, progress=progress, kept=kept,
        state_name=state_name(cycle.state) if cycle else progress["stage_name"],
        states=[(code, spec["name"]) for code, spec in machine()["states"].items()],
        allowed=[(e, events[e]["name"]) for e in allowed_events(cycle.state if cycle else None)],
        status=cycle_status(cycles.cycle_dict(cycle), today) if cycle else [],
        deadlines=dashboard.deadlines(cycle, today),
        submissions=list(db.execute(select(Submission).where(Submission.organisation_id == org.id)
                                    .order_by(Submission.id.desc()).limit(50)).scalars()),
        assessments=list(db.execute(select(Assessment).where(Assessment.organisation_id == org.id)
                                    .order_by(Assessment.id.desc()).limit(20)).scalars()),
        documents=documents.listing(db, user, organisation_id=org.id, limit=50),
        children=list(db.execute(select(Organisation).where(Organisation.parent_id == org.id)
                                 .order_by(Organisation.name)).scalars()),
        today=today.isoformat(), grounds=DELISTING_GROUNDS, offers=document_offers(db, user, org, cycle),
        facts=facts_in_words(submissions.recorded_facts(db, org)) if user.role != "branch" else [])


#: recorded facts that are not form fields
FACT_LABELS = {"report_char_count": "汇报材料字数", "assessment_score": "最近一次考核得分"}


def facts_in_words(facts: dict) -> list[tuple[str, str]]:
    """The records the lifecycle's guards read, as (label, value) a person reads: 是/否, names, dates, 96分."""
    spec = {**submissions.spec_of("acceptance"), **submissions.spec_of("declaration")}
    out = []
    for key, value in facts.items():
        field = spec.get(key, {})
        label = field.get("label") or FACT_LABELS.get(key)
        if label is None or isinstance(value, (dict, list)):
            continue
        kind = field.get("type")
        if kind == "domain":
            text = vocabulary.domain_name(value)
        elif kind == "honor":
            text = vocabulary.HONORS.get(value, str(value))
        elif kind == "date":
            text = wording.cn_date(value)
        elif key == "assessment_score":
            text = wording.score(value)
        elif key == "report_char_count":
            text = f"{value}字"
        elif isinstance(value, bool):
            text = wording.yes_no(value)
        else:
            text = wording.number(value) if isinstance(value, (int, float)) else str(value)
        out.append((label, text if len(text) <= 24 else text[:24] + "…"))
    return out


def document_offers(db, user, org, cycle) -> list[tuple[str, str, int]]:
    """(kind, name, record id) of the 公文 a reviewer can issue from this page, each through its preview:
    a committee's 表彰决定 and 季度通报, a branch's 摘牌通知 once its title has ended, its 荣誉证书 while it holds one."""
    if user.role not in REVIEWERS:
        return []
    out = []
    if org.kind == "committee":
        out += [("commendation-decision", org.id), ("quarterly-report", org.id)]
    if cycle is not None and cycle.state in ("delisted", "revoked", "expired"):
        out.append(("delisting-notice", cycle.id))
    if cycle is not None and cycle.state in ("commended", "in_term") and not documents.valid_certificates(db, org.id):
        out.append(("honor-certificate", cycle.id))
    return [(kind, documents.kind_name(kind), record_id) for kind, record_id in out]
