"""挂点包保 and 创建联系点 (JH-4): people as records, their branches for a year, their visits.

Each district leader takes charge of at least one 相对后进 rural branch of the year's grading round; each
county-level leader sets up one 创建联系点. People belong to the committee that keeps them (its reviewers see
them). A visit to an assigned branch may open 整改工作台账 rows (through ``usecases.ledger``).
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit, auth
from ..checks.district import standing, uncovered
from ..config import DEFAULT_RECTIFY_DAYS
from ..errors import Conflict, Invalid
from ..exports import template_examples
from ..models import (Assessment, DistrictPerson, LeaderAssignment, LeaderVisit, Organisation, RectificationItem,
                      User)
from ..vocabulary import ASSIGNMENT_KINDS, PERSON_RANKS, domain_name
from . import ledger, sheets
from .serialize import iso
from .validate import opt_bool, opt_date, opt_int, opt_phone, opt_str, year_value

REVIEWERS = auth.REVIEWERS
PERSON_COLUMNS = [sheets.Column("name", "姓名", required=True, max_len=100),
                  sheets.Column("rank", "类别", required=True, aliases=("人员类别",)),
                  sheets.Column("title", "职务", max_len=200), sheets.Column("phone", "联系电话", kind="phone", max_len=40)]


def _committee_of(db: Session, actor: User, payload: dict) -> int:
    org_id = opt_int(payload, "organisation_id", minimum=1, maximum=auth.MAX_ID) or actor.organisation_id
    auth.require_org_access(db, actor, org_id)
    return org_id


def _rank(value) -> str:
    text = str(value or "").strip()
    for code, name in PERSON_RANKS.items():
        if text in (code, name) or (text and name.startswith(text)):
            return code
    raise Invalid("人员类别应为" + "、".join(PERSON_RANKS.values()) + "之一。", field="rank")


def person_dict(p: DistrictPerson) -> dict:
    return {"id": p.id, "organisation_id": p.organisation_id, "name": p.name, "rank": p.rank,
            "rank_name": PERSON_RANKS.get(p.rank, p.rank), "title": p.title, "phone": p.phone, "active": p.active}


def people(db: Session, actor: User, rank: Optional[str] = None) -> list[dict]:
    auth.require_role(actor, *REVIEWERS)
    query = auth.filter_visible(select(DistrictPerson).order_by(DistrictPerson.id), DistrictPerson.organisation_id,
                                db, actor)
    if rank:
        query = query.where(DistrictPerson.rank == _rank(rank))
    return [person_dict(p) for p in db.execute(query).scalars()]


def _person(db: Session, actor: User, person_id: int) -> DistrictPerson:
    auth.require_role(actor, *REVIEWERS)
    return auth.load_visible(db, actor, DistrictPerson, person_id, "未找到该人员。")


def _apply_person(p: DistrictPerson, payload: dict) -> None:
    if "name" in payload:
        p.name = opt_str(payload, "name", max_len=100, required=True)
    if "rank" in payload:
        p.rank = _rank(payload.get("rank"))
    if "title" in payload:
        p.title = opt_str(payload, "title", max_len=200) or ""
    if "phone" in payload:
        p.phone = opt_phone(payload, "phone") or ""
    if "active" in payload:
        p.active = bool(opt_bool(payload, "active"))


def create_person(db: Session, actor: User, payload: dict) -> dict:
    auth.require_role(actor, *REVIEWERS)
    opt_str(payload, "name", max_len=100, required=True)
    p = DistrictPerson(organisation_id=_committee_of(db, actor, payload), name="", rank=_rank(payload.get("rank")),
                       title="", phone="", active=True)
    _apply_person(p, payload)
    db.add(p)
    db.flush()
    audit.record(db, actor, "person_create", "district_person", p.id, {"rank": p.rank}, organisation_id=p.organisation_id)
    return person_dict(p)


def update_person(db: Session, actor: User, person_id: int, payload: dict) -> dict:
    p = _person(db, actor, person_id)
    _apply_person(p, payload)
    db.flush()
    audit.record(db, actor, "person_update", "district_person", p.id, {"fields": sorted(payload)},
                 organisation_id=p.organisation_id)
    return person_dict(p)


def import_people(db: Session, actor: User, data: bytes) -> dict:
    """People from the template (姓名、类别、职务、联系电话): a name already kept is updated."""
    auth.require_role(actor, *REVIEWERS)
    problems: list[dict] = []
    rows = sheets.read(data, PERSON_COLUMNS, "人员名单", problems)
    for r in rows:
        try:
            r["rank"] = _rank(r["rank"])
        except Invalid:
            problems.append(sheets.problem(r["row"], r["_cols"]["rank"], "类别",
                                           "应为" + "、".join(PERSON_RANKS.values()) + "之一"))
    problems.sort(key=lambda p: (p["row"], p["column"]))
    sheets.fail(problems, "人员名单")
    existing = {(p.name, p.rank): p for p in db.execute(select(DistrictPerson).where(
        DistrictPerson.organisation_id == actor.organisation_id)).scalars()}
    created = updated = 0
    for r in rows:
        p = existing.get((r["name"], r["rank"]))
        if p is None:
            p = DistrictPerson(organisation_id=actor.organisation_id, name=r["name"], rank=r["rank"], active=True)
            db.add(p)
            existing[(p.name, p.rank)] = p
            created += 1
        else:
            updated += 1
        p.title, p.phone = r["title"] or p.title or "", r["phone"] or p.phone or ""
    db.flush()
    audit.record(db, actor, "person_import", "district_person", None, {"created": created, "updated": updated},
                 organisation_id=actor.organisation_id)
    return {"created": created, "updated": updated, "rows": len(rows)}


def people_xlsx(db: Session, actor: User) -> bytes:
    return sheets.workbook([c.header for c in PERSON_COLUMNS],
                           [[p["name"], p["rank_name"], p["title"], p["phone"]] for p in people(db, actor)], "人员名单")


# --- assignments ------------------------------------------------------------------------------


def _progress(db: Session, org_ids: set[int], today: dt.date) -> dict[int, dict]:
    out = {i: {"items": 0, "closed": 0, "overdue": 0} for i in org_ids}
    if not org_ids:
        return out
    for it in db.execute(select(RectificationItem).where(RectificationItem.organisation_id.in_(org_ids))).scalars():
        row = out[it.organisation_id]
        row["items"] += 1
        row["closed"] += it.closed_on is not None
        row["overdue"] += ledger.is_overdue(it, today)
    return out


def assignment_dict(a: LeaderAssignment, org: Organisation | None, person: DistrictPerson | None = None,
                    progress: dict | None = None) -> dict:
    out = {"id": a.id, "person_id": a.person_id, "person_name": person.name if person else "",
           "organisation_id": a.organisation_id, "branch_name": org.name if org else "", "kind": a.kind,
           "kind_name": ASSIGNMENT_KINDS.get(a.kind, a.kind), "year": a.year, "assigned_on": iso(a.assigned_on),
           "note": a.note}
    if progress is not None:
        out["ledger"] = progress
    return out


def assign(db: Session, actor: User, payload: dict) -> dict:
    """A person takes charge of a branch for a year: ``{person_id, organisation_id, kind, year}``."""
    auth.require_role(actor, *REVIEWERS)
    person = _person(db, actor, opt_int(payload, "person_id", minimum=1, maximum=auth.MAX_ID, required=True))
    org_id = opt_int(payload, "organisation_id", minimum=1, maximum=auth.MAX_ID, required=True)
    org = auth.load_visible(db, actor, Organisation, org_id, "未找到该组织。", organisation_of=lambda o: o.id)
    if org.kind != "branch":
        raise Invalid("挂点包保和创建联系点只能是党支部。", field="organisation_id")
    kind = payload.get("kind") or ("contact" if person.rank == "county_leader" else "backward")
    if not isinstance(kind, str) or kind not in ASSIGNMENT_KINDS:
        raise Invalid("种类只能是挂点包保或创建联系点。", field="kind")
    year = year_value(payload.get("year") or dt.date.today().year)
    if db.scalar(select(LeaderAssignment.id).where(LeaderAssignment.person_id == person.id,
                                                   LeaderAssignment.organisation_id == org.id,
                                                   LeaderAssignment.kind == kind, LeaderAssignment.year == year)):
        raise Conflict(f"{person.name}已{ASSIGNMENT_KINDS[kind]}{org.name}（{year}年）。", "assignment_exists")
    a = LeaderAssignment(person_id=person.id, organisation_id=org.id, kind=kind, year=year,
                         assigned_on=opt_date(payload, "assigned_on") or dt.date.today(),
                         note=opt_str(payload, "note", max_len=1000) or "")
    db.add(a)
    db.flush()
    audit.record(db, actor, "leader_assign", "leader_assignment", a.id, {"person_id": person.id, "kind": kind},
                 organisation_id=org.id)
    return assignment_dict(a, org, person)


def _assignment(db: Session, actor: User, assignment_id: int) -> LeaderAssignment:
    auth.require_role(actor, *REVIEWERS)
    return auth.load_visible(db, actor, LeaderAssignment, assignment_id, "未找到该挂点记录。")


def unassign(db: Session, actor: User, assignment_id: int) -> None:
    a = _assignment(db, actor, assignment_id)
    if db.scalar(select(LeaderVisit.id).where(LeaderVisit.assignment_id == a.id).limit(1)):
        raise Conflict("该挂点已有走访记录，不能撤销。", "assignment_has_visits")
    audit.record(db, actor, "leader_unassign", "leader_assignment", a.id, {"person_id": a.person_id},
                 organisation_id=a.organisation_id)
    db.delete(a)
    db.flush()


def person_detail(db: Session, actor: User, person_id: int, year: Optional[int] = None,
                  today: Optional[dt.date] = None) -> dict:
    """A leader's page: their branches (with ledger progress) and visits."""
    p = _person(db, actor, person_id)
    query = select(LeaderAssignment).where(LeaderAssignment.person_id == p.id).order_by(LeaderAssignment.year.desc(),
                                                                                         LeaderAssignment.id)
    if year:
        query = query.where(LeaderAssignment.year == year)
    rows = list(db.execute(query).scalars())
    orgs = {o.id: o for o in db.execute(select(Organisation).where(
        Organisation.id.in_({a.organisation_id for a in rows}))).scalars()} if rows else {}
    progress = _progress(db, set(orgs), today or dt.date.today())
    visits = list(db.execute(select(LeaderVisit).where(LeaderVisit.assignment_id.in_([a.id for a in rows]))
                             .order_by(LeaderVisit.visited_on.desc())).scalars()) if rows else []
    by_assignment = {a.id: a for a in rows}
    return {**person_dict(p),
            "assignments": [assignment_dict(a, orgs.get(a.organisation_id), p, progress.get(a.organisation_id))
                            for a in rows],
            "visits": [visit_dict(v, orgs.get(v.organisation_id), by_assignment.get(v.assignment_id)) for v in visits]}


