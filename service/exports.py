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


# --- import templates' example rows ------------------------------------------------------------
# Every import that offers a template writes one or more example rows into it. Left in, an example went in as
# real data (评分表: 预算科 96分; 名册: a 党员证 for 张三). The one rule, for every import: a row equal to an
# example row of any template is refused. Templates register their rows here (:func:`template_examples`) and
# the readers ask :func:`example_refusal` of each row as read, before anything else about it.

_EXAMPLES: list = []  # rows, or functions returning rows (an example dated today)


def template_examples(rows):
    """Register a template's example rows (a list of rows, or a function returning them); returns it."""
    _EXAMPLES.append(rows)
    return rows


def _cell_key(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "isoformat"):
        value = value.isoformat()[:10]
    text = "".join(str(value).split())
    return text[1:] if text.startswith("'") else text  # safe_cell's apostrophe


def _row_key(cells) -> tuple:
    out = [_cell_key(v) for v in cells]
    while out and out[-1] == "":
        out.pop()
    return tuple(out)


def example_check():
    """A function ``(row, cells) -> reason or None`` refusing a row equal to any template's example row (its
    cells in the sheet's column order), asked of the sheet's rows in order; take one per import.

    Only the rows at the top of the sheet are examples left in: a template writes its examples right under
    the heading, and the examples name real demo branches and members, so the same record further down is
    real (a 党员纪实表 with 郑海's 主题党日 of 2025年9月8日 in its eighth row was refused as the example)."""
    keys = {_row_key(safe_row(example)) for rows in _EXAMPLES for example in (rows() if callable(rows) else rows)}
    at_top = [True]

    def refusal(row: int, cells) -> str | None:
        key = _row_key(cells)
        if not key:
            return None  # a blank row neither is an example nor ends the top
        if at_top[0] and key in keys:
            return f"第{row}行是模板示例，请删除或改成实际内容"
        at_top[0] = False
        return None
    return refusal
