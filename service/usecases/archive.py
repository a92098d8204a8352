"""A branch's creation archive (SZ-4 档案) as one ZIP, for the assessment group's 查资料.

The packet holds every file the branch uploaded, every document issued to it, its findings and
the reviewers' decisions, its 整改工作台账 with the 销号 dates, and its audit trail — the last three
as spreadsheets — plus 目录.pdf, an index in the GB/T 9704 table layout whose entries link to the
files beside it (relative links: they open once the ZIP is unpacked).
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote

import pikepdf
from jinja2 import Environment, PackageLoader, select_autoescape
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from weasyprint import HTML

from .. import vocabulary
from ..documents.html_render import WEASYPRINT_LOCK
from ..exports import safe_row
from ..models import (AuditLog, Document, Extraction, FieldCorrection, Finding, RectificationItem, Submission,
                      User)
from ..storage import FileStore
from .audit_log import ACTION_NAMES
from .cycles import load_organisation

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
_TEMPLATES = Environment(loader=PackageLoader("service.web", "templates"), autoescape=select_autoescape())
FORMAT_SUFFIX = {"docx": ".docx", "pdf": ".pdf", "xlsx": ".xlsx", "zip": ".zip"}


def _safe_name(name: str, fallback: str) -> str:
    """A file name that stays inside its folder and reads well in Chinese file managers."""
    base = PurePosixPath((name or "").replace("\\", "/")).name
    base = _UNSAFE.sub("_", base).strip(" .") or fallback
    return base[:120]


def _sheet(title: str, header: list[str], rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(safe_row(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def packet(session: Session, store: FileStore, actor: User, organisation_id: int) -> tuple[str, bytes, dict]:
    """(file name, ZIP bytes, summary) of one organisation's creation archive, for its own users
    and its reviewers."""
    org = load_organisation(session, actor, organisation_id)
    entries: list[dict[str, Any]] = []
    files: dict[str, bytes] = {}

    def add(folder: str, name: str, data: bytes, category: str, title: str, when, note: str = "") -> None:
        n = len(entries) + 1
        path = f"{folder}/{n:03d}_{name}"
        files[path] = data
        entries.append({"n": n, "category": category, "title": title, "date": vocabulary.cn_date(when) if when else "",
                        "path": path, "note": note})

    subs = list(session.execute(select(Submission).where(Submission.organisation_id == org.id)
                                .order_by(Submission.id)).scalars())
    for sub in subs:
        add("材料", _safe_name(sub.original_name, f"材料{sub.id}"), store.read_bytes(sub.sha256), "上传材料",
            vocabulary.FORM_NAMES.get(sub.form, sub.original_name), sub.uploaded_at,
            vocabulary.SUBMISSION_STATUSES.get(sub.status, ""))
    docs = list(session.execute(select(Document).where(Document.organisation_id == org.id)
                                .order_by(Document.id)).scalars())
    for doc in docs:
        kind = vocabulary.document_kind_name(doc.kind)
        name = f"{kind}{('_' + doc.number) if doc.number else ''}{FORMAT_SUFFIX.get(doc.format, '')}"
        add("文书", _safe_name(name, f"文书{doc.id}"), store.read_bytes(doc.sha256), "签发文书",
            f"{kind}{'（' + doc.number + '）' if doc.number else ''}", doc.issued_at,
            "已替代" if doc.status == "superseded" else "")

    sub_ids = [s.id for s in subs]
    findings = list(session.execute(select(Finding).where(or_(Finding.organisation_id == org.id,
                                                                 Finding.submission_id.in_(sub_ids or [-1])))
                                    .order_by(Finding.id)).scalars())
    names = {s.id: s.original_name for s in subs}
    corrections = list(session.execute(
        select(FieldCorrection, Extraction.submission_id).join(Extraction, Extraction.id == FieldCorrection.extraction_id)
        .where(Extraction.submission_id.in_(sub_ids or [-1])).order_by(FieldCorrection.id)).all())
    rows = [[names.get(f.submission_id, "考核评分" if f.assessment_id else ""),
             {"error": "问题", "warning": "提示", "info": "说明"}.get(f.severity, f.severity)
             + ("（已被重新检查取代）" if f.superseded_at is not None else ""), f.message] for f in findings]
    rows += [[names.get(sub_id, ""), "字段更正", f"{c.field}：{c.old_value} → {c.new_value}"] for c, sub_id in corrections]
    add("记录", "审核发现与更正.xlsx", _sheet("审核发现", ["材料", "类别", "内容"], rows), "审核记录",
        "审核发现、字段更正", None, f"{len(findings)} 条发现，{len(corrections)} 处更正")

    ledger = list(session.execute(select(RectificationItem).where(RectificationItem.organisation_id == org.id)
                                  .order_by(RectificationItem.id)).scalars())
    ledger_name = vocabulary.document_kind_name("rectification-ledger")
    add("记录", f"{ledger_name}.xlsx", _sheet(
        ledger_name, ["序号", "问题类别", "具体问题", "整改措施", "整改目标", "责任领导", "责任人", "整改时限", "进展情况",
                   "销号日期", "备注"],
        [[i + 1, r.category, r.problem, r.measure, r.target, r.leader, r.owner, vocabulary.cn_date(r.due_on),
          r.progress, vocabulary.cn_date(r.closed_on), r.note] for i, r in enumerate(ledger)]),
        "整改台账", ledger_name, None, f"{len(ledger)} 项，已销号 {sum(1 for r in ledger if r.closed_on)} 项")

    trail = list(session.execute(select(AuditLog, User.username).outerjoin(User, User.id == AuditLog.user_id)
                                 .where(AuditLog.organisation_id == org.id).order_by(AuditLog.id)).all())
    add("记录", "操作记录.xlsx", _sheet("操作记录", ["时间", "操作人", "操作", "对象"],
                                     [[vocabulary.cn_datetime(a.at), user or "系统", ACTION_NAMES.get(a.action, "其他操作"),
                                       f"{a.object_type or ''}{a.object_id or ''}"] for a, user in trail]),
        "操作记录", "全部操作记录", None, f"{len(trail)} 条")

    index_pdf = _index_pdf(org.name, entries)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("目录.pdf", index_pdf)
        for path, data in files.items():
            zf.writestr(path, data)
    summary = {"files": len(entries), "submissions": len(subs), "documents": len(docs), "findings": len(findings),
               "ledger_rows": len(ledger), "audit_rows": len(trail)}
    return f"{_safe_name(org.name, '组织')}_创建档案.zip", buf.getvalue(), summary


def _index_pdf(org_name: str, entries: list[dict[str, Any]]) -> bytes:
    """目录.pdf: GB/T 9704 table layout (A4, 37/26/35/28 mm margins), entries linking to the files."""
    html = _TEMPLATES.get_template("archive_index.html").render(org_name=org_name, entries=entries)
    with WEASYPRINT_LOCK:
        pdf = HTML(string=html, base_url=_BASE).write_pdf()
    return _relative_links(pdf)


_BASE = "file:///archive/"


def _relative_links(pdf: bytes) -> bytes:
    """WeasyPrint writes links as absolute URIs; the packet needs links relative to 目录.pdf, which
    PDF expresses as a Launch action with a relative file specification (ISO 32000-1 12.6.4.5)."""
    doc = pikepdf.open(io.BytesIO(pdf))
    for page in doc.pages:
        for annot in page.get("/Annots", []):
            action = annot.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if uri.startswith(_BASE):
                path = unquote(uri[len(_BASE):])
                annot.A = pikepdf.Dictionary(Type=pikepdf.Name.Action, S=pikepdf.Name.Launch,
                                             F=pikepdf.Dictionary(Type=pikepdf.Name.Filespec,
                                                                  F=pikepdf.String(path), UF=pikepdf.String(path)))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
