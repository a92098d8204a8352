"""The Celery executor against the real Redis, with real ``wuhao worker`` processes."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from service.batch import executors, jobs, sample
from tests.batch.conftest import assert_gapless, issued_numbers
from tests.batch.test_jobs import roster_bytes, wait_for

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("WUHAO_CELERY_BROKER", "redis://127.0.0.1:6379/0")


def _redis_up() -> bool:
    try:
        import redis

        return redis.Redis.from_url(BROKER, socket_connect_timeout=2).ping()
    except Exception:
        return False


pytestmark = [pytest.mark.slow,  # a real Celery worker on Redis, killed and restarted
              pytest.mark.skipif(not _redis_up() and os.environ.get("CI") != "true",
                                 reason="Redis not reachable")]


@pytest.fixture
def queue(monkeypatch):
    name = f"wuhao-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("WUHAO_CELERY_QUEUE", name)
    yield name
    import redis

    redis.Redis.from_url(BROKER).delete(name)


def start_worker(settings, queue, concurrency=2) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=settings.database_url, WUHAO_DATA_DIR=settings.data_dir,
               WUHAO_CELERY_QUEUE=queue, WUHAO_CELERY_BROKER=BROKER, PYTHONPATH=str(ROOT))
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
        proc.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def test_500_certificates_on_a_celery_worker(settings, tmp_path, queue):
    data = roster_bytes(tmp_path, 500, seed=31)
    job_id, _ = jobs.submit(settings, data, "r.xlsx", "party-card", {"chunk_size": 100},
                            executor="celery")
    worker = start_worker(settings, queue)
    try:
        assert executors.dispatch_celery(settings, job_id) == 6  # 5 chunks + the final unit
        assert wait_for(lambda: jobs.job_status(settings, job_id)["state"] in ("done", "failed"), 180, 0.5)
    finally:
        stop(worker)
    st = jobs.job_status(settings, job_id)
    assert st["state"] == "done", st["errors"]
    assert st["executor"] == "celery"
    numbers = issued_numbers(settings, job_id)
    assert len(numbers) == len(set(numbers)) == 500
    assert_gapless(numbers)
    assert {o["kind"] for o in st["outputs"]} == {"merged", "register", "zip"}
    assert len(jobs.certificate_files(settings, job_id)) == 500


def test_celery_worker_killed_then_restarted_resumes(settings, tmp_path, queue):
    data = roster_bytes(tmp_path, 400, seed=32)
    job_id, _ = jobs.submit(settings, data, "r.xlsx", "party-card",
                            {"chunk_size": 25, "outputs": "merged,register,pdf"}, executor="celery")
    worker = start_worker(settings, queue)
    try:
        executors.dispatch_celery(settings, job_id)
        assert wait_for(lambda: jobs.job_status(settings, job_id)["done"] >= 75, 120, 0.2)
    finally:
        stop(worker, signal.SIGKILL)  # the whole worker, children included, no goodbye
    st = jobs.job_status(settings, job_id)
    assert st["state"] == "running" and st["done"] < 400
    assert len(issued_numbers(settings, job_id)) == st["done"]
    # a new worker finds the dead worker's chunks on start and queues the job again
    worker = start_worker(settings, queue)
    try:
        assert wait_for(lambda: jobs.job_status(settings, job_id)["state"] in ("done", "failed"), 180, 0.5)
    finally:
        stop(worker)
    st = jobs.job_status(settings, job_id)
    assert st["state"] == "done", st["errors"]
    numbers = issued_numbers(settings, job_id)
    assert len(numbers) == len(set(numbers)) == 400
    assert_gapless(numbers)
