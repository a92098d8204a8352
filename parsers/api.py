"""parse_bytes / parse_path: sniff, read, classify, extract."""
from __future__ import annotations

import logging
import os
from functools import partial
from pathlib import Path

from . import limits
from .classify import classify
from .docx_reader import read_docx
from .errors import ParseError, corrupt_message, warning, wrong_content
from .extract import blank_optional, fields_from_pairs
from .forms import FORM_KINDS, field_spec, known_label_any, required_fields
from .labels import is_listed, resembles
from .legacy import convert_doc
from .model import Doc
from .pairs import extract_pairs
from .pdf_reader import SCANNED, read_pdf
from .report import read_report
from .result import ParseResult
from .safety import sniff

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
log = logging.getLogger("parsers")


def parse_bytes(data: bytes, filename: str = "", *, max_bytes: int = DEFAULT_MAX_BYTES) -> ParseResult:
    """Parse a filled form or report. Never raises for bad input: see ``.errors``."""
    return parse_document(data, filename, max_bytes=max_bytes)[0]


def parse_document(data: bytes, filename: str = "", *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[ParseResult, Doc | None]:
    """``parse_bytes`` plus the document model it read (None when it could not be read): the
    sandbox keeps the model so that the preview never reads the file again."""
    result = ParseResult(file=filename)
    holder: list[Doc] = []
    try:
        _parse(data, result, max_bytes, holder)
    except ParseError as exc:
        result.errors.append(exc.to_dict())
    except limits.LimitExceeded as exc:
        result.errors.append(exc.to_dict())
    except RecursionError:
        result.errors.append(ParseError("corrupt_file").to_dict())
    except MemoryError:
        result.errors.append(ParseError("parse_memory").to_dict())
    except Exception:  # last line of defence: bad bytes must never surface as a traceback
        log.exception("unexpected parser failure on %r", filename)  # a bug to fix: tests watch for it
        result.errors.append(ParseError("corrupt_file").to_dict())
    if result.form in FORM_KINDS:
        result.missing = [k for k in required_fields(result.form) if k not in result.fields]
    return result, (holder[0] if holder else None)


def parse_path(path, parse=None) -> ParseResult:
    """Parse a file by its path (``parse(data, filename)``: ``parse_bytes`` unless given, e.g.
    ``parsers.ocr.parse_with_ocr`` to OCR scans)."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > DEFAULT_MAX_BYTES:
            res = ParseResult(file=str(path))
            res.errors.append(ParseError("too_large").to_dict())
            return res
        data = p.read_bytes()
    except OSError:
        res = ParseResult(file=str(path))
        res.errors.append(ParseError("corrupt_file", "无法读取文件（文件不存在或没有读取权限）。").to_dict())
        return res
    return (parse or parse_bytes)(data, os.fspath(path))


def read_doc_model(data: bytes, result: ParseResult, max_bytes: int = DEFAULT_MAX_BYTES) -> Doc:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ParseError("unsupported_type")
    data = bytes(data)
    if len(data) > max_bytes:
        raise ParseError("too_large")
    if not data.strip():
        raise ParseError("empty_form")
    kind = sniff(data)
    result.media_type = kind
    ext = os.path.splitext(result.file or "")[1].lower()
    if kind == "pdf":
        try:
            return read_pdf(data)
        except ParseError as exc:
            if exc.code == "no_text_layer" and exc.detail == SCANNED:
                result.scan = {"image_only": True}  # a scan: the upload path has it OCRed
            raise
    if kind == "docx":
        return read_docx(data)
    if kind == "doc":
        return read_docx(convert_doc(data, ext))
    if kind == "zip":
        if ext == ".docx":  # a zip without word/document.xml: a damaged or fake Word file
            raise ParseError("corrupt_file", corrupt_message(ext))
        raise ParseError("unsupported_type", "这是一个 ZIP 压缩包而不是 Word 文档：请上传 .docx 或 PDF 文件。")
    raise wrong_content(ext)  # the name may be right, the content is not that kind of file


def _parse(data: bytes, result: ParseResult, max_bytes: int, holder: list) -> None:
    doc = read_doc_model(data, result, max_bytes)
    holder.append(doc)
    extract_into(doc, result)


def extract_into(doc: Doc, result: ParseResult) -> None:
    """Classify a read document and fill ``result`` (form, fields, provenance, pairs, warnings);
    the OCR of scans (``parsers.ocr``) hands its Doc in here too."""
    if not doc.full_text.strip():
        raise ParseError("empty_form")
    kind, conf = classify(doc)
    result.form, result.form_confidence = kind, conf
    if kind == "report":
        result.fields, result.provenance = read_report(doc)
        # a report's tables (a list of meetings …) still say something; its prose is no pairs
        tables = Doc(source=doc.source, tables=doc.tables, blocks=list(doc.tables))
        result.pairs = [p.to_dict() for p in extract_pairs(tables, known_label_any, strict=False)]
        return
    if kind == "unknown":
        pairs = extract_pairs(doc, known_label_any, strict=False)
    else:
        pairs = extract_pairs(doc, partial(resembles, kind=kind), strict=True, strong=partial(is_listed, kind=kind))
    result.pairs = [p.to_dict() for p in pairs]
    if kind != "unknown":
        result.fields, result.provenance = fields_from_pairs(pairs, kind)
        if not result.fields:
            raise ParseError("empty_form")
        spec = field_spec(kind)
        result.warnings = [warning("missing_optional", key, label=spec[key]["label"])
                           for key in blank_optional(pairs, kind, result.fields)]
