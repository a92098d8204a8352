"""``/api/v1/users`` (admins manage accounts) and ``/api/v1/me`` (the caller, its own token)."""
from __future__ import annotations

from flask import request

from ..db import get_session
from ..http import require_user
from ..http import browser_session_key
from ..usecases import account, serialize, users
from .common import blueprint, json_object

bp = blueprint("users", "/users")
me_bp = blueprint("me", "/me")


@bp.get("")
def listing():
    return {"items": [serialize.user(u, full=True) for u in users.listing(get_session(), require_user())]}


@bp.post("")
def create():
    user = require_user()
    return serialize.user(users.create(get_session(), user, json_object()), full=True), 201


@bp.patch("/<int:user_id>")
def update(user_id: int):
    actor = require_user()
    return serialize.user(users.update(get_session(), actor, user_id, json_object()), full=True)


@bp.post("/<int:user_id>/token")
def issue_token(user_id: int):
    user, token = users.issue_token(get_session(), require_user(), user_id)
    return {"token": token, "user": serialize.user(user)}


@me_bp.get("")
def me():
    user = require_user()
    return {"user": serialize.user(user), "organisation": serialize.organisation(user.organisation)}


@me_bp.post("/token")
def my_token():
    """A new API token for the caller (the previous one stops working)."""
    _user, token = users.issue_token(get_session(), require_user())
    return {"token": token}


@me_bp.get("/tokens")
def my_tokens():
    """The caller's API tokens (never the tokens themselves)."""
    return {"items": account.tokens(get_session(), require_user())}


@me_bp.post("/tokens")
def create_my_token():
    """A named token with scopes and an expiry; the token is in this answer only."""
    user = require_user()
    args = json_object() if request.get_data() else {}
    return account.create_token(get_session(), user, args), 201


@me_bp.delete("/tokens/<int:token_id>")
def revoke_my_token(token_id: int):
    return account.revoke_token(get_session(), require_user(), token_id)


@me_bp.post("/password")
def change_my_password():
    """修改密码: other signed-in browsers and every API token of the account stop working."""
    args = json_object()
    args["keep_session"] = browser_session_key()
    account.change_password(get_session(), require_user(), args)
    return {"ok": True}
