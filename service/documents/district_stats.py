"""The district's records in the 季度通报 (一张报表督党建, JH-4..JH-6): read once for a quarter, then counted
for any set of branches (a 党委, a domain, the whole district).

挂点 coverage: rural branches whose grading in force (their latest up to the year: its 整改 runs into the next
year) is 相对后进, with a leader of the year in charge (挂点包保) by the quarter's end.
Supervision: 督导组 inspections and leaders' visits in the quarter, and the ledger rows they opened.
Party days: branch-months of the quarter held on the 8th / another day / missing, attendance
(:func:`service.checks.district.party_day_summary`).
Training (JH-5): branches whose secretary signed in to a class held in the year up to the quarter's end.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, func, or_, select

from ..checks.district import DayRecord, months_between, party_day_summary, standing
from ..models import (Assessment, Inspection, LeaderAssignment, LeaderVisit, Organisation, PartyDay, TrainingClass,
                      TrainingEnrolment)


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = (dt.date(year, 3 * quarter, 1) + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
    return start, end


def last_ended_quarter(today: dt.date) -> tuple[int, int]:
    """(year, quarter) of the latest quarter whose last day is ``today`` or earlier."""
    q = (today.month - 1) // 3 + 1
    if today == quarter_bounds(today.year, q)[1]:
        return today.year, q
    return (today.year, q - 1) if q > 1 else (today.year - 1, 4)


def assessed_by(year: int, as_of: dt.date):
    """Gradings of rounds before ``year``, and of ``year`` those assessed by ``as_of``: a grading entered later
    (a 2026 round entered in December) must not switch a report on 9月30日 to a round that had not begun."""
    return or_(Assessment.year < year, Assessment.assessed_on <= as_of,
               and_(Assessment.assessed_on.is_(None), Assessment.created_at < as_of + dt.timedelta(days=1)))


def grading_round_in_force(session, org_ids, year: int, as_of: dt.date) -> int:
    """The grading round in force for ``year`` on ``as_of`` among ``org_ids`` (None: every organisation):
    ``year``'s once one of its gradings was assessed by ``as_of``, else the latest round before it (a 2026 Q3
    report counts the 2025 round, whose 相对后进 branches 四（一） reports on); ``year`` when there is none."""
    query = select(func.max(Assessment.year)).where(Assessment.year <= year, assessed_by(year, as_of))
    if org_ids is not None:
        query = query.where(Assessment.organisation_id.in_(list(org_ids)))
    return session.scalar(query) or year


def round_in_force_today(session, org_ids, today: dt.date) -> int:
    """The round the latest 季度通报 counts: in force at the end of the last quarter ended by ``today``."""
    year, quarter = last_ended_quarter(today)
    return grading_round_in_force(session, org_ids, year, quarter_bounds(year, quarter)[1])


class QuarterRecords:
    def __init__(self, session, branches: list[Organisation], year: int, start: dt.date, end: dt.date):
        ids = [b.id for b in branches]
        self.names = {b.id: b.name for b in branches}
        self.months = months_between(start, end)
        latest = standing(session.execute(select(Assessment).where(Assessment.year <= year,
                                                                   Assessment.organisation_id.in_(ids))).scalars())
        # JH-4: district leaders take charge of the rural 相对后进 branches
        self.backward = {i for i, a in latest.items() if a.backward and a.domain == "rural"}
        self.assigned = set(session.execute(select(LeaderAssignment.organisation_id).where(
            LeaderAssignment.year == year, LeaderAssignment.kind == "backward",
            LeaderAssignment.organisation_id.in_(ids), LeaderAssignment.assigned_on <= end)).scalars())
        self.contacts = set(session.execute(select(LeaderAssignment.organisation_id).where(
            LeaderAssignment.year == year, LeaderAssignment.kind == "contact",
            LeaderAssignment.organisation_id.in_(ids))).scalars())
        self.inspections = list(session.execute(select(Inspection).where(
            Inspection.organisation_id.in_(ids), Inspection.inspected_on >= start,
            Inspection.inspected_on <= end)).scalars())
        self.visits = list(session.execute(select(LeaderVisit).where(
            LeaderVisit.organisation_id.in_(ids), LeaderVisit.visited_on >= start,
            LeaderVisit.visited_on <= end)).scalars())
        self.days = [DayRecord(p.organisation_id, p.year, p.month, p.held_on, p.expected, p.attended or 0,
                               p.reason or "")
                     for p in session.execute(select(PartyDay).where(
                         PartyDay.organisation_id.in_(ids), PartyDay.held_on >= start,
                         PartyDay.held_on <= end)).scalars()]
        self.trained = set(session.execute(select(TrainingEnrolment.organisation_id).join(
            TrainingClass, TrainingClass.id == TrainingEnrolment.class_id).where(
            TrainingEnrolment.attended.is_(True), TrainingEnrolment.organisation_id.in_(ids),
            TrainingClass.held_on >= dt.date(year, 1, 1), TrainingClass.held_on <= end)).scalars())

    def stats(self, branch_ids: set[int]) -> dict:
        backward = self.backward & branch_ids
        ins = [i for i in self.inspections if i.organisation_id in branch_ids]
        vis = [v for v in self.visits if v.organisation_id in branch_ids]
        days = party_day_summary(branch_ids, self.months, self.days)
        return {"backward_assigned": len(backward & self.assigned), "backward_unassigned": len(backward - self.assigned),
                "contacts": len(self.contacts & branch_ids),
                "inspections": len(ins), "inspection_rows": sum(1 for i in ins for f in i.findings or []
                                                                 if f.get("ledger_item_id")),
                "visits": len(vis), "visit_rows": sum(len(v.ledger_item_ids or []) for v in vis),
                "trained": len(self.trained & branch_ids),
                "training_rate": round(100 * len(self.trained & branch_ids) / len(branch_ids), 1) if branch_ids else None,
                **{"party_" + k: v for k, v in days.items()}}

    def facts(self) -> dict:
        """The names behind the numbers: laggards without a leader, missing and off-day party days."""
        held = {(r.organisation_id, r.year, r.month): r for r in self.days}
        missing = [{"branch_name": self.names[b], "month": m} for b in sorted(self.names)
                   for (y, m) in self.months if (b, y, m) not in held]
        other = [{"branch_name": self.names[r.organisation_id], "month": r.month, "held_on": r.held_on.isoformat(),
                  "reason": r.reason} for r in sorted(self.days, key=lambda r: (r.organisation_id, r.month))
                 if r.held_on.day != 8]
        return {"unassigned": sorted(self.names[b] for b in self.backward - self.assigned),
                "party_missing": missing, "party_other_day": other}
