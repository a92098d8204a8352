"""Batch pages: start a batch of certificates from a roster, follow its progress."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from .. import audit, auth, vocabulary
from ..batch import executors, jobs
from ..batch.roster import RosterError
from ..db import get_session, release
from ..errors import Invalid, NotFound
from ..models import BatchJob
from .helpers import blueprint, page

bp = blueprint("batches", "/batches")
REVIEWERS = ("reviewer", "admin")
STATE_NAMES = {"queued": "排队中", "running": "生成中", "done": "已完成", "failed": "失败", "cancelled": "已取消"}


@bp.route("", methods=["GET", "POST"])
@page(*REVIEWERS)
def batches(user):
    db = get_session()
    if request.method == "POST":
        upload = request.files.get("roster")
        if upload is None or not upload.filename:
            flash("请选择名册文件。", "error")
            return redirect(url_for("batches.batches"))
        kind = request.form.get("kind", "party-card")
        if kind not in vocabulary.CERTIFICATE_KINDS:
            raise Invalid("未知的证书类型。", field="kind")
        settings = jobs.Settings.from_config(current_app.config)
        data, name, user_id, org_id = upload.read(), upload.filename, user.id, user.organisation_id
        release(db)  # end this request's read: the job is written in its own sessions (SQLite's lock)
        try:
            job_id, _created = jobs.submit(settings, data, name, kind, {"outputs": "merged,register,pdf,zip"},
                                           executor="local", created_by_id=user_id, organisation_id=org_id)
        except RosterError as exc:
            flash(f"名册有 {len(exc.errors)} 处错误，未生成任何证书：" +
                  "；".join(str(e.as_dict().get("message", e.as_dict())) for e in exc.errors[:5]), "error")
            return redirect(url_for("batches.batches"))
        except ValueError as exc:
            flash(str(exc), "error")
            return redirect(url_for("batches.batches"))
        audit.record(db, user_id, "batch_submit", "batch_job", job_id, {"kind": kind, "name": name[:200]},
                     organisation_id=org_id)
        st = jobs.job_status(settings, job_id)
        if st["state"] in ("queued", "running"):
            executors.start(settings, job_id, st["executor"], current_app.config.get("WUHAO_BATCH_WORKERS"))
        return redirect(url_for("batches.batches", job=job_id))
    q = auth.filter_visible(select(BatchJob).order_by(BatchJob.id.desc()).limit(30), BatchJob.organisation_id,
                            db, user)
    return render_template("batches.html", user=user, jobs=list(db.execute(q).scalars()), kinds={k: vocabulary.DOCUMENT_KINDS[k] for k in vocabulary.CERTIFICATE_KINDS},
                           states=STATE_NAMES, focus=request.args.get("job", type=int))


@bp.get("/<int:job_id>")
@page(*REVIEWERS)
def batch_page(user, job_id: int):
    """One job's live progress (the page polls ``/api/v1/batches/<id>``)."""
    db = get_session()
    job = db.get(BatchJob, job_id)
    if job is None or not auth.can_see(db, user, job.organisation_id):
        raise NotFound("未找到该批量任务。")
    return render_template("batch.html", user=user, job=job, states=STATE_NAMES)
