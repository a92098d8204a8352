"""Batch jobs on the embedded executor (local processes).

Kills are deterministic: ``batch_die_after_chunks = N`` makes a worker render its chunk N + 1
(numbers reserved, files written) and SIGKILL itself before committing, so each test knows
exactly what was committed when the worker died, however loaded the machine is.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import os
import pickle
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from service.batch import executors, sample, state, worker
from service.batch.roster import RosterError
from service.db import session_scope
from service.models import BatchChunk, BatchJob, Certificate, PartyMember
from service.storage import store_for

from tests.batch.conftest import assert_gapless, cancel, certificate_files, issued_numbers, submit

pytestmark = pytest.mark.slow  # 500-certificate batches, killed and resumed workers

ROOT = Path(__file__).resolve().parents[2]


def roster_bytes(tmp_path, n, seed=1, suffix=".xlsx") -> bytes:
    path = tmp_path / f"roster_{n}_{seed}{suffix}"
    sample.write_roster(sample.sample_members(n, seed=seed), str(path))
    return path.read_bytes()


def wait_for(pred, timeout=120.0, step=0.1):
    """Wait for a state the database reports (a real event, polled; the timeout only bounds a hang)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return False


def status(settings, job_id):
    return state.job_status(settings, job_id)


def _chunks(settings, job_id):
    with session_scope(settings.database_url) as s:
        return {c.seq: (c.state, c.attempts, c.finished_at, c.number_first, (c.outputs or {}).get("alloc"))
                for c in s.execute(select(BatchChunk).where(BatchChunk.job_id == job_id)).scalars()}


def _spawn(settings, code: str, **env) -> subprocess.Popen:
    """A Python process running ``code`` with ``settings`` (as ``S``) rebuilt from its repr."""
    prelude = ("from pathlib import PosixPath\nfrom service.config import Settings\n"
               "from service.storage import store_for\n"
               f"S = {settings!r}\n")
    return subprocess.Popen([sys.executable, "-c", prelude + code], cwd=ROOT,
                            env=dict(os.environ, PYTHONPATH=str(ROOT), **env), start_new_session=True)


def _worker_dying_after(settings, job_id, n) -> subprocess.Popen:
    dying = dataclasses.replace(settings, batch_die_after_chunks=n)
    return _spawn(dying, f"from service.batch.worker import work\nwork(S, {job_id})\n")


def _scratch_left(settings) -> list[Path]:
    base = Path(settings.data_dir) / "files" / ".scratch"
    return [p for p in base.rglob("*") if p.is_file() and p.name != "lock"] if base.exists() else []


