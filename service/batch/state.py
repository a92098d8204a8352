"""Job state in the database: creating a job, leasing its chunks, finishing and cancelling.

A job is a sorted roster cut into chunks (``BatchChunk``) plus one final unit
(``seq = -1``: merged volumes, register, ZIPs).  Any worker, local process or Celery task,
takes a unit with a conditional UPDATE and holds it by a *lease* (``lease_until``) that its
heartbeat renews every third of ``batch_lease_seconds``.  A unit whose lease ran out belongs
to a dead or stalled worker and may be taken by the next one; every write that finishes a
unit is conditional on still holding it, so a stalled worker that wakes up late changes
nothing.  Liveness is a fact in the database, never a PID: a zombie, a reused PID or a
worker on another machine look the same.

Two keys tell jobs apart:

* ``numbering_key`` — kind, roster bytes, issuing organisation and the options that change
  what is printed (issuer, date, year, title…; defaults such as today's date are left out,
  so the same roster sent next week is the same print run).  The certificates of one
  numbering key get their numbers once.
* ``idempotency_key`` — the numbering key plus the requested outputs and volume size.  The
  same request again returns the same job; the same roster with other outputs is a new job
  that prints the numbers already issued ("reprint", ``options.numbers_from``) and issues
  none.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import socket
import uuid
from dataclasses import dataclass

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from service import inbox, numbering, register
from service.documents.contexts import HONOUR_STATES
from service.documents.programmes import programme_for
from service.config import Settings
from service.db import release as release_reads, session_scope
from service.models import BatchChunk, BatchJob, CreationCycle, Organisation
from service.storage import FileStore
from service.vocabulary import CERTIFICATE_KINDS, CYCLE_STATES, DOCUMENT_KINDS

from .roster import OrgIndex, Roster, RosterError, RowError, parse_roster

KIND_TITLES = {k: DOCUMENT_KINDS[k] for k in CERTIFICATE_KINDS}
ALL_OUTPUTS = ("merged", "register", "pdf", "docx", "zip")
DEFAULT_OUTPUTS = ("merged", "register", "pdf", "zip")
OUTPUT_NAMES = {"merged": "合并打印", "register": "登记造册", "pdf": "单份 PDF", "docx": "单份 DOCX",
                "zip": "按支部打包"}
STATE_NAMES = {"queued": "排队中", "running": "生成中", "done": "已完成", "failed": "失败", "cancelled": "已取消"}
ACTIVE = ("queued", "running")
FINAL_SEQ = -1


class OptionError(ValueError):
    """An option of a batch request does not fit its contract (message in Chinese)."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


class NumbersPending(Exception):
    """Other outputs were asked of a roster whose numbers are still being issued."""

    def __init__(self, job_id: int, state: str):
        super().__init__(f"同一名册的任务 #{job_id} 尚未完成（{STATE_NAMES.get(state, state)}），"
                         "编号发完后才能以其他输出再次生成。")
        self.job_id = job_id


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives naive datetimes back; every time here is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value


