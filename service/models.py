"""The data model: one table per thing the programme keeps on paper today.

Names match the field contract of the domain brief (section 6) and the API.
Enumerations are stored as short English codes (strings, checked by the code that
writes them) so the schema is the same on SQLite and PostgreSQL.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from . import vocabulary
from .db import Base

ORG_KINDS = tuple(vocabulary.ORG_KINDS)
ROLES = tuple(vocabulary.ROLES)
DOMAINS = vocabulary.DOMAIN_CODES


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _ts(**kw: Any):
    return mapped_column(DateTime(timezone=True), default=utcnow, **kw)


class Organisation(Base):
    """A node of the tree 工委/区委 → 党委 → 总支 → 支部."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    domain: Mapped[Optional[str]] = mapped_column(String(20))
    code: Mapped[Optional[str]] = mapped_column(String(20))
    member_count: Mapped[Optional[int]] = mapped_column(Integer)
    secretary: Mapped[Optional[str]] = mapped_column(String(100))
    contact_person: Mapped[Optional[str]] = mapped_column(String(100))
    contact_phone: Mapped[Optional[str]] = mapped_column(String(50))
    directly_under: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = _ts()
    dissolved_on: Mapped[Optional[date]] = mapped_column(Date)  # 撤销: kept with its records, no longer chosen

    parent: Mapped[Optional["Organisation"]] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Organisation"]] = relationship(back_populates="parent")

    __table_args__ = (UniqueConstraint("parent_id", "name"),)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    api_token_hash: Mapped[Optional[str]] = mapped_column(String(128), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _ts()
    email: Mapped[Optional[str]] = mapped_column(String(200))  # reminders by e-mail when SMTP is configured
    password_changed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))

    organisation: Mapped[Organisation] = relationship()


class Submission(Base):
    """Every uploaded file, exactly as received (the bytes live in the file store)."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = _ts()
    original_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(20))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    form: Mapped[str] = mapped_column(String(20), default="unknown")
    status: Mapped[str] = mapped_column(String(20), default="received")
    attached_to_id: Mapped[Optional[int]] = mapped_column(ForeignKey("submissions.id"))
    #: the reviewer's decision (service/usecases/review.py): comments of a return or a 补正, who, when
    review_comment: Mapped[Optional[str]] = mapped_column(Text)
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))

    organisation: Mapped[Organisation] = relationship()
    extractions: Mapped[list["Extraction"]] = relationship(
        back_populates="submission", order_by="Extraction.id"
    )


class Extraction(Base):
    """What the readers found in a submission: fields with where each came from."""

    __tablename__ = "extractions"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    form: Mapped[str] = mapped_column(String(20))
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    provenance: Mapped[dict] = mapped_column(JSON, default=dict)
    missing: Mapped[list] = mapped_column(JSON, default=list)
    errors: Mapped[list] = mapped_column(JSON, default=list)
    pairs: Mapped[list] = mapped_column(JSON, default=list)
    #: read, but worth a look ({"code", "field", "message"}: an optional field printed blank …)
    warnings: Mapped[Optional[list]] = mapped_column(JSON, default=list)
    #: scans only (OCR): pages, seals (盖章), deskew, page sizes, ``model_sha256`` (the preview's document model)
    scan: Mapped[Optional[dict]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = _ts()

    submission: Mapped[Submission] = relationship(back_populates="extractions")
    corrections: Mapped[list["FieldCorrection"]] = relationship(order_by="FieldCorrection.id")


class FieldCorrection(Base):
    """A reviewer's correction of one extracted field; the original is kept."""

    __tablename__ = "field_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    extraction_id: Mapped[int] = mapped_column(ForeignKey("extractions.id"), index=True)
    field: Mapped[str] = mapped_column(String(50))
    old_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    corrected_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    corrected_at: Mapped[datetime] = _ts()


