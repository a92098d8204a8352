"""主题党日 on the 8th (JH-6): each branch's monthly record, imported from the clerks' XLSX, and the
compliance view per month and per 党委 (missing months, other days with the branch's reason, attendance).

A branch keeps its own records; a reviewer those of its subtree. One record per branch and month: a
second one for the same month replaces the first (an import is a correction, not a duplicate).
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import and_, case, extract, func, select
from sqlalchemy.orm import Session

from .. import audit, auth
from ..checks.district import (MONTH_STATUSES, PARTY_DAY, DayRecord, HeldCounts, added, counted_summary,
                               month_status)
from ..errors import Conflict, Invalid
from ..exports import template_examples
from ..models import Organisation, PartyDay, User
from . import sheets
from .serialize import iso
from .validate import opt_bool, opt_date, opt_int, opt_str, year_value

COLUMNS = [sheets.Column("branch_name", "党支部", required=True, aliases=("支部名称", "党支部名称"), max_len=200),
           sheets.Column("held_on", "开展日期", "date", required=True, aliases=("日期",)),
           sheets.Column("topic", "主题", aliases=("活动主题",)),
           sheets.Column("expected", "应到人数", "int"),
           sheets.Column("attended", "实到人数", "int", required=True),
           sheets.Column("attendees", "参加人员", "list", max_len=5000),
           sheets.Column("dues_collected", "是否收缴党费", "bool", aliases=("党费收缴", "收缴党费")),
           sheets.Column("reason", "未在8日开展的原因", aliases=("原因", "未在8日开展原因"), max_len=1000)]
#: refused when left in an import (service.exports.example_check)
EXAMPLE = template_examples([["大邱庄村党支部", "2026年9月8日", "学习贯彻党的二十届四中全会精神", 41, 37, "郑海、王强、李明",
                            "是", ""]])[0]


def day_dict(p: PartyDay, name: str = "") -> dict:
    status = month_status(_rec(p))
    return {"id": p.id, "organisation_id": p.organisation_id, "branch_name": name, "year": p.year, "month": p.month,
            "held_on": iso(p.held_on), "topic": p.topic, "expected": p.expected, "attended": p.attended,
            "attendees": list(p.attendees or []), "dues_collected": p.dues_collected, "reason": p.reason,
            "on_day": p.held_on.day == PARTY_DAY, "status": status, "status_name": MONTH_STATUSES[status]}


def _rec(p) -> DayRecord:
    """A PartyDay, or a row of its columns, as the checks read it."""
    return DayRecord(p.organisation_id, p.year, p.month, p.held_on, p.expected, p.attended or 0, p.reason or "")


def _upsert(db: Session, org: Organisation, values: dict) -> tuple[PartyDay, bool]:
    day: dt.date = values["held_on"]
    p = db.execute(select(PartyDay).where(PartyDay.organisation_id == org.id, PartyDay.year == day.year,
                                          PartyDay.month == day.month)).scalar_one_or_none()
    created = p is None
    if created:
        p = PartyDay(organisation_id=org.id, year=day.year, month=day.month)
        db.add(p)
    p.held_on = day
    p.topic = values.get("topic") or ""
    p.attendees = values.get("attendees") or []
    p.attended = values["attended"] if values.get("attended") is not None else len(p.attendees)
    p.expected = values.get("expected") if values.get("expected") is not None else org.member_count
    p.dues_collected = bool(values.get("dues_collected"))
    p.reason = values.get("reason") or ""
    return p, created


def _check(values: dict, today: dt.date) -> list[tuple[str, str]]:
    """(field, problem) of one record's values."""
    out = []
    if values["held_on"] > today:
        out.append(("held_on", "开展日期不能晚于今天"))
    if values.get("attended") is not None and values["attended"] < 0:
        out.append(("attended", "实到人数不能为负数"))
    if values.get("expected") is not None and values.get("attended") is not None and values["attended"] > values["expected"]:
        out.append(("attended", "实到人数多于应到人数"))
    return out


