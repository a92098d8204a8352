"""``/api/v1/submissions``: upload, list, read, correct, check, and the source preview."""
from __future__ import annotations

from flask import Response, request, send_file

from ..db import get_session, reads_first
from ..errors import NotFound
from ..http import require_user, settings, store
from ..usecases import previews, review, serialize, submissions
from ..usecases.validate import opt_date
from .common import blueprint, form_id, int_arg, json_object, uploaded

bp = blueprint("submissions", "/submissions")
MEDIA_TYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               "pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png", "tiff": "image/tiff"}
PAGED = ("pdf", "jpeg", "png", "tiff")  # files the preview shows as page images


@bp.post("")
def create():
    """Upload one or more files (multipart field ``file``): a form and its report."""
    reads_first()  # the look-ups before the parse take no write lock
    user = require_user()
    db = get_session()
    created = submissions.upload(
        db, store(), settings(), user, uploaded("file", "请选择要上传的文件（表单字段 file）。"),
        organisation_id=form_id("organisation_id"), attached_to_id=form_id("attached_to_id"),
        idempotency_key=request.headers.get("Idempotency-Key"))
    body = [serialize.submission(s, submissions.findings_of(db, s)) for s in created]
    return (body[0] if len(body) == 1 else {"items": body}), 201


@bp.get("")
def listing():
    user = require_user()
    return {"items": submissions.listing(get_session(), user, status=request.args.get("status"),
                                         form=request.args.get("form"),
                                         limit=int_arg("limit", 100, minimum=1, maximum=500))}


@bp.get("/<int:submission_id>")
def get(submission_id: int):
    user = require_user()
    db = get_session()
    return submissions.as_dict(db, submissions.load(db, user, submission_id))


@bp.get("/<int:submission_id>/file")
def download(submission_id: int):
    sub = submissions.load(get_session(), require_user(), submission_id)
    return send_file(store().path_for(sub.sha256),
                     mimetype=MEDIA_TYPES.get(sub.media_type, "application/octet-stream"),
                     as_attachment=True, download_name=sub.original_name)


@bp.patch("/<int:submission_id>/fields")
def correct_fields(submission_id: int):
    """A reviewer corrects extracted fields: ``{"fields": {"member_count": 9}}``."""
    user = require_user()
    db = get_session()
    sub = submissions.correct_fields(db, user, submission_id, json_object().get("fields"))
    return submissions.as_dict(db, sub)


@bp.post("/<int:submission_id>/check")
def check(submission_id: int):
    """Run every rule on a submission (a form with its attached report)."""
    user = require_user()
    payload = request.get_json(silent=True)
    payload = payload if isinstance(payload, dict) else {}
    as_of = opt_date({"as_of": payload.get("as_of") or request.args.get("as_of")}, "as_of")
    return submissions.check(get_session(), user, submission_id, as_of, settings().rubric_dir)


@bp.post("/<int:submission_id>/decisions")
def decide(submission_id: int):
    """A reviewer's decision: ``{"decision": "claim|approve|return|supplement", "comment": "…"}``."""
    return review.decide(get_session(), require_user(), submission_id, json_object())


@bp.get("/<int:submission_id>/preview")
def preview(submission_id: int):
    sub = submissions.load(get_session(), require_user(), submission_id)
    return previews.of_submission(get_session(), store(), settings(), sub)


@bp.get("/<int:submission_id>/pages/<int:n>.png")
def page_image(submission_id: int, n: int):
    """One page of a PDF, scan or photo submission as an image (for the preview with source boxes)."""
    sub = submissions.load(get_session(), require_user(), submission_id)
    if sub.media_type not in PAGED:
        raise NotFound("只有 PDF 和扫描图片材料提供页面图像。")
    png = previews.page_png(get_session(), store(), settings(), sub, n)
    return Response(png, mimetype="image/png", headers={"Cache-Control": "private, max-age=3600"})
