"""书记项目 (JH-5): each of the district's 45 党委（工委） secretaries runs one project a year, with four required
outputs (解决一个问题、形成一个报告、创造一条经验、打造一个标杆) tracked as milestones: a status, the day it was
done, a note and evidence files (kept in the FileStore, 20 MB each at most, 10 per output).

A project belongs to its 党委; the reviewers above it (the 区委组织部) keep it. One project per 党委 and year:
the XLSX import updates the project a 党委 already has for that year (an import is a correction).
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit, auth
from ..errors import Conflict, Invalid, NotFound
from ..exports import template_examples
from ..models import DistrictPerson, Organisation, ProjectMilestone, SecretaryProject, User
from ..storage import FileStore
from ..vocabulary import MILESTONE_STATUSES, PROJECT_OUTPUTS, cn_date
from . import sheets
from .serialize import iso
from .validate import opt_date, opt_int, opt_str, year_value

REVIEWERS = auth.REVIEWERS
COMMITTEE_KINDS = ("party_committee", "street")
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
MAX_FILES = 10
COLUMNS = [sheets.Column("committee", "党委（工委）", required=True, aliases=("党委", "党工委", "单位"), max_len=200),
           sheets.Column("year", "年度", "int", required=True),
           sheets.Column("title", "项目名称", required=True, max_len=300),
           sheets.Column("secretary", "书记", aliases=("书记姓名", "负责人"), max_len=100),
           sheets.Column("summary", "项目简介", aliases=("简介", "主要内容"), max_len=2000),
           *[sheets.Column(k, name, aliases=(name[2:],)) for k, name in PROJECT_OUTPUTS.items()]]
EXAMPLE = template_examples([["大邱庄镇党委", 2026, "“党建+产业”助力村集体经济增收", "吴刚", "以党建引领壮大村集体经济",
           "已完成", "推进中", "未开始", "未开始"]])[0]  # refused when left in an import


def _status(value) -> str:
    text = "".join(str(value or "").split())
    if not text:
        return "planned"
    for code, name in MILESTONE_STATUSES.items():
        if text in (code, name):
            return code
    raise Invalid("状态应为" + "、".join(MILESTONE_STATUSES.values()) + "之一。", field="status")


def progress_status(done: int, started: int) -> str:
    """A project's status from its outputs: 已完成 when all four are done, 未开始 when none has begun."""
    if done == len(PROJECT_OUTPUTS):
        return "done"
    return "in_progress" if done or started else "planned"


def milestone_dict(m: ProjectMilestone) -> dict:
    return {"kind": m.kind, "kind_name": PROJECT_OUTPUTS.get(m.kind, m.kind), "status": m.status,
            "status_name": MILESTONE_STATUSES.get(m.status, m.status), "done_on": iso(m.done_on),
            "done_on_text": cn_date(m.done_on), "note": m.note,
            "evidence": [{"index": i, "name": e.get("name", ""), "size": e.get("size", 0),
                          "added_on": e.get("added_on")} for i, e in enumerate(m.evidence or [])]}


def project_dict(p: SecretaryProject, milestones: list[ProjectMilestone], org: Organisation | None,
                 person: DistrictPerson | None) -> dict:
    order = list(PROJECT_OUTPUTS)
    ms = sorted(milestones, key=lambda m: order.index(m.kind) if m.kind in order else 99)
    done = sum(m.status == "done" for m in ms)
    status = progress_status(done, sum(m.status == "in_progress" for m in ms))
    return {"id": p.id, "organisation_id": p.organisation_id, "organisation_name": org.name if org else "",
            "person_id": p.person_id, "person_name": person.name if person else ((org.secretary or "") if org else ""),
            "year": p.year, "title": p.title, "summary": p.summary, "done": done, "outputs": len(PROJECT_OUTPUTS),
            "progress": f"{done}/{len(PROJECT_OUTPUTS)}", "status": status, "status_name": MILESTONE_STATUSES[status],
            "milestones": [milestone_dict(m) for m in ms]}


