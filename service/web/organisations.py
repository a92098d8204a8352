"""An organisation's page: its creation cycle with deadlines and the reviewers' transitions, its records."""
from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from ..auth import REVIEWERS
from ..checks.lifecycle import allowed_events, cycle_status, machine, state_name
from ..db import get_session
from ..errors import Forbidden
from ..models import Assessment, Organisation, Submission
from ..usecases import cycles, dashboard, documents, submissions
from ..usecases.validate import opt_date
from .helpers import attempt, blueprint, page

bp = blueprint("organisations", "/organisations")


@bp.route("/<int:org_id>", methods=["GET", "POST"])
@page()
def organisation_page(user, org_id: int):
    db = get_session()
    if request.method == "POST" and user.role not in REVIEWERS:
        raise Forbidden("您的角色无权执行该操作。")
    org = cycles.load_organisation(db, user, org_id)
    if request.method == "POST":
        facts = submissions.recorded_facts(db, org)
        for key in ("reason", "rectify_deadline", "early_reason"):
            if request.form.get(key, "").strip():
                facts[key] = request.form[key].strip()[:300]
        as_of = opt_date(request.form, "as_of")
        _cycle, error = attempt(cycles.move, db, user, org.id, request.form.get("event", ""), as_of, facts,
                                said="无法执行：")
        if error is None:
            flash("状态已更新。", "ok")
        return redirect(url_for("organisations.organisation_page", org_id=org.id))
    cycle = cycles.current_cycle(db, org.id)
    events = machine()["events"]
    today = dt.date.today()
    return render_template(
        "organisation.html", user=user, org=org, cycle=cycle,
        state_name=state_name(cycle.state) if cycle else "未开始",
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
        today=today.isoformat(), facts=submissions.recorded_facts(db, org) if user.role != "branch" else {})