def coverage(db: Session, actor: User, year: int) -> dict:
    """JH-4 for a year: every rural branch whose grading in force that year (its latest up to the year,
    :func:`service.checks.district.standing`) is 相对后进, with its leaders of the year (flagged when it has none); district leaders without a 相对后进 branch and
    county-level leaders without a 联系点."""
    auth.require_role(actor, *REVIEWERS)
    year = year_value(year)
    graded = standing(db.execute(auth.filter_visible(select(Assessment).where(Assessment.year <= year),
                                                     Assessment.organisation_id, db, actor)).scalars())
    laggards = [a for a in graded.values() if a.backward and a.domain == "rural"]
    branch_ids = sorted({a.organisation_id for a in laggards})
    assignments = list(db.execute(auth.filter_visible(
        select(LeaderAssignment).where(LeaderAssignment.year == year).order_by(LeaderAssignment.id),
        LeaderAssignment.organisation_id, db, actor)).scalars())
    persons = {p.id: p for p in db.execute(auth.filter_visible(select(DistrictPerson), DistrictPerson.organisation_id,
                                                               db, actor)).scalars()}
    org_ids = set(branch_ids) | {a.organisation_id for a in assignments}
    orgs = {o.id: o for o in db.execute(select(Organisation).where(Organisation.id.in_(org_ids))).scalars()}
    parents = {o.id: o.name for o in db.execute(select(Organisation).where(
        Organisation.id.in_({o.parent_id for o in orgs.values() if o.parent_id}))).scalars()}
    progress = _progress(db, set(branch_ids), dt.date.today())
    backward = [a for a in assignments if a.kind == "backward"]
    branches = []
    for b in branch_ids:
        leaders = [persons[a.person_id].name for a in backward if a.organisation_id == b and a.person_id in persons]
        o = orgs[b]
        branches.append({"organisation_id": b, "branch_name": o.name, "parent_name": parents.get(o.parent_id, ""),
                         "domain_name": domain_name(o.domain), "leaders": leaders, "uncovered": not leaders,
                         "ledger": progress[b]})
    missing = set(uncovered(branch_ids, [a.organisation_id for a in backward]))
    has = lambda pid, kind: any(a.person_id == pid and a.kind == kind for a in assignments)  # noqa: E731
    idle_district = [person_dict(p) for p in persons.values()
                     if p.active and p.rank == "district_leader" and not has(p.id, "backward")]
    idle_county = [person_dict(p) for p in persons.values()
                   if p.active and p.rank == "county_leader" and not has(p.id, "contact")]
    contacts = [assignment_dict(a, orgs.get(a.organisation_id), persons.get(a.person_id))
                for a in assignments if a.kind == "contact"]
    return {"year": year, "round_years": sorted({a.year for a in laggards}), "branches": branches, "laggards": len(branch_ids), "covered": len(branch_ids) - len(missing),
            "uncovered": sorted(orgs[b].name for b in missing),
            "district_leaders_without_branch": idle_district, "county_leaders_without_contact": idle_county,
            "contacts": contacts}