def save(db: Session, actor: User, payload: dict) -> dict:
    """Record (or correct) a branch's party day of a month: ``{organisation_id, held_on, topic, expected,
    attended, attendees, dues_collected, reason}``."""
    org_id = opt_int(payload, "organisation_id", minimum=1, maximum=auth.MAX_ID) or actor.organisation_id
    org = auth.load_visible(db, actor, Organisation, org_id, "未找到该组织。", organisation_of=lambda o: o.id)
    if org.kind != "branch":
        raise Invalid("主题党日记录属于党支部。", field="organisation_id")
    values = _values(payload)
    p, created = _upsert(db, org, values)
    db.flush()
    audit.record(db, actor, "party_day", "party_day", p.id, {"month": f"{p.year}-{p.month:02d}", "created": created},
                 organisation_id=org.id)
    return day_dict(p, org.name)


def _values(payload: dict) -> dict:
    held = opt_date(payload, "held_on")
    if held is None:
        raise Invalid("请填写开展日期。", field="held_on")
    attendees = payload.get("attendees") or []
    if not isinstance(attendees, list) or not all(isinstance(a, str) for a in attendees) or len(attendees) > 2000:
        raise Invalid("参加人员应为姓名列表。", field="attendees")
    values = {"held_on": held, "topic": opt_str(payload, "topic", max_len=300) or "",
              "expected": opt_int(payload, "expected", minimum=0, maximum=100000),
              "attended": opt_int(payload, "attended", minimum=0, maximum=100000),
              "attendees": [a.strip()[:50] for a in attendees if a.strip()],
              "dues_collected": bool(opt_bool(payload, "dues_collected")),
              "reason": opt_str(payload, "reason", max_len=1000) or ""}
    for field, message in _check(values, dt.date.today()):
        raise Invalid(message + "。", field=field)
    return values


def update(db: Session, actor: User, day_id: int, payload: dict) -> dict:
    """Correct one record (all its fields, as :func:`save` takes them); moved to a month the branch already
    has a record for, it is refused rather than merged."""
    p = auth.load_visible(db, actor, PartyDay, day_id, "未找到该主题党日记录。")
    org = db.get(Organisation, p.organisation_id)
    values = _values({**day_dict(p), **payload})
    day = values["held_on"]
    other = db.scalar(select(PartyDay.id).where(PartyDay.organisation_id == org.id, PartyDay.year == day.year,
                                                PartyDay.month == day.month, PartyDay.id != p.id))
    if other:
        raise Conflict(f"{org.name}{day.year}年{day.month}月已有主题党日记录，请修改那一条。", "party_day_exists")
    p.year, p.month = day.year, day.month
    p.held_on, p.topic, p.attendees = day, values["topic"], values["attendees"]
    p.attended = values["attended"] if values["attended"] is not None else len(p.attendees)
    p.expected = values["expected"] if values["expected"] is not None else org.member_count
    p.dues_collected, p.reason = values["dues_collected"], values["reason"]
    db.flush()
    audit.record(db, actor, "party_day_update", "party_day", p.id, {"fields": sorted(payload)}, organisation_id=org.id)
    return day_dict(p, org.name)


def delete(db: Session, actor: User, day_id: int) -> None:
    """A record entered by mistake (the month then shows 未开展 again)."""
    p = auth.load_visible(db, actor, PartyDay, day_id, "未找到该主题党日记录。")
    audit.record(db, actor, "party_day_delete", "party_day", p.id, {"month": f"{p.year}-{p.month:02d}"},
                 organisation_id=p.organisation_id)
    db.delete(p)
    db.flush()


def listing(db: Session, actor: User, *, organisation_id: Optional[int] = None, year: Optional[int] = None,
            limit: int = 2000) -> list[dict]:
    query = auth.filter_visible(select(PartyDay).order_by(PartyDay.year.desc(), PartyDay.month.desc(), PartyDay.id),
                                PartyDay.organisation_id, db, actor, organisation_id)
    if year:
        query = query.where(PartyDay.year == year)
    rows = list(db.execute(query.limit(limit)).scalars())
    names = dict(db.execute(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_({p.organisation_id for p in rows}))).all()) if rows else {}
    return [day_dict(p, names.get(p.organisation_id, "")) for p in rows]


