"""Pure checks of the district's management rules (JH-4, JH-6): party days on the 8th, leaders' coverage.

Inputs are plain values (no database); the use cases and the 季度通报 context feed them.
"""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple

#: JH-6: the 主题党日 is fixed on the 8th of each month
PARTY_DAY = 8
MONTH_STATUSES = {"on_day": "8日开展", "other_day": "其他日期开展", "missing": "未开展"}


class DayRecord(NamedTuple):
    """One branch's 主题党日 of a month (a tuple: a page reads 20,000 of them; a frozen dataclass cost 6 µs each)."""

    organisation_id: int
    year: int
    month: int
    held_on: dt.date
    expected: int | None
    attended: int
    reason: str


def months_between(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    """(year, month) of every month from ``start``'s to ``end``'s, both included."""
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def month_status(rec: DayRecord | None) -> str:
    if rec is None:
        return "missing"
    return "on_day" if rec.held_on.day == PARTY_DAY else "other_day"


def party_day_summary(branch_ids, months: list[tuple[int, int]], records: list[DayRecord]) -> dict:
    """Compliance of ``branch_ids`` over ``months``: expected branch-months, held, on the 8th, on another
    day (with or without a reason), missing, attendance (attended / expected members of the held days)."""
    ids = set(branch_ids)
    by_key = {(r.organisation_id, r.year, r.month): r for r in records if r.organisation_id in ids}
    held = [by_key[(b, y, m)] for b in ids for (y, m) in months if (b, y, m) in by_key]
    return held_summary(len(ids) * len(months), held)


def held_summary(branch_months: int, held: list[DayRecord]) -> dict:
    """:func:`party_day_summary` of the records ``held`` (at most one per branch and month, each in
    the months asked for) out of ``branch_months`` expected: what a page of 2,000 branches calls
    once a branch without building a set and a dict each time."""
    return counted_summary(branch_months, held_counts(held))


class HeldCounts(NamedTuple):
    """What a summary needs of some branches' records, added up (a database can add them up: GROUP BY)."""

    held: int = 0
    on_day: int = 0
    other_day_no_reason: int = 0
    expected: int = 0   # members expected, over the held days
    attended: int = 0   # members attended, over the held days with an expected count, capped at it


def added(counts) -> HeldCounts:
    """The counts of several branches together."""
    return HeldCounts(*(sum(col) for col in zip(*counts))) if counts else HeldCounts()


def held_counts(held: list[DayRecord]) -> HeldCounts:
    other = [r for r in held if r.held_on.day != PARTY_DAY]
    return HeldCounts(len(held), len(held) - len(other), sum(1 for r in other if not r.reason.strip()),
                      sum(r.expected or 0 for r in held),
                      sum(min(r.attended, r.expected) if r.expected else r.attended for r in held if r.expected))


def counted_summary(branch_months: int, c: HeldCounts) -> dict:
    """The summary of :func:`held_summary` from the records' counts."""
    return {"branch_months": branch_months, "held": c.held, "on_day": c.on_day,
            "other_day": c.held - c.on_day, "other_day_no_reason": c.other_day_no_reason,
            "missing": branch_months - c.held,
            "attendance_rate": round(100 * c.attended / c.expected, 1) if c.expected else None}


def uncovered(branch_ids, assigned_ids) -> list[int]:
    """JH-4: the 相对后进 branches no leader has taken charge of."""
    got = set(assigned_ids)
    return sorted(b for b in set(branch_ids) if b not in got)


def standing(assessments) -> dict:
    """Each branch's grading in force: its latest assessment (by year, then as entered) among ``assessments``
    (those of a year and before). A branch named 相对后进 in the 2025 round stays so through 2026 — its 整改 and
    its 挂点包保 run on — until a later grading of that branch (a new round, or one scoring) replaces it."""
    out: dict = {}
    for a in sorted(assessments, key=lambda a: (a.year, a.id)):
        out[a.organisation_id] = a
    return out
