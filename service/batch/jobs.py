"""Batch jobs: one job model, chunks claimed from the database by any executor.

A job is a sorted roster cut into chunks.  A worker (a local process or a Celery task)
claims a pending chunk with a conditional UPDATE, reserves the chunk's numbers from the
gapless sequences (stored on the chunk, so a retry reuses them), renders its
certificates, and commits the ``Certificate`` rows together with ``state='done'``.  A
worker killed at any point leaves either a pending chunk or a running one with its
numbers recorded; recovery puts it back to pending and the numbers are reused, so every
number is issued exactly once.  The last unit of work (``seq = -1``) builds the merged
print volumes, the register and the per-branch ZIPs.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import pickle
import socket
import tempfile
import zipfile
from dataclasses import dataclass

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from service.db import session_scope
from service.models import BatchChunk, BatchJob, Certificate
from service.storage import FileStore, store_for
from service.vocabulary import CERTIFICATE_KINDS, DEFAULT_PUBLIC_URL, DOCUMENT_KINDS

from .roster import OrgIndex, Roster, RosterError, RowError, parse_date, parse_roster

ALL_OUTPUTS = ("merged", "register", "pdf", "docx", "zip")
DEFAULT_OUTPUTS = ("merged", "register", "pdf", "zip")
FINAL_SEQ = -1
LEASE_SECONDS = 600
CANCEL_CHECK_EVERY = 100
KIND_TITLES = {k: DOCUMENT_KINDS[k] for k in CERTIFICATE_KINDS}


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: str
    public_url: str = DEFAULT_PUBLIC_URL

    @property
    def store(self) -> FileStore:
        return store_for(self.data_dir)

    @classmethod
    def from_config(cls, cfg) -> "Settings":
        return cls(str(cfg["DATABASE_URL"]), str(cfg["WUHAO_DATA_DIR"]),
                   str(cfg.get("WUHAO_PUBLIC_URL") or DEFAULT_PUBLIC_URL))


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# ----------------------------------------------------------------------------- options
def normalise_options(kind: str, options: dict | None) -> dict:
    o = dict(options or {})
    outputs = o.get("outputs") or list(DEFAULT_OUTPUTS)
    if isinstance(outputs, str):
        outputs = [p.strip() for p in outputs.split(",") if p.strip()]
    bad = [x for x in outputs if x not in ALL_OUTPUTS]
    if bad:
        raise ValueError(f"未知的输出类型：{', '.join(bad)}（可选：{', '.join(ALL_OUTPUTS)}）")
    if "zip" in outputs and "pdf" not in outputs and "docx" not in outputs:
        outputs = list(outputs) + ["pdf"]
    today = dt.date.today()
    out = {
        "outputs": [x for x in ALL_OUTPUTS if x in outputs],
        "chunk_size": max(1, int(o.get("chunk_size") or 500)),
        "volume_size": max(1, int(o.get("volume_size") or 1000)),
        "year": int(o.get("year") or today.year),
        "issued_on": str(o.get("issued_on") or today.isoformat()),
        "issuer": str(o.get("issuer") or ""),
        "overprint": bool(o.get("overprint") or False),
        "offset_mm": [float(v) for v in (o.get("offset_mm") or (0.0, 0.0))][:2],
        "serial_width": min(8, max(3, int(o.get("serial_width") or 4))),
    }
    if kind == "honor-certificate":
        start = out["year"]
        out["title"] = str(o.get("title") or "市直机关五好党支部")
        out["term"] = str(o.get("term") or f"{start}—{start + 4}")
        out["prefix"] = str(o.get("prefix") or "WH")
    return out


# options that change what is printed (and so which certificates a roster means); the
# outputs, chunk and volume sizes do not, and defaults (today's date) are not part of it,
# so the same roster sent again next week or with other outputs is the same job.
_CONTENT_OPTIONS = ("issued_on", "issuer", "year", "title", "term", "prefix", "serial_width", "overprint",
                    "offset_mm")


def idempotency_key(kind: str, roster_sha: str, options: dict | None, organisation_id) -> str:
    given = {k: v for k, v in (options or {}).items() if k in _CONTENT_OPTIONS and v not in (None, "", [], False)}
    canon = json.dumps({"kind": kind, "roster": roster_sha, "options": given,
                        "org": organisation_id}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canon.encode()).hexdigest()


# ----------------------------------------------------------------------------- submit
def plan_chunks(n: int, chunk_size: int) -> list[tuple[int, int]]:
    return [(i, min(i + chunk_size, n) - 1) for i in range(0, n, chunk_size)]


def submit(settings: Settings, roster_bytes: bytes, roster_name: str, kind: str, options: dict | None = None,
           *, executor: str = "local", created_by_id: int | None = None,
           organisation_id: int | None = None) -> tuple[int, bool]:
    """Validate the roster and create the job; return (job id, created).

    Raises :class:`RosterError` (every bad row) before anything is created.  The same
    roster, kind and options submitted again return the existing job (a failed or
    cancelled one is queued again and resumes where it stopped).
    """
    if kind not in KIND_TITLES:
        raise RosterError([RowError(1, f"未知的证书类型：{kind}")])
    opts = normalise_options(kind, options)
    store = settings.store
    roster_sha = hashlib.sha256(roster_bytes).hexdigest()
    key = idempotency_key(kind, roster_sha, options, organisation_id)
    with session_scope(settings.database_url) as s:
        existing = s.execute(select(BatchJob).where(BatchJob.idempotency_key == key)).scalar_one_or_none()
        if existing is not None:
            if existing.state in ("failed", "cancelled"):
                existing.state = "queued"
                existing.finished_at = None
                existing.errors = []
                s.execute(update(BatchChunk).where(BatchChunk.job_id == existing.id,
                                                   BatchChunk.state.in_(("failed", "running")))
                          .values(state="pending", worker=None))
            return existing.id, False
        orgs = OrgIndex.from_session(s, organisation_id)
        roster = parse_roster(roster_bytes, roster_name, kind, orgs)
        if roster.errors:
            raise RosterError(roster.errors)
        capacity_errors = _check_capacity(s, kind, opts, roster)
        if capacity_errors:
            raise RosterError(capacity_errors)
        store.put_bytes(roster_bytes)
        rows = [{"row": r.row, "values": r.values, "organisation_id": r.organisation_id,
                 "organisation_path": r.organisation_path, "scope": r.scope} for r in roster.rows]
        rows_sha = store.put_bytes(json.dumps(rows, ensure_ascii=False).encode())
        opts_stored = dict(opts, rows_sha256=rows_sha, encoding=roster.encoding, columns=roster.columns)
        job = BatchJob(kind=kind, state="queued", executor=executor, roster_sha256=roster_sha,
                       roster_name=roster_name[:255], idempotency_key=key, options=opts_stored,
                       total=len(rows), done=0, failed=0, errors=[], outputs=[],
                       created_by_id=created_by_id, organisation_id=organisation_id)
        s.add(job)
        s.flush()
        for seq, (first, last) in enumerate(plan_chunks(len(rows), opts["chunk_size"])):
            s.add(BatchChunk(job_id=job.id, seq=seq, first_row=first, last_row=last, state="pending",
                             attempts=0, outputs={}))
        s.add(BatchChunk(job_id=job.id, seq=FINAL_SEQ, first_row=0, last_row=-1, state="pending",
                         attempts=0, outputs={}))
        try:
            from service import audit

            audit.record(s, created_by_id, "batch.submit", "batch_job", job.id,
                         {"kind": kind, "total": len(rows), "roster": roster_name},
                         organisation_id=organisation_id)
        except Exception:  # pragma: no cover - audit is best effort here
            pass
        return job.id, True


def _check_capacity(s: Session, kind: str, opts: dict, roster: Roster) -> list[RowError]:
    """Refuse a roster whose numbers would not fit the configured serial width."""
    from service import numbering

    counts: dict[str, int] = {}
    for r in roster.rows:
        scope = r.scope if kind == "party-card" else ""
        counts[scope] = counts.get(scope, 0) + 1
    year = 0 if kind == "party-card" else opts["year"]
    limit = 10 ** opts["serial_width"] - 1
    errors = []
    for scope, n in counts.items():
        used = numbering.peek(s, _seq_kind(kind), year, scope)
        if used + n > limit:
            where = f"编号段 {scope}" if scope else f"{year} 年的证书编号"
            errors.append(RowError(1, f"{where}容量不足：已发 {used} 个，本次 {n} 个，"
                                      f"{opts['serial_width']} 位序号最多 {limit} 个（可调整序号位数 serial_width）"))
    return errors


# ----------------------------------------------------------------------------- claiming
def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stale(chunk: BatchChunk, now: dt.datetime) -> bool:
    host, _, pid = (chunk.worker or "").rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        if int(pid) == os.getpid():
            return False
        return not _pid_alive(int(pid))
    started = chunk.started_at
    if started is None:
        return True
    if started.tzinfo is None:
        started = started.replace(tzinfo=dt.timezone.utc)
    return (now - started).total_seconds() > LEASE_SECONDS


def recover(settings: Settings, job_id: int) -> int:
    """Put chunks of dead workers back to pending (their numbers stay reserved)."""
    now = utcnow()
    n = 0
    with session_scope(settings.database_url) as s:
        for ch in s.execute(select(BatchChunk).where(BatchChunk.job_id == job_id,
                                                     BatchChunk.state == "running")).scalars():
            if _stale(ch, now):
                res = s.execute(update(BatchChunk).where(BatchChunk.id == ch.id, BatchChunk.state == "running",
                                                         BatchChunk.worker == ch.worker)
                                .values(state="pending", worker=None))
                n += res.rowcount
    return n


def claim(settings: Settings, job_id: int, worker: str) -> tuple[int, int] | None:
    """Take one pending chunk of the job; the final unit only once every chunk is done."""
    with session_scope(settings.database_url) as s:
        job = s.get(BatchJob, job_id)
        if job is None or job.state in ("cancelled", "done", "failed"):
            return None
        rows = s.execute(select(BatchChunk.id, BatchChunk.seq, BatchChunk.state)
                         .where(BatchChunk.job_id == job_id).order_by(BatchChunk.seq)).all()
        regular = [r for r in rows if r.seq != FINAL_SEQ]
        candidates = [r for r in regular if r.state == "pending"]
        if not candidates:
            if regular and any(r.state != "done" for r in regular):
                return None
            candidates = [r for r in rows if r.seq == FINAL_SEQ and r.state == "pending"]
        for r in candidates:
            res = s.execute(update(BatchChunk).where(BatchChunk.id == r.id, BatchChunk.state == "pending")
                            .values(state="running", worker=worker, started_at=utcnow(),
                                    attempts=BatchChunk.attempts + 1))
            if res.rowcount == 1:
                if job.state == "queued":
                    s.execute(update(BatchJob).where(BatchJob.id == job_id, BatchJob.state == "queued")
                              .values(state="running", started_at=func.coalesce(BatchJob.started_at, utcnow())))
                return r.id, r.seq
        return None


# ----------------------------------------------------------------------------- rendering
_rows_cache: dict[str, list[dict]] = {}


def load_rows(settings: Settings, sha: str) -> list[dict]:
    rows = _rows_cache.get(sha)
    if rows is None:
        rows = json.loads(settings.store.read_bytes(sha))
        _rows_cache.clear()
        _rows_cache[sha] = rows
    return rows


def _seq_kind(kind: str) -> str:
    return "party-card" if kind == "party-card" else "honor-certificate"


def _allocate(settings: Settings, chunk_id: int, kind: str, opts: dict, rows: list[dict]) -> list:
    """The chunk's number blocks [[scope, first, count], …] (reserved once, then reused)."""
    from service import numbering

    with session_scope(settings.database_url) as s:
        q = select(BatchChunk).where(BatchChunk.id == chunk_id)
        if s.bind.dialect.name == "postgresql":
            q = q.with_for_update()
        ch = s.execute(q).scalar_one()
        alloc = (ch.outputs or {}).get("alloc")
        if alloc:
            return alloc
        counts: dict[str, int] = {}
        for r in rows:
            scope = r["scope"] if kind == "party-card" else ""
            counts[scope] = counts.get(scope, 0) + 1
        year = 0 if kind == "party-card" else opts["year"]
        alloc = []
        for scope, n in counts.items():
            first = numbering.allocate(s, _seq_kind(kind), year, n, scope=scope)
            alloc.append([scope, first, n])
        ch.outputs = dict(ch.outputs or {}, alloc=alloc)
        if len(alloc) == 1:
            ch.number_first, ch.number_last = alloc[0][1], alloc[0][1] + alloc[0][2] - 1
        return alloc


