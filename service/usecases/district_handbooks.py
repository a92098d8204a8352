"""两册 (JH-6): the distribution registers of the 《党支部工作手册》 (one per branch) and the 《党员学习手册》
(one per member, numbered like the member's 党员证: without a number of its own it takes the card's), and
the 抽查 (spot checks) of a branch's 两册一证 with their result, whose problems open 整改工作台账 rows in one
step (through ``usecases.ledger``, as 督导组 inspections do).

A register line is unique by its kind and number: an import that names a number again corrects that line
instead of adding one. Registers: any role within its view (a branch records what it received); 抽查: reviewers.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import audit, auth
from ..errors import Conflict, Invalid, NotFound
from ..exports import template_examples
from ..models import HandbookIssue, MemberRecord, Organisation, PartyMember, SpotCheck, User
from ..vocabulary import HANDBOOK_KINDS, SPOT_CHECK_ITEMS, SPOT_CHECK_RESULTS
from . import district_members, ledger, sheets
from .serialize import iso
from .validate import opt_date, opt_int, opt_str, opt_strings

REVIEWERS = auth.REVIEWERS
COLUMNS = [sheets.Column("kind", "手册", required=True, aliases=("类别", "手册名称"), max_len=30),
           sheets.Column("branch_name", "党支部", required=True, aliases=("支部名称",), max_len=200),
           sheets.Column("name", "党员姓名", aliases=("姓名",), max_len=100),
           sheets.Column("card_number", "党员证编号", aliases=("党员证号",), max_len=50),
           sheets.Column("number", "手册编号", aliases=("编号",), max_len=50),
           sheets.Column("given_on", "发放日期", "date", required=True, aliases=("日期",)),
           sheets.Column("received_by", "领取人", aliases=("签收人",), max_len=100)]
#: refused when left in an import (service.exports.example_check)
EXAMPLES = template_examples([[HANDBOOK_KINDS["branch_manual"], "大邱庄村党支部", "", "", "JHSC-2025-001", "2025年3月1日", "郑海"],
            [HANDBOOK_KINDS["study_manual"], "大邱庄村党支部", "郑海", "", "", "2025年3月1日", "郑海"]])


def _names(db: Session, ids) -> dict[int, str]:
    ids = set(ids)
    return dict(db.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).all()) if ids else {}


def issue_dict(h: HandbookIssue, branch: str = "", member: str = "") -> dict:
    return {"id": h.id, "kind": h.kind, "kind_name": HANDBOOK_KINDS.get(h.kind, h.kind),
            "organisation_id": h.organisation_id, "organisation_name": branch, "member_id": h.member_id,
            "member_name": member, "number": h.number, "given_on": iso(h.given_on), "received_by": h.received_by}


def _kind(value) -> str:
    text = "".join(str(value or "").split()).strip("《》")
    for code, name in HANDBOOK_KINDS.items():
        if len(text) >= 4 and (text == code or text in name):
            return code
    raise ValueError(value)


def _write(db: Session, kind: str, org: Organisation, member: Optional[PartyMember], number: str,
           given_on: dt.date, received_by: str) -> tuple[HandbookIssue, bool]:
    h = db.execute(select(HandbookIssue).where(HandbookIssue.kind == kind, HandbookIssue.number == number)
                   ).scalar_one_or_none()
    created = h is None
    if created:
        h = HandbookIssue(kind=kind, number=number)
        db.add(h)
    h.organisation_id, h.member_id = org.id, member.id if member else None
    h.given_on, h.received_by = given_on, received_by or (member.name if member else "")
    return h, created


def _taken(db: Session, kind: str, number: str, org: Organisation, member: Optional[PartyMember]) -> bool:
    """The number is already registered to another branch or member."""
    h = db.execute(select(HandbookIssue).where(HandbookIssue.kind == kind, HandbookIssue.number == number)
                   ).scalar_one_or_none()
    return h is not None and (h.organisation_id != org.id or h.member_id != (member.id if member else None))


def save(db: Session, actor: User, payload: dict) -> dict:
    """A register line: ``{kind: branch_manual|study_manual, organisation_id (branch_manual) or member_id /
    card_number (study_manual), number (a study manual defaults to the member's 党员证 number), given_on, received_by}``."""
    kind = payload.get("kind")
    if not isinstance(kind, str) or kind not in HANDBOOK_KINDS:
        raise Invalid("手册只能是" + "或".join(HANDBOOK_KINDS.values()) + "。", field="kind")
    member = None
    if kind == "study_manual":
        member_id = opt_int(payload, "member_id", minimum=1, maximum=auth.MAX_ID)
        card = opt_str(payload, "card_number", max_len=50)
        if member_id is None and card:  # the page's form names the member by the 党员证 number
            member_id = db.scalar(select(PartyMember.id).where(PartyMember.card_number == card)) or auth.MAX_ID
        member = district_members.load(db, actor, member_id or opt_int(payload, "member_id", required=True))
        org = db.get(Organisation, member.organisation_id)
    else:
        org_id = opt_int(payload, "organisation_id", minimum=1, maximum=auth.MAX_ID) or actor.organisation_id
        org = auth.load_visible(db, actor, Organisation, org_id, "未找到该组织。", organisation_of=lambda o: o.id)
        if org.kind != "branch":
            raise Invalid(f"{HANDBOOK_KINDS[kind]}发给党支部。", field="organisation_id")
    number = opt_str(payload, "number", max_len=50) or (member.card_number if member else None)
    if not number:
        raise Invalid("请填写手册编号（该党员尚无党员证编号）。" if member else "请填写手册编号。", field="number")
    given_on = opt_date(payload, "given_on") or dt.date.today()
    if given_on > dt.date.today():
        raise Invalid("发放日期不能晚于今天。", field="given_on")
    if _taken(db, kind, number, org, member):
        raise Conflict(f"{HANDBOOK_KINDS[kind]}编号{number}已登记给其他{'党员' if member else '党支部'}。", "number_taken")
    h, created = _write(db, kind, org, member, number, given_on, opt_str(payload, "received_by", max_len=100) or "")
    db.flush()
    audit.record(db, actor, "handbook_issue", "handbook_issue", h.id, {"kind": kind, "number": number,
                                                                       "created": created}, organisation_id=org.id)
    return issue_dict(h, org.name, member.name if member else "")


def issues(db: Session, actor: User, *, kind: Optional[str] = None, organisation_id: Optional[int] = None) -> list[dict]:
    if kind is not None and kind not in HANDBOOK_KINDS:
        raise Invalid("手册只能是" + "或".join(HANDBOOK_KINDS.values()) + "。", field="kind")
    q = auth.filter_visible(select(HandbookIssue).order_by(HandbookIssue.kind, HandbookIssue.number),
                            HandbookIssue.organisation_id, db, actor, organisation_id)
    if kind:
        q = q.where(HandbookIssue.kind == kind)
    rows = list(db.execute(q).scalars())
    names = _names(db, {h.organisation_id for h in rows})
    people = dict(db.execute(select(PartyMember.id, PartyMember.name).where(
        PartyMember.id.in_({h.member_id for h in rows if h.member_id}))).all()) if rows else {}
    return [issue_dict(h, names.get(h.organisation_id, ""), people.get(h.member_id, "")) for h in rows]


def import_xlsx(db: Session, actor: User, data: bytes) -> dict:
    """The register sheet (:data:`COLUMNS`), both 手册 in one: all or nothing, each problem naming its row and
    column (a branch outside the caller's view, a member not found, a number missing or given twice)."""
    problems: list[dict] = []
    rows = sheets.read(data, COLUMNS, "手册发放登记表", problems)
    headers = {c.key: c.header for c in COLUMNS}
    visible = auth.visible_org_ids(db, actor)
    q = select(Organisation).where(Organisation.kind == "branch")
    if visible is not None:
        q = q.where(Organisation.id.in_(visible))
    branches: dict[str, list[Organisation]] = {}
    for o in db.execute(q).scalars():
        branches.setdefault(o.name, []).append(o)
    people: dict[tuple[int, str], list[PartyMember]] = {}
    cards: dict[str, PartyMember] = {}
    ids = [o.id for os in branches.values() for o in os]
    for m in (db.execute(select(PartyMember).where(PartyMember.organisation_id.in_(ids))).scalars() if ids else []):
        people.setdefault((m.organisation_id, m.name), []).append(m)
        if m.card_number:
            cards[m.card_number] = m
    today, seen, matched = dt.date.today(), {}, []
    for r in rows:
        cols, before = r["_cols"], len(problems)

        def bad(key: str, message: str) -> None:
            problems.append(sheets.problem(r["row"], cols.get(key), headers[key], message))

        try:
            kind = _kind(r["kind"])
        except ValueError:
            kind = None
            bad("kind", "手册应为" + "或".join(HANDBOOK_KINDS.values()))
        orgs = branches.get(r["branch_name"], [])
        org = orgs[0] if len(orgs) == 1 else None
        if org is None:
            bad("branch_name", f"“{r['branch_name']}”" + ("有重名" if orgs else "不是您管辖范围内的党支部"))
        member = None
        if kind == "study_manual" and org is not None:
            if r.get("card_number"):
                member = cards.get(r["card_number"])
                if member is None or member.organisation_id != org.id:
                    member = None
                    bad("card_number", f"“{r['card_number']}”不是{org.name}党员的党员证编号")
            elif not r.get("name"):
                bad("name", f"{HANDBOOK_KINDS['study_manual']}应写明发给哪名党员")
            else:
                ms = people.get((org.id, r["name"]), [])
                member = ms[0] if len(ms) == 1 else None
                if member is None:
                    bad("name", f"{org.name}有{len(ms)}名党员叫“{r['name']}”，请填写党员证编号" if ms
                        else f"“{r['name']}”不是{org.name}的党员")
        number = r.get("number") or (member.card_number if member else None)
        if kind and not number and (kind == "branch_manual" or member is not None):
            bad("number", "请填写手册编号" + ("（该党员尚无党员证编号）" if member else ""))
        if r["given_on"] > today:
            bad("given_on", "发放日期不能晚于今天")
        if kind and number:
            if (kind, number) in seen:
                bad("number", f"与第{seen[(kind, number)]}行编号相同")
            elif org is not None and _taken(db, kind, number, org, member):
                bad("number", f"编号{number}已登记给其他{'党员' if member else '党支部'}")
            seen[(kind, number)] = r["row"]
        if len(problems) == before:
            matched.append((kind, org, member, number, r["given_on"], r.get("received_by") or ""))
    problems.sort(key=lambda p: (p["row"], p["column"]))
    sheets.fail(problems, "手册发放登记表")
    created = 0
    for args in matched:
        _h, new = _write(db, *args)
        created += new
    db.flush()
    audit.record(db, actor, "handbook_import", "handbook_issue", None, {"rows": len(rows), "created": created})
    return {"rows": len(rows), "created": created, "updated": len(rows) - created}


def template() -> bytes:
    return sheets.workbook([c.header for c in COLUMNS], EXAMPLES, "手册发放登记")


def export_xlsx(items: list[dict]) -> bytes:
    return sheets.workbook([c.header for c in COLUMNS], [
        [d["kind_name"], d["organisation_name"], d["member_name"], "", d["number"],
         sheets.cn(dt.date.fromisoformat(d["given_on"])), d["received_by"]] for d in items], "手册发放登记")


# --- 抽查 ------------------------------------------------------------------------------------------


def branch_facts(db: Session, org_id: int, year: int) -> dict:
    """What a 抽查 looks at, from the records: members, 党员证 numbered, 学习手册 given, the branch's
    工作手册, members with a 党费 line this year."""
    members = db.scalar(select(func.count()).select_from(PartyMember).where(PartyMember.organisation_id == org_id))
    carded = db.scalar(select(func.count()).select_from(PartyMember).where(
        PartyMember.organisation_id == org_id, PartyMember.card_number.is_not(None)))
    study = db.scalar(select(func.count()).select_from(HandbookIssue).where(
        HandbookIssue.organisation_id == org_id, HandbookIssue.kind == "study_manual"))
    manual = db.scalar(select(func.count()).select_from(HandbookIssue).where(
        HandbookIssue.organisation_id == org_id, HandbookIssue.kind == "branch_manual"))
    dues = db.scalar(select(func.count(func.distinct(MemberRecord.member_id))).where(
        MemberRecord.organisation_id == org_id, MemberRecord.kind == "dues", MemberRecord.year == year))
    return {"members": members, "carded": carded, "study_manuals": study, "branch_manual": bool(manual),
            "members_with_dues": dues}


def coverage(db: Session, actor: User, year: int) -> list[dict]:
    """:func:`branch_facts` of every branch in view that has members or a register line, in five grouped
    queries whatever the number of branches (the 抽查 page's table)."""
    auth.require_role(actor, *REVIEWERS)
    visible = auth.visible_org_ids(db, actor)

    def grouped(query, column) -> dict[int, int]:
        if visible is not None:
            query = query.where(column.in_(visible))
        return dict(db.execute(query.group_by(column)).all())

    members = grouped(select(PartyMember.organisation_id, func.count()), PartyMember.organisation_id)
    carded = grouped(select(PartyMember.organisation_id, func.count()).where(PartyMember.card_number.is_not(None)),
                     PartyMember.organisation_id)
    study = grouped(select(HandbookIssue.organisation_id, func.count()).where(HandbookIssue.kind == "study_manual"),
                    HandbookIssue.organisation_id)
    manual = grouped(select(HandbookIssue.organisation_id, func.count()).where(HandbookIssue.kind == "branch_manual"),
                     HandbookIssue.organisation_id)
    dues = grouped(select(MemberRecord.organisation_id, func.count(func.distinct(MemberRecord.member_id))).where(
        MemberRecord.kind == "dues", MemberRecord.year == year), MemberRecord.organisation_id)
    ids = set(members) | set(study) | set(manual)
    names = _names(db, ids)
    return sorted(({"organisation_id": i, "organisation_name": names.get(i, ""), "members": members.get(i, 0),
                    "carded": carded.get(i, 0), "study_manuals": study.get(i, 0), "branch_manual": bool(manual.get(i)),
                    "members_with_dues": dues.get(i, 0)} for i in ids), key=lambda r: r["organisation_name"])


def check_dict(c: SpotCheck, branch: str = "") -> dict:
    return {"id": c.id, "organisation_id": c.organisation_id, "organisation_name": branch,
            "checked_on": iso(c.checked_on), "checker": c.checker, "answers": dict(c.answers or {}),
            "answer_names": {SPOT_CHECK_ITEMS[k]: v for k, v in (c.answers or {}).items() if k in SPOT_CHECK_ITEMS},
            "outcome": c.outcome, "outcome_name": SPOT_CHECK_RESULTS.get(c.outcome, c.outcome),
            "problems": list(c.problems or []),
            "open_problems": sum(1 for p in c.problems or [] if not p.get("ledger_item_id"))}


def _open_row(db: Session, actor: User, c: SpotCheck, problem: dict) -> dict:
    """The problem's ledger row: its 整改时限 and 责任人 as given, else 90 days after the 抽查 and the branch
    secretary (:func:`service.usecases.ledger.open_found`, as a visit's or an inspection's)."""
    item = ledger.open_found(db, actor, c.organisation_id, category="两册一证", problem=problem["text"],
                             owner=problem.get("owner"), due_on=problem.get("due_on"), found_on=c.checked_on,
                             source=f"{c.checker}{sheets.cn(c.checked_on)}抽查发现")
    return {**problem, "due_on": item["due_on"], "owner": item["owner"], "ledger_item_id": item["id"]}


def record_check(db: Session, actor: User, payload: dict) -> dict:
    """A 抽查: ``{organisation_id, checked_on, checker, answers: {item: true/false}, outcome: good|fair|poor,
    problems: [{text, open_ledger, due_on, owner}]}``; a problem with ``open_ledger`` opens its ledger row."""
    auth.require_role(actor, *REVIEWERS)
    org_id = opt_int(payload, "organisation_id", minimum=1, maximum=auth.MAX_ID, required=True)
    org = auth.load_visible(db, actor, Organisation, org_id, "未找到该组织。", organisation_of=lambda o: o.id)
    if org.kind != "branch":
        raise Invalid("抽查的对象应为党支部。", field="organisation_id")
    day = opt_date(payload, "checked_on") or dt.date.today()
    if day > dt.date.today():
        raise Invalid("抽查日期不能晚于今天。", field="checked_on")
    checker = opt_str(payload, "checker", max_len=100, required=True)
    answers = payload.get("answers") or {}
    if not isinstance(answers, dict) or not all(k in SPOT_CHECK_ITEMS and isinstance(v, bool) for k, v in answers.items()):
        raise Invalid("检查项应为" + "、".join(SPOT_CHECK_ITEMS.values()) + "，每项答是或否。", field="answers")
    outcome = payload.get("outcome")
    if not isinstance(outcome, str) or outcome not in SPOT_CHECK_RESULTS:
        raise Invalid("抽查结果只能是" + "、".join(SPOT_CHECK_RESULTS.values()) + "。", field="outcome")
    problems = payload.get("problems") or []
    if not isinstance(problems, list) or len(problems) > 50 or not all(
            isinstance(p, dict) and isinstance(p.get("text"), str) and p["text"].strip() for p in problems):
        raise Invalid("发现的问题应为列表，每项须写明问题。", field="problems")
    c = SpotCheck(organisation_id=org.id, checked_on=day, checker=checker, answers=answers, outcome=outcome,
                  problems=[], created_by_id=actor.id)
    db.add(c)
    db.flush()
    out = []
    for p in problems:
        due = opt_date({"due_on": p.get("due_on")}, "due_on")
        if due is not None and due < day:
            raise Invalid("整改时限不能早于抽查日期。", field="problems")
        clean = {"text": p["text"].strip()[:2000], "due_on": due.isoformat() if due else None,
                 "owner": opt_str(p, "owner", max_len=100) or "", "ledger_item_id": None}
        out.append(_open_row(db, actor, c, clean) if p.get("open_ledger") else clean)
    c.problems = out
    db.flush()
    audit.record(db, actor, "spot_check", "spot_check", c.id,
                 {"outcome": outcome, "ledger_items": [p["ledger_item_id"] for p in out if p["ledger_item_id"]]},
                 organisation_id=org.id)
    return check_dict(c, org.name)


def checks(db: Session, actor: User, organisation_id: Optional[int] = None) -> list[dict]:
    auth.require_role(actor, *REVIEWERS)
    rows = list(db.execute(auth.filter_visible(select(SpotCheck).order_by(SpotCheck.checked_on.desc(),
                                                                          SpotCheck.id.desc()),
                                               SpotCheck.organisation_id, db, actor, organisation_id)).scalars())
    names = _names(db, {c.organisation_id for c in rows})
    return [check_dict(c, names.get(c.organisation_id, "")) for c in rows]


def get_check(db: Session, actor: User, check_id: int) -> dict:
    auth.require_role(actor, *REVIEWERS)
    c = auth.load_visible(db, actor, SpotCheck, check_id, "未找到该抽查记录。")
    out = check_dict(c, db.get(Organisation, c.organisation_id).name)
    out["facts"] = branch_facts(db, c.organisation_id, c.checked_on.year)
    return out


def open_problem(db: Session, actor: User, check_id: int, index: int) -> dict:
    """One click: problem number ``index`` (from 0) of a 抽查 opens its ledger row."""
    auth.require_role(actor, *REVIEWERS)
    c = auth.load_visible(db, actor, SpotCheck, check_id, "未找到该抽查记录。")
    problems = list(c.problems or [])
    if not 0 <= index < len(problems):
        raise NotFound("未找到该问题。")
    if problems[index].get("ledger_item_id"):
        raise Conflict("该问题已列入整改工作台账。", "problem_opened")
    problems[index] = _open_row(db, actor, c, problems[index])
    c.problems = problems
    db.flush()
    audit.record(db, actor, "spot_check_open", "spot_check", c.id,
                 {"problem": index, "ledger_item_id": problems[index]["ledger_item_id"]}, organisation_id=c.organisation_id)
    return get_check(db, actor, c.id)


# --- corrections: a register line or a 抽查 entered wrongly is edited or removed (API and pages alike) -------


def _issue(db: Session, actor: User, issue_id: int) -> HandbookIssue:
    return auth.load_visible(db, actor, HandbookIssue, issue_id, "未找到该手册发放登记。")


def get_issue(db: Session, actor: User, issue_id: int) -> dict:
    h = _issue(db, actor, issue_id)
    member = db.get(PartyMember, h.member_id) if h.member_id else None
    return issue_dict(h, db.get(Organisation, h.organisation_id).name, member.name if member else "")


def update_issue(db: Session, actor: User, issue_id: int, payload: dict) -> dict:
    """Correct a register line: ``number``, ``given_on``, ``received_by`` (the 手册 and whom it was given to
    stay: a line given to the wrong branch or member is removed and registered again). A number another line
    of the same 手册 holds is refused."""
    h = _issue(db, actor, issue_id)
    if "number" in payload:
        number = opt_str(payload, "number", max_len=50, required=True)
        if db.scalar(select(HandbookIssue.id).where(HandbookIssue.kind == h.kind, HandbookIssue.number == number,
                                                    HandbookIssue.id != h.id)):
            raise Conflict(f"{HANDBOOK_KINDS[h.kind]}编号{number}已有登记。", "number_taken")
        h.number = number
    if payload.get("given_on"):
        day = opt_date(payload, "given_on")
        if day > dt.date.today():
            raise Invalid("发放日期不能晚于今天。", field="given_on")
        h.given_on = day
    if "received_by" in payload:
        h.received_by = opt_str(payload, "received_by", max_len=100) or ""
    db.flush()
    audit.record(db, actor, "handbook_update", "handbook_issue", h.id, {"fields": sorted(payload)},
                 organisation_id=h.organisation_id)
    return get_issue(db, actor, h.id)


def delete_issue(db: Session, actor: User, issue_id: int) -> None:
    """A register line entered by mistake."""
    h = _issue(db, actor, issue_id)
    audit.record(db, actor, "handbook_delete", "handbook_issue", h.id, {"kind": h.kind, "number": h.number},
                 organisation_id=h.organisation_id)
    db.delete(h)
    db.flush()


def _check(db: Session, actor: User, check_id: int) -> SpotCheck:
    auth.require_role(actor, *REVIEWERS)
    return auth.load_visible(db, actor, SpotCheck, check_id, "未找到该抽查记录。")


def update_check(db: Session, actor: User, check_id: int, payload: dict) -> dict:
    """Correct a 抽查: ``checked_on``, ``checker``, ``answers``, ``outcome``, and ``problems`` (texts): the
    problems already in the ledger are kept as they are, the others are replaced by those given."""
    c = _check(db, actor, check_id)
    if payload.get("checked_on"):
        day = opt_date(payload, "checked_on")
        if day > dt.date.today():
            raise Invalid("抽查日期不能晚于今天。", field="checked_on")
        c.checked_on = day
    if "checker" in payload:
        c.checker = opt_str(payload, "checker", max_len=100, required=True)
    if "answers" in payload:
        answers = payload.get("answers") or {}
        if not isinstance(answers, dict) or not all(k in SPOT_CHECK_ITEMS and isinstance(v, bool)
                                                    for k, v in answers.items()):
            raise Invalid("检查项应为" + "、".join(SPOT_CHECK_ITEMS.values()) + "，每项答是或否。", field="answers")
        c.answers = answers
    if "outcome" in payload:
        outcome = payload.get("outcome")
        if not isinstance(outcome, str) or outcome not in SPOT_CHECK_RESULTS:
            raise Invalid("抽查结果只能是" + "、".join(SPOT_CHECK_RESULTS.values()) + "。", field="outcome")
        c.outcome = outcome
    if "problems" in payload:
        texts = opt_strings(payload, "problems", max_items=50, max_len=2000, name="发现的问题")
        kept = [p for p in c.problems or [] if p.get("ledger_item_id")]
        c.problems = kept + [{"text": t, "due_on": None, "ledger_item_id": None}
                             for t in texts if t not in {p["text"] for p in kept}]
    db.flush()
    audit.record(db, actor, "spot_check_update", "spot_check", c.id, {"fields": sorted(payload)},
                 organisation_id=c.organisation_id)
    return get_check(db, actor, c.id)


def delete_check(db: Session, actor: User, check_id: int) -> None:
    """A 抽查 entered by mistake; one whose problems are in the ledger stays (its rows answer for them)."""
    c = _check(db, actor, check_id)
    if any(p.get("ledger_item_id") for p in c.problems or []):
        raise Conflict("该抽查发现的问题已列入整改工作台账，不能删除。", "check_has_rows")
    audit.record(db, actor, "spot_check_delete", "spot_check", c.id, {"outcome": c.outcome},
                 organisation_id=c.organisation_id)
    db.delete(c)
    db.flush()
