"""The 发文 register: every number an organ has used, with its kind, addressee, date and signer; 作废.

Read from ``register_entries`` (written by service/register.py at signing, in the signing
transaction). A reviewer sees the lines about organisations in their subtree, an admin all.
"""
from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit, auth, register
from ..documents.registry import KINDS
from ..exports import safe_cell as cell_text
from ..errors import Conflict, Invalid
from ..models import IssuingOrgan, RegisterEntry, User
from ..vocabulary import REGISTER_STATUSES, cn_date, document_kind_name as kind_name
from .documents import load, same_issue
from .validate import opt_str

COLUMNS = ("文号", "种类", "主送", "成文日期", "签发人", "状态", "作废理由")


def rows(db: Session, actor: User, *, year: int | None = None, limit: int = 5000) -> list[dict]:
    """Register lines, newest organ-year first, then by sequence."""
    auth.require_role(actor, *auth.REVIEWERS)
    query = select(RegisterEntry, IssuingOrgan.signature).join(IssuingOrgan, IssuingOrgan.id == RegisterEntry.organ_id)
    query = auth.filter_visible(query, RegisterEntry.organisation_id, db, actor)
    if year is not None:
        query = query.where(RegisterEntry.year == year)
    query = query.order_by(RegisterEntry.organ_id, RegisterEntry.year.desc(), RegisterEntry.seq).limit(limit)
    return [{"id": e.id, "number": e.number, "organ": organ, "year": e.year, "seq": e.seq, "kind": e.kind,
             "kind_name": kind_name(e.kind) if e.kind in KINDS else e.kind, "addressee": e.addressee,
             "issued_on": e.issued_on.isoformat(), "issued_on_text": cn_date(e.issued_on),
             "signer": e.signer_name, "status": e.status, "status_name": REGISTER_STATUSES.get(e.status, ""),
             "withdrawn_reason": e.withdrawn_reason or "", "document_id": e.document_id,
             "organisation_id": e.organisation_id}
            for e, organ in db.execute(query)]


def as_xlsx(items: list[dict]) -> bytes:
    """The register as a spreadsheet; every text cell goes through the formula guard."""
    wb = Workbook()
    ws = wb.active
    ws.title = "发文登记簿"
    ws.append(["发文机关", *COLUMNS])
    for r in items:
        ws.append([cell_text(v) for v in (r["organ"], r["number"], r["kind_name"], r["addressee"],
                                          r["issued_on_text"], r["signer"], r["status_name"],
                                          r["withdrawn_reason"])])
    for c in ws[1]:
        c.font = Font(bold=True)
    for col, width in zip("ABCDEFGH", (22, 22, 14, 40, 18, 12, 10, 30)):
        ws.column_dimensions[col].width = width
        for cell in ws[col][1:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def withdraw(db: Session, actor: User, doc_id: int, payload: dict) -> dict:
    """作废 a signed 公文: every format of it is marked withdrawn; its number stays used (never reissued)."""
    auth.require_role(actor, *auth.REVIEWERS)
    doc = load(db, actor, doc_id)
    reason = opt_str(payload, "reason", max_len=300)
    if not reason or len(reason.strip()) < 2:
        raise Invalid("请填写作废理由（2–300 字）。", field="reason")
    entry = register.entry_of(db, doc.kind, doc.number)
    if entry is None:
        raise Conflict("该文书没有发文字号，无需作废。")
    if entry.status != "issued":
        raise Conflict(f"该文号已{REGISTER_STATUSES.get(entry.status, '')}，不能作废。")
    register.withdraw(entry, reason.strip(), dt.date.today())
    for d in same_issue(db, doc):
        if d.status == "issued":
            d.status = "withdrawn"
    audit.record(db, actor, "document_withdrawn", "document", doc.id,
                 {"kind": doc.kind, "number": doc.number, "reason": entry.withdrawn_reason},
                 organisation_id=doc.organisation_id)
    return {"number": entry.number, "status": entry.status, "status_name": REGISTER_STATUSES[entry.status],
            "withdrawn_reason": entry.withdrawn_reason, "document_id": doc.id}
