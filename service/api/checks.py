"""Checks and the creation lifecycle over HTTP."""
from __future__ import annotations

import datetime as dt

from flask import current_app, request

from .. import auth, review
from ..config import settings_of
from ..db import get_session
from ..errors import ApiError
from ..models import CreationCycle, Organisation
from . import bp
from .submissions import load_submission

REVIEWERS = ("reviewer", "admin")


def _as_of(raw) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise ApiError("invalid_date", "as_of 应为 YYYY-MM-DD 格式的日期。", 422) from None


@bp.post("/submissions/<int:submission_id>/check")
def check_submission(submission_id: int):
    """Run every rule on a submission (a form with its attached report)."""
    user = auth.require_user()
    db = get_session()
    sub = load_submission(db, user, submission_id)
    payload = request.get_json(silent=True) or {}
    result = review.check_submission(db, user, sub, _as_of(payload.get("as_of") or request.args.get("as_of")),
                                     rubric_dir=settings_of(current_app).rubric_dir)
    db.commit()
    return result


def _cycle_json(cycle: CreationCycle | None) -> dict:
    data = review.cycle_dict(cycle)
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items()}


@bp.get("/organisations/<int:org_id>/cycle")
def get_cycle(org_id: int):
    user = auth.require_user()
    db = get_session()
    auth.require_org_access(db, user, org_id)
    if db.get(Organisation, org_id) is None:
        raise ApiError("not_found", "未找到该组织。", 404)
    from ..checks.lifecycle import allowed_events

    cycle = review.current_cycle(db, org_id)
    out = _cycle_json(cycle)
    out["allowed_events"] = list(allowed_events(cycle.state if cycle else None))
    return out


@bp.post("/organisations/<int:org_id>/cycle/transitions")
def post_transition(org_id: int):
    """``{"event": "declare", "as_of": "2026-03-10", "facts": {...}}`` — reviewers only."""
    user = auth.require_user(*REVIEWERS)
    db = get_session()
    auth.require_org_access(db, user, org_id)
    org = db.get(Organisation, org_id)
    if org is None:
        raise ApiError("not_found", "未找到该组织。", 404)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("event"), str):
        raise ApiError("invalid", '请求体应为 {"event": "...", "as_of": "YYYY-MM-DD", "facts": {}}。', 422)
    facts = payload.get("facts") or {}
    if not isinstance(facts, dict):
        raise ApiError("invalid", "facts 应为对象。", 422)
    cycle = review.apply_transition(db, user, org, payload["event"], _as_of(payload.get("as_of")), facts)
    db.commit()
    return _cycle_json(cycle)
