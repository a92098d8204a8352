"""Issuing a document: allocate its number → render → store → Document row → audit.

An issued document is immutable: its bytes live in the content-addressed store under their
sha256 and its context (the plain data it was drawn from) is kept in ``Document.context``.
A re-issue allocates a new number, links the new row to the old one (``supersedes_id``) and
marks the old rows ``superseded``.  Everything runs in the caller's transaction, so a number
is only used if the documents that carry it are committed (no gap, no duplicate).
"""

from __future__ import annotations

import datetime as dt
import os

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit, numbering, register
from ..models import Certificate, Document
from ..storage import current_store
from .compose import ContextError, compose
from .contexts import build_context, link_certificate
from .registry import kind_info, render
from .safety import clean


class IssueError(ValueError):
    pass


def cert_prefix() -> str:
    """Prefix of 荣誉证书 numbers; the batch engine uses the same sequence and default."""
    return os.environ.get("WUHAO_CERT_PREFIX", "WH")


def _store(store):
    if store is not None:
        return store

    return current_store()


def _user_id(user):
    return getattr(user, "id", user)


def assign_number(session: Session, kind: str, ctx: dict, *, fresh: bool = False, user=None):
    """Give ``ctx`` its number (and verify URL); return (number, register line or None).

    A 公文 (通知, 决定, 通报, 任务书) takes the next number of its issuing organ's register for the
    issue date's year, with the organ's 发文机关标志, 机关代字 and 署名; never blank. ``fresh`` forces a
    new certificate number.
    """
    info = kind_info(kind)
    if info.numbering == "doc":
        organ = register.organ_of(session, ctx.get("organisation_id"))
        if organ is None:
            raise IssueError(f"无法确定{info.label}的发文机关。")
        register.stamp(ctx, organ)
        entry = register.sign(session, organ, kind, ctx, addressee=_addressee(kind, ctx), signer=user)
        ctx["number"] = entry.number
        return entry.number, entry
    year = int(ctx.get("year") or dt.date.today().year)
    if kind == "honor-certificate" and (fresh or not ctx.get("number")):
        seq = numbering.allocate(session, "honor-certificate", year, scope="")
        ctx["number"] = numbering.format_certificate_number(cert_prefix(), year, seq)
        link_certificate(ctx, ctx["number"])
    elif kind == "party-card" and fresh:
        raise IssueError("党员证编号由批量制证分配，不能在此重新编号。")
    return ctx.get("number"), None


def _addressee(kind: str, ctx: dict) -> str:
    """Whom the 公文 is addressed to (主送机关) as the document says it; else the branch."""
    try:
        said = compose(kind, clean(ctx)).get("addressee") or ""
    except (ContextError, KeyError, TypeError, ValueError):
        said = ""
    return said.rstrip("：:") or ctx.get("branch_name") or ctx.get("organisation") or ""


def issue(session: Session, kind: str, record_id, *, user=None, formats=("pdf",),
          options: dict | None = None, store=None, supersedes: Document | None = None,
          context: dict | None = None) -> list[Document]:
    """Issue a ``kind`` document about ``record_id`` in each of ``formats``; one number for all."""
    info = kind_info(kind)
    formats = tuple(dict.fromkeys(formats))
    for fmt in formats:
        if fmt not in info.formats:
            raise IssueError(f"{info.label}不提供 {fmt} 格式")
    ctx = dict(context) if context is not None else build_context(kind, session, record_id, options)
    store = _store(store)
    had_number = bool(ctx.get("number"))
    number, entry = assign_number(session, kind, ctx, fresh=supersedes is not None, user=user)
    ctx = clean(ctx)
    subject = ctx.get("subject") or [None, None]
    year = int(ctx.get("year") or dt.date.today().year)

    new_cert = None
    if kind == "honor-certificate" and (not had_number or supersedes is not None):
        new_cert = Certificate(kind=kind, number=number, holder_name=ctx["branch_name"],
                               organisation_id=ctx.get("organisation_id"), status="valid",
                               issued_on=dt.date.fromisoformat(ctx["issued_on"]) if ctx.get("issued_on") else None)
        session.add(new_cert)

    docs = []
    for fmt in formats:
        data = render(kind, ctx, fmt)
        sha = store.put_bytes(data)
        doc = Document(kind=kind, number=number, year=year, organisation_id=ctx.get("organisation_id"),
                       subject_type=subject[0], subject_id=subject[1] if isinstance(subject[1], int) else None,
                       format=fmt, sha256=sha, size=len(data), context=ctx, status="issued",
                       issued_by_id=_user_id(user), supersedes_id=supersedes.id if supersedes else None)
        session.add(doc)
        session.flush()
        audit.record(session, user, "document_issued", "document", doc.id,
                     {"kind": kind, "number": number, "format": fmt, "sha256": sha, "size": len(data),
                      "supersedes": supersedes.id if supersedes else None},
                     organisation_id=ctx.get("organisation_id"))
        docs.append(doc)
    if entry is not None and docs:
        entry.document_id = docs[0].id
    if new_cert is not None and docs:
        new_cert.document_id = docs[0].id
    elif kind in ("party-card", "honor-certificate") and number and docs:
        cert = session.execute(select(Certificate).where(Certificate.number == number)).scalar_one_or_none()
        if cert is not None and cert.document_id is None:
            cert.document_id = docs[0].id
    if kind == "delisting-notice":
        _revoke_certificates(session, ctx, user)
    if supersedes is not None:
        _supersede(session, supersedes, docs[0], user)
    return docs


