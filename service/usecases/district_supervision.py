"""督导组 (JH-5): groups with members, the 党委 each covers and its 督导清单 (check list, data an admin
edits); inspections (定点监测、实地检查、随机抽查) of a branch with answers to the list and findings, each of
which opens a 整改工作台账 row in one step (through ``usecases.ledger``).
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit, auth
from ..config import DEFAULT_RECTIFY_DAYS
from ..errors import Conflict, Invalid, NotFound
from ..exports import template_examples
from ..models import Inspection, Organisation, SupervisionGroup, User
from ..vocabulary import INSPECTION_KINDS
from . import ledger, sheets
from .validate import opt_strings
from .serialize import iso
from .validate import opt_date, opt_int, opt_str

REVIEWERS = auth.REVIEWERS


def group_dict(g: SupervisionGroup, names: dict[int, str] | None = None) -> dict:
    names = names or {}
    return {"id": g.id, "organisation_id": g.organisation_id, "name": g.name, "leader": g.leader,
            "members": list(g.members or []), "committee_ids": list(g.committee_ids or []),
            "committee_names": [names.get(i, "") for i in g.committee_ids or []], "checklist": list(g.checklist or [])}


def _names(db: Session, ids) -> dict[int, str]:
    ids = set(ids)
    return dict(db.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).all()) if ids else {}


def groups(db: Session, actor: User) -> list[dict]:
    auth.require_role(actor, *REVIEWERS)
    rows = list(db.execute(auth.filter_visible(select(SupervisionGroup).order_by(SupervisionGroup.id),
                                               SupervisionGroup.organisation_id, db, actor)).scalars())
    names = _names(db, {i for g in rows for i in g.committee_ids or []})
    return [group_dict(g, names) for g in rows]


def _group(db: Session, actor: User, group_id: int) -> SupervisionGroup:
    auth.require_role(actor, *REVIEWERS)
    return auth.load_visible(db, actor, SupervisionGroup, group_id, "未找到该督导组。")


def get_group(db: Session, actor: User, group_id: int) -> dict:
    g = _group(db, actor, group_id)
    out = group_dict(g, _names(db, g.committee_ids or []))
    out["inspections"] = inspections(db, actor, group_id=g.id)
    return out


def _apply(db: Session, actor: User, g: SupervisionGroup, payload: dict) -> None:
    if "name" in payload:
        g.name = opt_str(payload, "name", max_len=100, required=True)
    if "leader" in payload:
        g.leader = opt_str(payload, "leader", max_len=100) or ""
    if "members" in payload:
        g.members = opt_strings(payload, "members", max_len=100)
    if "checklist" in payload:
        g.checklist = opt_strings(payload, "checklist")
    if "committee_ids" in payload:
        ids = payload.get("committee_ids") or []
        if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise Invalid("负责的党委应为党委列表。", field="committee_ids")
        for i in ids:
            o = auth.load_visible(db, actor, Organisation, i, "未找到该党委。", organisation_of=lambda o: o.id)
            if o.kind != "party_committee":
                raise Invalid(f"“{o.name}”不是党委（党工委）。", field="committee_ids")
        g.committee_ids = sorted(set(ids))


def create_group(db: Session, actor: User, payload: dict) -> dict:
    """An admin sets up a group: ``{name, leader, members, committee_ids, checklist, organisation_id}``."""
    auth.require_role(actor, "admin")
    opt_str(payload, "name", max_len=100, required=True)
    org_id = opt_int(payload, "organisation_id", minimum=1, maximum=auth.MAX_ID) or actor.organisation_id
    auth.require_org_access(db, actor, org_id)
    if db.scalar(select(SupervisionGroup.id).where(SupervisionGroup.organisation_id == org_id,
                                                   SupervisionGroup.name == payload["name"].strip())):
        raise Conflict(f"已有名为“{payload['name'].strip()}”的督导组。", "group_exists")
    g = SupervisionGroup(organisation_id=org_id, name="", leader="", members=[], committee_ids=[], checklist=[])
    _apply(db, actor, g, payload)
    db.add(g)
    db.flush()
    audit.record(db, actor, "group_create", "supervision_group", g.id, {"name": g.name}, organisation_id=org_id)
    return group_dict(g, _names(db, g.committee_ids))


def update_group(db: Session, actor: User, group_id: int, payload: dict) -> dict:
    """An admin edits a group: members, the 党委 it covers, its 督导清单."""
    auth.require_role(actor, "admin")
    g = _group(db, actor, group_id)
    _apply(db, actor, g, payload)
    db.flush()
    audit.record(db, actor, "group_update", "supervision_group", g.id, {"fields": sorted(payload)},
                 organisation_id=g.organisation_id)
    return group_dict(g, _names(db, g.committee_ids))


# --- inspections ----------------------------------------------------------------------------------


def inspection_dict(i: Inspection, names: dict[int, str] | None = None, group: str = "") -> dict:
    return {"id": i.id, "group_id": i.group_id, "group_name": group, "organisation_id": i.organisation_id,
            "branch_name": (names or {}).get(i.organisation_id, ""), "kind": i.kind,
            "kind_name": INSPECTION_KINDS.get(i.kind, i.kind), "inspected_on": iso(i.inspected_on),
            "answers": dict(i.answers or {}), "findings": list(i.findings or [])}


def inspections(db: Session, actor: User, *, group_id: Optional[int] = None,
                organisation_id: Optional[int] = None) -> list[dict]:
    auth.require_role(actor, *REVIEWERS)
    query = auth.filter_visible(select(Inspection).order_by(Inspection.inspected_on.desc(), Inspection.id.desc()),
                                Inspection.organisation_id, db, actor, organisation_id)
    if group_id:
        query = query.where(Inspection.group_id == group_id)
    rows = list(db.execute(query).scalars())
    names = _names(db, {i.organisation_id for i in rows})
    gnames = dict(db.execute(select(SupervisionGroup.id, SupervisionGroup.name)).all()) if rows else {}
    parents = dict(db.execute(select(Organisation.id, Organisation.parent_id).where(
        Organisation.id.in_({i.organisation_id for i in rows}))).all()) if rows else {}
    committees = _names(db, {p for p in parents.values() if p})
    return [{**inspection_dict(i, names, gnames.get(i.group_id, "")),
             "committee": committees.get(parents.get(i.organisation_id), "")} for i in rows]


def _open_row(db: Session, actor: User, i: Inspection, group: SupervisionGroup, n: int,
              finding: dict, rectify_days: int = DEFAULT_RECTIFY_DAYS) -> dict:
    """The finding's ledger row: its 整改时限 and 责任人 as given, else ``rectify_days`` after the inspection and
    the branch secretary (:func:`service.usecases.ledger.open_found`)."""
    item = ledger.open_found(db, actor, i.organisation_id, category=finding.get("category") or "督导检查",
                             problem=finding["text"], owner=finding.get("owner"), due_on=finding.get("due_on"),
                             found_on=i.inspected_on, rectify_days=rectify_days,
                             source=f"{group.name}{sheets.cn(i.inspected_on)}{INSPECTION_KINDS.get(i.kind, '')}发现")
    return {**finding, "due_on": item["due_on"], "owner": item["owner"], "ledger_item_id": item["id"]}


def _covers(db: Session, g: SupervisionGroup, org: Organisation) -> bool:
    """Whether the branch is under a 党委 the group covers (a group covering none may inspect any)."""
    covered = set()
    for cid in g.committee_ids or []:
        covered |= auth.subtree_ids(db, cid)
    return not g.committee_ids or org.id in covered


def record(db: Session, actor: User, payload: dict, rectify_days: int = DEFAULT_RECTIFY_DAYS) -> dict:
    """An inspection: ``{group_id, organisation_id, kind, inspected_on, answers: {check item: answer},
    findings: [{text, open_ledger, category, due_on, owner}]}``; a finding with ``open_ledger`` opens its row
    (without a 整改时限 or 责任人: ``rectify_days`` after the inspection, the branch secretary)."""
    g = _group(db, actor, opt_int(payload, "group_id", minimum=1, maximum=auth.MAX_ID, required=True))
    org_id = opt_int(payload, "organisation_id", minimum=1, maximum=auth.MAX_ID, required=True)
    org = auth.load_visible(db, actor, Organisation, org_id, "未找到该组织。", organisation_of=lambda o: o.id)
    if org.kind != "branch":
        raise Invalid("督导检查的对象应为党支部。", field="organisation_id")
    if not _covers(db, g, org):
        raise Invalid(f"{org.name}不在{g.name}负责督导的党委之内。", "not_covered", field="organisation_id")
    kind = payload.get("kind") or "field"
    if not isinstance(kind, str) or kind not in INSPECTION_KINDS:
        raise Invalid("检查方式只能是定点监测、实地检查或随机抽查。", field="kind")
    day = opt_date(payload, "inspected_on") or dt.date.today()
    if day > dt.date.today():
        raise Invalid("检查日期不能晚于今天。", field="inspected_on")
    answers = payload.get("answers") or {}
    if not isinstance(answers, dict) or not all(isinstance(v, str) and len(v) <= 500 for v in answers.values()):
        raise Invalid("检查项回答应逐项对应督导清单，每项一段文字。", field="answers")
    unknown = [k for k in answers if k not in (g.checklist or [])]
    if unknown:
        raise Invalid(f"“{unknown[0][:30]}”不是{g.name}督导清单中的检查项。", field="answers")
    findings = payload.get("findings") or []
    if not isinstance(findings, list) or not all(isinstance(f, dict) and isinstance(f.get("text"), str)
                                                 and f["text"].strip() for f in findings):
        raise Invalid("发现的问题应为列表，每项须写明问题。", field="findings")
    i = Inspection(group_id=g.id, organisation_id=org.id, kind=kind, inspected_on=day, answers=answers, findings=[])
    db.add(i)
    db.flush()
    out = []
    for n, f in enumerate(findings):
        due = opt_date({"due_on": f.get("due_on")}, "due_on")
        if due is not None and due < day:
            raise Invalid("整改时限不能早于检查日期。", field="findings")
        clean = {"text": f["text"].strip()[:2000], "category": str(f.get("category") or "")[:100],
                 "due_on": iso(due), "owner": opt_str(f, "owner", max_len=100) or "",
                 "ledger_item_id": None}
        out.append(_open_row(db, actor, i, g, n, clean, rectify_days) if f.get("open_ledger") else clean)
    i.findings = out
    db.flush()
    audit.record(db, actor, "inspection", "inspection", i.id,
                 {"group_id": g.id, "ledger_items": [f["ledger_item_id"] for f in out if f["ledger_item_id"]]},
                 organisation_id=org.id)
    return inspection_dict(i, {org.id: org.name}, g.name)


def get(db: Session, actor: User, inspection_id: int) -> dict:
    auth.require_role(actor, *REVIEWERS)
    i = auth.load_visible(db, actor, Inspection, inspection_id, "未找到该督导检查记录。")
    return inspection_dict(i, _names(db, {i.organisation_id}), db.get(SupervisionGroup, i.group_id).name)


def open_finding(db: Session, actor: User, inspection_id: int, index: int,
                 rectify_days: int = DEFAULT_RECTIFY_DAYS) -> dict:
    """One click: the finding number ``index`` (from 0) of an inspection opens its ledger row (its 整改时限 and
    责任人 as the finding has them, else ``rectify_days`` after the inspection and the branch secretary)."""
    auth.require_role(actor, *REVIEWERS)
    i = auth.load_visible(db, actor, Inspection, inspection_id, "未找到该督导检查记录。")
    findings = list(i.findings or [])
    if not 0 <= index < len(findings):
        raise NotFound("未找到该检查发现。")
    if findings[index].get("ledger_item_id"):
        raise Conflict("该问题已列入整改工作台账。", "finding_opened")
    findings[index] = _open_row(db, actor, i, db.get(SupervisionGroup, i.group_id), index, findings[index],
                                rectify_days)
    i.findings = findings
    db.flush()
    audit.record(db, actor, "inspection_open", "inspection", i.id,
                 {"finding": index, "ledger_item_id": findings[index]["ledger_item_id"]}, organisation_id=i.organisation_id)
    return get(db, actor, i.id)


# --- corrections and sheets ---------------------------------------------------------------------------


def delete_group(db: Session, actor: User, group_id: int) -> None:
    """A group set up by mistake; one that has inspected is kept (its records name it)."""
    auth.require_role(actor, "admin")
    g = _group(db, actor, group_id)
    if db.scalar(select(Inspection.id).where(Inspection.group_id == g.id).limit(1)):
        raise Conflict(f"{g.name}已有督导检查记录，不能删除。", "group_has_inspections")
    audit.record(db, actor, "group_delete", "supervision_group", g.id, {"name": g.name}, organisation_id=g.organisation_id)
    db.delete(g)
    db.flush()


def _inspection(db: Session, actor: User, inspection_id: int) -> Inspection:
    auth.require_role(actor, *REVIEWERS)
    return auth.load_visible(db, actor, Inspection, inspection_id, "未找到该督导检查记录。")


def update_inspection(db: Session, actor: User, inspection_id: int, payload: dict) -> dict:
    """Correct an inspection: ``kind``, ``inspected_on``, ``answers`` (to the group's list), and ``findings``
    (texts): the findings already in the ledger are kept as they are, the others are replaced by those given."""
    i = _inspection(db, actor, inspection_id)
    g = db.get(SupervisionGroup, i.group_id)
    if payload.get("kind"):
        if not isinstance(payload["kind"], str) or payload["kind"] not in INSPECTION_KINDS:
            raise Invalid("检查方式只能是定点监测、实地检查或随机抽查。", field="kind")
        i.kind = payload["kind"]
    if payload.get("inspected_on"):
        day = opt_date(payload, "inspected_on")
        if day > dt.date.today():
            raise Invalid("检查日期不能晚于今天。", field="inspected_on")
        i.inspected_on = day
    if "answers" in payload:
        answers = payload.get("answers") or {}
        if not isinstance(answers, dict) or not all(isinstance(v, str) and len(v) <= 500 for v in answers.values()):
            raise Invalid("检查项回答应逐项对应督导清单，每项一段文字。", field="answers")
        unknown = [k for k in answers if k not in (g.checklist or [])]
        if unknown:
            raise Invalid(f"“{unknown[0][:30]}”不是{g.name}督导清单中的检查项。", field="answers")
        i.answers = {k: v.strip() for k, v in answers.items() if v.strip()}
    if "findings" in payload:
        texts = opt_strings(payload, "findings", max_items=100, max_len=2000)
        kept = [f for f in i.findings or [] if f.get("ledger_item_id")]
        i.findings = kept + [{"text": t, "category": "", "due_on": None, "ledger_item_id": None}
                             for t in texts if t not in {f["text"] for f in kept}]
    db.flush()
    audit.record(db, actor, "inspection_update", "inspection", i.id, {"fields": sorted(payload)},
                 organisation_id=i.organisation_id)
    return get(db, actor, i.id)


def delete_inspection(db: Session, actor: User, inspection_id: int) -> None:
    """An inspection entered by mistake; one whose findings are in the ledger stays."""
    i = _inspection(db, actor, inspection_id)
    if any(f.get("ledger_item_id") for f in i.findings or []):
        raise Conflict("该检查发现的问题已列入整改工作台账，不能删除。", "inspection_has_rows")
    audit.record(db, actor, "inspection_delete", "inspection", i.id, {"group_id": i.group_id},
                 organisation_id=i.organisation_id)
    db.delete(i)
    db.flush()


GROUP_COLUMNS = [sheets.Column("name", "督导组", required=True, aliases=("名称", "督导组名称"), max_len=100),
                 sheets.Column("leader", "组长", max_len=100),
                 sheets.Column("members", "成员", "list", max_len=2000),
                 sheets.Column("committees", "负责督导的党委", "list", aliases=("负责党委",), max_len=3000),
                 sheets.Column("checklist", "督导清单", max_len=30000)]


GROUP_EXAMPLE = template_examples([["第一督导组", "刘明", "刘明、陈亮", "大邱庄镇党委",
                                  "是否每月8日开展主题党日\n三会一课记录是否完整"]])[0]


def groups_template() -> bytes:
    return sheets.template(GROUP_COLUMNS, GROUP_EXAMPLE, "督导组")


def import_groups(db: Session, actor: User, data: bytes) -> dict:
    """An admin's sheet of groups (督导清单 one item a line in its cell): a group of the same name is updated."""
    auth.require_role(actor, "admin")
    problems: list[dict] = []
    rows = sheets.read(data, GROUP_COLUMNS, "督导组名单", problems)
    committees: dict[str, list[int]] = {}
    for o in db.execute(select(Organisation).where(Organisation.kind == "party_committee")).scalars():
        committees.setdefault(o.name, []).append(o.id)
    ready = []
    for r in rows:
        ids, bad = [], False
        for name in r["committees"]:
            if len(committees.get(name, [])) != 1:
                problems.append(sheets.problem(r["row"], r["_cols"].get("committees"), "负责督导的党委",
                                               f"“{name}”" + ("有重名" if committees.get(name) else "不是党委（党工委）")))
                bad = True
            else:
                ids.append(committees[name][0])
        if not bad:
            ready.append((r, ids))
    problems.sort(key=lambda p: (p["row"], p["column"]))
    sheets.fail(problems, "督导组名单")
    existing = {g.name: g for g in db.execute(select(SupervisionGroup).where(
        SupervisionGroup.organisation_id == actor.organisation_id)).scalars()}
    created = updated = 0
    for r, ids in ready:
        payload = {"name": r["name"], "leader": r["leader"] or "", "members": r["members"], "committee_ids": ids,
                   "checklist": [line.strip() for line in (r["checklist"] or "").splitlines() if line.strip()]}
        if r["name"] in existing:
            update_group(db, actor, existing[r["name"]].id, payload)
            updated += 1
        else:
            existing[r["name"]] = db.get(SupervisionGroup, create_group(db, actor, payload)["id"])
            created += 1
    return {"rows": len(rows), "created": created, "updated": updated}


def groups_xlsx(db: Session, actor: User) -> bytes:
    return sheets.workbook([c.header for c in GROUP_COLUMNS], [
        [g["name"], g["leader"], "、".join(g["members"]), "、".join(g["committee_names"]), "\n".join(g["checklist"])]
        for g in groups(db, actor)], "督导组")


def inspections_xlsx(db: Session, actor: User, organisation_id: Optional[int] = None) -> bytes:
    rows = inspections(db, actor, organisation_id=organisation_id)
    return sheets.workbook(["检查日期", "督导组", "方式", "党支部", "检查情况", "发现的问题", "列入整改工作台账（项）"], [
        [sheets.cn(dt.date.fromisoformat(i["inspected_on"])), i["group_name"], i["kind_name"], i["branch_name"],
         "\n".join(f"{q}：{a}" for q, a in i["answers"].items()), "\n".join(f["text"] for f in i["findings"]),
         sum(1 for f in i["findings"] if f.get("ledger_item_id"))] for i in rows], "督导检查")


INSPECTION_COLUMNS = [sheets.Column("group", "督导组", required=True, aliases=("督导组名称",), max_len=100),
                      sheets.Column("branch", "党支部", required=True, aliases=("支部名称", "党支部名称")),
                      sheets.Column("kind", "检查方式", aliases=("方式",), max_len=30),
                      sheets.Column("inspected_on", "检查日期", "date", required=True, aliases=("日期",)),
                      sheets.Column("answers", "检查情况", aliases=("督导清单检查情况",), max_len=30000),
                      sheets.Column("findings", "发现的问题", max_len=30000),
                      sheets.Column("open_ledger", "列入整改工作台账", "bool", aliases=("是否列入整改工作台账",)),
                      sheets.Column("due_on", "整改时限", "date"),
                      sheets.Column("owner", "责任人", max_len=100)]


def _inspection_example(today: dt.date) -> list:
    return ["第一督导组", "大邱庄村党支部", INSPECTION_KINDS["field"], sheets.cn(today - dt.timedelta(days=1)),
            "是否每月8日开展主题党日：是\n三会一课记录是否完整：9月支委会无记录", "三会一课记录不全\n党费未按月收缴", "是",
            sheets.cn(today + dt.timedelta(days=89)), "郑海"]


sheets.dated_examples(lambda day: [_inspection_example(day)])


def inspections_template() -> bytes:
    return sheets.template(INSPECTION_COLUMNS, _inspection_example(dt.date.today()), "督导检查记录")


def _answers(text: str | None, checklist: list[str]) -> tuple[dict[str, str], str | None]:
    """检查情况, a line per check item as “检查项：情况”: the answers, or the problem of the first bad line."""
    out: dict[str, str] = {}
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        sep = min((i for i in (line.find("："), line.find(":")) if i > 0), default=-1)
        if sep < 0:
            return out, f"“{line[:30]}”应写成“检查项：情况”，每项一行"
        item, answer = line[:sep].strip(), line[sep + 1:].strip()
        if item not in checklist:
            return out, f"“{item[:30]}”不是该督导组督导清单中的检查项"
        if len(answer) > 500:
            return out, f"“{item[:30]}”的情况过长（最多500字）"
        out[item] = answer
    return out, None


def import_inspections(db: Session, actor: User, data: bytes, rectify_days: int = DEFAULT_RECTIFY_DAYS) -> dict:
    """Inspections kept in Excel (:data:`INSPECTION_COLUMNS`): a group and a branch it covers, the way and the
    day, the answers to the group's 督导清单 (a line per item), the findings (a line each; with 列入整改工作台账
    they open their ledger rows, with the row's 整改时限 and 责任人, left empty: ``rectify_days`` after the
    inspection and the branch secretary). All or nothing, each problem naming its row and column."""
    auth.require_role(actor, *REVIEWERS)
    problems: list[dict] = []
    rows = sheets.read(data, INSPECTION_COLUMNS, "督导检查记录表", problems)
    by_group: dict[str, list[SupervisionGroup]] = {}
    for g in db.execute(auth.filter_visible(select(SupervisionGroup), SupervisionGroup.organisation_id,
                                            db, actor)).scalars():
        by_group.setdefault(g.name, []).append(g)
    branches = auth.visible_branches_by_name(db, actor)
    kinds = {**{k: k for k in INSPECTION_KINDS}, **{n: k for k, n in INSPECTION_KINDS.items()}}
    headers = {c.key: c.header for c in INSPECTION_COLUMNS}
    today, ready = dt.date.today(), []
    for r in rows:
        cols, before = r["_cols"], len(problems)

        def bad(key: str, message: str) -> None:
            problems.append(sheets.problem(r["row"], cols.get(key), headers[key], message))

        g = sheets.one_by_name(problems, r, "group", headers["group"], by_group, "不是已设立的督导组")
        org = sheets.one_by_name(problems, r, "branch", headers["branch"], branches)
        if g is not None and org is not None and not _covers(db, g, org):
            bad("branch", f"{org.name}不在{g.name}负责督导的党委之内")
        kind = kinds.get(r["kind"] or "field")
        if kind is None:
            bad("kind", "应为" + "、".join(INSPECTION_KINDS.values()) + "之一")
        if r["inspected_on"] > today:
            bad("inspected_on", "检查日期不能晚于今天")
        answers: dict[str, str] = {}
        if g is not None:
            answers, wrong = _answers(r["answers"], list(g.checklist or []))
            if wrong:
                bad("answers", wrong)
        findings = [line.strip() for line in (r["findings"] or "").splitlines() if line.strip()]
        if any(len(f) > 2000 for f in findings):
            bad("findings", "有一条问题过长（最多2000字）")
        if r["open_ledger"] and not findings:
            bad("open_ledger", "没有发现的问题可列入整改工作台账")
        if r["due_on"] is not None and r["due_on"] < r["inspected_on"]:
            bad("due_on", "整改时限不能早于检查日期")
        if len(problems) == before:
            ready.append({"group_id": g.id, "organisation_id": org.id, "kind": kind,
                          "inspected_on": r["inspected_on"].isoformat(), "answers": answers,
                          "findings": [{"text": f, "open_ledger": bool(r["open_ledger"]),
                                        "due_on": r["due_on"].isoformat() if r["due_on"] else None,
                                        "owner": r["owner"] or ""} for f in findings]})
    problems.sort(key=lambda p: (p["row"], p["column"]))
    sheets.fail(problems, "督导检查记录表")
    opened = 0
    for payload in ready:
        i = record(db, actor, payload, rectify_days)
        opened += sum(1 for f in i["findings"] if f["ledger_item_id"])
    audit.record(db, actor, "inspection_import", "inspection", None, {"rows": len(rows), "ledger_items": opened},
                 organisation_id=actor.organisation_id)
    return {"rows": len(rows), "created": len(rows), "ledger_items": opened}