def new_worker_name() -> str:
    """A name no other worker ever had (host and PID only help a reader of the table)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


# ----------------------------------------------------------------------------- options
def _int(o: dict, key: str, default: int, low: int, high: int) -> int:
    value = o.get(key)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise OptionError(f"{key} 应为整数。", key) from None
    if not low <= number <= high:
        raise OptionError(f"{key} 应在 {low} 到 {high} 之间。", key)
    return number


def normalise_options(kind: str, options: dict | None, today: dt.date | None = None) -> dict:
    o = dict(options or {})
    outputs = o.get("outputs") or list(DEFAULT_OUTPUTS)
    if isinstance(outputs, str):
        outputs = [p.strip() for p in outputs.replace("，", ",").split(",") if p.strip()]
    bad = [str(x) for x in outputs if x not in ALL_OUTPUTS]
    if bad:
        raise OptionError(f"未知的输出类型：{'、'.join(bad)}（可选：{'、'.join(ALL_OUTPUTS)}）", "outputs")
    if "zip" in outputs and "pdf" not in outputs and "docx" not in outputs:
        outputs = list(outputs) + ["pdf"]
    today = today or dt.date.today()
    issued_on = str(o.get("issued_on") or today.isoformat())
    try:
        dt.date.fromisoformat(issued_on[:10])
    except ValueError:
        raise OptionError(f"发证日期无法识别：{issued_on}（应为 YYYY-MM-DD）", "issued_on") from None
    try:
        offset = [float(v) for v in (o.get("offset_mm") or (0.0, 0.0))][:2]
    except (TypeError, ValueError):
        raise OptionError("套打偏移应为两个数（毫米）。", "offset_mm") from None
    out = {
        "outputs": [x for x in ALL_OUTPUTS if x in outputs],
        "chunk_size": _int(o, "chunk_size", 500, 1, 100_000),
        "volume_size": _int(o, "volume_size", 1000, 1, 100_000),
        "year": _int(o, "year", today.year, 2000, 2100),
        "issued_on": issued_on,
        "issuer": str(o.get("issuer") or ""),
        "overprint": bool(o.get("overprint") or False),
        "offset_mm": offset,
        "serial_width": _int(o, "serial_width", 4, 3, 8),
    }
    if kind == "honor-certificate":
        start = out["year"]
        out["title"] = str(o.get("title") or "市直机关五好党支部")
        out["term"] = str(o.get("term") or f"{start}—{start + 4}")
        out["prefix"] = str(o.get("prefix") or "WH")
    return out


# options that change what is printed; outputs and sizes do not (see the module docstring)
_CONTENT_OPTIONS = ("issued_on", "issuer", "year", "title", "term", "prefix", "serial_width", "overprint",
                    "offset_mm")


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def job_keys(kind: str, roster_sha: str, options: dict | None, normalised: dict,
             organisation_id: int | None) -> tuple[str, str]:
    """(idempotency key, numbering key) of a request; see the module docstring."""
    given = {k: v for k, v in (options or {}).items() if k in _CONTENT_OPTIONS and v not in (None, "", [], False)}
    numbering_key = _digest({"kind": kind, "roster": roster_sha, "options": given, "org": organisation_id})
    job_key = _digest({"numbering": numbering_key, "outputs": normalised["outputs"],
                       "volume_size": normalised["volume_size"] if "merged" in normalised["outputs"] else None})
    return job_key, numbering_key


def plan_chunks(n: int, chunk_size: int) -> list[tuple[int, int]]:
    return [(i, min(i + chunk_size, n) - 1) for i in range(0, n, chunk_size)]


# ----------------------------------------------------------------------------- creating
def create_job(session: Session, store: FileStore, roster_bytes: bytes, roster_name: str, kind: str,
               options: dict | None = None, *, executor: str = "local", created_by_id: int | None = None,
               organisation_id: int | None = None) -> tuple[BatchJob, bool]:
    """The job for this request, created in ``session`` (flushed, not committed): (job, created).

    Raises :class:`RosterError` (every bad row, with row numbers) or :class:`OptionError` before
    anything is written, and :class:`NumbersPending` for other outputs of an unfinished print run.
    The same request again returns the existing job, a failed or cancelled one queued again.
    """
    opts, roster_sha, job_key, numbering_key, existing, source = _match(session, roster_bytes, kind, options,
                                                                        organisation_id)
    if existing is not None:
        requeue(session, existing)
        return existing, False
    if source is not None:
        rows_sha, total = source.options["rows_sha256"], source.total
        extra = {k: source.options[k] for k in ("encoding", "columns") if k in source.options}
        # the reprint prints what the first job printed: its content options, its rows
        opts.update({k: source.options[k] for k in _CONTENT_OPTIONS if k in source.options})
        opts.update({k: source.options[k] for k in ("title", "term", "prefix") if k in source.options})
    else:
        roster = _checked_roster(session, roster_bytes, roster_name, kind, opts, options, organisation_id)
        store.put_bytes(roster_bytes)
        rows = [{"row": r.row, "values": r.values, "organisation_id": r.organisation_id,
                 "organisation_path": r.organisation_path, "scope": r.scope} for r in roster.rows]
        rows_sha = store.put_bytes(json.dumps(rows, ensure_ascii=False).encode())
        total = len(rows)
        extra = {"encoding": roster.encoding, "columns": roster.columns}
    job = BatchJob(kind=kind, state="queued", executor=executor, roster_sha256=roster_sha,
                   roster_name=roster_name[:255], idempotency_key=job_key, numbering_key=numbering_key,
                   numbers_from_id=source.id if source is not None else None,
                   options=dict(opts, rows_sha256=rows_sha, **extra),
                   total=total, done=0, failed=0, errors=[], outputs=[],
                   created_by_id=created_by_id, organisation_id=organisation_id)
    session.add(job)
    session.flush()
    for seq, (first, last) in enumerate(plan_chunks(total, opts["chunk_size"])):
        session.add(BatchChunk(job_id=job.id, seq=seq, first_row=first, last_row=last, state="pending",
                               attempts=0, outputs={}))
    session.add(BatchChunk(job_id=job.id, seq=FINAL_SEQ, first_row=0, last_row=-1, state="pending",
                           attempts=0, outputs={}))
    session.flush()
    return job, True


def _checked_roster(session: Session, roster_bytes: bytes, roster_name: str, kind: str, opts: dict,
                    options: dict | None, organisation_id: int | None) -> Roster:
    """The roster read and checked (rows, capacity, honour titles); :class:`RosterError` with every bad row."""
    orgs = OrgIndex.from_session(session, organisation_id)
    try:  # parse without holding SQLite's write lock (33,000 rows take seconds)
        release_reads(session)
    except RuntimeError:
        pass  # the caller has written in this transaction: it keeps it
    roster = parse_roster(roster_bytes, roster_name, kind, orgs)
    if roster.errors:
        raise RosterError(roster.errors)
    capacity_errors = _check_capacity(session, kind, opts, roster)
    if capacity_errors:
        raise RosterError(capacity_errors)
    if kind == "honor-certificate":
        title_errors = _honour_rows(session, roster, options or {})
        if title_errors:
            raise RosterError(title_errors)
    return roster


def preview_job(session: Session, roster_bytes: bytes, roster_name: str, kind: str, options: dict | None = None,
                *, organisation_id: int | None = None) -> dict:
    """What :func:`create_job` would do with this request, writing nothing: {total, same_as, reprint_of} and,
    for new numbers, ``scopes`` (numbering scope -> certificates) and the normalised ``options`` —
    ``same_as`` the job this very request made before, ``reprint_of`` the job whose numbers a reprint keeps
    (else new numbers are taken). Raises what :func:`create_job` raises."""
    opts, _sha, _job_key, _numbering_key, existing, source = _match(session, roster_bytes, kind, options,
                                                                    organisation_id)
    if existing is not None:
        return {"total": existing.total, "same_as": existing.id, "reprint_of": existing.numbers_from_id}
    if source is not None:
        return {"total": source.total, "same_as": None, "reprint_of": source.id}
    roster = _checked_roster(session, roster_bytes, roster_name, kind, opts, options, organisation_id)
    return {"total": len(roster.rows), "same_as": None, "reprint_of": None, "options": opts,
            "scopes": scope_counts(kind, [{"scope": r.scope} for r in roster.rows])}


def _match(session: Session, roster_bytes: bytes, kind: str, options: dict | None, organisation_id: int | None):
    """What a request matches before anything is written, for :func:`create_job` and :func:`preview_job`:
    ``(opts, roster_sha, job_key, numbering_key, existing, source)`` — ``existing`` the job this very request
    made before, else ``source`` the finished job whose numbers a reprint keeps (:class:`NumbersPending` while
    it is unfinished), else both None."""
    if kind not in KIND_TITLES:
        raise OptionError(f"未知的证书类型：{kind}", "kind")
    opts = normalise_options(kind, options)
    roster_sha = hashlib.sha256(roster_bytes).hexdigest()
    job_key, numbering_key = job_keys(kind, roster_sha, options, opts, organisation_id)
    existing = session.execute(select(BatchJob).where(BatchJob.idempotency_key == job_key)).scalar_one_or_none()
    source = None
    if existing is None:
        source = session.execute(select(BatchJob).where(BatchJob.numbering_key == numbering_key,
                                                        BatchJob.numbers_from_id.is_(None))
                                 .order_by(BatchJob.id).limit(1)).scalar_one_or_none()
        if source is not None and source.state != "done":
            raise NumbersPending(source.id, source.state)
    return opts, roster_sha, job_key, numbering_key, existing, source


def requeue(session: Session, job: BatchJob) -> bool:
    """Queue a failed or cancelled job again; it resumes where it stopped (numbers kept)."""
    if job.state not in ("failed", "cancelled"):
        return False
    job.state = "queued"
    job.finished_at = None
    job.errors = []
    session.execute(update(BatchChunk).where(BatchChunk.job_id == job.id, BatchChunk.state.in_(("failed", "running")))
                    .values(state="pending", worker=None, lease_until=None))
    session.flush()
    return True


def seq_kind(kind: str) -> str:
    """The numbering sequence of a certificate kind."""
    return "party-card" if kind == "party-card" else "honor-certificate"


def number_scope(kind: str, row: dict) -> str:
    """党员证 numbers run per county + committee scope; 荣誉证书 numbers per year only."""
    return row["scope"] if kind == "party-card" else ""


def sequence_year(kind: str, opts: dict) -> int:
    """The year of a kind's numbering sequence: 党员证 numbers run across years (0), 荣誉证书 per year."""
    return 0 if kind == "party-card" else opts["year"]