def format_number(kind: str, opts: dict, scope: str, serial: int) -> str:
    from service import numbering

    if kind == "party-card":
        county, committee = scope[:2] or "00", scope[2:] or "00"
        return numbering.format_member_number(county, committee, serial, width=opts.get("serial_width", 4))
    return numbering.format_certificate_number(opts.get("prefix", "WH"), opts["year"], serial,
                                               width=opts.get("serial_width", 4))


def certificate_context(kind: str, opts: dict, row: dict, number: str, public_url: str) -> dict:
    v = row["values"]
    from service.certificates.engine import verify_url

    ctx = {"number": number, "verify_url": verify_url(number, public_url),
           "issued_on": opts["issued_on"], "issuer": opts.get("issuer") or ""}
    if kind == "party-card":
        ctx.update(name=v.get("name", ""), branch_name=v.get("branch_name", ""),
                   organisation_path=row.get("organisation_path") or "", joined_on=v.get("joined_on", ""))
    else:
        ctx.update(branch_name=v.get("branch_name", ""), parent_org=v.get("parent_org", ""),
                   title=v.get("title") or opts["title"], term=v.get("term") or opts["term"])
    return ctx


def _put_nosync(store: FileStore, data: bytes) -> str:
    """Store without an fsync per file (the chunk syncs once before it commits)."""
    digest = hashlib.sha256(data).hexdigest()
    target = store.path_for(digest)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    return digest


