"""OCR of an uploaded scan or photo, run as a one-unit job by the batch executors.

An upload of an image (JPEG, PNG, TIFF) or of a PDF without a text layer answers at once: the
submission is stored with the status 识别中 (``recognising``) and an empty extraction, and an
OCR job (``BatchJob.kind == "ocr"``, one chunk, ``idempotency_key = "ocr:<submission id>"``)
starts after the commit, on the local executor (one worker process) or on Celery.  The worker
leases the unit like a certificate chunk (heartbeat, take-over after a silent worker's lease),
loads the OCR models once per process (``parsers.ocr.engine``), writes its progress per page
into the job (``done`` of ``total`` pages) and commits the fields, provenance (page + box),
pairs, warnings and the scan's facts (seals = 盖章, deskew) onto the extraction, with the
document model for the preview in the file store (``scan.model_sha256``).

It always ends: a file OCR cannot read ends as 识别失败 (``unreadable``) with the reader's
Chinese message; an unexpected failure as ``ocr_failed``; a unit whose worker died (killed for
memory, a machine lost) is not OCRed again by whoever takes it over after the lease but ends as
``ocr_interrupted``; an OCR still running after ``DEADLINE`` seconds (a page pdfium or the
models never finish) ends as ``ocr_timeout``, written by a timer thread of the worker — its
late result then finds the unit no longer its own and is dropped.  ``progress()`` reports a
job that failed or was cancelled without finishing as failed, so a page never waits on it.
"""
from __future__ import annotations

import json
import logging
import os
import threading
from typing import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from parsers.ocr import Limits, model_loads, read_scan_document
from parsers.result import ParseResult
from parsers.sandbox import doc_to_dict
from service import audit
from service.config import Settings
from service.db import session_scope
from service.models import BatchChunk, BatchJob, Extraction, Submission
from service.storage import store_for

from . import state

log = logging.getLogger(__name__)

KIND = "ocr"
MAX_ATTEMPTS = 1  # a unit taken over from a dead worker is not OCRed again (the file may be what killed it)
DEADLINE = Limits().time_budget + 60.0  # seconds: pages after the budget are skipped; this is for a page that hangs
FAILED = {
    "ocr_failed": "扫描件识别时发生意外错误，未能读出内容。请重新上传，或上传 Word 文件。",
    "ocr_interrupted": "扫描件识别中断（处理进程意外退出，可能是图片过大）。请缩小图片或分页扫描后重新上传，或上传 Word 文件。",
    "ocr_timeout": "扫描件识别超时，未能读完。请缩小图片或分页扫描后重新上传，或上传 Word 文件。",
    "file_missing": "原文件不可用，无法识别。请重新上传。",
}
PROGRESS_NAMES = {"queued": "排队等待识别", "running": "正在识别", "done": "识别完成", "failed": "识别失败",
                  "cancelled": "识别已取消"}


def job_key(submission_id: int) -> str:
    return f"{KIND}:{submission_id}"


def create_job(session: Session, sub: Submission, executor: str) -> BatchJob:
    """The OCR job of a stored submission (flushed, not committed; started after the commit)."""
    job = BatchJob(kind=KIND, state="queued", executor=executor, roster_sha256=sub.sha256,
                   roster_name=(sub.original_name or "")[:255], idempotency_key=job_key(sub.id),
                   options={"submission_id": sub.id}, total=0, done=0, failed=0, errors=[], outputs=[],
                   created_by_id=sub.uploaded_by_id, organisation_id=sub.organisation_id)
    session.add(job)
    session.flush()
    session.add(BatchChunk(job_id=job.id, seq=0, first_row=0, last_row=0, state="pending", attempts=0, outputs={}))
    session.flush()
    return job


def job_of(session: Session, submission_id: int) -> BatchJob | None:
    return session.execute(select(BatchJob).where(BatchJob.idempotency_key == job_key(submission_id))
                           ).scalar_one_or_none()


