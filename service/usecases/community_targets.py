"""SQ-1's three-year targets, computed from the records: each target's value today, the records behind
it and its value at the end of each quarter. The card exists only for an account that sees a street
with communities (a 工委 reviewer has none, and gets no card)."""
from __future__ import annotations

import datetime as dt
import re
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import auth
from ..checks import community as rules
from ..errors import NotFound
from ..models import Assessment, Brand, ModelSite, NewMember, Organisation, StreetUnit, User
from ..vocabulary import BRAND_STAGES, GRADES, STREET_UNIT_CATEGORIES, cn_date
from .community import streets_in_view


class _Records:
    """Everything the targets of a set of streets are computed from (read once)."""

    def __init__(self, db: Session, streets: list[Organisation]):
        self.streets = streets
        ids = [s.id for s in streets]
        self.area: set[int] = set()
        for s in streets:
            self.area |= auth.subtree_ids(db, s.id)
        self.names = dict(db.execute(select(Organisation.id, Organisation.name)).all())
        self.units = list(db.execute(select(StreetUnit).where(StreetUnit.street_id.in_(ids))
                                     .order_by(StreetUnit.id)).scalars())
        self.communities = [u for u in self.units if u.category == "community" and u.organisation_id]
        self.brands = list(db.execute(select(Brand).where(Brand.street_id.in_(ids)).order_by(Brand.id)).scalars())
        area = list(self.area) or [-1]
        self.sites = list(db.execute(select(ModelSite).where(ModelSite.organisation_id.in_(area))
                                     .order_by(ModelSite.recognised_on, ModelSite.id)).scalars())
        self.members = list(db.execute(select(NewMember).where(NewMember.organisation_id.in_(area))
                                       .order_by(NewMember.admitted_on, NewMember.id)).scalars())
        cids = [u.organisation_id for u in self.communities] or [-1]
        self.assessments: dict[int, list[Assessment]] = {}
        for a in db.execute(select(Assessment).where(Assessment.organisation_id.in_(cids))
                            .order_by(Assessment.assessed_on, Assessment.id)).scalars():
            self.assessments.setdefault(a.organisation_id, []).append(a)
        self.start, self.end = rules.period()

    # -- what counts on a day ------------------------------------------------------------
    def set_up(self, u: StreetUnit, day: dt.date) -> bool:
        return u.organisation_id is not None and u.set_up_on is not None and u.set_up_on <= day

    def brand_counts(self, b: Brand, day: dt.date) -> bool:
        return b.named_on is not None and b.named_on <= day and (b.revoked_on is None or b.revoked_on > day)

    def site_counts(self, s: ModelSite, day: dt.date) -> bool:
        return s.recognised_on <= day and rules.site_counts(s.criteria or [])

    def member_counts(self, m: NewMember, day: dt.date) -> bool:
        return self.start <= m.admitted_on <= day

    def grade_on(self, org_id: int, day: dt.date) -> Optional[Assessment]:
        done = [a for a in self.assessments.get(org_id, []) if a.assessed_on is None or a.assessed_on <= day]
        return done[-1] if done else None

    def five_good(self, u: StreetUnit, day: dt.date) -> bool:
        a = self.grade_on(u.organisation_id, day)
        return a is not None and a.grade == rules.rules()["five_good"]["grade"]

    def venue_funds(self, u: StreetUnit, day: dt.date) -> bool:
        return bool(u.venue_on and u.funds_on and u.venue_on <= day and u.funds_on <= day)

    def value(self, key: str, day: dt.date):
        if key == "coverage":
            required = [u for u in self.units if u.required]
            return _percent(sum(self.set_up(u, day) for u in required), len(required))
        if key == "model_sites":
            return sum(self.site_counts(s, day) for s in self.sites)
        if key == "brands":
            return sum(self.brand_counts(b, day) for b in self.brands)
        if key == "new_members":
            return sum(self.member_counts(m, day) for m in self.members)
        if key == "five_good":
            return _percent(sum(self.five_good(u, day) for u in self.communities), len(self.communities))
        if key == "venue_funds":
            return _percent(sum(self.venue_funds(u, day) for u in self.communities), len(self.communities))
        raise NotFound("没有该项目标。")

    # -- the records behind a value -------------------------------------------------------
    def records(self, key: str, day: dt.date) -> list[dict]:
        n = self.names
        if key == "coverage":
            return [{"name": u.name, "kind": STREET_UNIT_CATEGORIES.get(u.category, ""),
                     "detail": ("应建党组织" if u.required else "不需单独建立党组织"),
                     "organisation": n.get(u.organisation_id, "") if u.organisation_id else "尚未组建",
                     "date": cn_date(u.set_up_on), "counts": u.required and self.set_up(u, day),
                     "link": f"/organisations/{u.organisation_id}" if u.organisation_id else ""}
                    for u in self.units]
        if key == "model_sites":
            crit = {c["key"]: c["name"] for c in rules.site_criteria()}
            return [{"name": s.name, "kind": "精品示范点", "organisation": n.get(s.organisation_id, ""),
                     "detail": "、".join(crit.get(c, c) for c in s.criteria or []) or "—",
                     "date": cn_date(s.recognised_on), "counts": self.site_counts(s, day),
                     "link": f"/community/sites/{s.id}/evidence"} for s in self.sites]
        if key == "brands":
            return [{"name": b.name, "kind": BRAND_STAGES.get(b.stage, b.stage),
                     "organisation": n.get(b.organisation_id, ""),
                     "detail": (b.decision_number or "") + (f"（{b.revoke_reason}）" if b.revoke_reason else ""),
                     "date": cn_date(b.named_on or b.registered_on or b.started_on),
                     "counts": self.brand_counts(b, day), "link": f"/community/brands/{b.id}"} for b in self.brands]
        if key == "new_members":
            return [{"name": m.name, "kind": "新发展党员", "organisation": n.get(m.organisation_id, ""),
                     "detail": "", "date": cn_date(m.admitted_on), "counts": self.member_counts(m, day),
                     "link": f"/community/members/{m.id}/evidence"} for m in self.members]
        if key in ("five_good", "venue_funds"):
            out = []
            for u in self.communities:
                if key == "five_good":
                    a = self.grade_on(u.organisation_id, day)
                    detail = (f"{a.year}年度 {a.total:g}分 “{GRADES.get(a.grade, a.grade)}”" if a else "尚未评定")
                    counts, date = self.five_good(u, day), cn_date(a.assessed_on) if a else ""
                    link = ""
                else:
                    detail = (f"阵地：{cn_date(u.venue_on) or '未落实'}；经费：{cn_date(u.funds_on) or '未落实'}")
                    counts, date, link = self.venue_funds(u, day), "", ""
                out.append({"name": u.name, "kind": "社区党组织", "organisation": n.get(u.organisation_id, ""),
                            "detail": detail, "date": date, "counts": counts,
                            "link": link or f"/organisations/{u.organisation_id}"})
            return out
        raise NotFound("没有该项目标。")


