"""The request scope shared by the API and the pages: who is asking, one error shape, one unit of work.

* The caller comes from ``Authorization: Bearer <token>`` or the signed session cookie
  (Flask-Login); every form post of a cookie session carries the CSRF token.

* Domain errors become HTTP statuses here and nowhere else (``STATUS``), as
  ``{"error": {"code", "message"}}`` for the API and as an HTML page for browsers.
* The request's database session is committed once, after the view, when the
  response succeeded (or the error is a refusal that keeps its record); otherwise it
  is rolled back. Use cases and views never commit.
"""
from __future__ import annotations

import hmac
import logging
import secrets
import time
from typing import Optional

from flask import Flask, current_app, g, jsonify, render_template, request, session
from flask_login import LoginManager, current_user, login_user, logout_user
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import NotFound as UrlNotFound
from werkzeug.routing import Rule

from . import auth, errors
from .config import MAX_UPLOAD_FILES, Settings, settings_of
from .db import close_session, get_session, is_busy
from .models import User
from .storage import FileStore, store_for

log = logging.getLogger(__name__)

STATUS = {
    errors.BadRequest: 400, errors.Unauthorized: 401, errors.Forbidden: 403, errors.NotFound: 404,
    errors.Conflict: 409, errors.TooLarge: 413, errors.Unsupported: 415, errors.Invalid: 422,
    errors.Throttled: 429, errors.Broken: 500, errors.Busy: 503,
}
RETRY_AFTER_SECONDS = "2"
BUSY = ("database_busy", "系统正忙，请稍后重试。")

HTTP_CODES = {
    400: ("bad_request", "请求格式不正确。"),
    401: ("unauthorized", "请先登录或提供有效的访问令牌。"),
    403: ("forbidden", "您无权访问该资源。"),
    404: ("not_found", "未找到该资源。"),
    405: ("method_not_allowed", "不支持该请求方法。"),
    409: ("conflict", "操作与当前状态冲突。"),
    413: ("too_large", "上传的文件过大。"),
    415: ("unsupported_type", "不支持的文件类型。"),
    422: ("invalid", "提交的内容无法处理。"),
    429: ("too_many_requests", "请求过于频繁，请稍后再试。"),
    500: ("internal_error", "服务器内部错误，请联系管理员。"),
}


def settings() -> Settings:
    """This app's frozen settings."""
    return settings_of(current_app)


def store() -> FileStore:
    """This app's file store."""
    return store_for(settings().data_dir)


# --- who is asking -------------------------------------------------------------------

login_manager = LoginManager()
login_manager.login_view = "home.login"
login_manager.login_message = "请先登录。"


class LoginUser:
    """Adapter between the ``User`` row and Flask-Login."""

    def __init__(self, user: User):
        self.user = user

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.user.id)


SESSION_KEY = "sid"    # the server-side session's key in the signed cookie
SEEN_KEY = "seen"     # when this browser last asked for anything (epoch seconds), for the idle timeout


@login_manager.user_loader
def _load_user(user_id: str):
    """The cookie's user, only while its server-side session lives (ended by signing out, by a
    password change or reset, by its expiry) and the browser has not been idle too long."""
    if not user_id.isdigit():
        return None
    found = auth.session_user(get_session(), session.get(SESSION_KEY, ""))
    if found is None or found[0].id != int(user_id):
        return None
    return LoginUser(found[0])


def _idle_timeout() -> None:
    """A browser idle past ``session_minutes`` is signed out (its server-side session ended)."""
    seen = session.get(SEEN_KEY)
    now = int(time.time())
    if SESSION_KEY in session and isinstance(seen, int) and now - seen > settings().session_minutes * 60:
        # the cookie is dropped; a saved copy carries the same old time and is refused the same way
        session.clear()
        g.session_expired = True
    elif SESSION_KEY in session and request.endpoint != "static":
        session[SEEN_KEY] = now


