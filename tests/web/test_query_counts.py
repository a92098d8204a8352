"""No N+1 on the list pages (issue 16: every list page and the dashboard in <= 300 ms at p95 on a scale
database of 2,000 branches, 50,000 submissions, 200,000 audit rows, 100,000 documents).

Each list page is rendered with the seeded records plus 5 copies of each (submissions with their
extractions and findings, assessments, notices with their register entries, 荣誉证书 with their cycles,
整改台账 rows, audit rows, batch jobs, messages), each copy in a branch of its own and its own account, then with 50 copies: the
number of SQL statements (``before_cursor_execute`` on the app's engine) must be the same. A page
that loads a row's organisation, findings or author one row at a time makes 45 more.
``bench/bench_scale.py`` measures the times themselves.
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from service.db import engine_for, session_scope
from service.models import (Assessment, AuditLog, BatchJob, Certificate, CreationCycle, Document, Extraction, Finding,
                            Message, Organisation, RectificationItem, RegisterEntry, Submission, User)
from tests.web.conftest import BRANCH_A, login

#: GET pages with path arguments are detail pages (a fixed number of rows); these take no list
SKIP = {"home.login", "home.verify_search", "healthz", "static", "register.register_xlsx", "community.pairs_export",
        "imports.template", "imports.report", "home.upload", "account.account_page", "admin.admin_fonts"}
ROLES = {"admin": "admin", "reviewer": "gongwei", "branch": "yusuan"}


def _clone(obj, **changes):
    cls = type(obj)
    values = {c.key: getattr(obj, c.key) for c in cls.__mapper__.column_attrs if c.key != "id"}
    values.update(changes)
    return cls(**values)


def grow(url: str, start: int, stop: int) -> None:
    """Copies ``start``..``stop`` of 预算科's records, each in a new branch with its own account (so a page
    that loads an organisation or a user per row cannot hide it in the session's identity map), and the
    same again in 预算科 itself (what the branch's own pages list)."""
    with session_scope(url) as s:
        home = s.execute(select(Organisation).where(Organisation.name == BRANCH_A)).scalar_one()
        subs = list(s.execute(select(Submission).where(Submission.organisation_id == home.id)
                              .order_by(Submission.id).limit(2)).scalars())
        assessment = s.execute(select(Assessment).where(Assessment.organisation_id == home.id)).scalars().first()
        doc = s.execute(select(Document).where(Document.organisation_id == home.id)).scalars().first()
        entry = s.execute(select(RegisterEntry).where(RegisterEntry.document_id == doc.id)).scalars().first()
        item = s.execute(select(RectificationItem).where(RectificationItem.organisation_id == home.id)).scalars().first()
        audit = list(s.execute(select(AuditLog).where(AuditLog.organisation_id == home.id).limit(3)).scalars())
        job = s.execute(select(BatchJob).order_by(BatchJob.id)).scalars().first()
        readers = list(s.execute(select(User).where(User.username.in_(ROLES.values()))).scalars())
        for k in range(start, stop):
            org = Organisation(name=f"计数第{k}党支部", kind="branch", domain=home.domain, parent_id=home.parent_id,
                               member_count=10, secretary="王敏")
            s.add(org)
            s.flush()
            user = User(username=f"count{k}", display_name=f"计数{k}", role="branch", organisation_id=org.id,
                        password_hash="x", active=True)
            s.add(user)
            s.flush()
            for target in (org, home):
                _copy_records(s, target, user, subs, assessment, doc, entry, item, audit, k)
            s.add(_clone(job, idempotency_key=f"count-{k}", organisation_id=org.id, created_by_id=user.id))
            for reader in readers:
                s.add(Message(user_id=reader.id, kind="notice", title=f"计数消息{k}", body="请查看。", link="/",
                              dedupe=f"count-{k}"))


def _copy_records(s: Session, org, user, subs, assessment, doc, entry, item, audit, k: int) -> None:
    for sub in subs:
        new = _clone(sub, organisation_id=org.id, uploaded_by_id=user.id)
        s.add(new)
        s.flush()
        for e in s.execute(select(Extraction).where(Extraction.submission_id == sub.id)).scalars():
            s.add(_clone(e, submission_id=new.id))
        for f in s.execute(select(Finding).where(Finding.submission_id == sub.id)).scalars():
            s.add(_clone(f, submission_id=new.id, organisation_id=org.id))
    a = _clone(assessment, organisation_id=org.id, entered_by_id=user.id, cycle_id=None)
    s.add(a)
    s.flush()
    d = _clone(doc, organisation_id=org.id, subject_id=a.id, issued_by_id=user.id, supersedes_id=None)
    s.add(d)
    s.flush()
    if entry is not None:
        s.add(_clone(entry, document_id=d.id, organisation_id=org.id, signer_id=user.id,
                     seq=1000 + 2 * k + (org.name == BRANCH_A), number=f"{entry.number}-{org.id}"))
    s.add(_clone(item, organisation_id=org.id, assessment_id=a.id))
    # a 荣誉证书 (its row on the documents list reads the certificate's state, which reads the term's cycle)
    number = f"QC{org.id:05d}{k:03d}"
    s.add(Certificate(kind="honor-certificate", number=number, holder_name=org.name, organisation_id=org.id,
                      status="valid", issued_on=dt.date(2025, 7, 1)))
    s.add(CreationCycle(organisation_id=org.id, state="commended", commended_on=dt.date(2025, 6, 30),
                        term_starts_on=dt.date(2025, 7, 1), term_ends_on=dt.date(2029, 6, 30)))
    s.add(_clone(doc, kind="honor-certificate", number=number, organisation_id=org.id, subject_id=a.id,
                 issued_by_id=user.id, supersedes_id=None))
    for row in audit:
        s.add(_clone(row, organisation_id=org.id, user_id=user.id))


def _pages(app) -> list[str]:
    return sorted(r.rule for r in app.url_map.iter_rules()
                  if "GET" in r.methods and not r.arguments and r.endpoint not in SKIP
                  and not r.rule.startswith("/api"))


def _counts(app, client, paths: list[str]) -> dict[str, int]:
    engine = engine_for(app.config["DATABASE_URL"])
    out = {}
    for path in paths:
        seen = []

        def count(_conn, _cursor, statement, *_args):
            seen.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            status = client.get(path).status_code
        finally:
            event.remove(engine, "before_cursor_execute", count)
        if status == 200:
            out[path] = len(seen)
    return out


# The admin sees every row of every page (quick tier, about 2.5 s of CPU: 60 page renders); the reviewer's
# subtree filter and the branch's own pages are the slow tier.
@pytest.mark.parametrize("role", ["admin", pytest.param("reviewer", marks=pytest.mark.slow),
                                  pytest.param("branch", marks=pytest.mark.slow)])
def test_list_pages_make_as_many_statements_for_50_rows_as_for_5(app, demo, seeded, role):
    url = app.config["DATABASE_URL"]
    grow(url, 0, 5)
    client = app.test_client()
    login(client, ROLES[role], demo["password"])
    paths = _pages(app)
    client.get("/")  # the first request of an app pays for its caches, whatever the rows
    small = _counts(app, client, paths)
    grow(url, 5, 50)
    large = _counts(app, client, paths)
    assert small, "no page answered"
    grew = {p: (small[p], large.get(p)) for p in small if large.get(p) != small[p]}
    assert not grew, f"statements per page with 5 vs 50 rows of each kind: {grew}"
