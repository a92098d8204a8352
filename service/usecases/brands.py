"""党建品牌 (SQ-3), bottom-up: 培育项目 → 登记 (the 党建品牌创建申报登记表 and its 综合材料) → forwarded
level by level up the tree to the 街道党工委 (each level approves with comments or returns) → the
street's 拉练式考核评比 (several reviewers score on the rubric in checks/community.yaml; scores and ranking
are public) → 命名 (a numbered naming decision in the street's 发文 register) → 跟踪督查 (yearly; a brand
can lose its name, with the reason)."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .. import audit, auth, inbox
from ..checks import community as rules
from ..checks.findings import label, load_config
from ..documents.contexts import build_context
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..models import Brand, BrandEvent, BrandScore, Organisation, Submission, User
from ..storage import FileStore
from ..vocabulary import BRAND_ACTIONS, BRAND_STAGES, cn_date, cn_datetime
from . import documents as document_cases
from .community import chain, street_of
from .cycles import load_organisation
from .serialize import iso
from .validate import opt_bool, opt_date, opt_int, opt_str, year_value

#: stages a registration has passed; a brand counts toward SQ-1 only once named (and not revoked)
REGISTERED = ("forwarding", "assessing", "named", "revoked")


def _names(db: Session) -> dict[int, str]:
    return dict(db.execute(select(Organisation.id, Organisation.name)).all())


def event_dict(e: BrandEvent, names: dict[int, str], users: dict[int, str]) -> dict:
    return {"id": e.id, "action": e.action, "action_name": BRAND_ACTIONS.get(e.action, e.action),
            "organisation_id": e.organisation_id, "organisation_name": names.get(e.organisation_id, ""),
            "comment": e.comment, "year": e.year, "on": iso(e.happened_on), "on_text": cn_date(e.happened_on),
            "by": users.get(e.actor_id, ""), "at_text": cn_datetime(e.created_at)}


def brand_dict(db: Session, b: Brand, *, full: bool = False) -> dict:
    names = _names(db)
    out = {"id": b.id, "name": b.name, "summary": b.summary, "stage": b.stage,
           "stage_name": BRAND_STAGES.get(b.stage, b.stage), "organisation_id": b.organisation_id,
           "organisation_name": names.get(b.organisation_id, ""), "street_id": b.street_id,
           "street_name": names.get(b.street_id, ""), "level_id": b.level_id,
           "level_name": names.get(b.level_id, "") if b.level_id else "",
           "form_submission_id": b.form_submission_id, "materials_submission_id": b.materials_submission_id,
           "started_on": iso(b.started_on), "registered_on": iso(b.registered_on),
           "registered_on_text": cn_date(b.registered_on), "year": b.year, "named_on": iso(b.named_on),
           "named_on_text": cn_date(b.named_on), "decision_number": b.decision_number,
           "revoked_on": iso(b.revoked_on), "revoked_on_text": cn_date(b.revoked_on),
           "revoke_reason": b.revoke_reason}
    if full:
        users = dict(db.execute(select(User.id, User.display_name)).all())
        events = db.execute(select(BrandEvent).where(BrandEvent.brand_id == b.id)
                            .order_by(BrandEvent.id)).scalars()
        out["events"] = [event_dict(e, names, users) for e in events]
        scores = db.execute(select(BrandScore).where(BrandScore.brand_id == b.id)
                            .order_by(BrandScore.year, BrandScore.id)).scalars()
        out["scores"] = [{"reviewer": users.get(s.reviewer_id, ""), "year": s.year, "scores": s.scores,
                          "total": s.total, "comment": s.comment} for s in scores]
        out["levels"] = [{"id": o.id, "name": o.name} for o in _levels(db, b)]
    return out


def _levels(db: Session, b: Brand) -> list[Organisation]:
    """The organisations a registration passes, from the applicant's parent up to the street."""
    org = db.get(Organisation, b.organisation_id)
    out = []
    for o in chain(db, org)[1:]:
        out.append(o)
        if o.id == b.street_id:
            break
    return out


