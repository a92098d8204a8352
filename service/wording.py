"""How a person reads a value: dates as 2026年12月1日, times as 2026年12月1日 14:05, scores as 96分.

Pages, exports and messages write values through these, never ``isoformat()`` or ``96.0``.
The date texts themselves are ``vocabulary.cn_date`` / ``cn_datetime`` (the documents' own).
"""
from __future__ import annotations

import datetime as dt

from . import vocabulary



def _moment(value):
    """A datetime from a datetime or an ISO text; None when it is neither."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and len(value.strip()) > 10:
        try:
            return dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def cn_date(value, empty: str = "—") -> str:
    """2026年12月1日 (of a date, a datetime or an ISO text)."""
    if value in (None, ""):
        return empty
    return vocabulary.cn_date(value)


def cn_datetime(value, empty: str = "—") -> str:
    """2026年12月1日 14:05; a bare date reads as a date."""
    if value in (None, ""):
        return empty
    moment = _moment(value)
    return vocabulary.cn_datetime(moment) if moment is not None else vocabulary.cn_date(value)


def number(value, empty: str = "—") -> str:
    """96 for 96.0, 95.5 for 95.5."""
    if value is None or value == "":
        return empty
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:g}" if value != int(value) else str(int(value))
    return str(value)


def score(value, empty: str = "—") -> str:
    """96分."""
    text = number(value, empty)
    return text if text == empty else f"{text}分"


def yes_no(value, empty: str = "—") -> str:
    if value is None:
        return empty
    return "是" if value else "否"


def size(n) -> str:
    """File size: 12.3 KB / 1.2 MB."""
    if n is None:
        return "—"
    if n < 1024:
        return f"{n} 字节"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def cell(value, kind: str = "text"):
    """A value as a list column of ``kind`` shows it (pages and Excel exports alike)."""
    if kind == "date":
        return cn_date(value, "")
    if kind == "datetime":
        return cn_datetime(value, "")
    if kind == "score":
        return score(value, "")
    if kind == "int":
        return number(value, "")
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, float):
        return number(value)
    return "" if value is None else value