# --- visits -------------------------------------------------------------------------------------


def visit_dict(v: LeaderVisit, org: Organisation | None = None, a: LeaderAssignment | None = None) -> dict:
    return {"id": v.id, "assignment_id": v.assignment_id, "organisation_id": v.organisation_id,
            "branch_name": org.name if org else "", "person_id": a.person_id if a else None,
            "visited_on": iso(v.visited_on), "found": v.found, "follow_up": v.follow_up,
            "ledger_item_ids": list(v.ledger_item_ids or [])}


def add_visit(db: Session, actor: User, assignment_id: int, payload: dict,
              rectify_days: int = DEFAULT_RECTIFY_DAYS) -> dict:
    """A visit (``visited_on``, ``found``, ``follow_up``); each of ``open_rows`` (``{category, problem,
    measure, due_on, owner}``) opens a ledger row of the branch, led by the visiting leader; without a
    整改时限 or a 责任人 it gets ``rectify_days`` after the visit and the branch secretary
    (:func:`service.usecases.ledger.open_found`)."""
    a = _assignment(db, actor, assignment_id)
    day = opt_date(payload, "visited_on") or dt.date.today()
    if day > dt.date.today():
        raise Invalid("走访日期不能晚于今天。", field="visited_on")
    found = opt_str(payload, "found", max_len=2000) or ""
    follow = opt_str(payload, "follow_up", max_len=2000) or ""
    rows = payload.get("open_rows") or []
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise Invalid("列入台账的问题应为列表，每项写明问题。", field="open_rows")
    if not found and not rows:
        raise Invalid("请填写走访发现的问题。", field="found")
    person = db.get(DistrictPerson, a.person_id)
    item_ids = []
    for r in rows:
        item = ledger.open_found(db, actor, a.organisation_id, category=r.get("category") or "挂点走访",
                                 problem=r.get("problem"), measure=r.get("measure"),
                                 leader=person.name if person else "", owner=r.get("owner"), due_on=r.get("due_on"),
                                 found_on=day, source=f"{person.name if person else ''}{sheets.cn(day)}走访发现",
                                 rectify_days=rectify_days)
        item_ids.append(item["id"])
    v = LeaderVisit(assignment_id=a.id, organisation_id=a.organisation_id, visited_on=day, found=found,
                    follow_up=follow, ledger_item_ids=item_ids)
    db.add(v)
    db.flush()
    audit.record(db, actor, "leader_visit", "leader_visit", v.id, {"ledger_items": item_ids},
                 organisation_id=a.organisation_id)
    return visit_dict(v, db.get(Organisation, a.organisation_id), a)


