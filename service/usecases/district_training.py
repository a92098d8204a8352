"""Training of branch secretaries (JH-5: every branch secretary trained; 12 topics, 25 classes a year):
topics and classes (date, place, capacity) kept by the committee (区委), each branch secretary's enrolment
and attendance (imported from the class's sign-in sheet as XLSX), and who has NOT yet been trained in a
year, per 党委.

"Trained" in a year: the branch's secretary signed in to at least one class held that year. A branch is
counted once however many classes its secretary attended; coverage = trained branches / branches.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import audit, auth
from ..errors import Conflict, Invalid
from ..exports import template_examples
from ..models import Organisation, TrainingClass, TrainingEnrolment, TrainingTopic, User
from ..vocabulary import cn_date
from . import sheets
from .serialize import iso
from .validate import opt_bool, opt_date, opt_int, opt_str, year_value

REVIEWERS = auth.REVIEWERS
COMMITTEE_KINDS = ("party_committee", "street")
SIGN_IN = [sheets.Column("branch_name", "党支部", required=True, aliases=("支部名称", "党支部名称", "单位"), max_len=200),
           sheets.Column("secretary", "姓名", aliases=("书记姓名", "支部书记"), max_len=100),
           sheets.Column("attended", "是否签到", "bool", aliases=("签到", "出勤"))]
SIGN_IN_EXAMPLE = template_examples([["大邱庄村党支部", "郑海", "是"]])[0]  # refused when left in an import


def _keeper(db: Session, actor: User, payload: dict) -> int:
    org_id = opt_int(payload, "organisation_id", minimum=1, maximum=auth.MAX_ID) or actor.organisation_id
    auth.require_org_access(db, actor, org_id)
    return org_id


# --- topics and classes ---------------------------------------------------------------------------


def topic_dict(t: TrainingTopic) -> dict:
    return {"id": t.id, "organisation_id": t.organisation_id, "name": t.name}


def topics(db: Session, actor: User) -> list[dict]:
    auth.require_role(actor, *REVIEWERS)
    query = auth.filter_visible(select(TrainingTopic).order_by(TrainingTopic.id), TrainingTopic.organisation_id,
                                db, actor)
    return [topic_dict(t) for t in db.execute(query).scalars()]


def create_topic(db: Session, actor: User, payload: dict) -> dict:
    auth.require_role(actor, *REVIEWERS)
    name = opt_str(payload, "name", max_len=200, required=True)
    keeper = _keeper(db, actor, payload)
    if db.scalar(select(TrainingTopic.id).where(TrainingTopic.organisation_id == keeper, TrainingTopic.name == name)):
        raise Conflict(f"已有培训专题“{name}”。", "topic_exists")
    t = TrainingTopic(organisation_id=keeper, name=name)
    db.add(t)
    db.flush()
    audit.record(db, actor, "training_topic", "training_topic", t.id, {"name": name}, organisation_id=keeper)
    return topic_dict(t)


def class_dict(c: TrainingClass, topic: TrainingTopic | None, enrolled: int = 0, attended: int = 0) -> dict:
    return {"id": c.id, "topic_id": c.topic_id, "topic_name": topic.name if topic else "",
            "organisation_id": c.organisation_id, "held_on": iso(c.held_on), "held_on_text": cn_date(c.held_on),
            "year": c.held_on.year, "place": c.place, "capacity": c.capacity, "enrolled": enrolled,
            "attended": attended, "held": c.held_on <= dt.date.today()}


def _counts(db: Session, class_ids: list[int]) -> dict[int, tuple[int, int]]:
    out: dict[int, list[int]] = {}
    if class_ids:
        for cid, attended in db.execute(select(TrainingEnrolment.class_id, TrainingEnrolment.attended).where(
                TrainingEnrolment.class_id.in_(class_ids))).all():
            row = out.setdefault(cid, [0, 0])
            row[0] += 1
            row[1] += bool(attended)
    return {k: (v[0], v[1]) for k, v in out.items()}


def classes(db: Session, actor: User, year: Optional[int] = None) -> list[dict]:
    auth.require_role(actor, *REVIEWERS)
    query = auth.filter_visible(select(TrainingClass).order_by(TrainingClass.held_on, TrainingClass.id),
                                TrainingClass.organisation_id, db, actor)
    if year:
        y = year_value(year)
        query = query.where(TrainingClass.held_on >= dt.date(y, 1, 1), TrainingClass.held_on <= dt.date(y, 12, 31))
    rows = list(db.execute(query).scalars())
    tps = {t.id: t for t in db.execute(select(TrainingTopic).where(
        TrainingTopic.id.in_({c.topic_id for c in rows}))).scalars()} if rows else {}
    counts = _counts(db, [c.id for c in rows])
    return [class_dict(c, tps.get(c.topic_id), *counts.get(c.id, (0, 0))) for c in rows]


def _class_values(payload: dict, partial: bool = False) -> dict:
    out = {}
    if not partial or "held_on" in payload:
        held = opt_date(payload, "held_on")
        if held is None:
            raise Invalid("请填写培训日期。", field="held_on")
        out["held_on"] = held
    if not partial or "place" in payload:
        out["place"] = opt_str(payload, "place", max_len=200) or ""
    if not partial or "capacity" in payload:
        out["capacity"] = opt_int(payload, "capacity", minimum=1, maximum=5000, required=True)
    return out


def create_class(db: Session, actor: User, payload: dict) -> dict:
    """A class: ``{topic_id, held_on, place, capacity}``."""
    auth.require_role(actor, *REVIEWERS)
    topic = auth.load_visible(db, actor, TrainingTopic,
                              opt_int(payload, "topic_id", minimum=1, maximum=auth.MAX_ID, required=True),
                              "未找到该培训专题。")
    c = TrainingClass(topic_id=topic.id, organisation_id=topic.organisation_id, **_class_values(payload))
    db.add(c)
    db.flush()
    audit.record(db, actor, "training_class", "training_class", c.id, {"held_on": iso(c.held_on)},
                 organisation_id=c.organisation_id)
    return class_dict(c, topic)


def _class(db: Session, actor: User, class_id: int) -> TrainingClass:
    auth.require_role(actor, *REVIEWERS)
    return auth.load_visible(db, actor, TrainingClass, class_id, "未找到该培训班。")


def update_class(db: Session, actor: User, class_id: int, payload: dict) -> dict:
    c = _class(db, actor, class_id)
    values = _class_values(payload, partial=True)
    enrolled = db.scalar(select(func.count()).select_from(TrainingEnrolment).where(TrainingEnrolment.class_id == c.id))
    if values.get("capacity") is not None and values["capacity"] < enrolled:
        raise Invalid(f"人数上限不能少于已报名的{enrolled}人。", field="capacity")
    for k, v in values.items():
        setattr(c, k, v)
    db.flush()
    audit.record(db, actor, "training_class_update", "training_class", c.id, {"fields": sorted(values)},
                 organisation_id=c.organisation_id)
    return get_class(db, actor, c.id)


def _enrolment_dict(e: TrainingEnrolment, org: Organisation | None, committee: str = "") -> dict:
    return {"organisation_id": e.organisation_id, "branch_name": org.name if org else "", "committee": committee,
            "secretary": e.secretary, "attended": e.attended, "attended_name": "已签到" if e.attended else "未签到"}


def get_class(db: Session, actor: User, class_id: int) -> dict:
    """A class with its enrolments (branch, 党委, secretary, attended)."""
    c = _class(db, actor, class_id)
    es = list(db.execute(select(TrainingEnrolment).where(TrainingEnrolment.class_id == c.id)
                         .order_by(TrainingEnrolment.organisation_id)).scalars())
    tree = _Tree(db)
    out = class_dict(c, db.get(TrainingTopic, c.topic_id), len(es), sum(e.attended for e in es))
    out["enrolments"] = [_enrolment_dict(e, tree.orgs.get(e.organisation_id),
                                         tree.committee_name(e.organisation_id)) for e in es]
    return out


def _branch(db: Session, actor: User, org_id) -> Organisation:
    org = auth.load_visible(db, actor, Organisation, org_id, "未找到该组织。", organisation_of=lambda o: o.id)
    if org.kind != "branch":
        raise Invalid("参加培训的是党支部书记：请选择党支部。", field="organisation_ids")
    return org


def _enrol(db: Session, c: TrainingClass, org: Organisation, secretary: str,
           attended: Optional[bool]) -> tuple[TrainingEnrolment, bool]:
    e = db.execute(select(TrainingEnrolment).where(TrainingEnrolment.class_id == c.id,
                                                   TrainingEnrolment.organisation_id == org.id)).scalar_one_or_none()
    created = e is None
    if created:
        e = TrainingEnrolment(class_id=c.id, organisation_id=org.id, secretary=secretary or org.secretary or "",
                              attended=False)
        db.add(e)
    elif secretary:
        e.secretary = secretary
    if attended is not None:
        e.attended = attended
    return e, created


def enrol(db: Session, actor: User, class_id: int, payload: dict) -> dict:
    """Enrol branch secretaries: ``{organisation_ids: [...]}`` (the branch's recorded secretary), up to the
    class's capacity; a branch already enrolled is left as it is."""
    c = _class(db, actor, class_id)
    ids = payload.get("organisation_ids")
    if not isinstance(ids, list) or not ids or len(ids) > 5000 or not all(
            isinstance(i, int) and not isinstance(i, bool) and 1 <= i <= auth.MAX_ID for i in ids):
        raise Invalid("请选择要报名的党支部。", field="organisation_ids")
    orgs = [_branch(db, actor, i) for i in dict.fromkeys(ids)]
    have = set(db.execute(select(TrainingEnrolment.organisation_id).where(
        TrainingEnrolment.class_id == c.id)).scalars())
    new = [o for o in orgs if o.id not in have]
    if len(have) + len(new) > c.capacity:
        raise Conflict(f"该培训班人数上限{c.capacity}人，已报名{len(have)}人，不能再报名{len(new)}人。", "class_full")
    for o in new:
        _enrol(db, c, o, "", None)
    db.flush()
    audit.record(db, actor, "training_enrol", "training_class", c.id, {"enrolled": len(new)},
                 organisation_id=c.organisation_id)
    return get_class(db, actor, c.id)


def mark(db: Session, actor: User, class_id: int, payload: dict) -> dict:
    """Attendance of one branch's secretary: ``{organisation_id, attended, secretary}`` (enrols it if need be)."""
    c = _class(db, actor, class_id)
    org = _branch(db, actor, opt_int(payload, "organisation_id", minimum=1, maximum=auth.MAX_ID, required=True))
    attended = opt_bool(payload, "attended")
    attended = True if attended is None else attended
    if attended and c.held_on > dt.date.today():
        raise Invalid("培训班尚未举办，不能登记签到。", field="attended")
    enrolled = db.scalar(select(func.count()).select_from(TrainingEnrolment).where(TrainingEnrolment.class_id == c.id))
    _e, created = _enrol(db, c, org, opt_str(payload, "secretary", max_len=100) or "", attended)
    if created and enrolled + 1 > c.capacity:
        raise Conflict(f"该培训班人数上限{c.capacity}人，已满。", "class_full")
    db.flush()
    audit.record(db, actor, "training_attendance", "training_class", c.id,
                 {"organisation_id": org.id, "attended": attended}, organisation_id=c.organisation_id)
    return get_class(db, actor, c.id)


def import_attendance(db: Session, actor: User, class_id: int, data: bytes) -> dict:
    """The class's sign-in sheet (党支部、姓名、是否签到; see :func:`sign_in_template`): all or nothing. A branch
    outside the caller's view, a name that is not the branch's recorded secretary, a second row for one
    branch, sign-ins before the class is held or beyond its capacity name their row and column."""
    c = _class(db, actor, class_id)
    problems: list[dict] = []
    rows = sheets.read(data, SIGN_IN, "培训签到表", problems)
    by_name = auth.visible_branches_by_name(db, actor)
    headers = {col.key: col.header for col in SIGN_IN}
    have = set(db.execute(select(TrainingEnrolment.organisation_id).where(
        TrainingEnrolment.class_id == c.id)).scalars())
    seen: dict[int, int] = {}
    matched = []
    future = c.held_on > dt.date.today()
    for r in rows:
        cols = r["_cols"]
        org = sheets.one_by_name(problems, r, "branch_name", headers["branch_name"], by_name)
        if org is None:
            continue
        attended = True if "attended" not in cols or r["attended"] is None else r["attended"]
        if r.get("secretary") and org.secretary and r["secretary"] != org.secretary:
            problems.append(sheets.problem(r["row"], cols.get("secretary"), headers["secretary"],
                                           f"“{r['secretary']}”不是{org.name}登记的支部书记（{org.secretary}）"))
        if attended and future:
            problems.append(sheets.problem(r["row"], cols.get("attended"), headers["attended"],
                                           f"培训班{cn_date(c.held_on)}举办，尚未举办不能签到"))
        if org.id in seen:
            problems.append(sheets.problem(r["row"], cols.get("branch_name"), headers["branch_name"],
                                           f"与第{seen[org.id]}行是同一党支部"))
        seen[org.id] = r["row"]
        matched.append((org, r, attended))
    new = [r for o, r, _a in matched if o.id not in have]
    if len(have) + len({o.id for o, _r, _a in matched} - have) > c.capacity and new:
        problems.append(sheets.problem(new[0]["row"], None, "", f"报名人数超过培训班人数上限{c.capacity}人"))
    problems.sort(key=lambda p: (p["row"], p["column"]))
    sheets.fail(problems, "培训签到表")
    created = 0
    for org, r, attended in matched:
        _e, new_row = _enrol(db, c, org, r.get("secretary") or "", attended)
        created += new_row
    db.flush()
    audit.record(db, actor, "training_import", "training_class", c.id, {"rows": len(rows), "created": created},
                 organisation_id=c.organisation_id)
    return {"rows": len(rows), "created": created, "updated": len(rows) - created,
            "attended": sum(1 for _o, _r, a in matched if a)}


def sign_in_template() -> bytes:
    return sheets.template(SIGN_IN, SIGN_IN_EXAMPLE, "培训签到表")


# --- coverage: who has not been trained ------------------------------------------------------------


class _Tree:
    """Organisations once, to name each branch's 党委 (the nearest 党委/街道党工委 above it)."""

    def __init__(self, db: Session):
        self.orgs = {o.id: o for o in db.execute(select(Organisation)).scalars()}

    def committee(self, org_id: int) -> Organisation | None:
        o = self.orgs.get(org_id)
        o = self.orgs.get(o.parent_id) if o and o.parent_id else None
        while o is not None and o.kind not in COMMITTEE_KINDS:
            o = self.orgs.get(o.parent_id) if o.parent_id else None
        return o

    def committee_name(self, org_id: int) -> str:
        c = self.committee(org_id)
        return c.name if c else ""


def trained_ids(db: Session, branch_ids, start: dt.date, end: dt.date) -> set[int]:
    """Branches whose secretary signed in to a class held between ``start`` and ``end``."""
    ids = list(branch_ids)
    if not ids:
        return set()
    return set(db.execute(select(TrainingEnrolment.organisation_id).join(
        TrainingClass, TrainingClass.id == TrainingEnrolment.class_id).where(
        TrainingEnrolment.attended.is_(True), TrainingEnrolment.organisation_id.in_(ids),
        TrainingClass.held_on >= start, TrainingClass.held_on <= end)).scalars())


def rate(trained: int, total: int) -> float | None:
    return round(100 * trained / total, 1) if total else None


def coverage(db: Session, actor: User, year: int, organisation_id: Optional[int] = None) -> dict:
    """A year's coverage: per 党委 (branches, trained, rate) and every branch whose secretary has not been
    trained (with its 党委 and secretary)."""
    auth.require_role(actor, *REVIEWERS)
    year = year_value(year)
    query = auth.filter_visible(select(Organisation).where(Organisation.kind == "branch",
                                                           Organisation.dissolved_on.is_(None))
                                .order_by(Organisation.id), Organisation.id, db, actor)
    if organisation_id:
        auth.require_org_access(db, actor, organisation_id)
        query = query.where(Organisation.id.in_(auth.subtree_ids(db, organisation_id)))
    branches = list(db.execute(query).scalars())
    trained = trained_ids(db, [b.id for b in branches], dt.date(year, 1, 1), dt.date(year, 12, 31))
    tree = _Tree(db)
    groups: dict[int, dict] = {}
    untrained = []
    for b in branches:
        c = tree.committee(b.id)
        g = groups.setdefault(c.id if c else 0, {"organisation_id": c.id if c else None,
                                                 "name": c.name if c else "", "branches": 0, "trained": 0})
        g["branches"] += 1
        g["trained"] += b.id in trained
        if b.id not in trained:
            untrained.append({"organisation_id": b.id, "branch_name": b.name,
                              "committee_id": c.id if c else None, "committee": c.name if c else "",
                              "secretary": b.secretary or "", "year": year})
    by_committee = [{**g, "untrained": g["branches"] - g["trained"], "rate": rate(g["trained"], g["branches"])}
                    for g in groups.values()]
    return {"year": year, "branches": len(branches), "trained": len(trained),
            "rate": rate(len(trained), len(branches)), "by_committee": by_committee, "untrained": untrained}


def untrained_xlsx(data: dict) -> bytes:
    return sheets.workbook_of([
        ("尚未培训", ["所属党委", "党支部", "支部书记"],
         [[r["committee"], r["branch_name"], r["secretary"]] for r in data["untrained"]]),
        ("各党委培训覆盖", ["党委", "党支部数", "已培训", "未培训", "覆盖率"],
         [[g["name"], g["branches"], g["trained"], g["untrained"],
           "—" if g["rate"] is None else f"{g['rate']:g}%"] for g in data["by_committee"]])])
