"""Accounts and visibility: who someone is, and what they may see.

Visibility is by organisation subtree: an admin sees everything, a reviewer its own
subtree, a branch only itself. Every object lookup goes through ``require_org_access``
(404 outside the view, so ids are no oracle). No HTTP here: ``service.http`` reads the
caller from the request (session cookie or bearer token) and asks these functions.
"""
from __future__ import annotations

import hashlib
import secrets
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Optional

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from .errors import Forbidden, NotFound, Throttled, Unauthorized
from .models import Organisation, User

MAX_ID = 2**31 - 1  # the largest id a database integer holds
REVIEWERS = ("reviewer", "admin")  # the roles that review (an admin may do all a reviewer does)
MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
# Per client address: at most this many failed logins in the window, whatever the account.
IP_MAX_FAILURES = 20
IP_WINDOW_SECONDS = 300


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_by_token(session_db, token: str) -> Optional[User]:
    """The active user holding this API token, if any."""
    if not token:
        return None
    return session_db.execute(
        select(User).where(User.api_token_hash == hash_token(token), User.active.is_(True))
    ).scalar_one_or_none()


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
        self._lock = threading.Lock()
        self._fails: dict[str, list[float]] = {}

    def _recent(self, addr: str, now: float) -> list[float]:
        times = [t for t in self._fails.get(addr, []) if now - t < IP_WINDOW_SECONDS]
        self._fails[addr] = times
        return times

    def blocked(self, addr: str) -> bool:
        with self._lock:
            return len(self._recent(addr, time.monotonic())) >= IP_MAX_FAILURES

    def fail(self, addr: str) -> None:
        with self._lock:
            self._recent(addr, time.monotonic()).append(time.monotonic())

    def reset(self, addr: str | None = None) -> None:
        with self._lock:
            if addr is None:
                self._fails.clear()
            else:
                self._fails.pop(addr, None)


ip_throttle = _IpThrottle()


def login(session_db, username: str, password: str, addr: str) -> User:
    """Authenticate with both throttles; a failure raises ``Throttled`` or ``Unauthorized``.

    The failure keeps its record (the account's failed-attempt counter)."""
    if ip_throttle.blocked(addr):
        raise Throttled("登录尝试过于频繁，请稍后再试。")
    user, reason = authenticate(session_db, username, password)
    if user is None:
        ip_throttle.fail(addr)
        raise Unauthorized(reason, keep=True)
    return user


def require_role(user: User, *roles: str) -> User:
    if roles and user.role not in roles:
        raise Forbidden("您的角色无权执行该操作。")
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
        raise NotFound("未找到该资源。")


def load_visible(session_db, user: User, model, object_id: int, message: str = "未找到该资源。",
                 organisation_of=lambda obj: obj.organisation_id):
    """The object with ``object_id``, if it exists and lies in the user's view; else 404."""
    obj = session_db.get(model, object_id)
    if obj is None or not can_see(session_db, user, organisation_of(obj)):
        raise NotFound(message)  # the same answer for a hidden record as for a missing one
    return obj


def filter_visible(query, column, session_db, user: User, organisation_id: Optional[int] = None):
    """Narrow ``query`` to the user's view, and to ``organisation_id`` when given (404 outside the view)."""
    ids = visible_org_ids(session_db, user)
    if ids is not None:
        query = query.where(column.in_(ids))
    if organisation_id is not None:
        require_org_access(session_db, user, organisation_id)
        query = query.where(column == organisation_id)
    return query
