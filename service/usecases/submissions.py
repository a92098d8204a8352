"""Submissions: upload, read, correct the extracted fields, run the checks.

Each use case is called the same way by the API, the pages and the CLI:
``(session, actor, plain arguments)``; it adds to the caller's transaction and
raises ``service.errors`` on anything the caller can act on.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from parsers.forms import field_spec

from .. import audit, auth, intake
from ..checks import check_submission as run_rules
from ..errors import Conflict, Invalid, NotFound
from ..models import Assessment, FieldCorrection, Finding, Organisation, Submission, User
from ..storage import FileStore
from . import serialize
from .cycles import current_cycle, organisation_facts

LIST_LIMIT = 500


def load(session: Session, actor: User, submission_id: int) -> Submission:
    return auth.load_visible(session, actor, Submission, submission_id, "未找到该材料。")


def findings_of(session: Session, sub: Submission) -> list[Finding]:
    return list(session.execute(select(Finding).where(Finding.submission_id == sub.id)
                                .order_by(Finding.id)).scalars())


def attachments_of(session: Session, sub: Submission) -> list[Submission]:
    return list(session.execute(select(Submission).where(Submission.attached_to_id == sub.id)
                                .order_by(Submission.id)).scalars())


def report_of(session: Session, sub: Submission) -> Optional[Submission]:
    """The 汇报材料 attached to a form (the newest one)."""
    return session.execute(
        select(Submission).where(Submission.attached_to_id == sub.id, Submission.form == "report")
        .order_by(Submission.id.desc()).limit(1)
    ).scalar_one_or_none()


def spec_of(form: str) -> dict:
    """The field contract of a form kind ({} for an unknown form)."""
    try:
        return field_spec(form)
    except (KeyError, ValueError):
        return {}


def as_dict(session: Session, sub: Submission) -> dict:
    """A submission with its extraction, findings and attachments."""
    out = serialize.submission(sub, findings_of(session, sub))
    out["attachments"] = [serialize.submission(a, full=False) for a in attachments_of(session, sub)]
    return out


def listing(session: Session, actor: User, *, status: str | None = None, form: str | None = None,
            limit: int = 100) -> list[dict]:
    query = auth.filter_visible(select(Submission).order_by(Submission.id.desc()), Submission.organisation_id,
                                session, actor)
    if status:
        query = query.where(Submission.status == status)
    if form:
        query = query.where(Submission.form == form)
    return [serialize.submission(s, full=False)
            for s in session.execute(query.limit(min(limit, LIST_LIMIT))).scalars()]


def _target_organisation(session: Session, actor: User, organisation_id: int | None) -> int:
    if organisation_id is None:
        return actor.organisation_id
    auth.require_org_access(session, actor, organisation_id)
    if session.get(Organisation, organisation_id) is None:
        raise NotFound("未找到该组织。")
    return organisation_id


def upload(session: Session, store: FileStore, actor: User, files: list[tuple[str, bytes]], *,
           max_bytes: int, organisation_id: int | None = None,
           attached_to_id: int | None = None) -> list[Submission]:
    """Store and read each file for the actor's (or a visible) organisation.

    A form uploaded together with its 汇报材料 gets the report attached to it.
    """
    org_id = _target_organisation(session, actor, organisation_id)
    if attached_to_id is not None:
        attached_to_id = load(session, actor, attached_to_id).id
    created = [intake.receive(session, store, actor, org_id, name, data, max_bytes=max_bytes,
                              attached_to_id=attached_to_id) for name, data in files]
    forms = [s for s in created if s.form not in ("report", "unknown")]
    if len(forms) == 1 and attached_to_id is None:
        for s in created:
            if s.form == "report":
                s.attached_to_id = forms[0].id
    session.flush()
    return created


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
    return sub


def check(session: Session, actor: User, submission_id: int, as_of: Optional[dt.date] = None,
          rubric_dir: Optional[Path] = None) -> dict:
    """Run every rule on a submission (a form with its attached report), replace its findings.

    ``rubric_dir``: the admin's rubric files (``Settings.rubric_dir``) over the built-in ones."""
    sub = load(session, actor, submission_id)
    if not sub.extractions:
        raise Conflict("该材料尚无提取结果，无法审核。")
    as_of = as_of or dt.date.today()
    fields = intake.effective_fields(sub.extractions[-1])
    report = report_of(session, sub)
    report_fields = intake.effective_fields(report.extractions[-1]) if report and report.extractions else None
    org = session.get(Organisation, sub.organisation_id)
    result = run_rules(sub.form if sub.form != "unknown" else None, fields, report_fields,
                       organisation_facts(org, current_cycle(session, org.id)), as_of, rubric_dir=rubric_dir)
    session.execute(delete(Finding).where(Finding.submission_id == sub.id))
    for f in result["findings"]:
        session.add(Finding(organisation_id=sub.organisation_id, submission_id=sub.id, rule=f["rule"],
                            severity=f["severity"], field=f.get("field"), message=f["message"],
                            clause=f.get("clause") or ""))
    sub.status = "eligible" if result["eligible"] else "needs_work"
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