class CreationCycle(Base):
    """One branch's run through 预报 → 创建 → 验收申请 → 考核 → 表彰 → 届期内 → 摘牌/撤销."""

    __tablename__ = "creation_cycles"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    state: Mapped[str] = mapped_column(String(30), default="forecast")
    declared_on: Mapped[Optional[date]] = mapped_column(Date)
    creation_started_on: Mapped[Optional[date]] = mapped_column(Date)
    applied_on: Mapped[Optional[date]] = mapped_column(Date)
    assessed_on: Mapped[Optional[date]] = mapped_column(Date)
    commended_on: Mapped[Optional[date]] = mapped_column(Date)
    term_starts_on: Mapped[Optional[date]] = mapped_column(Date)
    term_ends_on: Mapped[Optional[date]] = mapped_column(Date)
    ended_on: Mapped[Optional[date]] = mapped_column(Date)
    end_reason: Mapped[Optional[str]] = mapped_column(Text)
    facts: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = _ts()
    updated_at: Mapped[datetime] = _ts(onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship()


class Assessment(Base):
    """Scores of one branch in one grading round (JH-2) or one acceptance (SZ-2.3)."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    cycle_id: Mapped[Optional[int]] = mapped_column(ForeignKey("creation_cycles.id"))
    year: Mapped[int] = mapped_column(Integer)
    domain: Mapped[str] = mapped_column(String(20))
    rubric: Mapped[Optional[str]] = mapped_column(String(100))
    total: Mapped[Optional[float]] = mapped_column(Float)
    scores: Mapped[dict] = mapped_column(JSON, default=dict)
    items: Mapped[dict] = mapped_column(JSON, default=dict)
    satisfaction_rate: Mapped[Optional[float]] = mapped_column(Float)
    grade: Mapped[Optional[str]] = mapped_column(String(20))
    backward: Mapped[bool] = mapped_column(Boolean, default=False)
    assessed_on: Mapped[Optional[date]] = mapped_column(Date)
    entered_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = _ts()

    organisation: Mapped[Organisation] = relationship()


class Finding(Base):
    """One rule's verdict on a submission or an assessment, with its clause."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisations.id"), index=True)
    submission_id: Mapped[Optional[int]] = mapped_column(ForeignKey("submissions.id"), index=True)
    assessment_id: Mapped[Optional[int]] = mapped_column(ForeignKey("assessments.id"), index=True)
    rule: Mapped[str] = mapped_column(String(50))
    severity: Mapped[str] = mapped_column(String(10))
    field: Mapped[Optional[str]] = mapped_column(String(50))
    message: Mapped[str] = mapped_column(Text)
    clause: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = _ts()
    #: set when a later check run (a re-check, a correction) replaced this finding; the finding is
    #: kept, so the record shows what was said before and after a correction
    superseded_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))


class RectificationItem(Base):
    """A row of the 整改工作台账 (JH-3)."""

    __tablename__ = "rectification_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    assessment_id: Mapped[Optional[int]] = mapped_column(ForeignKey("assessments.id"))
    category: Mapped[str] = mapped_column(String(100))
    problem: Mapped[str] = mapped_column(Text)
    measure: Mapped[str] = mapped_column(Text, default="")
    target: Mapped[str] = mapped_column(Text, default="")
    leader: Mapped[str] = mapped_column(String(100), default="")
    owner: Mapped[str] = mapped_column(String(100), default="")
    due_on: Mapped[Optional[date]] = mapped_column(Date)
    progress: Mapped[str] = mapped_column(Text, default="")
    closed_on: Mapped[Optional[date]] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = _ts()
    opened_on: Mapped[Optional[date]] = mapped_column(Date)  # 立项日期 (a transcribed paper ledger's own date)

    organisation: Mapped[Organisation] = relationship()


class NumberSequence(Base):
    """Gapless counters for 发文字号 and certificate numbers, per kind, year and scope."""

    __tablename__ = "number_sequences"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    year: Mapped[int] = mapped_column(Integer)
    scope: Mapped[str] = mapped_column(String(50), default="")
    last_value: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("kind", "year", "scope"),)


