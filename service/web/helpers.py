"""Page plumbing: who may see a page, reading form fields, a use case's refusal as a flashed message."""
from __future__ import annotations

import functools
from typing import Any, Callable

from flask import Blueprint, flash, redirect, request, url_for
from jinja2 import pass_context
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from ..auth import MAX_ID
from ..db import get_session
from ..errors import DomainError, Forbidden, Invalid
from ..http import current
from . import kept_files


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


class Kept(MultiDict):
    """What was typed into a refused form, for the page drawn again instead of a redirect; ``field`` and
    ``message`` say which input the refusal was about (when the use case named one); ``files`` the files chosen
    in it, kept for the next post (``kept_files``)."""
    field: str | None = None
    message: str = ""
    files: dict = {}


def kept_form(error: DomainError | None = None, action: str | None = None) -> Kept:
    """The posted fields (every value of a field given several times, e.g. ticked boxes) and the refusal;
    ``action``: the form's when the post named none (the one form a view takes without it)."""
    kept = Kept(request.form.items(multi=True))
    if action and not kept.get("action"):
        kept["action"] = action
    if error is not None:
        kept.field = (error.detail or {}).get("field")
        kept.message = error.message
    kept.files = kept_files.keep(error)
    return kept


def _kept(context, of: str | None = None) -> Kept | None:
    """The refused form's fields; with ``of``, only when the form posted was the one whose ``action`` is ``of``
    (a page of several forms sharing field names: 姓名 of one is not filled into the other)."""
    kept = context.get("kept")
    if not isinstance(kept, MultiDict) or not kept or (of is not None and kept.get("action") != of):
        return None
    return kept


@pass_context
def typed(context, name: str, default: Any = "", of: str | None = None) -> Any:
    """Template global: the value typed into ``name`` when the form was refused, else ``default`` (also on a
    page of several forms for the fields of the forms that were not posted)."""
    kept = _kept(context, of)
    return default if kept is None or name not in kept else kept.get(name)


@pass_context
def typed_id(context, name: str, default: int | None = None, of: str | None = None) -> int | None:
    """Template global: the id chosen in ``name`` (an organisation picker's) when the form was refused."""
    value = typed(context, name, default, of)
    return int(value) if isinstance(value, str) and value.isdigit() else default if isinstance(value, str) else value


@pass_context
def chosen(context, name: str, value: Any, default: bool = False, of: str | None = None) -> bool:
    """Template global: whether option ``value`` of select ``name`` was chosen when the form was refused."""
    kept = _kept(context, of)
    return default if kept is None or name not in kept else str(value) in kept.getlist(name)


@pass_context
def ticked(context, name: str, value: Any = "1", default: bool = False, of: str | None = None) -> bool:
    """Template global: whether box ``value`` of ``name`` was ticked when the form was refused (a box left
    unticked is absent from the post, so it stays unticked)."""
    kept = _kept(context, of)
    return default if kept is None else str(value) in kept.getlist(name)


@pass_context
def kept_uploads(context, name: str = "file", of: str | None = None) -> list[dict]:
    """Template global: the files chosen in ``name`` when the form was refused, kept for the next post
    (``[{"token", "name", "size"}]``), else []; drawn by the ``file_field`` macro."""
    kept = _kept(context, of)
    return [] if kept is None else getattr(kept, "files", {}).get(name, [])


@pass_context
def flagged(context, name: str, of: str | None = None) -> Markup:
    """Template global: `` aria-invalid="true" aria-describedby=…`` on the input the refusal was about."""
    kept = _kept(context, of)
    if kept is None or kept.field != name:
        return Markup("")
    return Markup(' aria-invalid="true" aria-describedby="refused-%s"') % name


@pass_context
def refusal(context, name: str, of: str | None = None) -> Markup:
    """Template global: the refusal's message next to the input it was about (nothing elsewhere)."""
    kept = _kept(context, of)
    if kept is None or kept.field != name:
        return Markup("")
    return Markup('<span class="field-error" id="refused-%s">%s</span>') % (name, kept.message)


def form_int(name: str, label: str) -> int | None:
    """A whole number typed into field ``name``; a refusal names the field by its Chinese ``label``."""
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        raise Invalid(f"{label}应为整数。", field=name)
    return int(raw)


def form_number(name: str, label: str) -> float | None:
    """A number typed into field ``name``; a refusal names the field by its Chinese ``label``."""
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Invalid(f"{label}“{raw}”不是数字。", field=name) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise Invalid(f"{label}“{raw}”不是数字。", field=name)
    return int(value) if value.is_integer() else value


def form_id(name: str, label: str) -> int | None:
    """An id in a form field (an organisation chosen from a list), ``label`` naming it in a refusal."""
    value = form_int(name, label)
    if value is not None and value > MAX_ID:
        raise Invalid(f"{label}无效。", field=name)
    return value


def uploaded_xlsx() -> bytes:
    """The bytes of the page's one XLSX file field, or a 422 naming the field when none was chosen."""
    f = request.files.get("file")
    if not f or not f.filename:
        raise Invalid("请选择要导入的 XLSX 文件。", field="file")
    return f.read()