def visits(db: Session, actor: User, organisation_id: Optional[int] = None) -> list[dict]:
    auth.require_role(actor, *REVIEWERS)
    rows = list(db.execute(auth.filter_visible(select(LeaderVisit).order_by(LeaderVisit.visited_on.desc()),
                                               LeaderVisit.organisation_id, db, actor, organisation_id)).scalars())
    if not rows:
        return []
    orgs = {o.id: o for o in db.execute(select(Organisation).where(
        Organisation.id.in_({v.organisation_id for v in rows}))).scalars()}
    asg = {a.id: a for a in db.execute(select(LeaderAssignment).where(
        LeaderAssignment.id.in_({v.assignment_id for v in rows}))).scalars()}
    return [visit_dict(v, orgs.get(v.organisation_id), asg.get(v.assignment_id)) for v in rows]


def get_assignment(db: Session, actor: User, assignment_id: int) -> dict:
    a = _assignment(db, actor, assignment_id)
    return assignment_dict(a, db.get(Organisation, a.organisation_id), db.get(DistrictPerson, a.person_id),
                           _progress(db, {a.organisation_id}, dt.date.today())[a.organisation_id])


PERSON_EXAMPLE = template_examples([["张三", "区级领导", "区委常委、组织部部长", ""]])[0]


