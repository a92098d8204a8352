"""HTTP: issued documents, blank forms, and the public certificate verification page."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, current_app
from sqlalchemy import select

from ..errors import ApiError
from ..models import Certificate, Document
from .registry import KINDS, MEDIA_TYPES

bp = Blueprint("documents", __name__)

VERIFY_STATUS = {
    "valid": ("有效", "该证书真实有效。"),
    "revoked": ("已撤销", "该证书已被撤销（摘牌或换发），不再有效。"),
    "unknown": ("未查到", "未查到该编号的证书，请核对编号。"),
}

_VERIFY_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>证书核验</title>
<style>
body { font-family: "Noto Sans CJK SC", sans-serif; max-width: 32em; margin: 3em auto; padding: 0 1em; color: #222; }
.status { font-size: 1.6em; margin: .5em 0; }
.valid { color: #1a7f37; } .revoked { color: #c00000; } .unknown { color: #666; }
dl { display: grid; grid-template-columns: 6em 1fr; gap: .4em; } dt { color: #666; }
</style></head>
<body>
<h1>证书核验</h1>
<p class="status {{ status }}">{{ label }}</p>
<p>{{ message }}</p>
{% if status != 'unknown' %}
<dl><dt>证书编号</dt><dd>{{ number }}</dd><dt>证书类别</dt><dd>{{ kind }}</dd><dt>{{ holder_label }}</dt><dd>{{ holder }}</dd></dl>
{% endif %}
</body></html>
"""


def _verify_template():
    tpl = current_app.extensions.get("wuhao_verify_tpl")
    if tpl is None:
        from .safety import jinja_env

        tpl = current_app.extensions["wuhao_verify_tpl"] = jinja_env().from_string(_VERIFY_PAGE)
    return tpl


@bp.get("/verify/<path:number>")
def verify(number: str):
    """Public: whether a 荣誉证书 / 党员证 number is valid, revoked or unknown — nothing else."""
    from ..db import get_session

    number = number.strip()[:64]
    cert = None
    if number:
        cert = get_session().execute(select(Certificate).where(Certificate.number == number)).scalar_one_or_none()
    status = "unknown" if cert is None else ("valid" if cert.status == "valid" else "revoked")
    label, message = VERIFY_STATUS[status]
    kind = KINDS[cert.kind].label if cert is not None and cert.kind in KINDS else ""
    holder_label = "持证人" if cert is not None and cert.kind == "party-card" else "党支部"
    html = _verify_template().render(status=status, label=label, message=message, number=number,
                                     kind=kind, holder=cert.holder_name if cert else "",
                                     holder_label=holder_label)
    resp = Response(html, status=404 if status == "unknown" else 200, mimetype="text/html")
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["X-Robots-Tag"] = "noindex"
    resp.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return resp


def _send(data: bytes, fmt: str, filename: str, sha256: str) -> Response:
    resp = Response(data, mimetype=MEDIA_TYPES.get(fmt, "application/octet-stream"))
    ascii_name = f"document.{fmt}"
    resp.headers["Content-Disposition"] = (f"attachment; filename=\"{ascii_name}\"; "
                                           f"filename*=UTF-8''{quote(filename)}")
    resp.headers["ETag"] = f"\"{sha256}\""
    resp.headers["X-Content-SHA256"] = sha256
    resp.headers["Cache-Control"] = "private, no-cache"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


def _filename(doc: Document, fmt: str) -> str:
    label = KINDS[doc.kind].label if doc.kind in KINDS else doc.kind
    number = doc.number or str(doc.id)
    return f"{label}-{number}.{fmt}".replace("/", "-")