def test_500_certificates_end_to_end_local(pg_settings, tmp_path):
    settings = pg_settings
    data = roster_bytes(tmp_path, 500)
    opts = {"chunk_size": 100, "volume_size": 200, "issuer": "中共静海区委组织部"}
    job_id, created = submit(settings, data, "党员名册.xlsx", "party-card", opts)
    assert created
    executors.run_local(settings, job_id, 2, wait=True)
    st = status(settings, job_id)
    assert st["state"] == "done", st["errors"]
    assert st["done"] == st["total"] == 500 and not st["cancellable"]
    numbers = issued_numbers(settings, job_id)
    assert len(numbers) == len(set(numbers)) == 500
    with session_scope(settings.database_url) as s:  # 入党时间 kept for a card rendered on its own
        joined = s.scalars(select(Certificate.joined_on).where(Certificate.job_id == job_id)).all()
    assert len(joined) == 500 and all(j and len(j) in (7, 10) for j in joined)
    counts = assert_gapless(numbers)
    assert sum(counts.values()) == 500 and len(counts) > 5
    store = store_for(settings.data_dir)
    for o in st["outputs"]:  # every output is in the store under its sha256
        assert hashlib.sha256(store.read_bytes(o["sha256"])).hexdigest() == o["sha256"]
    merged = [o for o in st["outputs"] if o["kind"] == "merged"]
    assert [o["pages"] for o in merged] == [200, 200, 100]
    assert len(pikepdf.open(store.path_for(merged[0]["sha256"])).pages) == 200
    register = next(o for o in st["outputs"] if o["kind"] == "register")
    ws = load_workbook(io.BytesIO(store.read_bytes(register["sha256"])), read_only=True).active
    reg_rows = list(ws.iter_rows(values_only=True))
    assert len(reg_rows) == 501 and reg_rows[0][1] == "证件编号"
    assert sorted(r[1] for r in reg_rows[1:]) == sorted(numbers)
    branches = [r[4] for r in reg_rows[1:]]  # sorted by branch: contiguous blocks
    blocks = [b for i, b in enumerate(branches) if i == 0 or branches[i - 1] != b]
    assert len(blocks) == len(set(branches))
    zips = [o for o in st["outputs"] if o["kind"] == "zip"]
    assert sum(o["count"] for o in zips) == 500
    names = zipfile.ZipFile(io.BytesIO(store.read_bytes(zips[0]["sha256"]))).namelist()
    assert len(names) == zips[0]["count"] and all(n.endswith(".pdf") for n in names)
    files = certificate_files(settings, job_id)
    assert set(files) == set(numbers)
    assert len(store.read_bytes(files[numbers[0]]["pdf"])) < 60 * 1024
    assert not _scratch_left(settings)

    # the same request again (other chunking too) is the same job
    assert submit(settings, data, "党员名册.xlsx", "party-card", opts) == (job_id, False)
    assert submit(settings, data, "名册.xlsx", "party-card", dict(opts, chunk_size=250)) == (job_id, False)
    # other outputs: a new job that prints the numbers already issued, and issues none
    again, created = submit(settings, data, "名册（修订）.xlsx", "party-card",
                            {"outputs": "pdf,docx,zip", "issuer": "中共静海区委组织部"})
    assert created and again != job_id
    executors.run_local(settings, again, 2, wait=True)
    st2 = status(settings, again)
    assert st2["state"] == "done" and st2["numbers_from"] == job_id, st2["errors"]
    assert {o["kind"] for o in st2["outputs"]} == {"zip"}  # what was asked, not the first run's outputs
    files2 = certificate_files(settings, again)
    assert set(files2) == set(numbers) and all(set(f) == {"pdf", "docx"} for f in files2.values())
    assert files2[numbers[0]]["pdf"] == files[numbers[0]]["pdf"]  # the same certificate, byte for byte
    assert len(issued_numbers(settings)) == 500
    # a different issuer is a different print run
    other, created = submit(settings, data, "党员名册.xlsx", "party-card", {"issuer": "另一个机关"})
    assert created and other not in (job_id, again)


def test_other_outputs_of_an_unfinished_run_are_refused(settings, tmp_path):
    data = roster_bytes(tmp_path, 30, seed=2, suffix=".csv")
    job_id, _ = submit(settings, data, "r.csv", "party-card", {"outputs": "merged"})
    with pytest.raises(state.NumbersPending) as err:
        submit(settings, data, "r.csv", "party-card", {"outputs": "pdf"})
    assert err.value.job_id == job_id and "尚未完成" in str(err.value)


def test_bad_roster_creates_nothing(settings):
    bad = "姓名,所在支部\n,区医院党支部\n张三,火星党支部\n".encode("gb18030")
    with pytest.raises(RosterError) as err:
        submit(settings, bad, "bad.csv", "party-card", {})
    assert [(e.row, e.reason) for e in err.value.errors] == [(2, "缺少姓名"), (3, "未知的支部：火星党支部")]
    with session_scope(settings.database_url) as s:
        assert s.execute(select(func.count()).select_from(BatchJob)).scalar_one() == 0