def get(db: Session, actor: User, day_id: int) -> dict:
    p = auth.load_visible(db, actor, PartyDay, day_id, "未找到该主题党日记录。")
    return day_dict(p, db.get(Organisation, p.organisation_id).name)


def import_xlsx(db: Session, actor: User, data: bytes) -> dict:
    """The clerks' sheet (see :data:`COLUMNS`, template from :func:`template`): all or nothing; a branch
    named outside the caller's view, an unreadable cell or a date in the future names its row and column."""
    problems: list[dict] = []
    rows = sheets.read(data, COLUMNS, "主题党日记录表", problems)
    by_name = auth.visible_branches_by_name(db, actor)
    today, seen, matched = dt.date.today(), {}, []
    headers = {c.key: c.header for c in COLUMNS}
    for r in rows:
        cols = r["_cols"]
        org = sheets.one_by_name(problems, r, "branch_name", headers["branch_name"], by_name)
        if org is None:
            continue
        for field, message in _check(r, today):
            problems.append(sheets.problem(r["row"], cols.get(field), headers[field], message))
        key = (org.id, r["held_on"].year, r["held_on"].month)
        if key in seen:
            problems.append(sheets.problem(r["row"], cols.get("held_on"), headers["held_on"],
                                           f"与第{seen[key]}行是同一支部同一月份"))
        seen[key] = r["row"]
        matched.append((org, r))
    problems.sort(key=lambda p: (p["row"], p["column"]))
    sheets.fail(problems, "主题党日记录表")
    created = 0
    for org, r in matched:
        _p, new = _upsert(db, org, r)
        created += new
    db.flush()
    audit.record(db, actor, "party_day_import", "party_day", None, {"rows": len(rows), "created": created})
    return {"rows": len(rows), "created": created, "updated": len(rows) - created}


def template() -> bytes:
    return sheets.template(COLUMNS, EXAMPLE, "主题党日")


def export_xlsx(items: list[dict]) -> bytes:
    return sheets.workbook([c.header for c in COLUMNS] + ["情况"], [
        [d["branch_name"], sheets.cn(dt.date.fromisoformat(d["held_on"])), d["topic"], d["expected"], d["attended"],
         "、".join(d["attendees"]), "是" if d["dues_collected"] else "否", d["reason"], d["status_name"]]
        for d in items], "主题党日")


def _committees(db: Session) -> dict[Optional[int], str]:
    """The name of the 党委 (or committee) above each organisation, by the organisation's id: one
    query of the tree's columns, each chain walked once."""
    tree = {o.id: o for o in db.execute(select(Organisation.id, Organisation.parent_id, Organisation.kind,
                                                Organisation.name))}
    out: dict[Optional[int], str] = {}

    def name(oid: Optional[int]) -> str:
        if oid is None or oid not in tree:
            return ""
        if oid not in out:
            o = tree[oid]
            out[oid] = o.name if o.kind in ("party_committee", "street", "committee") else name(o.parent_id)
        return out[oid]

    for oid in tree:
        name(oid)
    return out


def _cells(branch_id: int, months: list[int], by_key: dict, ids_of: dict) -> list[dict]:
    out = []
    for m in months:
        r = by_key.get((branch_id, m))
        status = month_status(r)
        out.append({"month": m, "status": status, "id": ids_of.get((branch_id, m)), "status_name": MONTH_STATUSES[status],
                    "held_on": iso(r.held_on) if r else None, "reason": r.reason if r else "",
                    "attended": r.attended if r else None, "expected": r.expected if r else None})
    return out


def add_cells(db: Session, data: dict, rows: list[dict]) -> None:
    """Give ``rows`` (some of ``compliance(..., cells=False)["branches"]``: the page a list shows)
    their month-by-month cells, read for those branches only."""
    ids = [r["organisation_id"] for r in rows]
    days = db.execute(select(
        PartyDay.id, PartyDay.organisation_id, PartyDay.year, PartyDay.month, PartyDay.held_on, PartyDay.expected,
        PartyDay.attended, PartyDay.reason).where(
        PartyDay.year == data["year"], PartyDay.month.in_(data["months"]),
        PartyDay.organisation_id.in_(ids))).all() if ids else []
    by_key = {(p.organisation_id, p.month): _rec(p) for p in days}
    ids_of = {(p.organisation_id, p.month): p.id for p in days}
    for row in rows:
        row["months"] = _cells(row["organisation_id"], data["months"], by_key, ids_of)


