"""Submissions: upload, read, correct the extracted fields, run the checks.

Each use case is called the same way by the API, the pages and the CLI:
``(session, actor, plain arguments)``; it adds to the caller's transaction and
raises ``service.errors`` on anything the caller can act on.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
from functools import partial
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from parsers.forms import field_spec

from .. import audit, auth, db, intake, textindex
from ..batch import executors, ocr
from ..checks import check_submission as run_rules
from ..checks.plan import is_plan_title
from ..config import MAX_UPLOAD_FILES, Settings
from ..errors import BadRequest, Busy, Conflict, Invalid, NotFound, TooLarge
from ..models import Assessment, FieldCorrection, Finding, IdempotencyKey, Organisation, Submission, User, utcnow
from ..storage import FileStore
from ..vocabulary import cn_datetime
from . import batches, serialize
from .serialize import iso
from .cycles import current_cycle, organisation_facts

LIST_LIMIT = 500
log = logging.getLogger(__name__)


def load(session: Session, actor: User, submission_id: int) -> Submission:
    return auth.load_visible(session, actor, Submission, submission_id, "未找到该材料。")


def findings_of(session: Session, sub: Submission) -> list[Finding]:
    """The findings of the latest check run."""
    return list(session.execute(select(Finding).where(Finding.submission_id == sub.id,
                                                      Finding.superseded_at.is_(None))
                                .order_by(Finding.id)).scalars())


def earlier_findings(session: Session, sub: Submission) -> list[dict]:
    """The findings of earlier check runs, newest run first: ``[{"superseded_at", "findings"}]``."""
    runs: dict = {}
    for f in session.execute(select(Finding).where(Finding.submission_id == sub.id,
                                                   Finding.superseded_at.is_not(None))
                             .order_by(Finding.superseded_at.desc(), Finding.id)).scalars():
        runs.setdefault(f.superseded_at, []).append(serialize.finding(f))
    return [{"superseded_at": iso(at), "superseded_on": cn_datetime(at), "findings": found}
            for at, found in runs.items()]


def attachments_of(session: Session, sub: Submission) -> list[Submission]:
    return list(session.execute(select(Submission).where(Submission.attached_to_id == sub.id)
                                .order_by(Submission.id)).scalars())


def report_of(session: Session, sub: Submission) -> Optional[Submission]:
    """The 汇报材料 attached to a form (the newest one that is not the plan)."""
    for att in session.execute(
            select(Submission).where(Submission.attached_to_id == sub.id, Submission.form == "report")
            .order_by(Submission.id.desc())).scalars():
        if not (att.extractions and is_plan_title(att.extractions[-1].fields.get("title"))):
            return att
    return None


def spec_of(form: str) -> dict:
    """The field contract of a form kind ({} for an unknown form)."""
    try:
        return field_spec(form)
    except (KeyError, ValueError):
        return {}


def as_dict(session: Session, sub: Submission) -> dict:
    """A submission with its extraction, findings and attachments; a scan's OCR progress."""
    out = serialize.submission(sub, findings_of(session, sub))
    out["earlier_findings"] = earlier_findings(session, sub)
    out["attachments"] = [serialize.submission(a, full=False) for a in attachments_of(session, sub)]
    out["ocr"] = ocr_progress(session, sub)
    return out


def ocr_progress(session: Session, sub: Submission) -> Optional[dict]:
    """A scan's OCR: state, pages done of total, percent (None for a file read without OCR)."""
    return ocr.progress(session, sub)


def listing(session: Session, actor: User, *, status: str | None = None, form: str | None = None,
            limit: int = 100) -> list[dict]:
    query = auth.filter_visible(select(Submission).order_by(Submission.id.desc()), Submission.organisation_id,
                                session, actor)
    if status:
        query = query.where(Submission.status == status)
    if form:
        query = query.where(Submission.form == form)
    return [serialize.submission(s, full=False)
            for s in session.execute(query.options(joinedload(Submission.organisation))  # not one query a row
                                     .limit(min(limit, LIST_LIMIT))).scalars()]