class Document(Base):
    """An issued document: immutable once written; a re-issue supersedes it."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50), index=True)
    number: Mapped[Optional[str]] = mapped_column(String(100), index=True)
    year: Mapped[int] = mapped_column(Integer)
    organisation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisations.id"), index=True)
    subject_type: Mapped[Optional[str]] = mapped_column(String(50))
    subject_id: Mapped[Optional[int]] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(10))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    context: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="issued")
    supersedes_id: Mapped[Optional[int]] = mapped_column(ForeignKey("documents.id"))
    issued_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = _ts()


class BatchJob(Base):
    __tablename__ = "batch_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    state: Mapped[str] = mapped_column(String(20), default="queued")
    executor: Mapped[str] = mapped_column(String(20), default="local")
    roster_sha256: Mapped[str] = mapped_column(String(64))
    roster_name: Mapped[str] = mapped_column(String(255), default="")
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    # roster + content options: the certificates one print run numbers (see service/batch/state.py)
    numbering_key: Mapped[Optional[str]] = mapped_column(String(64), index=True)
    # a reprint with other outputs: the job whose numbers it prints
    numbers_from_id: Mapped[Optional[int]] = mapped_column(ForeignKey("batch_jobs.id"))
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list] = mapped_column(JSON, default=list)
    outputs: Mapped[list] = mapped_column(JSON, default=list)
    organisation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisations.id"))
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = _ts()
    started_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = _ts(onupdate=utcnow)


class BatchChunk(Base):
    __tablename__ = "batch_chunks"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("batch_jobs.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    first_row: Mapped[int] = mapped_column(Integer)
    last_row: Mapped[int] = mapped_column(Integer)
    number_first: Mapped[Optional[int]] = mapped_column(Integer)
    number_last: Mapped[Optional[int]] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[Optional[str]] = mapped_column(String(100))
    started_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    # renewed by the holding worker's heartbeat; once past, any worker may take the chunk over
    lease_until: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    outputs: Mapped[dict] = mapped_column(JSON, default=dict)

    __table_args__ = (UniqueConstraint("job_id", "seq"),)


class Certificate(Base):
    """A numbered 荣誉证书 or 党员证, as /verify/<number> reports it."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    number: Mapped[str] = mapped_column(String(50), unique=True)
    holder_name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisations.id"), index=True)
    job_id: Mapped[Optional[int]] = mapped_column(ForeignKey("batch_jobs.id"), index=True)
    document_id: Mapped[Optional[int]] = mapped_column(ForeignKey("documents.id"))
    status: Mapped[str] = mapped_column(String(20), default="valid")
    issued_on: Mapped[Optional[date]] = mapped_column(Date)
    revoked_on: Mapped[Optional[date]] = mapped_column(Date)
    revoke_reason: Mapped[Optional[str]] = mapped_column(Text)
    #: 党员证: 入党时间 from the batch roster (ISO date or YYYY-MM), so that a card rendered on its
    #: own carries it (there is no member table)
    joined_on: Mapped[Optional[str]] = mapped_column(String(10))


