"""Deadlines of a creation cycle, the reviewers' work queue and the dashboard figures."""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from .. import auth
from ..checks.calendar import (acceptance_deadline, add_years, annual_report_deadline, commendation_deadline,
                               term_end)
from ..checks.findings import load_config
from ..checks.lifecycle import state_name
from ..documents.district_stats import round_in_force_today
from ..models import Assessment, CreationCycle, Organisation, Submission, User
from . import community_targets
from .cycles import current_cycles
from .review import AWAITING, brand_files
from ..vocabulary import DOMAINS, FORM_NAMES, GRADES, SUBMISSION_STATUSES
from .serialize import iso


def deadlines(cycle: CreationCycle | None, today: dt.date) -> list[dict]:
    """The next dates that matter for one branch (SZ-2, SZ-3), soonest first.  The labels carry no
    citation: the same windows show on a 区委 or street branch's page, where the 市直 办法 is not theirs."""
    cfg = load_config()
    out = []
    state = cycle.state if cycle else None
    if state in (None, "expired", "delisted", "revoked"):
        year = today.year if (today.year % 2 == 0 and today.month <= 3) else today.year + (2 - today.year % 2)
        out.append({"what": "预报申报（偶数年3月）", "due": dt.date(year, 3, 31)})
    elif state in ("forecast", "creating"):
        start = cycle.creation_started_on or cycle.declared_on or today
        earliest = add_years(start, int(cfg["creation_min_years"]))
        year = earliest.year
        while year % 2 == 0 or acceptance_deadline(year, cfg) < earliest:
            year += 1
        out.append({"what": "创建期满（至少一年）", "due": earliest})
        out.append({"what": "提交验收申请表和汇报材料", "due": acceptance_deadline(year, cfg)})
    elif state in ("acceptance_applied", "assessing"):
        year = (cycle.applied_on or today).year
        out.append({"what": "表彰（七一前）", "due": commendation_deadline(year, cfg) - dt.timedelta(days=1)})
    elif state in ("commended", "in_term", "rectifying"):
        start = cycle.term_starts_on or cycle.commended_on
        if start:
            out.append({"what": "届期届满（4年）", "due": cycle.term_ends_on or term_end(start, cfg)})
        out.append({"what": f"{today.year}年度考核报告", "due": annual_report_deadline(today.year, cfg)})
        if state == "rectifying" and (cycle.facts or {}).get("rectify_deadline"):
            out.append({"what": "限期整改完成",
                        "due": dt.date.fromisoformat(str(cycle.facts["rectify_deadline"])[:10])})
    for d in out:
        d["days_left"] = (d["due"] - today).days
        d["overdue"] = d["days_left"] < 0
        d["due"] = d["due"].isoformat()
    return sorted(out, key=lambda d: d["due"])


def queue(db: Session, actor: User, status: str | None = None) -> list[dict]:
    """Forms, those awaiting a reviewer's decision (待审核, 审核中) first, then by the nearest deadline.
    A brand registration's files are reviewed on the brand, not here (``review.brand_files``)."""
    auth.require_role(actor, *auth.REVIEWERS)
    query = (select(Submission).where(Submission.form != "report", Submission.id.not_in(brand_files()))
             .order_by(Submission.id.desc()))
    query = auth.filter_visible(query, Submission.organisation_id, db, actor)
    if status:
        query = query.where(Submission.status == status)
    today = dt.date.today()
    items = []
    subs = list(db.execute(query.options(joinedload(Submission.organisation)).limit(500)).scalars())
    cycles = current_cycles(db, [s.organisation_id for s in subs])  # one query, not one per organisation
    for s in subs:
        cycle = cycles.get(s.organisation_id)
        due = deadlines(cycle, today)
        items.append({"id": s.id, "organisation_id": s.organisation_id, "organisation_name": s.organisation.name,
                      "domain": s.organisation.domain, "domain_name": DOMAINS.get(s.organisation.domain, "—"),
                      "year": s.uploaded_at.year if s.uploaded_at else None,
                      "next_due": due[0]["due"] if due else None,
                      "form": s.form, "form_name": FORM_NAMES.get(s.form, s.form), "status": s.status,
                      "status_name": SUBMISSION_STATUSES.get(s.status, s.status), "original_name": s.original_name,
                      "uploaded_at": iso(s.uploaded_at), "cycle_state": cycle.state if cycle else None,
                      "cycle_state_name": state_name(cycle.state) if cycle else "未开始",
                      "next_deadline": due[0] if due else None})
    items.sort(key=lambda i: (i["status"] not in AWAITING,
                              (i["next_deadline"] or {}).get("due") or "9999", -i["id"]))
    return items


