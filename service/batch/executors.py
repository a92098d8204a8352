"""Starting the work of a job: ``local`` processes on this machine or ``celery`` tasks.

* ``local`` (the embedded default): worker processes on this machine, no extra service;
  a reaper thread waits for them and finishes the job itself if they died.
* ``celery``: one task per unit on any number of machines sharing the database and the
  file store (``wuhao worker``).

An uploaded scan's OCR (``ocr`` jobs, one unit each) runs locally in one long-lived process
per server, not one per upload: ``start_ocr_runner`` starts it when none is alive; it OCRs the
queued scans one after the other with one model instance and exits when none is left. A
reaper thread starts it again if scans were queued as it exited, or if it died (the scan it
held then ends as ``ocr_interrupted`` after its lease).

:func:`resume_all` restarts every unfinished job after a crash (first request of a
restarted server, ``wuhao worker`` start); the leases decide which units are free.
"""
from __future__ import annotations

import logging
import multiprocessing as mp
import os
import threading

from celery import Celery

from service.config import Settings
from service.db import session_scope
from service.storage import store_for

from . import celery_app, ocr, state, worker

log = logging.getLogger(__name__)


def _child(settings: Settings, job_id: int) -> None:
    worker.work(settings, job_id)


def run_local(settings: Settings, job_id: int, workers: int | None = None, *, wait: bool = True):
    """Run the job in ``workers`` local processes; with ``wait`` block until it is finished."""
    workers = max(1, int(workers or settings.batch_workers or os.cpu_count() or 1))
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_child, args=(settings, job_id), name=f"wuhao-batch-{job_id}-{i}", daemon=False)
             for i in range(workers)]
    for p in procs:
        p.start()

    def reap() -> None:
        for p in procs:
            p.join()
        # workers that died (or were killed) leave leased units: finish them here
        try:
            worker.work(settings, job_id)
        except Exception:  # the unit and the job are marked failed by work()
            log.exception("batch job %s: finishing after the workers failed", job_id)

    if wait:
        reap()
        return procs
    t = threading.Thread(target=reap, name=f"wuhao-batch-reaper-{job_id}", daemon=True)
    t.start()
    return t


_ocr_lock = threading.Lock()
_ocr_runners: dict[str, mp.process.BaseProcess] = {}  # by database: one OCR process per server and database
OCR_RESTARTS = 3  # runner deaths in a row before the queued scans wait for the next start


def _ocr_child(settings: Settings) -> None:
    while True:
        with session_scope(settings.database_url) as s:
            jobs = state.unfinished_jobs(s, "local", kind=ocr.KIND)
        if not jobs:
            return
        for job_id, _executor in jobs:
            worker.work(settings, job_id)


def start_ocr_runner(settings: Settings, _deaths: int = 0) -> bool:
    """Make sure the local OCR process runs (started unless alive); True when it was started."""
    key = settings.database_url
    with _ocr_lock:
        running = _ocr_runners.get(key)
        if running is not None and running.is_alive():
            return False
        proc = mp.get_context("spawn").Process(target=_ocr_child, args=(settings,), name="wuhao-ocr", daemon=False)
        proc.start()
        _ocr_runners[key] = proc

    def reap() -> None:
        proc.join()
        with _ocr_lock:
            if _ocr_runners.get(key) is proc:
                del _ocr_runners[key]
        deaths = 0 if proc.exitcode == 0 else _deaths + 1
        if deaths >= OCR_RESTARTS:
            log.error("the OCR process died %s times in a row; queued scans wait for the next start", deaths)
            return
        try:
            with session_scope(settings.database_url) as s:
                left = state.unfinished_jobs(s, "local", kind=ocr.KIND)
        except Exception:  # the database is gone (a test's) or unreachable: the next start resumes
            log.warning("OCR runner: queued scans not looked up", exc_info=True)
            return
        if left:
            start_ocr_runner(settings, deaths)

    threading.Thread(target=reap, name="wuhao-ocr-reaper", daemon=True).start()
    return True


def dispatch_celery(settings: Settings, job_id: int, celery: Celery | None = None) -> int:
    return celery_app.dispatch(celery or celery_app.celery_init(settings), settings, job_id)


def start(settings: Settings, job_id: int, executor: str, *, celery: Celery | None = None):
    """Start the job's workers (local processes, or Celery tasks; a local OCR job: the OCR process)."""
    if executor == "celery":
        return dispatch_celery(settings, job_id, celery)
    if state.job_kind(settings, job_id) == ocr.KIND:
        return start_ocr_runner(settings)
    return run_local(settings, job_id, wait=False)


def resume_all(settings: Settings, executor: str | None = None, *, celery: Celery | None = None) -> list[int]:
    """Restart every unfinished job (of one executor, or all); return their ids."""
    store_for(settings.data_dir).sweep_scratch()
    with session_scope(settings.database_url) as s:
        found = state.unfinished_jobs(s, executor)
    for job_id, ex in found:
        start(settings, job_id, ex, celery=celery)
    return [i for i, _ in found]
