"""A finished batch tells the person who started it at once (issue 15: the message came only with the
next daily ``wuhao remind``): the worker's completion path posts it in the transaction that finishes
the job, the to-do shows the job, and the daily job does not tell that person again."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from service.batch import sample, state, worker
from service.db import session_scope
from service.models import Message, User
from service.usecases import messages, todo

from tests.batch.conftest import submit


def _roster(tmp_path, n: int) -> bytes:
    path = tmp_path / "名册.csv"
    sample.write_roster(sample.sample_members(n, seed=3, branches=["市财政局预算科党支部"]), str(path))
    return path.read_bytes()


def _user(settings, username: str) -> tuple[int, int]:
    with session_scope(settings.database_url) as s:
        u = s.execute(select(User).where(User.username == username)).scalar_one()
        return u.id, u.organisation_id


def _messages(settings, user_id: int) -> list[tuple]:
    with session_scope(settings.database_url) as s:
        return [(m.kind, m.title, m.link, m.body) for m in s.execute(
            select(Message).where(Message.user_id == user_id).order_by(Message.id)).scalars()]


@pytest.mark.slow  # draws three party cards (about 2 s of CPU)
def test_a_finished_batch_tells_its_starter_at_once_and_once(settings, tmp_path):
    starter, org = _user(settings, "gongwei")
    job_id, _ = submit(settings, _roster(tmp_path, 3), "名册.csv", "party-card", {"outputs": "merged"},
                       created_by_id=starter, organisation_id=org)
    assert _messages(settings, starter) == []
    worker.work(settings, job_id)
    told = _messages(settings, starter)
    assert [(k, t, link) for k, t, link, _ in told] == [("batch", "批量制证已完成：名册.csv", f"/batches/{job_id}")]
    assert told[0][3].startswith("共3张，完成3张。")
    with session_scope(settings.database_url) as s:
        gongwei = s.get(User, starter)
        assert any(i["link"] == f"/batches/{job_id}" for i in todo.todo(s, gongwei)["items"])
        messages.remind(s, settings)
    assert [t for _, t, link, _ in _messages(settings, starter) if link == f"/batches/{job_id}"] == \
        ["批量制证已完成：名册.csv"]  # the daily job found it told


def test_a_failed_batch_tells_its_starter_at_once(settings, tmp_path):
    starter, org = _user(settings, "gongwei")
    job_id, _ = submit(settings, _roster(tmp_path, 2), "失败名册.csv", "party-card", {},
                       created_by_id=starter, organisation_id=org)
    unit = state.claim(settings, job_id, "w1")
    state.release(settings, unit.chunk_id, "w1", job_id=job_id, error="disk full")
    assert [(k, t) for k, t, *_ in _messages(settings, starter)] == [("batch", "批量制证失败：失败名册.csv")]
    state.release(settings, unit.chunk_id, "w1", job_id=job_id, error="again")  # no longer held: nothing told
    assert len(_messages(settings, starter)) == 1


def test_a_scans_ocr_job_is_no_batch_on_the_to_do(settings):
    """A scan's OCR runs as a batch job; it never reads as 批量制证 on a reviewer's to-do."""
    from service.batch import ocr
    from service.models import BatchJob

    starter, org = _user(settings, "gongwei")
    with session_scope(settings.database_url) as s:
        s.add(BatchJob(kind=ocr.KIND, state="done", roster_sha256="0" * 64, roster_name="扫描件.jpg",
                       idempotency_key="ocr-test", total=1, done=1, organisation_id=org, created_by_id=starter,
                       finished_at=state.utcnow()))
    with session_scope(settings.database_url) as s:
        assert not [i for i in todo.todo(s, s.get(User, starter))["items"] if i["kind"] == "batch"]