def _event(db: Session, b: Brand, actor: User, action: str, *, organisation_id=None, comment: str = "",
           year=None, on: Optional[dt.date] = None) -> None:
    db.add(BrandEvent(brand_id=b.id, organisation_id=organisation_id, action=action, comment=comment or "",
                      year=year, happened_on=on or dt.date.today(), actor_id=actor.id))
    audit.record(db, actor, f"brand_{action}", "brand", b.id,
                 {"stage": b.stage, "level": organisation_id, "comment": comment or ""},
                 organisation_id=b.organisation_id)


def load(db: Session, actor: User, brand_id: int) -> Brand:
    """A brand in the actor's view: its own unit's, or below a reviewer's organisation."""
    return auth.load_visible(db, actor, Brand, brand_id, "未找到该党建品牌。")


def get(db: Session, actor: User, brand_id: int) -> dict:
    return brand_dict(db, load(db, actor, brand_id), full=True)


def listing(db: Session, actor: User, *, stage: Optional[str] = None, street_id: Optional[int] = None) -> list[dict]:
    query = auth.filter_visible(select(Brand).order_by(Brand.id.desc()), Brand.organisation_id, db, actor)
    if stage:
        if stage not in BRAND_STAGES:
            raise Invalid("未知的品牌阶段。", field="stage")
        query = query.where(Brand.stage == stage)
    if street_id is not None:
        query = query.where(Brand.street_id == street_id)
    return [brand_dict(db, b) for b in db.execute(query.limit(1000)).scalars()]


def awaiting(db: Session, actor: User) -> list[dict]:
    """Registrations that wait for the actor's organisation's decision."""
    if actor.role not in auth.REVIEWERS:
        return []
    query = select(Brand).where(Brand.stage == "forwarding").order_by(Brand.registered_on, Brand.id)
    if actor.role != "admin":
        query = query.where(Brand.level_id == actor.organisation_id)
    return [brand_dict(db, b) for b in db.execute(query).scalars()]


# --- 培育项目 and 登记 ---------------------------------------------------------------------------

def create(db: Session, actor: User, payload: dict) -> dict:
    """A 培育项目: a brand a unit below a street starts to build (its own unit, or one a reviewer sees)."""
    oid = opt_int(payload, "organisation_id", minimum=1, maximum=auth.MAX_ID) or actor.organisation_id
    org = load_organisation(db, actor, oid)
    street = street_of(db, org)
    if street is None or street.id == org.id:
        raise Invalid("党建品牌由街道党工委下的社区或辖区单位党组织创建。", field="organisation_id")
    b = Brand(organisation_id=org.id, street_id=street.id, name=opt_str(payload, "name", max_len=200, required=True),
              summary=opt_str(payload, "summary", max_len=4000) or "", stage="cultivating",
              started_on=opt_date(payload, "started_on") or dt.date.today())
    db.add(b)
    db.flush()
    _event(db, b, actor, "cultivate", organisation_id=org.id, on=b.started_on)
    return brand_dict(db, b)


def _own_submission(db: Session, b: Brand, sid, key: str) -> Submission:
    sub_id = opt_int({key: sid}, key, minimum=1, maximum=auth.MAX_ID, required=True)
    sub = db.get(Submission, sub_id)
    if sub is None or sub.organisation_id != b.organisation_id:
        raise NotFound("未找到该单位上传的文件。", field=key)
    other = _registered_elsewhere(db, b).get(sub.id)
    if other is not None:
        raise Invalid(f"该文件已用于党建品牌“{other}”的登记，请上传本品牌自己的文件。", field=key)
    return sub


def _registered_elsewhere(db: Session, b: Brand) -> dict[int, str]:
    """{submission id: brand name} of the files the unit's other brands registered with: one brand's 申报登记表
    would rename another after it, and its 综合材料 would be reviewed twice."""
    rows = db.execute(select(Brand.name, Brand.form_submission_id, Brand.materials_submission_id).where(
        Brand.organisation_id == b.organisation_id, Brand.id != b.id)).all()
    return {sid: name for name, *sids in rows for sid in sids if sid is not None}


