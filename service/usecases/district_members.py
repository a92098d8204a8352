"""两册一证 纪实 (JH-6): the member table behind the 党员证 and each member's 纪实 (党费 by month, activities
attended).

The 党员证 batch fills the members (service/batch/members.py, in the chunk's own transaction); a clerk
may add one by hand (a member who joined after the print run). 纪实 comes from the branches' XLSX sheets:
one 党费 line per member and month (a second one corrects the first), one activity line per member, day and
content; an activity on the day of the branch's 主题党日 record is linked to it. A branch keeps its own
members and 纪实; a reviewer those of its subtree. 身份证号码 are stored for matching only: every answer
shows them masked (first 6 and last 4 digits), as a 33 000-member list is not a place for them.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit, auth
from ..errors import Conflict, Invalid
from ..exports import template_examples
from ..models import MemberRecord, Organisation, PartyDay, PartyMember, User
from ..vocabulary import MEMBER_RECORD_KINDS
from . import sheets
from .serialize import iso
from .validate import opt_bool, opt_date, opt_int, opt_str

_MONTH = re.compile(r"^\s*(\d{4})\s*[年./\-]\s*(\d{1,2})\s*月?\s*(?:(\d{1,2})\s*日?)?\s*$")
MAX_CENTS = 10_000_000  # 10 万元: a 党费 line above that is a typing error


def mask(id_number: Optional[str]) -> str:
    return f"{id_number[:6]}{'*' * (len(id_number) - 10)}{id_number[-4:]}" if id_number and len(id_number) > 10 else ""


def member_dict(m: PartyMember, branch: str = "") -> dict:
    return {"id": m.id, "organisation_id": m.organisation_id, "organisation_name": branch, "name": m.name,
            "gender": m.gender, "id_number": mask(m.id_number), "joined_on": m.joined_on or "",
            "card_number": m.card_number or "", "from_batch": m.card_job_id is not None, "phone": m.phone}


def _names(db: Session, ids) -> dict[int, str]:
    ids = set(ids)
    return dict(db.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).all()) if ids else {}


def members(db: Session, actor: User, organisation_id: Optional[int] = None) -> list[dict]:
    rows = list(db.execute(auth.filter_visible(select(PartyMember).order_by(PartyMember.organisation_id,
                                                                            PartyMember.card_number, PartyMember.id),
                                               PartyMember.organisation_id, db, actor, organisation_id)).scalars())
    names = _names(db, {m.organisation_id for m in rows})
    return [member_dict(m, names.get(m.organisation_id, "")) for m in rows]


def load(db: Session, actor: User, member_id: int) -> PartyMember:
    return auth.load_visible(db, actor, PartyMember, member_id, "未找到该党员。")


def get(db: Session, actor: User, member_id: int) -> dict:
    m = load(db, actor, member_id)
    out = member_dict(m, db.get(Organisation, m.organisation_id).name)
    out["records"] = records(db, actor, member_id=m.id)
    return out


def _joined(payload: dict) -> Optional[str]:
    raw = opt_str(payload, "joined_on", max_len=20)
    if not raw:
        return None
    m = _MONTH.match(raw)
    try:
        day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)) if m else dt.date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is None or day > dt.date.today():
        raise Invalid("入党时间应为不晚于今天的日期，如 2001-07-01 或 2001年7月。", field="joined_on")
    return day.isoformat() if m is None or m.group(3) else f"{day:%Y-%m}"


def _apply(db: Session, m: PartyMember, payload: dict) -> None:
    if "name" in payload:
        m.name = opt_str(payload, "name", max_len=100, required=True)
    for key, n in (("gender", 10), ("phone", 50)):
        if key in payload:
            setattr(m, key, opt_str(payload, key, max_len=n) or "")
    if "joined_on" in payload:
        m.joined_on = _joined(payload)
    if "id_number" in payload:
        ident = (opt_str(payload, "id_number", max_len=30) or "").upper() or None
        if ident and db.scalar(select(PartyMember.id).where(PartyMember.id_number == ident, PartyMember.id != m.id)):
            raise Conflict("已有该身份证号码的党员。", "member_exists")
        m.id_number = ident
    if "card_number" in payload:
        card = opt_str(payload, "card_number", max_len=50) or None
        if card and db.scalar(select(PartyMember.id).where(PartyMember.card_number == card, PartyMember.id != m.id)):
            raise Conflict(f"党员证编号{card}已登记给另一名党员。", "card_taken")
        m.card_number = card


def create(db: Session, actor: User, payload: dict) -> dict:
    """A member added by hand: ``{organisation_id, name, joined_on, gender, id_number, card_number, phone}``."""
    org_id = opt_int(payload, "organisation_id", minimum=1, maximum=auth.MAX_ID) or actor.organisation_id
    org = auth.load_visible(db, actor, Organisation, org_id, "未找到该组织。", organisation_of=lambda o: o.id)
    if org.kind != "branch":
        raise Invalid("党员应登记在党支部。", field="organisation_id")
    opt_str(payload, "name", max_len=100, required=True)
    m = PartyMember(organisation_id=org.id, name="", gender="", phone="")
    _apply(db, m, payload)
    db.add(m)
    db.flush()
    audit.record(db, actor, "member_create", "party_member", m.id, {"card_number": m.card_number},
                 organisation_id=org.id)
    return member_dict(m, org.name)


def update(db: Session, actor: User, member_id: int, payload: dict) -> dict:
    m = load(db, actor, member_id)
    _apply(db, m, payload)
    db.flush()
    audit.record(db, actor, "member_update", "party_member", m.id, {"fields": sorted(payload)},
                 organisation_id=m.organisation_id)
    return member_dict(m, db.get(Organisation, m.organisation_id).name)


# --- 纪实 ------------------------------------------------------------------------------------------

RECORD_COLUMNS = [sheets.Column("branch_name", "党支部", required=True, aliases=("支部名称", "所在党支部"), max_len=200),
                  sheets.Column("name", "姓名", required=True, aliases=("党员姓名",), max_len=100),
                  sheets.Column("card_number", "党员证编号", aliases=("党员证号", "证号"), max_len=50),
                  sheets.Column("kind", "类别", required=True, aliases=("纪实类别",), max_len=20),
                  sheets.Column("when", "日期", required=True, aliases=("月份", "时间"), max_len=30),
                  sheets.Column("amount", "金额（元）", aliases=("金额", "党费金额", "交纳金额"), max_len=20),
                  sheets.Column("paid", "是否交纳", "bool", aliases=("已交纳",)),
                  sheets.Column("what", "内容", aliases=("活动内容", "活动名称"), max_len=300)]
RECORD_EXAMPLES = template_examples([["大邱庄村党支部", "郑海", "", MEMBER_RECORD_KINDS["dues"], "2025年9月", "30", "是", ""],
                   ["大邱庄村党支部", "郑海", "", MEMBER_RECORD_KINDS["activity"], "2025年9月8日", "", "",
                    "主题党日：重温入党誓词"]])  # refused when left in an import


def record_dict(r: MemberRecord, member: str = "", branch: str = "") -> dict:
    return {"id": r.id, "member_id": r.member_id, "member_name": member, "organisation_id": r.organisation_id,
            "organisation_name": branch, "kind": r.kind, "kind_name": MEMBER_RECORD_KINDS.get(r.kind, r.kind),
            "year": r.year, "month": r.month, "happened_on": iso(r.happened_on),
            "amount": None if r.amount_cents is None else f"{Decimal(r.amount_cents) / 100:.2f}", "paid": r.paid,
            "what": r.what, "party_day_id": r.party_day_id}


def _kind(value) -> str:
    text = "".join(str(value or "").split())
    for code, name in MEMBER_RECORD_KINDS.items():
        if text and (text == code or text in name or name in text or (code == "dues" and "党费" in text)
                     or (code == "activity" and "活动" in text)):
            return code
    raise ValueError(value)


def _when(value) -> tuple[int, int, Optional[dt.date]]:
    """(year, month, day or None) of 2025年9月, 2025-09, 2025年9月8日 or an Excel date."""
    if isinstance(value, (dt.date, dt.datetime)):
        d = value.date() if isinstance(value, dt.datetime) else value
        return d.year, d.month, d
    m = _MONTH.match(str(value))
    if not m:
        raise ValueError(value)
    year, month = int(m.group(1)), int(m.group(2))
    day = dt.date(year, month, int(m.group(3))) if m.group(3) else None
    dt.date(year, month, 1)
    return year, month, day


def _cents(value) -> Optional[int]:
    if value in (None, ""):
        return None
    try:
        cents = int((Decimal(str(value).replace("元", "").replace(",", "").strip()) * 100).to_integral_value())
    except (InvalidOperation, ValueError, OverflowError):
        raise ValueError(value) from None
    if not 0 <= cents <= MAX_CENTS:
        raise ValueError(value)
    return cents


def _check(kind: str, year: int, month: int, day: Optional[dt.date], what: str, today: dt.date) -> list[tuple[str, str]]:
    out = []
    if (day or dt.date(year, month, 1)) > today:
        out.append(("when", "日期不能晚于今天"))
    if kind == "activity" and day is None:
        out.append(("when", "参加活动应写明哪一天，如 2025年9月8日"))
    if kind == "activity" and not what:
        out.append(("what", "参加活动应写明活动内容"))
    return out


def _upsert(db: Session, m: PartyMember, kind: str, year: int, month: int, day: Optional[dt.date],
            cents: Optional[int], paid: Optional[bool], what: str) -> tuple[MemberRecord, bool]:
    q = select(MemberRecord).where(MemberRecord.member_id == m.id, MemberRecord.kind == kind)
    q = q.where(MemberRecord.year == year, MemberRecord.month == month) if kind == "dues" else \
        q.where(MemberRecord.happened_on == day, MemberRecord.what == what)
    r = db.execute(q.limit(1)).scalar_one_or_none()
    created = r is None
    if created:
        r = MemberRecord(member_id=m.id, organisation_id=m.organisation_id, kind=kind)
        db.add(r)
    r.year, r.month, r.happened_on, r.what = year, month, day, what
    r.amount_cents = cents
    r.paid = (cents is not None and cents > 0) if paid is None else paid
    if kind == "activity":
        r.paid = True
        r.party_day_id = db.scalar(select(PartyDay.id).where(PartyDay.organisation_id == m.organisation_id,
                                                             PartyDay.held_on == day))
    return r, created


def save_record(db: Session, actor: User, payload: dict) -> dict:
    """One 纪实 line: ``{member_id, kind: dues|activity, month: "2025-09" (dues) or happened_on (activity),
    amount (元), paid, what}``."""
    m = load(db, actor, opt_int(payload, "member_id", minimum=1, maximum=auth.MAX_ID, required=True))
    kind = payload.get("kind")
    if not isinstance(kind, str) or kind not in MEMBER_RECORD_KINDS:
        raise Invalid("纪实类别只能是" + "或".join(MEMBER_RECORD_KINDS.values()) + "。", field="kind")
    day = opt_date(payload, "happened_on")
    raw_month = opt_str(payload, "month", max_len=20)
    try:
        year, month, _d = _when(raw_month) if raw_month else (day.year, day.month, day) if day else (0, 0, None)
    except ValueError:
        raise Invalid("月份应写成 2025-09。", field="month") from None
    if not year:
        raise Invalid("请填写月份或日期。", field="happened_on")
    amount = payload.get("amount")
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, (int, float, str))):
        raise Invalid("金额应为数字（元）。", field="amount")
    try:
        cents = _cents(amount)
    except ValueError:
        raise Invalid("金额应为 0 到 100000 元之间的数字。", field="amount") from None
    what = opt_str(payload, "what", max_len=300) or ""
    for field, message in _check(kind, year, month, day, what, dt.date.today()):
        raise Invalid(message + "。", field={"when": "happened_on"}.get(field, field))
    r, created = _upsert(db, m, kind, year, month, day, cents, opt_bool(payload, "paid"), what)
    db.flush()
    audit.record(db, actor, "member_record", "member_record", r.id, {"kind": kind, "created": created},
                 organisation_id=m.organisation_id)
    return record_dict(r, m.name, db.get(Organisation, m.organisation_id).name)


def records(db: Session, actor: User, *, organisation_id: Optional[int] = None, member_id: Optional[int] = None,
            year: Optional[int] = None) -> list[dict]:
    q = auth.filter_visible(select(MemberRecord).order_by(MemberRecord.year.desc(), MemberRecord.month.desc(),
                                                          MemberRecord.id), MemberRecord.organisation_id, db, actor,
                            organisation_id)
    if member_id:
        load(db, actor, member_id)
        q = q.where(MemberRecord.member_id == member_id)
    if year:
        q = q.where(MemberRecord.year == year)
    rows = list(db.execute(q).scalars())
    names = _names(db, {r.organisation_id for r in rows})
    people = dict(db.execute(select(PartyMember.id, PartyMember.name).where(
        PartyMember.id.in_({r.member_id for r in rows}))).all()) if rows else {}
    return [record_dict(r, people.get(r.member_id, ""), names.get(r.organisation_id, "")) for r in rows]


def import_records(db: Session, actor: User, data: bytes) -> dict:
    """The branches' 纪实 sheet (:data:`RECORD_COLUMNS`): all or nothing; a member not found in the named
    branch, a name shared by two members without a 党员证编号, an unknown 类别 or a date in the future names
    its row and column."""
    problems: list[dict] = []
    rows = sheets.read(data, RECORD_COLUMNS, "党员纪实表", problems)
    headers = {c.key: c.header for c in RECORD_COLUMNS}
    visible = auth.visible_org_ids(db, actor)
    q = select(PartyMember, Organisation.name).join(Organisation, Organisation.id == PartyMember.organisation_id)
    if visible is not None:
        q = q.where(PartyMember.organisation_id.in_(visible))
    by_name: dict[tuple[str, str], list[PartyMember]] = {}
    by_card: dict[str, tuple[PartyMember, str]] = {}
    for m, branch in db.execute(q).all():
        by_name.setdefault((branch, m.name), []).append(m)
        if m.card_number:
            by_card[m.card_number] = (m, branch)
    today, matched = dt.date.today(), []
    for r in rows:
        cols, before = r["_cols"], len(problems)

        def bad(key: str, message: str) -> None:
            problems.append(sheets.problem(r["row"], cols.get(key), headers[key], message))

        if r.get("card_number"):
            found = by_card.get(r["card_number"])
            m = found[0] if found and found[1] == r["branch_name"] else None
            if m is None:
                bad("card_number", f"“{r['card_number']}”不是{r['branch_name']}党员的党员证编号")
        else:
            ms = by_name.get((r["branch_name"], r["name"]), [])
            m = ms[0] if len(ms) == 1 else None
            if m is None:
                bad("name", f"{r['branch_name']}有{len(ms)}名党员叫“{r['name']}”，请填写党员证编号" if ms
                    else f"“{r['name']}”不是您管辖范围内{r['branch_name']}的党员")
        try:
            kind = _kind(r["kind"])
        except ValueError:
            kind = None
            bad("kind", "类别应为" + "或".join(MEMBER_RECORD_KINDS.values()))
        try:
            year, month, day = _when(r["when"])
        except (ValueError, TypeError):
            year = month = 0
            day = None
            bad("when", f"“{str(r['when'])[:30]}”不是日期或月份，如 2025年9月 或 2025年9月8日")
        try:
            cents = _cents(r.get("amount"))
        except ValueError:
            cents = None
            bad("amount", f"“{str(r['amount'])[:20]}”不是 0 到 100000 之间的金额")
        if kind and year:
            for key, message in _check(kind, year, month, day, r.get("what") or "", today):
                bad(key, message)
        if len(problems) == before:
            paid = True if r.get("paid") else None  # 否 or blank: paid when an amount is given
            matched.append((m, kind, year, month, day, cents, paid, r.get("what") or ""))
    problems.sort(key=lambda p: (p["row"], p["column"]))
    sheets.fail(problems, "党员纪实表")
    created = 0
    for args in matched:
        _r, new = _upsert(db, *args)
        created += new
    db.flush()
    audit.record(db, actor, "member_record_import", "member_record", None, {"rows": len(rows), "created": created})
    return {"rows": len(rows), "created": created, "updated": len(rows) - created}


def records_template() -> bytes:
    return sheets.workbook([c.header for c in RECORD_COLUMNS], RECORD_EXAMPLES, "党员纪实")


def export_records(items: list[dict]) -> bytes:
    return sheets.workbook([c.header for c in RECORD_COLUMNS], [
        [d["organisation_name"], d["member_name"], "", d["kind_name"],
         sheets.cn(dt.date.fromisoformat(d["happened_on"])) if d["happened_on"] else f"{d['year']}年{d['month']}月",
         d["amount"] or "", "是" if d["paid"] else "否", d["what"]] for d in items], "党员纪实")


def export_members(items: list[dict]) -> bytes:
    return sheets.workbook(["党支部", "姓名", "性别", "入党时间", "党员证编号", "身份证号码（隐去中间）"], [
        [d["organisation_name"], d["name"], d["gender"], d["joined_on"], d["card_number"], d["id_number"]]
        for d in items], "党员")
