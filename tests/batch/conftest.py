"""Fixtures for the batch tests: a migrated PostgreSQL database with the demo tree."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from service.batch import state
from service import config
from service.config import Settings
from service.db import session_scope
from service.models import Certificate
from service.storage import store_for
from tests.conftest import throwaway_pg_database

#: short leases in the tests: a killed worker's chunk is taken over within 5 s (renewed every 1.7 s)
TEST_LEASE_SECONDS = 5.0


@pytest.fixture
def pg_url(pg_admin, pg_demo_template):
    """A PostgreSQL copy of the demo template (organisations and accounts already in it)."""
    with throwaway_pg_database(pg_admin, pg_demo_template, prefix="wuhao_batch") as url:
        yield url


def make_settings(url: str, data, **overrides) -> Settings:
    """Settings of a test (not read from this machine's environment)."""
    return config.load({"DATABASE_URL": url, "WUHAO_DATA_DIR": str(data), "SECRET_KEY": "test",
                        "WUHAO_BATCH_LEASE_SECONDS": TEST_LEASE_SECONDS, "WUHAO_BATCH_WORKERS": 2, **overrides},
                       env={})


def _settings(url: str, tmp_path) -> Settings:
    """Settings on ``url``, a copy of a demo template (the organisations and accounts are in it)."""
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    return make_settings(url, data)


@pytest.fixture
def settings(database_url, demo_tree, tmp_path) -> Settings:
    """Both backends: SQLite (the embedded default) and PostgreSQL, with the demo tree."""
    return _settings(database_url, tmp_path)


@pytest.fixture
def pg_settings(pg_url, tmp_path) -> Settings:
    """PostgreSQL only (the large end-to-end runs)."""
    return _settings(pg_url, tmp_path)


def submit(settings: Settings, data: bytes, name: str, kind: str, options: dict | None = None,
           **kw) -> tuple[int, bool]:
    """Create (or find) a job without starting any worker: (job id, created)."""
    with session_scope(settings.database_url) as s:
        job, created = state.create_job(s, store_for(settings.data_dir), data, name, kind, options, **kw)
        return job.id, created


def cancel(settings: Settings, job_id: int) -> bool:
    with session_scope(settings.database_url) as s:
        return state.cancel(s, job_id)


def issued_numbers(settings, job_id=None) -> list[str]:
    with session_scope(settings.database_url) as s:
        q = select(Certificate.number)
        if job_id is not None:
            q = q.where(Certificate.job_id == job_id)
        return list(s.execute(q).scalars())


def certificate_files(settings, job_id) -> dict:
    with session_scope(settings.database_url) as s:
        return state.certificate_files(s, job_id)


def assert_gapless(numbers: list[str]) -> dict[str, int]:
    """Party-card numbers: per 4-digit scope prefix, serials 1..n exactly once."""
    by_scope: dict[str, list[int]] = {}
    for n in numbers:
        by_scope.setdefault(n[:4], []).append(int(n[4:]))
    for scope, serials in by_scope.items():
        assert sorted(serials) == list(range(1, len(serials) + 1)), (scope, sorted(serials)[:20])
    return {k: len(v) for k, v in by_scope.items()}