def register(db: Session, actor: User, brand_id: int, payload: dict) -> dict:
    """登记: the filled 党建品牌创建申报登记表 (complete) and the 综合材料, then on to the first level.
    A returned registration comes back here, with the same or new files."""
    b = load(db, actor, brand_id)
    if actor.role == "branch" and actor.organisation_id != b.organisation_id:
        raise Forbidden("只有创建单位可以登记申报。")
    if b.stage not in ("cultivating", "returned"):
        raise Conflict(f"该品牌{BRAND_STAGES[b.stage]}，不能再次登记。", "brand_stage")
    form = _own_submission(db, b, payload.get("form_submission_id"), "form_submission_id")
    if form.form != "brand":
        raise Invalid("登记须上传《党建品牌创建申报登记表》。", "registration_incomplete", field="form_submission_id")
    ext = form.extractions[-1] if form.extractions else None
    missing = list((ext.missing if ext else None) or ([] if ext else ["brand_name"]))
    if missing:
        cfg = load_config()
        raise Invalid("申报登记表填写不完整，缺少：" + "、".join(label(cfg, f) for f in missing) + "。",
                      "registration_incomplete", field="form_submission_id", detail={"missing": missing})
    if form.status in ("returned", "needs_work"):
        raise Invalid("该申报登记表已被退回或需补正，请重新上传。", "registration_incomplete",
                      field="form_submission_id")
    materials = _own_submission(db, b, payload.get("materials_submission_id"), "materials_submission_id")
    if materials.id == form.id:
        raise Invalid("综合材料应为申报登记表以外的文件。", "registration_incomplete",
                      field="materials_submission_id")
    fields = dict(ext.fields or {})
    for c in ext.corrections:
        fields[c.field] = c.new_value
    if fields.get("brand_name"):
        b.name = str(fields["brand_name"])[:200]
    if fields.get("brand_summary") and not b.summary:
        b.summary = str(fields["brand_summary"])[:4000]
    levels = _levels(db, b)
    if not levels:
        raise Invalid("找不到上级党组织，无法逐级上报。", field="organisation_id")
    b.form_submission_id, b.materials_submission_id = form.id, materials.id
    b.stage, b.level_id = "forwarding", levels[0].id
    b.registered_on = dt.date.today()
    b.year = b.registered_on.year
    _event(db, b, actor, "register", organisation_id=b.organisation_id, year=b.year,
           comment=opt_str(payload, "comment", max_len=2000) or "")
    return brand_dict(db, b)


def decide(db: Session, actor: User, brand_id: int, payload: dict) -> dict:
    """The level a registration waits at approves (forwarded to the next level; at the street it goes
    to the 考核评比) or returns it; a return needs its comments."""
    auth.require_role(actor, *auth.REVIEWERS)
    b = load(db, actor, brand_id)
    if b.stage != "forwarding" or b.level_id is None:
        raise Conflict("该品牌当前不在逐级审核中。", "brand_stage")
    if actor.role != "admin" and actor.organisation_id != b.level_id:
        level = db.get(Organisation, b.level_id)
        raise Forbidden(f"该品牌当前待{level.name if level else '上级党组织'}审核。")
    decision = payload.get("decision")
    comment = opt_str(payload, "comment", max_len=2000) or ""
    level_id = b.level_id
    if decision == "return":
        if not comment:
            raise Invalid("退回须填写意见。", field="comment")
        b.stage, b.level_id = "returned", None
        _event(db, b, actor, "return", organisation_id=level_id, comment=comment, year=b.year)
    elif decision == "approve":
        levels = [o.id for o in _levels(db, b)]
        at = levels.index(level_id) if level_id in levels else len(levels) - 1
        if at + 1 < len(levels):
            b.level_id = levels[at + 1]
        else:
            b.stage, b.level_id = "assessing", None
        _event(db, b, actor, "approve", organisation_id=level_id, comment=comment, year=b.year)
    else:
        raise Invalid("decision 应为 approve（同意并上报）或 return（退回）。", field="decision")
    return brand_dict(db, b, full=True)


# --- 拉练式考核评比 ------------------------------------------------------------------------------

def _street_reviewer(db: Session, actor: User, street_id: int) -> None:
    auth.require_role(actor, *auth.REVIEWERS)
    if not auth.can_see(db, actor, street_id):
        raise Forbidden("只有街道党工委及其上级的审核员可以考核评比和命名。")