def test_worker_killed_after_exact_chunks_then_resumed(settings, tmp_path):
    """kill -9 with numbers reserved and files written but nothing committed, twice: the
    numbers of the interrupted chunks are reused, finished chunks are not redone."""
    data = roster_bytes(tmp_path, 300, seed=3, suffix=".csv")
    job_id, _ = submit(settings, data, "r.csv", "party-card", {"chunk_size": 25, "outputs": "merged,register,pdf"})
    proc = _worker_dying_after(settings, job_id, 2)
    assert proc.wait(180) == -signal.SIGKILL
    chunks = _chunks(settings, job_id)
    done = {seq for seq, c in chunks.items() if c[0] == "done"}
    running = {seq: c for seq, c in chunks.items() if c[0] == "running"}
    assert len(done) == 2 and len(running) == 1
    (seq_killed, killed), = running.items()
    assert killed[4]  # its numbers were reserved before it died
    st = status(settings, job_id)
    assert st["state"] == "running" and st["done"] == 50 == len(issued_numbers(settings, job_id))

    # a second worker takes over the dead one's chunk once its lease ran out, and dies too
    proc = _worker_dying_after(settings, job_id, 3)
    assert proc.wait(180) == -signal.SIGKILL
    assert status(settings, job_id)["done"] == 125
    after = _chunks(settings, job_id)
    done_before = {seq: c for seq, c in after.items() if c[0] == "done"}

    assert executors.resume_all(settings, "local") == [job_id]
    assert not _scratch_left(settings)
    assert wait_for(lambda: status(settings, job_id)["state"] in ("done", "failed"), 240, 0.3)
    st = status(settings, job_id)
    assert st["state"] == "done" and st["done"] == 300, st["errors"]
    numbers = issued_numbers(settings, job_id)
    assert len(numbers) == len(set(numbers)) == 300
    assert_gapless(numbers)
    final = _chunks(settings, job_id)
    for seq, before in done_before.items():  # finished chunks were not redone
        assert final[seq] == before
    assert final[seq_killed][4] == killed[4]  # the interrupted chunk kept the numbers it had reserved
    assert sum(o["pages"] for o in st["outputs"] if o["kind"] == "merged") == 300
    with session_scope(settings.database_url) as s:  # the member table: one row a card, none from the killed tries
        cards = set(s.execute(select(PartyMember.card_number).where(PartyMember.card_job_id == job_id)).scalars())
        assert s.execute(select(func.count()).select_from(PartyMember)).scalar_one() == 300 and cards == set(numbers)


def test_server_and_its_workers_killed_then_resumed_on_restart(settings, tmp_path):
    """A server running a local job (two workers and its reaper) dies whole: each process after
    exactly two chunks; a restarted server's ``resume_all`` finishes the job."""
    data = roster_bytes(tmp_path, 300, seed=41)
    job_id, _ = submit(settings, data, "s.xlsx", "party-card", {"chunk_size": 20, "outputs": "merged,pdf"})
    dying = dataclasses.replace(settings, batch_die_after_chunks=2)
    proc = _spawn(dying, "from service.batch.executors import run_local\n"
                         f"if __name__ == '__main__':\n    run_local(S, {job_id}, 2, wait=True)\n")
    assert proc.wait(240) == -signal.SIGKILL  # the server's own work() died last
    st = status(settings, job_id)
    assert st["state"] == "running" and st["done"] == 3 * 2 * 20  # two workers and the reaper, 2 chunks each
    assert executors.resume_all(settings, "local") == [job_id]
    assert wait_for(lambda: status(settings, job_id)["state"] in ("done", "failed"), 240, 0.3)
    assert status(settings, job_id)["state"] == "done"
    numbers = issued_numbers(settings, job_id)
    assert len(numbers) == len(set(numbers)) == 300
    assert_gapless(numbers)


def test_leases_not_pids_decide_who_holds_a_chunk(settings, tmp_path):
    data = roster_bytes(tmp_path, 20, seed=5, suffix=".csv")
    job_id, _ = submit(settings, data, "l.csv", "party-card", {"chunk_size": 10, "outputs": "merged"})
    a = state.claim(settings, job_id, "host:1:aaaa")
    b = state.claim(settings, job_id, "host:1:bbbb")  # the same PID elsewhere: a different worker
    assert a and b and a.chunk_id != b.chunk_id
    assert state.claim(settings, job_id, "host:1:cccc") is None  # both held, final not yet due
    assert 0 < state.seconds_to_next_expiry(settings, job_id) <= settings.batch_lease_seconds
    assert state.renew(settings, a.chunk_id, "host:1:aaaa") == "running"
    with session_scope(settings.database_url) as s:  # a's heartbeat stopped long ago
        s.execute(update(BatchChunk).where(BatchChunk.id == a.chunk_id)
                  .values(lease_until=state.utcnow() - dt.timedelta(seconds=1)))
    c = state.claim(settings, job_id, "host:2:cccc")
    assert c == a  # taken over
    assert state.renew(settings, a.chunk_id, "host:1:aaaa") is None  # a learns it lost the chunk
    assert not worker.do_chunk(settings, job_id, a.chunk_id, "host:1:aaaa", lambda: None)  # a's late commit is void
    assert status(settings, job_id)["done"] == 0 and issued_numbers(settings, job_id) == []
    assert worker.do_chunk(settings, job_id, c.chunk_id, "host:2:cccc", lambda: None)
    assert status(settings, job_id)["done"] == 10 and len(issued_numbers(settings, job_id)) == 10


