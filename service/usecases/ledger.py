"""The 整改工作台账 (JH-3, JH-5): its rows from opening to 销号, the 整改任务书 that lists them.

A row is opened by a reviewer (or by a grading round for a 相对后进 branch), planned by the
branch or the reviewer (措施、目标、责任领导、责任人、时限), followed by progress notes with
evidence files, and closed (销号) only by a reviewer with a date. A closed row is read-only.
A row is overdue when it is open and its 整改时限 is before today; both sides see it.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import audit, auth
from ..documents.compose import ContextError
from ..config import DEFAULT_RECTIFY_DAYS
from ..documents.contexts import gap_rows, taskbook_deadline, _rubric_rows
from ..errors import Conflict, Invalid, NotFound
from ..models import Assessment, Document, Organisation, RectificationItem, RectificationNote, User
from ..storage import FileStore
from . import documents
from .serialize import iso
from ..vocabulary import cn_date
from .validate import opt_date, opt_int, opt_str

REVIEWERS = auth.REVIEWERS
STATUSES = ("open", "overdue", "closed")
#: the columns of a row; a branch plans its own rows, a reviewer may change every column
TEXT_FIELDS = {"category": 100, "problem": 2000, "measure": 2000, "target": 1000, "leader": 100, "owner": 100,
               "note": 1000}
BRANCH_FIELDS = ("measure", "target", "leader", "owner")
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


def _load(db: Session, actor: User, item_id: int) -> RectificationItem:
    return auth.load_visible(db, actor, RectificationItem, item_id, "未找到该整改事项。")


def is_overdue(it: RectificationItem, today: dt.date) -> bool:
    return it.closed_on is None and it.due_on is not None and it.due_on < today


def status_of(it: RectificationItem, today: dt.date) -> tuple[str, str]:
    """(code, Chinese name) of a row: closed / overdue / open."""
    if it.closed_on is not None:
        return "closed", "已销号"
    if is_overdue(it, today):
        return "overdue", "逾期未销号"
    return "open", "整改中"


def as_dict(it: RectificationItem, today: dt.date, branch_name: str = "", notes: Optional[list] = None) -> dict:
    code, name = status_of(it, today)
    out = {"id": it.id, "organisation_id": it.organisation_id, "branch_name": branch_name,
           "assessment_id": it.assessment_id, "category": it.category, "problem": it.problem,
           "measure": it.measure, "target": it.target, "leader": it.leader, "owner": it.owner,
           "opened_on": iso(it.opened_on or (it.created_at.date() if it.created_at else None)),
           "due_on": iso(it.due_on), "progress": it.progress, "closed_on": iso(it.closed_on), "note": it.note,
           "status": code, "status_name": name, "overdue": code == "overdue"}
    if notes is not None:
        out["notes"] = notes
    return out


def note_dict(n: RectificationNote) -> dict:
    return {"id": n.id, "item_id": n.item_id, "written_on": iso(n.written_on), "body": n.body,
            "evidence_name": n.evidence_name, "evidence_size": n.evidence_size,
            "evidence_url": f"/api/v1/ledger/{n.item_id}/notes/{n.id}/evidence" if n.evidence_sha256 else None}


def listing(db: Session, actor: User, *, organisation_id: Optional[int] = None, status: Optional[str] = None,
            today: Optional[dt.date] = None, limit: int = 500) -> list[dict]:
    """The rows in the actor's view (a branch: its own), oldest first; ``status`` open/overdue/closed."""
    if status not in (None, "", *STATUSES):
        raise Invalid("status 只能是 open、overdue 或 closed。", field="status")
    today = today or dt.date.today()
    query = auth.filter_visible(select(RectificationItem).order_by(RectificationItem.id),
                                RectificationItem.organisation_id, db, actor, organisation_id)
    if status == "closed":
        query = query.where(RectificationItem.closed_on.is_not(None))
    elif status == "open":
        query = query.where(RectificationItem.closed_on.is_(None))
    elif status == "overdue":
        query = query.where(RectificationItem.closed_on.is_(None), RectificationItem.due_on < today)
    rows = list(db.execute(query.limit(limit)).scalars())
    names = dict(db.execute(select(Organisation.id, Organisation.name)
                            .where(Organisation.id.in_({r.organisation_id for r in rows}))).all()) if rows else {}
    return [as_dict(r, today, names.get(r.organisation_id, "")) for r in rows]


