"""The worker loop both executors run: lease a unit, do it, commit it if still ours, repeat.

While a unit is being done a heartbeat thread renews its lease every third of
``batch_lease_seconds`` and reads the job's state on the same round trip; the drawing loop
only looks at two flags between certificates (cancelled, lease lost) and stops there.

When nothing can be taken but another worker holds a unit, the loop waits for that lease
to end (renewed: the holder is alive and will go on; expired: the unit is taken over),
so a job finishes as long as one worker runs, whoever died.

``batch_die_after_chunks = N`` (a test hook, off by default) makes the worker, once it has
committed N chunks, draw the next one, numbers reserved and files written, and then kill
itself before committing: the worst moment, reproduced exactly instead of by timing a
``kill -9`` from outside.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import threading
import time
import traceback
from typing import Callable

from sqlalchemy import insert, select, update
from sqlalchemy.exc import OperationalError

from service import inbox
from service.config import Settings
from service.db import is_busy, session_scope
from service.models import BatchChunk, BatchJob, Certificate

from . import members, ocr, outputs, rendering, state
from .rendering import Interrupted
from .roster import parse_date

log = logging.getLogger(__name__)
BUSY_PAUSE = 0.5  # seconds before asking again when SQLite's write lock was not granted (busy timeout 5 s)


def kill_self() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class Heartbeat:
    """Renews one unit's lease in a thread; ``check()`` raises :class:`Interrupted` when the job
    was cancelled or the unit was lost to another worker."""

    def __init__(self, settings: Settings, chunk_id: int, worker: str):
        self.settings, self.chunk_id, self.worker = settings, chunk_id, worker
        self.cancelled = threading.Event()
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"wuhao-lease-{chunk_id}", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        every = self.settings.batch_lease_seconds / 3
        while not self._stop.wait(every):
            try:
                job_state = state.renew(self.settings, self.chunk_id, self.worker)
            except Exception:  # database briefly unreachable: the lease may run out, which is safe
                log.exception("lease renewal of chunk %s failed", self.chunk_id)
                continue
            if job_state is None:
                self.lost.set()
                return
            if job_state == "cancelled":
                self.cancelled.set()

    def check(self) -> None:
        if self.lost.is_set() or self.cancelled.is_set():
            raise Interrupted()


def work(settings: Settings, job_id: int, worker: str | None = None, *,
         die: Callable[[], None] = kill_self) -> int:
    """Take and do units of ``job_id`` until the job is finished or stopped; return how many."""
    worker = worker or state.new_worker_name()
    kind = state.job_kind(settings, job_id)
    ran = 0
    committed = 0  # chunks this worker committed (a unit taken over meanwhile does not count)
    while True:
        try:
            unit = state.claim(settings, job_id, worker)
        except OperationalError as exc:
            if not is_busy(exc):
                raise
            time.sleep(BUSY_PAUSE)  # SQLite's write lock was not granted in time: ask again
            continue
        if unit is None:
            wait = state.seconds_to_next_expiry(settings, job_id)
            if wait is None:
                return ran
            time.sleep(min(wait, 1.0) + 0.05)  # a held unit: its holder finishes it, or its lease ends
            continue
        die_now = (not unit.final and settings.batch_die_after_chunks is not None
                   and committed >= settings.batch_die_after_chunks)
        try:
            with Heartbeat(settings, unit.chunk_id, worker) as beat:
                if kind == ocr.KIND:  # an uploaded scan: one unit, OCR (service/batch/ocr.py)
                    ocr.run_unit(settings, job_id, unit.chunk_id, worker, beat.check)
                elif unit.final:
                    finish_job(settings, job_id, unit.chunk_id, worker)
                elif do_chunk(settings, job_id, unit.chunk_id, worker, beat.check,
                              before_commit=die if die_now else None):
                    committed += 1
        except Interrupted:
            state.release(settings, unit.chunk_id, worker, job_id=job_id)
            return ran
        except OperationalError as exc:
            if not is_busy(exc):
                _fail(settings, unit.chunk_id, worker, job_id, exc)
                raise
            log.warning("batch job %s: lock not granted in time, chunk %s given back", job_id, unit.chunk_id)
            try:  # a transient lock is no failure of the job: the unit goes back (or its lease runs out)
                state.release(settings, unit.chunk_id, worker, job_id=job_id)
            except OperationalError:
                pass
            time.sleep(BUSY_PAUSE)
            continue
        except Exception as exc:
            _fail(settings, unit.chunk_id, worker, job_id, exc)
            raise
        ran += 1


def _fail(settings: Settings, chunk_id: int, worker: str, job_id: int, exc: Exception) -> None:
    state.release(settings, chunk_id, worker, job_id=job_id, error=f"{exc!r}\n{traceback.format_exc()}")


def do_chunk(settings: Settings, job_id: int, chunk_id: int, worker: str, check: Callable[[], None],
             *, before_commit: Callable[[], None] | None = None) -> bool:
    """Draw one chunk and commit it with its certificates; ``False`` when it was no longer ours."""
    kind, opts, numbers_from = state.job_snapshot(settings, job_id)
    with session_scope(settings.database_url) as s:
        ch = s.get(BatchChunk, chunk_id)
        first, last = ch.first_row, ch.last_row
    rows = rendering.load_rows(settings, opts["rows_sha256"])[first:last + 1]
    issued = rendering.numbers_for(settings, chunk_id, kind, opts, rows, numbers_from)
    result = rendering.render_chunk(settings, kind, opts, rows, issued, check)
    if before_commit is not None:
        before_commit()
    issued_on = dt.date.fromisoformat(opts["issued_on"][:10])
    with session_scope(settings.database_url) as s:
        ch = s.get(BatchChunk, chunk_id)
        alloc = (ch.outputs or {}).get("alloc")
        res = s.execute(update(BatchChunk).where(*state.held(chunk_id, worker))
                        .values(state="done", finished_at=state.utcnow(), lease_until=None,
                                outputs=dict(result, alloc=alloc) if alloc else result))
        if res.rowcount != 1:
            s.rollback()
            return False  # the unit was taken over meanwhile: the other worker's result counts
        if numbers_from is None:
            s.execute(insert(Certificate), [
                {"kind": kind, "number": number,
                 "holder_name": (r["values"].get("name") if kind == "party-card"
                                 else r["values"].get("branch_name")) or "",
                 "organisation_id": r.get("organisation_id"), "job_id": job_id, "status": "valid",
                 "issued_on": issued_on,
                 "joined_on": parse_date(r["values"].get("joined_on")) if kind == "party-card" else None}
                for r, (_row, number, _scope, _serial) in zip(rows, issued)])
            if kind == "party-card":  # the member table behind the cards, in the same transaction
                members.upsert(s, job_id, [members.entry(r, number) for r, (_row, number, _sc, _se) in zip(rows, issued)])
        s.execute(update(BatchJob).where(BatchJob.id == job_id)
                  .values(done=BatchJob.done + len(rows), updated_at=state.utcnow()))
    return True


def finish_job(settings: Settings, job_id: int, chunk_id: int, worker: str) -> None:
    kind, opts, _numbers_from = state.job_snapshot(settings, job_id)
    with session_scope(settings.database_url) as s:
        chunk_outputs = [dict(o or {}) for o in s.execute(
            select(BatchChunk.outputs).where(BatchChunk.job_id == job_id, BatchChunk.seq != state.FINAL_SEQ)
            .order_by(BatchChunk.seq)).scalars()]
    produced = outputs.build_outputs(settings, kind, opts, chunk_outputs)
    with session_scope(settings.database_url) as s:
        res = s.execute(update(BatchChunk).where(*state.held(chunk_id, worker))
                        .values(state="done", finished_at=state.utcnow(), lease_until=None,
                                outputs={"files": produced}))
        if res.rowcount != 1:
            s.rollback()
            return
        s.execute(update(BatchJob).where(BatchJob.id == job_id).values(outputs=produced))
        finished = s.execute(update(BatchJob).where(BatchJob.id == job_id, BatchJob.state.in_(state.ACTIVE))
                             .values(state="done", finished_at=state.utcnow()))
        if finished.rowcount == 1:  # the one transaction that finished the job tells its starter, once
            inbox.batch_finished(s, job_id)