def _committee(db: Session, actor: User, org_id: int) -> Organisation:
    org = auth.load_visible(db, actor, Organisation, org_id, "未找到该组织。", organisation_of=lambda o: o.id)
    if org.kind not in COMMITTEE_KINDS:
        raise Invalid("书记项目属于党委（工委）。", field="organisation_id")
    return org


def committees(db: Session, actor: User) -> list[dict]:
    """The 党委（工委） the actor keeps projects for."""
    auth.require_role(actor, *REVIEWERS)
    query = auth.filter_visible(select(Organisation).where(Organisation.kind.in_(COMMITTEE_KINDS),
                                                           Organisation.dissolved_on.is_(None))
                                .order_by(Organisation.id), Organisation.id, db, actor)
    return [{"id": o.id, "name": o.name, "secretary": o.secretary or ""} for o in db.execute(query).scalars()]


def _person(db: Session, actor: User, person_id: Optional[int]) -> Optional[DistrictPerson]:
    if not person_id:
        return None
    p = auth.load_visible(db, actor, DistrictPerson, person_id, "未找到该人员。")
    if p.rank != "committee_secretary":
        raise Invalid("书记项目的负责人应为党委（工委）书记。", field="person_id")
    return p


def _rows(db: Session, projects: list[SecretaryProject]) -> list[dict]:
    if not projects:
        return []
    ids = [p.id for p in projects]
    ms: dict[int, list[ProjectMilestone]] = {}
    for m in db.execute(select(ProjectMilestone).where(ProjectMilestone.project_id.in_(ids))).scalars():
        ms.setdefault(m.project_id, []).append(m)
    orgs = {o.id: o for o in db.execute(select(Organisation).where(
        Organisation.id.in_({p.organisation_id for p in projects}))).scalars()}
    pids = {p.person_id for p in projects if p.person_id}
    people = {x.id: x for x in db.execute(select(DistrictPerson).where(DistrictPerson.id.in_(pids))).scalars()} \
        if pids else {}
    return [project_dict(p, ms.get(p.id, []), orgs.get(p.organisation_id), people.get(p.person_id)) for p in projects]


def projects(db: Session, actor: User, *, year: Optional[int] = None, organisation_id: Optional[int] = None,
             status: Optional[str] = None) -> list[dict]:
    auth.require_role(actor, *REVIEWERS)
    query = auth.filter_visible(select(SecretaryProject).order_by(SecretaryProject.year.desc(),
                                                                  SecretaryProject.organisation_id),
                                SecretaryProject.organisation_id, db, actor, organisation_id)
    if year:
        query = query.where(SecretaryProject.year == year_value(year))
    rows = _rows(db, list(db.execute(query).scalars()))
    if status:
        code = _status(status)
        rows = [r for r in rows if r["status"] == code]
    return rows


def _load(db: Session, actor: User, project_id: int) -> SecretaryProject:
    auth.require_role(actor, *REVIEWERS)
    return auth.load_visible(db, actor, SecretaryProject, project_id, "未找到该书记项目。")


def get(db: Session, actor: User, project_id: int) -> dict:
    return _rows(db, [_load(db, actor, project_id)])[0]


def _milestones(db: Session, project_id: int) -> dict[str, ProjectMilestone]:
    return {m.kind: m for m in db.execute(select(ProjectMilestone).where(
        ProjectMilestone.project_id == project_id)).scalars()}


def _apply_milestones(db: Session, p: SecretaryProject, changes) -> None:
    """``{kind: {"status", "done_on", "note"}}``: 已完成 takes a date (today when none is given)."""
    if not isinstance(changes, dict):
        raise Invalid("四个成果应按成果填写状态。", field="milestones")
    have = _milestones(db, p.id)
    today = dt.date.today()
    for kind, values in changes.items():
        if kind not in PROJECT_OUTPUTS:
            raise Invalid("成果只能是" + "、".join(PROJECT_OUTPUTS.values()) + "。", field="milestones")
        if not isinstance(values, dict):
            raise Invalid(f"“{PROJECT_OUTPUTS[kind]}”应写明状态、完成日期和说明。", field="milestones")
        try:
            _apply_milestone(have[kind], kind, values, today)
        except Invalid as exc:  # which output's value it was (a form has a status, a date and a note for each)
            exc.detail = {**(exc.detail or {}), "milestone": kind}
            raise