def get(db: Session, actor: User, item_id: int, today: Optional[dt.date] = None) -> dict:
    it = _load(db, actor, item_id)
    notes = db.execute(select(RectificationNote).where(RectificationNote.item_id == it.id)
                       .order_by(RectificationNote.id)).scalars()
    org = db.get(Organisation, it.organisation_id)
    return as_dict(it, today or dt.date.today(), org.name if org else "", [note_dict(n) for n in notes])


def _apply(it: RectificationItem, payload: dict, fields) -> dict:
    """Write the given columns; returns {column: new value} of what changed."""
    changed = {}
    for key in fields:
        if key not in payload:
            continue
        if key in ("due_on", "opened_on"):
            value = opt_date(payload, key)
            if key == "opened_on" and (value is None or value > dt.date.today()):
                raise Invalid("立项日期应为不晚于今天的日期。", field=key)
        else:
            value = opt_str(payload, key, max_len=TEXT_FIELDS[key]) or ""
            if key in ("category", "problem") and not value:
                raise Invalid(f"{'问题类别' if key == 'category' else '具体问题'}不能为空。", field=key)
        if getattr(it, key) != value:
            setattr(it, key, value)
            changed[key] = iso(value) if isinstance(value, dt.date) else value
    return changed


def create(db: Session, actor: User, payload: dict, today: Optional[dt.date] = None) -> dict:
    """A reviewer opens a row for a branch in its view: category and problem required."""
    auth.require_role(actor, *REVIEWERS)
    org_id = opt_int(payload, "organisation_id", minimum=1, maximum=auth.MAX_ID, required=True)
    org = auth.load_visible(db, actor, Organisation, org_id, "未找到该组织。", organisation_of=lambda o: o.id)
    assessment_id = opt_int(payload, "assessment_id", minimum=1, maximum=auth.MAX_ID)
    if assessment_id is not None:
        a = db.get(Assessment, assessment_id)
        if a is None or a.organisation_id != org.id:
            raise NotFound("未找到该考核记录。")
    for key in ("category", "problem"):
        opt_str(payload, key, max_len=TEXT_FIELDS[key], required=True)
    it = RectificationItem(organisation_id=org.id, assessment_id=assessment_id, category="", problem="",
                           measure="", target="", leader="", owner="", progress="", note="")
    db.add(it)
    payload = {**payload, "opened_on": payload.get("opened_on") or dt.date.today()}
    _apply(it, payload, (*TEXT_FIELDS, "due_on", "opened_on"))
    db.flush()
    audit.record(db, actor, "ledger_open", "rectification_item", it.id,
                 {"category": it.category}, organisation_id=org.id)
    return as_dict(it, today or dt.date.today(), org.name)


#: what the 备注 of a row opened from a visit or an inspection says of a value it was not given
DUE_DEFAULT = "整改时限未填写，按发现问题之日起{days}天默认定为{date}"
OWNER_DEFAULT = "责任人未填写，默认为党支部书记{name}"
_DUE_MARK = re.compile(r"整改时限未填写，按发现问题之日起(\d+)天默认定为(\d{4}年\d{1,2}月\d{1,2}日)")


