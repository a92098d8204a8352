"""The store behind the copy check: each report's and plan's fingerprints, looked up by hash.

`index_text` writes a text's winnowed fingerprints when it is uploaded and bumps each hash's count;
`copies` finds the stored texts of other organisations sharing passages with it and hands them to
the pure comparison in service/checks/copies.py. One check is two indexed reads whatever the corpus
size: the counts of its ~380 hashes (primary-key lookups), then the postings of the hashes rare
enough to matter — a hash stored more than MAX_POSTINGS_PER_HASH times is boilerplate.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload

from .checks.copies import Posting, compare, fingerprints
from .models import Organisation, Submission, TextFingerprint, TextHashCount

# A hash stored more often than this is boilerplate for certain (the copy check needs only
# `boilerplate_min_organisations` = 4 organisations); not fetching its postings bounds one check's
# reads to about 380 × 50 rows however large the corpus grows.
MAX_POSTINGS_PER_HASH = 50


def _bump(session: Session, counts: dict[int, int]) -> None:
    if not counts:
        return
    dialect = session.get_bind().dialect.name
    make = pg_insert if dialect == "postgresql" else sqlite_insert
    rows = [{"hash": h, "postings": n} for h, n in sorted(counts.items())]
    stmt = make(TextHashCount).values(rows)
    stmt = stmt.on_conflict_do_update(index_elements=[TextHashCount.hash],
                                      set_={"postings": TextHashCount.postings + stmt.excluded.postings})
    session.execute(stmt)


def index_text(session: Session, submission: Submission, text: str | None) -> int:
    """(Re)write the fingerprints of a submission's text; returns how many were stored."""
    old = session.execute(select(TextFingerprint.hash).where(TextFingerprint.submission_id == submission.id)).scalars()
    removed: dict[int, int] = {}
    for h in old:
        removed[h] = removed.get(h, 0) - 1
    _bump(session, removed)
    session.execute(delete(TextFingerprint).where(TextFingerprint.submission_id == submission.id))
    prints = fingerprints(text or "")
    rows = [{"submission_id": submission.id, "organisation_id": submission.organisation_id, "hash": h,
             "position": pos} for h, pos in prints]
    if rows:
        session.execute(insert(TextFingerprint), rows)
    added: dict[int, int] = {}
    for h, _ in prints:
        added[h] = added.get(h, 0) + 1
    _bump(session, added)
    return len(rows)


def text_of(submission: Submission) -> str:
    """The newest extraction's text of a report or plan ("" when there is none)."""
    if not submission.extractions:
        return ""
    fields = submission.extractions[-1].fields or {}
    text = fields.get("text")
    return text if isinstance(text, str) else ""


def copies(session: Session, submission: Submission, text: str, field: str = "report") -> tuple[list, list]:
    """`report_copied` findings and the matches (with passages) for a submission's text."""
    prints = fingerprints(text)
    mine = sorted({h for h, _ in prints})
    if not mine:
        return [], []
    counts = dict(session.execute(select(TextHashCount.hash, TextHashCount.postings)
                                  .where(TextHashCount.hash.in_(mine), TextHashCount.postings > 0)).all())
    known_common = {h for h, n in counts.items() if n > MAX_POSTINGS_PER_HASH}
    wanted = [h for h in counts if h not in known_common]
    postings = [Posting(*row) for row in session.execute(
        select(TextFingerprint.hash, TextFingerprint.submission_id, TextFingerprint.organisation_id,
               TextFingerprint.position)
        .where(TextFingerprint.hash.in_(wanted), TextFingerprint.submission_id != submission.id))] if wanted else []
    return compare(text, postings, lambda ids: _others(session, ids), own_organisation_id=submission.organisation_id, field=field,
                   known_common=known_common, prints=prints)


def _others(session: Session, ids: set[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    out = {}
    rows = session.execute(select(Submission, Organisation.name).join(
        Organisation, Organisation.id == Submission.organisation_id).where(Submission.id.in_(ids))
        .options(selectinload(Submission.extractions))).all()
    for sub, org_name in rows:
        out[sub.id] = {"organisation": org_name, "year": sub.uploaded_at.year if sub.uploaded_at else None,
                       "text": text_of(sub)}
    return out
