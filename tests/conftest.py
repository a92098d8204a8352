"""Shared fixtures: real databases (SQLite and PostgreSQL), the app, demo accounts.

Every database test runs twice, once per backend. PostgreSQL is the server on
127.0.0.1:5432 (``WUHAO_TEST_PG`` overrides the admin URL); each run migrates one
template database and each test gets a throw-away copy of it. With ``CI=true`` an
unreachable server fails the run instead of skipping.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

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


#: the directory this run's template databases are built in, once for all pytest-xdist workers: the
#: controller (or the only process) makes it and passes it on in the environment, and drops the
#: PostgreSQL templates listed there when the run ends. Each worker built its own before: 6 to 8 s
#: of CPU per worker (migrations, demo accounts, the seeded records with their PDFs).
RUN_DIR_ENV = "WUHAO_TEST_RUN_DIR"
_OWN_RUN_DIR: list[Path] = []


def pytest_configure(config):
    if not hasattr(config, "workerinput") or RUN_DIR_ENV not in os.environ:
        path = Path(tempfile.mkdtemp(prefix="wuhao-tests-"))
        os.environ[RUN_DIR_ENV] = str(path)
        _OWN_RUN_DIR.append(path)


def pytest_unconfigure(config):
    for path in _OWN_RUN_DIR:
        listed = path / "pg-databases"
        names = listed.read_text().split() if listed.exists() else []
        if names:
            engine, _ = _pg_admin()
            if engine is not None:
                with engine.connect() as conn:
                    for name in names:
                        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                engine.dispose()
        shutil.rmtree(path, ignore_errors=True)
    _OWN_RUN_DIR.clear()


def run_dir() -> Path:
    return Path(os.environ[RUN_DIR_ENV])


@contextmanager
def _locked(name: str):
    with open(run_dir() / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def built_once(name: str, build):
    """What ``build(directory)`` returned (JSON), built by the first process of the run that asks
    while the others wait for it; a build that failed is tried again by the next one."""
    result = run_dir() / f"{name}.json"
    with _locked(name):
        if not result.exists():
            directory = run_dir() / name
            shutil.rmtree(directory, ignore_errors=True)
            directory.mkdir()
            result.write_text(json.dumps(build(directory)))
        return json.loads(result.read_text())


def new_pg_template(admin, prefix: str, template: str | None = None) -> str:
    """A new database of this run's (dropped when the run ends), empty or copied from ``template``."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with open(run_dir() / "pg-databases", "a") as listed:
        listed.write(name + "\n")
    with templates_in_use():
        admin_execute(admin, f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return name


def admin_execute(admin, sql: str) -> None:
    with admin.connect() as conn:
        conn.execute(text(sql))


@contextmanager
def templates_in_use():
    """Held while a process reads a template database or copies one: PostgreSQL refuses
    ``CREATE DATABASE … TEMPLATE`` while another session is connected to the template."""
    with _locked("pg-templates"):
        yield


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


def pg_url_for(name: str) -> str:
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_admin():
    engine, exc = _pg_admin()
    if engine is None:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI but unreachable at {PG_ADMIN_URL}: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    yield engine
    PG_POOL.drop_all(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def pg_template(pg_admin):
    """A migrated database that each test copies (CREATE DATABASE … TEMPLATE), one per run."""
    from service.migrate import upgrade

    def build(_):
        name = new_pg_template(pg_admin, "wuhao_tmpl")
        upgrade(pg_url_for(name))
        _dispose_engines()
        return name
    return built_once("pg-template", build)


@pytest.fixture(scope="session")
def sqlite_template():
    from service.migrate import upgrade

    def build(directory):
        upgrade(f"sqlite:///{directory / 'wuhao.db'}")
        _dispose_engines()
        return str(directory / "wuhao.db")
    return Path(built_once("sqlite-template", build))


def _dispose_engines() -> None:
    from service.db import dispose_all

    dispose_all()


class PgPool:
    """Copies of a template database, reused from one test to the next.

    ``CREATE DATABASE … TEMPLATE`` plus ``DROP DATABASE`` cost the server 0.25 s on a quiet
    machine and up to 3 s on a busy one (files written and synced); putting a copy back into its
    template's state costs 0.04 s to 0.14 s: the copy's other connections are ended, every table
    emptied and refilled with the template's rows (``COPY``), every sequence set to the
    template's value, in one transaction; then it is renamed.
    A copy whose schema no longer matches its template's (a test ran DDL) or whose reset fails
    is dropped instead, and the next test gets a fresh copy.
    """

    def __init__(self):
        self.free: dict[str, list[str]] = {}
        self.made: list[str] = []
        self.snapshots: dict[str, tuple] = {}

    @staticmethod
    def _connect(name: str):
        url = make_url(pg_url_for(name))
        return psycopg.connect(host=url.host, port=url.port, user=url.username, password=url.password,
                               dbname=name, autocommit=True, connect_timeout=10)

    @staticmethod
    def _shape(conn) -> tuple:
        return conn.execute(
            "SELECT (SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public'),"
            " (SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'),"
            " (SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint"
            "  WHERE connamespace = 'public'::regnamespace),"
            " (SELECT string_agg(sequencename, ',' ORDER BY sequencename) FROM pg_sequences"
            "  WHERE schemaname = 'public')").fetchone()

    def _snapshot(self, template: str) -> tuple:
        """The template's rows (COPY text per table), sequence values and schema shape."""
        if template not in self.snapshots:
            with self._connect(template) as conn:
                tables = [r[0] for r in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
                rows = {}
                for table in tables:
                    with conn.cursor().copy(f'COPY "{table}" TO STDOUT') as copy:
                        data = b"".join(bytes(chunk) for chunk in copy)
                    if data:
                        rows[table] = data
                sequences = conn.execute("SELECT schemaname || '.' || quote_ident(sequencename), last_value"
                                         " FROM pg_sequences WHERE schemaname = 'public'").fetchall()
                self.snapshots[template] = (tables, rows, sequences, self._shape(conn))
        return self.snapshots[template]

    def acquire(self, admin, template: str, prefix: str) -> str:
        free = self.free.setdefault(template, [])
        if free:
            return free.pop()
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with templates_in_use():  # the template is shared with the other workers of the run
            self._snapshot(template)
            admin_execute(admin, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        self.made.append(name)
        return name

    def release(self, admin, template: str, name: str) -> None:
        """Reset the copy and give it a new name: a process or thread the test left behind
        (an OCR runner, a batch worker) keeps the old URL and finds no database there, as it
        did when the copy was dropped, instead of working on the next test's rows."""
        _dispose_engines()
        renamed = f"{name.rsplit('_', 1)[0]}_{uuid.uuid4().hex[:12]}"
        try:
            self._reset(admin, template, name)
            with admin.connect() as conn:
                self._end_connections(conn, name)
                conn.execute(text(f'ALTER DATABASE "{name}" RENAME TO "{renamed}"'))
        except Exception:  # e.g. the test changed the schema: the next test gets a fresh copy
            self.drop(admin, name)
        else:
            self.made[self.made.index(name)] = renamed
            self.free[template].append(renamed)

    @staticmethod
    def _end_connections(conn, name: str) -> None:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                          " WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})

    def _reset(self, admin, template: str, name: str) -> None:
        tables, rows, sequences, shape = self._snapshot(template)
        with admin.connect() as conn:
            self._end_connections(conn, name)
        with self._connect(name) as conn:
            if self._shape(conn) != shape:
                raise RuntimeError(f"{name}: the test changed the schema")
            with conn.transaction():
                conn.execute("SET LOCAL session_replication_role = replica")  # no FK order needed
                for table in tables:
                    conn.execute(f'DELETE FROM "{table}"')
                for table, data in rows.items():
                    with conn.cursor().copy(f'COPY "{table}" FROM STDIN') as copy:
                        copy.write(data)
                for sequence, value in sequences:
                    conn.execute("SELECT setval(%s, %s, %s)", (sequence, value or 1, value is not None))

    def drop(self, admin, name: str) -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        for free in self.free.values():
            if name in free:
                free.remove(name)
        if name in self.made:
            self.made.remove(name)

    def drop_all(self, admin) -> None:
        for name in list(self.made):
            self.drop(admin, name)


PG_POOL = PgPool()


@contextmanager
def throwaway_pg_database(admin, template: str, prefix: str = "wuhao_test"):
    """A PostgreSQL database in the migrated template's state, put back into it afterwards."""
    name = PG_POOL.acquire(admin, template, prefix)
    try:
        yield pg_url_for(name)
    finally:
        PG_POOL.release(admin, template, name)


#: (fixture a test uses, the template its database is copied from): the first that applies wins;
#: ``seeded`` (tests/web/conftest.py) brings its records in its own template, built once per run;
#: ``demo_tree`` is the demo organisations and accounts without an app (the batch tests' settings)
TEMPLATES = (("seeded", "{backend}_seeded_template"), ("demo", "{backend}_demo_template"),
             ("demo_tree", "{backend}_demo_template"))


def template_of(request, backend: str) -> str:
    for fixture, template in TEMPLATES:
        if fixture in request.fixturenames:
            return template.format(backend="pg" if backend == "postgresql" else backend)
    return "pg_template" if backend == "postgresql" else "sqlite_template"


#: for a module's ``pytestmark`` (or a test): the test runs on SQLite only (the browser tests: the API
#: and authorisation tests cover both databases).
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
#: for tests whose subject is not the database (rendering, parsing, 422s, page text, the CLI): their
#: PostgreSQL run is in the slow tier. It repeated the SQLite run's checks and cost the quick tier a
#: copy of the template plus the app and the server's work, 0.1 to 0.5 s CPU each; ``./dev.sh test``
#: still runs both. Tests of locking, numbering, migrations, throttles and queries keep both in the
#: quick tier.
QUICK_ON_SQLITE = pytest.mark.parametrize(
    "database_url", [pytest.param(b, marks=pytest.mark.slow) if b == "postgresql" else b for b in BACKENDS],
    indirect=True)


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """A fresh, migrated database of each backend; with the demo organisations and accounts
    already in it when the test uses the ``demo`` fixture (seeded once per template), and the
    ``seeded`` records too when it uses that one."""
    template = request.getfixturevalue(template_of(request, request.param))
    if request.param == "sqlite":
        path = tmp_path / "wuhao.db"
        shutil.copy(template, path)
        url = f"sqlite:///{path}"
        yield url
        _dispose_engines()
    else:
        with throwaway_pg_database(request.getfixturevalue("pg_admin"), template) as url:
            yield url


DEMO_PASSWORD = "demo-pass-1"


#: what the demo accounts' password hashes are in the test templates: scrypt with N = 2^10 rather than
#: werkzeug's 2^15 (the parameters are part of the hash, so signing in checks it with the same code,
#: in 1 ms instead of 0.1 s of CPU). Tests sign the demo accounts in a few hundred times; a password a
#: test sets or a user it creates is hashed by the service as in production.
DEMO_HASH_METHOD = "scrypt:1024:8:1"


def _seed_demo(url: str) -> None:
    """The demo tree and its seven accounts, once per template instead of in every test that uses
    ``demo``; the accounts' hashes are cheaper ones (``DEMO_HASH_METHOD``)."""
    from service.db import session_scope
    from service.demo import load_demo

    with session_scope(url) as session:
        load_demo(session, password=DEMO_PASSWORD, with_records=False,
                  password_hash=generate_password_hash(DEMO_PASSWORD, DEMO_HASH_METHOD))
    _dispose_engines()


@pytest.fixture(scope="session")
def sqlite_demo_template(sqlite_template):
    def build(directory):
        path = directory / "wuhao.db"
        shutil.copy(sqlite_template, path)
        _seed_demo(f"sqlite:///{path}")
        return str(path)
    return Path(built_once("sqlite-demo-template", build))


@pytest.fixture(scope="session")
def pg_demo_template(pg_admin, pg_template):
    def build(_):
        name = new_pg_template(pg_admin, "wuhao_demo_tmpl", pg_template)
        _seed_demo(pg_url_for(name))
        return name
    return built_once("pg-demo-template", build)


@pytest.fixture
def demo_tree():
    """Ask for it next to ``database_url`` and the database comes with the demo organisations and
    accounts (copied from the demo template: their passwords are hashed once per run, not per test)."""
    return DEMO_PASSWORD


@pytest.fixture
def data_dir(tmp_path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def gate(tmp_path) -> Path:
    """A FIFO the app's parses wait on (``WUHAO_PARSE_GATE``) when the test asks for it: the test
    sees an upload held for certain, then lets it through with :func:`open_gate` (no sleeps)."""
    path = tmp_path / "parse-gate"
    os.mkfifo(path)
    return path


def open_gate(gate: Path) -> None:
    """Let one held parse through (opening the FIFO blocks until the parse waits on it)."""
    with open(gate, "wb") as fh:
        fh.write(b"1")


class TemplateCodeCache(BytecodeCache):
    """Jinja's compiled templates kept in this process, keyed by template name and checked against
    the source's checksum (Jinja's ``BytecodeCache``): each test's app has its own Jinja environment,
    which compiled every page it rendered again, 5 to 15 ms of CPU per template and test."""

    def __init__(self):
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CODE = TemplateCodeCache()


def share_template_code(app):
    """The app's templates compiled once per test process (see ``TemplateCodeCache``)."""
    app.jinja_env.bytecode_cache = TEMPLATE_CODE
    return app


@pytest.fixture
def app(request, database_url, data_dir):
    from service import create_app

    extra = {}
    if "gate" in request.fixturenames:  # 120 s: a page image OCRed on a machine other tests load
        extra = {"WUHAO_PARSE_GATE": str(request.getfixturevalue("gate")), "WUHAO_PARSE_TIMEOUT": 120}
    app = create_app({"DATABASE_URL": database_url, "WUHAO_DATA_DIR": data_dir,
                      "SECRET_KEY": "test-secret", "TESTING": True, **extra})
    yield share_template_code(app)


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

    The database comes seeded (see ``database_url``): copied from the demo template."""
    return demo_accounts(app)


def demo_accounts(app) -> dict:
    """The body of ``demo``: fresh API tokens of the demo accounts, and the organisations' ids.

    The app's database is a copy of a demo template (a test asks for ``demo`` or ``demo_tree``):
    ``load_demo`` is not run again here, where it found everything in place with 1,100 queries per
    test (its idempotence is tested in tests/foundation/test_app.py)."""
    from sqlalchemy import select

    from service import auth
    from service.db import session_scope
    from service.models import Organisation, User

    url = app.config["DATABASE_URL"]
    with app.app_context(), session_scope(url) as session:
        tokens = {}
        for user in session.execute(select(User)).scalars():
            tokens[user.username] = auth.new_api_token(user)
        orgs = {o.name: o.id for o in session.execute(select(Organisation)).scalars()}
    return {"tokens": tokens, "orgs": orgs, "password": DEMO_PASSWORD}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def own_redis():
    """Redis (database 15) and a client address of this test's own; the test's keys are deleted after it.

    The machine's one Redis is shared by the two backends' runs of a test (two xdist workers at once) and by
    other test runs: with a fixed address and FLUSHDB their counts added up (429 on the 16th failure) or were
    flushed away under them (401 where 429 was due)."""
    import secrets
    from types import SimpleNamespace

    import redis

    url = "redis://127.0.0.1:6379/15"
    client = redis.Redis.from_url(url, socket_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis not reachable on 127.0.0.1:6379")
    addr = "10.{}.{}.{}".format(*secrets.token_bytes(3))
    yield SimpleNamespace(url=url, addr=addr)
    for key in client.scan_iter(match=f"*{addr}"):  # they expire with their window anyway
        client.delete(key)