def open_found(db: Session, actor: User, organisation_id: int, *, problem, found_on: dt.date, source: str,
               category: str, leader: str = "", measure: str = "", owner=None, due_on=None,
               rectify_days: int = DEFAULT_RECTIFY_DAYS) -> dict:
    """A row for a problem a leader's visit or a 督导 inspection found on ``found_on``. Its 整改时限 and 责任人
    as given, else ``rectify_days`` (``Settings.rectify_days``, the programme's period) after the day it was
    found and the branch's secretary; the 备注 (``source``, e.g. 某某某年某月某日走访发现) says which was defaulted."""
    due = opt_date({"due_on": due_on}, "due_on")
    notes = [source]
    if due is None:
        due = found_on + dt.timedelta(days=rectify_days)
        notes.append(DUE_DEFAULT.format(days=rectify_days, date=cn_date(due)))
    elif due < found_on:
        raise Invalid("整改时限不能早于发现问题的日期。", field="due_on")
    owner = opt_str({"owner": owner}, "owner", max_len=TEXT_FIELDS["owner"]) or ""
    org = db.get(Organisation, organisation_id)
    if not owner and org is not None and org.secretary:
        owner = org.secretary
        notes.append(OWNER_DEFAULT.format(name=owner))
    return create(db, actor, {"organisation_id": organisation_id, "category": category, "problem": problem,
                              "measure": measure or "", "leader": leader or "", "owner": owner,
                              "due_on": due.isoformat(), "opened_on": found_on.isoformat(),
                              "note": "；".join(n for n in notes if n)[:TEXT_FIELDS["note"]]})


def defaulted(it: RectificationItem) -> dict:
    """What of a row still holds the default :func:`open_found` gave it: ``{"due_on": days, "owner": True}``
    (a value changed since is the clerk's own)."""
    out = {}
    m = _DUE_MARK.search(it.note or "")
    if m and it.due_on is not None and m.group(2) == cn_date(it.due_on):
        out["due_on"] = int(m.group(1))
    if it.owner and OWNER_DEFAULT.format(name=it.owner) in (it.note or ""):
        out["owner"] = True
    return out


def update(db: Session, actor: User, item_id: int, payload: dict, today: Optional[dt.date] = None) -> dict:
    """Change a row's columns. A branch plans its own rows (措施、目标、责任领导、责任人); a reviewer may
    change every column incl. the 整改时限. A closed row is read-only."""
    it = _load(db, actor, item_id)
    if it.closed_on is not None:
        raise Conflict("该整改事项已销号，不能再修改。", "ledger_closed")
    allowed = (*TEXT_FIELDS, "due_on", "opened_on") if actor.role in REVIEWERS else BRANCH_FIELDS
    refused = [k for k in payload if k not in allowed]
    if refused:
        raise Invalid("您不能修改这些栏目：" + "、".join(refused) + "。", "field_not_editable", field=refused[0])
    changed = _apply(it, payload, allowed)
    if changed:
        audit.record(db, actor, "ledger_update", "rectification_item", it.id, {"changed": sorted(changed)},
                     organisation_id=it.organisation_id)
    db.flush()
    return get(db, actor, it.id, today)


def add_note(db: Session, store: FileStore, actor: User, item_id: int, body: Optional[str],
             evidence: Optional[tuple[str, bytes]] = None, written_on: Optional[dt.date] = None) -> dict:
    """A progress note (and its evidence file) on an open row; the row's 进展情况 becomes its text."""
    it = _load(db, actor, item_id)
    if it.closed_on is not None:
        raise Conflict("该整改事项已销号，不能再报送进展。", "ledger_closed")
    text = opt_str({"body": body}, "body", max_len=2000) or ""
    if not text and not evidence:
        raise Invalid("请填写整改进展或上传佐证材料。", field="body")
    today = dt.date.today()
    day = written_on or today
    if day > today:
        raise Invalid("进展日期不能晚于今天。", field="written_on")
    note = RectificationNote(item_id=it.id, author_id=actor.id, written_on=day, body=text, evidence_name="")
    if evidence:
        name, data = evidence
        if not data:
            raise Invalid("佐证材料是空文件。", field="file")
        if len(data) > MAX_EVIDENCE_BYTES:
            raise Invalid("佐证材料过大（最多 20 MB）。", "too_large", field="file")
        note.evidence_sha256 = store.put_bytes(data)
        note.evidence_name = (name or "佐证材料")[-200:]
        note.evidence_size = len(data)
    db.add(note)
    if text:
        it.progress = f"{day.year}年{day.month}月{day.day}日：{text}"
    db.flush()
    audit.record(db, actor, "ledger_note", "rectification_item", it.id,
                 {"note_id": note.id, "evidence": bool(evidence)}, organisation_id=it.organisation_id)
    return note_dict(note)