def template() -> bytes:
    return sheets.template(PERSON_COLUMNS, PERSON_EXAMPLE, "人员名单")


# --- corrections (a record entered wrongly is edited or removed, from the API and the pages alike) ---------


def delete_person(db: Session, actor: User, person_id: int) -> None:
    """A person entered by mistake; one who has taken charge of a branch is kept (set 不再在任 instead),
    so that the years' coverage stays what it was."""
    p = _person(db, actor, person_id)
    if db.scalar(select(LeaderAssignment.id).where(LeaderAssignment.person_id == p.id).limit(1)):
        raise Conflict(f"{p.name}已有挂点记录，不能删除（可改为不再在任）。", "person_has_assignments")
    audit.record(db, actor, "person_delete", "district_person", p.id, {"name": p.name}, organisation_id=p.organisation_id)
    db.delete(p)
    db.flush()


def update_assignment(db: Session, actor: User, assignment_id: int, payload: dict) -> dict:
    """Correct a 挂点: another leader (``person_id``), ``kind``, ``assigned_on``, ``note``."""
    a = _assignment(db, actor, assignment_id)
    person = db.get(DistrictPerson, a.person_id)
    if payload.get("person_id") is not None:
        person = _person(db, actor, opt_int(payload, "person_id", minimum=1, maximum=auth.MAX_ID, required=True))
        a.person_id = person.id
    if payload.get("kind"):
        if not isinstance(payload["kind"], str) or payload["kind"] not in ASSIGNMENT_KINDS:
            raise Invalid("种类只能是挂点包保或创建联系点。", field="kind")
        a.kind = payload["kind"]
    if payload.get("assigned_on"):
        a.assigned_on = opt_date(payload, "assigned_on")
    if "note" in payload:
        a.note = opt_str(payload, "note", max_len=1000) or ""
    clash = db.scalar(select(LeaderAssignment.id).where(
        LeaderAssignment.person_id == a.person_id, LeaderAssignment.organisation_id == a.organisation_id,
        LeaderAssignment.kind == a.kind, LeaderAssignment.year == a.year, LeaderAssignment.id != a.id))
    org = db.get(Organisation, a.organisation_id)
    if clash:
        raise Conflict(f"{person.name}已{ASSIGNMENT_KINDS[a.kind]}{org.name}（{a.year}年）。", "assignment_exists")
    db.flush()
    audit.record(db, actor, "leader_assign_update", "leader_assignment", a.id, {"fields": sorted(payload)},
                 organisation_id=a.organisation_id)
    return assignment_dict(a, org, person)


