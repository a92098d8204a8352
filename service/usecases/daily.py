"""The daily jobs: today, the end of a 荣誉证书's 4-year term (SZ-3.1) marks it 已失效.

/verify already reads a certificate past its term as 已失效 on read
(``documents.certificate_status``); the daily job makes the record say it too, with an audit row.
It runs in one of two places, both configured from the settings:

* the service itself: ``wuhao serve`` starts :class:`DailyScheduler`, a thread that runs the jobs
  once a day at ``Settings.daily_at`` (``WUHAO_DAILY_AT``, local time) unless
  ``WUHAO_DAILY_IN_PROCESS=0``;
* Celery beat: the Celery app of the batches carries the entry ``wuhao-daily``
  (:data:`TASK`, same time) and its workers load this module (``include``), so
  ``wuhao worker --beat`` runs the jobs across machines.

Running both is harmless: each job does its work once (a certificate already 已失效 is skipped, a
reminder is sent once). `wuhao expire` runs the certificate job by hand, `wuhao remind` the reminders.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Callable

from celery import shared_task
from sqlalchemy.orm import Session

from ..config import Settings
from ..db import session_scope
from . import messages
from .documents import expire_certificates

TASK = "wuhao.daily"
log = logging.getLogger(__name__)


def run_daily(session: Session, today: dt.date | None = None) -> dict:
    """Every daily job for ``today`` in the caller's transaction -> what each did."""
    return {"expired_certificates": expire_certificates(session, today)}


def run_daily_now(settings: Settings, today: dt.date | None = None) -> dict:
    """The daily jobs in their own transaction (the scheduler's and Celery's entry)."""
    with session_scope(settings.database_url) as session:
        done = run_daily(session, today)
        # deadlines coming up and finished batches become 站内消息 (and mail, with SMTP configured)
        told = messages.remind(session, settings, today)
    log.info("daily jobs: %s; reminders: %s", {k: len(v) for k, v in done.items()}, told)
    return done


def parse_time_of_day(text: str) -> dt.time:
    """'02:00' -> 02:00; a clear error for anything else (the settings' check)."""
    try:
        hour, minute = (int(p) for p in str(text).strip().split(":"))
        return dt.time(hour, minute)
    except (TypeError, ValueError):
        raise ValueError(f"WUHAO_DAILY_AT 应为“时:分”，例如 02:00，而不是 {text!r}") from None


def next_run(now: dt.datetime, at: dt.time) -> dt.datetime:
    """The first moment after ``now`` at the time of day ``at``."""
    candidate = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    return candidate if candidate > now else candidate + dt.timedelta(days=1)


class DailyScheduler:
    """Runs the daily jobs once a day at ``settings.daily_at`` inside the serving process.

    ``tick(now)`` runs them when their time has come (the thread calls it; tests call it with a
    clock of their own); the thread waits on an event until the next run, so ``stop()`` ends it
    at once."""

    def __init__(self, settings: Settings, *, clock: Callable[[], dt.datetime] = dt.datetime.now,
                 job: Callable[[Settings, dt.date], dict] = run_daily_now):
        self.settings, self.clock, self.job = settings, clock, job
        self.at = parse_time_of_day(settings.daily_at)
        self.due = next_run(clock(), self.at)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self, now: dt.datetime | None = None) -> dict | None:
        now = now or self.clock()
        if now < self.due:
            return None
        self.due = next_run(now, self.at)
        try:
            return self.job(self.settings, now.date())
        except Exception:  # a failed run is logged and tried again tomorrow; the service goes on
            log.exception("daily jobs failed")
            return None

    def _loop(self) -> None:
        while not self._stop.is_set():
            wait = (self.due - self.clock()).total_seconds()
            if wait > 0 and self._stop.wait(min(wait, 3600.0)):
                return
            self.tick()

    def start(self) -> "DailyScheduler":
        self._thread = threading.Thread(target=self._loop, name="wuhao-daily", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


@shared_task(bind=True, name=TASK, ignore_result=True)
def daily_task(self) -> dict:
    """Celery beat's ``wuhao-daily`` entry (the batches' Celery app carries its settings)."""
    return {k: len(v) for k, v in run_daily_now(self.app.wuhao_settings).items()}
