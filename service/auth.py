"""Who is asking, and what may they see.

Pages use a signed session cookie (Flask-Login) with a CSRF token on every form;
the JSON API also accepts ``Authorization: Bearer <token>``. Visibility is by
organisation subtree: an admin sees everything, a reviewer its own subtree, a
branch only itself. Every object lookup goes through ``require_org_access``.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta, timezone
from typing import Iterable, Optional

from flask import Flask, g, request, session
from flask_login import LoginManager, current_user
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from .db import get_session
from .errors import ApiError
from .models import Organisation, User

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
# Per client address: at most this many failed logins in the window, whatever the account.
IP_MAX_FAILURES = 20
IP_WINDOW_SECONDS = 300

login_manager = LoginManager()
login_manager.login_view = "web.login"
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


@login_manager.user_loader
def _load_user(user_id: str):
    user = get_session().get(User, int(user_id)) if user_id.isdigit() else None
    return LoginUser(user) if user and user.active else None


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_api_token(user: User) -> str:
    """Give the user a fresh API token; only its hash is stored."""
    token = "wh_" + secrets.token_urlsafe(32)
    user.api_token_hash = hash_token(token)
    return token


def authenticate(session_db, username: str, password: str) -> tuple[Optional[User], Optional[str]]:
    """Check a password with a per-account lock after repeated failures.

    Returns (user, None) on success or (None, chinese_reason).
    """
    user = session_db.execute(select(User).where(User.username == username)).scalar_one_or_none()
    now = datetime.now(timezone.utc)
    if user is None or not user.active:
        check_password_hash(hash_password("x"), password)  # same cost as a real check
        return None, "用户名或密码错误。"
    locked_until = user.locked_until
    if locked_until is not None and locked_until.tzinfo is None:
        locked_until = locked_until.replace(tzinfo=timezone.utc)
    if locked_until and locked_until > now:
        return None, f"登录失败次数过多，账户已锁定，请于 {LOCK_MINUTES} 分钟后再试。"
    if not check_password_hash(user.password_hash, password):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
        return None, "用户名或密码错误。"
    user.failed_logins = 0
    user.locked_until = None
    return user, None


class _IpThrottle:
    """Failed logins per client address in a sliding window (in memory, per process)."""

    def __init__(self):
        import threading

        self._lock = threading.Lock()
        self._fails: dict[str, list[float]] = {}

    def _recent(self, addr: str, now: float) -> list[float]:
        times = [t for t in self._fails.get(addr, []) if now - t < IP_WINDOW_SECONDS]
        self._fails[addr] = times
        return times

    def blocked(self, addr: str) -> bool:
        import time

        with self._lock:
            return len(self._recent(addr, time.monotonic())) >= IP_MAX_FAILURES

    def fail(self, addr: str) -> None:
        import time

        with self._lock:
            self._recent(addr, time.monotonic()).append(time.monotonic())

    def reset(self, addr: str | None = None) -> None:
        with self._lock:
            if addr is None:
                self._fails.clear()
            else:
                self._fails.pop(addr, None)


ip_throttle = _IpThrottle()


def login(session_db, username: str, password: str, addr: str) -> tuple[Optional[User], Optional[str], int]:
    """Authenticate with both throttles; returns (user, reason, http_status)."""
    if ip_throttle.blocked(addr):
        return None, "登录尝试过于频繁，请稍后再试。", 429
    user, reason = authenticate(session_db, username, password)
    if user is None:
        ip_throttle.fail(addr)
        return None, reason, 401
    return user, None, 200


def current() -> Optional[User]:
    """The user of this request, from a bearer token or the session cookie."""
    if "wuhao_user" in g:
        return g.wuhao_user
    user = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        token = header[7:].strip()
        if token:
            user = get_session().execute(
                select(User).where(User.api_token_hash == hash_token(token), User.active.is_(True))
            ).scalar_one_or_none()
        g.wuhao_token_auth = user is not None
    elif current_user and current_user.is_authenticated:
        user = current_user.user
    g.wuhao_user = user
    return user


def require_user(*roles: str) -> User:
    user = current()
    if user is None:
        raise ApiError("unauthorized", "请先登录或提供有效的访问令牌。", 401)
    if roles and user.role not in roles:
        raise ApiError("forbidden", "您的角色无权执行该操作。", 403)
    return user


def subtree_ids(session_db, root_id: int) -> set[int]:
    """The organisation and all organisations below it."""
    rows = session_db.execute(select(Organisation.id, Organisation.parent_id)).all()
    children: dict[Optional[int], list[int]] = {}
    for oid, parent in rows:
        children.setdefault(parent, []).append(oid)
    seen, stack = set(), [root_id]
    while stack:
        oid = stack.pop()
        if oid in seen:
            continue
        seen.add(oid)
        stack.extend(children.get(oid, ()))
    return seen


def visible_org_ids(session_db, user: User) -> Optional[set[int]]:
    """Organisation ids the user may see; ``None`` means all (admin)."""
    if user.role == "admin":
        return None
    if user.role == "reviewer":
        return subtree_ids(session_db, user.organisation_id)
    return {user.organisation_id}


def can_see(session_db, user: User, organisation_id: Optional[int]) -> bool:
    ids = visible_org_ids(session_db, user)
    return ids is None or organisation_id in ids


def require_org_access(session_db, user: User, organisation_id: Optional[int]) -> None:
    """404, not 403, for objects outside the user's view: ids are not an oracle."""
    if not can_see(session_db, user, organisation_id):
        raise ApiError("not_found", "未找到该资源。", 404)


def load_visible(session_db, user: User, model, object_id: int, message: str = "未找到该资源。",
                 organisation_of=lambda obj: obj.organisation_id):
    """The object with ``object_id``, if it exists and lies in the user's view; else 404."""
    obj = session_db.get(model, object_id)
    if obj is None:
        raise ApiError("not_found", message, 404)
    require_org_access(session_db, user, organisation_of(obj))
    return obj


def filter_visible(query, column, session_db, user: User):
    ids = visible_org_ids(session_db, user)
    return query if ids is None else query.where(column.in_(ids))


# --- CSRF for cookie sessions -------------------------------------------------------

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
        raise ApiError("csrf_failed", "页面已过期或请求来源无效，请刷新页面后重试。", 400)


MAX_ID = 2**31 - 1


def _bound_ids(endpoint, values) -> None:
    """An id beyond any database integer is simply not found (never a database error)."""
    from werkzeug.exceptions import NotFound

    for value in (values or {}).values():
        if isinstance(value, int) and not isinstance(value, bool) and not 0 <= value <= MAX_ID:
            raise NotFound()


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
        raise ApiError("invalid_characters", "请求中含有不允许的控制字符。", 422)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.url_value_preprocessor(_bound_ids)
    app.before_request(_refuse_nul)
    app.before_request(_check_csrf)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["current_account"] = current


def roles_allowed(user: User, roles: Iterable[str]) -> bool:
    return user.role in set(roles)
