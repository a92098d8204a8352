"""Migrations and the numbering sequences on both databases."""
from __future__ import annotations

import threading

from sqlalchemy import create_engine


def test_models_match_migrations(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from service.db import Base

    engine = create_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    engine.dispose()
    assert diff == []


def test_upgrade_from_empty_is_repeatable(database_url):
    from alembic.script import ScriptDirectory

    from service.migrate import alembic_config, upgrade

    upgrade(database_url)  # already at head: a no-op, not an error
    head = ScriptDirectory.from_config(alembic_config(database_url)).get_heads()
    assert len(head) == 1, f"migrations must form one chain, found heads {head}"
    engine = create_engine(database_url)
    with engine.connect() as conn:
        from sqlalchemy import text

        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head[0]
    engine.dispose()


def test_allocate_is_gapless_under_concurrency(database_url):
    from service.db import session_factory
    from service.numbering import allocate, peek

    factory = session_factory(database_url)
    got: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker():
        try:
            for _ in range(10):
                with factory() as session:
                    first = allocate(session, "notice", 2025, count=2)
                    session.commit()
                with lock:
                    got.extend([first, first + 1])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(got) == list(range(1, 121))
    with factory() as session:
        assert peek(session, "notice", 2025) == 120
        assert allocate(session, "notice", 2026) == 1  # per year
        session.rollback()
        assert peek(session, "notice", 2026) == 0  # a rolled-back number leaves no gap
