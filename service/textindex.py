"""The store behind the copy check: each report's and plan's fingerprints, looked up by hash.

`index_text` writes a text's winnowed fingerprints when it is uploaded; `copies` finds the stored
texts of other organisations sharing passages with it and hands them to the pure comparison in
service/checks/copies.py. One check is two indexed queries whatever the corpus size: the number
of organisations per hash (a hash seen in too many texts is boilerplate and its postings are not
fetched), then the postings of the remaining hashes.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from .checks.copies import Posting, compare, fingerprints
from .checks.texts import vocabulary
from .models import Organisation, Submission, TextFingerprint

# A hash with more stored postings than this is boilerplate for certain (it needs only
# `boilerplate_min_organisations` organisations); not fetching its postings bounds one check's reads
# to about 380 × 200 rows however large the corpus grows.
MAX_POSTINGS_PER_HASH = 200


def index_text(session: Session, submission: Submission, text: str | None) -> int:
    """(Re)write the fingerprints of a submission's text; returns how many were stored."""
    session.execute(delete(TextFingerprint).where(TextFingerprint.submission_id == submission.id))
    rows = [{"submission_id": submission.id, "organisation_id": submission.organisation_id, "hash": h,
             "position": pos} for h, pos in fingerprints(text or "")]
    if rows:
        session.execute(insert(TextFingerprint), rows)
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
    mine = {h for h, _ in fingerprints(text)}
    if not mine:
        return [], []
    spec = vocabulary()["copies"]
    hashes = sorted(mine)
    counts = session.execute(
        select(TextFingerprint.hash, func.count(), func.count(func.distinct(TextFingerprint.organisation_id)))
        .where(TextFingerprint.hash.in_(hashes), TextFingerprint.submission_id != submission.id)
        .group_by(TextFingerprint.hash)).all()
    known_common = {h for h, n, orgs in counts
                    if n > MAX_POSTINGS_PER_HASH or orgs + 1 >= spec["boilerplate_min_organisations"]}
    wanted = [h for h, _n, _o in counts if h not in known_common]
    postings = [Posting(*row) for row in session.execute(
        select(TextFingerprint.hash, TextFingerprint.submission_id, TextFingerprint.organisation_id,
               TextFingerprint.position)
        .where(TextFingerprint.hash.in_(wanted), TextFingerprint.submission_id != submission.id))] if wanted else []
    others = _others(session, {p.submission_id for p in postings})
    return compare(text, postings, others, own_organisation_id=submission.organisation_id, field=field,
                   known_common=known_common)


def _others(session: Session, ids: set[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    out = {}
    rows = session.execute(select(Submission, Organisation.name).join(
        Organisation, Organisation.id == Submission.organisation_id).where(Submission.id.in_(ids))).all()
    for sub, org_name in rows:
        out[sub.id] = {"organisation": org_name, "year": sub.uploaded_at.year if sub.uploaded_at else None,
                       "text": text_of(sub)}
    return out



