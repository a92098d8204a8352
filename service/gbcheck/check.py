"""One entry point for any file: sniff its type, measure it, return plain data."""
from __future__ import annotations

import logging
from pathlib import Path

from parsers.errors import ParseError
from parsers.safety import sniff

from . import docx, layout, pages
from .convert import to_pdf
from .errors import LintError
from .rules import is_layout_rule

log = logging.getLogger(__name__)

MAX_BYTES = 50 * 1024 * 1024
"""50 MB: a 100-page 公文 with images is a few MB; more is not a document a clerk checks."""

_PARSE_CODES = {"encrypted_pdf": "encrypted", "corrupt_file": "corrupt_file", "zip_bomb": "zip_bomb",
                "xml_entities": "xml_entities", "unsupported_type": "unsupported_type"}


def lint(data: bytes, name: str = "", *, layout_docx: bool = False) -> dict:
    """Problems of one file; ``layout_docx`` also lays a DOCX out with LibreOffice."""
    return inspect(data, name, layout_docx=layout_docx)[0]


def inspect(data: bytes, name: str = "", *, layout_docx: bool = True) -> tuple[dict, bytes | None]:
    """``lint``'s result and the PDF its page numbers and boxes refer to (the file itself, or
    LibreOffice's layout of a DOCX; None when there is none) — for drawing the problems on pages."""
    result = {"file": name, "problems": []}
    laid: list[bytes | None] = [None]
    try:
        result["problems"], result["format"] = _problems(data, layout_docx, laid)
        result["problems"].sort(key=lambda p: (p["page"] or 0, p.get("paragraph") or 0))
    except LintError as exc:
        result["error"] = exc.to_dict()
    except ParseError as exc:
        err = LintError(_PARSE_CODES.get(exc.code, "corrupt_file"))
        result["error"] = err.to_dict()
    except Exception:  # a fault of the checker, not of the file: logged, and a coded answer
        log.exception("wuhao lint failed on %s", name)
        result["problems"] = []
        result["error"] = LintError("check_failed").to_dict()
    return result, laid[0]


def lint_path(path: str | Path, *, layout_docx: bool = False) -> dict:
    p = Path(path)
    try:
        if p.stat().st_size > MAX_BYTES:
            return {"file": str(path), "problems": [],
                    "error": LintError("too_large", limit="50 MB").to_dict()}
        data = p.read_bytes()
    except OSError:
        return {"file": str(path), "problems": [], "error": LintError("not_found").to_dict()}
    return lint(data, str(path), layout_docx=layout_docx)


def _problems(data: bytes, layout_docx: bool, laid: list) -> tuple[list[dict], str]:
    if len(data) > MAX_BYTES:
        raise LintError("too_large", limit="50 MB")
    kind = sniff(data)
    if kind == "pdf":
        found = pages.check(layout.read(data))
        laid[0] = data
        return found, "pdf"
    if kind == "docx":
        found = docx.check(docx.read(data))
        if layout_docx:
            found += _laid_out(data, found, laid)
        return found, "docx"
    raise LintError("unsupported_type")


def _laid_out(data: bytes, found: list[dict], laid: list) -> list[dict]:
    """The layout-only rules, read from LibreOffice's PDF of the DOCX (faces are this machine's, so
    font rules are skipped), for rules the DOCX's own settings have not already reported."""
    pdf = to_pdf(data)
    if pdf is None:
        return [_note("layout_failed")]
    laid[0] = pdf
    already = {p["rule"] for p in found}
    try:
        measured = pages.check(layout.read(pdf), fonts=False)
    except LintError:
        laid[0] = None
        return [_note("layout_failed")]
    return [p for p in measured
            if is_layout_rule(p["rule"]) and p["rule"] not in already]


def _note(code: str) -> dict:
    err = LintError(code)
    return {"rule": code, "clause": "", "severity": "warning", "page": None, "message": err.message}