def _target_organisation(session: Session, actor: User, organisation_id: int | None) -> int:
    if organisation_id is None:
        return actor.organisation_id
    auth.require_org_access(session, actor, organisation_id)
    if session.get(Organisation, organisation_id) is None:
        raise NotFound("未找到该组织。")
    return organisation_id


MAX_KEY = 200


def upload(session: Session, store: FileStore, settings: Settings, actor: User, files: list[tuple[str, bytes]], *,
           organisation_id: int | None = None, attached_to_id: int | None = None,
           idempotency_key: str | None = None) -> list[Submission]:
    """Store and read the files for the actor's (or a visible) organisation: all or none.

    The files are read first — in the sandbox, with the request's read transaction ended
    (``db.release``), so no lock is held during a slow parse — and only when every one is
    readable are they stored, in one short write transaction. One bad file (empty, too large,
    unreadable) stores none; the error names each bad file and its reason.
    A form uploaded together with its 汇报材料 gets the report attached to it. With an
    ``idempotency_key``, a retry of the same upload returns the first one's submissions.
    """
    if not files:
        raise BadRequest("请选择要上传的文件。", "no_file")
    if len(files) > MAX_UPLOAD_FILES:
        raise TooLarge(f"每次最多上传 {MAX_UPLOAD_FILES} 个文件。", "too_many_files")
    if idempotency_key is not None and not 0 < len(idempotency_key) <= MAX_KEY:
        raise Invalid(f"Idempotency-Key 应为 1 到 {MAX_KEY} 个字符。", "invalid_idempotency_key")
    org_id = _target_organisation(session, actor, organisation_id)
    if attached_to_id is not None:
        attached_to_id = load(session, actor, attached_to_id).id
    fingerprint = _fingerprint(org_id, attached_to_id, files)
    organisation = session.get(Organisation, org_id)  # read now, not in the write transaction (the answer names it)
    if idempotency_key is not None:
        earlier = _replay(session, actor, idempotency_key, fingerprint)
        if earlier is not None:
            return earlier
    db.release(session)  # nothing is locked while the files are read
    received = [intake.read(settings, name, data) for name, data in files]
    if any(r.problem for r in received):
        intake.record_refusal(session, actor, org_id, received)
        if all(r.problem["code"] == "parse_busy" for r in received if r.problem):
            raise Busy(received[0].problem["message"] if received[0].problem else "", "parse_busy", keep=True)
        raise intake.refusal(received)
    if idempotency_key is not None:
        earlier = _claim(session, actor, idempotency_key, fingerprint)
        if earlier is not None:
            return earlier
    created = [intake.accept(session, store, actor, org_id, r, attached_to_id=attached_to_id,
                             executor=settings.batch_executor, organisation=organisation) for r in received]
    for s in created:
        if s.status == "recognising":  # a scan: OCR in a batch worker, started once this commits
            job = ocr.job_of(session, s.id)
            batches.after_commit(session, partial(_start_ocr, settings, job.id, job.executor))
    forms = [s for s in created if s.form not in ("report", "unknown")]
    if len(forms) == 1 and attached_to_id is None:
        for s in created:
            if s.form == "report":
                s.attached_to_id = forms[0].id
    session.flush()
    for s in created:
        if s.form == "report":  # reports and plans: fingerprinted for the copy check (issue 18)
            textindex.index_text(session, s, textindex.text_of(s))
    if idempotency_key is not None:
        _key_row(session, actor, idempotency_key).result = {"submissions": [s.id for s in created]}
        session.flush()
    return created


def _start_ocr(settings: Settings, job_id: int, executor: str) -> None:
    """Start a scan's OCR (the local OCR process, or a Celery task). If it cannot start now
    (Celery's broker down), the job stays queued and ``executors.resume_all`` starts it with the
    next server or worker; the upload has been answered either way."""
    try:
        executors.start(settings, job_id, executor)
    except Exception:
        log.exception("OCR job %s could not be started", job_id)