class Cancelled(Exception):
    pass


def _job_state(settings: Settings, job_id: int) -> str:
    with session_scope(settings.database_url) as s:
        return s.execute(select(BatchJob.state).where(BatchJob.id == job_id)).scalar_one()


def process_chunk(settings: Settings, job_id: int, chunk_id: int, worker: str) -> None:
    from service.certificates.docx import render_docx
    from service.certificates.engine import engine_for

    with session_scope(settings.database_url) as s:
        job = s.get(BatchJob, job_id)
        ch = s.get(BatchChunk, chunk_id)
        kind, opts = job.kind, dict(job.options)
        first, last = ch.first_row, ch.last_row
    rows = load_rows(settings, opts["rows_sha256"])[first:last + 1]
    alloc = _allocate(settings, chunk_id, kind, opts, rows)
    next_serial = {scope: first_n for scope, first_n, _n in alloc}
    outputs = set(opts["outputs"])
    store = settings.store
    engine = engine_for(kind)
    overprint = opts.get("overprint", False)
    offset = tuple(opts.get("offset_mm") or (0.0, 0.0))
    pdfs, docxs, pages, issued = {}, {}, [], []
    for i, row in enumerate(rows):
        if i and i % CANCEL_CHECK_EVERY == 0 and _job_state(settings, job_id) == "cancelled":
            raise Cancelled()
        scope = row["scope"] if kind == "party-card" else ""
        serial = next_serial[scope]
        next_serial[scope] = serial + 1
        number = format_number(kind, opts, scope, serial)
        ctx = certificate_context(kind, opts, row, number, settings.public_url)
        page = engine.prepare(ctx, overprint=overprint, offset_mm=offset)
        if "pdf" in outputs:
            pdfs[number] = _put_nosync(store, engine.write([page], overprint=overprint,
                                                           title=f"{engine.spec.title} {number}"))
        if "docx" in outputs:
            docxs[number] = _put_nosync(store, render_docx(kind, ctx))
        if "merged" in outputs:
            pages.append((number, page.content,
                          {(f.spec.path, f.spec.index, f.spec.family): codes for f, codes in page.usage.items()}))
        issued.append([row["row"], number, scope, serial])
    result = {"alloc": alloc, "issued": issued}
    if pdfs:
        result["pdf"] = pdfs
    if docxs:
        result["docx"] = docxs
    if pages:
        result["pages"] = _put_nosync(store, pickle.dumps(pages, protocol=5))
    os.sync()
    issued_on = dt.date.fromisoformat(opts["issued_on"][:10])
    with session_scope(settings.database_url) as s:
        res = s.execute(update(BatchChunk).where(BatchChunk.id == chunk_id, BatchChunk.state == "running",
                                                 BatchChunk.worker == worker)
                        .values(state="done", finished_at=utcnow(), outputs=result))
        if res.rowcount != 1:
            s.rollback()
            return  # someone else took the chunk over: their result counts
        s.execute(insert(Certificate), [
            {"kind": kind, "number": number,
             "holder_name": (r["values"].get("name") if kind == "party-card" else r["values"].get("branch_name")) or "",
             "organisation_id": r.get("organisation_id"), "job_id": job_id, "status": "valid",
             "issued_on": issued_on,
             "joined_on": parse_date(r["values"].get("joined_on")) if kind == "party-card" else None}
            for r, (_row, number, _scope, _serial) in zip(rows, issued)])
        s.execute(update(BatchJob).where(BatchJob.id == job_id)
                  .values(done=BatchJob.done + len(rows), updated_at=utcnow()))