def progress(session: Session, sub: Submission) -> dict | None:
    """How far a scan's OCR is: ``{"state", "state_name", "done", "total", "percent", "active",
    "failed"}`` (pages); None for a file that was not OCRed."""
    job = job_of(session, sub.id)
    if job is None:
        return None
    failed = job.state in ("failed", "cancelled") or (job.state == "done" and sub.status == "recognising")
    st = "failed" if failed else job.state
    total, done = job.total or 0, min(job.done or 0, job.total or 0)
    percent = 100 if st == "done" else (100 * done // total if total else 0)
    return {"state": st, "state_name": PROGRESS_NAMES.get(st, st), "done": done, "total": total,
            "percent": percent, "active": st in state.ACTIVE, "failed": failed,
            "message": FAILED["ocr_failed"] if failed and sub.status == "recognising" else ""}


def _failure(name: str, code: str) -> ParseResult:
    return ParseResult(file=name, errors=[{"code": code, "message": FAILED[code]}])


def _wait_gate(settings: Settings) -> None:
    if settings.parse_gate:
        with open(settings.parse_gate, "rb") as fh:  # a test holds the OCR here until it writes to the FIFO
            fh.read(1)


def _report(settings: Settings, job_id: int) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        try:
            with session_scope(settings.database_url) as s:
                s.execute(update(BatchJob).where(BatchJob.id == job_id)
                          .values(done=done, total=total, updated_at=state.utcnow()))
        except Exception:  # progress is a courtesy: the OCR goes on
            log.exception("OCR job %s: progress not written", job_id)
    return report


def read(settings: Settings, sha256: str, name: str, job_id: int) -> tuple[ParseResult, dict | None]:
    """OCR the stored file: (result, the preview's entry {"doc", "pages"} or None)."""
    try:
        data = store_for(settings.data_dir).read_bytes(sha256)
    except OSError:
        return _failure(name, "file_missing"), None
    try:
        result, doc = read_scan_document(data, name, Limits(), max_bytes=settings.max_upload_bytes,
                                         progress=_report(settings, job_id))
    except Exception:  # read_scan_document answers bad input itself; this is a bug, not the file
        log.exception("OCR job %s failed", job_id)
        return _failure(name, "ocr_failed"), None
    if doc is None:
        return result, None
    return result, {"doc": doc_to_dict(doc), "pages": list(result.scan.get("page_sizes") or [])}


def run_unit(settings: Settings, job_id: int, chunk_id: int, worker: str, check: Callable[[], None]) -> bool:
    """OCR the job's submission and commit what was read; ``False`` when the unit was no longer ours."""
    with session_scope(settings.database_url) as s:
        sub_id = int(s.get(BatchJob, job_id).options["submission_id"])
        attempts = s.get(BatchChunk, chunk_id).attempts
        sub = s.get(Submission, sub_id)
        sha, name = sub.sha256, sub.original_name
    if attempts > MAX_ATTEMPTS:
        result, entry = _failure(name, "ocr_interrupted"), None
    else:
        _wait_gate(settings)
        timer = threading.Timer(DEADLINE, _commit, args=(settings, job_id, chunk_id, worker, sub_id,
                                                         _failure(name, "ocr_timeout"), None))
        timer.daemon = True
        timer.start()
        try:
            result, entry = read(settings, sha, name, job_id)
        finally:
            timer.cancel()
    check()
    model_sha = None
    if entry is not None:
        model_sha = store_for(settings.data_dir).put_bytes(json.dumps(entry, ensure_ascii=False).encode())
    return _commit(settings, job_id, chunk_id, worker, sub_id, result, model_sha)


def _commit(settings: Settings, job_id: int, chunk_id: int, worker: str, sub_id: int, result: ParseResult,
            model_sha: str | None) -> bool:
    status = "unreadable" if result.errors and not (result.fields or result.pairs) else "extracted"
    now = state.utcnow()
    with session_scope(settings.database_url) as s:
        res = s.execute(update(BatchChunk).where(*state.held(chunk_id, worker))
                        .values(state="done", finished_at=now, lease_until=None,
                                outputs={"model_sha256": model_sha, "status": status,
                                 # which process read it and how often that process loaded the
                                 # models (1: one instance per worker process, kept for every scan)
                                 "pid": os.getpid(), "model_loads": model_loads()}))
        if res.rowcount != 1:
            s.rollback()
            return False
        sub = s.get(Submission, sub_id)
        extraction = s.execute(select(Extraction).where(Extraction.submission_id == sub_id)
                               .order_by(Extraction.id.desc()).limit(1)).scalar_one()
        extraction.form = result.form
        extraction.fields = result.fields
        extraction.provenance = result.provenance
        extraction.missing = result.missing
        extraction.errors = result.errors
        extraction.pairs = result.pairs
        extraction.warnings = result.warnings
        extraction.scan = dict(result.scan, model_sha256=model_sha) if model_sha else dict(result.scan)
        sub.form = result.form
        if result.media_type:
            sub.media_type = result.media_type
        if sub.status == "recognising":
            sub.status = status
        audit.record(s, None, "ocr", "submission", sub.id,
                     {"form": result.form, "status": status, "fields": len(result.fields),
                      "errors": [e["code"] for e in result.errors],
                      "sealed": bool(result.scan.get("sealed")), "seconds": result.scan.get("ocr_seconds")},
                     organisation_id=sub.organisation_id)
        s.execute(update(BatchJob).where(BatchJob.id == job_id, BatchJob.state.in_(state.ACTIVE))
                  .values(state="done", finished_at=now, updated_at=now,
                          done=BatchJob.total, errors=result.errors))
    return True
