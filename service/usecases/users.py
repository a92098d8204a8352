"""Accounts: admins manage users; everyone can renew their own API token."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit, auth
from ..errors import Conflict, Invalid, NotFound
from ..models import ROLES, Organisation, User
from .validate import opt_bool, opt_int, opt_str

MIN_PASSWORD = auth.MIN_PASSWORD


def _check_password(password: str | None, username: str = "") -> None:
    if password is not None:
        auth.check_password(password, username)


def _role(value) -> str | None:
    if value is None:
        return None
    if value not in ROLES:
        raise Invalid("role 只能是 branch、reviewer 或 admin。", field="role")
    return value


def _org(db, org_id: int | None) -> int | None:
    if org_id is None:
        return None
    if db.get(Organisation, org_id) is None:
        raise NotFound("未找到该组织。")
    return org_id


def listing(db: Session, actor: User) -> list[User]:
    auth.require_role(actor, "admin")
    return list(db.execute(select(User).order_by(User.id)).scalars())


def load(db: Session, actor: User, user_id: int) -> User:
    auth.require_role(actor, "admin")
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("未找到该用户。")
    return user


def create(db: Session, actor: User, payload: dict) -> User:
    auth.require_role(actor, "admin")
    username = opt_str(payload, "username", max_len=80, required=True)
    if db.execute(select(User).where(User.username == username)).scalar_one_or_none():
        raise Conflict("用户名已存在。", field="username")
    password = opt_str(payload, "password", max_len=200, required=True)
    _check_password(password, username)
    role = _role(payload.get("role")) or "branch"
    org_id = _org(db, opt_int(payload, "organisation_id", minimum=1, maximum=auth.MAX_ID, required=True))
    user = User(username=username, display_name=opt_str(payload, "display_name", max_len=100) or username,
                role=role, organisation_id=org_id, password_hash=auth.hash_password(password), active=True)
    db.add(user)
    db.flush()
    audit.record(db, actor, "user_create", "user", user.id, {"username": username, "role": role,
                                                             "organisation_id": org_id})
    return user


def update(db: Session, actor: User, user_id: int, payload: dict) -> User:
    user = load(db, actor, user_id)
    changes = {}
    # a 名称 cleared is refused, not read as "leave it as it was" (the page said 已保存 and kept the old one)
    name = opt_str(payload, "display_name", max_len=100, required="display_name" in payload, name="名称")
    if name is not None:
        user.display_name = changes["display_name"] = name
    role = _role(payload.get("role"))
    if role is not None:
        user.role = changes["role"] = role
    org_id = _org(db, opt_int(payload, "organisation_id", minimum=1, maximum=auth.MAX_ID))
    if org_id is not None:
        user.organisation_id = changes["organisation_id"] = org_id
    active = opt_bool(payload, "active")
    if active is not None:
        if user.id == actor.id and not active:
            raise Conflict("不能停用自己的账户。")
        user.active = changes["active"] = active
    password = opt_str(payload, "password", max_len=200)
    if password is not None:
        # a reset: every signed-in browser and every API token of the account stop working
        auth.set_password(db, user, password)
        changes["password"] = "（已重设）"
    if payload.get("unlock") is True:
        user.failed_logins, user.locked_until = 0, None
        changes["unlock"] = True
    if not changes:
        raise Invalid("没有要修改的内容。")
    audit.record(db, actor, "user_update", "user", user.id, changes)
    return user


def issue_token(db: Session, actor: User, user_id: int | None = None) -> tuple[User, str]:
    """A new API token for a user (admins) or for the actor itself; the previous ones stop working."""
    user = actor if user_id is None else load(db, actor, user_id)
    auth.revoke_tokens(db, user)
    token = auth.new_api_token(user, name="管理员签发" if user_id is not None else "命令行签发", session_db=db)
    audit.record(db, actor, "token_issue", "user", user.id, {} if user_id is not None else {"self": True})
    return user, token