def _apply_milestone(m: ProjectMilestone, kind: str, values: dict, today: dt.date) -> None:
    if "status" in values:
        m.status = _status(values.get("status"))
    if "done_on" in values:
        m.done_on = opt_date(values, "done_on")
    if "note" in values:
        m.note = opt_str(values, "note", max_len=2000) or ""
    if m.status == "done" and m.done_on is None:
        m.done_on = today
    if m.status != "done":
        m.done_on = None
    if m.done_on and m.done_on > today:
        raise Invalid(f"“{PROJECT_OUTPUTS[kind]}”的完成日期不能晚于今天。", field="done_on")


def create(db: Session, actor: User, payload: dict) -> dict:
    """A 党委's project of a year: ``{organisation_id, year, title, summary, person_id, milestones}``."""
    auth.require_role(actor, *REVIEWERS)
    org = _committee(db, actor, opt_int(payload, "organisation_id", minimum=1, maximum=auth.MAX_ID, required=True))
    year = year_value(payload.get("year") or dt.date.today().year)
    title = opt_str(payload, "title", max_len=300, required=True)
    if db.scalar(select(SecretaryProject.id).where(SecretaryProject.organisation_id == org.id,
                                                   SecretaryProject.year == year)):
        raise Conflict(f"{org.name}{year}年已有书记项目（每个党委每年一个）。", "project_exists")
    person = _person(db, actor, opt_int(payload, "person_id", minimum=1, maximum=auth.MAX_ID))
    p = SecretaryProject(organisation_id=org.id, person_id=person.id if person else None, year=year, title=title,
                         summary=opt_str(payload, "summary", max_len=2000) or "")
    db.add(p)
    db.flush()
    for kind in PROJECT_OUTPUTS:
        db.add(ProjectMilestone(project_id=p.id, kind=kind, status="planned", note="", evidence=[]))
    db.flush()
    if payload.get("milestones"):
        _apply_milestones(db, p, payload["milestones"])
        db.flush()
    audit.record(db, actor, "project_create", "secretary_project", p.id, {"year": year}, organisation_id=org.id)
    return get(db, actor, p.id)


def update(db: Session, actor: User, project_id: int, payload: dict) -> dict:
    p = _load(db, actor, project_id)
    if "title" in payload:
        p.title = opt_str(payload, "title", max_len=300, required=True)
    if "summary" in payload:
        p.summary = opt_str(payload, "summary", max_len=2000) or ""
    if "person_id" in payload:
        person = _person(db, actor, opt_int(payload, "person_id", minimum=1, maximum=auth.MAX_ID))
        p.person_id = person.id if person else None
    if "milestones" in payload:
        _apply_milestones(db, p, payload["milestones"])
    db.flush()
    audit.record(db, actor, "project_update", "secretary_project", p.id, {"fields": sorted(payload)},
                 organisation_id=p.organisation_id)
    return get(db, actor, p.id)


def attach(db: Session, store: FileStore, actor: User, project_id: int, kind: str, upload) -> dict:
    """An evidence file of one output: ``upload`` is ``(name, bytes)``, at most 20 MB."""
    p = _load(db, actor, project_id)
    if kind not in PROJECT_OUTPUTS:
        raise NotFound("未找到该成果。")
    if not upload or not upload[1]:
        raise Invalid("请选择佐证材料（不能是空文件）。", field="file")
    name, data = upload
    if len(data) > MAX_EVIDENCE_BYTES:
        raise Invalid("佐证材料过大（最多 20 MB）。", "too_large", field="file")
    m = _milestones(db, p.id)[kind]
    if len(m.evidence or []) >= MAX_FILES:
        raise Conflict(f"“{PROJECT_OUTPUTS[kind]}”已有{MAX_FILES}份佐证材料。", "too_many_files")
    sha = store.put_bytes(data)
    m.evidence = [*(m.evidence or []), {"sha256": sha, "name": (name or "佐证材料")[-200:], "size": len(data),
                                        "added_on": dt.date.today().isoformat()}]
    db.flush()
    audit.record(db, actor, "project_evidence", "secretary_project", p.id,
                 {"kind": PROJECT_OUTPUTS[kind], "sha256": sha},
                 organisation_id=p.organisation_id)
    return get(db, actor, p.id)