def begin_browser_session(user: User) -> None:
    """After a successful sign-in: a fresh cookie carrying a new server-side session's key."""
    session.clear()  # a fresh session (and CSRF token)
    session[SESSION_KEY] = auth.start_session(get_session(), user, request.remote_addr or "",
                                              settings().session_hours)
    session[SEEN_KEY] = int(time.time())
    login_user(LoginUser(user))


def end_browser_session() -> None:
    """Signing out: the server-side session ends, so a saved copy of the cookie is worthless."""
    if session.get(SESSION_KEY):
        auth.end_session(get_session(), session[SESSION_KEY])
    logout_user()
    session.clear()


def browser_session_key() -> Optional[str]:
    return session.get(SESSION_KEY)


def current() -> Optional[User]:
    """The user of this request, from a bearer token or the session cookie.

    A token past its expiry or revoked is no token (401); a read-only token that tries to
    write is refused (403)."""
    if "wuhao_user" in g:
        return g.wuhao_user
    user = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        found = auth.token_owner(get_session(), header[7:].strip())
        if found is not None:
            user, row = found
            if not auth.token_allows(row, request.method):
                g.wuhao_user = None
                raise errors.Forbidden("该令牌只有读取权限，不能修改数据。", "token_read_only")
    elif current_user and current_user.is_authenticated:
        user = current_user.user
    g.wuhao_user = user
    return user


def csp_nonce() -> str:
    """This response's nonce for inline scripts (the CSP allows no other inline script)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy() -> str:
    return ("default-src 'self'; "
            f"script-src 'self' 'nonce-{csp_nonce()}'; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; "
            "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", content_security_policy())
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def require_user(*roles: str) -> User:
    """The caller of this request; 401 without one, 403 with another role."""
    user = current()
    if user is None:
        raise errors.Unauthorized("请先登录或提供有效的访问令牌。")
    return auth.require_role(user, *roles)


# --- request hygiene -------------------------------------------------------------------

def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _check_csrf() -> None:
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.headers.get("Authorization", "").startswith("Bearer "):
        return  # token requests carry no ambient credentials
    if request.endpoint in (None, "static"):
        return
    if request.path.startswith("/api/") and not (current_user and current_user.is_authenticated):
        return  # no session, no ambient credentials: the API answers 401 itself
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent, expected):
        raise errors.BadRequest("页面已过期或请求来源无效，请刷新页面后重试。", "csrf_failed")


def _bound_ids(endpoint, values) -> None:
    """An id beyond any database integer is simply not found (never a database error)."""
    for value in (values or {}).values():
        if isinstance(value, int) and not isinstance(value, bool) and not 0 <= value <= auth.MAX_ID:
            raise UrlNotFound()


def _has_nul(value, depth: int = 0) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if depth > 20:
        return False
    if isinstance(value, dict):
        return any(_has_nul(k, depth + 1) or _has_nul(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v, depth + 1) for v in value)
    return False


def _refuse_nul() -> None:
    """NUL characters are never valid input (and PostgreSQL text cannot hold them)."""
    if request.method in ("GET", "HEAD") and "\x00" not in request.query_string.decode("latin-1") \
            and "%00" not in request.query_string.decode("latin-1"):
        return
    parts = list(request.args.values())
    if request.method not in ("GET", "HEAD"):
        parts += list(request.form.values()) + [f.filename or "" for f in request.files.values()]
        if request.is_json:
            parts.append(request.get_json(silent=True))
    if any(_has_nul(p) for p in parts):
        raise errors.Invalid("请求中含有不允许的控制字符。", "invalid_characters")


def status_of(exc: errors.DomainError) -> int:
    return next(STATUS[cls] for cls in type(exc).__mro__ if cls in STATUS)


def keep_changes() -> None:
    """Commit this request's changes although its response is an error (a failed sign-in's counter)."""
    g.wuhao_keep = True


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_response(code: str, message: str, status: int, detail: dict | None = None):
    if _wants_json():
        body = {"error": {"code": code, "message": message}}
        if detail:
            body["error"]["detail"] = detail
        return jsonify(body), status
    return render_template("error.html", code=code, message=message, status=status), status


def _unit_of_work(response):
    session = g.get("db_session")
    if session is not None:
        if response.status_code < 400 or g.get("wuhao_keep"):
            session.commit()
        else:
            session.rollback()
    return response


class SharedBuilderRule(Rule):
    """A URL rule whose two URL-building functions are compiled once per process, not once per app.

    werkzeug writes each rule's builders as Python source (an AST) and compiles them when the rule
    is added: for our ~270 rules that was 0.15 s of the 0.18 s of CPU a ``create_app`` costs, paid
    again by every app of a process (each test makes one). The function depends only on the rule's
    parts (``_trace``), its defaults and whether unknown arguments are appended; it reaches the
    rule's own converters through its first argument, so one function serves every app's copy of
    the rule. Rules with defaults are compiled as before."""

    _builders: dict[tuple, object] = {}
    _parsed: dict[tuple, tuple] = {}

    def compile(self) -> None:
        """The rule's parts, trace and converters as werkzeug parses them, parsed once per process:
        the parse was half of the CPU a ``create_app`` cost after the builders were shared. A copy
        of each converter is bound to this rule's map."""
        key = (self.rule, self.subdomain, self.host, self.merge_slashes, self.map.host_matching,
               tuple(sorted(self.map.converters.items())))
        parsed = self._parsed.get(key)
        if parsed is None:
            super().compile()
            self._parsed[key] = (list(self._parts), list(self._trace), dict(self._converters))
            return
        parts, trace, converters = parsed
        self._parts, self._trace = list(parts), list(trace)
        self._converters = {}
        for name, converter in converters.items():
            bound = self._converters[name] = object.__new__(type(converter))
            bound.__dict__.update(converter.__dict__, map=self.map)
        self.arguments |= set(converters)
        self._build = self._compile_builder(False).__get__(self, None)
        self._build_unknown = self._compile_builder(True).__get__(self, None)

    def _compile_builder(self, append_unknown: bool = True):
        if self.defaults:
            return super()._compile_builder(append_unknown)
        key = (self.rule, tuple(self._trace), append_unknown)
        builder = self._builders.get(key)
        if builder is None:
            builder = self._builders[key] = super()._compile_builder(append_unknown)
        return builder


