"""Spreadsheet cells from user data never become formulas (CSV/formula injection).

Excel, WPS and LibreOffice start a formula at a cell beginning with ``=``, ``+``, ``-`` or
``@`` — also their full-width forms (``＝＋－＠``, which they fold to ASCII), and also after a
leading tab, carriage return, line feed or (full-width) space that they strip first.  A roster
name ``=HYPERLINK("http://…"&A1,"点我")`` would otherwise be a live link in the register of
33,000 party cards.  :func:`safe_cell` is the one guard: every XLSX and CSV export in the
service passes each value it writes through it (a test scans every export for live cells).
"""
from __future__ import annotations

import re
import unicodedata

#: first characters (after NFKC folding and stripping blanks) that start a formula
FORMULA_STARTS = ("=", "+", "-", "@")
_BLANKS = " \t\r\n\u3000\u00a0"
#: control characters an XLSX cell cannot hold (openpyxl refuses them with an exception, which
#: made an export of a name typed with one a 500); tab, LF and CR are allowed
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def is_formula_like(value) -> bool:
    """Whether a spreadsheet would read ``value`` as a formula (or as the start of one)."""
    if not isinstance(value, str) or not value:
        return False
    if value[0] in "\t\r\n":
        return True
    head = unicodedata.normalize("NFKC", value.lstrip(_BLANKS)[:1])
    return head[:1] in FORMULA_STARTS


def safe_cell(value):
    """``value`` as a spreadsheet cell that cannot be a formula: text that would start one gets
    a leading apostrophe (OWASP's advice; shown, never evaluated).  Numbers, dates and
    ``None`` pass unchanged: they are data, not text.  Control characters no sheet can hold
    are dropped."""
    if isinstance(value, str):
        value = _ILLEGAL.sub("", value)
    if is_formula_like(value):
        return "'" + value
    return value


def safe_row(values) -> list:
    return [safe_cell(v) for v in values]