def _visit(db: Session, actor: User, visit_id: int) -> LeaderVisit:
    auth.require_role(actor, *REVIEWERS)
    return auth.load_visible(db, actor, LeaderVisit, visit_id, "未找到该走访记录。")


def update_visit(db: Session, actor: User, visit_id: int, payload: dict) -> dict:
    """Correct a visit's date, what was found and the follow-up (the ledger rows it opened are kept: they are
    corrected in the ledger)."""
    v = _visit(db, actor, visit_id)
    if payload.get("visited_on"):
        day = opt_date(payload, "visited_on")
        if day > dt.date.today():
            raise Invalid("走访日期不能晚于今天。", field="visited_on")
        v.visited_on = day
    if "found" in payload:
        v.found = opt_str(payload, "found", max_len=2000) or ""
    if "follow_up" in payload:
        v.follow_up = opt_str(payload, "follow_up", max_len=2000) or ""
    if not v.found and not v.ledger_item_ids:
        raise Invalid("请填写走访发现的问题。", field="found")
    db.flush()
    audit.record(db, actor, "leader_visit_update", "leader_visit", v.id, {"fields": sorted(payload)},
                 organisation_id=v.organisation_id)
    a = db.get(LeaderAssignment, v.assignment_id)
    return visit_dict(v, db.get(Organisation, v.organisation_id), a)


def delete_visit(db: Session, actor: User, visit_id: int) -> None:
    """A visit entered by mistake; one whose findings are in the ledger stays (its rows answer for them)."""
    v = _visit(db, actor, visit_id)
    if v.ledger_item_ids:
        raise Conflict("该走访发现的问题已列入整改工作台账，不能删除。", "visit_has_rows")
    audit.record(db, actor, "leader_visit_delete", "leader_visit", v.id, {"assignment_id": v.assignment_id},
                 organisation_id=v.organisation_id)
    db.delete(v)
    db.flush()


# --- 挂点 as a sheet ------------------------------------------------------------------------------------

ASSIGNMENT_COLUMNS = [sheets.Column("person", "领导姓名", required=True, aliases=("姓名", "包保领导"), max_len=100),
                      sheets.Column("branch", "党支部", required=True, aliases=("支部名称", "党支部名称")),
                      sheets.Column("kind", "方式", aliases=("种类",)),
                      sheets.Column("year", "年度", "int"),
                      sheets.Column("assigned_on", "落实日期", "date"),
                      sheets.Column("note", "备注", max_len=1000)]


def _assignment_example(day: dt.date) -> list:
    return ["王志强", "大邱庄村党支部", "挂点包保", day.year, sheets.cn(day), ""]


sheets.dated_examples(lambda day: [_assignment_example(day)])


def assignments_template() -> bytes:
    return sheets.template(ASSIGNMENT_COLUMNS, _assignment_example(dt.date.today()), "挂点包保")


def _people_by_name(db: Session, actor: User) -> dict[str, list[DistrictPerson]]:
    """The people kept within the actor's view, by name (a sheet names a leader; two of one name are
    told apart by the row check, sheets.one_by_name)."""
    persons: dict[str, list[DistrictPerson]] = {}
    for p in db.execute(auth.filter_visible(select(DistrictPerson), DistrictPerson.organisation_id, db, actor)).scalars():
        persons.setdefault(p.name, []).append(p)
    return persons


