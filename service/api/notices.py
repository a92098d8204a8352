"""Documents addressed to an organisation, and notices: preview (unnumbered), then issue (numbered).

The contexts come from ``service.documents.contexts.build_context`` (a 限期整改通知书 is about an
assessment, a 补正通知 about a submission); issuing goes through ``service.documents.issue``
(number → render → store → Document → audit). The preview renders the same context with a
placeholder instead of the number and stores nothing.
"""
from __future__ import annotations

from flask import Response, request
from sqlalchemy import select

from .. import auth
from ..db import get_session
from ..errors import ApiError
from ..models import Assessment, Document, Submission
from . import bp
from .admin import prefix_for
from .common import filter_by_organisation_arg, int_arg, json_object, opt_int, opt_str
from .serialize import iso
from ..vocabulary import document_kind_name

REVIEWERS = ("reviewer", "admin")
NOTICE_KINDS = {"rectification-notice": (document_kind_name("rectification-notice"), Assessment),
                "supplement-notice": (document_kind_name("supplement-notice"), Submission)}
PLACEHOLDER = "（签发时编号）"


def document_dict(d: Document) -> dict:
    return {"id": d.id, "kind": d.kind, "kind_name": document_kind_name(d.kind), "number": d.number,
            "year": d.year, "organisation_id": d.organisation_id, "subject_type": d.subject_type,
            "subject_id": d.subject_id, "format": d.format, "status": d.status, "issued_at": iso(d.issued_at),
            "url": f"/api/v1/documents/{d.id}.{d.format}"}


@bp.get("/documents")
def list_documents():
    user = auth.require_user()
    db = get_session()
    query = auth.filter_visible(select(Document).order_by(Document.id.desc()), Document.organisation_id, db, user)
    query = filter_by_organisation_arg(query, Document.organisation_id, db, user)
    if request.args.get("kind"):
        query = query.where(Document.kind == request.args["kind"])
    limit = int_arg("limit", 100, minimum=1, maximum=500)
    return {"items": [document_dict(d) for d in db.execute(query.limit(limit)).scalars()]}


def notice_context(db, user, payload: dict) -> tuple[str, int, dict]:
    """(kind, record id, context) for a notice; checked against the caller's view; nothing written."""
    kind = payload.get("kind") or "rectification-notice"
    if kind not in NOTICE_KINDS:
        raise ApiError("invalid", "kind 只能是 rectification-notice 或 supplement-notice。", 422, {"field": "kind"})
    record_id = opt_int(payload, "record_id", minimum=1, maximum=auth.MAX_ID, required=True)
    model = NOTICE_KINDS[kind][1]
    record = db.get(model, record_id)
    if record is None:
        raise ApiError("not_found", "未找到该记录。", 404)
    auth.require_org_access(db, user, record.organisation_id)
    options = {}
    reason = opt_str(payload, "reason", max_len=300)
    if reason:
        options["reason"] = reason
    days = opt_int(payload, "days", minimum=1, maximum=365)
    if days:
        options["days"] = days
    try:
        from ..documents.compose import ContextError
        from ..documents.contexts import RecordNotFound, build_context
    except ImportError:
        raise ApiError("unavailable", "文书模块尚不可用。", 503) from None
    try:
        ctx = build_context(kind, db, record_id, options)
    except RecordNotFound:
        raise ApiError("not_found", "未找到该记录。", 404) from None
    except ContextError as exc:
        raise ApiError("invalid", str(exc), 422) from None
    prefix = prefix_for(db, record.organisation_id)
    if prefix:
        ctx["doc_prefix"] = prefix
    return kind, record_id, ctx


def preview_pdf(ctx: dict, kind: str) -> bytes:
    from ..documents.registry import render

    return render(kind, dict(ctx, number=f"{ctx.get('doc_prefix', '')}〔{ctx.get('year')}〕{PLACEHOLDER}"), "pdf")


def preview_view(ctx: dict, kind: str) -> dict:
    """The composed document (title, blocks …) for an HTML preview."""
    from ..documents.compose import compose

    return compose(kind, dict(ctx, number=f"{ctx.get('doc_prefix', '')}〔{ctx.get('year')}〕{PLACEHOLDER}"))


@bp.post("/notices/preview")
def preview_notice():
    """The notice as a PDF, unnumbered; nothing is stored."""
    user = auth.require_user(*REVIEWERS)
    db = get_session()
    kind, _rid, ctx = notice_context(db, user, json_object())
    return Response(preview_pdf(ctx, kind), mimetype="application/pdf",
                    headers={"Content-Disposition": "inline; filename=preview.pdf", "Cache-Control": "no-store"})


def issue_notice_now(db, user, kind: str, record_id: int, ctx: dict) -> list[Document]:
    from ..documents.issue import IssueError, issue

    try:
        return issue(db, kind, record_id, user=user, formats=("pdf", "docx"), context=ctx)
    except IssueError as exc:
        raise ApiError("invalid", str(exc), 422) from None


@bp.post("/notices")
def issue_notice():
    """Issue the notice: the number is allocated only now, with the stored documents and audit rows."""
    user = auth.require_user(*REVIEWERS)
    db = get_session()
    kind, record_id, ctx = notice_context(db, user, json_object())
    docs = issue_notice_now(db, user, kind, record_id, ctx)
    db.commit()
    return {"documents": [document_dict(d) for d in docs]}, 201