def score(db: Session, actor: User, brand_id: int, payload: dict) -> dict:
    """One reviewer's scores on the brand rubric (a second time replaces the reviewer's own)."""
    auth.require_role(actor, *auth.REVIEWERS)
    b = load(db, actor, brand_id)
    _street_reviewer(db, actor, b.street_id)
    if b.stage != "assessing":
        raise Conflict("只有进入考核评比的品牌可以评分。", "brand_stage")
    try:
        total = rules.score_brand(payload.get("scores"))
    except rules.ScoreError as exc:
        raise Invalid(str(exc), field=exc.field) from None
    year = b.year or dt.date.today().year
    row = db.execute(select(BrandScore).where(BrandScore.brand_id == b.id, BrandScore.reviewer_id == actor.id,
                                              BrandScore.year == year)).scalar_one_or_none()
    if row is None:
        row = BrandScore(brand_id=b.id, reviewer_id=actor.id, year=year)
        db.add(row)
    row.scores = dict(payload["scores"])
    row.total = total
    row.comment = opt_str(payload, "comment", max_len=2000) or ""
    db.flush()
    _event(db, b, actor, "score", organisation_id=b.street_id, year=year, comment=f"{total:g}分")
    return {"brand_id": b.id, "year": year, "total": total}


def ranking(db: Session, actor: User, street_id, year=None) -> dict:
    """The street's 考核评比 of a year, published: every scored brand, each reviewer's total, the mean
    and the rank (any signed-in account may read it: the results are public)."""
    sid = opt_int({"street_id": street_id}, "street_id", minimum=1, maximum=auth.MAX_ID, required=True)
    street = db.get(Organisation, sid)
    if street is None or street.kind != "street":
        raise NotFound("未找到该街道党工委。")
    year = year_value(year) if year is not None else dt.date.today().year
    brands = db.execute(select(Brand).where(Brand.street_id == sid, Brand.year == year,
                                            Brand.stage.in_(("assessing", "named", "revoked")))
                        .order_by(Brand.id)).scalars().all()
    users = dict(db.execute(select(User.id, User.display_name)).all())
    names = _names(db)
    rows = []
    for b in brands:
        scores = db.execute(select(BrandScore).where(BrandScore.brand_id == b.id, BrandScore.year == year)
                            .order_by(BrandScore.id)).scalars().all()
        rows.append({"id": b.id, "name": b.name, "unit": names.get(b.organisation_id, ""), "stage": b.stage,
                     "stage_name": BRAND_STAGES[b.stage], "totals": [s.total for s in scores],
                     "by": [{"reviewer": users.get(s.reviewer_id, ""), "total": s.total} for s in scores]})
    rubric = rules.brand_rubric()
    return {"street_id": sid, "street_name": street.name, "year": year, "rubric": rubric,
            "items": rules.rank_brands(rows, rubric)}


# --- 命名 and 跟踪督查 --------------------------------------------------------------------------

