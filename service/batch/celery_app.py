"""Celery app for distributed batches (broker/backend from ``WUHAO_CELERY_BROKER``).

Workers on any machine run the same units as the local executor; they need the same
database and a shared file store (``WUHAO_DATA_DIR``).  Start one with ``wuhao worker``.
"""
from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_ready

from ..vocabulary import DEFAULT_PUBLIC_URL

BROKER = os.environ.get("WUHAO_CELERY_BROKER", "redis://127.0.0.1:6379/0")

app = Celery("wuhao", broker=BROKER, backend=os.environ.get("WUHAO_CELERY_BACKEND", BROKER))
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_default_queue=os.environ.get("WUHAO_CELERY_QUEUE", "wuhao-batch"),
    worker_hijack_root_logger=False,
    broker_transport_options={"visibility_timeout": 3600},
    result_expires=3600,
    broker_connection_retry_on_startup=True,
)


def queue_name() -> str:
    return os.environ.get("WUHAO_CELERY_QUEUE", "wuhao-batch")


@app.task(name="wuhao.batch.work", ignore_result=True)
def work_task(job_id: int, database_url: str, data_dir: str, public_url: str = DEFAULT_PUBLIC_URL) -> int:
    from .jobs import Settings, work

    return work(Settings(database_url, data_dir, public_url), job_id)


@worker_ready.connect
def _resume_on_start(sender=None, **_kw):
    """A (re)started worker puts the chunks of dead workers back and queues them."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return
    from service import config as config_mod

    from .jobs import Settings, resume_all

    cfg = config_mod.load()
    try:
        resume_all(Settings.from_config(cfg.flask_config()), executor="celery")
    except Exception:  # pragma: no cover - database not reachable yet
        import logging

        logging.getLogger(__name__).exception("resume on worker start failed")