def _release(settings: Settings, chunk_id: int, worker: str, state: str, error: str | None = None,
             job_id: int | None = None) -> None:
    with session_scope(settings.database_url) as s:
        s.execute(update(BatchChunk).where(BatchChunk.id == chunk_id, BatchChunk.worker == worker,
                                           BatchChunk.state == "running")
                  .values(state=state, worker=None if state == "pending" else worker))
        if error and job_id is not None:
            job = s.get(BatchJob, job_id)
            job.errors = list(job.errors or []) + [{"chunk": chunk_id, "error": error[:2000]}]
            job.state = "failed"
            job.finished_at = utcnow()


def work(settings: Settings, job_id: int, worker: str | None = None, *, max_units: int | None = None) -> int:
    """Claim and run units of ``job_id`` until none is left; return how many ran."""
    worker = worker or worker_name()
    ran = 0
    while max_units is None or ran < max_units:
        got = claim(settings, job_id, worker)
        if got is None:
            break
        chunk_id, seq = got
        try:
            if seq == FINAL_SEQ:
                finalize(settings, job_id, chunk_id, worker)
            else:
                process_chunk(settings, job_id, chunk_id, worker)
        except Cancelled:
            _release(settings, chunk_id, worker, "pending")
            break
        except Exception as exc:
            import traceback

            _release(settings, chunk_id, worker, "failed", f"{exc!r}\n{traceback.format_exc()}", job_id)
            raise
        ran += 1
    return ran


