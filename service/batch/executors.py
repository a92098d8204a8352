"""Starting the work of a job: ``local`` processes on this machine or ``celery`` tasks.

* ``local`` (the embedded default): worker processes on this machine, no extra service;
  a reaper thread waits for them and finishes the job itself if they died.
* ``celery``: one task per unit on any number of machines sharing the database and the
  file store (``wuhao worker``).

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

from . import celery_app, state, worker

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


def dispatch_celery(settings: Settings, job_id: int, celery: Celery | None = None) -> int:
    return celery_app.dispatch(celery or celery_app.celery_init(settings), settings, job_id)


def start(settings: Settings, job_id: int, executor: str, *, celery: Celery | None = None):
    if executor == "celery":
        return dispatch_celery(settings, job_id, celery)
    return run_local(settings, job_id, wait=False)


def resume_all(settings: Settings, executor: str | None = None, *, celery: Celery | None = None) -> list[int]:
    """Restart every unfinished job (of one executor, or all); return their ids."""
    store_for(settings.data_dir).sweep_scratch()
    with session_scope(settings.database_url) as s:
        found = state.unfinished_jobs(s, executor)
    for job_id, ex in found:
        start(settings, job_id, ex, celery=celery)
    return [i for i, _ in found]
