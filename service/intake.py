"""Intake: an uploaded file becomes a stored submission with its first extraction.

All or nothing: the bytes are stored, the parser runs, and the submission, the
extraction and the audit row are added to the caller's transaction together. A file
the readers cannot read is refused with the parser's error code and a Chinese
message; nothing but an ``upload_rejected`` audit row is written for it (the
refusal keeps that row: the caller's unit of work commits it).
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy.orm import Session

from parsers import parse_bytes
from parsers.forms import field_spec

from . import audit
from .errors import Invalid, TooLarge, Unsupported
from .models import Extraction, Submission, User
from .storage import FileStore
from .vocabulary import DIMENSIONS, DOMAINS, HONORS

# Errors that mean "this file could not be read at all". Anything else (an empty
# form, say) is stored and reported as findings.
UNREADABLE = {
    "unsupported_type", "legacy_doc", "doc_conversion_failed", "encrypted_pdf", "corrupt_file",
    "zip_bomb", "xml_entities", "no_text_layer", "too_large",
}
ERROR_FOR_CODE = {"too_large": TooLarge, "unsupported_type": Unsupported}


def receive(
    session: Session,
    store: FileStore,
    user: Optional[User],
    organisation_id: int,
    filename: str,
    data: bytes,
    *,
    max_bytes: int,
    attached_to_id: Optional[int] = None,
) -> Submission:
    result = parse_bytes(data, filename, max_bytes=max_bytes)
    fatal = [e for e in result.errors if e["code"] in UNREADABLE]
    if fatal:
        err = fatal[0]
        audit.record(
            session, user, "upload_rejected", "submission", None,
            {"name": filename, "size": len(data), "code": err["code"]},
            organisation_id=organisation_id,
        )
        raise ERROR_FOR_CODE.get(err["code"], Invalid)(err["message"], err["code"], keep=True)

    sha = store.put_bytes(data)
    parsed = result.to_dict()
    sub = Submission(
        organisation_id=organisation_id,
        uploaded_by_id=getattr(user, "id", None),
        original_name=(filename or "upload")[:255],
        media_type=result.media_type or "unknown",
        size=len(data),
        sha256=sha,
        form=parsed["form"],
        status="extracted",
        attached_to_id=attached_to_id,
    )
    session.add(sub)
    session.flush()
    session.add(
        Extraction(
            submission_id=sub.id,
            form=parsed["form"],
            fields=parsed["fields"],
            provenance=parsed["provenance"],
            missing=parsed["missing"],
            errors=parsed["errors"],
            pairs=result.pairs,
        )
    )
    audit.record(
        session, user, "upload", "submission", sub.id,
        {"name": sub.original_name, "sha256": sha, "form": sub.form, "size": sub.size},
        organisation_id=organisation_id,
    )
    session.flush()
    return sub


def effective_fields(extraction: Extraction) -> dict:
    """The extracted fields with the reviewers' corrections applied."""
    fields = dict(extraction.fields or {})
    for c in extraction.corrections:
        if c.new_value is None:
            fields.pop(c.field, None)
        else:
            fields[c.field] = c.new_value
    return fields


def correction_problem(form: str, key: str, value) -> Optional[str]:
    """Why a reviewer's corrected value does not fit the field contract (None if it fits)."""
    try:
        spec = field_spec(form)
    except (KeyError, ValueError):
        spec = {}
    if key not in spec:
        return f"字段 {key} 不属于此类表单。"
    if value is None:
        return None  # clearing a field is allowed
    kind = spec[key].get("type", "str")
    label = spec[key].get("label", key)
    ok = {
        "str": lambda v: isinstance(v, str) and v.strip() != "",
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
        "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "bool": lambda v: isinstance(v, bool),
        "domain": lambda v: v in DOMAINS,
        "honor": lambda v: v in HONORS,
        "list": lambda v: isinstance(v, list),
        "scores": lambda v: isinstance(v, dict) and set(v) <= set(DIMENSIONS)
        and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v.values()),
    }
    if kind == "date":
        try:
            dt.date.fromisoformat(value)
            return None
        except (TypeError, ValueError):
            return f"{label}应为 YYYY-MM-DD 格式的日期。"
    check = ok.get(kind, ok["str"])
    if not check(value):
        return f"{label}的取值不符合要求（应为 {kind} 类型）。"
    return None
