"""The Celery executor against the real Redis, with real ``wuhao worker`` processes.

Each test uses its own queue (``wuhao-test-<random>``), so runs of other people on the same
Redis never take its tasks.  The kill is the worker's own test hook (dies with the whole
worker after exactly N chunks), not a timed signal.
"""
from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from service.batch import executors, ocr, state
from service.db import session_scope
from service.demo_forms import SCAN_DECLARATION_FIELDS, scan_jpeg
from service.models import BatchChunk, Extraction, Submission, User
from service.storage import store_for
from service.usecases import submissions
from tests.batch.conftest import assert_gapless, certificate_files, issued_numbers, submit
from tests.batch.test_jobs import roster_bytes, wait_for

ROOT = Path(__file__).resolve().parents[2]
BROKER = "redis://127.0.0.1:6379/0"


def _redis_up() -> bool:
    try:
        return redis.Redis.from_url(BROKER, socket_connect_timeout=2).ping()
    except redis.RedisError:
        return False


pytestmark = [pytest.mark.slow,  # a real Celery worker on Redis, killed and restarted
              pytest.mark.skipif(not _redis_up() and os.environ.get("CI") != "true",
                                 reason="Redis not reachable")]


@pytest.fixture
def celery_settings(pg_settings):
    queue = f"wuhao-test-{uuid.uuid4().hex[:8]}"
    yield dataclasses.replace(pg_settings, celery_broker=BROKER, celery_backend=BROKER, celery_queue=queue)
    redis.Redis.from_url(BROKER).delete(queue)


def start_worker(settings, concurrency=2, **env) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=settings.database_url, WUHAO_DATA_DIR=str(settings.data_dir),
               WUHAO_CELERY_QUEUE=settings.celery_queue, WUHAO_CELERY_BROKER=BROKER,
               WUHAO_BATCH_LEASE_SECONDS=str(settings.batch_lease_seconds), PYTHONPATH=str(ROOT), **env)
    code = "from service.batch.cli import worker; worker()"
    return subprocess.Popen([sys.executable, "-c", code, "-c", str(concurrency), "--loglevel", "WARNING"],
                            cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(proc: subprocess.Popen, sig=signal.SIGTERM) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def test_500_certificates_on_a_celery_worker(celery_settings, tmp_path):
    settings = celery_settings
    job_id, _ = submit(settings, roster_bytes(tmp_path, 500, seed=31), "r.xlsx", "party-card",
                       {"chunk_size": 100}, executor="celery")
    worker = start_worker(settings)
    try:
        assert executors.dispatch_celery(settings, job_id) == 6  # 5 chunks + the final unit
        assert wait_for(lambda: state.job_status(settings, job_id)["state"] in ("done", "failed"), 300, 0.5)
    finally:
        stop(worker)
    st = state.job_status(settings, job_id)
    assert st["state"] == "done", st["errors"]
    assert st["executor"] == "celery"
    numbers = issued_numbers(settings, job_id)
    assert len(numbers) == len(set(numbers)) == 500
    assert_gapless(numbers)
    assert {o["kind"] for o in st["outputs"]} == {"merged", "register", "zip"}
    assert len(certificate_files(settings, job_id)) == 500


def test_celery_worker_killed_then_restarted_resumes(celery_settings, tmp_path):
    settings = celery_settings
    job_id, _ = submit(settings, roster_bytes(tmp_path, 400, seed=32), "r.xlsx", "party-card",
                       {"chunk_size": 25, "outputs": "merged,register,pdf"}, executor="celery")
    # one pool process: it commits 3 chunks, draws the 4th and kills the whole worker
    worker = start_worker(settings, concurrency=1, WUHAO_BATCH_DIE_AFTER_CHUNKS="3")
    executors.dispatch_celery(settings, job_id)
    assert worker.wait(300) == -signal.SIGKILL
    stop(worker, signal.SIGKILL)  # nothing of it may survive (the pool child killed itself too)
    st = state.job_status(settings, job_id)
    assert st["state"] == "running" and st["done"] == 75
    assert len(issued_numbers(settings, job_id)) == 75
    # a new worker queues the unfinished job on start; the dead worker's chunk is taken over
    # once its lease runs out
    worker = start_worker(settings)
    try:
        assert wait_for(lambda: state.job_status(settings, job_id)["state"] in ("done", "failed"), 300, 0.5)
    finally:
        stop(worker)
    st = state.job_status(settings, job_id)
    assert st["state"] == "done", st["errors"]
    numbers = issued_numbers(settings, job_id)
    assert len(numbers) == len(set(numbers)) == 400
    assert_gapless(numbers)


def test_uploaded_stamped_scans_are_read_by_a_celery_worker_with_one_model_per_process(celery_settings):
    """Three stamped scans (the demo's declaration, three tilts) uploaded through the upload use
    case with the Celery executor: each is answered 识别中, OCRed by a ``wuhao worker`` on Redis
    (two pool processes), and ends with every field of the form, each with its page and box, and
    the seal. Three scans on two processes: one process reads at least two, and every process
    loaded the models once (the chunk records the process and its load count)."""
    settings = dataclasses.replace(celery_settings, batch_executor="celery")
    with session_scope(settings.database_url) as s:
        actor = s.execute(select(User).where(User.username == "yusuan")).scalar_one()
        subs = submissions.upload(s, store_for(settings.data_dir), settings, actor,
                                  [(f"盖章扫描件{seed}.jpg", scan_jpeg(seed)) for seed in (17, 18, 19)])
        assert [sub.status for sub in subs] == ["recognising"] * 3
        ids = [sub.id for sub in subs]
    # the commit queued one task per scan on Redis (the worker is not running yet)
    assert redis.Redis.from_url(BROKER).llen(settings.celery_queue) == 3
    worker = start_worker(settings, concurrency=2)
    try:
        def read():
            with session_scope(settings.database_url) as s:
                return all(s.get(Submission, i).status != "recognising" for i in ids)
        assert wait_for(read, 300, 0.5)
    finally:
        stop(worker)
    with session_scope(settings.database_url) as s:
        per_process: dict[int, list[int]] = {}
        for sub_id in ids:
            sub = s.get(Submission, sub_id)
            ext = s.execute(select(Extraction).where(Extraction.submission_id == sub_id)).scalar_one()
            assert (sub.status, sub.form, ext.errors) == ("extracted", "declaration", []), sub_id
            assert ext.fields == SCAN_DECLARATION_FIELDS, sub_id
            assert all(ext.provenance[k]["page"] == 1 and len(ext.provenance[k]["bbox"]) == 4 for k in ext.fields)
            assert ext.scan["sealed"] and ext.scan["model_sha256"]
            job = ocr.job_of(s, sub_id)
            assert (job.executor, job.state) == ("celery", "done")
            out = s.execute(select(BatchChunk.outputs).where(BatchChunk.job_id == job.id)).scalar_one()
            assert out["pid"] != worker.pid  # read in a pool process, not in the worker's master
            per_process.setdefault(out["pid"], []).append(out["model_loads"])
    assert max(len(v) for v in per_process.values()) >= 2, per_process
    assert all(set(v) == {1} for v in per_process.values()), per_process
