"""``/api/v1/documents`` (issued documents: list, download, issue, re-issue) and ``/api/v1/notices``."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, request

from ..db import get_session
from ..documents.registry import MEDIA_TYPES
from ..http import require_user, settings, store
from ..usecases import documents, notices
from .common import blueprint, int_arg, json_object, organisation_arg

bp = blueprint("documents", "/documents")
notices_bp = blueprint("notices", "/notices")


@bp.get("")
def listing():
    user = require_user()
    return {"items": documents.listing(get_session(), user, kind=request.args.get("kind"),
                                       organisation_id=organisation_arg(),
                                       limit=int_arg("limit", 100, minimum=1, maximum=500))}


@bp.get("/<int:doc_id>.<fmt>")
def download(doc_id: int, fmt: str):
    """An issued document in ``fmt``; another format of the same issue is rendered once and kept."""
    files = store()
    doc = documents.in_format(get_session(), files, require_user(), doc_id, fmt)
    resp = Response(files.read_bytes(doc.sha256), mimetype=MEDIA_TYPES.get(fmt, "application/octet-stream"))
    resp.headers["Content-Disposition"] = (f"attachment; filename=\"document.{fmt}\"; "
                                           f"filename*=UTF-8''{quote(documents.file_name(doc, fmt))}")
    resp.headers["ETag"] = f"\"{doc.sha256}\""
    resp.headers["X-Content-SHA256"] = doc.sha256
    resp.headers["Cache-Control"] = "private, no-cache"
    return resp


@bp.post("")
def issue():
    """Issue a document: {"kind", "record_id", "formats": ["pdf", "docx"], "options": {}}."""
    user = require_user()
    payload = json_object()
    docs = documents.issue(get_session(), store(), user, payload.get("kind"), payload.get("record_id"),
                           formats=payload.get("formats") or ["pdf"], options=payload.get("options") or {},
                           idempotency_key=request.headers.get("Idempotency-Key"))
    return {"documents": [documents.as_dict(d) for d in docs]}, 201


@bp.post("/<int:doc_id>/reissue")
def reissue(doc_id: int):
    docs = documents.reissue(get_session(), store(), require_user(), doc_id)
    return {"documents": [documents.as_dict(d) for d in docs]}, 201


@notices_bp.post("/preview")
def preview_notice():
    """The notice as a PDF, unnumbered; nothing is stored."""
    user = require_user()
    pdf = notices.preview_pdf(get_session(), user, settings().data_dir, json_object())
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": "inline; filename=preview.pdf", "Cache-Control": "no-store"})


@notices_bp.post("")
def issue_notice():
    """Issue the notice: the number is allocated only now, with the stored documents and audit rows."""
    user = require_user()
    docs = notices.issue(get_session(), store(), user, settings().data_dir, json_object(),
                         idempotency_key=request.headers.get("Idempotency-Key"))
    return {"documents": [documents.as_dict(d) for d in docs]}, 201