def status_counts(items: list[dict]) -> dict[str, int]:
    counts = Counter(i["status"] for i in items)
    return {k: counts.get(k, 0) for k in SUBMISSION_STATUSES}


def _committee_of(org_id: int, parents: dict[int, int | None], kinds: dict[int, str]) -> int:
    """The 党委 (party committee) above a branch, else its top committee."""
    node, top = org_id, org_id
    while node is not None:
        if kinds.get(node) == "party_committee":
            return node
        top = node
        node = parents.get(node)
    return top


def figures(db: Session, actor: User, year: int | None = None, today: dt.date | None = None) -> dict:
    """The dashboard: grades by domain, the 相对后进 by committee, cycles by state, SQ-1 targets.
    ``year`` None: the grading round in force, the one the latest 季度通报 counts (not a newer round begun since)."""
    auth.require_role(actor, *auth.REVIEWERS)
    visible = auth.visible_org_ids(db, actor)
    orgs = list(db.execute(select(Organisation)).scalars())
    parents = {o.id: o.parent_id for o in orgs}
    kinds = {o.id: o.kind for o in orgs}
    names = {o.id: o.name for o in orgs}
    seen = (lambda oid: True) if visible is None else (lambda oid: oid in visible)
    aq = auth.filter_visible(select(Assessment).order_by(Assessment.id), Assessment.organisation_id, db, actor)
    assessments = list(db.execute(aq).scalars())
    years = sorted({a.year for a in assessments})
    if year is None:
        year = round_in_force_today(db, visible, today or dt.date.today())
    latest: dict[int, Assessment] = {}
    for a in assessments:
        if a.year == year:
            latest[a.organisation_id] = a  # the newest wins
    labels = dict(DOMAINS)
    grades_by_domain = {code: {g: 0 for g in GRADES} for code in labels}
    backward_by_committee: dict[str, int] = defaultdict(int)
    backward_list = []
    for a in latest.values():
        if a.domain in grades_by_domain and a.grade in GRADES:
            grades_by_domain[a.domain][a.grade] += 1
        if a.backward:
            committee = _committee_of(a.organisation_id, parents, kinds)
            backward_by_committee[names.get(committee, "—")] += 1
            backward_list.append({"organisation_id": a.organisation_id, "organisation_name": names.get(a.organisation_id),
                                  "domain": a.domain, "domain_name": labels.get(a.domain, a.domain),
                                  "total": a.total, "assessment_id": a.id})
    cq = auth.filter_visible(select(CreationCycle).order_by(CreationCycle.id), CreationCycle.organisation_id, db, actor)
    current: dict[int, CreationCycle] = {}
    for c in db.execute(cq).scalars():
        current[c.organisation_id] = c
    cycles_by_state = Counter(c.state for c in current.values())
    # SQ-1 from the records (service/usecases/community_targets.py): only for an account with communities
    community = community_targets.card(db, actor)
    return {
        "year": year, "years": years,
        "domain_names": labels, "grade_names": dict(GRADES),
        "grades_by_domain": grades_by_domain,
        "backward_by_committee": dict(sorted(backward_by_committee.items())),
        "backward": sorted(backward_list, key=lambda b: (b["domain"] or "", b["total"] or 0)),
        "cycles_by_state": {s: {"name": state_name(s), "count": n} for s, n in sorted(cycles_by_state.items())},
        "community": community,
        "submissions": db.scalar(auth.filter_visible(select(func.count(Submission.id)), Submission.organisation_id,
                                                     db, actor)) or 0,
    }
