"""Shared fixtures: real databases (SQLite and PostgreSQL), the app, demo accounts.

Every database test runs twice, once per backend. PostgreSQL is the server on
127.0.0.1:5432 (``WUHAO_TEST_PG`` overrides the admin URL); each run migrates one
template database and each test gets a throw-away copy of it. With ``CI=true`` an
unreachable server fails the run instead of skipping.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_ADMIN_URL = os.environ.get("WUHAO_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = [b for b in os.environ.get("WUHAO_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]
#: fixtures slow to set up on their own: LibreOffice converts the generated parser corpora
#: (about two minutes when the cache is cold), so every test that uses one is in the slow tier
SLOW_FIXTURES = {"all_corpora", "generated_corpus", "heldout_corpus", "unseen_corpus", "unseen_heldout_corpus"}


def pytest_collection_modifyitems(config, items):
    """Tiers: `-m "not slow and not browser"` is the quick tier (under two minutes), plain
    `./dev.sh test` runs everything."""
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@contextmanager
def shared_build_dir(request, name: str):
    """A directory for a corpus built once: in pytest's cache (kept across runs) or, under
    ``-p no:cacheprovider``, this run's temporary directory. It is held under a lock, so with
    pytest-xdist one worker builds while the others wait, then all read what it built."""
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        base = Path(cache.mkdir(name))
    elif os.environ.get("PYTEST_XDIST_WORKER"):  # the workers' base directories share this run's parent
        base = request.getfixturevalue("tmp_path_factory").getbasetemp().parent / name
        base.mkdir(exist_ok=True)
    else:
        base = request.getfixturevalue("tmp_path_factory").mktemp(name)
    with open(base.parent / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield base


def _pg_admin():
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # pragma: no cover - depends on the machine
        engine.dispose()
        return None, exc
    return engine, None


def _url_for_db(name: str) -> str:
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_admin():
    engine, exc = _pg_admin()
    if engine is None:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI but unreachable at {PG_ADMIN_URL}: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def pg_template(pg_admin):
    """A migrated database that each test copies (CREATE DATABASE … TEMPLATE)."""
    from service.migrate import upgrade

    name = f"wuhao_tmpl_{uuid.uuid4().hex[:10]}"
    with pg_admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    upgrade(_url_for_db(name))
    _dispose_engines()
    yield name
    with pg_admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    from service.migrate import upgrade

    path = tmp_path_factory.mktemp("sqlite-template") / "wuhao.db"
    upgrade(f"sqlite:///{path}")
    return path


def _dispose_engines() -> None:
    from service.db import dispose_all

    dispose_all()


@contextmanager
def throwaway_pg_database(admin, template: str, prefix: str = "wuhao_test"):
    """A PostgreSQL database copied from the migrated template, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield _url_for_db(name)
    finally:
        _dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """A fresh, migrated database of each backend; with the demo organisations and accounts
    already in it when the test uses the ``demo`` fixture (seeded once per template)."""
    seeded = "demo" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "wuhao.db"
        shutil.copy(request.getfixturevalue("sqlite_demo_template" if seeded else "sqlite_template"), path)
        url = f"sqlite:///{path}"
        yield url
        _dispose_engines()
    else:
        with throwaway_pg_database(request.getfixturevalue("pg_admin"),
                                   request.getfixturevalue("pg_demo_template" if seeded else "pg_template")) as url:
            yield url


DEMO_PASSWORD = "demo-pass-1"


def _seed_demo(url: str) -> None:
    """The demo tree and its seven accounts: their password hashes (scrypt, ~0.1 s each) are
    computed here once per template instead of in every test that uses ``demo``."""
    from service.db import session_scope
    from service.demo import load_demo

    with session_scope(url) as session:
        load_demo(session, password=DEMO_PASSWORD, with_records=False)
    _dispose_engines()


@pytest.fixture(scope="session")
def sqlite_demo_template(sqlite_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("sqlite-demo-template") / "wuhao.db"
    shutil.copy(sqlite_template, path)
    _seed_demo(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_demo_template(pg_admin, pg_template):
    name = f"wuhao_demo_tmpl_{uuid.uuid4().hex[:10]}"
    with pg_admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    _seed_demo(_url_for_db(name))
    yield name
    with pg_admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def data_dir(tmp_path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def app(database_url, data_dir):
    from service import create_app

    app = create_app({"DATABASE_URL": database_url, "WUHAO_DATA_DIR": data_dir,
                      "SECRET_KEY": "test-secret", "TESTING": True})
    yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    """``with db() as s:`` — a short session on the test database.

    Keep sessions short: on SQLite every transaction takes the write lock
    (BEGIN IMMEDIATE), so a session left open would block the app under test.
    """
    from service.db import session_factory

    return session_factory(app.config["DATABASE_URL"])


@pytest.fixture
def demo(app):
    """The demo organisations and accounts; returns {username: api token} and orgs by name.

    The database comes seeded (see ``database_url``); ``load_demo`` then finds everything in
    place and hashes nothing."""
    from sqlalchemy import select

    from service import auth
    from service.db import session_scope
    from service.demo import load_demo
    from service.models import Organisation, User

    url = app.config["DATABASE_URL"]
    with app.app_context(), session_scope(url) as session:
        load_demo(session, password=DEMO_PASSWORD, with_records=False)
        tokens = {}
        for user in session.execute(select(User)).scalars():
            tokens[user.username] = auth.new_api_token(user)
        orgs = {o.name: o.id for o in session.execute(select(Organisation)).scalars()}
    return {"tokens": tokens, "orgs": orgs, "password": DEMO_PASSWORD}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