def add_format(session: Session, doc: Document, fmt: str, *, user=None, store=None) -> Document:
    """The same issued document (same number, same context) in another format."""
    info = kind_info(doc.kind)
    if fmt not in info.formats:
        raise IssueError(f"{info.label}不提供 {fmt} 格式")
    sibling = session.execute(select(Document).where(
        Document.kind == doc.kind, Document.number == doc.number, Document.format == fmt,
        Document.sha256.is_not(None), Document.id != doc.id,
        Document.year == doc.year).order_by(Document.id)).scalars().first() if doc.number else None
    if sibling is not None and sibling.context == doc.context:
        return sibling
    store = _store(store)
    data = render(doc.kind, dict(doc.context or {}), fmt)
    sha = store.put_bytes(data)
    new = Document(kind=doc.kind, number=doc.number, year=doc.year, organisation_id=doc.organisation_id,
                   subject_type=doc.subject_type, subject_id=doc.subject_id, format=fmt, sha256=sha,
                   size=len(data), context=doc.context, status=doc.status, issued_by_id=_user_id(user),
                   supersedes_id=doc.supersedes_id)
    session.add(new)
    session.flush()
    audit.record(session, user, "document_issued", "document", new.id,
                 {"kind": doc.kind, "number": doc.number, "format": fmt, "sha256": sha,
                  "size": len(data), "same_as": doc.id}, organisation_id=doc.organisation_id)
    return new


def reissue(session: Session, doc: Document, *, user=None, formats=None, options=None,
            store=None) -> list[Document]:
    """Re-issue ``doc`` from fresh data: a new number, linked to the old document."""
    if doc.status == "superseded":
        raise IssueError("该文书已被重新印发，请对最新版本操作。")
    if doc.subject_type == "form":
        raise IssueError("空白表格无需重新印发。")
    record = doc.subject_id
    if record is None:
        raise IssueError("该文书没有记录来源，无法重新印发。")
    formats = formats or (doc.format,)
    # the same period and form as the old document (year, quarter, blank scoring form)
    old = doc.context or {}
    base = {k: old[k] for k in ("year", "quarter") if old.get(k) is not None}
    if doc.kind == "acceptance-form" and doc.subject_type == "organisation":
        base["subject"] = "organisation"
    return issue(session, doc.kind, record, user=user, formats=formats, options={**base, **(options or {})},
                 store=store, supersedes=doc)


def _supersede(session: Session, old: Document, new: Document, user) -> None:
    rows = [old]
    if old.number and old.number != new.number:
        # every format of the old issue (same kind, number and year)
        rows = session.execute(select(Document).where(
            Document.kind == old.kind, Document.number == old.number,
            Document.year == old.year)).scalars().all()
    for row in rows:
        if row.status == "issued":
            row.status = "superseded"
    line = register.entry_of(session, old.kind, old.number)
    if line is not None and line.status == "issued":
        line.status = "superseded"
    if old.kind == "honor-certificate" and old.number:
        for cert in session.execute(select(Certificate).where(Certificate.number == old.number)).scalars():
            if cert.status == "valid":
                cert.status = "revoked"
                cert.revoked_on = dt.date.today()
                cert.revoke_reason = f"已换发新证书（编号{new.number}）"
    audit.record(session, user, "document_superseded", "document", old.id,
                 {"kind": old.kind, "old_number": old.number, "new_number": new.number,
                  "new_document": new.id}, organisation_id=old.organisation_id)


def _revoke_certificates(session: Session, ctx: dict, user) -> None:
    """摘牌通知: the branch's valid 荣誉证书 become revoked, so /verify says so."""
    org_id = ctx.get("organisation_id")
    if org_id is None:
        return
    day = dt.date.fromisoformat(ctx["effective_on"]) if ctx.get("effective_on") else dt.date.today()
    revoke_honours(session, org_id, day, f"{ctx.get('reason') or '摘牌'}（{ctx.get('rule') or ''}）", user,
                   notice=ctx.get("number"))


def revoke_honours(session: Session, org_id: int, day: dt.date, reason: str, user, notice: str | None = None,
                   status: str = "revoked") -> int:
    """The branch's valid 荣誉证书 become 已撤销 (``status`` "revoked") or 已失效 ("expired", the term
    ended), with the day and reason, each with an audit row; called at the moment a title ends
    (撤销, 摘牌, 届满), not when someone later issues the notice."""
    count = 0
    for cert in session.execute(select(Certificate).where(
            Certificate.kind == "honor-certificate", Certificate.organisation_id == org_id,
            Certificate.status == "valid")).scalars():
        cert.status = status
        cert.revoked_on = day
        cert.revoke_reason = reason
        audit.record(session, user, "certificate_revoked", "certificate", cert.id,
                     {"number": cert.number, "reason": reason, "notice": notice}, organisation_id=org_id)
        count += 1
    return count
