"""The 发文 register: one number sequence per issuing organ and year across every 公文 kind.

Before, the counter ran per document kind under a shared 机关代字, so 市直工委〔2026〕1号 was at once a
补正通知, a 摘牌通知 and a 季度通报. Now each committee-level organisation has one
:class:`~service.models.IssuingOrgan` (发文机关标志, 机关代字, 署名; defaults derived from its name until an
admin edits them) and one counter per year in ``number_sequences`` (kind ``register``, scope the organ's
id); the year is the issue date's. :func:`sign` allocates the next number inside the caller's
transaction and writes the register line; the unique (organ, year, seq) of ``register_entries`` refuses
a duplicate even if the code above were wrong. :func:`withdraw` (作废) keeps the number used.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import numbering
from .documents.contexts import committee_of, doc_prefix, issuer_name
from .models import IssuingOrgan, Organisation, RegisterEntry

SEQUENCE_KIND = "register"
#: characters a 机关代字 cannot hold: they would break 机关代字〔年份〕序号号
BAD_PREFIX_CHARS = "〔〕[]{}<>\n\r"


def defaults(committee: Organisation) -> dict:
    """The organ's settings before an admin edits them (the names the service used so far)."""
    signature = issuer_name(committee)
    return {"mark": f"{signature}文件", "prefix": doc_prefix(committee), "signature": signature}


def organ_of(session: Session, organisation_id: int | None, *, create: bool = True) -> IssuingOrgan | None:
    """The issuing organ of the committee an organisation belongs to; created with defaults on first use
    (``create=False``: an unsaved default, for a preview that writes nothing)."""
    if organisation_id is None:
        return None
    org = session.get(Organisation, organisation_id)
    if org is None:
        return None
    committee = committee_of(session, org)
    organ = session.execute(select(IssuingOrgan).where(
        IssuingOrgan.organisation_id == committee.id)).scalar_one_or_none()
    if organ is None:
        organ = IssuingOrgan(organisation_id=committee.id, **defaults(committee))
        if not create:
            return organ
        taken = set(session.execute(select(IssuingOrgan.prefix)).scalars())
        while organ.prefix in taken:  # two committees with the same short name: keep the prefixes apart
            organ.prefix = f"{organ.prefix}{committee.id}"
        try:
            with session.begin_nested():  # a concurrent first 公文 of the same organ may create it first
                session.add(organ)
        except IntegrityError:
            organ = session.execute(select(IssuingOrgan).where(
                IssuingOrgan.organisation_id == committee.id)).scalar_one()
    return organ


def issue_year(ctx: dict) -> int:
    """The year of the number: the issue date's (成文日期), never the content's year."""
    issued_on = ctx.get("issued_on")
    if isinstance(issued_on, str) and issued_on:
        try:
            return dt.date.fromisoformat(issued_on).year
        except ValueError:
            pass
    return dt.date.today().year


def issue_date(ctx: dict) -> dt.date:
    issued_on = ctx.get("issued_on")
    if isinstance(issued_on, str) and issued_on:
        try:
            return dt.date.fromisoformat(issued_on)
        except ValueError:
            pass
    return dt.date.today()


def preview(session: Session, kind: str, ctx: dict) -> dict:
    """A 公文's context as it will be signed: the organ's names and the number it will take (nothing written)."""
    organ = organ_of(session, ctx.get("organisation_id"), create=False)
    if organ is None:
        return ctx
    stamp(ctx, organ)
    ctx["number"] = next_number(session, organ, issue_year(ctx))
    return ctx


def stamp(ctx: dict, organ: IssuingOrgan) -> dict:
    """The organ's 发文机关标志, 机关代字 and 署名 in a 公文's context (preview and signing alike)."""
    ctx["doc_prefix"] = organ.prefix
    ctx["issuer"] = organ.signature
    ctx["org_mark"] = organ.mark
    return ctx


def next_number(session: Session, organ: IssuingOrgan, year: int) -> str:
    """The number the next 公文 of ``organ`` in ``year`` will take, if nobody signs one first."""
    last = numbering.peek(session, SEQUENCE_KIND, year, scope=str(organ.id)) if organ.id is not None else 0
    return numbering.format_doc_number(organ.prefix, year, last + 1)


def sign(session: Session, organ: IssuingOrgan, kind: str, ctx: dict, *, addressee: str, signer) -> RegisterEntry:
    """Allocate the organ's next number for the issue date's year and write the register line."""
    year = issue_year(ctx)
    seq = numbering.allocate(session, SEQUENCE_KIND, year, scope=str(organ.id))
    entry = RegisterEntry(organ_id=organ.id, year=year, seq=seq,
                          number=numbering.format_doc_number(organ.prefix, year, seq), kind=kind,
                          addressee=(addressee or "")[:300], organisation_id=ctx.get("organisation_id"),
                          issued_on=issue_date(ctx), signer_id=getattr(signer, "id", None),
                          signer_name=(getattr(signer, "display_name", "") or getattr(signer, "username", "")
                                       or "")[:100],
                          status="issued")
    session.add(entry)
    session.flush()
    return entry


def entry_of(session: Session, kind: str, number: str | None) -> RegisterEntry | None:
    if not number:
        return None
    return session.execute(select(RegisterEntry).where(RegisterEntry.kind == kind, RegisterEntry.number == number)
                           .order_by(RegisterEntry.id.desc())).scalars().first()


def withdraw(entry: RegisterEntry, reason: str, day: dt.date | None = None) -> None:
    """作废: the line stays, with its reason; the number is never handed out again."""
    entry.status = "withdrawn"
    entry.withdrawn_reason = reason
    entry.withdrawn_on = day or dt.date.today()