def scope_counts(kind: str, rows: list[dict]) -> dict[str, int]:
    """How many numbers each numbering scope takes for ``rows``, in the rows' order."""
    counts: dict[str, int] = {}
    for r in rows:
        scope = number_scope(kind, r)
        counts[scope] = counts.get(scope, 0) + 1
    return counts


def _honour_rows(s: Session, roster: Roster, given: dict) -> list[RowError]:
    """A 荣誉证书 only for a branch whose title stands (its current cycle in 表彰 or 届期内): a batch
    gave a 6-member branch that was never declared or commended a 有效 certificate.  Each row's
    发证机关 (unless the batch names one) is its committee's issuing organ (the 署名 of the 发文
    register), and its title (unless given) the committee's programme's (静海区委: 五好党支部)."""
    ids = {r.organisation_id for r in roster.rows if r.organisation_id is not None}
    cycles: dict[int, CreationCycle] = {}
    for c in s.execute(select(CreationCycle).where(CreationCycle.organisation_id.in_(ids or {-1}))
                       .order_by(CreationCycle.id)).scalars():
        cycles[c.organisation_id] = c  # the newest cycle of each branch
    errors, organs = [], {}
    column = roster.columns.get("branch_name")
    for r in roster.rows:
        cycle = cycles.get(r.organisation_id) if r.organisation_id is not None else None
        if cycle is None or cycle.state not in HONOUR_STATES:
            now = "未参加创建" if cycle is None else f"当前为“{CYCLE_STATES.get(cycle.state, cycle.state)}”"
            errors.append(RowError(r.row, f"{r.values.get('branch_name')}{now}，不在表彰或届期内，"
                                          "不能颁发荣誉证书", column))
            continue
        if r.organisation_id not in organs:
            organ = register.organ_of(s, r.organisation_id, create=False)
            committee = s.get(Organisation, organ.organisation_id) if organ is not None else None
            organs[r.organisation_id] = (organ.signature if organ is not None else "",
                                         programme_for(committee.name if committee else "")["honour"].strip("“”"))
        issuer, title = organs[r.organisation_id]
        if not str(given.get("issuer") or "").strip() and not r.values.get("issuer"):
            r.values["issuer"] = issuer
        if not str(given.get("title") or "").strip() and not r.values.get("title"):
            r.values["title"] = title
    return errors


