"""共建对子 (SQ-3): a named brand's unit paired with a 后进 organisation; a plan, activities with dates and
evidence, a result per year; the list exported as XLSX (through service/exports.py)."""
from __future__ import annotations

import datetime as dt
import io
from typing import Optional

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .. import audit, auth
from ..errors import Conflict, Invalid, NotFound
from ..exports import safe_row
from ..models import Assessment, Brand, BrandPair, Organisation, PairActivity, User
from ..storage import FileStore
from ..vocabulary import GRADES, cn_date
from .brands import load as load_brand
from .community import store_evidence
from .cycles import load_organisation
from .serialize import iso
from .validate import opt_date, opt_int, opt_str, year_value

#: grades that make an organisation 后进 for a pair (besides a 相对后进 finding of a grading round)
BACKWARD_GRADES = ("average", "poor")


def backward_reason(db: Session, org_id: int) -> Optional[str]:
    """Why an organisation is 后进 (its newest assessment), or None."""
    a = db.execute(select(Assessment).where(Assessment.organisation_id == org_id)
                   .order_by(Assessment.year.desc(), Assessment.id.desc())).scalars().first()
    return _reason(a)


def backward_reasons(db: Session, org_ids) -> dict[int, str]:
    """``backward_reason`` of many organisations from one query (the partner choice asked once per
    organisation in view: 2,240 queries, 0.75 s of CPU, on a scale database)."""
    newest: dict[int, Assessment] = {}
    ids = set(org_ids)
    query = select(Assessment).where(Assessment.organisation_id.in_(ids)) if len(ids) <= 1000 else select(Assessment)
    for a in db.execute(query.order_by(Assessment.year.desc(), Assessment.id.desc())).scalars():
        if a.organisation_id in ids:
            newest.setdefault(a.organisation_id, a)
    return {oid: reason for oid, a in newest.items() if (reason := _reason(a))}


def _reason(a: Optional[Assessment]) -> Optional[str]:
    if a is None:
        return None
    if a.backward:
        return f"{a.year}年度确定为相对后进党支部"
    if a.grade in BACKWARD_GRADES:
        return f"{a.year}年度评定为“{GRADES[a.grade]}”等次"
    return None


def _names(db: Session) -> dict[int, str]:
    return dict(db.execute(select(Organisation.id, Organisation.name)).all())


def pair_dict(db: Session, p: BrandPair, names: dict[int, str] | None = None) -> dict:
    names = names or _names(db)
    brand = db.get(Brand, p.brand_id)
    acts = db.execute(select(PairActivity).where(PairActivity.pair_id == p.id)
                      .order_by(PairActivity.held_on, PairActivity.id)).scalars().all()
    return {"id": p.id, "brand_id": p.brand_id, "brand_name": brand.name if brand else "",
            "unit_id": brand.organisation_id if brand else None,
            "unit_name": names.get(brand.organisation_id, "") if brand else "",
            "partner_id": p.partner_id, "partner_name": names.get(p.partner_id, ""),
            "partner_reason": backward_reason(db, p.partner_id) or "", "plan": p.plan,
            "started_on": iso(p.started_on), "started_on_text": cn_date(p.started_on),
            "results": {str(k): v for k, v in sorted((p.results or {}).items())},
            "activities": [{"id": a.id, "held_on": iso(a.held_on), "held_on_text": cn_date(a.held_on),
                            "title": a.title, "has_evidence": bool(a.evidence_sha256),
                            "evidence_name": a.evidence_name} for a in acts]}


def _load(db: Session, actor: User, pair_id: int) -> BrandPair:
    p = db.get(BrandPair, pair_id)
    if p is None:
        raise NotFound("未找到该共建对子。")
    brand = db.get(Brand, p.brand_id)
    if not (auth.can_see(db, actor, brand.organisation_id) or auth.can_see(db, actor, p.partner_id)):
        raise NotFound("未找到该共建对子。")
    return p


def _require_editor(db: Session, actor: User, p: BrandPair) -> None:
    """The brand's unit, the partner, or a reviewer above either."""
    brand = db.get(Brand, p.brand_id)
    if actor.role == "branch" and actor.organisation_id not in (brand.organisation_id, p.partner_id):
        raise NotFound("未找到该共建对子。")


def create(db: Session, actor: User, brand_id: int, payload: dict) -> dict:
    auth.require_role(actor, *auth.REVIEWERS)
    b = load_brand(db, actor, brand_id)
    if b.stage != "named":
        raise Conflict("只有已命名的党建品牌结对共建。", "brand_stage")
    partner_id = opt_int(payload, "partner_id", minimum=1, maximum=auth.MAX_ID, required=True)
    partner = load_organisation(db, actor, partner_id)
    if partner.id == b.organisation_id:
        raise Invalid("不能与本单位结对。", field="partner_id")
    if backward_reason(db, partner.id) is None:
        raise Invalid(f"{partner.name}不是后进党组织（最近一次评定不是相对后进或“一般”“差”等次）。",
                      "not_backward", field="partner_id")
    if db.execute(select(BrandPair.id).where(BrandPair.brand_id == b.id,
                                             BrandPair.partner_id == partner.id)).scalar_one_or_none():
        raise Conflict("已经结成该共建对子。", field="partner_id")
    plan = opt_str(payload, "plan", max_len=4000, required=True)
    p = BrandPair(brand_id=b.id, partner_id=partner.id, plan=plan,
                  started_on=opt_date(payload, "started_on") or dt.date.today(), results={})
    db.add(p)
    db.flush()
    audit.record(db, actor, "pair_create", "brand_pair", p.id, {"brand": b.id, "partner": partner.id},
                 organisation_id=b.organisation_id)
    return pair_dict(db, p)