def evidence(db: Session, actor: User, item_id: int, note_id: int) -> tuple[str, str]:
    """(sha256, file name) of a note's evidence file, in the actor's view."""
    it = _load(db, actor, item_id)
    note = db.get(RectificationNote, note_id)
    if note is None or note.item_id != it.id or not note.evidence_sha256:
        raise NotFound("未找到该佐证材料。")
    return note.evidence_sha256, note.evidence_name


def close(db: Session, actor: User, item_id: int, closed_on: Optional[dt.date] = None,
          note: Optional[str] = None) -> dict:
    """销号: a reviewer closes a row on ``closed_on`` (default today, never in the future) once its
    progress has been reported."""
    auth.require_role(actor, *REVIEWERS)
    it = _load(db, actor, item_id)
    if it.closed_on is not None:
        raise Conflict("该整改事项已于" + _cn(it.closed_on) + "销号。", "ledger_closed")
    today = dt.date.today()
    day = closed_on or today
    if day > today:
        raise Invalid("销号日期不能晚于今天。", field="closed_on")
    opened = it.opened_on or (it.created_at.date() if it.created_at else None)
    if opened and day < opened:
        raise Invalid(f"销号日期不能早于立项日期{_cn(opened)}。", field="closed_on")
    if not it.progress and not db.execute(select(func.count()).select_from(RectificationNote)
                                          .where(RectificationNote.item_id == it.id)).scalar():
        raise Conflict("该整改事项还没有报送整改进展，不能销号。", "ledger_no_progress")
    text = opt_str({"note": note}, "note", max_len=TEXT_FIELDS["note"])
    if text:
        it.note = text
    it.closed_on = day
    db.flush()
    audit.record(db, actor, "ledger_close", "rectification_item", it.id, {"closed_on": day.isoformat()},
                 organisation_id=it.organisation_id)
    return get(db, actor, it.id, today)


def _cn(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def open_counts(db: Session, organisation_id: int) -> tuple[int, int]:
    """(rows, open rows) of an organisation's ledger: what a 撤销 before the deadline is weighed on."""
    rows = db.execute(select(RectificationItem.closed_on)
                      .where(RectificationItem.organisation_id == organisation_id)).scalars().all()
    return len(rows), sum(1 for c in rows if c is None)


def issue_taskbook(db: Session, store: FileStore, actor: User, assessment_id: int, *,
                   deadline: Optional[dt.date], default_days: int, formats=("pdf", "docx")) -> list[Document]:
    """Issue the 整改任务书 of an assessment from the branch's ledger rows.

    Without rows, a 相对后进 branch's rows are opened first from its weak dimensions (JH-3 任务清单),
    so the ledger and the document list the same tasks. Rows without a 整改时限 get the deadline:
    the reviewer's, else ``default_days`` (``Settings.rectify_days``) after today."""
    auth.require_role(actor, *REVIEWERS)
    a = auth.load_visible(db, actor, Assessment, assessment_id, "未找到该考核记录。")
    org = db.get(Organisation, a.organisation_id)
    rows = list(db.execute(select(RectificationItem).where(RectificationItem.assessment_id == a.id)
                           .order_by(RectificationItem.id)).scalars())
    today = dt.date.today()
    options = {"days": default_days, **({"deadline": deadline.isoformat()} if deadline else {})}
    try:
        due = taskbook_deadline(rows, today, options)
    except ContextError as exc:
        raise Invalid(str(exc), field="deadline") from None
    if not rows and a.backward:
        rubric, _grades = _rubric_rows(a.year, a.domain or org.domain)
        for row in gap_rows(rubric, a.scores or {}, org.secretary or ""):
            it = RectificationItem(organisation_id=org.id, assessment_id=a.id, progress="", note="", opened_on=today,
                                   **{k: v for k, v in row.items() if k != "due_on"})
            db.add(it)
            rows.append(it)
    for it in rows:
        if it.due_on is None:
            it.due_on = due
    db.flush()
    return documents.issue(db, store, actor, "rectification-taskbook", a.id, formats=tuple(formats),
                           options={"deadline": due.isoformat()})