def _percent(part: int, whole: int):
    return round(100 * part / whole, 1) if whole else None


def _scope(db: Session, actor: User) -> Optional[_Records]:
    streets = [s for s in streets_in_view(db, actor)]
    if not streets:
        return None
    recs = _Records(db, streets)
    if not any(u.category == "community" for u in recs.units):
        return None
    return recs


def card(db: Session, actor: User, today: Optional[dt.date] = None) -> Optional[dict]:
    """The SQ-1 card: None for an account without communities in view."""
    recs = _scope(db, actor)
    if recs is None:
        return None
    today = today or dt.date.today()
    quarters = rules.quarter_ends(today)
    targets = []
    for t in rules.targets():
        value = recs.value(t["key"], today)
        targets.append({"key": t["key"], "name": t["name"], "target": t["target"], "unit": t["unit"],
                        "today": value, "percent": rules.progress(value, t["target"]),
                        "met": value is not None and value >= t["target"],
                        "trend": [{"quarter": label, "value": recs.value(t["key"], end)} for label, end in quarters],
                        "link": f"/community/targets/{t['key']}"})
    return {"streets": [{"id": s.id, "name": s.name} for s in recs.streets],
            "period": f"{cn_date(recs.start)}至{cn_date(recs.end)}", "as_of": cn_date(today),
            "communities": len(recs.communities), "targets": targets}


def records(db: Session, actor: User, key: str, today: Optional[dt.date] = None) -> dict:
    """One target's records: what counts today and what does not (and why)."""
    recs = _scope(db, actor)
    target = next((t for t in rules.targets() if t["key"] == key), None)
    if recs is None or target is None:
        raise NotFound("没有该项目标。")
    today = today or dt.date.today()
    return {"key": key, "name": target["name"], "target": target["target"], "unit": target["unit"],
            "today": recs.value(key, today), "as_of": cn_date(today), "items": recs.records(key, today)}


def record_rows(db: Session, actor: User, key: str, today: Optional[dt.date] = None) -> dict:
    """:func:`records` for the records page, each item a list row (``service.usecases.listing``)."""
    out = records(db, actor, key, today)
    return {**out, "items": [_listed(r) for r in out["items"]]}


def _listed(record: dict) -> dict:
    """A record with the keys the list component filters and sorts on (``service.usecases.listing``):
    计入/不计入 as its status, its kind, its date as a number (2026年3月8日 -> 20260308)."""
    parts = [int(p) for p in re.findall(r"\d+", record.get("date") or "")][:3]
    day = parts[0] * 10000 + (parts[1] if len(parts) > 1 else 0) * 100 + (parts[2] if len(parts) > 2 else 0) \
        if parts else None
    return {**record, "kind_name": record.get("kind", ""), "date_sort": day,
            "status": "counted" if record.get("counts") else "not_counted",
            "status_name": "计入" if record.get("counts") else "不计入"}