class AuditLog(Base):
    """Append-only: the migration installs triggers that refuse UPDATE and DELETE."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = _ts(index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisations.id"), index=True)
    action: Mapped[str] = mapped_column(String(50))
    object_type: Mapped[Optional[str]] = mapped_column(String(50))
    object_id: Mapped[Optional[int]] = mapped_column(Integer)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class TextFingerprint(Base):
    """One winnowed fingerprint of a report's or plan's text (service/checks/copies.py).

    About 380 rows per 2,500-character report; looked up by hash to find the other texts that share
    a passage, so one check against 10,000 stored reports is one indexed query.
    """

    __tablename__ = "text_fingerprints"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(Integer)
    hash: Mapped[int] = mapped_column(BigInteger, index=True)
    position: Mapped[int] = mapped_column(Integer)


class TextHashCount(Base):
    """How many stored fingerprints carry each hash: read before the postings, so that a hash every
    report shares (a slogan) costs one primary-key lookup, not thousands of rows."""

    __tablename__ = "text_hash_counts"

    hash: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    postings: Mapped[int] = mapped_column(Integer, default=0)


class IdempotencyKey(Base):
    """What the first request with a client's ``Idempotency-Key`` produced (issue 16: an upload
    retried after a lost response was stored twice). A retry with the same key and the same
    content gets the same answer; the same key with other content is refused."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    scope: Mapped[str] = mapped_column(String(40))  # "upload"
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of what the request asked for
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = _ts()


class RectificationNote(Base):
    """A progress note on a 整改工作台账 row, optionally with one evidence file (FileStore digest).

    Notes are only ever added: the row's ``progress`` column is the latest note's text, the notes
    keep the history a 销号 rests on (JH-5: progress reported every quarter)."""

    __tablename__ = "rectification_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("rectification_items.id"), index=True)
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    written_on: Mapped[date] = mapped_column(Date)
    body: Mapped[str] = mapped_column(Text, default="")
    evidence_sha256: Mapped[Optional[str]] = mapped_column(String(64))
    evidence_name: Mapped[str] = mapped_column(String(200), default="")
    evidence_size: Mapped[Optional[int]] = mapped_column(Integer)
    created_at: Mapped[datetime] = _ts()


class IssuingOrgan(Base):
    """The organ that signs a committee's 公文: its 发文机关标志, 机关代字 and 署名.

    One per committee-level organisation (the 工委, the 区委组织部 for the 区委); its 发文 register
    is one sequence per year across every 公文 kind (service/register.py).
    """

    __tablename__ = "issuing_organs"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), unique=True)
    mark: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(20), unique=True)
    signature: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = _ts(onupdate=utcnow)


class RegisterEntry(Base):
    """One line of the 发文 register: a number used once; 作废 keeps it used, with the reason.

    The unique (organ, year, seq) is the database's own guarantee that no two 公文 of an organ
    share a number in a year, whatever the code above it does.
    """

    __tablename__ = "register_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    organ_id: Mapped[int] = mapped_column(ForeignKey("issuing_organs.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(50))
    addressee: Mapped[str] = mapped_column(String(300), default="")
    organisation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisations.id"), index=True)
    issued_on: Mapped[date] = mapped_column(Date)
    signer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    signer_name: Mapped[str] = mapped_column(String(100), default="")
    document_id: Mapped[Optional[int]] = mapped_column(ForeignKey("documents.id"))
    status: Mapped[str] = mapped_column(String(20), default="issued")
    withdrawn_reason: Mapped[Optional[str]] = mapped_column(Text)
    withdrawn_on: Mapped[Optional[date]] = mapped_column(Date)
    created_at: Mapped[datetime] = _ts()

    __table_args__ = (UniqueConstraint("organ_id", "year", "seq"),)


# --- communities (SQ-1 … SQ-3) -------------------------------------------------------------

class StreetUnit(Base):
    """A community or a unit in a street's area that should have a party organisation (SQ-1 两类组织).

    ``organisation_id`` is the party organisation set up for it (``set_up_on``); a unit that need not
    have one has ``required`` false. For a community, ``venue_on`` / ``funds_on`` are the days its
    活动有阵地 and 办公有经费 were found in place (None: not yet)."""

    __tablename__ = "street_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    street_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20))
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    organisation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisations.id"), index=True)
    set_up_on: Mapped[Optional[date]] = mapped_column(Date)
    venue_on: Mapped[Optional[date]] = mapped_column(Date)
    funds_on: Mapped[Optional[date]] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = _ts()

    __table_args__ = (UniqueConstraint("street_id", "name"),)