def name_brands(db: Session, store: FileStore, actor: User, payload: dict) -> dict:
    """命名: the street names brands that passed its 考核评比 in one numbered decision (its 发文 register)."""
    auth.require_role(actor, *auth.REVIEWERS)
    street_id = opt_int(payload, "street_id", minimum=1, maximum=auth.MAX_ID, required=True)
    street = load_organisation(db, actor, street_id)
    if street.kind != "street":
        raise Invalid("命名决定由街道党工委作出。", field="street_id")
    _street_reviewer(db, actor, street.id)
    ids = payload.get("brand_ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise Invalid("请选择要命名的党建品牌。", field="brand_ids")
    day = opt_date(payload, "issued_on") or dt.date.today()
    chosen = []
    for bid in dict.fromkeys(ids):
        b = db.get(Brand, bid)
        if b is None or b.street_id != street.id:
            raise NotFound("未找到该街道的党建品牌。", field="brand_ids")
        if b.stage != "assessing":
            raise Conflict(f"“{b.name}”{BRAND_STAGES[b.stage]}，不能命名。", "brand_stage")
        chosen.append(b)
    ranked = {r["id"]: r for r in ranking(db, actor, street.id, chosen[0].year)["items"]}
    for b in chosen:
        r = ranked.get(b.id)
        if b.year != chosen[0].year or r is None or not r["may_name"]:
            rub = rules.brand_rubric()
            raise Conflict(f"“{b.name}”尚未完成考核评比（须至少{rub['min_reviewers']}名评委评分且平均分不低于"
                           f"{rub['pass_total']}分）。", "brand_not_scored")
    for b in chosen:
        b.stage, b.named_on = "named", day
    db.flush()
    try:
        context = build_context("brand-naming-decision", db, street.id,
                                {"year": day.year, "brand_ids": [b.id for b in chosen]})
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    formats = payload.get("formats") or ["pdf"]
    docs = document_cases.issue(db, store, actor, "brand-naming-decision", street.id, formats=formats,
                                options={}, context=context)
    for b in chosen:
        b.decision_number = docs[0].number
        _event(db, b, actor, "name", organisation_id=street.id, year=b.year, on=day,
               comment=f"{docs[0].number}")
        # the unit whose brand is named hears of it with the decision's number (the decision goes to the street)
        inbox.post(db, inbox.branch_users(db, b.organisation_id), "notice",
                   f"党建品牌“{b.name}”已命名（{docs[0].number}）",
                   f"{context['issuer']}以{docs[0].number}命名“{b.name}”为党建品牌（{cn_date(day)}）。",
                   f"/community/brands/{b.id}", dedupe=f"brand-named:{b.id}:{docs[0].id}")
    return {"brands": [brand_dict(db, b) for b in chosen], "documents": [document_cases.as_dict(d) for d in docs],
            "number": docs[0].number}


def follow_up(db: Session, actor: User, brand_id: int, payload: dict) -> dict:
    """跟踪督查 of a named brand for a year: kept (with the finding), or its name revoked with the reason."""
    auth.require_role(actor, *auth.REVIEWERS)
    b = load(db, actor, brand_id)
    _street_reviewer(db, actor, b.street_id)
    if b.stage != "named":
        raise Conflict("只有已命名的品牌需要跟踪督查。", "brand_stage")
    year = year_value(payload.get("year", dt.date.today().year))
    comment = opt_str(payload, "comment", max_len=2000, name="督查情况") or ""  # elsewhere a 审核意见
    keep = opt_bool(payload, "keep")
    if keep is None:
        raise Invalid("请说明督查结论：保留（keep=true）或撤销命名（keep=false）。", field="keep")
    day = opt_date(payload, "on") or dt.date.today()
    if keep:
        if not comment:
            raise Invalid("请填写督查情况。", field="comment")
        _event(db, b, actor, "follow_up", organisation_id=b.street_id, year=year, comment=comment, on=day)
    else:
        reason = opt_str(payload, "reason", max_len=2000) or comment
        if not reason:
            raise Invalid("撤销命名须写明原因。", field="reason")
        b.stage, b.revoked_on, b.revoke_reason = "revoked", day, reason
        _event(db, b, actor, "revoke", organisation_id=b.street_id, year=year, comment=reason, on=day)
    return brand_dict(db, b, full=True)


def registration_choices(db: Session, actor: User, brand_id: int) -> dict:
    """The unit's uploads a registration can name: its 申报登记表 (complete ones first) and any other file
    as the 综合材料, save those another of its brands registered with."""
    b = load(db, actor, brand_id)
    subs = db.execute(select(Submission).where(Submission.organisation_id == b.organisation_id)
                      .options(selectinload(Submission.extractions))  # not one query per upload
                      .order_by(Submission.id.desc()).limit(200)).scalars().all()
    forms, others = [], []
    taken = _registered_elsewhere(db, b)
    for s in subs:
        if s.id in taken:
            continue
        ext = s.extractions[-1] if s.extractions else None
        entry = {"id": s.id, "name": s.original_name, "complete": bool(ext) and not (ext.missing or [])}
        (forms if s.form == "brand" else others).append(entry)
    forms.sort(key=lambda e: not e["complete"])
    return {"forms": forms, "materials": others}


def may_decide(actor: User, b: dict) -> bool:
    return b["stage"] == "forwarding" and actor.role in auth.REVIEWERS and (
        actor.role == "admin" or actor.organisation_id == b["level_id"])


def may_assess(db: Session, actor: User, b: dict) -> bool:
    return actor.role in auth.REVIEWERS and auth.can_see(db, actor, b["street_id"])
