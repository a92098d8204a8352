"""The member table behind the 党员证 (JH-6 两册一证): a 党员证 batch upserts its roster rows into
``party_members`` with the card number it drew, in the very transaction that commits the chunk's
certificates (``worker.do_chunk``): a chunk taken over after a lost lease commits once, so its members
are written once; and as a member is found again by card number, then 身份证号, then (branch, name,
入党时间), a resumed or repeated run updates rows instead of adding them.

Lookups go in slices of 500 values: a chunk may hold up to 100 000 rows and SQLite allows 32 766
bound parameters a statement.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import PartyMember

from .roster import norm, parse_date

SLICE = 500


def _fetch(s: Session, column, values: list) -> list[PartyMember]:
    out = []
    values = sorted(set(values))
    for i in range(0, len(values), SLICE):
        out += s.execute(select(PartyMember).where(column.in_(values[i:i + SLICE]))).scalars().all()
    return out


def entry(row: dict, number: str) -> dict | None:
    """A roster row (as the batch keeps it) and its card number as member fields; None without a branch."""
    if not row.get("organisation_id"):
        return None
    v = row["values"]
    return {"organisation_id": row["organisation_id"], "name": norm(v.get("name"))[:100],
            "gender": norm(v.get("gender"))[:10], "id_number": norm(v.get("id_number")).upper()[:30] or None,
            "joined_on": parse_date(v.get("joined_on")), "phone": norm(v.get("phone"))[:50],
            "card_number": number}


def upsert(s: Session, job_id: int | None, entries: list[dict]) -> tuple[int, int]:
    """Write the members of ``entries`` (see :func:`entry`); returns (added, updated). Never commits."""
    entries = [e for e in entries if e]
    by_card = {m.card_number: m for m in _fetch(s, PartyMember.card_number, [e["card_number"] for e in entries])}
    by_ident = {m.id_number: m for m in _fetch(s, PartyMember.id_number,
                                                [e["id_number"] for e in entries if e["id_number"]])}
    by_name = {(m.organisation_id, m.name, m.joined_on or ""): m
               for m in _fetch(s, PartyMember.name, [e["name"] for e in entries if not e["id_number"]])
               if not m.id_number}
    added = updated = 0
    for e in entries:
        key = (e["organisation_id"], e["name"], e["joined_on"] or "")
        m = by_card.get(e["card_number"]) or (by_ident.get(e["id_number"]) if e["id_number"] else by_name.get(key))
        if m is None:
            m = PartyMember(**e, card_job_id=job_id)
            s.add(m)
            added += 1
        else:
            for k, val in e.items():
                if val not in (None, "") or k == "card_number":
                    setattr(m, k, val)
            m.card_job_id = job_id
            updated += 1
        by_card[e["card_number"]] = m
        if e["id_number"]:
            by_ident[e["id_number"]] = m
        else:
            by_name[key] = m
    s.flush()
    return added, updated
