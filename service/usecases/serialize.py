"""Plain-dict views of the models, shared by the API and the pages."""
from __future__ import annotations

from ..intake import effective_fields
from ..models import Extraction, Finding, Organisation, Submission, User
from ..vocabulary import SUBMISSION_STATUSES


def iso(value):
    return value.isoformat() if value is not None else None


def organisation(o: Organisation) -> dict:
    return {
        "id": o.id, "parent_id": o.parent_id, "name": o.name, "kind": o.kind, "domain": o.domain,
        "code": o.code, "member_count": o.member_count, "secretary": o.secretary,
        "contact_person": o.contact_person, "contact_phone": o.contact_phone,
        "directly_under": o.directly_under,
    }


def user(u: User, full: bool = False) -> dict:
    out = {"id": u.id, "username": u.username, "display_name": u.display_name, "role": u.role,
           "organisation_id": u.organisation_id}
    if full:
        out.update(active=u.active, organisation_name=u.organisation.name if u.organisation else None,
                   locked_until=iso(u.locked_until), email=u.email,
                   created_at=iso(u.created_at))
    return out


def extraction(e: Extraction) -> dict:
    return {
        "id": e.id,
        "form": e.form,
        "fields": effective_fields(e),
        "original_fields": e.fields,
        "provenance": e.provenance,
        "missing": e.missing,
        "errors": e.errors,
        "pairs": e.pairs,
        "warnings": e.warnings or [],
        "scan": {k: v for k, v in (e.scan or {}).items() if k != "model_sha256"},
        "corrections": [
            {"field": c.field, "old_value": c.old_value, "new_value": c.new_value,
             "corrected_by_id": c.corrected_by_id, "corrected_at": iso(c.corrected_at)}
            for c in e.corrections
        ],
        "created_at": iso(e.created_at),
    }


def finding(f: Finding) -> dict:
    return {"rule": f.rule, "severity": f.severity, "field": f.field, "message": f.message,
            "clause": f.clause}


def submission(s: Submission, findings: list[Finding] | None = None, full: bool = True) -> dict:
    out = {
        "id": s.id,
        "organisation_id": s.organisation_id,
        "organisation_name": s.organisation.name if s.organisation else None,
        "original_name": s.original_name,
        "media_type": s.media_type,
        "size": s.size,
        "sha256": s.sha256,
        "form": s.form,
        "status": s.status,
        "status_name": SUBMISSION_STATUSES.get(s.status, s.status),
        "review_comment": s.review_comment or "",
        "decided_at": iso(s.decided_at),
        "attached_to_id": s.attached_to_id,
        "uploaded_by_id": s.uploaded_by_id,
        "uploaded_at": iso(s.uploaded_at),
    }
    if full:
        latest = s.extractions[-1] if s.extractions else None
        out["extraction"] = extraction(latest) if latest else None
        out["findings"] = [finding(f) for f in (findings or [])]
    return out
