"""Fixtures for the batch tests: a migrated PostgreSQL database with the demo tree."""
from __future__ import annotations


import pytest

from tests.conftest import throwaway_pg_database


@pytest.fixture
def pg_url(pg_admin, pg_template):
    with throwaway_pg_database(pg_admin, pg_template, prefix="wuhao_batch") as url:
        yield url


@pytest.fixture
def settings(pg_url, tmp_path, monkeypatch):
    from service.batch.jobs import Settings
    from service.db import session_scope
    from service.demo import load_demo

    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("WUHAO_DATA_DIR", str(data))
    with session_scope(pg_url) as s:
        load_demo(s, password="demo-pass-1", with_records=False)
    return Settings(pg_url, str(data))


def issued_numbers(settings, job_id=None) -> list[str]:
    from sqlalchemy import select

    from service.db import session_scope
    from service.models import Certificate

    with session_scope(settings.database_url) as s:
        q = select(Certificate.number)
        if job_id is not None:
            q = q.where(Certificate.job_id == job_id)
        return list(s.execute(q).scalars())


def assert_gapless(numbers: list[str]) -> dict[str, int]:
    """Party-card numbers: per 4-digit scope prefix, serials 1..n exactly once."""
    by_scope: dict[str, list[int]] = {}
    for n in numbers:
        by_scope.setdefault(n[:4], []).append(int(n[4:]))
    for scope, serials in by_scope.items():
        assert sorted(serials) == list(range(1, len(serials) + 1)), (scope, sorted(serials)[:20])
    return {k: len(v) for k, v in by_scope.items()}
