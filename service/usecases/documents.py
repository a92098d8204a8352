"""Issued documents: list, read (in another format on demand), issue, re-issue; certificate verification.

Issuing goes through ``service.documents.issue`` (number → render → store → Document →
audit) in the caller's transaction, so a number is used only if its documents are committed.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit, auth, inbox, register
from ..certificates.checkcode import mask_name, normalise
from ..certificates.checkcode import matches as code_matches
from ..documents.compose import ContextError
from ..documents.contexts import RecordNotFound, build_context
from ..documents.issue import IssueError, add_format, issue as issue_documents, reissue as reissue_documents
from ..documents.registry import KINDS, MEDIA_TYPES
from ..errors import Conflict, Invalid, NotFound
from ..models import Assessment, BatchJob, Certificate, CreationCycle, Document, Organisation, Submission, User
from ..storage import FileStore
from ..vocabulary import CERTIFICATE_KINDS, cn_date, document_kind_name as kind_name
from . import idempotency
from .serialize import iso

OPTIONS = {"year", "quarter", "as_of", "reason", "days", "opinion", "group_members", "copy_to", "subject", "deadline"}


def as_dict(d: Document) -> dict:
    return {"id": d.id, "kind": d.kind, "kind_name": kind_name(d.kind), "number": d.number, "year": d.year,
            "organisation_id": d.organisation_id, "subject_type": d.subject_type, "subject_id": d.subject_id,
            "format": d.format, "status": d.status, "issued_at": iso(d.issued_at), "sha256": d.sha256,
            "size": d.size, "supersedes_id": d.supersedes_id, "url": f"/api/v1/documents/{d.id}.{d.format}"}


#: what a list shows of a document: its columns without ``context`` (the JSON the document was
#: rendered from, kilobytes a row: 2,000 of them decoded were most of the documents page's time)
LISTED = (Document.id, Document.kind, Document.number, Document.year, Document.organisation_id, Document.subject_type,
          Document.subject_id, Document.format, Document.status, Document.issued_at, Document.sha256, Document.size,
          Document.supersedes_id)


def listing(db: Session, actor: User, *, kind: str | None = None, organisation_id: int | None = None,
            limit: int = 100, with_names: bool = False) -> list[dict]:
    columns = LISTED + ((Organisation.name.label("organisation_name"),) if with_names else ())
    query = select(*columns).where(Document.status != "deleted").order_by(Document.id.desc())
    if with_names:  # joined: the names of 2,000 rows' organisations by IN took 134 ms on PostgreSQL
        query = query.outerjoin(Organisation, Organisation.id == Document.organisation_id)
    query = auth.filter_visible(query, Document.organisation_id, db, actor, organisation_id)
    if kind:
        query = query.where(Document.kind == kind)
    docs = []
    for row in db.execute(query.limit(limit)):
        d = as_dict(row)
        if with_names:
            d["organisation_name"] = row.organisation_name or ""
        docs.append(d)
    return docs


STATUS_NAMES = {"issued": "有效", "superseded": "已被替代", "withdrawn": "已作废"}


def issues(db: Session, actor: User, *, limit: int = 2000) -> list[dict]:
    """Issued documents as people think of them: one row per issue (one number) with each of its formats."""
    docs = listing(db, actor, limit=limit, with_names=True)
    rows: dict = {}
    for d in docs:
        key = (d["kind"], d["number"], d["year"], d["organisation_id"]) if d["number"] else ("id", d["id"])
        row = rows.get(key)
        if row is None:
            row = rows[key] = {**d, "formats": [], "status_name": STATUS_NAMES.get(d["status"], "—"),
                               "domain": None}
        row["formats"].append({"format": d["format"], "label": d["format"].upper(), "url": d["url"], "id": d["id"]})
        row["id"] = min(row["id"], d["id"])
        row["issued_at"] = min(row["issued_at"] or "", d["issued_at"] or "") or row["issued_at"]
    # a certificate's row reads its certificate's state (已撤销 after a 摘牌, 已失效 after the term), as /verify does
    numbers = [r["number"] for r in rows.values() if r["kind"] in CERTIFICATE_KINDS and r["number"]]
    certs = {c.number: c for c in db.execute(select(Certificate).where(Certificate.number.in_(numbers))).scalars()} \
        if numbers else {}
    ends = term_ends_of(db, certs.values())
    for row in rows.values():
        cert = certs.get(row["number"]) if row["kind"] in CERTIFICATE_KINDS and row["status"] == "issued" else None
        if cert is not None:
            row["status_name"] = VERIFY_STATUS[certificate_status(db, cert, term_ends=ends)][0]
        row["formats"].sort(key=lambda f: f["format"] != "pdf")
        row["format_names"] = "、".join(f["label"] for f in row["formats"])
        row["year"] = row["year"] or (int(row["issued_at"][:4]) if row["issued_at"] else None)
    return sorted(rows.values(), key=lambda r: r["id"], reverse=True)


def load(db: Session, actor: User, doc_id: int) -> Document:
    return auth.load_visible(db, actor, Document, doc_id, "未找到该文书。")


def same_issue(db: Session, doc: Document) -> list[Document]:
    """Every format of the issue ``doc`` belongs to (one number)."""
    return [d for d in db.execute(select(Document).where(Document.kind == doc.kind, Document.number == doc.number,
                                                         Document.year == doc.year).order_by(Document.id)).scalars()
            if d.organisation_id == doc.organisation_id]


def in_format(db: Session, store: FileStore, actor: User, doc_id: int, fmt: str) -> Document:
    """The document in ``fmt``; another format of the same issue is rendered once and kept."""
    doc = load(db, actor, doc_id)
    if fmt not in MEDIA_TYPES:
        raise NotFound("不支持该格式。")
    if fmt == doc.format:
        return doc
    try:
        return add_format(db, doc, fmt, user=actor, store=store)
    except IssueError as exc:
        raise NotFound(str(exc)) from None


def file_name(doc: Document, fmt: str) -> str:
    return f"{kind_name(doc.kind)}-{doc.number or doc.id}.{fmt}".replace("/", "-")


#: the record each kind is issued about, and the organisation that record belongs to
RECORD_MODELS = {
    "supplement-notice": Submission, "acceptance-form": Assessment, "rectification-notice": Assessment,
    "rectification-taskbook": Assessment, "party-card": Certificate, "rectification-ledger": Organisation,
    "commendation-decision": Organisation, "quarterly-report": Organisation, "honor-certificate": CreationCycle,
    "delisting-notice": CreationCycle,
}
NOT_FOUND = "未找到该记录。"
MAX_TEXT = 2000


def visible_record(db: Session, actor: User, kind: str, record_id) -> None:
    """404 (one message, missing or hidden) unless the record a document is about lies in the actor's view:
    checked before anything about the record is read."""
    if isinstance(record_id, bool) or not isinstance(record_id, int) or not 1 <= record_id <= auth.MAX_ID:
        raise Invalid("record_id 应为记录编号（正整数）。", field="record_id")
    model = RECORD_MODELS.get(kind)
    if model is None:
        return
    obj = db.get(model, record_id)
    org_id = None if obj is None else (obj.id if model is Organisation else obj.organisation_id)
    if obj is None or (org_id is not None and not auth.can_see(db, actor, org_id)) or \
            (org_id is None and actor.role != "admin"):
        raise NotFound(NOT_FOUND)


def _whole(value, key: str, label: str, low: int, high: int) -> int:
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 9:
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid(f"{label}应为 {low} 到 {high} 之间的整数。", field=f"options.{key}")
    return value


def checked_options(options) -> dict:
    """The options a document takes, each checked (``Invalid`` naming ``options.<key>``); others dropped."""
    if not isinstance(options, dict):
        raise Invalid("options 应为 JSON 对象。", field="options")
    out = {}
    for key, value in options.items():
        if key not in OPTIONS or value is None or value == "":
            continue
        if key == "year":
            out[key] = _whole(value, key, "年份", 2000, 2100)
        elif key == "quarter":
            out[key] = _whole(value, key, "季度", 1, 4)
        elif key == "days":
            out[key] = _whole(value, key, "期限天数", 1, 365)
        elif key in ("as_of", "deadline"):
            try:
                out[key] = dt.date.fromisoformat(value).isoformat() if isinstance(value, str) else None
            except ValueError:
                out[key] = None
            if out[key] is None:
                raise Invalid("日期应写成 2026-03-31 这样的格式。", "invalid_date", field=f"options.{key}")
        elif key == "group_members":
            if not isinstance(value, list) or len(value) > 50 or \
                    not all(isinstance(v, str) and len(v) <= 50 for v in value):
                raise Invalid("考核组成员应为姓名列表（最多 50 人）。", field=f"options.{key}")
            out[key] = value
        else:
            if not isinstance(value, str) or len(value) > MAX_TEXT:
                raise Invalid(f"该项应为不超过 {MAX_TEXT} 字的文字。", field=f"options.{key}")
            out[key] = value
    return out


def issue(db: Session, store: FileStore, actor: User, kind, record_id, *, formats=("pdf",),
          options: dict | None = None, context: dict | None = None,
          idempotency_key: str | None = None) -> list[Document]:
    """Issue a ``kind`` document about ``record_id`` (in the actor's view) in each of ``formats``.

    With an ``idempotency_key``, a retry of the same request returns the first one's documents
    (no second number); the same key with another request is refused."""
    auth.require_role(actor, *auth.REVIEWERS)
    if not isinstance(kind, str) or kind not in KINDS or kind == "blank-form":
        raise Invalid("未知的文书种类。", field="kind")
    visible_record(db, actor, kind, record_id)
    if not isinstance(formats, (list, tuple)) or not formats or not all(f in KINDS[kind].formats for f in formats):
        raise Invalid(f"格式应为 {'、'.join(KINDS[kind].formats)} 之一。", field="formats")
    options = checked_options({} if options is None else options)
    fingerprint = None
    if idempotency_key is not None:
        fingerprint = idempotency.fingerprint("document", kind, record_id, list(formats), options)
        earlier = idempotency.replay(db, actor, "document", idempotency_key, fingerprint)
        if earlier is not None:
            docs = {d.id: d for d in db.execute(select(Document).where(
                Document.id.in_(earlier.get("documents") or []))).scalars()}
            return [docs[i] for i in earlier.get("documents") or [] if i in docs]
    try:
        if context is None:
            context = build_context(kind, db, record_id, options)
        auth.require_org_access(db, actor, context.get("organisation_id"))
        docs = issue_documents(db, kind, record_id, user=actor, formats=tuple(formats), store=store,
                               context=context)
    except RecordNotFound:
        raise NotFound(NOT_FOUND) from None
    except (ContextError, IssueError) as exc:
        raise Invalid(str(exc)) from None
    if idempotency_key is not None:
        idempotency.remember(db, actor, "document", idempotency_key, fingerprint, {"documents": [d.id for d in docs]})
    _tell(db, docs)
    return docs


def _tell(db: Session, docs: list[Document]) -> None:
    """The organisation a document is about hears of it (站内消息)."""
    doc = docs[0] if docs else None
    if doc is None or doc.organisation_id is None or doc.kind in CERTIFICATE_KINDS:
        return
    deadline = (doc.context or {}).get("deadline")
    body = f"{kind_name(doc.kind)}{' ' + doc.number if doc.number else ''}已下达，请查看并按要求办理。"
    if deadline:
        body += f"办理期限：{cn_date(deadline)}。"
    # the number in the title too: a street's two 命名决定 of a year were two lines of 收到党建品牌命名决定
    title = f"收到{kind_name(doc.kind)}" + (f"（{doc.number}）" if doc.number else "")
    inbox.post(db, inbox.branch_users(db, doc.organisation_id), "notice", title, body,
               f"/notices/{doc.id}", dedupe=f"document:{doc.id}")


def reissue(db: Session, store: FileStore, actor: User, doc_id: int) -> list[Document]:
    """A new number for the same record; the old issue is marked superseded."""
    auth.require_role(actor, *auth.REVIEWERS)
    doc = load(db, actor, doc_id)
    try:
        return reissue_documents(db, doc, user=actor, store=store)
    except RecordNotFound:
        raise NotFound("未找到该记录。") from None
    except (ContextError, IssueError) as exc:
        raise Conflict(str(exc)) from None


VERIFY_STATUS = {
    "valid": ("有效", "该证书真实有效。"),
    "revoked": ("已撤销", "该证书已被撤销（称号撤销、摘牌或换发），不再有效。"),
    "expired": ("已失效", "该证书所载称号的有效期已满，证书已失效。"),
    # an unknown number and a wrong check code answer alike: /verify confirms nothing without both
    "unknown": ("未查到", "未查到该证书，请核对证书编号和校验码。"),
    "needs_code": ("请输入校验码", "请输入证书编号旁印有的6位校验码（扫描证书上的二维码可直接核验）。"),
}


def certificate_status(db: Session, cert: Certificate, today: dt.date | None = None,
                       term_ends: dict[int, dt.date | None] | None = None) -> str:
    """valid / revoked / expired: a 荣誉证书 past its term's end (SZ-3.1, 4 years) reads 已失效 on read,
    whether or not the daily job has marked it yet. ``term_ends``: from :func:`term_ends_of`, for a list."""
    if cert.status != "valid":
        return "expired" if cert.status == "expired" else "revoked"
    if cert.kind == "honor-certificate" and cert.organisation_id is not None:
        ends = term_ends.get(cert.id) if term_ends is not None else _term_end(db, cert)
        if ends is not None and ends < (today or dt.date.today()):
            return "expired"
    return "valid"


def valid_certificates(db: Session, organisation_id: int) -> list[str]:
    """The numbers of a branch's 荣誉证书 still 有效 (a 摘牌 or 撤销 confirmation page names them)."""
    return list(db.execute(select(Certificate.number).where(
        Certificate.organisation_id == organisation_id, Certificate.kind == "honor-certificate",
        Certificate.status == "valid").order_by(Certificate.id)).scalars())


def expire_certificates(db: Session, today: dt.date | None = None) -> list[str]:
    """The daily job (``wuhao expire``): every valid 荣誉证书 past its term's end becomes 已失效, with an
    audit row; /verify already says so on read, this makes the record say it too. -> the numbers."""
    today = today or dt.date.today()
    done = []
    for cert in db.execute(select(Certificate).where(Certificate.kind == "honor-certificate",
                                                     Certificate.status == "valid")
                           .order_by(Certificate.id)).scalars():
        if certificate_status(db, cert, today) == "expired":
            cert.status = "expired"
            cert.revoked_on = _term_end(db, cert)
            cert.revoke_reason = "届期已满"
            audit.record(db, None, "certificate_expired", "certificate", cert.id, {"number": cert.number},
                         organisation_id=cert.organisation_id)
            done.append(cert.number)
    return done


def term_ends_of(db: Session, certs) -> dict[int, dt.date | None]:
    """``_term_end`` of many certificates from one query (the documents list asked once per 荣誉证书)."""
    honour = [c for c in certs if c.kind == "honor-certificate" and c.organisation_id is not None]
    if not honour:
        return {}
    by_org: dict[int, list[CreationCycle]] = {}
    for cycle in db.execute(select(CreationCycle).where(
            CreationCycle.organisation_id.in_({c.organisation_id for c in honour}),
            CreationCycle.term_ends_on.is_not(None))).scalars():
        by_org.setdefault(cycle.organisation_id, []).append(cycle)
    out: dict[int, dt.date | None] = {}
    for c in honour:
        found = [y for y in by_org.get(c.organisation_id, [])
                 if c.issued_on is None or (y.commended_on is not None and y.commended_on <= c.issued_on)]
        best = max(found, key=lambda y: (y.commended_on or dt.date.min, y.id), default=None)
        out[c.id] = best.term_ends_on if best is not None else None
    return out


def _term_end(db: Session, cert: Certificate) -> dt.date | None:
    """The end of the term the certificate was issued in: the newest cycle commended on or before its issue."""
    query = select(CreationCycle).where(CreationCycle.organisation_id == cert.organisation_id,
                                        CreationCycle.term_ends_on.is_not(None))
    if cert.issued_on is not None:
        query = query.where(CreationCycle.commended_on <= cert.issued_on)
    cycle = db.execute(query.order_by(CreationCycle.commended_on.desc(), CreationCycle.id.desc())).scalars().first()
    return cycle.term_ends_on if cycle is not None else None


def verify(db: Session, number: str, code: str, key: str) -> dict:
    """Public: a 荣誉证书 / 党员证 number and the check code printed beside it -> its status, holder
    (a person's name masked), issuer and validity period.  Without a code nothing is looked up; an
    unknown number and a wrong code give the same answer, so numbers cannot be walked."""
    number = number.strip()[:64]
    if not normalise(code):
        label, message = VERIFY_STATUS["needs_code"]
        return {"status": "needs_code", "label": label, "message": message, "number": number, "code": ""}
    cert = db.execute(select(Certificate).where(Certificate.number == number)).scalar_one_or_none() \
        if number and code_matches(number, code, key) else None
    status = "unknown" if cert is None else certificate_status(db, cert)
    label, message = VERIFY_STATUS[status]
    issuer, period = "", ""
    if cert is not None:
        doc = db.get(Document, cert.document_id) if cert.document_id else None
        issuer = str(((doc.context or {}).get("issuer") if doc is not None else "") or "")
        printed = (doc.context or {}) if doc is not None else {}
        if cert.job_id is not None and not (issuer and printed.get("term")):  # a batch certificate: its options
            job = db.get(BatchJob, cert.job_id)
            printed = (job.options or {}) if job is not None else {}
            issuer = issuer or str(printed.get("issuer") or "")
        if not issuer and cert.kind == "honor-certificate" and cert.organisation_id is not None:
            organ = register.organ_of(db, cert.organisation_id, create=False)  # as the batch printed it
            issuer = organ.signature if organ is not None else ""
        if cert.kind == "honor-certificate":  # a 党员证 shows no dates
            # the term as the certificate prints it (2025—2029), not the days it runs between
            period = str(printed.get("term") or "").strip()
            ends = None if period else _term_end(db, cert)
            if not period and cert.issued_on is not None and ends is not None:
                period = f"{cert.issued_on.year}—{ends.year}"
        if status != "valid" and cert.revoked_on is not None:  # the day only: the reason stays private
            message += f"（{cn_date(cert.revoked_on)}起）"
    holder = "" if cert is None else (mask_name(cert.holder_name) if cert.kind == "party-card" else cert.holder_name)
    return {"status": status, "label": label, "message": message, "number": number, "code": normalise(code),
            "kind": kind_name(cert.kind) if cert is not None and cert.kind in KINDS else "",
            "holder": holder, "issuer": issuer, "period": period,
            "holder_label": "持证人" if cert is not None and cert.kind == "party-card" else "党支部"}
