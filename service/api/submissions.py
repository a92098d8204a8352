"""Upload, list, read and correct submissions."""
from __future__ import annotations

from flask import current_app, request, send_file
from sqlalchemy import select

from .. import audit, auth, intake
from ..db import get_session
from ..errors import ApiError
from ..models import Extraction, FieldCorrection, Finding, Organisation, Submission
from ..storage import current_store
from . import bp, serialize
from .common import int_arg

CORRECTING_ROLES = ("reviewer", "admin")


def load_submission(db, user, submission_id: int) -> Submission:
    return auth.load_visible(db, user, Submission, submission_id, "未找到该材料。")


def findings_of(db, sub: Submission) -> list[Finding]:
    return list(db.execute(select(Finding).where(Finding.submission_id == sub.id).order_by(Finding.id)).scalars())


def _target_organisation(db, user) -> int:
    raw = request.form.get("organisation_id")
    if not raw:
        return user.organisation_id
    if not raw.isdigit():
        raise ApiError("invalid_organisation", "组织编号无效。", 422)
    org_id = int(raw)
    auth.require_org_access(db, user, org_id)
    if db.get(Organisation, org_id) is None:
        raise ApiError("not_found", "未找到该组织。", 404)
    return org_id


@bp.post("/submissions")
def create_submission():
    """Upload one or more files (multipart field ``file``): a form and its report."""
    user = auth.require_user()
    db = get_session()
    files = request.files.getlist("file")
    if not files:
        raise ApiError("no_file", "请选择要上传的文件（表单字段 file）。", 400)
    org_id = _target_organisation(db, user)
    attached_to = request.form.get("attached_to_id")
    attached_to_id = None
    if attached_to:
        if not attached_to.isdigit():
            raise ApiError("invalid", "attached_to_id 无效。", 422)
        attached_to_id = load_submission(db, user, int(attached_to)).id
    max_bytes = current_app.config["WUHAO_MAX_UPLOAD_BYTES"]
    created = []
    for storage in files:
        data = storage.read(max_bytes + 1)
        sub = intake.receive(
            db, current_store(), user, org_id, storage.filename or "", data,
            max_bytes=max_bytes, attached_to_id=attached_to_id,
        )
        created.append(sub)
    # A form uploaded together with its report: attach the report to the form.
    forms = [s for s in created if s.form not in ("report", "unknown")]
    if len(forms) == 1 and attached_to_id is None:
        for s in created:
            if s.form == "report":
                s.attached_to_id = forms[0].id
        db.commit()
    body = [serialize.submission(s, findings_of(db, s)) for s in created]
    if len(body) == 1:
        return body[0], 201
    return {"items": body}, 201


@bp.get("/submissions")
def list_submissions():
    user = auth.require_user()
    db = get_session()
    query = select(Submission).order_by(Submission.id.desc())
    query = auth.filter_visible(query, Submission.organisation_id, db, user)
    if request.args.get("status"):
        query = query.where(Submission.status == request.args["status"])
    if request.args.get("form"):
        query = query.where(Submission.form == request.args["form"])
    limit = int_arg("limit", 100, minimum=1, maximum=500)
    items = db.execute(query.limit(limit)).scalars()
    return {"items": [serialize.submission(s, full=False) for s in items]}


@bp.get("/submissions/<int:submission_id>")
def get_submission(submission_id: int):
    user = auth.require_user()
    db = get_session()
    sub = load_submission(db, user, submission_id)
    out = serialize.submission(sub, findings_of(db, sub))
    out["attachments"] = [
        serialize.submission(a, full=False)
        for a in db.execute(select(Submission).where(Submission.attached_to_id == sub.id)).scalars()
    ]
    return out


@bp.get("/submissions/<int:submission_id>/file")
def download_submission(submission_id: int):
    user = auth.require_user()
    db = get_session()
    sub = load_submission(db, user, submission_id)
    mimetypes = {
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pdf": "application/pdf",
    }
    return send_file(
        current_store().path_for(sub.sha256),
        mimetype=mimetypes.get(sub.media_type, "application/octet-stream"),
        as_attachment=True,
        download_name=sub.original_name,
    )


@bp.patch("/submissions/<int:submission_id>/fields")
def correct_fields(submission_id: int):
    """A reviewer corrects extracted fields: ``{"fields": {"member_count": 9}}``.

    The original extraction is never changed; each correction is a row with the
    old value, the new value and who made it.
    """
    user = auth.require_user(*CORRECTING_ROLES)
    db = get_session()
    sub = load_submission(db, user, submission_id)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("fields"), dict) or not payload["fields"]:
        raise ApiError("invalid", '请求体应为 {"fields": {"字段": 值}}。', 422)
    if not sub.extractions:
        raise ApiError("conflict", "该材料尚无提取结果，无法更正。", 409)
    extraction: Extraction = sub.extractions[-1]
    current = intake.effective_fields(extraction)
    for key, value in payload["fields"].items():
        problem = intake.correction_problem(extraction.form, key, value)
        if problem:
            raise ApiError("invalid_field", problem, 422, {"field": key})
    for key, value in payload["fields"].items():
        db.add(FieldCorrection(extraction_id=extraction.id, field=key, old_value=current.get(key),
                               new_value=value, corrected_by_id=user.id))
        audit.record(db, user, "correct_field", "submission", sub.id,
                     {"field": key, "old": current.get(key), "new": value},
                     organisation_id=sub.organisation_id)
    db.commit()
    db.refresh(extraction)
    return serialize.submission(sub, findings_of(db, sub))
