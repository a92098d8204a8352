"""The creation cycle of an organisation (SZ-2, SZ-3): read it, move it by an event.

The rules are the pure ``service.checks.lifecycle`` machine; this module loads the
records, asks the machine and writes its verdict back (cycle dates, audit rows).
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import audit, auth
from ..checks.lifecycle import TransitionRefused, allowed_events, transition
from ..documents.issue import revoke_honours
from ..errors import Invalid, Refused
from ..models import CreationCycle, Organisation, User
from .ledger import open_counts

#: states that end the title: its 荣誉证书 read 已撤销 / 已失效 from that moment (reason, certificate status)
TITLE_ENDS = {"revoked": ("撤销“五好党支部”称号", "revoked"), "delisted": ("摘牌", "revoked"),
              "expired": ("届期已满", "expired")}

CYCLE_DATE_COLUMNS = ("declared_on", "creation_started_on", "applied_on", "assessed_on", "commended_on",
                      "term_starts_on", "term_ends_on", "ended_on")


def load_organisation(session: Session, actor: User, org_id: int) -> Organisation:
    return auth.load_visible(session, actor, Organisation, org_id, "未找到该组织。", organisation_of=lambda o: o.id)


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


def current_cycles(session: Session, organisation_ids) -> dict[int, CreationCycle]:
    """``current_cycle`` of many organisations in one query (a list of 500 forms asked once per
    organisation: 2 statements a row on the queue)."""
    ids = sorted(set(organisation_ids))
    if not ids:
        return {}
    latest = select(func.max(CreationCycle.id)).where(CreationCycle.organisation_id.in_(ids)) \
        .group_by(CreationCycle.organisation_id)
    return {c.organisation_id: c for c in session.execute(
        select(CreationCycle).where(CreationCycle.id.in_(latest))).scalars()}


def cycle_dict(cycle: Optional[CreationCycle]) -> dict[str, Any]:
    if cycle is None:
        return {"state": None}
    out: dict[str, Any] = {"id": cycle.id, "state": cycle.state, "end_reason": cycle.end_reason,
                           "facts": dict(cycle.facts or {})}
    for col in CYCLE_DATE_COLUMNS:
        out[col] = getattr(cycle, col)
    return out


def as_json(cycle: Optional[CreationCycle]) -> dict:
    """The cycle with ISO dates and the events allowed next."""
    out = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in cycle_dict(cycle).items()}
    out["allowed_events"] = list(allowed_events(cycle.state if cycle else None))
    return out


def get(session: Session, actor: User, org_id: int) -> Optional[CreationCycle]:
    return current_cycle(session, load_organisation(session, actor, org_id).id)


def move(session: Session, actor: User, org_id: int, event: str, as_of: Optional[dt.date] = None,
         facts: Optional[dict] = None) -> CreationCycle:
    """Move the organisation's creation cycle by ``event``, or refuse with the reason.

    A refused transition is recorded in the audit log too, with its reason (``Refused``
    keeps that row although the step fails).
    """
    auth.require_role(actor, *auth.REVIEWERS)
    org = load_organisation(session, actor, org_id)
    if not isinstance(event, str) or not event:
        raise Invalid('请求体应为 {"event": "...", "as_of": "YYYY-MM-DD", "facts": {}}。', field="event")
    if facts is not None and not isinstance(facts, dict):
        raise Invalid("facts 应为对象。", field="facts")
    cycle = current_cycle(session, org.id)
    if cycle is not None and cycle.state in ("expired", "delisted", "revoked") and event == "declare":
        cycle = None  # a new cycle after the old one ended
    base = cycle_dict(cycle)
    base["facts"] = {**organisation_facts(org, cycle), **base.get("facts", {})}
    facts = dict(facts or {})
    if event == "revoke":  # weighed against the 整改工作台账 (SZ-3.1: revoked only if rectification failed)
        facts["items"], facts["open_items"] = open_counts(session, org.id)
    try:
        step = transition(base, event, as_of or dt.date.today(), facts)
    except TransitionRefused as refused:
        audit.record(session, actor, "transition_refused", "organisation", org.id,
                     {"event": event, "state": base["state"], "reason": refused.reason},
                     organisation_id=org.id)
        session.flush()
        raise Refused(refused.reason, "transition_refused",
                      detail={"findings": refused.findings, "state": base["state"], "event": event}) from None
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
    if step.new_state in TITLE_ENDS:
        reason, status = TITLE_ENDS[step.new_state]
        revoke_honours(session, org.id, as_of or dt.date.today(), reason, actor, status=status)
    audit.record(session, actor, "transition", "creation_cycle", cycle.id,
                 {"event": event, "from": old_state, "to": step.new_state,
                  "changes": {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in changes.items()},
                  "findings": [f["rule"] for f in step.findings]},
                 organisation_id=org.id)
    return cycle

