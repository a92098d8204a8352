"""Page plumbing: who may see a page, and turning API errors into form messages."""
from __future__ import annotations

import functools

from flask import redirect, request, url_for

from .. import auth
from ..errors import ApiError


def page(*roles: str):
    """Decorator: the view gets ``user``; anonymous visitors go to the login page, wrong roles get 403."""
    def wrap(view):
        @functools.wraps(view)
        def inner(*args, **kwargs):
            user = auth.current()
            if user is None:
                return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
            if roles and user.role not in roles:
                raise ApiError("forbidden", "您的角色无权访问该页面。", 403)
            return view(user, *args, **kwargs)
        return inner
    return wrap


def form_int(name: str) -> int | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        raise ApiError("invalid", f"{name} 应为整数。", 422)
    return int(raw)


def form_number(name: str) -> float | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ApiError("invalid", f"“{raw}”不是数字。", 422) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ApiError("invalid", f"“{raw}”不是数字。", 422)
    return int(value) if value.is_integer() else value
