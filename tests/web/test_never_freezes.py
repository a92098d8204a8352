"""One slow upload never freezes the service (issue 16, item 2), on SQLite and PostgreSQL.

An upload's parse is held on a FIFO (``WUHAO_PARSE_GATE``: the sandboxed parse waits on it
before it starts) while 20 other requests — reads and writes — must each answer, without an error
and inside SQLite's busy timeout, while the parse is still held (the figure is printed).
Before the fix every transaction began IMMEDIATE at the first query and lasted through the
parse, so every write waited for the upload (then failed with ``database is locked``).
"""
from __future__ import annotations

import re
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from service import db as dbmod
from tests.conftest import bearer, demo_accounts, open_gate
from tests.samples import declaration_docx
from tests.web.conftest import upload


def _upload_in_thread(app, token, data, name) -> tuple[threading.Thread, dict]:
    out: dict = {}

    def run():
        resp = upload(app.test_client(), token, data, name)
        out["status"], out["body"] = resp.status_code, resp.get_json()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


def test_a_held_parse_blocks_no_other_request(app, demo, gate):
    tokens = demo["tokens"]
    thread, first = _upload_in_thread(app, tokens["yusuan"], declaration_docx(branch="市财政局预算科党支部"), "a.docx")
    open_gate(gate)
    thread.join(60)
    assert first["status"] == 201, first
    sub_id = first["body"]["id"]

    def call(i: int) -> tuple[str, int, float]:
        client = app.test_client()
        started = time.monotonic()
        kind = i % 5
        if kind == 0:
            resp = client.get("/api/v1/me", headers=bearer(tokens["yusuan"]))
        elif kind == 1:
            resp = client.get("/healthz")
        elif kind == 2:  # a write: a reviewer corrects a field
            resp = client.patch(f"/api/v1/submissions/{sub_id}/fields",
                                json={"fields": {"branch_name": f"市财政局预算科党支部{i}"}},
                                headers=bearer(tokens["gongwei"]))
        elif kind == 3:  # the preview comes from the parse cache, never from a new parse
            resp = client.get(f"/api/v1/submissions/{sub_id}/preview", headers=bearer(tokens["yusuan"]))
        else:
            resp = client.get("/api/v1/submissions", headers=bearer(tokens["gongwei"]))
        return f"{kind}:{resp.status_code}", resp.status_code, time.monotonic() - started

    for i in range(5):  # each kind of request once, so that imports and caches are warm
        call(i)
    thread, held = _upload_in_thread(app, tokens["guoku"], declaration_docx(branch="市财政局国库处党支部", members=13),
                                     "held.docx")
    writer = open(gate, "wb")  # returns once the second parse is waiting on the gate: it is held now
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(call, range(20)))
        assert thread.is_alive() and "status" not in held  # the upload was held all along
    finally:
        writer.write(b"1")
        writer.close()
    thread.join(60)
    slowest = max(r[2] for r in results)
    print(f"\n20 requests during a held parse: slowest {slowest * 1000:.0f} ms, statuses "
          f"{sorted({r[0] for r in results})}")
    assert all(r[1] < 300 for r in results), results
    # A request that waited on the held parse would wait out the busy timeout and answer 503
    # (SQLite) or never answer while the parse is held: the bound is that event, not the machine's
    # speed (about 0.05 s a request on a quiet machine, 1.06 s once in CI under load).
    assert slowest < dbmod.BUSY_TIMEOUT_MS / 1000, results
    assert held["status"] == 201, held


def test_a_lock_not_granted_in_time_is_a_503_with_retry_after(app, demo, monkeypatch, database_url):
    """A foreign writer holds SQLite's write lock past the busy timeout: writes get a 503 in the
    JSON error shape with Retry-After, reads go on (WAL, DEFERRED)."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's database-wide write lock")
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 300)
    dbmod.dispose_all()  # new connections take the short busy timeout
    client = app.test_client()
    token = demo["tokens"]["admin"]
    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        resp = client.post("/api/v1/organisations", json={"name": "新支部", "kind": "branch"},
                           headers=bearer(token))
        assert resp.status_code == 503, resp.get_data(as_text=True)[:300]
        assert resp.headers["Retry-After"] == "2"
        assert resp.get_json()["error"]["code"] == "database_busy"
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def _big_pdf(text: str) -> bytes:
    """A text PDF over the light lane's size (an unreferenced 2.5 MB stream): the heavy lane reads it."""
    from parsers import sandbox
    from tests import hostile

    pad = b"<< /Length %d >>\nstream\n" % (sandbox.LIGHT_BYTES + (1 << 19)) + b"0" * (sandbox.LIGHT_BYTES + (1 << 19))
    return hostile.build_pdf([((595, 842), 0)], [b"BT /F1 12 Tf 72 760 Td (" + text.encode() + b") Tj ET"],
                             extra=[pad + b"\nendstream"])


