"""Celery for batches across machines, configured from the settings, not from the environment.

Flask's documented pattern (``celery_init_app``): the Celery app is built from the
configuration object when the Flask app is (:func:`init_app`, kept in
``app.extensions["celery"]``) or when ``wuhao worker`` starts (:func:`celery_init`), and the
task is a ``shared_task`` that finds the settings on the Celery app running it.  Workers on
any machine run the same units as the local executor; they need the same database and a
shared file store.
"""
from __future__ import annotations

import os
import signal

from celery import Celery, shared_task
from celery.schedules import crontab
from celery.signals import worker_init, worker_ready
from flask import Flask

from service.config import Settings, settings_of
from service.db import session_scope
from service.storage import store_for

from . import state, worker

TASK = "wuhao.batch.work"
DAILY_TASK = "wuhao.daily"
DAILY_MODULE = "service.usecases.daily"
EXTENSION = "celery"
_master_pid: int | None = None


def celery_init(settings: Settings) -> Celery:
    app = Celery("wuhao", set_as_current=False)
    app.config_from_object({
        "broker_url": settings.celery_broker,
        "result_backend": settings.celery_backend or settings.celery_broker,
        "task_default_queue": settings.celery_queue,
        "task_ignore_result": True,
        # a unit is acknowledged when done; a worker lost mid-task gives it back
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "worker_hijack_root_logger": False,
        "broker_transport_options": {"visibility_timeout": 3600},
        "result_expires": 3600,
        "broker_connection_retry_on_startup": True,
        # the daily jobs (service/usecases/daily.py) as a beat entry: `wuhao worker --beat` runs
        # them; the module is named, not imported, so this domain layer stays below the use cases
        "include": [DAILY_MODULE],
        "timezone": _local_zone(),
        "enable_utc": False,
        "beat_schedule": {"wuhao-daily": {"task": DAILY_TASK, "schedule": _daily_crontab(settings.daily_at),
                                          "options": {"queue": settings.celery_queue}}},
    })
    app.wuhao_settings = settings
    return app


def _daily_crontab(at: str) -> crontab:
    hour, minute = (int(p) for p in str(at).strip().split(":"))
    return crontab(hour=hour, minute=minute)


def _local_zone() -> str | None:
    """The machine's zone name for beat (the in-process scheduler uses local time too)."""
    try:
        return os.path.realpath("/etc/localtime").split("/zoneinfo/", 1)[1]
    except IndexError:
        return None


def init_app(flask_app: Flask) -> Celery:
    """``celery_init_app``: the Celery app of a Flask app, in ``app.extensions["celery"]``."""
    celery = celery_init(settings_of(flask_app))
    flask_app.extensions[EXTENSION] = celery
    return celery


def kill_worker() -> None:
    """The test hook's death in a Celery worker: the whole worker (pool master, then this
    child), as ``kill -9`` of the machine's worker would."""
    if _master_pid is not None and _master_pid != os.getpid():
        os.kill(_master_pid, signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)


@shared_task(bind=True, name=TASK, ignore_result=True)
def work_task(self, job_id: int) -> int:
    return worker.work(self.app.wuhao_settings, job_id, die=kill_worker)


def dispatch(celery: Celery, settings: Settings, job_id: int) -> int:
    """Queue one task per unit not done yet (each task takes whatever it can)."""
    n = state.pending_units(settings, job_id)
    for _ in range(n):
        celery.send_task(TASK, args=(job_id,), queue=settings.celery_queue)
    return n


@worker_init.connect
def _remember_master(sender=None, **_kw) -> None:
    global _master_pid
    _master_pid = os.getpid()


@worker_ready.connect
def _resume_on_start(sender=None, **_kw) -> None:
    """A (re)started worker queues the unfinished Celery jobs: units of dead workers are taken
    over once their leases run out."""
    celery = sender.app
    settings: Settings | None = getattr(celery, "wuhao_settings", None)
    if settings is None:
        return
    store_for(settings.data_dir).sweep_scratch()
    with session_scope(settings.database_url) as s:
        jobs = state.unfinished_jobs(s, "celery")
    for job_id, _executor in jobs:
        dispatch(celery, settings, job_id)