class Brand(Base):
    """A 党建品牌 (SQ-3): 培育项目 → 登记 → 逐级审核 → 考核评比 → 命名 → 跟踪督查."""

    __tablename__ = "brands"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    street_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[str] = mapped_column(String(20), default="cultivating")
    #: the organisation whose decision it awaits while it is forwarded
    level_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisations.id"))
    form_submission_id: Mapped[Optional[int]] = mapped_column(ForeignKey("submissions.id"))
    materials_submission_id: Mapped[Optional[int]] = mapped_column(ForeignKey("submissions.id"))
    started_on: Mapped[Optional[date]] = mapped_column(Date)
    registered_on: Mapped[Optional[date]] = mapped_column(Date)
    year: Mapped[Optional[int]] = mapped_column(Integer)
    named_on: Mapped[Optional[date]] = mapped_column(Date)
    decision_number: Mapped[Optional[str]] = mapped_column(String(100))
    revoked_on: Mapped[Optional[date]] = mapped_column(Date)
    revoke_reason: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = _ts()

    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])


class BrandEvent(Base):
    """One step of a brand's history: registered, approved or returned at a level (with comments),
    named, followed up, revoked."""

    __tablename__ = "brand_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), index=True)
    organisation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisations.id"))
    action: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    year: Mapped[Optional[int]] = mapped_column(Integer)
    happened_on: Mapped[date] = mapped_column(Date)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = _ts()


class BrandScore(Base):
    """One reviewer's scores of a brand in the street's 拉练式考核评比 (items of the brand rubric)."""

    __tablename__ = "brand_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    year: Mapped[int] = mapped_column(Integer)
    scores: Mapped[dict] = mapped_column(JSON, default=dict)
    total: Mapped[float] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = _ts()

    __table_args__ = (UniqueConstraint("brand_id", "reviewer_id", "year"),)


class BrandPair(Base):
    """共建对子: a named brand's unit paired with a 后进 organisation; ``results`` {year: 年度成效}."""

    __tablename__ = "brand_pairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    plan: Mapped[str] = mapped_column(Text, default="")
    started_on: Mapped[date] = mapped_column(Date)
    results: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = _ts()

    __table_args__ = (UniqueConstraint("brand_id", "partner_id"),)


class PairActivity(Base):
    """An activity of a 共建对子, with its date and an evidence file (FileStore digest)."""

    __tablename__ = "pair_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("brand_pairs.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    evidence_sha256: Mapped[Optional[str]] = mapped_column(String(64))
    evidence_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = _ts()


class ModelSite(Base):
    """A 精品示范点 (SQ-1): the criteria it meets (keys of the community rules) and its evidence."""

    __tablename__ = "model_sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    criteria: Mapped[list] = mapped_column(JSON, default=list)
    recognised_on: Mapped[date] = mapped_column(Date)
    evidence_sha256: Mapped[Optional[str]] = mapped_column(String(64))
    evidence_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = _ts()


class NewMember(Base):
    """A 新发展党员 (SQ-1): who, in which branch, admitted when, with evidence."""

    __tablename__ = "new_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    admitted_on: Mapped[date] = mapped_column(Date)
    evidence_sha256: Mapped[Optional[str]] = mapped_column(String(64))
    evidence_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = _ts()


# --- the district's management layer (JH-4..JH-6): records a 区委组织部 clerk keeps -----------------


class DistrictPerson(Base):
    """A district leader, a county-level leader or a committee secretary: a record, not a user account.

    ``organisation_id`` is the committee (区委) that keeps the record: its reviewers see it."""

    __tablename__ = "district_people"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    rank: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = _ts()


class LeaderAssignment(Base):
    """挂点包保 (a leader in charge of a 相对后进 branch) or 创建联系点 (a leader's contact branch) for a year."""

    __tablename__ = "leader_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("district_people.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    assigned_on: Mapped[Optional[date]] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = _ts()

    person: Mapped[DistrictPerson] = relationship()

    __table_args__ = (UniqueConstraint("person_id", "organisation_id", "kind", "year"),)


