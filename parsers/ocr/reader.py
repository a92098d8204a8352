"""The OCR parse: a scan or photo -> ParseResult, through the same extraction as text files.

Kept out of ``parsers.api`` on purpose: the sandbox's workers (``parsers.sandbox``, 1 GiB, 4 s)
import ``parsers.api`` and must not load OpenCV and ONNX Runtime; OCR runs where a worker can
afford seconds and a gigabyte (a batch executor, the command line).
"""
from __future__ import annotations

import logging
import os
from typing import Callable

from ..api import DEFAULT_MAX_BYTES, extract_into, parse_bytes
from ..errors import ParseError
from ..forms import FORM_KINDS, required_fields
from ..model import Doc
from ..result import ParseResult
from ..safety import image_kind
from .engine import OcrUnavailable
from .scan import Limits, read_scan_doc

log = logging.getLogger("parsers.ocr")


def read_scan(data: bytes, filename: str = "", limits: Limits | None = None, *,
              max_bytes: int = DEFAULT_MAX_BYTES) -> ParseResult:
    """OCR a scanned PDF or an image and extract its fields (seconds a page). Never raises for
    bad input; the image's facts (seals = 盖章, deskew, OCR time) are in ``result.scan``."""
    return read_scan_document(data, filename, limits, max_bytes=max_bytes)[0]


def read_scan_document(data: bytes, filename: str = "", limits: Limits | None = None, *,
                       max_bytes: int = DEFAULT_MAX_BYTES,
                       progress: Callable[[int, int], None] | None = None) -> tuple[ParseResult, Doc | None]:
    """``read_scan`` plus the document model OCR built (None when nothing was read), for the
    preview; ``progress(pages read, pages to read)`` as the pages are done."""
    result = ParseResult(file=filename)
    doc = None
    try:
        if len(data) > max_bytes:
            raise ParseError("too_large")
        doc, facts, kind = read_scan_doc(bytes(data), limits, os.path.splitext(filename or "")[1].lower(), progress)
        result.media_type = kind
        result.scan = facts.to_dict()
        extract_into(doc, result)
    except ParseError as exc:
        result.errors.append(exc.to_dict())
    except OcrUnavailable:
        log.exception("the OCR models do not load")
        result.errors.append(ParseError("no_text_layer").to_dict())
    except MemoryError:
        result.errors.append(ParseError("parse_memory").to_dict())
    except Exception:  # bad pixels must never surface as a traceback
        log.exception("unexpected OCR failure on %r", filename)
        result.errors.append(ParseError("corrupt_file").to_dict())
    if result.form in FORM_KINDS:
        result.missing = [k for k in required_fields(result.form) if k not in result.fields]
    return result, doc


def parse_with_ocr(data: bytes, filename: str = "", limits: Limits | None = None, *,
                   max_bytes: int = DEFAULT_MAX_BYTES) -> ParseResult:
    """The text readers for a file with text; OCR only for a scan (an image, or a PDF whose
    pages hold images and no text). A text file costs no more than ``parse_bytes``: the text
    readers run first and say when a PDF is a scan."""
    if image_kind(data):
        return read_scan(data, filename, limits, max_bytes=max_bytes)
    result = parse_bytes(data, filename, max_bytes=max_bytes)
    if [e["code"] for e in result.errors] == ["no_text_layer"] and result.scan.get("image_only"):
        return read_scan(data, filename, limits, max_bytes=max_bytes)
    return result
