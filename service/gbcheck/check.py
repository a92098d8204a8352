"""One entry point for any file: sniff its type, measure it, return plain data."""
from __future__ import annotations

from pathlib import Path

from parsers.errors import ParseError
from parsers.safety import sniff

from . import docx, layout, pages
from .convert import to_pdf
from .errors import LintError
from .rules import is_layout_rule

MAX_BYTES = 50 * 1024 * 1024
"""50 MB: a 100-page 公文 with images is a few MB; more is not a document a clerk checks."""

_PARSE_CODES = {"encrypted_pdf": "encrypted", "corrupt_file": "corrupt_file", "zip_bomb": "zip_bomb",
                "xml_entities": "xml_entities", "unsupported_type": "unsupported_type"}


def lint(data: bytes, name: str = "", *, layout_docx: bool = False) -> dict:
    """Problems of one file; ``layout_docx`` also lays a DOCX out with LibreOffice."""
    result = {"file": name, "problems": []}
    try:
        result["problems"], result["format"] = _problems(data, layout_docx)
        result["problems"].sort(key=lambda p: (p["page"] or 0, p.get("paragraph") or 0))
    except LintError as exc:
        result["error"] = exc.to_dict()
    except ParseError as exc:
        err = LintError(_PARSE_CODES.get(exc.code, "corrupt_file"))
        result["error"] = err.to_dict()
    return result


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


def _problems(data: bytes, layout_docx: bool) -> tuple[list[dict], str]:
    if len(data) > MAX_BYTES:
        raise LintError("too_large", limit="50 MB")
    kind = sniff(data)
    if kind == "pdf":
        return pages.check(layout.read(data)), "pdf"
    if kind == "docx":
        found = docx.check(docx.read(data))
        if layout_docx:
            found += _laid_out(data, found)
        return found, "docx"
    if kind == "doc":
        raise LintError("unsupported_type")
    raise LintError("unsupported_type")


def _laid_out(data: bytes, found: list[dict]) -> list[dict]:
    """The layout-only rules, read from LibreOffice's PDF of the DOCX (faces are this machine's, so
    font rules are skipped), for rules the DOCX's own settings have not already reported."""
    pdf = to_pdf(data)
    if pdf is None:
        return [_note("layout_failed")]
    already = {p["rule"] for p in found}
    return [p for p in pages.check(layout.read(pdf), fonts=False)
            if is_layout_rule(p["rule"]) and p["rule"] not in already]


def _note(code: str) -> dict:
    err = LintError(code)
    return {"rule": code, "clause": "", "severity": "warning", "page": None, "message": err.message}
