"""Accounts: admins manage users; everyone can renew their own API token."""
from __future__ import annotations

from sqlalchemy import select

from .. import audit, auth
from ..db import get_session
from ..errors import ApiError
from ..models import ROLES, Organisation, User
from . import bp, serialize
from .common import json_object, opt_bool, opt_int, opt_str

MIN_PASSWORD = 8


def _check_password(password: str | None) -> None:
    if password is not None and len(password) < MIN_PASSWORD:
        raise ApiError("weak_password", f"密码至少 {MIN_PASSWORD} 位。", 422, {"field": "password"})


def _role(value) -> str | None:
    if value is None:
        return None
    if value not in ROLES:
        raise ApiError("invalid", "role 只能是 branch、reviewer 或 admin。", 422, {"field": "role"})
    return value


def _org(db, org_id: int | None) -> int | None:
    if org_id is None:
        return None
    if db.get(Organisation, org_id) is None:
        raise ApiError("not_found", "未找到该组织。", 404)
    return org_id


@bp.get("/users")
def list_users():
    auth.require_user("admin")
    db = get_session()
    return {"items": [serialize.user(u, full=True) for u in db.execute(select(User).order_by(User.id)).scalars()]}


def create_user_from(db, actor, payload: dict) -> User:
    username = opt_str(payload, "username", max_len=80, required=True)
    if db.execute(select(User).where(User.username == username)).scalar_one_or_none():
        raise ApiError("conflict", "用户名已存在。", 409, {"field": "username"})
    password = opt_str(payload, "password", max_len=200, required=True)
    _check_password(password)
    role = _role(payload.get("role")) or "branch"
    org_id = _org(db, opt_int(payload, "organisation_id", minimum=1, maximum=auth.MAX_ID, required=True))
    user = User(username=username, display_name=opt_str(payload, "display_name", max_len=100) or username,
                role=role, organisation_id=org_id, password_hash=auth.hash_password(password), active=True)
    db.add(user)
    db.flush()
    audit.record(db, actor, "user_create", "user", user.id, {"username": username, "role": role,
                                                             "organisation_id": org_id})
    return user


@bp.post("/users")
def create_user():
    actor = auth.require_user("admin")
    db = get_session()
    user = create_user_from(db, actor, json_object())
    db.commit()
    return serialize.user(user, full=True), 201


def update_user_from(db, actor, user: User, payload: dict) -> User:
    changes = {}
    name = opt_str(payload, "display_name", max_len=100)
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
            raise ApiError("conflict", "不能停用自己的账户。", 409)
        user.active = changes["active"] = active
    password = opt_str(payload, "password", max_len=200)
    if password is not None:
        _check_password(password)
        user.password_hash = auth.hash_password(password)
        user.failed_logins, user.locked_until = 0, None
        changes["password"] = "（已重设）"
    if payload.get("unlock") is True:
        user.failed_logins, user.locked_until = 0, None
        changes["unlock"] = True
    if not changes:
        raise ApiError("invalid", "没有要修改的内容。", 422)
    audit.record(db, actor, "user_update", "user", user.id, changes)
    return user


def _load_user(db, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise ApiError("not_found", "未找到该用户。", 404)
    return user


@bp.patch("/users/<int:user_id>")
def update_user(user_id: int):
    actor = auth.require_user("admin")
    db = get_session()
    user = _load_user(db, user_id)
    update_user_from(db, actor, user, json_object())
    db.commit()
    return serialize.user(user, full=True)


@bp.post("/users/<int:user_id>/token")
def issue_token(user_id: int):
    actor = auth.require_user("admin")
    db = get_session()
    user = _load_user(db, user_id)
    token = auth.new_api_token(user)
    audit.record(db, actor, "token_issue", "user", user.id, {})
    db.commit()
    return {"token": token, "user": serialize.user(user)}


@bp.post("/me/token")
def my_token():
    """A new API token for the caller (the previous one stops working)."""
    user = auth.require_user()
    db = get_session()
    token = auth.new_api_token(user)
    audit.record(db, user, "token_issue", "user", user.id, {"self": True})
    db.commit()
    return {"token": token}
