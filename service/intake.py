"""Intake: uploaded files become stored submissions with their first extraction.

Two steps, so that no database lock is held while a file is read (issue 16):

1. ``read`` each file — in the sandbox (``service.parsing``: worker processes with a time and a
   memory budget), outside any transaction — and ``problem_of`` it: empty, too large, or
   unreadable (the parser's code and Chinese message);
2. only when every file of the upload is readable, ``accept`` each one: the bytes, the
   submission, its extraction and the audit row go into the caller's transaction together.

An upload with one bad file stores none of them (all or nothing); the error names each bad file
with its reason, and an ``upload_rejected`` audit row per bad file is all that is written.

A scan or a photo (an image, or a PDF whose pages hold images and no text) is not refused:
it is stored at once with the status 识别中 and an empty extraction, and its OCR job
(``service.batch.ocr``) fills the extraction in a batch worker.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from sqlalchemy.orm import Session

from parsers.forms import field_spec
from parsers.result import ParseResult
from parsers.safety import image_kind

from . import audit, parsing
from .batch import ocr
from .config import Settings
from .errors import Invalid, TooLarge, Unsupported
from .models import Extraction, Organisation, Submission, User
from .storage import FileStore
from .vocabulary import DIMENSIONS, DOMAINS, HONORS

# Errors that mean "this file could not be read at all". Anything else (an empty
# form, say) is stored and reported as findings.
UNREADABLE = {
    "unsupported_type", "legacy_doc", "doc_conversion_failed", "encrypted_pdf", "corrupt_file",
    "zip_bomb", "xml_entities", "no_text_layer", "too_large",
    "parse_timeout", "parse_memory", "parse_failed", "parse_busy", "empty_file",
}
EMPTY_FILE = "文件为空（0 字节或只有空白字符）。"


@dataclass
class Received:
    """One file of an upload, read but not stored yet."""

    name: str
    data: bytes
    result: ParseResult
    scan: bool = False  # an image or a PDF without text: read by OCR in a batch worker

    @property
    def problem(self) -> Optional[dict]:
        """``{"code", "message"}`` when the file cannot be accepted, else None."""
        return next((e for e in self.result.errors if e["code"] in UNREADABLE), None)


def read(settings: Settings, name: str, data: bytes) -> Received:
    """Read one uploaded file (sandboxed, cached by its hash); cheap refusals come first."""
    if not data.strip():  # 0 bytes, or only spaces and line breaks
        result = ParseResult(file=name, errors=[{"code": "empty_file", "message": EMPTY_FILE}])
    elif len(data) > settings.max_upload_bytes:
        mb = settings.max_upload_bytes / 2**20
        result = ParseResult(file=name, errors=[{"code": "too_large",
                                                 "message": f"文件大小超过 {mb:g} MB 的上限。"}])
    elif image_kind(data):  # the magic bytes only: the image is decoded in the OCR worker
        return Received(name, data, ParseResult(file=name, media_type=image_kind(data)), scan=True)
    else:
        result = parsing.result_of(parsing.read(settings, data, name))
        if [e["code"] for e in result.errors] == ["no_text_layer"] and result.scan.get("image_only"):
            return Received(name, data, ParseResult(file=name, media_type="pdf"), scan=True)
    return Received(name, data, result)


def refusal(received: list[Received]) -> Invalid:
    """One error naming every bad file and its reason (the status follows the reasons: 413 when
    all are too large, 415 when all are of an unsupported type, 422 otherwise)."""
    bad = [(r.name, r.problem) for r in received if r.problem]
    codes = {p["code"] for _, p in bad}
    cls = TooLarge if codes == {"too_large"} else Unsupported if codes == {"unsupported_type"} else Invalid
    code = bad[0][1]["code"] if len(bad) == 1 else "invalid_files"
    listed = "；".join(f"{name or '（未命名）'}：{p['message']}" for name, p in bad)
    prefix = "本次上传的文件均未保存。" if len(received) > 1 else ""
    return cls(f"{prefix}{listed}", code, keep=True,
               detail={"files": [{"name": name, "code": p["code"], "message": p["message"]} for name, p in bad]})


def record_refusal(session: Session, user: Optional[User], organisation_id: int, received: list[Received]) -> None:
    for r in received:
        if r.problem:
            audit.record(session, user, "upload_rejected", "submission", None,
                         {"name": r.name, "size": len(r.data), "code": r.problem["code"]},
                         organisation_id=organisation_id)


def accept(
    session: Session,
    store: FileStore,
    user: Optional[User],
    organisation_id: int,
    received: Received,
    *,
    attached_to_id: Optional[int] = None,
    executor: str = "local",
    organisation: Optional[Organisation] = None,
) -> Submission:
    """Store one readable file as a submission with its extraction (flushed, not committed); a
    scan also gets its OCR job (on ``executor``), to be started once the caller commits.
    ``organisation``: the row of ``organisation_id`` when the caller has it (not read again)."""
    result, filename, data = received.result, received.name, received.data
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
        status="recognising" if received.scan else "extracted",
        attached_to_id=attached_to_id,
        extractions=[],
        **({"organisation": organisation} if organisation is not None else {}),
    )
    session.add(sub)
    session.flush()
    # the new rows' collections are given (empty corrections, this extraction), so the answer
    # is written without reading them back inside the write transaction
    sub.extractions.append(
        Extraction(
            submission_id=sub.id,
            form=parsed["form"],
            fields=parsed["fields"],
            provenance=parsed["provenance"],
            missing=parsed["missing"],
            errors=parsed["errors"],
            pairs=result.pairs,
            warnings=result.warnings,
            scan=result.scan,
            corrections=[],
        )
    )
    audit.record(
        session, user, "upload", "submission", sub.id,
        {"name": sub.original_name, "sha256": sha, "form": sub.form, "size": sub.size,
         **({"ocr": True} if received.scan else {})},
        organisation_id=organisation_id,
    )
    if received.scan:
        ocr.create_job(session, sub, executor)
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
