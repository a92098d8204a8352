"""One's own account: 修改密码, API tokens (expiry, scopes, revocation), the reminder e-mail address."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from .. import audit, auth
from ..errors import Invalid, NotFound
from ..models import ApiToken, User
from ..vocabulary import cn_date
from .validate import opt_int, opt_str

MAX_TOKEN_DAYS = 365
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SCOPE_NAMES = {"read": "读取", "write": "修改"}


def token_view(row: ApiToken, now: datetime | None = None) -> dict:
    """A token as its owner sees it: never the token itself, only its first characters."""
    now = now or datetime.now(timezone.utc)
    expires = row.expires_at.replace(tzinfo=timezone.utc) if row.expires_at and row.expires_at.tzinfo is None \
        else row.expires_at
    if row.revoked_at is not None:
        state = "revoked"
    elif expires is not None and expires <= now:
        state = "expired"
    else:
        state = "active"
    scopes = row.scopes.split(",")
    return {"id": row.id, "name": row.name, "hint": row.hint + "…", "scopes": scopes,
            "scope_names": "、".join(SCOPE_NAMES[s] for s in scopes if s in SCOPE_NAMES),
            "created_at": row.created_at.isoformat() if row.created_at else None,
            "created_on": cn_date(row.created_at),
            "expires_at": expires.isoformat() if expires else None,
            "expires_on": cn_date(expires) if expires else "长期有效",
            "state": state, "state_name": {"active": "有效", "expired": "已过期", "revoked": "已吊销"}[state]}


def tokens(db: Session, actor: User) -> list[dict]:
    rows = db.execute(select(ApiToken).where(ApiToken.user_id == actor.id).order_by(ApiToken.id.desc())).scalars()
    return [token_view(r) for r in rows]


def create_token(db: Session, actor: User, args: dict) -> dict:
    """A new token for the caller; the returned ``token`` is shown this once and never again."""
    name = opt_str(args, "name", max_len=100) or "未命名令牌"
    scopes = args.get("scopes") or ["read", "write"]
    if isinstance(scopes, str):
        scopes = [s for s in scopes.split(",") if s]
    if not isinstance(scopes, list) or not scopes or any(s not in auth.SCOPES for s in scopes):
        raise Invalid("权限只能是“读取”（read）或“读取和修改”（read、write）。", field="scopes")
    days = opt_int(args, "days", minimum=1, maximum=MAX_TOKEN_DAYS)
    token = auth.new_api_token(actor, name=name, scopes=scopes, days=days or auth.DEFAULT_TOKEN_DAYS, session_db=db)
    row = db.execute(select(ApiToken).where(ApiToken.token_hash == auth.hash_token(token))).scalar_one()
    audit.record(db, actor, "token_issue", "api_token", row.id, {"self": True, "scopes": row.scopes})
    return {"token": token, **token_view(row)}


def revoke_token(db: Session, actor: User, token_id: int) -> dict:
    row = db.get(ApiToken, token_id)
    if row is None or (row.user_id != actor.id and actor.role != "admin"):
        raise NotFound("未找到该令牌。")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(timezone.utc)
        audit.record(db, actor, "token_revoke", "api_token", row.id, {"user_id": row.user_id})
    return token_view(row)


def change_password(db: Session, actor: User, args: dict) -> None:
    """修改密码: the current password, then the new one twice. Every other signed-in browser of the
    account and every API token stop working (``keep_session``: the browser asking stays in)."""
    current = args.get("current_password") or ""
    new = args.get("new_password") or ""
    if not isinstance(current, str) or not check_password_hash(actor.password_hash, current):
        raise Invalid("当前密码不正确。", "wrong_password", field="current_password")
    if not isinstance(new, str) or len(new) > 200:
        raise Invalid("新密码无效。", field="new_password")
    if "confirm_password" in args and args.get("confirm_password") != new:
        raise Invalid("两次输入的新密码不一致。", field="confirm_password")
    if check_password_hash(actor.password_hash, new):
        raise Invalid("新密码不能与当前密码相同。", field="new_password")
    auth.check_password(new, actor.username, field="new_password")
    auth.set_password(db, actor, new, keep_session=args.get("keep_session"))
    audit.record(db, actor, "password_change", "user", actor.id, {})


def set_email(db: Session, actor: User, args: dict) -> User:
    email = opt_str(args, "email", max_len=200)
    if email is not None and not EMAIL.match(email):
        raise Invalid("电子邮箱格式不正确。", field="email")
    actor.email = email
    audit.record(db, actor, "email_set", "user", actor.id, {})
    return actor
