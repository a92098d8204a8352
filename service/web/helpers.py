"""Page plumbing: who may see a page, reading form fields, a use case's refusal as a flashed message."""
from __future__ import annotations

import functools
from typing import Any, Callable

from flask import Blueprint, flash, redirect, request, url_for

from ..auth import MAX_ID
from ..db import get_session
from ..errors import DomainError, Forbidden, Invalid
from ..http import current


def blueprint(name: str, prefix: str = "") -> Blueprint:
    """The blueprint of one area of pages."""
    return Blueprint(name, __name__, url_prefix=prefix or None)


def page(*roles: str):
    """Decorator: the view gets ``user``; anonymous visitors go to the login page, wrong roles get 403."""
    def wrap(view):
        @functools.wraps(view)
        def inner(*args, **kwargs):
            user = current()
            if user is None:
                return redirect(url_for("home.login", next=request.full_path.rstrip("?")))
            if roles and user.role not in roles:
                raise Forbidden("您的角色无权访问该页面。")
            return view(user, *args, **kwargs)
        return inner
    return wrap


def attempt(use_case: Callable, *args, said: str = "") -> tuple[Any, DomainError | None]:
    """Run a use case for a form post: (result, None), or (None, error) with ``said`` + its message flashed.

    What the use case wrote is undone by a savepoint, unless the error is a refusal
    that keeps its record (a refused transition's audit row)."""
    savepoint = get_session().begin_nested()
    try:
        result = use_case(*args)
    except DomainError as exc:
        if exc.keep:
            savepoint.commit()
        else:
            savepoint.rollback()
        flash(said + exc.message, "error")
        return None, exc
    savepoint.commit()
    return result, None


def form_int(name: str) -> int | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        raise Invalid(f"{name} 应为整数。", field=name)
    return int(raw)


def form_number(name: str) -> float | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Invalid(f"“{raw}”不是数字。", field=name) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise Invalid(f"“{raw}”不是数字。", field=name)
    return int(value) if value.is_integer() else value


def form_id(name: str) -> int | None:
    """An id in a form field (an organisation chosen from a list)."""
    value = form_int(name)
    if value is not None and value > MAX_ID:
        raise Invalid(f"{name} 无效。", field=name)
    return value


def uploaded_xlsx() -> bytes:
    """The bytes of the page's one XLSX file field, or a 422 naming the field when none was chosen."""
    f = request.files.get("file")
    if not f or not f.filename:
        raise Invalid("请选择要导入的 XLSX 文件。", field="file")
    return f.read()
