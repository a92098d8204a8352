"""The documents page at scale (issue 16: 339 ms for the admin, 302 for a reviewer on PostgreSQL with
100,000 documents): its list reads the columns it shows — never ``context``, the JSON each document
was rendered from (kilobytes a row, decoded for 2,000 rows) — with the organisations' names joined
in the same statement, not fetched by an IN of 2,000 ids."""
from __future__ import annotations

from sqlalchemy import event

from service.db import engine_for
from tests.web.conftest import login


def test_documents_page_reads_no_context_and_names_in_one_statement(app, seeded):
    engine = engine_for(app.config["DATABASE_URL"])
    client = app.test_client()
    login(client, "admin", seeded["password"])
    client.get("/documents")
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", count)
    try:
        resp = client.get("/documents")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert resp.status_code == 200
    listed = [s for s in seen if "FROM documents" in s]
    assert len(listed) == 1, seen
    assert "documents.context" not in listed[0] and "organisations.name" in listed[0], listed[0]
    assert not [s for s in seen if s.startswith("SELECT organisations.id, organisations.name FROM organisations")]
    assert "市财政局预算科党支部" in resp.get_data(as_text=True)  # a document's organisation, named
