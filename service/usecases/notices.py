"""Notices about one record: preview (the number it will take, nothing stored), then issue (numbered).

A 限期整改通知书 is about an assessment, a 补正通知 about a submission. The preview renders
the same context as the issue, with the issuing organ's names and the number the notice will take
if nobody signs another 公文 of that organ first (the number itself is allocated only at signing).
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from .. import auth, numbering, register
from ..documents.compose import ContextError, compose
from ..documents.contexts import RecordNotFound, build_context, link_certificate
from ..documents.issue import cert_prefix
from ..documents.registry import render
from ..errors import Invalid, NotFound
from ..models import Assessment, CreationCycle, Document, Organisation, Submission, User
from ..storage import FileStore
from . import documents
from .validate import opt_int, opt_str

#: every numbered 公文 a reviewer issues from the pages, and the record it is about
RECORDS = {"rectification-notice": Assessment, "supplement-notice": Submission,
           "rectification-taskbook": Assessment, "commendation-decision": Organisation,
           "delisting-notice": CreationCycle, "quarterly-report": Organisation,
           "honor-certificate": CreationCycle}
#: the reviewer's choices a preview carries into the issue
CHOICES = ("reason", "days", "year", "quarter", "deadline")


def context(db: Session, actor: User, data_dir: Path, payload: dict) -> tuple[str, int, dict]:
    """(kind, record id, context) of a notice, checked against the actor's view; nothing written.

    ``payload``: ``kind``, ``record_id``, optionally ``reason`` and ``days``."""
    auth.require_role(actor, *auth.REVIEWERS)
    kind = payload.get("kind") or "rectification-notice"
    if kind not in RECORDS:
        raise Invalid(f"kind 只能是 {'、'.join(RECORDS)} 之一。", field="kind")
    record_id = opt_int(payload, "record_id", minimum=1, maximum=auth.MAX_ID, required=True)
    auth.load_visible(db, actor, RECORDS[kind], record_id, "未找到该记录。",
                      **({"organisation_of": lambda o: o.id} if RECORDS[kind] is Organisation else {}))
    options = {}
    reason = opt_str(payload, "reason", max_len=300)
    if reason:
        options["reason"] = reason
    options.update(documents.checked_options({k: payload[k] for k in CHOICES if k != "reason" and k in payload}))
    try:
        ctx = build_context(kind, db, record_id, options)
    except RecordNotFound:
        raise NotFound("未找到该记录。") from None
    except ContextError as exc:
        raise Invalid(str(exc)) from None
    return kind, record_id, ctx


def offerable(db: Session, actor: User, data_dir: Path, payload: dict) -> bool:
    """Whether the notice can be issued now: the same context the issue builds, so a page never offers
    a notice that then fails (after a score of 77 with no findings: no 限期整改通知书)."""
    try:
        context(db, actor, data_dir, payload)
    except (Invalid, NotFound):
        return False
    return True


def _unnumbered(db: Session, kind: str, ctx: dict) -> dict:
    """The context as it will be signed, numbered with the number it will take."""
    if kind == "honor-certificate":  # the next 荣誉证书 number of the year (or the one it keeps)
        ctx = dict(ctx)
        if not ctx.get("number"):
            year = int(ctx.get("year") or 0)
            seq = numbering.peek(db, "honor-certificate", year, scope="") + 1
            ctx["number"] = numbering.format_certificate_number(cert_prefix(), year, seq)
        return link_certificate(ctx, ctx["number"])
    return register.preview(db, kind, dict(ctx))


def preview_pdf(db: Session, actor: User, data_dir: Path, payload: dict) -> bytes:
    kind, _record_id, ctx = context(db, actor, data_dir, payload)
    return render(kind, _unnumbered(db, kind, ctx), "pdf")


def preview(db: Session, actor: User, data_dir: Path, payload: dict) -> dict:
    """The composed notice (title, blocks …) for an HTML preview, with its kind, record and context."""
    kind, record_id, ctx = context(db, actor, data_dir, payload)
    numbered = _unnumbered(db, kind, ctx)
    return {"kind": kind, "kind_name": documents.kind_name(kind), "record_id": record_id, "ctx": ctx,
            "expected_number": numbered.get("number") or "", "view": compose(kind, numbered)}


def issue(db: Session, store: FileStore, actor: User, data_dir: Path, payload: dict,
          idempotency_key: str | None = None) -> list[Document]:
    """Issue the notice in PDF and DOCX: the number is allocated only now (once per ``idempotency_key``)."""
    kind, record_id, ctx = context(db, actor, data_dir, payload)
    options = {k: payload[k] for k in CHOICES if payload.get(k)}
    return documents.issue(db, store, actor, kind, record_id, formats=("pdf", "docx"), options=options, context=ctx,
                           idempotency_key=idempotency_key)
