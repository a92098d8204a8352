"""`wuhao demo` gives every document kind a demo record, and each renders in both formats."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

KINDS = ["supplement-notice", "acceptance-form", "rectification-notice", "rectification-taskbook",
         "rectification-ledger", "commendation-decision", "honor-certificate", "delisting-notice",
         "party-card", "quarterly-report", "blank-form"]


# The full demo (with a batch) is rendered from once, on SQLite; test_server loads it on both.
pytestmark = [pytest.mark.slow,  # the full demo (records, batch) and every kind rendered
              pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]


@pytest.fixture
def full_demo(app):
    from service.config import settings_of
    from service.db import session_scope
    from service.demo import load_demo
    from service.demo_records import party_cards

    with app.app_context(), session_scope(app.config["DATABASE_URL"]) as session:
        summary = load_demo(session)
    party_cards(settings_of(app), members=6)
    return summary


def test_demo_records_cover_every_kind(app, full_demo, db):
    from service.documents.contexts import demo_record
    from service.models import Certificate

    assert full_demo["records"]["assessments"] > 0 and full_demo["records"]["cycles"] == 2
    with db() as s:
        for kind in KINDS:
            assert demo_record(kind, s) is not None, kind
        statuses = {c.kind: set() for c in s.execute(select(Certificate)).scalars()}
        for c in s.execute(select(Certificate)).scalars():
            statuses[c.kind].add(c.status)
    assert statuses["honor-certificate"] == {"valid", "revoked"}
    assert statuses["party-card"] == {"valid"}


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_every_kind_renders_from_the_demo_data(app, full_demo, tmp_path, fmt):
    from service.documents.cli import render_cmd

    env = {"WUHAO_DATA_DIR": str(app.config["WUHAO_DATA_DIR"]), "DATABASE_URL": app.config["DATABASE_URL"]}
    for kind in KINDS:
        out = tmp_path / f"{kind}.{fmt}"
        result = CliRunner().invoke(render_cmd, [kind, "--demo", "--format", fmt, "-o", str(out)], env=env)
        assert result.exit_code == 0, (kind, result.output)
        assert "内置示例数据" not in result.output, f"{kind} fell back to the built-in sample"
        head = out.read_bytes()[:4]
        assert head == (b"PK\x03\x04" if fmt == "docx" else b"%PDF"), kind


def test_demo_ledger_is_in_a_real_years_state(app, full_demo, db):
    """Some rectifications closed, some open, one overdue; the 整改任务书 issued from the ledger rows."""
    import datetime as dt

    from service.models import Document, RectificationItem, RectificationNote

    assert full_demo["records"]["ledger_rows"] == 4
    today = dt.date.today()
    with db() as s:
        rows = list(s.execute(select(RectificationItem)).scalars())
        closed = [r for r in rows if r.closed_on]
        overdue = [r for r in rows if r.closed_on is None and r.due_on and r.due_on < today]
        running = [r for r in rows if r.closed_on is None and r.due_on and r.due_on >= today]
        assert len(closed) == 2 and len(overdue) == 1 and len(running) == 1, (closed, overdue, running)
        assert s.scalar(select(RectificationNote.id).where(RectificationNote.evidence_sha256.is_not(None)).limit(1))
        assert s.scalar(select(Document.id).where(Document.kind == "rectification-taskbook").limit(1))