def import_assignments(db: Session, actor: User, data: bytes) -> dict:
    """The clerks' 挂点 sheet: a leader named once among the people kept, a branch within view; all or nothing,
    each problem naming its row and column. A 挂点 already kept is left as it is."""
    auth.require_role(actor, *REVIEWERS)
    problems: list[dict] = []
    rows = sheets.read(data, ASSIGNMENT_COLUMNS, "挂点包保名单", problems)
    persons = _people_by_name(db, actor)
    branches = auth.visible_branches_by_name(db, actor)
    kinds = {**{k: k for k in ASSIGNMENT_KINDS}, **{n: k for k, n in ASSIGNMENT_KINDS.items()}}
    headers = {c.key: c.header for c in ASSIGNMENT_COLUMNS}
    ready = []
    for r in rows:
        cols = r["_cols"]
        person = sheets.one_by_name(problems, r, "person", headers["person"], persons,
                                    "不在人员名单中（请先新增或导入人员）")
        org = sheets.one_by_name(problems, r, "branch", headers["branch"], branches)
        bad = person is None or org is None
        if r["kind"] and r["kind"] not in kinds:
            problems.append(sheets.problem(r["row"], cols.get("kind"), headers["kind"], "应为挂点包保或创建联系点"))
            bad = True
        if r["year"] is not None and not 2000 <= r["year"] <= 2100:
            problems.append(sheets.problem(r["row"], cols.get("year"), headers["year"], "应为2000至2100年"))
            bad = True
        if not bad:
            ready.append((person, org, r))
    problems.sort(key=lambda p: (p["row"], p["column"]))
    sheets.fail(problems, "挂点包保名单")
    created = 0
    for person, org, r in ready:
        kind = kinds.get(r["kind"] or "") or ("contact" if person.rank == "county_leader" else "backward")
        year = r["year"] or dt.date.today().year
        if db.scalar(select(LeaderAssignment.id).where(LeaderAssignment.person_id == person.id,
                                                       LeaderAssignment.organisation_id == org.id,
                                                       LeaderAssignment.kind == kind, LeaderAssignment.year == year)):
            continue
        db.add(LeaderAssignment(person_id=person.id, organisation_id=org.id, kind=kind, year=year,
                                assigned_on=r["assigned_on"] or dt.date.today(), note=r["note"] or ""))
        created += 1
    db.flush()
    audit.record(db, actor, "leader_assign_import", "leader_assignment", None, {"rows": len(rows), "created": created},
                 organisation_id=actor.organisation_id)
    return {"rows": len(rows), "created": created, "kept": len(rows) - created}


def assignments_xlsx(db: Session, actor: User, year: Optional[int] = None) -> bytes:
    """The 挂点 of a year (all years without one) and their visits, one sheet each (importable again)."""
    auth.require_role(actor, *REVIEWERS)
    query = auth.filter_visible(select(LeaderAssignment).order_by(LeaderAssignment.year, LeaderAssignment.id),
                                LeaderAssignment.organisation_id, db, actor)
    if year:
        query = query.where(LeaderAssignment.year == year_value(year))
    rows = list(db.execute(query).scalars())
    orgs = dict(db.execute(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_({a.organisation_id for a in rows}))).all()) if rows else {}
    names = dict(db.execute(select(DistrictPerson.id, DistrictPerson.name).where(
        DistrictPerson.id.in_({a.person_id for a in rows}))).all()) if rows else {}
    by_id = {a.id: a for a in rows}
    visits_ = list(db.execute(select(LeaderVisit).where(LeaderVisit.assignment_id.in_(list(by_id)))
                              .order_by(LeaderVisit.visited_on)).scalars()) if rows else []
    return sheets.workbook_of([
        ("挂点包保", [c.header for c in ASSIGNMENT_COLUMNS],
         [[names.get(a.person_id, ""), orgs.get(a.organisation_id, ""), ASSIGNMENT_KINDS.get(a.kind, ""), a.year,
           sheets.cn(a.assigned_on), a.note or ""] for a in rows]),
        ("走访记录", ["领导姓名", "党支部", "走访日期", "发现的问题", "后续措施", "列入整改工作台账（项）"],
         [[names.get(by_id[v.assignment_id].person_id, ""), orgs.get(v.organisation_id, ""), sheets.cn(v.visited_on),
           v.found, v.follow_up, len(v.ledger_item_ids or [])] for v in visits_])])


# --- visits as a sheet ----------------------------------------------------------------------------------

