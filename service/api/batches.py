"""``/api/v1/batches``: start a batch from a roster, follow it, cancel or resume it, download its files.

Each handler reads the request and calls ``service.usecases.batches``; the request scope
commits (and the job's workers start on that commit).
"""
from __future__ import annotations

import threading

from flask import current_app, request, send_file

from ..batch import celery_app, executors
from ..db import get_session
from ..auth import REVIEWERS
from ..errors import Invalid
from ..http import require_user, settings, store
from ..usecases import batches
from .common import blueprint

bp = blueprint("batches", "/batches")
FORM_OPTIONS = ("outputs", "chunk_size", "volume_size", "issued_on", "issuer", "year", "title", "term", "prefix")
_resumed: set[str] = set()
_resume_lock = threading.Lock()


@bp.record_once
def _celery(state) -> None:
    """``celery_init_app``: the app's Celery, built from its settings (``app.extensions["celery"]``)."""
    celery_app.init_app(state.app)


def celery():
    return current_app.extensions[celery_app.EXTENSION]


@bp.before_app_request
def _resume_once():
    """After a crash or kill -9 of the server, unfinished local jobs continue (once per process)."""
    if current_app.config.get("WUHAO_BATCH_AUTORESUME") is False or (
            current_app.config.get("TESTING") and not current_app.config.get("WUHAO_BATCH_AUTORESUME")):
        return
    key = settings().database_url
    with _resume_lock:
        if key in _resumed:
            return
        _resumed.add(key)
    threading.Thread(target=executors.resume_all, args=(settings(), "local"), daemon=True).start()


def options_of(form) -> dict:
    """The batch options of a submitted form (strings; the use case validates them)."""
    options = {k: form.get(k) for k in FORM_OPTIONS if form.get(k)}
    if form.get("overprint") in ("1", "true", "on"):
        options["overprint"] = True
    if form.get("offset_mm"):
        try:
            options["offset_mm"] = [float(x) for x in form["offset_mm"].replace("，", ",").split(",")][:2]
        except ValueError:
            raise Invalid("套打偏移应为 “x,y”（毫米）。", field="offset_mm") from None
    return options


@bp.post("")
def submit_batch():
    user = require_user(*REVIEWERS)
    upload = request.files.get("roster")
    if upload is None or not upload.filename:
        raise Invalid("请上传名册文件（字段 roster，XLSX 或 CSV）。", "no_file", field="roster")
    body = batches.start(get_session(), user, settings=settings(), roster=upload.read(), roster_name=upload.filename,
                         kind=request.form.get("kind", "party-card"), options=options_of(request.form),
                         executor=request.form.get("executor") or settings().batch_executor, celery=celery())
    body.update(url=f"/api/v1/batches/{body['id']}", page=f"/batches/{body['id']}")
    return body, (202 if body["created"] else 200)


@bp.get("")
def list_batches():
    return {"items": batches.list_jobs(get_session(), require_user(*REVIEWERS))}


@bp.get("/<int:job_id>")
def get_batch(job_id: int):
    return batches.get(get_session(), require_user(*REVIEWERS), job_id)


@bp.post("/<int:job_id>/cancel")
def cancel_batch(job_id: int):
    return batches.cancel(get_session(), require_user(*REVIEWERS), job_id)


@bp.post("/<int:job_id>/resume")
def resume_batch(job_id: int):
    return batches.resume(get_session(), require_user(*REVIEWERS), job_id, settings=settings(), celery=celery())


@bp.get("/<int:job_id>/outputs/<int:index>")
def download_output(job_id: int, index: int):
    return _send(*batches.output_file(get_session(), require_user(*REVIEWERS), job_id, index))


@bp.get("/<int:job_id>/certificates/<number>.<fmt>")
def download_certificate(job_id: int, number: str, fmt: str):
    return _send(*batches.certificate_file(get_session(), require_user(*REVIEWERS), job_id, number, fmt))


def _send(sha: str, name: str):
    resp = send_file(store().path_for(sha), as_attachment=True, download_name=name)
    resp.headers["X-Content-SHA256"] = sha
    return resp