# ----------------------------------------------------------------------------- finalize
def _safe_name(text: str) -> str:
    return "".join("_" if c in '\\/:*?"<>|\0' else c for c in text).strip() or "未命名"


def finalize(settings: Settings, job_id: int, chunk_id: int, worker: str) -> None:
    from service.certificates.engine import Page, engine_for
    from service.certificates.pdffont import load_font

    with session_scope(settings.database_url) as s:
        job = s.get(BatchJob, job_id)
        kind, opts = job.kind, dict(job.options)
        chunks = s.execute(select(BatchChunk).where(BatchChunk.job_id == job_id, BatchChunk.seq != FINAL_SEQ)
                           .order_by(BatchChunk.seq)).scalars().all()
        chunk_outputs = [dict(c.outputs or {}) for c in chunks]
    store = settings.store
    rows = load_rows(settings, opts["rows_sha256"])
    outputs = set(opts["outputs"])
    title = KIND_TITLES[kind]
    produced: list[dict] = []
    issued = [entry for co in chunk_outputs for entry in co.get("issued", [])]
    row_by_no = {r["row"]: r for r in rows}

    def add(kind_, name, data=None, sha=None, **extra):
        if sha is None:
            sha = store.put_bytes(data)
        size = store.path_for(sha).stat().st_size
        produced.append({"kind": kind_, "name": name, "sha256": sha, "size": size, **extra})

    if "merged" in outputs:
        engine = engine_for(kind)
        volume = opts["volume_size"]
        total = len(issued)
        n_vol = (total + volume - 1) // volume
        page_iter = _iter_pages(store, chunk_outputs)
        for v in range(n_vol):
            batch = []
            for _ in range(min(volume, total - v * volume)):
                number, content, usage = next(page_iter)
                batch.append(Page(content, {load_font(*k): codes for k, codes in usage.items()}, number))
            data = engine.write(batch, overprint=opts.get("overprint", False),
                                title=f"{title}合并打印 第{v + 1}册")
            add("merged", f"{title}_合并打印_第{v + 1:02d}册.pdf", data, volume=v + 1,
                pages=len(batch), first=batch[0].number, last=batch[-1].number)
            del batch
    pdf_map = {k: v for co in chunk_outputs for k, v in (co.get("pdf") or {}).items()}
    docx_map = {k: v for co in chunk_outputs for k, v in (co.get("docx") or {}).items()}
    if "register" in outputs:
        add("register", f"{title}_登记造册.xlsx",
            _register_xlsx(kind, opts, issued, row_by_no, pdf_map))
    if "zip" in outputs:
        by_branch: dict[str, list] = {}
        for row_no, number, _scope, _serial in issued:
            r = row_by_no[row_no]
            by_branch.setdefault(r["values"].get("branch_name", ""), []).append((number, r))
        for branch, items in by_branch.items():
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
                for number, r in items:
                    who = r["values"].get("name") if kind == "party-card" else branch
                    base = _safe_name(f"{number}_{who}")
                    if number in pdf_map:
                        zf.write(store.path_for(pdf_map[number]), f"{base}.pdf")
                    if number in docx_map:
                        zf.write(store.path_for(docx_map[number]), f"{base}.docx")
            add("zip", f"{_safe_name(branch)}_{title}.zip", buf.getvalue(), branch=branch, count=len(items))
    with session_scope(settings.database_url) as s:
        res = s.execute(update(BatchChunk).where(BatchChunk.id == chunk_id, BatchChunk.state == "running",
                                                 BatchChunk.worker == worker)
                        .values(state="done", finished_at=utcnow(), outputs={"files": produced}))
        if res.rowcount != 1:
            s.rollback()
            return
        job = s.get(BatchJob, job_id)
        job.outputs = produced
        if job.state != "cancelled":
            job.state = "done"
        job.finished_at = utcnow()