def init_app(app: Flask) -> None:
    app.url_rule_class = SharedBuilderRule  # before the API and the pages add their rules
    login_manager.init_app(app)
    app.url_value_preprocessor(_bound_ids)
    app.before_request(_idle_timeout)
    app.before_request(_refuse_nul)
    app.before_request(_check_csrf)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.jinja_env.globals["session_timeout_minutes"] = lambda: settings().session_minutes
    app.after_request(_security_headers)
    app.jinja_env.globals["current_account"] = current
    app.after_request(_unit_of_work)
    app.teardown_appcontext(close_session)

    @app.errorhandler(errors.DomainError)
    def _domain_error(exc: errors.DomainError):
        if exc.keep:
            keep_changes()
        response = app.make_response(error_response(exc.code, exc.message, status_of(exc), exc.detail))
        if response.status_code == 503:
            response.headers["Retry-After"] = RETRY_AFTER_SECONDS
        return response

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        code, message = HTTP_CODES.get(status, ("http_error", exc.description or "请求失败。"))
        if status == 413:
            message = (f"上传的文件过大：单个文件不得超过 {settings().max_upload_bytes / 2**20:g} MB，"
                       f"每次最多上传 {MAX_UPLOAD_FILES} 个文件。")
        return error_response(code, message, status)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if is_busy(exc):  # a lock not granted within the busy timeout: a retry will do
            log.warning("database busy on %s %s: %s", request.method, request.path, exc)
            response = app.make_response(error_response(*BUSY, 503))
            response.headers["Retry-After"] = RETRY_AFTER_SECONDS
            return response
        log.exception("unhandled error on %s %s", request.method, request.path)
        code, message = HTTP_CODES[500]
        return error_response(code, message, 500)
