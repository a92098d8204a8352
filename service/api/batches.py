"""``/api/v1/batches``: submit a roster, follow the job, cancel it, download its outputs."""
from __future__ import annotations

import threading

from flask import current_app, request, send_file
from sqlalchemy import select

from .. import auth
from ..batch import executors, jobs
from ..batch.roster import RosterError
from ..db import get_session, release
from ..errors import Conflict, Invalid, NotFound
from ..http import require_user
from ..models import BatchJob
from .common import blueprint

bp = blueprint("batches", "/batches")
_resumed = set()
_resume_lock = threading.Lock()

MANAGE_ROLES = ("reviewer", "admin")


def _settings() -> jobs.Settings:
    return jobs.Settings.from_config(current_app.config)


@bp.before_app_request
def _resume_once():
    """After a crash or kill -9 of the server, unfinished local jobs continue."""
    if current_app.config.get("TESTING") and not current_app.config.get("WUHAO_BATCH_AUTORESUME"):
        return
    if current_app.config.get("WUHAO_BATCH_AUTORESUME") is False:
        return
    key = current_app.config["DATABASE_URL"]
    with _resume_lock:
        if key in _resumed:
            return
        _resumed.add(key)
    threading.Thread(target=jobs.resume_all, args=(_settings(), "local"), daemon=True).start()


def _job_for(user, job_id: int) -> BatchJob:
    db = get_session()
    job = db.get(BatchJob, job_id)
    if job is None or not auth.can_see(db, user, job.organisation_id):
        raise NotFound("未找到该批量任务。")
    return job


@bp.post("")
def submit_batch():
    user = require_user(*MANAGE_ROLES)
    upload = request.files.get("roster")
    if upload is None or not upload.filename:
        raise Invalid("请上传名册文件（字段 roster，XLSX 或 CSV）。", "no_file")
    form = request.form
    kind = form.get("kind", "party-card")
    if kind not in jobs.KIND_TITLES:
        raise Invalid(f"未知的证书类型：{kind}", field="kind")
    options = {k: form.get(k) for k in ("outputs", "chunk_size", "volume_size", "issued_on", "issuer",
                                        "year", "title", "term", "prefix") if form.get(k)}
    if form.get("overprint") in ("1", "true", "on"):
        options["overprint"] = True
    if form.get("offset_mm"):
        try:
            options["offset_mm"] = [float(x) for x in form["offset_mm"].replace("，", ",").split(",")][:2]
        except ValueError:
            raise Invalid("offset_mm 应为 “x,y”（毫米）。", field="offset_mm") from None
    executor = form.get("executor") or current_app.config.get("WUHAO_BATCH_EXECUTOR", "local")
    if executor not in ("local", "celery"):
        raise Invalid(f"未知的执行器：{executor}", field="executor")
    data = upload.read()
    settings = _settings()
    # the job is written through its own session: end the request's read first (SQLite's lock)
    release(get_session())
    try:
        job_id, created = jobs.submit(settings, data, upload.filename, kind, options, executor=executor,
                                      created_by_id=user.id, organisation_id=user.organisation_id)
    except RosterError as exc:
        raise Invalid(f"名册有 {len(exc.errors)} 处错误，未生成任何证书。", "roster_invalid",
                      detail={"errors": [e.as_dict() for e in exc.errors]}) from None
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    st = jobs.job_status(settings, job_id)
    if st["state"] in ("queued", "running"):
        workers = current_app.config.get("WUHAO_BATCH_WORKERS")
        executors.start(settings, job_id, st["executor"], workers)
    body = dict(st, url=f"/api/v1/batches/{job_id}", page=f"/batches/{job_id}", created=created)
    return body, (202 if created else 200)


@bp.get("")
def list_batches():
    user = require_user(*MANAGE_ROLES)
    db = get_session()
    q = auth.filter_visible(select(BatchJob).order_by(BatchJob.id.desc()).limit(100),
                            BatchJob.organisation_id, db, user)
    return {"items": [jobs.status(j) for j in db.execute(q).scalars()]}


@bp.get("/<int:job_id>")
def get_batch(job_id: int):
    user = require_user(*MANAGE_ROLES)
    return jobs.status(_job_for(user, job_id))


@bp.post("/<int:job_id>/cancel")
def cancel_batch(job_id: int):
    user = require_user(*MANAGE_ROLES)
    job = _job_for(user, job_id)
    release(get_session())
    ok = jobs.cancel(_settings(), job.id)
    if not ok:
        raise Conflict(f"任务状态为 {job.state}，无法取消。")
    db = get_session()
    db.expire_all()
    return jobs.status(db.get(BatchJob, job.id))


@bp.get("/<int:job_id>/outputs/<int:index>")
def download_output(job_id: int, index: int):
    user = require_user(*MANAGE_ROLES)
    job = _job_for(user, job_id)
    outs = job.outputs or []
    if index < 0 or index >= len(outs):
        raise NotFound("没有该输出文件。")
    o = outs[index]
    return _send(o["sha256"], o["name"])


@bp.get("/<int:job_id>/certificates/<number>.<fmt>")
def download_certificate(job_id: int, number: str, fmt: str):
    user = require_user(*MANAGE_ROLES)
    job = _job_for(user, job_id)
    if fmt not in ("pdf", "docx"):
        raise NotFound("格式只能是 pdf 或 docx。")
    files = jobs.certificate_files(_settings(), job.id, session=get_session()).get(number, {})
    if fmt not in files:
        raise NotFound("该任务没有这个编号的证书文件。")
    return _send(files[fmt], f"{number}.{fmt}")


def _send(sha: str, name: str):
    path = _settings().store.path_for(sha)
    resp = send_file(path, as_attachment=True, download_name=name)
    resp.headers["X-Content-SHA256"] = sha
    return resp