def _check_capacity(s: Session, kind: str, opts: dict, roster: Roster) -> list[RowError]:
    """Refuse a roster whose numbers would not fit the configured serial width."""
    counts = scope_counts(kind, [{"scope": r.scope} for r in roster.rows])
    year = sequence_year(kind, opts)
    limit = 10 ** opts["serial_width"] - 1
    errors = []
    for scope, n in counts.items():
        used = numbering.peek(s, seq_kind(kind), year, scope)
        if used + n > limit:
            where = f"编号段 {scope}" if scope else f"{year} 年的证书编号"
            errors.append(RowError(1, f"{where}容量不足：已发 {used} 个，本次 {n} 个，"
                                      f"{opts['serial_width']} 位序号最多 {limit} 个（可调整序号位数 serial_width）"))
    return errors


# ----------------------------------------------------------------------------- leases
@dataclass(frozen=True)
class Unit:
    chunk_id: int
    seq: int

    @property
    def final(self) -> bool:
        return self.seq == FINAL_SEQ


def claim(settings: Settings, job_id: int, worker: str) -> Unit | None:
    """Lease one unit of the job: a pending chunk or one whose lease ran out; the final unit
    only once every chunk is done.  ``None``: nothing to take now."""
    now = utcnow()
    lease_until = now + dt.timedelta(seconds=settings.batch_lease_seconds)
    with session_scope(settings.database_url) as s:
        job_state = s.execute(select(BatchJob.state).where(BatchJob.id == job_id)).scalar_one_or_none()
        if job_state not in ACTIVE:
            return None
        rows = s.execute(select(BatchChunk.id, BatchChunk.seq, BatchChunk.state, BatchChunk.worker,
                                BatchChunk.lease_until)
                         .where(BatchChunk.job_id == job_id).order_by(BatchChunk.seq)).all()
        if rows and all(r.state == "done" for r in rows):  # finished while it was cancelled, then resumed
            if s.execute(update(BatchJob).where(BatchJob.id == job_id, BatchJob.state.in_(ACTIVE))
                         .values(state="done", finished_at=now)).rowcount == 1:
                inbox.batch_finished(s, job_id)
            return None
        regular = [r for r in rows if r.seq != FINAL_SEQ]

        def takeable(r) -> bool:
            return r.state == "pending" or (r.state == "running" and (aware(r.lease_until) or now) <= now)

        candidates = [r for r in regular if takeable(r)]
        if not candidates and all(r.state == "done" for r in regular):
            candidates = [r for r in rows if r.seq == FINAL_SEQ and takeable(r)]
        for r in candidates:
            if r.state == "pending":
                still = (BatchChunk.state == "pending",)
            else:  # take over only what is still expired (the holder may have renewed meanwhile)
                still = (BatchChunk.state == "running", BatchChunk.worker == r.worker,
                         or_(BatchChunk.lease_until.is_(None), BatchChunk.lease_until <= now))
            res = s.execute(update(BatchChunk).where(BatchChunk.id == r.id, *still)
                            .values(state="running", worker=worker, started_at=now, lease_until=lease_until,
                                    attempts=BatchChunk.attempts + 1))
            if res.rowcount == 1:
                s.execute(update(BatchJob).where(BatchJob.id == job_id, BatchJob.state == "queued")
                          .values(state="running", started_at=func.coalesce(BatchJob.started_at, now)))
                return Unit(r.id, r.seq)
        return None


