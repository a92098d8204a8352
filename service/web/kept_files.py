"""A file chosen in a refused page form is not chosen again (issue 15).

A browser cannot fill a file input again, so when a form with a file is refused after the file arrived (a date
missing, a title too long), the file is kept in the content-addressed file store and the form drawn again says
"已选择：<名称>（<大小>），无需重新选择", with a 重新选择 file input and a 不使用此文件 box. A hidden field
``<name>:kept`` carries a token signed with the app's secret that names the stored file, this browser's server-side
session and the time it was made: only that session can redeem it, for an hour, and nothing else (a digest guessed
or copied from someone's page) attaches a file. The next post without a new file uses the kept one.

A view reads the file with :func:`chosen_file` (a ``multiple`` input: :func:`chosen_files`) inside the attempted use
case (a token that cannot be redeemed is a refusal of the form like any other); ``helpers.kept_form`` keeps what
was chosen (:func:`keep`); the template draws the input with the ``file_field`` macro of ``_file_field.html`` (the
``kept_uploads`` global).
"""
from __future__ import annotations

import hashlib
from typing import Optional

from flask import current_app, g, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..errors import DomainError, Invalid
from ..http import browser_session_key, settings, store

KEPT = ":kept"          # the hidden field of a kept file's token: ``file:kept``
DROP = ":drop"          # a kept file's 不使用此文件 box (its value the token): ``file:drop``
MAX_AGE = 3600          # seconds a kept file can be redeemed
_SALT = "wuhao.kept-file"
_CHOSEN = "wuhao_chosen_files"

EXPIRED = "之前选择的文件已超过1小时，请重新选择文件。"
UNUSABLE = "之前选择的文件无法使用（只能在选择它的登录中使用），请重新选择文件。"


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT)


def _session_mark() -> Optional[str]:
    """This browser's server-side session, as the token names it (a digest: the session's key is not shown)."""
    key = browser_session_key()
    return hashlib.sha256(f"{_SALT}\0{key}".encode()).hexdigest()[:32] if key else None


def chosen_file(name: str = "file") -> Optional[tuple[str, bytes]]:
    """The file of form field ``name`` as ``(file name, bytes)``: the one chosen now, else the one kept from the
    refused post before (its token in ``<name>:kept``) unless 不使用此文件 was ticked, else None. A token that is
    out of date, or not this session's, is refused (``Invalid`` about ``name``)."""
    f = request.files.get(name)
    if f is not None and f.filename:
        return _chose(name, [(f.filename, f.read(), None)])[0]
    kept = _kept(name)[:1]
    return _chose(name, kept)[0] if kept else None


def chosen_files(name: str = "file") -> list[tuple[str, bytes]]:
    """The files of a ``multiple`` file input: those kept from the refused post before (less any whose
    不使用此文件 box is ticked) and those chosen now, as ``(file name, bytes)``; refusals as :func:`chosen_file`."""
    new = [(f.filename, f.read(), None) for f in request.files.getlist(name) if f is not None and f.filename]
    return _chose(name, _kept(name) + new)


def _kept(name: str) -> list[tuple[str, bytes, str]]:
    """The kept files a post names, not dropped: ``(file name, bytes, digest)``."""
    dropped = set(request.form.getlist(name + DROP))
    out = []
    for token in request.form.getlist(name + KEPT):
        if token not in dropped:
            sha, filename = _redeem(token, name)
            out.append((filename, store().read_bytes(sha), sha))
    return out


def _chose(name: str, uploads: list[tuple[str, bytes, Optional[str]]]) -> list[tuple[str, bytes]]:
    """Note what this post chose in ``name`` (for :func:`keep`, should the form be refused)."""
    g.setdefault(_CHOSEN, {})[name] = uploads
    return [(filename, data) for filename, data, _sha in uploads]


def _redeem(token: str, name: str) -> tuple[str, str]:
    try:
        sha, filename, mark = _signer().loads(token, max_age=MAX_AGE)
    except SignatureExpired:
        raise Invalid(EXPIRED, field=name) from None
    except (BadSignature, ValueError, TypeError):
        raise Invalid(UNUSABLE, field=name) from None
    if mark is None or mark != _session_mark() or not store().exists(sha):
        raise Invalid(UNUSABLE, field=name)
    return sha, filename


def keep(error: Optional[DomainError]) -> dict[str, list[dict]]:
    """The files chosen in this refused post, kept in the store: ``{field: [{"token", "name", "size"}, …]}``.
    A file the refusal was about (its field's, or one it names: empty, too large, unreadable) is not kept; nor
    is any without a browser session."""
    detail = (error.detail if error is not None else None) or {}
    refused = {f.get("name") for f in detail.get("files") or () if isinstance(f, dict)}
    mark, limit = _session_mark(), settings().max_upload_bytes
    kept: dict[str, list[dict]] = {}
    for name, uploads in g.get(_CHOSEN, {}).items():
        if name == detail.get("field") or mark is None:
            continue
        for filename, data, sha in uploads:
            if not data or len(data) > limit or filename in refused:
                continue
            sha = sha or store().put_bytes(data)
            kept.setdefault(name, []).append({"token": _signer().dumps([sha, filename, mark]), "name": filename,
                                              "size": len(data)})
    return kept