VISIT_COLUMNS = [sheets.Column("person", "领导姓名", required=True, aliases=("姓名", "包保领导", "挂点领导"), max_len=100),
                 sheets.Column("branch", "党支部", required=True, aliases=("支部名称", "党支部名称")),
                 sheets.Column("visited_on", "走访日期", "date", required=True, aliases=("日期",)),
                 sheets.Column("found", "发现的问题", aliases=("走访发现",), max_len=2000),
                 sheets.Column("follow_up", "后续措施", aliases=("后续跟进",), max_len=2000),
                 sheets.Column("rows", "列入整改工作台账的问题", aliases=("列入台账的问题",), max_len=20000),
                 sheets.Column("due_on", "整改时限", "date"),
                 sheets.Column("owner", "责任人", max_len=100)]


def _visit_example(today: dt.date) -> list:
    day = today - dt.timedelta(days=1)
    return ["王志强", "大邱庄村党支部", sheets.cn(day), "三会一课记录不全", "一个月后回访",
            "三会一课记录不全\n党费未按月收缴", sheets.cn(day + dt.timedelta(days=90)), "郑海"]


sheets.dated_examples(lambda day: [_visit_example(day)])


def visits_template() -> bytes:
    return sheets.template(VISIT_COLUMNS, _visit_example(dt.date.today()), "挂点走访记录")


def import_visits(db: Session, actor: User, data: bytes, rectify_days: int = DEFAULT_RECTIFY_DAYS) -> dict:
    """The leaders' visits kept in Excel (:data:`VISIT_COLUMNS`): each row a visit of a leader to a branch they
    have taken charge of in the visit's year; each line of 列入整改工作台账的问题 opens a ledger row with the
    row's 整改时限 and 责任人 (left empty: ``rectify_days`` after the visit, the branch secretary). All or
    nothing, each problem naming its row and column."""
    auth.require_role(actor, *REVIEWERS)
    problems: list[dict] = []
    rows = sheets.read(data, VISIT_COLUMNS, "挂点走访记录表", problems)
    persons = _people_by_name(db, actor)
    branches = auth.visible_branches_by_name(db, actor)
    headers = {c.key: c.header for c in VISIT_COLUMNS}
    today, ready = dt.date.today(), []
    for r in rows:
        cols, before = r["_cols"], len(problems)

        def bad(key: str, message: str) -> None:
            problems.append(sheets.problem(r["row"], cols.get(key), headers[key], message))

        person = sheets.one_by_name(problems, r, "person", headers["person"], persons,
                                    "不在人员名单中（请先新增或导入人员）")
        org = sheets.one_by_name(problems, r, "branch", headers["branch"], branches)
        day = r["visited_on"]
        if day > today:
            bad("visited_on", "走访日期不能晚于今天")
        lines = [line.strip() for line in (r["rows"] or "").splitlines() if line.strip()]
        if any(len(line) > 2000 for line in lines):
            bad("rows", "有一条问题过长（最多2000字）")
        if not r["found"] and not lines:
            bad("found", "请填写走访发现的问题")
        if r["due_on"] is not None and r["due_on"] < day:
            bad("due_on", "整改时限不能早于走访日期")
        a = None
        if person is not None and org is not None:
            a = db.scalar(select(LeaderAssignment).where(
                LeaderAssignment.person_id == person.id, LeaderAssignment.organisation_id == org.id,
                LeaderAssignment.year == day.year).order_by(LeaderAssignment.id).limit(1))
            if a is None:
                bad("branch", f"{person.name}{day.year}年未挂点{org.name}（请先落实挂点）")
        if len(problems) == before:
            ready.append((a, r, lines))
    problems.sort(key=lambda p: (p["row"], p["column"]))
    sheets.fail(problems, "挂点走访记录表")
    opened = 0
    for a, r, lines in ready:
        v = add_visit(db, actor, a.id, {
            "visited_on": r["visited_on"].isoformat(), "found": r["found"] or "", "follow_up": r["follow_up"] or "",
            "open_rows": [{"problem": line, "due_on": r["due_on"].isoformat() if r["due_on"] else None,
                           "owner": r["owner"]} for line in lines]}, rectify_days=rectify_days)
        opened += len(v["ledger_item_ids"])
    audit.record(db, actor, "leader_visit_import", "leader_visit", None, {"rows": len(rows), "ledger_items": opened},
                 organisation_id=actor.organisation_id)
    return {"rows": len(rows), "created": len(rows), "ledger_items": opened}
