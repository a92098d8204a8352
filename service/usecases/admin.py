"""Admin settings: each committee's issuing organ (发文机关标志, 机关代字, 署名), the fonts report.

The organs live in the ``issuing_organs`` table (service/register.py); they replaced the
``numbering.json`` file of the data directory, so a number's prefix is read in the same transaction
that allocates it. A committee without a row shows (and, at its first 公文, stores) the defaults.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit, auth, register
from ..documents.contexts import ISSUING_KINDS
from ..documents.fonts import font_dir, font_report
from ..errors import Conflict, Invalid, NotFound
from ..models import IssuingOrgan, NumberSequence, Organisation, User

FIELDS = {"mark": ("发文机关标志", 40), "prefix": ("机关代字", 20), "signature": ("署名", 40)}


def _committees(db: Session) -> list[Organisation]:
    """The organisations that issue 公文 of their own: 工委/区委 and 街道党工委 (ISSUING_KINDS)."""
    return list(db.execute(select(Organisation).where(Organisation.kind.in_(ISSUING_KINDS))
                           .order_by(Organisation.id)).scalars())


def numbering(db: Session, actor: User) -> dict:
    """The issuing organs with their settings and each organ's register counters."""
    auth.require_role(actor, "admin")
    organs = []
    for c in _committees(db):
        organ = register.organ_of(db, c.id, create=False)
        counters = [] if organ.id is None else [
            {"year": n.year, "last_value": n.last_value} for n in db.execute(
                select(NumberSequence).where(NumberSequence.kind == register.SEQUENCE_KIND,
                                             NumberSequence.scope == str(organ.id))
                .order_by(NumberSequence.year)).scalars()]
        organs.append({"organisation_id": c.id, "organisation_name": c.name, "mark": organ.mark,
                       "prefix": organ.prefix, "signature": organ.signature, "configured": organ.id is not None,
                       "counters": counters})
    return {"organs": organs, "prefixes": [{k: o[k] for k in ("organisation_id", "organisation_name", "prefix",
                                                                "configured")} for o in organs]}


def _value(org: Organisation, key: str, value) -> str:
    label, limit = FIELDS[key]
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > limit \
            or any(ch in value for ch in register.BAD_PREFIX_CHARS):
        raise Invalid(f"{org.name} 的{label}应为 1–{limit} 个字符，且不含括号。", field=key)
    return value.strip()


def set_organs(db: Session, actor: User, payload: dict) -> dict:
    """``{"organs": {"<committee id>": {"mark", "prefix", "signature"}}}`` (or the older
    ``{"prefixes": {"<committee id>": "市直工委"}}``): all valid or none written."""
    auth.require_role(actor, "admin")
    organs = payload.get("organs")
    if organs is None and isinstance(payload.get("prefixes"), dict):
        organs = {k: {"prefix": v} for k, v in payload["prefixes"].items()}
    if not isinstance(organs, dict) or not organs:
        raise Invalid('请求体应为 {"organs": {"组织编号": {"mark": "发文机关标志", "prefix": "机关代字", '
                      '"signature": "署名"}}}。')
    wanted: dict[int, dict] = {}
    for key, values in organs.items():
        if not str(key).isdigit() or len(str(key)) > 10:
            raise Invalid("组织编号应为整数。")
        org = db.get(Organisation, int(key))
        if org is None or org.kind not in ISSUING_KINDS:
            raise NotFound("只能为工委、区委、街道党工委等发文机关设置发文机关标志、机关代字和署名。")
        if not isinstance(values, dict) or not values or set(values) - set(FIELDS):
            raise Invalid("每个机关可设置 mark（发文机关标志）、prefix（机关代字）、signature（署名）。")
        wanted[org.id] = {field: _value(org, field, value) for field, value in values.items()}
    with db.no_autoflush:
        prefixes = {o.organisation_id: o.prefix for o in db.execute(select(IssuingOrgan)).scalars()}
    for org_id, values in wanted.items():
        prefixes[org_id] = values.get("prefix") or prefixes.get(org_id) or register.organ_of(
            db, org_id, create=False).prefix
    if len(prefixes) != len(set(prefixes.values())):
        raise Conflict("两个发文机关不能使用同一机关代字。")
    changes: dict = {}
    for org_id, values in wanted.items():
        organ = register.organ_of(db, org_id)
        for field, value in values.items():
            if getattr(organ, field) != value:
                changes.setdefault(str(org_id), {})[field] = value
                setattr(organ, field, value)
    if changes:
        db.flush()
        audit.record(db, actor, "numbering_update", "settings", None, {"organs": changes})
    return numbering(db, actor)


def fonts(actor: User) -> dict:
    auth.require_role(actor, "admin")
    return {"font_dir": str(font_dir()), "items": font_report()}