class LeaderVisit(Base):
    """A leader's visit to an assigned branch: what was found, the follow-up, the ledger rows it opened."""

    __tablename__ = "leader_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("leader_assignments.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    found: Mapped[str] = mapped_column(Text, default="")
    follow_up: Mapped[str] = mapped_column(Text, default="")
    ledger_item_ids: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = _ts()


class SupervisionGroup(Base):
    """A 督导组 (JH-5): members, the 党委 it covers, its 督导清单 (check list) as data."""

    __tablename__ = "supervision_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    leader: Mapped[str] = mapped_column(String(100), default="")
    members: Mapped[list] = mapped_column(JSON, default=list)
    committee_ids: Mapped[list] = mapped_column(JSON, default=list)
    checklist: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = _ts()

    __table_args__ = (UniqueConstraint("organisation_id", "name"),)


class Inspection(Base):
    """A 督导组's 定点监测 / 实地检查 / 随机抽查 of a branch: answers to the check list, findings
    (each ``{"text", "ledger_item_id"}``: a finding opens a ledger row in one step)."""

    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("supervision_groups.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    inspected_on: Mapped[date] = mapped_column(Date)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    findings: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = _ts()


class PartyDay(Base):
    """A branch's monthly 主题党日 (JH-6: fixed on the 8th): date, topic, attendance, 党费, the reason
    the branch gave for another day."""

    __tablename__ = "party_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    held_on: Mapped[date] = mapped_column(Date)
    topic: Mapped[str] = mapped_column(String(300), default="")
    expected: Mapped[Optional[int]] = mapped_column(Integer)
    attended: Mapped[int] = mapped_column(Integer, default=0)
    attendees: Mapped[list] = mapped_column(JSON, default=list)
    dues_collected: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = _ts()

    __table_args__ = (UniqueConstraint("organisation_id", "year", "month"),)


# --- 两册一证 纪实 (JH-6): the members behind the 党员证, the two registers, 纪实, 抽查 ---------------------


class PartyMember(Base):
    """A party member of a branch, as the 党员证 batch numbered them (or a clerk entered them).

    A 党员证 batch upserts its roster rows here in the transaction that commits the chunk's cards
    (service/batch/members.py): the card number is unique, so a resumed chunk finds its members."""

    __tablename__ = "party_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    gender: Mapped[str] = mapped_column(String(10), default="")
    id_number: Mapped[Optional[str]] = mapped_column(String(30), unique=True)
    #: 入党时间 as the roster gave it (ISO date or YYYY-MM, like Certificate.joined_on)
    joined_on: Mapped[Optional[str]] = mapped_column(String(10))
    card_number: Mapped[Optional[str]] = mapped_column(String(50), unique=True)
    card_job_id: Mapped[Optional[int]] = mapped_column(ForeignKey("batch_jobs.id"))
    phone: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime] = _ts()
    updated_at: Mapped[datetime] = _ts(onupdate=utcnow)


class HandbookIssue(Base):
    """A line of a distribution register: a 《党支部工作手册》 to a branch or a 《党员学习手册》 to a member."""

    __tablename__ = "handbook_issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    member_id: Mapped[Optional[int]] = mapped_column(ForeignKey("party_members.id"), index=True)
    number: Mapped[str] = mapped_column(String(50))
    given_on: Mapped[date] = mapped_column(Date)
    received_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = _ts()

    __table_args__ = (UniqueConstraint("kind", "number"),)


