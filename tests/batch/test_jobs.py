"""Batch jobs on the embedded executor (local processes) against PostgreSQL."""
from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pikepdf
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from service.batch import executors, jobs, sample
from service.batch.roster import RosterError
from service.db import session_scope
from service.models import BatchChunk, BatchJob, Certificate

from tests.batch.conftest import assert_gapless, issued_numbers

pytestmark = pytest.mark.slow  # 500-certificate batches, killed and resumed workers

ROOT = Path(__file__).resolve().parents[2]


def roster_bytes(tmp_path, n, seed=1, suffix=".xlsx") -> bytes:
    path = tmp_path / f"roster_{n}_{seed}{suffix}"
    sample.write_roster(sample.sample_members(n, seed=seed), str(path))
    return path.read_bytes()


def wait_for(pred, timeout=60.0, step=0.1):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(step)
    return False


def test_500_certificates_end_to_end_local(settings, tmp_path):
    data = roster_bytes(tmp_path, 500)
    job_id, created = jobs.submit(settings, data, "党员名册.xlsx", "party-card",
                                  {"chunk_size": 100, "volume_size": 200, "issuer": "中共静海区委组织部"})
    assert created
    executors.run_local(settings, job_id, 2, wait=True)
    st = jobs.job_status(settings, job_id)
    assert st["state"] == "done", st["errors"]
    assert st["done"] == st["total"] == 500
    numbers = issued_numbers(settings, job_id)
    assert len(numbers) == len(set(numbers)) == 500
    with session_scope(settings.database_url) as s:  # 入党时间 kept for a card rendered on its own
        joined = s.scalars(select(Certificate.joined_on).where(Certificate.job_id == job_id)).all()
    assert len(joined) == 500 and all(j and len(j) in (7, 10) for j in joined)
    counts = assert_gapless(numbers)
    assert sum(counts.values()) == 500 and len(counts) > 5
    store = settings.store
    for o in st["outputs"]:  # every output is in the store under its sha256
        assert hashlib.sha256(store.read_bytes(o["sha256"])).hexdigest() == o["sha256"]
    merged = [o for o in st["outputs"] if o["kind"] == "merged"]
    assert [o["pages"] for o in merged] == [200, 200, 100]
    vol1 = pikepdf.open(store.path_for(merged[0]["sha256"]))
    assert len(vol1.pages) == 200
    register = next(o for o in st["outputs"] if o["kind"] == "register")
    ws = load_workbook(io.BytesIO(store.read_bytes(register["sha256"])), read_only=True).active
    reg_rows = list(ws.iter_rows(values_only=True))
    assert len(reg_rows) == 501 and reg_rows[0][1] == "证件编号"
    assert sorted(r[1] for r in reg_rows[1:]) == sorted(numbers)
    # sorted by branch: the register lists branches in contiguous blocks
    branches = [r[4] for r in reg_rows[1:]]
    blocks = [b for i, b in enumerate(branches) if i == 0 or branches[i - 1] != b]
    assert len(blocks) == len(set(branches))
    zips = [o for o in st["outputs"] if o["kind"] == "zip"]
    assert sum(o["count"] for o in zips) == 500
    names = zipfile.ZipFile(io.BytesIO(store.read_bytes(zips[0]["sha256"]))).namelist()
    assert len(names) == zips[0]["count"] and all(n.endswith(".pdf") for n in names)
    files = jobs.certificate_files(settings, job_id)
    assert set(files) == set(numbers)
    one = store.read_bytes(files[numbers[0]]["pdf"])
    assert len(one) < 60 * 1024
    # re-submitting the same roster is idempotent
    again, created = jobs.submit(settings, data, "党员名册.xlsx", "party-card",
                                 {"chunk_size": 100, "volume_size": 200, "issuer": "中共静海区委组织部"})
    assert again == job_id and not created
    # other outputs or chunking of the same roster are still the same job: no second set of numbers
    again, created = jobs.submit(settings, data, "名册（修订）.xlsx", "party-card",
                                 {"outputs": "merged", "chunk_size": 250, "issuer": "中共静海区委组织部"})
    assert again == job_id and not created
    assert len(issued_numbers(settings)) == 500
    # a different issuer is a different print run
    other, created = jobs.submit(settings, data, "党员名册.xlsx", "party-card", {"issuer": "另一个机关"})
    assert created and other != job_id


def test_bad_roster_creates_nothing(settings):
    bad = "姓名,所在支部\n,区医院党支部\n张三,火星党支部\n".encode("gb18030")
    with pytest.raises(RosterError) as err:
        jobs.submit(settings, bad, "bad.csv", "party-card", {})
    assert [(e.row, e.reason) for e in err.value.errors] == [(2, "缺少姓名"), (3, "未知的支部：火星党支部")]
    with session_scope(settings.database_url) as s:
        assert s.execute(select(func.count()).select_from(BatchJob)).scalar_one() == 0


def _spawn_worker(settings, job_id) -> subprocess.Popen:
    code = ("import sys; from service.batch.jobs import Settings, work; "
            f"work(Settings({settings.database_url!r}, {settings.data_dir!r}), {job_id})")
    env = dict(os.environ, WUHAO_DATA_DIR=settings.data_dir, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env)


def _chunks(settings, job_id):
    with session_scope(settings.database_url) as s:
        return {c.seq: (c.state, c.attempts, c.finished_at, c.number_first)
                for c in s.execute(select(BatchChunk).where(BatchChunk.job_id == job_id)).scalars()}