def _iter_pages(store: FileStore, chunk_outputs):
    for co in chunk_outputs:
        sha = co.get("pages")
        if not sha:
            continue
        for item in pickle.loads(store.read_bytes(sha)):
            yield item


def _register_xlsx(kind: str, opts: dict, issued, row_by_no, pdf_map) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(f"{KIND_TITLES[kind]}登记")
    if kind == "party-card":
        head = ["序号", "证件编号", "姓名", "性别", "所在支部", "所属党组织", "入党时间", "发证日期",
                "名册行号", "文件sha256"]
    else:
        head = ["序号", "证书编号", "支部名称", "上级党组织", "荣誉称号", "届期", "发证日期", "名册行号",
                "文件sha256"]
    ws.column_dimensions["B"].width = 14
    ws.column_dimensions["C"].width = 16
    ws.column_dimensions["E"].width = 30
    bold = Font(bold=True)
    cells = []
    for h in head:
        c = WriteOnlyCell(ws, value=h)
        c.font = bold
        cells.append(c)
    ws.append(cells)
    for i, (row_no, number, _scope, _serial) in enumerate(issued, start=1):
        r = row_by_no[row_no]
        v = r["values"]
        if kind == "party-card":
            ws.append([i, number, v.get("name", ""), v.get("gender", ""), v.get("branch_name", ""),
                       r.get("organisation_path", ""), v.get("joined_on", ""), opts["issued_on"], row_no,
                       pdf_map.get(number, "")])
        else:
            ws.append([i, number, v.get("branch_name", ""), v.get("parent_org", ""),
                       v.get("title") or opts.get("title", ""), v.get("term") or opts.get("term", ""),
                       opts["issued_on"], row_no, pdf_map.get(number, "")])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ----------------------------------------------------------------------------- status / cancel