def test_killed_writers_scratch_is_swept_live_ones_kept(settings):
    store = store_for(settings.data_dir)
    mine = store.put_bytes(b"live writer")  # this process now has a live scratch folder
    code = ("import os, signal\nfrom service.storage import scratch_dir\n"
            "d = scratch_dir(store_for(S.data_dir).root)\n(d / 'half-written').write_bytes(b'x' * 1000)\n"
            "os.kill(os.getpid(), signal.SIGKILL)\n")
    proc = _spawn(settings, code)
    assert proc.wait(60) == -signal.SIGKILL
    assert [p.name for p in _scratch_left(settings)] == ["half-written"]
    assert store.sweep_scratch() == 1
    assert _scratch_left(settings) == []
    assert store.read_bytes(mine) == b"live writer"
    assert store.put_bytes(b"still writing") and store.sweep_scratch() == 0  # ours survives a sweep


def test_concurrent_jobs_never_share_a_number(pg_settings, tmp_path):
    settings = pg_settings
    opts = {"chunk_size": 50, "outputs": "merged,register"}
    ja, _ = submit(settings, roster_bytes(tmp_path, 300, seed=11), "a.xlsx", "party-card", opts)
    jb, _ = submit(settings, roster_bytes(tmp_path, 300, seed=12), "b.xlsx", "party-card", opts)
    ta = executors.run_local(settings, ja, 1, wait=False)
    tb = executors.run_local(settings, jb, 1, wait=False)
    ta.join(240)
    tb.join(240)
    assert status(settings, ja)["state"] == status(settings, jb)["state"] == "done"
    numbers = issued_numbers(settings)
    assert len(numbers) == len(set(numbers)) == 600
    assert_gapless(numbers)


def test_cancel_then_resubmit_resumes(settings, tmp_path):
    data = roster_bytes(tmp_path, 300, seed=21)
    opts = {"chunk_size": 25, "outputs": "pdf"}
    job_id, _ = submit(settings, data, "c.xlsx", "party-card", opts)
    proc = _worker_dying_after(settings, job_id, 2)  # two chunks committed, then gone
    assert proc.wait(180) == -signal.SIGKILL
    assert cancel(settings, job_id)
    assert not cancel(settings, job_id)  # already cancelled
    st = status(settings, job_id)
    assert st["state"] == "cancelled" and st["done"] == 50 and not st["cancellable"]
    executors.run_local(settings, job_id, 1, wait=True)  # a cancelled job is not worked on
    assert status(settings, job_id)["done"] == 50
    again, created = submit(settings, data, "c.xlsx", "party-card", opts)
    assert again == job_id and not created
    assert status(settings, job_id)["state"] == "queued"
    executors.run_local(settings, job_id, 2, wait=True)
    st = status(settings, job_id)
    assert st["state"] == "done", st["errors"]
    numbers = issued_numbers(settings, job_id)
    assert len(numbers) == 300
    assert_gapless(numbers)


def test_cancel_stops_a_running_worker(settings, tmp_path):
    data = roster_bytes(tmp_path, 200, seed=22, suffix=".csv")
    job_id, _ = submit(settings, data, "c.csv", "party-card", {"chunk_size": 200, "outputs": "pdf"})
    runner = executors.run_local(settings, job_id, 1, wait=False)
    assert wait_for(lambda: any(c[0] == "running" for c in _chunks(settings, job_id).values()), 120)
    assert cancel(settings, job_id)
    runner.join(120)  # the heartbeat sees the cancellation and the worker stops between certificates
    assert not runner.is_alive()
    st = status(settings, job_id)
    assert st["state"] == "cancelled" and st["done"] in (0, 200)
    assert all(c[0] != "running" for c in _chunks(settings, job_id).values())


def _commend(settings, names, state="in_term"):
    """Give each named branch a cycle holding the title (a 荣誉证书 needs 表彰/届期内)."""
    from service.models import CreationCycle, Organisation

    with session_scope(settings.database_url) as s:
        for org in s.execute(select(Organisation).where(Organisation.name.in_(names))).scalars():
            s.add(CreationCycle(organisation_id=org.id, state=state, commended_on=dt.date(2025, 6, 28),
                                term_starts_on=dt.date(2025, 6, 28), term_ends_on=dt.date(2029, 6, 30)))