def compliance(db: Session, actor: User, year: int, months: Optional[list[int]] = None,
               organisation_id: Optional[int] = None, *, cells: bool = True) -> dict:
    """Per branch and month: 8日开展 / 其他日期开展 (with the reason) / 未开展; per 党委: the summary
    (:func:`service.checks.district.party_day_summary`). Months default to those of ``year``
    whose 8th has come (on 3 December, January to November: December is not yet missing).
    ``cells=False``: each branch's summary without its months (a paged list gives the rows it
    shows their months with :func:`add_cells`: 2,000 branches x 12 months are 24,000 cells)."""
    year = year_value(year)
    today = dt.date.today()
    months = months or [m for m in range(1, 13) if dt.date(year, m, PARTY_DAY) <= today]
    if any(not 1 <= m <= 12 for m in months):
        raise Invalid("月份应为1至12。", field="months")
    # columns, not ORM objects; the records are added up by the database, one row a branch
    # (a year of 2,000 branches' records is 21,000 rows: read and summed here they were most of
    # the page's CPU)
    query = select(Organisation.id, Organisation.name, Organisation.parent_id) \
        .where(Organisation.kind == "branch").order_by(Organisation.id)
    ids = auth.visible_org_ids(db, actor)
    if organisation_id:
        auth.require_org_access(db, actor, organisation_id)
        below = auth.subtree_ids(db, organisation_id)
        ids = below if ids is None else ids & below
    if ids is not None:
        query = query.where(Organisation.id.in_(ids))
    branches = db.execute(query).all()
    counts = _counts(db, year, months, ids) if branches else {}
    committee = _committees(db) if branches else {}

    rows, groups = [], {}
    for b in branches:
        c = committee.get(b.parent_id, "")
        row = {"organisation_id": b.id, "branch_name": b.name, "committee": c,
               **counted_summary(len(months), counts.get(b.id, NONE_HELD))}
        rows.append(row)
        groups.setdefault(c, []).append(b.id)
    by_committee = [{"name": n, **counted_summary(len(ids_) * len(months),
                                                  added([counts[i] for i in ids_ if i in counts]))}
                    for n, ids_ in groups.items()]
    data = {"year": year, "months": months, "branches": rows, "by_committee": by_committee,
            "totals": counted_summary(len(branches) * len(months), added(list(counts.values())))}
    if cells:
        add_cells(db, data, rows)
    return data


NONE_HELD = HeldCounts()


def _counts(db: Session, year: int, months: list[int], ids: Optional[set[int]]) -> dict[int, HeldCounts]:
    """:class:`HeldCounts` of each branch (of ``ids``; None: every branch) with a record in ``months``
    of ``year``, added up by the database (the same sums as ``held_counts``; reasons are stored
    stripped, so a blank one is ``''``)."""
    day = extract("day", PartyDay.held_on)
    attended = func.coalesce(PartyDay.attended, 0)
    query = select(
        PartyDay.organisation_id, func.count(),
        func.sum(case((day == PARTY_DAY, 1), else_=0)),
        func.sum(case((and_(day != PARTY_DAY, func.trim(func.coalesce(PartyDay.reason, "")) == ""), 1), else_=0)),
        func.sum(func.coalesce(PartyDay.expected, 0)),
        func.sum(case((PartyDay.expected > 0, case((attended < PartyDay.expected, attended),
                                                   else_=PartyDay.expected)), else_=0)),
    ).join(Organisation, Organisation.id == PartyDay.organisation_id).where(
        PartyDay.year == year, PartyDay.month.in_(months), Organisation.kind == "branch",
    ).group_by(PartyDay.organisation_id)
    if ids is not None:
        query = query.where(PartyDay.organisation_id.in_(ids))
    return {r[0]: HeldCounts(*(int(v or 0) for v in r[1:])) for r in db.execute(query)}
