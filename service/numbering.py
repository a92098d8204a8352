"""Gapless numbering of documents and certificates.

``allocate`` hands out a block of consecutive numbers from a per-kind, per-year,
per-scope counter row, bumped by one atomic UPDATE, so concurrent requests queue
on the row lock (PostgreSQL) or the database write lock (SQLite). The number is only used if the caller's transaction commits: a rolled-back
request leaves no gap.
"""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import NumberSequence


def format_doc_number(prefix: str, year: int, seq: int) -> str:
    """发文字号 per GB/T 9704-2012: 机关代字〔年份〕序号号, no 第, no leading zeros."""
    if seq < 1:
        raise ValueError("sequence numbers start at 1")
    return f"{prefix}〔{int(year)}〕{int(seq)}号"


def format_member_number(county: str, committee: str, serial: int, width: int = 4) -> str:
    """党员证 number: county 2 digits + party committee 2 digits + serial (JH-6)."""
    if serial < 1 or serial >= 10**width:
        raise ValueError(f"serial {serial} does not fit in {width} digits")
    return f"{int(county):02d}{int(committee):02d}{serial:0{width}d}"


def format_certificate_number(prefix: str, year: int, seq: int, width: int = 4) -> str:
    """荣誉证书 number such as 五好〔2025〕0012 — a fixed width reads well on a plaque list."""
    return f"{prefix}{int(year)}{seq:0{width}d}"


def allocate(session: Session, kind: str, year: int, count: int = 1, scope: str = "") -> int:
    """Reserve ``count`` consecutive numbers; return the first one.

    One atomic ``UPDATE … SET last_value = last_value + n RETURNING last_value``:
    the row lock it takes serialises concurrent callers on PostgreSQL and SQLite
    alike, and nothing is read before it is written. Runs inside the caller's
    transaction and must be committed with the records that use the numbers.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    where = (NumberSequence.kind == kind, NumberSequence.year == year, NumberSequence.scope == scope)
    bump = (
        update(NumberSequence)
        .where(*where)
        .values(last_value=NumberSequence.last_value + count)
        .returning(NumberSequence.last_value)
    )
    last = session.execute(bump).scalar_one_or_none()
    if last is None:
        # First use of this counter: create it. A concurrent creator may win the
        # unique constraint; then we bump the row it made.
        try:
            with session.begin_nested():
                session.add(NumberSequence(kind=kind, year=year, scope=scope, last_value=0))
        except IntegrityError:
            pass
        last = session.execute(bump).scalar_one()
    return last - count + 1


def peek(session: Session, kind: str, year: int, scope: str = "") -> int:
    """The last number handed out (0 when none)."""
    row = session.execute(
        select(NumberSequence.last_value).where(
            NumberSequence.kind == kind, NumberSequence.year == year, NumberSequence.scope == scope
        )
    ).scalar_one_or_none()
    return row or 0