def test_kill_minus_9_and_resume_issues_every_number_once(settings, tmp_path):
    data = roster_bytes(tmp_path, 500, seed=3, suffix=".csv")
    job_id, _ = jobs.submit(settings, data, "r.csv", "party-card",
                            {"chunk_size": 25, "outputs": "merged,register,pdf"})
    done_before = {}
    for kill_after in (50, 200):
        proc = _spawn_worker(settings, job_id)
        assert wait_for(lambda: (jobs.job_status(settings, job_id)["done"] >= kill_after), 120)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        chunks = _chunks(settings, job_id)
        done_before.update({seq: c for seq, c in chunks.items() if c[0] == "done"})
        st = jobs.job_status(settings, job_id)
        assert st["state"] == "running" and 0 < st["done"] < 500
        # what is committed is consistent: certificates == done chunks
        assert len(issued_numbers(settings, job_id)) == st["done"] == 25 * len(done_before)
    executors.run_local(settings, job_id, 2, wait=True)
    st = jobs.job_status(settings, job_id)
    assert st["state"] == "done" and st["done"] == 500
    numbers = issued_numbers(settings, job_id)
    assert len(numbers) == len(set(numbers)) == 500
    assert_gapless(numbers)
    after = _chunks(settings, job_id)
    for seq, before in done_before.items():  # finished chunks were not redone
        assert after[seq] == before
    merged = [o for o in st["outputs"] if o["kind"] == "merged"]
    assert sum(o["pages"] for o in merged) == 500


def test_concurrent_jobs_never_share_a_number(settings, tmp_path):
    a = roster_bytes(tmp_path, 300, seed=11)
    b = roster_bytes(tmp_path, 300, seed=12)
    opts = {"chunk_size": 50, "outputs": "merged,register"}
    ja, _ = jobs.submit(settings, a, "a.xlsx", "party-card", opts)
    jb, _ = jobs.submit(settings, b, "b.xlsx", "party-card", opts)
    ta = executors.run_local(settings, ja, 1, wait=False)
    tb = executors.run_local(settings, jb, 1, wait=False)
    ta.join(120)
    tb.join(120)
    assert jobs.job_status(settings, ja)["state"] == "done"
    assert jobs.job_status(settings, jb)["state"] == "done"
    numbers = issued_numbers(settings)
    assert len(numbers) == len(set(numbers)) == 600
    assert_gapless(numbers)


def test_cancel_then_resubmit_resumes(settings, tmp_path):
    data = roster_bytes(tmp_path, 500, seed=21)
    opts = {"chunk_size": 25, "outputs": "pdf"}
    job_id, _ = jobs.submit(settings, data, "c.xlsx", "party-card", opts)
    runner = executors.run_local(settings, job_id, 2, wait=False)
    assert wait_for(lambda: jobs.job_status(settings, job_id)["done"] >= 25, 120)
    assert jobs.cancel(settings, job_id)
    runner.join(120)
    st = jobs.job_status(settings, job_id)
    assert st["state"] == "cancelled" and st["done"] < 500
    assert len(issued_numbers(settings, job_id)) == st["done"]
    assert all(c[0] != "running" for c in _chunks(settings, job_id).values())
    assert not jobs.cancel(settings, job_id)  # already cancelled
    again, created = jobs.submit(settings, data, "c.xlsx", "party-card", opts)
    assert again == job_id and not created
    executors.run_local(settings, job_id, 2, wait=True)
    st = jobs.job_status(settings, job_id)
    assert st["state"] == "done"
    numbers = issued_numbers(settings, job_id)
    assert len(numbers) == 500
    assert_gapless(numbers)


def test_honor_certificates_for_branches(settings, tmp_path):
    path = tmp_path / "branches.csv"
    sample.write_roster(sample.sample_branch_rows(), str(path), encoding="gb18030")
    job_id, _ = jobs.submit(settings, path.read_bytes(), "branches.csv", "honor-certificate",
                            {"year": 2025, "outputs": "merged,register,pdf,docx,zip"})
    executors.run_local(settings, job_id, 1, wait=True)
    st = jobs.job_status(settings, job_id)
    assert st["state"] == "done", st["errors"]
    numbers = sorted(issued_numbers(settings, job_id))
    assert numbers == [f"WH2025{i:04d}" for i in range(1, len(numbers) + 1)]
    files = jobs.certificate_files(settings, job_id)
    assert all(set(f) == {"pdf", "docx"} for f in files.values())
    zips = [o for o in st["outputs"] if o["kind"] == "zip"]
    assert len(zips) == len(numbers)  # one branch per certificate: one ZIP each


def test_server_and_its_workers_killed_then_resumed_on_restart(settings, tmp_path):
    """kill -9 of the whole process group running a local job (the server and its workers);
    what a restarted server does on its first request (``resume_all``) finishes the job."""
    data = roster_bytes(tmp_path, 300, seed=41)
    job_id, _ = jobs.submit(settings, data, "s.xlsx", "party-card", {"chunk_size": 20, "outputs": "merged,pdf"})
    code = ("from service.batch.jobs import Settings; from service.batch.executors import run_local\n"
            "if __name__ == '__main__':\n"
            f"    run_local(Settings({settings.database_url!r}, {settings.data_dir!r}), {job_id}, 2, wait=True)\n")
    script = tmp_path / "server.py"
    script.write_text(code)
    env = dict(os.environ, WUHAO_DATA_DIR=settings.data_dir, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, str(script)], cwd=ROOT, env=env, start_new_session=True)
    assert wait_for(lambda: jobs.job_status(settings, job_id)["done"] >= 60, 120)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(0.5)
    st = jobs.job_status(settings, job_id)
    assert st["state"] == "running" and st["done"] < 300
    assert jobs.resume_all(settings, "local") == [job_id]
    assert wait_for(lambda: jobs.job_status(settings, job_id)["state"] == "done", 120, 0.3)
    numbers = issued_numbers(settings, job_id)
    assert len(numbers) == len(set(numbers)) == 300
    assert_gapless(numbers)
