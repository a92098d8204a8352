"""Checking the plain values a caller hands a use case (a JSON body, a form): ``Invalid`` with the field."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..errors import Invalid
from ..vocabulary import input_name as _n


def _num(value) -> str:
    return "" if value is None else (f"{value:g}" if isinstance(value, float) else str(value))


def opt_str(payload: dict, key: str, *, max_len: int = 200, required: bool = False,
            name: str | None = None) -> str | None:
    """A text, stripped; ``name`` says what it is in a refusal when the key is shared (``title``: 职务 or 活动内容)."""
    value = payload.get(key)
    what = name or _n(key)
    if value is None or value == "":
        if required:
            raise Invalid(f"请填写{what}。", field=key)
        return None
    if not isinstance(value, str):
        raise Invalid(f"{what}应为文字。", field=key)
    value = value.strip()
    if required and not value:
        raise Invalid(f"请填写{what}。", field=key)
    if len(value) > max_len:
        raise Invalid(f"{what}过长（最多 {max_len} 个字）。", field=key)
    return value


#: a telephone number as people write it: 022-68883456, 138 0000 0000, +86 22 6888 3456, 68883456转801
PHONE = re.compile(r"^\+?[\d\s\-－()（）]{7,24}(?:(?:转|分机|ext\.?)\s*\d{1,6})?$")


def is_phone(text: str) -> bool:
    """At least seven digits, and nothing but a telephone number's characters (「abc电话」 is not one)."""
    return bool(PHONE.match(text)) and sum(c.isdigit() for c in text) >= 7


def opt_phone(payload: dict, key: str, *, required: bool = False) -> str | None:
    value = opt_str(payload, key, max_len=40, required=required)
    if value and not is_phone(value):
        raise Invalid(f"{_n(key)}应为电话号码（如022-68883456或13800000000）。", field=key)
    return value


def opt_int(payload: dict, key: str, *, minimum: int | None = 0, maximum: int | None = None,
            required: bool = False) -> int | None:
    value = payload.get(key)
    if value is None:
        if required:
            raise Invalid(f"请填写{_n(key)}。", field=key)
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{_n(key)}应为整数。", field=key)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise Invalid((f"{_n(key)}应在 {minimum} 到 {maximum} 之间。" if minimum is not None and maximum is not None else f"{_n(key)}超出允许范围。"), field=key)
    return value


def opt_number(payload: dict, key: str, *, minimum: float | None = None, maximum: float | None = None,
               required: bool = False, name: str | None = None) -> float | None:
    """A number; ``name`` says what it is in a refusal when the key alone does not (``members``: a score)."""
    value = payload.get(key)
    what = name or _n(key)
    if value is None:
        if required:
            raise Invalid(f"请填写{what}。", field=key)
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise Invalid(f"{what}应为数字。", field=key)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise Invalid(f"{what}应在 {_num(minimum)} 到 {_num(maximum)} 之间。", field=key)
    return value


def opt_strings(payload: dict, key: str, *, max_items: int = 100, max_len: int = 300,
                name: str | None = None) -> list[str]:
    """A list of texts (findings, problems, members): each stripped, blanks dropped, bounded in count and length."""
    value = payload.get(key) or []
    what = name or _n(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value) or len(value) > max_items:
        raise Invalid(f"{what}应为文字列表（最多 {max_items} 项）。", field=key)
    out = [v.strip() for v in value if v.strip()]
    if any(len(v) > max_len for v in out):
        raise Invalid(f"{what}中有一项过长（最多 {max_len} 个字）。", field=key)
    return out


def opt_date(payload: dict, key: str, *, name: str | None = None) -> dt.date | None:
    """A date; ``name`` says which one in a refusal when the key is shared (``held_on``: 活动日期 or 开展日期)."""
    value = payload.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(f"{name or _n(key)}应为日期，如 2026-03-31。", "invalid_date", field=key) from None


def opt_bool(payload: dict, key: str) -> bool | None:
    value = payload.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise Invalid(f"{_n(key)}应为“是”或“否”。", field=key)
    return value


def year_value(value: Any, key: str = "year") -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise Invalid(f"{_n(key)}应为年份（如 2025）。", field=key) from None
    if not 2000 <= year <= 2100:
        raise Invalid(f"{_n(key)}应在 2000 到 2100 之间。", field=key)
    return year
