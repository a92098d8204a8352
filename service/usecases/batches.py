"""Batches of numbered certificates as use cases: start, list, get, cancel, resume, files.

Each function takes ``(session, actor, plain arguments)``, returns plain data and raises
domain errors; none commits.  The executors start only once the caller commits (a job a
worker could not see yet, or one rolled back, never runs), through ``after_commit`` hooks
kept on the session.  ``actor`` is the user (reviewer or admin; the adapters check roles)
or ``None`` for the command line, which sees every organisation.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

from celery import Celery
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from service import audit, auth, numbering
from service.batch import executors, ocr, rendering, state
from service.batch.roster import RosterError
from service.config import Settings
from service.errors import Conflict, Invalid, NotFound
from service.models import BatchJob, Organisation, User
from service.storage import store_for

EXECUTORS = ("local", "celery")
FILE_FORMATS = ("pdf", "docx")
_HOOKS = "wuhao.after_commit"


def after_commit(session: Session, fn: Callable[[], None]) -> None:
    """Run ``fn`` once the session's transaction commits; forget it on rollback."""
    hooks = session.info.get(_HOOKS)
    if hooks is None:
        hooks = session.info[_HOOKS] = []
        event.listen(session, "after_commit", _run_hooks)
        event.listen(session, "after_soft_rollback", _drop_hooks)
    hooks.append(fn)


def _run_hooks(session: Session) -> None:
    hooks, session.info[_HOOKS] = list(session.info.get(_HOOKS) or []), []
    for fn in hooks:
        fn()


def _drop_hooks(session: Session, _previous_transaction) -> None:
    session.info[_HOOKS] = []


def _visible_job(session: Session, actor: User | None, job_id: int) -> BatchJob:
    job = session.get(BatchJob, job_id)
    if job is None or job.kind == ocr.KIND or (
            actor is not None and not auth.can_see(session, actor, job.organisation_id)):
        raise NotFound("未找到该批量任务。")
    return job


def _start_after_commit(session: Session, settings: Settings, job: BatchJob, celery: Celery | None) -> None:
    job_id, executor = job.id, job.executor
    after_commit(session, lambda: executors.start(settings, job_id, executor, celery=celery))


@contextmanager
def _refusals() -> Iterator[None]:
    """A roster's or the options' problems as the domain's refusals (every bad row in ``detail``)."""
    try:
        yield
    except RosterError as exc:
        raise Invalid(f"名册有 {len(exc.errors)} 处错误，未生成任何证书。", "roster_invalid",
                      detail={"errors": [e.as_dict() for e in exc.errors[:1000]],
                              "error_count": len(exc.errors)}) from None
    except state.OptionError as exc:
        raise Invalid(str(exc), field=exc.field) from None
    except state.NumbersPending as exc:
        raise Conflict(str(exc), "numbers_pending", detail={"job_id": exc.job_id}) from None


def preview(session: Session, actor: User | None, *, roster: bytes, roster_name: str, kind: str,
            options: dict | None = None) -> dict:
    """What :func:`start` would do, writing nothing (the confirmation a page shows before numbers are
    taken): {total, kind_name, same_as, reprint_of}; refused as :func:`start` would refuse."""
    if not roster:
        raise Invalid("名册文件为空。", field="roster")
    with _refusals():
        out = state.preview_job(session, roster, roster_name, kind, options,
                                organisation_id=actor.organisation_id if actor is not None else None)
    numbers = []
    for scope, count in sorted((out.pop("scopes", None) or {}).items()):  # the numbers they take unless
        opts = out["options"]                                               # another batch takes some first
        first = numbering.peek(session, state.seq_kind(kind), state.sequence_year(kind, opts), scope) + 1
        numbers.append({"first": rendering.format_number(kind, opts, scope, first),
                        "last": rendering.format_number(kind, opts, scope, first + count - 1), "count": count})
    out.pop("options", None)
    return dict(out, kind_name=state.KIND_TITLES[kind], numbers=numbers)


def start(session: Session, actor: User | None, *, settings: Settings, roster: bytes, roster_name: str,
          kind: str, options: dict | None = None, executor: str | None = None,
          celery: Celery | None = None) -> dict:
    """Create (or find) the job for this roster and these options; it runs after the commit.

    The result is the job's status plus ``created`` (False: the same request was made before,
    and that job is returned — resumed if it had failed or been cancelled)."""
    executor = executor or "local"
    if executor not in EXECUTORS:
        raise Invalid(f"未知的执行器：{executor}（可选：local、celery）", field="executor")
    if not roster:
        raise Invalid("名册文件为空。", field="roster")
    org_id = actor.organisation_id if actor is not None else None
    with _refusals():
        job, created = state.create_job(session, store_for(settings.data_dir), roster, roster_name, kind, options,
                                        executor=executor, created_by_id=actor.id if actor else None,
                                        organisation_id=org_id)
    if created:
        audit.record(session, actor, "batch_submit", "batch_job", job.id,
                     {"kind": kind, "total": job.total, "roster": roster_name[:200],
                      "numbers_from": job.numbers_from_id}, organisation_id=job.organisation_id)
    if job.state in state.ACTIVE:
        _start_after_commit(session, settings, job, celery)
    return dict(state.status(job), created=created)


