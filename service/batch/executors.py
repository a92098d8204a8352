"""Two executors for the same chunks.

* ``local`` (the embedded default): worker processes on this machine, no extra service.
* ``celery``: one Celery task per chunk on any number of machines sharing the database
  and the file store; ``wuhao worker`` starts one.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import threading

from . import jobs
from .jobs import Settings


def _child(settings: Settings, job_id: int) -> None:
    from service.db import dispose_all

    dispose_all()
    jobs.work(settings, job_id)


def run_local(settings: Settings, job_id: int, workers: int | None = None, *, wait: bool = True):
    """Run the job in ``workers`` local processes; with ``wait`` block until they exit."""
    workers = max(1, int(workers or os.cpu_count() or 1))
    jobs.recover(settings, job_id)
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_child, args=(settings, job_id), name=f"wuhao-batch-{job_id}-{i}",
                         daemon=False) for i in range(workers)]
    for p in procs:
        p.start()

    def reap():
        for p in procs:
            p.join()
        # a chunk failed in a child: the job is marked failed there; the final unit
        # may still be pending if the last child exited between chunks — finish it here.
        try:
            state = (jobs.job_status(settings, job_id) or {}).get("state")
            if state in ("queued", "running"):
                jobs.recover(settings, job_id)
                jobs.work(settings, job_id)
        except Exception:  # the job is marked failed by work(); the reaper must not die loudly
            import logging

            logging.getLogger(__name__).exception("batch job %s: finishing after the workers failed", job_id)

    if wait:
        reap()
        return procs
    t = threading.Thread(target=reap, name=f"wuhao-batch-reaper-{job_id}", daemon=True)
    t.start()
    return t


def dispatch_celery(settings: Settings, job_id: int) -> int:
    """Queue one Celery task per pending unit (each task claims whatever is pending)."""
    from sqlalchemy import func, select

    from service.db import session_scope
    from service.models import BatchChunk

    from .celery_app import queue_name, work_task

    jobs.recover(settings, job_id)
    with session_scope(settings.database_url) as s:
        n = s.execute(select(func.count()).select_from(BatchChunk)
                      .where(BatchChunk.job_id == job_id, BatchChunk.state == "pending")).scalar_one()
    for _ in range(n):
        work_task.apply_async((job_id, settings.database_url, settings.data_dir, settings.public_url),
                              queue=queue_name())
    return n


def start(settings: Settings, job_id: int, executor: str, workers: int | None = None):
    if executor == "celery":
        return dispatch_celery(settings, job_id)
    return run_local(settings, job_id, workers, wait=False)
