"""The PostgreSQL copies the tests reuse (tests/conftest.py ``PgPool``) come back in their
template's state: rows, sequences and all, under a new name; a copy whose schema a test changed is
not reused."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from tests.conftest import PG_POOL


def _state(url: str) -> tuple:
    engine = create_engine(url)
    with engine.connect() as conn:
        users = conn.execute(text("SELECT id, username, role FROM users ORDER BY id")).all()
        orgs = conn.execute(text("SELECT count(*) FROM organisations")).scalar_one()
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    return users, orgs, version


def _next_id(url: str) -> int:
    engine = create_engine(url)
    with engine.begin() as conn:
        new = conn.execute(text("INSERT INTO organisations (name, kind, directly_under, created_at) VALUES ('临时党支部', 'branch', false, now())"
                                " RETURNING id")).scalar_one()
    engine.dispose()
    return new


def test_a_reused_copy_is_back_in_the_templates_state(pg_admin, pg_demo_template):
    name = PG_POOL.acquire(pg_admin, pg_demo_template, "wuhao_pooltest")
    url = str(pg_admin.url.set(database=name).render_as_string(hide_password=False))
    before = _state(url)
    assert before[0], "the demo template has its accounts"
    first_id = _next_id(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM users"))
        conn.execute(text("UPDATE organisations SET name = name || '（改）'"))
    left_open = engine.connect()  # a connection a test forgot: ended by the reset
    left_open.execute(text("SELECT 1"))
    PG_POOL.release(pg_admin, pg_demo_template, name)
    left_open.invalidate()  # its server process is gone: closed without a rollback
    left_open.close()
    engine.dispose()
    again = PG_POOL.acquire(pg_admin, pg_demo_template, "wuhao_pooltest")
    assert again != name, "a reused copy has a new name: what the last test left running finds nothing"
    engine = create_engine(url)
    with pytest.raises(OperationalError):
        engine.connect()
    engine.dispose()
    url = str(pg_admin.url.set(database=again).render_as_string(hide_password=False))
    assert _state(url) == before
    assert _next_id(url) == first_id  # the sequences too
    PG_POOL.release(pg_admin, pg_demo_template, again)


def test_a_copy_whose_schema_changed_is_dropped(pg_admin, pg_template):
    name = PG_POOL.acquire(pg_admin, pg_template, "wuhao_pooltest")
    url = str(pg_admin.url.set(database=name).render_as_string(hide_password=False))
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE users ADD COLUMN nickname TEXT"))
    engine.dispose()
    PG_POOL.release(pg_admin, pg_template, name)
    with pg_admin.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM pg_database WHERE datname = :n"), {"n": name}).scalar_one() == 0
    assert name not in PG_POOL.free.get(pg_template, []) and name not in PG_POOL.made