def test_honor_certificates_only_for_titled_branches_issued_by_their_organ(settings, tmp_path):
    """A batch gave a 6-member branch never declared or commended a 有效 certificate, and left the
    发证机关 blank without --issuer (issue 11)."""

    _commend(settings, ["市财政局预算科党支部"])
    _commend(settings, ["大邱庄村党支部"])
    _commend(settings, ["市财政局国库科党支部"], state="revoked")
    rows = sample.sample_branch_rows(["市财政局预算科党支部", "市财政局国库科党支部", "市人民医院内科党支部"])
    path = tmp_path / "b.csv"
    sample.write_roster(rows, str(path))
    with pytest.raises(RosterError) as refused:
        submit(settings, path.read_bytes(), "b.csv", "honor-certificate", {"year": 2025})
    reasons = {e.row: e.reason for e in refused.value.errors}
    assert set(reasons) == {3, 4}, reasons  # header is row 1
    assert "当前为“撤销”" in reasons[3] and "未参加创建" in reasons[4]
    with session_scope(settings.database_url) as s:
        assert s.execute(select(func.count()).select_from(BatchJob)).scalar_one() == 0  # nothing numbered
    rows = sample.sample_branch_rows(["市财政局预算科党支部", "大邱庄村党支部"])
    sample.write_roster(rows, str(path))
    job_id, _ = submit(settings, path.read_bytes(), "b.csv", "honor-certificate", {"year": 2025, "outputs": "pdf"})
    worker.work(settings, job_id)
    files = certificate_files(settings, job_id)
    store = store_for(settings.data_dir)
    texts = {}
    for number, f in files.items():
        with pdfplumber.open(io.BytesIO(store.read_bytes(f["pdf"]))) as doc:
            texts[number] = doc.pages[0].extract_text().replace(" ", "").replace("\n", "")
    by_branch = {("大邱庄" if "大邱庄" in t else "预算科"): t for t in texts.values()}
    # each row's issuing organ (the register's 署名) and its programme's title
    assert "中共市直机关工委" in by_branch["预算科"] and "市直机关五好党支部" in by_branch["预算科"]
    assert "中共静海区委" in by_branch["大邱庄"] and "五好党支部" in by_branch["大邱庄"]
    assert "市直机关" not in by_branch["大邱庄"]
    # /verify names the same 发证机关 (the row's organ) for a batch certificate
    from service import create_app
    from service.certificates.checkcode import check_code

    app = create_app({"DATABASE_URL": settings.database_url, "WUHAO_DATA_DIR": settings.data_dir,
                      "SECRET_KEY": "test", "TESTING": True})
    number = next(n for n, t in texts.items() if "大邱庄" in t)
    page = app.test_client().get(f"/verify/{number}?code={check_code(number, app.config['WUHAO_VERIFY_KEY'])}")
    assert page.status_code == 200 and "中共静海区委" in page.get_data(as_text=True)


def test_honor_certificates_for_branches(pg_settings, tmp_path):
    settings = pg_settings
    path = tmp_path / "branches.csv"
    sample.write_roster(sample.sample_branch_rows(), str(path), encoding="gb18030")
    _commend(settings, sample.demo_branches())
    job_id, _ = submit(settings, path.read_bytes(), "branches.csv", "honor-certificate",
                       {"year": 2025, "outputs": "merged,register,pdf,docx,zip"})
    executors.run_local(settings, job_id, 1, wait=True)
    st = status(settings, job_id)
    assert st["state"] == "done", st["errors"]
    numbers = sorted(issued_numbers(settings, job_id))
    assert numbers == [f"WH2025{i:04d}" for i in range(1, len(numbers) + 1)]
    files = certificate_files(settings, job_id)
    assert all(set(f) == {"pdf", "docx"} for f in files.values())
    zips = [o for o in st["outputs"] if o["kind"] == "zip"]
    assert len(zips) == len(numbers)  # one branch per certificate: one ZIP each


def test_chunk_pages_are_kept_for_the_merged_volume(settings, tmp_path):
    data = roster_bytes(tmp_path, 12, seed=6, suffix=".csv")
    job_id, _ = submit(settings, data, "p.csv", "party-card", {"chunk_size": 12, "outputs": "merged"})
    worker.work(settings, job_id)
    with session_scope(settings.database_url) as s:
        co = s.execute(select(BatchChunk.outputs).where(BatchChunk.job_id == job_id, BatchChunk.seq == 0)).scalar_one()
    pages = pickle.loads(store_for(settings.data_dir).read_bytes(co["pages"]))
    assert [p[0] for p in pages] == [row[1] for row in co["issued"]] and co["alloc"]
