"""``/api/v1/users`` (admins manage accounts) and ``/api/v1/me`` (the caller, its own token)."""
from __future__ import annotations

from ..db import get_session
from ..http import require_user
from ..usecases import serialize, users
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