def seconds_to_next_expiry(settings: Settings, job_id: int) -> float | None:
    """How long until a unit held by another worker may be taken over; ``None`` when the job
    has nothing left running (finished, cancelled, or everything pending was taken)."""
    with session_scope(settings.database_url) as s:
        job_state = s.execute(select(BatchJob.state).where(BatchJob.id == job_id)).scalar_one_or_none()
        if job_state not in ACTIVE:
            return None
        first = s.execute(select(func.min(BatchChunk.lease_until))
                          .where(BatchChunk.job_id == job_id, BatchChunk.state == "running")).scalar_one_or_none()
    if first is None:
        return None
    return max(0.0, (aware(first) - utcnow()).total_seconds())


def renew(settings: Settings, chunk_id: int, worker: str) -> str | None:
    """Extend the lease; return the job's state, or ``None`` when the unit is no longer ours."""
    lease_until = utcnow() + dt.timedelta(seconds=settings.batch_lease_seconds)
    with session_scope(settings.database_url) as s:
        res = s.execute(update(BatchChunk).where(BatchChunk.id == chunk_id, BatchChunk.worker == worker,
                                                 BatchChunk.state == "running")
                        .values(lease_until=lease_until))
        if res.rowcount != 1:
            return None
        return s.execute(select(BatchJob.state).join(BatchChunk, BatchChunk.job_id == BatchJob.id)
                         .where(BatchChunk.id == chunk_id)).scalar_one()


def held(chunk_id: int, worker: str):
    """The condition of every write that finishes a unit: it is still ours."""
    return (BatchChunk.id == chunk_id, BatchChunk.state == "running", BatchChunk.worker == worker)


def release(settings: Settings, chunk_id: int, worker: str, *, job_id: int, error: str | None = None) -> None:
    """Give a unit back (pending), or with ``error`` mark it and the job failed."""
    with session_scope(settings.database_url) as s:
        res = s.execute(update(BatchChunk).where(*held(chunk_id, worker))
                        .values(state="failed" if error else "pending", lease_until=None,
                                worker=worker if error else None))
        if error and res.rowcount == 1:
            job = s.get(BatchJob, job_id)
            job.errors = list(job.errors or []) + [{"chunk": chunk_id, "error": error[:2000]}]
            job.state = "failed"
            job.finished_at = utcnow()
            s.flush()
            inbox.batch_finished(s, job_id)


