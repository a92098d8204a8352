"""Small helpers shared by the API modules: request bodies, query arguments."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import request

from ..errors import ApiError


def json_object() -> dict:
    """The JSON body, which must be an object."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ApiError("invalid", "请求体应为 JSON 对象。", 422)
    return payload


def int_arg(name: str, default: int | None = None, *, minimum: int | None = None,
            maximum: int | None = None) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError("invalid", f"参数 {name} 应为整数。", 422) from None
    if minimum is not None and value < minimum:
        raise ApiError("invalid", f"参数 {name} 不得小于 {minimum}。", 422)
    if maximum is not None and value > maximum:
        value = maximum
    return value


def opt_str(payload: dict, key: str, *, max_len: int = 200, required: bool = False) -> str | None:
    value = payload.get(key)
    if value is None or value == "":
        if required:
            raise ApiError("invalid", f"缺少必填项 {key}。", 422, {"field": key})
        return None
    if not isinstance(value, str):
        raise ApiError("invalid", f"{key} 应为字符串。", 422, {"field": key})
    value = value.strip()
    if required and not value:
        raise ApiError("invalid", f"缺少必填项 {key}。", 422, {"field": key})
    if len(value) > max_len:
        raise ApiError("invalid", f"{key} 过长（最多 {max_len} 个字符）。", 422, {"field": key})
    return value


def opt_int(payload: dict, key: str, *, minimum: int | None = 0, maximum: int | None = None,
            required: bool = False) -> int | None:
    value = payload.get(key)
    if value is None:
        if required:
            raise ApiError("invalid", f"缺少必填项 {key}。", 422, {"field": key})
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError("invalid", f"{key} 应为整数。", 422, {"field": key})
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ApiError("invalid", f"{key} 超出允许范围。", 422, {"field": key})
    return value


def opt_number(payload: dict, key: str, *, minimum: float | None = None, maximum: float | None = None,
               required: bool = False) -> float | None:
    value = payload.get(key)
    if value is None:
        if required:
            raise ApiError("invalid", f"缺少必填项 {key}。", 422, {"field": key})
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise ApiError("invalid", f"{key} 应为数字。", 422, {"field": key})
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ApiError("invalid", f"{key} 超出允许范围（{minimum}–{maximum}）。", 422, {"field": key})
    return value


def opt_date(payload: dict, key: str) -> dt.date | None:
    value = payload.get(key)
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ApiError("invalid_date", f"{key} 应为 YYYY-MM-DD 格式的日期。", 422, {"field": key}) from None


def opt_bool(payload: dict, key: str) -> bool | None:
    value = payload.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise ApiError("invalid", f"{key} 应为 true 或 false。", 422, {"field": key})
    return value


def year_value(value: Any, key: str = "year") -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ApiError("invalid", f"{key} 应为年份（如 2025）。", 422, {"field": key}) from None
    if not 2000 <= year <= 2100:
        raise ApiError("invalid", f"{key} 应在 2000–2100 之间。", 422, {"field": key})
    return year


def filter_by_organisation_arg(query, column, db, user):
    """Narrow ``query`` to ``?organisation_id=`` when given; an id outside the view is a 404."""
    from .. import auth

    org_id = int_arg("organisation_id", minimum=1, maximum=auth.MAX_ID)
    if org_id is None:
        return query
    auth.require_org_access(db, user, org_id)
    return query.where(column == org_id)
