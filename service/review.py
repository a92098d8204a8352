"""The imperative shell around the pure checks: load, check, persist, audit.

``check_submission`` and ``apply_transition`` read the database, call the pure
functions of ``service.checks`` and write their verdicts back (findings, cycle
dates, audit rows) in the caller's transaction.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from . import audit
from .checks.lifecycle import TransitionRefused, transition
from .checks.submission import check_submission as pure_check
from .errors import ApiError
from .intake import effective_fields
from .models import CreationCycle, Finding, Organisation, Submission


def organisation_facts(org: Organisation, cycle: Optional[CreationCycle]) -> dict[str, Any]:
    """The organisation record as the rules see it."""
    parent = org.parent.name if org.parent else None
    return {
        "branch_name": org.name, "parent_org": parent, "domain": org.domain,
        "secretary": org.secretary, "member_count": org.member_count,
        "contact_person": org.contact_person, "contact_phone": org.contact_phone,
        "directly_under": org.directly_under,
        "facts": dict(cycle.facts or {}) if cycle else {},
    }


def current_cycle(session: Session, organisation_id: int) -> Optional[CreationCycle]:
    return session.execute(
        select(CreationCycle).where(CreationCycle.organisation_id == organisation_id)
        .order_by(CreationCycle.id.desc()).limit(1)
    ).scalar_one_or_none()


def report_of(session: Session, sub: Submission) -> Optional[Submission]:
    """The 汇报材料 attached to a form (the newest one)."""
    return session.execute(
        select(Submission).where(Submission.attached_to_id == sub.id, Submission.form == "report")
        .order_by(Submission.id.desc()).limit(1)
    ).scalar_one_or_none()


def check_submission(session: Session, user, sub: Submission, as_of: Optional[dt.date] = None,
                     rubric_dir=None) -> dict:
    """Run every rule on a submission, replace its findings, record the check.

    ``rubric_dir``: the admin's rubric files (``Settings.rubric_dir``) over the built-in ones."""
    if not sub.extractions:
        raise ApiError("conflict", "该材料尚无提取结果，无法审核。", 409)
    fields = effective_fields(sub.extractions[-1])
    report = report_of(session, sub)
    report_fields = effective_fields(report.extractions[-1]) if report and report.extractions else None
    org = session.get(Organisation, sub.organisation_id)
    result = pure_check(sub.form if sub.form != "unknown" else None, fields, report_fields,
                        organisation_facts(org, current_cycle(session, org.id)), as_of or dt.date.today(),
                        rubric_dir=rubric_dir)
    session.execute(delete(Finding).where(Finding.submission_id == sub.id))
    for f in result["findings"]:
        session.add(Finding(organisation_id=sub.organisation_id, submission_id=sub.id, rule=f["rule"],
                            severity=f["severity"], field=f.get("field"), message=f["message"],
                            clause=f.get("clause") or ""))
    sub.status = "eligible" if result["eligible"] else "needs_work"
    audit.record(session, user, "check", "submission", sub.id,
                 {"eligible": result["eligible"], "findings": len(result["findings"]),
                  "as_of": (as_of or dt.date.today()).isoformat()},
                 organisation_id=sub.organisation_id)
    return result


CYCLE_DATE_COLUMNS = ("declared_on", "creation_started_on", "applied_on", "assessed_on", "commended_on",
                      "term_starts_on", "term_ends_on", "ended_on")


def cycle_dict(cycle: Optional[CreationCycle]) -> dict[str, Any]:
    if cycle is None:
        return {"state": None}
    out: dict[str, Any] = {"id": cycle.id, "state": cycle.state, "end_reason": cycle.end_reason,
                           "facts": dict(cycle.facts or {})}
    for col in CYCLE_DATE_COLUMNS:
        out[col] = getattr(cycle, col)
    return out


def apply_transition(session: Session, user, org: Organisation, event: str,
                     as_of: Optional[dt.date] = None, facts: Optional[dict] = None) -> CreationCycle:
    """Move the organisation's creation cycle by ``event``, or refuse with the reason.

    A refused transition is recorded in the audit log too, with its reason.
    """
    cycle = current_cycle(session, org.id)
    if cycle is not None and cycle.state in ("delisted", "revoked", "expired") and event == "declare":
        cycle = None  # a new cycle after the old one ended
    base = cycle_dict(cycle)
    base["facts"] = {**organisation_facts(org, cycle), **base.get("facts", {})}
    try:
        step = transition(base, event, as_of or dt.date.today(), facts or {})
    except TransitionRefused as refused:
        audit.record(session, user, "transition_refused", "organisation", org.id,
                     {"event": event, "state": base["state"], "reason": refused.reason},
                     organisation_id=org.id)
        session.commit()
        raise ApiError("transition_refused", refused.reason, 409,
                       {"findings": refused.findings, "state": base["state"], "event": event}) from None
    if cycle is None:
        cycle = CreationCycle(organisation_id=org.id, state=step.new_state, facts={})
        session.add(cycle)
    old_state = cycle.state if cycle.id else None
    changes = dict(step.dates_changed)
    new_facts = changes.pop("facts", None)
    for col, value in changes.items():
        setattr(cycle, col, value)
    if new_facts:
        cycle.facts = {**(cycle.facts or {}), **new_facts}
    cycle.state = step.new_state
    session.flush()
    audit.record(session, user, "transition", "creation_cycle", cycle.id,
                 {"event": event, "from": old_state, "to": step.new_state,
                  "changes": {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in changes.items()},
                  "findings": [f["rule"] for f in step.findings]},
                 organisation_id=org.id)
    return cycle