def test_held_slow_parses_leave_ordinary_uploads_a_lane(database_url, demo_tree, data_dir, gate):
    """Slow files (held on the gate: a parse that does not end) fill the heavy lane — every heavy
    worker and every place in its queue — and an ordinary upload still gets its answer: before
    the lanes, three held files held all three workers and the form waited for them (issue 16:
    5 hostile uploaders, 0 ordinary uploads)."""
    from service import create_app, parsing
    from service.config import settings_of

    app = create_app({"DATABASE_URL": database_url, "WUHAO_DATA_DIR": data_dir, "SECRET_KEY": "test-secret",
                      "TESTING": True, "WUHAO_PARSE_GATE": str(gate), "WUHAO_PARSE_GATE_PREFIX": "held",
                      "WUHAO_PARSE_TIMEOUT": 120})
    tokens = demo_accounts(app)["tokens"]
    box = parsing.sandbox(settings_of(app))
    held = [_upload_in_thread(app, tokens["yusuan"], _big_pdf(f"held {i}"), f"held-{i}.pdf")
            for i in range(box.heavy.size + box.heavy.max_waiting)]
    writer = open(gate, "wb")  # returns once a held parse waits on the gate: the heavy lane is held
    try:
        started = time.monotonic()
        thread, form = _upload_in_thread(app, tokens["guoku"], declaration_docx(branch="市财政局国库处党支部"),
                                         "form.docx")
        thread.join(60)
        took = time.monotonic() - started
        assert form.get("status") == 201, form
        assert took < 20, took  # generous: ~0.1 s on an idle machine
        assert all(t.is_alive() and "status" not in out for t, out in held)  # held all along
        print(f"\nan ordinary upload while {len(held)} parses hold the heavy lane: {took * 1000:.0f} ms")
    finally:
        writer.write(b"1" * len(held))  # each held parse reads one byte, in turn
        writer.flush()
        for t, _ in held:
            t.join(120)
        writer.close()
    assert [out.get("status") for _, out in held] == [201] * len(held), held


def test_an_upload_takes_the_write_lock_once_for_its_writes(app, demo, database_url):
    """On SQLite an upload's look-ups before the parse (its token, its branch) begin DEFERRED and
    only its writes take the write lock: one BEGIN IMMEDIATE a request, not two (with 50 uploaders
    each look-up queued behind every writer). Inside it the answer reads back only the findings
    (it read the branch, the new extraction and its corrections again: four SELECTs)."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's database-wide write lock")
    from sqlalchemy import event

    from service.db import engine_for

    begins: list[str] = []

    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)
        if statement.startswith("BEGIN"):
            begins.append(statement)

    engine = engine_for(app.config["DATABASE_URL"])
    event.listen(engine, "before_cursor_execute", seen)
    try:
        resp = upload(app.test_client(), demo["tokens"]["yusuan"],
                      declaration_docx(branch="市财政局预算科党支部", members=17), "once.docx")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert resp.status_code == 201, resp.get_json()
    assert begins == ["BEGIN DEFERRED", "BEGIN IMMEDIATE"], begins
    writing = statements[statements.index("BEGIN IMMEDIATE"):]
    reads = [re.search(r"\bFROM\s+(\w+)", s).group(1) for s in writing if s.lstrip().startswith("SELECT")]
    assert reads == ["findings"], reads


def test_writers_of_a_process_take_the_write_gate_in_arrival_order():
    """The gate in front of SQLite's write lock is first come, first served (SQLite's busy handler
    let late writers overtake one waiting since long before), gives up after its timeout, and a
    forked child does not inherit a gate its parent held."""
    import os

    from service.db import _WriteGate, _gate_for

    gate = _WriteGate()
    assert gate.acquire(1)
    order: list[int] = []
    threads = []
    for i in range(5):
        def wait(i=i):
            assert gate.acquire(30)
            order.append(i)
            gate.release()
        t = threading.Thread(target=wait)
        t.start()
        threads.append(t)
        deadline = time.monotonic() + 30
        while len(gate._queue) < i + 1 and time.monotonic() < deadline:  # queued before the next comes
            time.sleep(0.001)
    assert not gate.acquire(0.05)  # held and queued for: the timeout is kept
    gate.release()
    for t in threads:
        t.join(30)
    assert order == [0, 1, 2, 3, 4]

    held = _gate_for("sqlite:///forked.db")
    assert held.acquire(1)
    try:
        pid = os.fork()
        if pid == 0:
            os._exit(0 if _gate_for("sqlite:///forked.db").acquire(0.5) else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        held.release()