def listing(db: Session, actor: User) -> list[dict]:
    query = select(BrandPair).join(Brand, Brand.id == BrandPair.brand_id).order_by(BrandPair.id)
    ids = auth.visible_org_ids(db, actor)
    if ids is not None:
        query = query.where(or_(Brand.organisation_id.in_(ids), BrandPair.partner_id.in_(ids)))
    names = _names(db)
    return [pair_dict(db, p, names) for p in db.execute(query).scalars()]


def get(db: Session, actor: User, pair_id: int) -> dict:
    return pair_dict(db, _load(db, actor, pair_id))


def add_activity(db: Session, store: FileStore, actor: User, pair_id: int, payload: dict, upload=None) -> dict:
    p = _load(db, actor, pair_id)
    _require_editor(db, actor, p)
    title = opt_str(payload, "title", max_len=200, required=True, name="活动内容")  # elsewhere a 职务
    day = opt_date(payload, "held_on", name="活动日期")
    if day is None:
        raise Invalid("请填写活动日期。", field="held_on")
    if day > dt.date.today() or day < p.started_on:
        raise Invalid("活动日期应在结对之日和今天之间。", field="held_on")
    sha, name = store_evidence(store, upload)
    act = PairActivity(pair_id=p.id, held_on=day, title=title, evidence_sha256=sha, evidence_name=name)
    db.add(act)
    db.flush()
    audit.record(db, actor, "pair_activity", "brand_pair", p.id, {"activity": act.id, "evidence": bool(sha)},
                 organisation_id=p.partner_id)
    return pair_dict(db, p)


def set_result(db: Session, actor: User, pair_id: int, payload: dict) -> dict:
    """The pair's 年度成效 for a year (a reviewer)."""
    auth.require_role(actor, *auth.REVIEWERS)
    p = _load(db, actor, pair_id)
    year = year_value(payload.get("year", dt.date.today().year))
    result = opt_str(payload, "result", max_len=2000, required=True)
    p.results = {**(p.results or {}), str(year): result}
    audit.record(db, actor, "pair_result", "brand_pair", p.id, {"year": year}, organisation_id=p.partner_id)
    return pair_dict(db, p)


def evidence(db: Session, actor: User, pair_id: int, activity_id: int) -> tuple[str, str]:
    p = _load(db, actor, pair_id)
    act = db.get(PairActivity, activity_id)
    if act is None or act.pair_id != p.id or not act.evidence_sha256:
        raise NotFound("未找到该佐证材料。")
    return act.evidence_sha256, act.evidence_name


HEADERS = ["序号", "党建品牌", "品牌单位", "结对后进党组织", "后进情况", "结对日期", "共建计划", "活动次数",
           "最近活动", "年度成效"]


def export_xlsx(db: Session, actor: User) -> bytes:
    """The pair list as a spreadsheet (one row per pair; every cell through safe_row)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "共建对子"
    ws.append(HEADERS)
    for i, p in enumerate(listing(db, actor), 1):
        last = p["activities"][-1] if p["activities"] else None
        results = "；".join(f"{y}年：{r}" for y, r in p["results"].items())
        ws.append(safe_row([i, p["brand_name"], p["unit_name"], p["partner_name"], p["partner_reason"],
                            p["started_on_text"], p["plan"], len(p["activities"]),
                            f"{last['held_on_text']} {last['title']}" if last else "", results]))
    for c in ws[1]:
        c.font = Font(bold=True)
    for col, width in zip("ABCDEFGHIJ", (6, 20, 20, 22, 24, 14, 40, 10, 30, 40)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def partner_choices(db: Session, actor: User) -> list[dict]:
    """Organisations in the actor's view that are 后进 (a pair's possible partners)."""
    query = auth.filter_visible(select(Organisation).order_by(Organisation.id), Organisation.id, db, actor)
    out = []
    orgs = list(db.execute(query).scalars())
    reasons = backward_reasons(db, [o.id for o in orgs])
    for org in orgs:
        reason = reasons.get(org.id)
        if reason:
            out.append({"id": org.id, "name": org.name, "reason": reason})
    return out


def of_brand(db: Session, actor: User, brand_id: int) -> list[dict]:
    return [p for p in listing(db, actor) if p["brand_id"] == brand_id]