def evidence(db: Session, actor: User, project_id: int, kind: str, index: int) -> tuple[str, str]:
    p = _load(db, actor, project_id)
    m = _milestones(db, p.id).get(kind)
    files = (m.evidence or []) if m else []
    if not 0 <= index < len(files):
        raise NotFound("未找到该佐证材料。")
    return files[index]["sha256"], files[index]["name"]


# --- XLSX -------------------------------------------------------------------------------------------


def import_xlsx(db: Session, actor: User, data: bytes) -> dict:
    """Projects from the sheet (党委、年度、项目名称、书记、项目简介 and the four outputs' status): all or nothing;
    a 党委 outside the caller's view or an unknown status names its row and column."""
    auth.require_role(actor, *REVIEWERS)
    problems: list[dict] = []
    rows = sheets.read(data, COLUMNS, "书记项目表", problems)
    by_name = {c["name"]: c for c in committees(db, actor)}
    headers = {c.key: c.header for c in COLUMNS}
    seen: dict[tuple, int] = {}
    ok = []
    for r in rows:
        cols = r["_cols"]
        c = by_name.get(r["committee"])
        if c is None:
            problems.append(sheets.problem(r["row"], cols.get("committee"), headers["committee"],
                                           f"“{r['committee']}”不是您管辖范围内的党委（工委）"))
            continue
        if not 2000 <= r["year"] <= 2100:
            problems.append(sheets.problem(r["row"], cols.get("year"), headers["year"], "应为2000至2100的年份"))
            continue
        for kind in PROJECT_OUTPUTS:
            try:
                r[kind] = _status(r.get(kind))
            except Invalid:
                problems.append(sheets.problem(r["row"], cols.get(kind), headers[kind],
                                               "应为" + "、".join(MILESTONE_STATUSES.values()) + "之一"))
        key = (c["id"], r["year"])
        if key in seen:
            problems.append(sheets.problem(r["row"], cols.get("committee"), headers["committee"],
                                           f"与第{seen[key]}行是同一党委同一年度"))
        seen[key] = r["row"]
        ok.append((c, r))
    problems.sort(key=lambda p: (p["row"], p["column"]))
    sheets.fail(problems, "书记项目表")
    secretaries = {x.name: x.id for x in db.execute(auth.filter_visible(
        select(DistrictPerson).where(DistrictPerson.rank == "committee_secretary"), DistrictPerson.organisation_id,
        db, actor)).scalars()}
    created = 0
    for c, r in ok:
        milestones = {k: {"status": r[k]} for k in PROJECT_OUTPUTS}
        existing = db.scalar(select(SecretaryProject.id).where(SecretaryProject.organisation_id == c["id"],
                                                               SecretaryProject.year == r["year"]))
        payload = {"title": r["title"], "summary": r.get("summary") or "", "milestones": milestones}
        if r.get("secretary") in secretaries:
            payload["person_id"] = secretaries[r["secretary"]]
        if existing:
            update(db, actor, existing, payload)
        else:
            create(db, actor, {**payload, "organisation_id": c["id"], "year": r["year"]})
            created += 1
    return {"rows": len(rows), "created": created, "updated": len(rows) - created}


def template() -> bytes:
    return sheets.template(COLUMNS, EXAMPLE, "书记项目")


def export_xlsx(items: list[dict]) -> bytes:
    return sheets.workbook([c.header for c in COLUMNS] + ["进度"], [
        [d["organisation_name"], d["year"], d["title"], d["person_name"], d["summary"],
         *[m["status_name"] for m in d["milestones"]], d["progress"]] for d in items], "书记项目")