def _jobs(session: Session, actor: User | None, limit: int) -> list[BatchJob]:
    q = (select(BatchJob).where(BatchJob.kind != ocr.KIND)  # a scan's OCR is shown on its submission
         .order_by(BatchJob.id.desc()).limit(max(1, min(int(limit), 500))))
    if actor is not None:
        q = auth.filter_visible(q, BatchJob.organisation_id, session, actor)
    return list(session.execute(q).scalars())


def list_jobs(session: Session, actor: User | None, *, limit: int = 100) -> list[dict]:
    return [state.status(j) for j in _jobs(session, actor, limit)]


def list_rows(session: Session, actor: User | None, *, limit: int = 500) -> list[dict]:
    """The jobs as list rows (``service.usecases.listing``): each job's status with the keys its
    filters compare (state, kind, organisation, year) and names for them."""
    jobs = _jobs(session, actor, limit)
    org_ids = {j.organisation_id for j in jobs if j.organisation_id}
    names = dict(session.execute(select(Organisation.id, Organisation.name)
                                 .where(Organisation.id.in_(org_ids))).all()) if org_ids else {}
    rows = []
    for job in jobs:
        j = state.status(job)
        rows.append({**j, "status": j["state"], "status_name": j["state_name"], "organisation_id": job.organisation_id,
                     "organisation_name": names.get(job.organisation_id, ""),
                     "year": job.created_at.year if job.created_at else None})
    return rows


def get(session: Session, actor: User | None, job_id: int) -> dict:
    return state.status(_visible_job(session, actor, job_id))


def cancel(session: Session, actor: User | None, job_id: int) -> dict:
    """Stop a queued or running job: its workers stop within a third of a lease, numbers
    already issued stay issued; starting the same job again resumes it."""
    job = _visible_job(session, actor, job_id)
    if not state.cancel(session, job.id):
        raise Conflict(f"任务{state.STATE_NAMES.get(job.state, job.state)}，无法取消。", "not_cancellable")
    audit.record(session, actor, "batch_cancel", "batch_job", job.id, {}, organisation_id=job.organisation_id)
    session.refresh(job)
    return state.status(job)


def resume(session: Session, actor: User | None, job_id: int, *, settings: Settings,
           celery: Celery | None = None) -> dict:
    """Run a failed or cancelled job again from where it stopped (numbers kept).  A queued or
    running job needs nothing: its workers hold leases, and after a crash the restarted
    server or Celery worker resumes it (``executors.resume_all``)."""
    job = _visible_job(session, actor, job_id)
    if not state.requeue(session, job):
        raise Conflict(f"任务{state.STATE_NAMES.get(job.state, job.state)}，无需继续。", "not_resumable")
    audit.record(session, actor, "batch_resume", "batch_job", job.id, {}, organisation_id=job.organisation_id)
    _start_after_commit(session, settings, job, celery)
    return state.status(job)


def output_file(session: Session, actor: User | None, job_id: int, index: int) -> tuple[str, str]:
    """(sha256, file name) of one of the job's outputs."""
    outs = _visible_job(session, actor, job_id).outputs or []
    if not 0 <= index < len(outs):
        raise NotFound("没有该输出文件。")
    return outs[index]["sha256"], outs[index]["name"]


def certificate_file(session: Session, actor: User | None, job_id: int, number: str, fmt: str) -> tuple[str, str]:
    """(sha256, file name) of one certificate of the job as PDF or DOCX."""
    job = _visible_job(session, actor, job_id)
    if fmt not in FILE_FORMATS:
        raise NotFound("格式只能是 pdf 或 docx。")
    files = state.certificate_files(session, job.id).get(number, {})
    if fmt not in files:
        raise NotFound("该任务没有这个编号的证书文件。")
    return files[fmt], f"{number}.{fmt}"


def certificate_files(session: Session, actor: User | None, job_id: int) -> dict[str, dict[str, str]]:
    """{number: {fmt: sha256}} of every certificate file of the job."""
    return state.certificate_files(session, _visible_job(session, actor, job_id).id)