def _fingerprint(org_id: int, attached_to_id: int | None, files: list[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256(f"{org_id}:{attached_to_id}".encode())
    for name, data in files:
        digest.update(b"\0" + (name or "").encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def _key_row(session: Session, actor: User, key: str) -> Optional[IdempotencyKey]:
    return session.execute(select(IdempotencyKey).where(
        IdempotencyKey.user_id == actor.id, IdempotencyKey.scope == "upload", IdempotencyKey.key == key)
    ).scalar_one_or_none()


def _replay(session: Session, actor: User, key: str, fingerprint: str) -> Optional[list[Submission]]:
    """The submissions of an earlier upload with this key (None when there was none)."""
    row = _key_row(session, actor, key)
    if row is None:
        return None
    if row.fingerprint != fingerprint:
        raise Conflict("该 Idempotency-Key 已用于另一次上传，请换一个新的键。", "idempotency_key_reused")
    ids = row.result.get("submissions") or []
    subs = {s.id: s for s in session.execute(select(Submission).where(Submission.id.in_(ids))).scalars()}
    return [subs[i] for i in ids if i in subs]


def _claim(session: Session, actor: User, key: str, fingerprint: str) -> Optional[list[Submission]]:
    """Take the key inside the write transaction; a concurrent twin that took it first wins
    (on PostgreSQL the insert waits for it, then fails on the unique key) and its result is
    returned instead."""
    earlier = _replay(session, actor, key, fingerprint)  # committed since the first look
    if earlier is not None:
        return earlier
    try:
        with session.begin_nested():
            session.add(IdempotencyKey(user_id=actor.id, scope="upload", key=key, fingerprint=fingerprint,
                                       result={}))
    except IntegrityError:
        earlier = _replay(session, actor, key, fingerprint)
        if earlier is None:
            raise
        return earlier
    return None


def shared_passages(session: Session, actor: User, sub: Submission) -> list[dict]:
    """For a reviewer: the other texts a report shares passages with, passages side by side.

    The other text is shown only when its organisation is in the reviewer's own view; otherwise
    only its name and share (as the finding already says)."""
    if actor.role not in auth.REVIEWERS or sub.form != "report":
        return []
    _findings, matches = textindex.copies(session, sub, textindex.text_of(sub))
    out = []
    for m in matches[:5]:
        visible = auth.can_see(session, actor, m["organisation_id"])
        out.append({**m, "percent": round(m["share"] * 100),
                    "passages": m["passages"][:10] if visible else [], "visible": visible})
    return out


def plan_of(session: Session, sub: Submission) -> Optional[Submission]:
    """An attached 创建工作方案 (a prose file whose title names a plan), the newest one."""
    for att in reversed(attachments_of(session, sub)):
        if att.form == "report" and att.extractions and is_plan_title(att.extractions[-1].fields.get("title")):
            return att
    return None


def correct_fields(session: Session, actor: User, submission_id: int, fields: dict[str, Any]) -> Submission:
    """A reviewer corrects extracted fields, all or none.

    The original extraction is never changed; each correction is a row with the old
    value, the new value and who made it.
    """
    auth.require_role(actor, *auth.REVIEWERS)
    sub = load(session, actor, submission_id)
    if not isinstance(fields, dict) or not fields:
        raise Invalid('请求体应为 {"fields": {"字段": 值}}。')
    if not sub.extractions:
        raise Conflict("该材料尚无提取结果，无法更正。")
    extraction = sub.extractions[-1]
    current = intake.effective_fields(extraction)
    for key, value in fields.items():
        problem = intake.correction_problem(extraction.form, key, value)
        if problem:
            raise Invalid(problem, "invalid_field", field=key)
    for key, value in fields.items():
        extraction.corrections.append(FieldCorrection(
            field=key, old_value=current.get(key), new_value=value, corrected_by_id=actor.id))
        audit.record(session, actor, "correct_field", "submission", sub.id,
                     {"field": key, "old": current.get(key), "new": value}, organisation_id=sub.organisation_id)
    session.flush()
    if sub.form not in ("report", "unknown"):
        check(session, actor, sub.id)  # the corrected value's findings at once, not at the next manual check
    return sub


def check(session: Session, actor: User, submission_id: int, as_of: Optional[dt.date] = None,
          rubric_dir: Optional[Path] = None) -> dict:
    """Run every rule on a submission (a form with its attached report), replace its findings.

    The findings are advice to whoever runs it — never a status: only a reviewer's decision
    (service/usecases/review.py) moves the submission.

    ``rubric_dir``: the admin's rubric files (``Settings.rubric_dir``) over the built-in ones."""
    sub = load(session, actor, submission_id)
    if not sub.extractions:
        raise Conflict("该材料尚无提取结果，无法审核。")
    as_of = as_of or dt.date.today()
    fields = intake.effective_fields(sub.extractions[-1])
    report = report_of(session, sub)
    report_fields = intake.effective_fields(report.extractions[-1]) if report and report.extractions else None
    plan = plan_of(session, sub)
    plan_text = textindex.text_of(plan) if plan is not None else None
    org = session.get(Organisation, sub.organisation_id)
    result = run_rules(sub.form if sub.form != "unknown" else None, fields, report_fields,
                       organisation_facts(org, current_cycle(session, org.id)), as_of, rubric_dir=rubric_dir,
                       plan_text=plan_text)
    # copied passages: the report itself, or the report attached to the form (SZ-2.3)
    prose = sub if sub.form == "report" else report
    if prose is not None:
        copied, _ = textindex.copies(session, prose, textindex.text_of(prose),
                                     field="text" if prose is sub else "report")
        result["findings"] += copied
    # the earlier run's findings stay in the record, marked as replaced by this run
    session.execute(update(Finding).where(Finding.submission_id == sub.id, Finding.superseded_at.is_(None))
                    .values(superseded_at=utcnow()))
    for f in result["findings"]:
        session.add(Finding(organisation_id=sub.organisation_id, submission_id=sub.id, rule=f["rule"],
                            severity=f["severity"], field=f.get("field"), message=f["message"],
                            clause=f.get("clause") or ""))
    audit.record(session, actor, "check", "submission", sub.id,
                 {"eligible": result["eligible"], "findings": len(result["findings"]), "as_of": as_of.isoformat()},
                 organisation_id=sub.organisation_id)
    session.flush()
    return result


def check_unchecked(session: Session, actor: User, rubric_dir: Optional[Path] = None) -> int:
    """Check every visible form that has not been checked yet (the demo loader uses this)."""
    query = auth.filter_visible(select(Submission.id).where(Submission.status == "extracted",
                                                            Submission.form != "report"),
                                Submission.organisation_id, session, actor)
    ids = list(session.execute(query.order_by(Submission.id)).scalars())
    for sub_id in ids:
        check(session, actor, sub_id, rubric_dir=rubric_dir)
    return len(ids)


def recorded_facts(session: Session, org: Organisation) -> dict:
    """What the records say, for the lifecycle's guards: the latest forms, the report, the last score."""
    facts: dict = {}
    for form in ("declaration", "acceptance"):
        sub = session.execute(select(Submission).where(Submission.organisation_id == org.id, Submission.form == form)
                              .order_by(Submission.id.desc()).limit(1)).scalar_one_or_none()
        if sub is None or not sub.extractions:
            continue
        facts.update({k: v for k, v in intake.effective_fields(sub.extractions[-1]).items() if v is not None})
        if form == "acceptance":
            report = report_of(session, sub)
            if report is not None and report.extractions:
                count = intake.effective_fields(report.extractions[-1]).get("char_count")
                if count is not None:
                    facts["report_char_count"] = count
    last = session.execute(select(Assessment).where(Assessment.organisation_id == org.id)
                           .order_by(Assessment.id.desc()).limit(1)).scalar_one_or_none()
    if last is not None and last.total is not None:
        facts["assessment_score"] = last.total
    return facts
