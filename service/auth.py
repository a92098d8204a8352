"""Accounts and visibility: who someone is, and what they may see.

Visibility is by organisation subtree: an admin sees everything, a reviewer its own
subtree, a branch only itself. Every object lookup goes through ``require_org_access``
(404 outside the view, so ids are no oracle). No HTTP here: ``service.http`` reads the
caller from the request (session cookie or bearer token) and asks these functions.
"""
from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Optional

from sqlalchemy import delete, select, update
from sqlalchemy.orm import object_session
from werkzeug.security import check_password_hash, generate_password_hash

from . import throttle
from .db import has_written, release
from .errors import Forbidden, Invalid, NotFound, Throttled, Unauthorized
from .models import ApiToken, Organisation, User, UserSession

MAX_ID = 2**31 - 1  # the largest id a database integer holds
REVIEWERS = ("reviewer", "admin")  # the roles that review (an admin may do all a reviewer does)

# --- passwords ---------------------------------------------------------------------------

MIN_PASSWORD = 8
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
_COMMON: set[str] = set()


def common_passwords() -> set[str]:
    """The shipped list of passwords everybody tries first (one a line, compared case-blind)."""
    if not _COMMON:
        _COMMON.update(line.strip().lower() for line in COMMON_PASSWORDS_FILE.read_text("utf-8").splitlines()
                       if line.strip() and not line.startswith("#"))
    return _COMMON


def password_problem(password: str, username: str = "") -> Optional[str]:
    """Why a password may not be used (in Chinese), or None."""
    if len(password) < MIN_PASSWORD:
        return f"密码至少 {MIN_PASSWORD} 位。"
    lowered = password.strip().lower()
    if username and username.strip().lower() in (lowered, lowered[::-1]):
        return "密码不能与用户名相同。"
    if lowered in common_passwords() or len(set(lowered)) <= 2:
        return "这个密码太常见，很容易被猜到，请换一个。"
    return None


def check_password(password: str, username: str = "", field: str = "password") -> None:
    problem = password_problem(password, username)
    if problem:
        raise Invalid(problem, "weak_password", field=field)


def hash_password(password: str) -> str:
    return generate_password_hash(password)


@functools.cache
def _dummy_hash() -> str:
    """What an unknown account's password is checked against, so that it costs what a real check
    costs. Made at the first such sign-in, not at import: a scrypt hash is 0.15 s CPU, paid before by
    every process that imports the service (each CLI command, batch worker and OCR process)."""
    return generate_password_hash("x")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(value: Optional[datetime]) -> Optional[datetime]:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


# --- API tokens --------------------------------------------------------------------------

SCOPES = ("read", "write")
READ_METHODS = ("GET", "HEAD", "OPTIONS")
DEFAULT_TOKEN_DAYS = 90


def token_owner(session_db, token: str, now: Optional[datetime] = None) -> Optional[tuple[User, ApiToken]]:
    """The active user holding this API token and the token's row, if it is neither expired nor revoked."""
    if not token or len(token) > 200:
        return None
    row = session_db.execute(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).scalar_one_or_none()
    now = now or _now()
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and _aware(row.expires_at) <= now:
        return None
    user = session_db.get(User, row.user_id)
    return (user, row) if user is not None and user.active else None


def user_by_token(session_db, token: str) -> Optional[User]:
    """The active user holding this API token, if any."""
    found = token_owner(session_db, token)
    return found[0] if found else None


def token_allows(row: ApiToken, method: str) -> bool:
    """A read-only token may read; writing needs the write scope."""
    scopes = set(row.scopes.split(","))
    return "write" in scopes if method.upper() not in READ_METHODS else bool(scopes & set(SCOPES))


def new_api_token(user: User, *, name: str = "", scopes=SCOPES, days: Optional[int] = DEFAULT_TOKEN_DAYS,
                  session_db=None) -> str:
    """Give the user a fresh API token (added to the user's session); only its hash is stored."""
    scopes = tuple(s for s in SCOPES if s in set(scopes))
    if not scopes:
        raise Invalid("令牌至少要有读取权限。", field="scopes")
    token = "wh_" + secrets.token_urlsafe(32)
    db = session_db or object_session(user)
    db.add(ApiToken(user_id=user.id, name=name[:100], token_hash=hash_token(token), hint=token[:10],
                    scopes=",".join(scopes), created_at=_now(),
                    expires_at=_now() + timedelta(days=days) if days else None))
    db.flush()
    return token


def revoke_tokens(session_db, user: User) -> int:
    """Revoke every live token of the user; the number revoked."""
    result = session_db.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                                .values(revoked_at=_now()))
    return result.rowcount or 0


# --- signed-in browsers (server-side sessions) ------------------------------------------

def start_session(session_db, user: User, address: str, hours: int) -> str:
    """A new server-side session for a sign-in; the returned key goes into the cookie."""
    key = secrets.token_urlsafe(32)
    session_db.add(UserSession(user_id=user.id, key_hash=hash_token(key), address=(address or "")[:64],
                               created_at=_now(), expires_at=_now() + timedelta(hours=hours)))
    session_db.flush()
    return key


def session_user(session_db, key: str, now: Optional[datetime] = None) -> Optional[tuple[User, UserSession]]:
    """The user of a live server-side session (not ended, not expired, the account active)."""
    if not key or len(key) > 200:
        return None
    row = session_db.execute(select(UserSession).where(UserSession.key_hash == hash_token(key))).scalar_one_or_none()
    if row is None or row.revoked_at is not None or _aware(row.expires_at) <= (now or _now()):
        return None
    user = session_db.get(User, row.user_id)
    return (user, row) if user is not None and user.active else None