def job_kind(settings: Settings, job_id: int) -> str | None:
    """The kind of a job (a certificate kind, or ``ocr``), None when there is no such job."""
    with session_scope(settings.database_url) as s:
        return s.execute(select(BatchJob.kind).where(BatchJob.id == job_id)).scalar_one_or_none()


def job_snapshot(settings: Settings, job_id: int) -> tuple[str, dict, int | None]:
    """(kind, options, numbers_from_id) of a job, read once per unit."""
    with session_scope(settings.database_url) as s:
        job = s.get(BatchJob, job_id)
        return job.kind, dict(job.options), job.numbers_from_id


# ----------------------------------------------------------------------------- reading
def cancel(session: Session, job_id: int) -> bool:
    res = session.execute(update(BatchJob).where(BatchJob.id == job_id, BatchJob.state.in_(ACTIVE))
                          .values(state="cancelled", finished_at=utcnow()))
    return res.rowcount == 1


def status(job: BatchJob) -> dict:
    """The job as plain data (API body and page context)."""
    now = utcnow()
    started = aware(job.started_at)
    end = aware(job.finished_at) or now
    elapsed = (end - started).total_seconds() if started else 0.0
    rate = job.done / elapsed if elapsed > 0 else 0.0
    remaining = max(job.total - job.done, 0)
    eta = remaining / rate if rate > 0 and job.state in ACTIVE else None
    opts = dict(job.options or {})
    return {
        "id": job.id, "kind": job.kind, "kind_name": KIND_TITLES.get(job.kind, job.kind),
        "state": job.state, "state_name": STATE_NAMES.get(job.state, job.state),
        "active": job.state in ACTIVE, "cancellable": job.state in ACTIVE,
        "executor": job.executor, "roster_name": job.roster_name, "roster_sha256": job.roster_sha256,
        "numbers_from": job.numbers_from_id,
        "total": job.total, "done": job.done, "failed": job.failed,
        "percent": (100 * job.done // job.total) if job.total else 100,
        "rate_per_second": round(rate, 1), "eta_seconds": None if eta is None else round(eta, 1),
        "elapsed_seconds": round(elapsed, 1),
        "errors": job.errors or [],
        "outputs": [dict(o, index=i) for i, o in enumerate(job.outputs or [])],
        "options": {k: v for k, v in opts.items() if k not in ("rows_sha256", "columns")},
        "created_at": job.created_at.isoformat() if job.created_at else None,
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


def job_status(settings: Settings, job_id: int) -> dict | None:
    with session_scope(settings.database_url) as s:
        job = s.get(BatchJob, job_id)
        return None if job is None else status(job)


def certificate_files(session: Session, job_id: int) -> dict[str, dict[str, str]]:
    """{number: {"pdf": sha, "docx": sha}} for the job's certificates."""
    out: dict[str, dict[str, str]] = {}
    for co in session.execute(select(BatchChunk.outputs).where(BatchChunk.job_id == job_id,
                                                               BatchChunk.seq != FINAL_SEQ)).scalars():
        for fmt in ("pdf", "docx"):
            for number, sha in ((co or {}).get(fmt) or {}).items():
                out.setdefault(number, {})[fmt] = sha
    return out


def unfinished_jobs(session: Session, executor: str | None = None, *, kind: str | None = None) -> list[tuple[int, str]]:
    """(id, executor) of every queued or running job (of one executor, or all; of one kind, or all)."""
    q = select(BatchJob.id, BatchJob.executor).where(BatchJob.state.in_(ACTIVE)).order_by(BatchJob.id)
    if executor:
        q = q.where(BatchJob.executor == executor)
    if kind:
        q = q.where(BatchJob.kind == kind)
    return [(i, e) for i, e in session.execute(q).all()]


def pending_units(settings: Settings, job_id: int) -> int:
    """Units a new worker could take now or after a lease runs out."""
    with session_scope(settings.database_url) as s:
        return s.execute(select(func.count()).select_from(BatchChunk)
                         .where(BatchChunk.job_id == job_id,
                                or_(BatchChunk.state == "pending", BatchChunk.state == "running"))).scalar_one()
