"""``/api/v1/ledger``: the 整改工作台账 rows, their progress notes with evidence, 销号, the 整改任务书."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, request

from ..db import get_session
from ..http import require_user, settings, store
from ..usecases import documents, ledger
from ..usecases.validate import opt_date, opt_int
from ..auth import MAX_ID
from .common import blueprint, int_arg, json_object, organisation_arg

bp = blueprint("ledger", "/ledger")
taskbooks_bp = blueprint("taskbooks", "/taskbooks")


@bp.get("")
def listing():
    user = require_user()
    return {"items": ledger.listing(get_session(), user, organisation_id=organisation_arg(),
                                    status=request.args.get("status") or None,
                                    limit=int_arg("limit", 500, minimum=1, maximum=2000))}


@bp.post("")
def create():
    return ledger.create(get_session(), require_user(), json_object()), 201


@bp.get("/<int:item_id>")
def get(item_id: int):
    return ledger.get(get_session(), require_user(), item_id)


@bp.patch("/<int:item_id>")
def update(item_id: int):
    return ledger.update(get_session(), require_user(), item_id, json_object())


@bp.post("/<int:item_id>/notes")
def add_note(item_id: int):
    """A progress note: JSON ``{"body", "written_on"}`` or multipart with ``body``, ``written_on``, ``file``."""
    user = require_user()
    if request.is_json:
        payload = json_object()
        body, upload = payload.get("body"), None
    else:
        payload = dict(request.form)
        body = payload.get("body")
        f = request.files.get("file")
        upload = (f.filename or "", f.read()) if f else None
    note = ledger.add_note(get_session(), store(), user, item_id, body, upload, opt_date(payload, "written_on"))
    return note, 201


@bp.get("/<int:item_id>/notes/<int:note_id>/evidence")
def evidence(item_id: int, note_id: int):
    sha, name = ledger.evidence(get_session(), require_user(), item_id, note_id)
    resp = Response(store().read_bytes(sha), mimetype="application/octet-stream")
    resp.headers["Content-Disposition"] = f"attachment; filename=\"evidence\"; filename*=UTF-8''{quote(name)}"
    return resp


@bp.post("/<int:item_id>/close")
def close(item_id: int):
    """销号: ``{"closed_on": "YYYY-MM-DD", "note": "…"}`` (a reviewer)."""
    payload = json_object()
    return ledger.close(get_session(), require_user(), item_id, opt_date(payload, "closed_on"), payload.get("note"))


@taskbooks_bp.post("")
def issue_taskbook():
    """The 整改任务书 of an assessment: ``{"assessment_id", "deadline": "YYYY-MM-DD"}``; without a
    deadline the rows' own, else ``WUHAO_RECTIFY_DAYS`` after today."""
    user = require_user()
    payload = json_object()
    assessment_id = opt_int(payload, "assessment_id", minimum=1, maximum=MAX_ID, required=True)
    docs = ledger.issue_taskbook(get_session(), store(), user, assessment_id, deadline=opt_date(payload, "deadline"),
                                 default_days=settings().rectify_days)
    return {"documents": [documents.as_dict(d) for d in docs]}, 201
