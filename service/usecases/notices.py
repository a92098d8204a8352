"""Notices about one record: preview (unnumbered, nothing stored), then issue (numbered).

A 限期整改通知书 is about an assessment, a 补正通知 about a submission. The preview renders
the same context as the issue, with a placeholder instead of the number.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from .. import auth
from ..documents.compose import ContextError, compose
from ..documents.contexts import RecordNotFound, build_context
from ..documents.registry import render
from ..errors import Invalid, NotFound
from ..models import Assessment, Document, Submission, User
from ..storage import FileStore
from . import documents
from .admin import prefix_for
from .validate import opt_int, opt_str

RECORDS = {"rectification-notice": Assessment, "supplement-notice": Submission}
PLACEHOLDER = "（签发时编号）"


def context(db: Session, actor: User, data_dir: Path, payload: dict) -> tuple[str, int, dict]:
    """(kind, record id, context) of a notice, checked against the actor's view; nothing written.

    ``payload``: ``kind``, ``record_id``, optionally ``reason`` and ``days``."""
    auth.require_role(actor, *auth.REVIEWERS)
    kind = payload.get("kind") or "rectification-notice"
    if kind not in RECORDS:
        raise Invalid("kind 只能是 rectification-notice 或 supplement-notice。", field="kind")
    record_id = opt_int(payload, "record_id", minimum=1, maximum=auth.MAX_ID, required=True)
    record = auth.load_visible(db, actor, RECORDS[kind], record_id, "未找到该记录。")
    options = {}
    reason = opt_str(payload, "reason", max_len=300)
    if reason:
        options["reason"] = reason
    days = opt_int(payload, "days", minimum=1, maximum=365)
    if days:
        options["days"] = days
    try:
        ctx = build_context(kind, db, record_id, options)
    except RecordNotFound:
        raise NotFound("未找到该记录。") from None
    except ContextError as exc:
        raise Invalid(str(exc)) from None
    prefix = prefix_for(db, data_dir, record.organisation_id)
    if prefix:
        ctx["doc_prefix"] = prefix
    return kind, record_id, ctx


def _unnumbered(ctx: dict) -> dict:
    return dict(ctx, number=f"{ctx.get('doc_prefix', '')}〔{ctx.get('year')}〕{PLACEHOLDER}")


def preview_pdf(db: Session, actor: User, data_dir: Path, payload: dict) -> bytes:
    kind, _record_id, ctx = context(db, actor, data_dir, payload)
    return render(kind, _unnumbered(ctx), "pdf")


def preview(db: Session, actor: User, data_dir: Path, payload: dict) -> dict:
    """The composed notice (title, blocks …) for an HTML preview, with its kind, record and context."""
    kind, record_id, ctx = context(db, actor, data_dir, payload)
    return {"kind": kind, "kind_name": documents.kind_name(kind), "record_id": record_id, "ctx": ctx,
            "view": compose(kind, _unnumbered(ctx))}


def issue(db: Session, store: FileStore, actor: User, data_dir: Path, payload: dict) -> list[Document]:
    """Issue the notice in PDF and DOCX: the number is allocated only now."""
    kind, record_id, ctx = context(db, actor, data_dir, payload)
    return documents.issue(db, store, actor, kind, record_id, formats=("pdf", "docx"), options={}, context=ctx)
