"""Community records (SQ-1, SQ-2): the street's units that should have a party organisation (两类组织),
精品示范点 and 新发展党员 with their evidence, and a community's 五个好 grading (rectification rows when
it misses the standard)."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit, auth
from ..checks import community as rules
from ..errors import Conflict, Invalid, NotFound
from ..models import ModelSite, NewMember, Organisation, RectificationItem, StreetUnit, User
from ..storage import FileStore
from ..vocabulary import DIMENSIONS, STREET_UNIT_CATEGORIES, cn_date
from .assessments import record_scores
from .cycles import load_organisation
from .serialize import iso
from .validate import opt_bool, opt_date, opt_int, opt_str

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


# --- the tree ------------------------------------------------------------------------------

def chain(db: Session, org: Organisation) -> list[Organisation]:
    """``org`` and its ancestors, nearest first."""
    out, seen = [org], {org.id}
    while out[-1].parent_id is not None and out[-1].parent_id not in seen:
        parent = db.get(Organisation, out[-1].parent_id)
        if parent is None:
            break
        seen.add(parent.id)
        out.append(parent)
    return out


def street_of(db: Session, org: Organisation) -> Optional[Organisation]:
    """The 街道党工委 at or above ``org``."""
    return next((o for o in chain(db, org) if o.kind == "street"), None)


def streets_in_view(db: Session, actor: User) -> list[Organisation]:
    """The 街道党工委 the actor sees (a reviewer above a street, the street itself, or an admin)."""
    query = auth.filter_visible(select(Organisation).where(Organisation.kind == "street").order_by(Organisation.id),
                                Organisation.id, db, actor)
    return list(db.execute(query).scalars())


def _load_street(db: Session, actor: User, street_id) -> Organisation:
    sid = opt_int({"street_id": street_id}, "street_id", minimum=1, maximum=auth.MAX_ID, required=True)
    street = load_organisation(db, actor, sid)
    if street.kind != "street":
        raise Invalid("该组织不是街道党工委。", field="street_id")
    return street


def store_evidence(store: FileStore, upload) -> tuple[Optional[str], str]:
    if not upload:
        return None, ""
    name, data = upload
    if not data:
        raise Invalid("佐证材料是空文件。", field="file")
    if len(data) > MAX_EVIDENCE_BYTES:
        raise Invalid("佐证材料过大（最多 20 MB）。", "too_large", field="file")
    return store.put_bytes(data), (name or "佐证材料")[-200:]


# --- 两类组织: units that should have a party organisation ------------------------------------

def unit_dict(u: StreetUnit, names: dict[int, str] | None = None) -> dict:
    names = names or {}
    return {"id": u.id, "street_id": u.street_id, "street_name": names.get(u.street_id, ""), "name": u.name,
            "category": u.category, "category_name": STREET_UNIT_CATEGORIES.get(u.category, u.category),
            "required": u.required, "organisation_id": u.organisation_id,
            "organisation_name": names.get(u.organisation_id, "") if u.organisation_id else "",
            "set_up": u.organisation_id is not None and u.set_up_on is not None,
            "set_up_on": iso(u.set_up_on), "set_up_on_text": cn_date(u.set_up_on),
            "venue_on": iso(u.venue_on), "funds_on": iso(u.funds_on),
            "venue_on_text": cn_date(u.venue_on), "funds_on_text": cn_date(u.funds_on), "note": u.note}


def _names(db: Session) -> dict[int, str]:
    return dict(db.execute(select(Organisation.id, Organisation.name)).all())


def units(db: Session, actor: User, street_id=None) -> list[dict]:
    streets = [_load_street(db, actor, street_id)] if street_id is not None else streets_in_view(db, actor)
    ids = [s.id for s in streets]
    rows = db.execute(select(StreetUnit).where(StreetUnit.street_id.in_(ids))
                      .order_by(StreetUnit.street_id, StreetUnit.category, StreetUnit.id)).scalars()
    names = _names(db)
    return [unit_dict(u, names) for u in rows]


def _apply_unit(db: Session, actor: User, u: StreetUnit, payload: dict, creating: bool) -> dict:
    changes = {}
    name = opt_str(payload, "name", max_len=200, required=creating)
    if name is not None:
        changes["name"] = name
    if creating or "category" in payload:
        category = payload.get("category")
        if category not in STREET_UNIT_CATEGORIES:
            raise Invalid("类别应为" + "或".join(STREET_UNIT_CATEGORIES.values()) + "。", field="category")
        changes["category"] = category
    if "required" in payload:
        changes["required"] = bool(opt_bool(payload, "required"))
    if "organisation_id" in payload:
        oid = opt_int(payload, "organisation_id", minimum=1, maximum=auth.MAX_ID)
        if oid is not None:
            org = load_organisation(db, actor, oid)
            if street_of(db, org) is None or street_of(db, org).id != u.street_id:
                raise Invalid("该党组织不在本街道党工委之下。", field="organisation_id")
        changes["organisation_id"] = oid
    for key in ("set_up_on", "venue_on", "funds_on"):
        if key in payload:
            day = opt_date(payload, key)
            if day is not None and day > dt.date.today():
                raise Invalid("日期不能晚于今天。", field=key)
            changes[key] = day
    if "note" in payload:
        changes["note"] = opt_str(payload, "note", max_len=1000) or ""
    org_id = changes.get("organisation_id", u.organisation_id)
    if changes.get("set_up_on", u.set_up_on) is not None and org_id is None:
        raise Invalid("填写组建日期时须指明已组建的党组织。", field="organisation_id")
    if org_id is not None and changes.get("set_up_on", u.set_up_on) is None:
        changes["set_up_on"] = dt.date.today()
    for key, value in changes.items():
        setattr(u, key, value)
    return {k: iso(v) if isinstance(v, dt.date) else v for k, v in changes.items()}


def create_unit(db: Session, actor: User, payload: dict) -> dict:
    auth.require_role(actor, *auth.REVIEWERS)
    street = _load_street(db, actor, payload.get("street_id"))
    u = StreetUnit(street_id=street.id, required=True, note="")
    changes = _apply_unit(db, actor, u, payload, creating=True)
    clash = db.execute(select(StreetUnit.id).where(StreetUnit.street_id == street.id,
                                                   StreetUnit.name == u.name)).scalar_one_or_none()
    if clash is not None:
        raise Conflict("本街道已登记同名单位。", field="name")
    db.add(u)
    db.flush()
    audit.record(db, actor, "street_unit_create", "street_unit", u.id, changes, organisation_id=street.id)
    return unit_dict(u, _names(db))


def update_unit(db: Session, actor: User, unit_id: int, payload: dict) -> dict:
    auth.require_role(actor, *auth.REVIEWERS)
    u = auth.load_visible(db, actor, StreetUnit, unit_id, "未找到该单位。", organisation_of=lambda x: x.street_id)
    changes = _apply_unit(db, actor, u, payload, creating=False)
    if not changes:
        raise Invalid("没有要修改的内容。")
    audit.record(db, actor, "street_unit_update", "street_unit", u.id, changes, organisation_id=u.street_id)
    return unit_dict(u, _names(db))


# --- 精品示范点 and 新发展党员 ------------------------------------------------------------------

def site_dict(s: ModelSite, names: dict[int, str]) -> dict:
    criteria = rules.site_criteria()
    return {"id": s.id, "organisation_id": s.organisation_id, "organisation_name": names.get(s.organisation_id, ""),
            "name": s.name, "criteria": list(s.criteria or []),
            "criteria_names": [c["name"] for c in criteria if c["key"] in (s.criteria or [])],
            "missing_criteria": [c["name"] for c in criteria if c["key"] not in (s.criteria or [])],
            "counts": rules.site_counts(s.criteria or []), "recognised_on": iso(s.recognised_on),
            "recognised_on_text": cn_date(s.recognised_on), "has_evidence": bool(s.evidence_sha256),
            "evidence_name": s.evidence_name}


def member_dict(m: NewMember, names: dict[int, str]) -> dict:
    return {"id": m.id, "organisation_id": m.organisation_id, "organisation_name": names.get(m.organisation_id, ""),
            "name": m.name, "admitted_on": iso(m.admitted_on), "admitted_on_text": cn_date(m.admitted_on),
            "has_evidence": bool(m.evidence_sha256), "evidence_name": m.evidence_name}


def _in_street(db: Session, actor: User, org_id) -> Organisation:
    if isinstance(org_id, str) and org_id.isdigit() and len(org_id) <= 10:  # a multipart form's field
        org_id = int(org_id)
    oid = opt_int({"organisation_id": org_id}, "organisation_id", minimum=1, maximum=auth.MAX_ID, required=True)
    org = load_organisation(db, actor, oid)
    if street_of(db, org) is None:
        raise Invalid("该党组织不在街道党工委之下。", field="organisation_id")
    return org


def _past_day(payload: dict, key: str, label: str) -> dt.date:
    day = opt_date(payload, key)
    if day is None:
        raise Invalid(f"请填写{label}。", field=key)
    if day > dt.date.today():
        raise Invalid(f"{label}不能晚于今天。", field=key)
    return day


def add_site(db: Session, store: FileStore, actor: User, payload: dict, upload=None) -> dict:
    """A 精品示范点 with the criteria it meets and its evidence (a reviewer of the street or above)."""
    auth.require_role(actor, *auth.REVIEWERS)
    org = _in_street(db, actor, payload.get("organisation_id"))
    name = opt_str(payload, "name", max_len=200, required=True)
    raw = payload.get("criteria") or []
    if isinstance(raw, str):
        raw = [c for c in raw.replace("，", ",").split(",") if c.strip()]
    known = {c["key"] for c in rules.site_criteria()}
    if not isinstance(raw, list) or not all(isinstance(c, str) and c.strip() in known for c in raw):
        raise Invalid(f"示范点标准应为以下各项之一：{'、'.join(c['name'] for c in rules.site_criteria())}。",
                      field="criteria")
    sha, ev_name = store_evidence(store, upload)
    if sha is None:
        raise Invalid("请上传示范点的佐证材料。", field="file")
    site = ModelSite(organisation_id=org.id, name=name, criteria=sorted({c.strip() for c in raw}),
                     recognised_on=_past_day(payload, "recognised_on", "认定日期"),
                     evidence_sha256=sha, evidence_name=ev_name)
    db.add(site)
    db.flush()
    audit.record(db, actor, "model_site_create", "model_site", site.id, {"name": name, "criteria": site.criteria},
                 organisation_id=org.id)
    return site_dict(site, _names(db))


def add_member(db: Session, store: FileStore, actor: User, payload: dict, upload=None) -> dict:
    """A 新发展党员: name, branch, day admitted, evidence (the branch itself or a reviewer above it)."""
    org = _in_street(db, actor, payload.get("organisation_id"))
    name = opt_str(payload, "name", max_len=100, required=True)
    sha, ev_name = store_evidence(store, upload)
    if sha is None:
        raise Invalid("请上传发展党员的佐证材料（如支部大会决议）。", field="file")
    m = NewMember(organisation_id=org.id, name=name, admitted_on=_past_day(payload, "admitted_on", "接收日期"),
                  evidence_sha256=sha, evidence_name=ev_name)
    db.add(m)
    db.flush()
    audit.record(db, actor, "new_member_create", "new_member", m.id, {"name": name}, organisation_id=org.id)
    return member_dict(m, _names(db))


def sites(db: Session, actor: User) -> list[dict]:
    query = auth.filter_visible(select(ModelSite).order_by(ModelSite.recognised_on, ModelSite.id),
                                ModelSite.organisation_id, db, actor)
    names = _names(db)
    return [site_dict(s, names) for s in db.execute(query).scalars()]


def members(db: Session, actor: User) -> list[dict]:
    query = auth.filter_visible(select(NewMember).order_by(NewMember.admitted_on, NewMember.id),
                                NewMember.organisation_id, db, actor)
    names = _names(db)
    return [member_dict(m, names) for m in db.execute(query).scalars()]


def evidence_of(db: Session, actor: User, what: str, record_id: int) -> tuple[str, str]:
    model = {"sites": ModelSite, "members": NewMember}.get(what)
    if model is None:
        raise NotFound("未找到该佐证材料。")
    row = auth.load_visible(db, actor, model, record_id, "未找到该记录。")
    if not row.evidence_sha256:
        raise NotFound("未找到该佐证材料。")
    return row.evidence_sha256, row.evidence_name


# --- 五个好 (SQ-2) ------------------------------------------------------------------------------

def grade_community(db: Session, actor: User, payload: dict) -> dict:
    """Grade a 社区党组织 on SQ-2's five dimensions with the community rubric; below 五个好, one
    整改工作台账 row per dimension it misses (as a 相对后进 branch gets them)."""
    auth.require_role(actor, *auth.REVIEWERS)
    org = _in_street(db, actor, payload.get("organisation_id"))
    if org.domain != "community":
        raise Invalid("只有社区党组织按“五个好”标准评定。", field="organisation_id")
    row, result = record_scores(db, actor, org.id, {**payload, "domain": "community"})
    standard = rules.rules()["five_good"]
    maxima = {k: 20 for k in DIMENSIONS}
    missed = rules.missed_dimensions(row.scores or {}, maxima)
    opened = []
    if row.grade != standard["grade"]:
        problems = [f"{DIMENSIONS[k]}得{row.scores.get(k)}分，未达到满分的{standard['dimension_min_percent']}%"
                    for k in missed] or [f"总分{row.total}分，未达到“好”等次"]
        for problem in problems:
            item = RectificationItem(organisation_id=org.id, assessment_id=row.id,
                                     category=standard["ledger_category"], problem=problem,
                                     note=f"{row.year}年度“五个好”评定", opened_on=row.assessed_on)
            db.add(item)
            db.flush()
            opened.append(item.id)
        audit.record(db, actor, "five_good_missed", "assessment", row.id, {"ledger_rows": opened},
                     organisation_id=org.id)
    return {"assessment_id": row.id, "organisation_id": org.id, "grade": row.grade,
            "grade_name": result.get("grade_name"), "total": row.total, "five_good": row.grade == standard["grade"],
            "ledger_rows": opened}


def organisations_below_streets(db: Session, actor: User) -> list[dict]:
    """Organisations in the actor's view below a 街道党工委 (those that may start a brand)."""
    query = auth.filter_visible(select(Organisation).order_by(Organisation.id), Organisation.id, db, actor)
    out = []
    for org in db.execute(query).scalars():
        street = street_of(db, org)
        if street is not None and street.id != org.id:
            out.append({"id": org.id, "name": org.name, "street_id": street.id})
    return out