def end_session(session_db, key: str) -> None:
    session_db.execute(update(UserSession).where(UserSession.key_hash == hash_token(key or ""),
                                                 UserSession.revoked_at.is_(None)).values(revoked_at=_now()))


def end_sessions(session_db, user: User, keep_key: Optional[str] = None) -> int:
    """End every session of the user (but the one with ``keep_key``); the number ended."""
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    if keep_key:
        query = query.where(UserSession.key_hash != hash_token(keep_key))
    return session_db.execute(query.values(revoked_at=_now())).rowcount or 0


def set_password(session_db, user: User, password: str, keep_session: Optional[str] = None) -> None:
    """A new password: every other signed-in browser and every API token of the account stop working."""
    check_password(password, user.username)
    user.password_hash = hash_password(password)
    user.password_changed_at = _now()
    user.failed_logins, user.locked_until = 0, None
    end_sessions(session_db, user, keep_key=keep_session)
    revoke_tokens(session_db, user)


# --- signing in ----------------------------------------------------------------------------

#: the one answer to every failed sign-in, whatever failed (no oracle for usernames or delays)
LOGIN_FAILED = "用户名或密码错误。连续输错后，每次重试须多等一会儿。"
FREE_FAILURES = 3          # per account and address: failures without any wait
MAX_DELAY_SECONDS = 300    # the wait doubles per failure up to this
USER_WINDOW_SECONDS = 900  # a quiet quarter of an hour forgets an account's failures from an address
# Per client address: at most this many failed logins in the window, whatever the account.
IP_MAX_FAILURES = 20
IP_WINDOW_SECONDS = 300


def login_delay(failures: int) -> float:
    """Seconds an account must wait, from one address, before its next attempt is checked."""
    if failures < FREE_FAILURES:
        return 0.0
    return float(min(2 ** (failures - FREE_FAILURES), MAX_DELAY_SECONDS))


def _address_delay(failures: int) -> float:
    return float(IP_WINDOW_SECONDS) if failures >= IP_MAX_FAILURES else 0.0


def login(session_db, username: str, password: str, addr: str, redis_url: Optional[str] = None) -> User:
    """Authenticate; a failure raises ``Throttled`` (too many from this address) or ``Unauthorized``
    (always the same message). Failures are counted per address and per account + address, in a
    store every process shares; an account's wait grows with its failures from that address, so
    nobody can lock another person out from elsewhere. The failure keeps its record."""
    store = throttle.store_for(session_db, redis_url)
    now = _now()
    addr_key, user_key = f"a:{addr}", f"u:{username.strip().lower()}|{addr}"
    if store.state(addr_key, IP_WINDOW_SECONDS, now).wait_seconds(now) > 0:
        raise Throttled("登录尝试过于频繁，请稍后再试。", keep=True)
    user = session_db.execute(select(User).where(User.username == username)).scalar_one_or_none()
    waiting = store.state(user_key, USER_WINDOW_SECONDS, now).wait_seconds(now) > 0
    stored = user.password_hash if user is not None and user.active else None
    # The hash costs tens to hundreds of milliseconds of CPU: never inside a transaction. On SQLite a
    # sign-in is a writer (BEGIN IMMEDIATE), and nine people signing in at once queued on the write
    # lock for nine hashes, past the busy timeout (5 of 9 got 系统繁忙). The writes below begin afresh.
    if not has_written(session_db):
        release(session_db)
    ok = False
    if waiting:
        pass  # not even checked while the account waits (from this address)
    elif stored is None:
        check_password_hash(_dummy_hash(), password)  # same cost as a real check
    else:
        ok = check_password_hash(stored, password)
    if not ok:
        store.fail(addr_key, IP_WINDOW_SECONDS, now, _address_delay)
        if not waiting:
            store.fail(user_key, USER_WINDOW_SECONDS, now, login_delay)
        raise Unauthorized(LOGIN_FAILED, "login_failed", keep=True)
    store.clear(user_key)
    return user


def clear_throttle(session_db, redis_url: Optional[str] = None, key: Optional[str] = None) -> None:
    """Forget counted failures (tests; an admin after an incident)."""
    store = throttle.store_for(session_db, redis_url)
    if key is not None:
        store.clear(key)
    elif isinstance(store, throttle.DatabaseStore):
        session_db.execute(delete(throttle.LoginThrottle))


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


def visible_branches_by_name(session_db, user: User) -> dict[str, list[Organisation]]:
    """The branches in the user's view by name, for the sheet imports (score sheets, party days) that
    name a branch rather than its id: a list per name, since two subtrees may each hold a
    "第一党支部" and a row naming such a branch must be refused, not matched to either."""
    visible = visible_org_ids(session_db, user)
    query = select(Organisation).where(Organisation.kind == "branch")
    if visible is not None:
        query = query.where(Organisation.id.in_(visible))
    by_name: dict[str, list[Organisation]] = {}
    for o in session_db.execute(query).scalars():
        by_name.setdefault(o.name, []).append(o)
    return by_name


def can_see(session_db, user: User, organisation_id: Optional[int]) -> bool:
    ids = visible_org_ids(session_db, user)
    return ids is None or organisation_id in ids


def require_org_access(session_db, user: User, organisation_id: Optional[int]) -> None:
    """404, not 403, for objects outside the user's view: ids are not an oracle.

    An admin sees every organisation, but only those that exist: an unknown id is the same 404
    (it used to pass and then fail as a foreign-key error, a 500, at the flush)."""
    if not can_see(session_db, user, organisation_id):
        raise NotFound("未找到该资源。")
    if organisation_id is not None and session_db.get(Organisation, organisation_id) is None:
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