class MemberRecord(Base):
    """纪实: a member's 党费 of a month (amount or paid yes/no) or an activity attended (may be the
    branch's 主题党日 record)."""

    __tablename__ = "member_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("party_members.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    happened_on: Mapped[Optional[date]] = mapped_column(Date)
    amount_cents: Mapped[Optional[int]] = mapped_column(Integer)
    paid: Mapped[bool] = mapped_column(Boolean, default=True)
    what: Mapped[str] = mapped_column(String(300), default="")
    party_day_id: Mapped[Optional[int]] = mapped_column(ForeignKey("party_days.id"))
    created_at: Mapped[datetime] = _ts()


class SpotCheck(Base):
    """A 抽查 of a branch's 两册一证: the items looked at, the result, problems (each
    ``{"text", "ledger_item_id"}``: one click opens a ledger row, as inspections do)."""

    __tablename__ = "spot_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    checked_on: Mapped[date] = mapped_column(Date)
    checker: Mapped[str] = mapped_column(String(100))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    outcome: Mapped[str] = mapped_column(String(20))
    problems: Mapped[list] = mapped_column(JSON, default=list)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = _ts()



class SecretaryProject(Base):
    """书记项目 (JH-5): the one project of a year a 党委（工委） secretary runs, with its four required outputs
    (:class:`ProjectMilestone`). ``organisation_id`` is the 党委 (its reviewers above see it)."""

    __tablename__ = "secretary_projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    person_id: Mapped[Optional[int]] = mapped_column(ForeignKey("district_people.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = _ts()

    __table_args__ = (UniqueConstraint("organisation_id", "year"),)


class ProjectMilestone(Base):
    """One of a project's four outputs (解决一个问题、形成一个报告、创造一条经验、打造一个标杆): status, date, note,
    evidence files kept in the FileStore (``[{"sha256", "name", "size", "added_on"}]``)."""

    __tablename__ = "project_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("secretary_projects.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="planned")
    done_on: Mapped[Optional[date]] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[list] = mapped_column(JSON, default=list)

    __table_args__ = (UniqueConstraint("project_id", "kind"),)


class TrainingTopic(Base):
    """A training topic (JH-5: 12 of them) kept by a committee (区委)."""

    __tablename__ = "training_topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = _ts()

    __table_args__ = (UniqueConstraint("organisation_id", "name"),)


class TrainingClass(Base):
    """A class of a topic (JH-5: 25 of them): date, place, capacity; kept by the topic's committee."""

    __tablename__ = "training_classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("training_topics.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200), default="")
    capacity: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = _ts()


class TrainingEnrolment(Base):
    """A branch secretary enrolled in a class (``organisation_id``: the branch; ``secretary``: the name
    enrolled or signed in), and whether they attended (from the sign-in sheet)."""

    __tablename__ = "training_enrolments"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_classes.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    secretary: Mapped[str] = mapped_column(String(100), default="")
    attended: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = _ts()

    __table_args__ = (UniqueConstraint("class_id", "organisation_id"),)


class UserSession(Base):
    """A signed-in browser (issue 16.5): the cookie carries only this row's key, so signing out,
    a password change or an admin's reset ends it on the server, whatever copy of the cookie exists."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    address: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = _ts()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A bearer token for the API: only its hash is kept; it expires, carries scopes (read / write)
    and is revoked by its owner, by an admin, and by every password change or reset."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(12), default="")  # the first characters, to tell tokens apart
    scopes: Mapped[str] = mapped_column(String(40), default="read,write")
    created_at: Mapped[datetime] = _ts()
    expires_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))


class LoginThrottle(Base):
    """Failed sign-ins per key ("a:<address>" or "u:<user>|<address>"), shared by every process
    (the Redis store replaces this table when configured)."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    blocked_until: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))


class Message(Base):
    """An in-app message to one user (站内消息): made by an event (a return, a notice, a finished
    batch, a deadline coming up); ``dedupe`` keeps the daily reminder from saying the same twice."""

    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("user_id", "dedupe"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(300), default="")
    dedupe: Mapped[Optional[str]] = mapped_column(String(200))
    created_at: Mapped[datetime] = _ts(index=True)
    read_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    emailed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