def cancel(settings: Settings, job_id: int) -> bool:
    with session_scope(settings.database_url) as s:
        res = s.execute(update(BatchJob).where(BatchJob.id == job_id,
                                               BatchJob.state.in_(("queued", "running")))
                        .values(state="cancelled", finished_at=utcnow()))
        return res.rowcount == 1


def status(job: BatchJob) -> dict:
    now = utcnow()
    started = job.started_at
    if started is not None and started.tzinfo is None:
        started = started.replace(tzinfo=dt.timezone.utc)
    end = job.finished_at or now
    if end.tzinfo is None:
        end = end.replace(tzinfo=dt.timezone.utc)
    elapsed = (end - started).total_seconds() if started else 0.0
    rate = job.done / elapsed if elapsed > 0 else 0.0
    remaining = max(job.total - job.done, 0)
    eta = remaining / rate if rate > 0 and job.state in ("queued", "running") else None
    opts = dict(job.options or {})
    return {
        "id": job.id, "kind": job.kind, "state": job.state, "executor": job.executor,
        "roster_name": job.roster_name, "roster_sha256": job.roster_sha256,
        "total": job.total, "done": job.done, "failed": job.failed,
        "rate_per_second": round(rate, 1), "eta_seconds": None if eta is None else round(eta, 1),
        "elapsed_seconds": round(elapsed, 1),
        "errors": job.errors or [], "outputs": [
            {k: v for k, v in o.items()} | {"index": i} for i, o in enumerate(job.outputs or [])],
        "options": {k: v for k, v in opts.items() if k not in ("rows_sha256", "columns")},
        "created_at": job.created_at.isoformat() if job.created_at else None,
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


def job_status(settings: Settings, job_id: int) -> dict | None:
    with session_scope(settings.database_url) as s:
        job = s.get(BatchJob, job_id)
        return None if job is None else status(job)


def certificate_files(settings: Settings, job_id: int, session: Session | None = None) -> dict[str, dict[str, str]]:
    """{number: {"pdf": sha, "docx": sha}} for the job's issued certificates."""
    out: dict[str, dict[str, str]] = {}

    def read(s: Session) -> None:
        for co in s.execute(select(BatchChunk.outputs).where(BatchChunk.job_id == job_id,
                                                             BatchChunk.seq != FINAL_SEQ)).scalars():
            for fmt in ("pdf", "docx"):
                for number, sha in ((co or {}).get(fmt) or {}).items():
                    out.setdefault(number, {})[fmt] = sha

    if session is not None:
        read(session)
    else:
        with session_scope(settings.database_url) as s:
            read(s)
    return out


def resume_all(settings: Settings, executor: str | None = None) -> list[int]:
    """Recover and restart every unfinished job (of one executor, or all)."""
    from . import executors

    with session_scope(settings.database_url) as s:
        q = select(BatchJob.id, BatchJob.executor).where(BatchJob.state.in_(("queued", "running")))
        if executor:
            q = q.where(BatchJob.executor == executor)
        found = [(i, e) for i, e in s.execute(q).all()]
    for job_id, ex in found:
        recover(settings, job_id)
        if ex == "celery":
            executors.dispatch_celery(settings, job_id)
        else:
            executors.run_local(settings, job_id, wait=False)
    return [i for i, _ in found]