@bp.get("/api/v1/documents/<int:doc_id>.<fmt>")
def download(doc_id: int, fmt: str):
    """An issued document in ``fmt``; another format of the same issue is rendered once and kept."""
    from ..auth import require_org_access, require_user
    from ..db import get_session
    from ..storage import current_store
    from .issue import IssueError, add_format

    user = require_user()
    session = get_session()
    doc = session.get(Document, doc_id)
    if doc is None:
        raise ApiError("not_found", "未找到该文书。", 404)
    require_org_access(session, user, doc.organisation_id)
    if fmt not in MEDIA_TYPES:
        raise ApiError("not_found", "不支持该格式。", 404)
    store = current_store()
    if fmt != doc.format:
        try:
            doc = add_format(session, doc, fmt, user=user, store=store)
        except IssueError as exc:
            raise ApiError("not_found", str(exc), 404) from None
        session.commit()
    return _send(store.read_bytes(doc.sha256), fmt, _filename(doc, fmt), doc.sha256)


@bp.post("/api/v1/documents")
def issue_document():
    """Issue a document: {"kind", "record_id", "formats": ["pdf", "docx"], "options": {}}."""
    from ..api.common import json_object
    from ..auth import require_org_access, require_user
    from ..db import get_session
    from ..storage import current_store
    from .compose import ContextError
    from .contexts import RecordNotFound, build_context
    from .issue import IssueError, issue

    user = require_user("reviewer", "admin")
    payload = json_object()
    kind = payload.get("kind")
    if not isinstance(kind, str) or kind not in KINDS or kind == "blank-form":
        raise ApiError("invalid", "未知的文书种类。", 422, {"field": "kind"})
    formats = payload.get("formats") or ["pdf"]
    if not isinstance(formats, list) or not all(f in KINDS[kind].formats for f in formats):
        raise ApiError("invalid", f"格式应为 {'、'.join(KINDS[kind].formats)} 之一。", 422, {"field": "formats"})
    options = payload.get("options") or {}
    if not isinstance(options, dict):
        raise ApiError("invalid", "options 应为 JSON 对象。", 422, {"field": "options"})
    allowed = {"year", "quarter", "as_of", "reason", "days", "opinion", "group_members", "copy_to", "subject"}
    options = {k: v for k, v in options.items() if k in allowed}
    session = get_session()
    try:
        ctx = build_context(kind, session, payload.get("record_id"), options)
        require_org_access(session, user, ctx.get("organisation_id"))
        docs = issue(session, kind, payload.get("record_id"), user=user, formats=formats,
                     store=current_store(), context=ctx)
    except RecordNotFound:
        raise ApiError("not_found", "未找到该记录。", 404) from None
    except (ContextError, IssueError) as exc:
        raise ApiError("invalid", str(exc), 422) from None
    session.commit()
    return {"documents": [_doc_json(d) for d in docs]}, 201


@bp.post("/api/v1/documents/<int:doc_id>/reissue")
def reissue_document(doc_id: int):
    from ..auth import require_org_access, require_user
    from ..db import get_session
    from ..storage import current_store
    from .compose import ContextError
    from .contexts import RecordNotFound
    from .issue import IssueError, reissue

    user = require_user("reviewer", "admin")
    session = get_session()
    doc = session.get(Document, doc_id)
    if doc is None:
        raise ApiError("not_found", "未找到该文书。", 404)
    require_org_access(session, user, doc.organisation_id)
    try:
        docs = reissue(session, doc, user=user, store=current_store())
    except RecordNotFound:
        raise ApiError("not_found", "未找到该记录。", 404) from None
    except (ContextError, IssueError) as exc:
        raise ApiError("conflict", str(exc), 409) from None
    session.commit()
    return {"documents": [_doc_json(d) for d in docs]}, 201


def _doc_json(d: Document) -> dict:
    return {"id": d.id, "kind": d.kind, "number": d.number, "year": d.year, "format": d.format,
            "sha256": d.sha256, "size": d.size, "status": d.status, "supersedes_id": d.supersedes_id,
            "organisation_id": d.organisation_id,
            "url": f"/api/v1/documents/{d.id}.{d.format}"}
