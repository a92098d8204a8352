"""``/api/v1/messages`` (one's 站内消息, unread count, marking read) and ``/api/v1/todo`` (one's 待办)."""
from __future__ import annotations

from flask import request

from ..db import get_session
from ..http import require_user, settings
from ..usecases import messages, todo
from .common import blueprint, int_arg, json_object

bp = blueprint("messages", "/messages")
todo_bp = blueprint("todo", "/todo")


@bp.get("")
def listing():
    user = require_user()
    return messages.listing(get_session(), user, {"unread": request.args.get("unread") in ("1", "true"),
                                                   "page": int_arg("page", 1, minimum=1, maximum=10_000)})


@bp.post("/read")
def mark_read():
    return messages.mark_read(get_session(), require_user(), json_object())


@todo_bp.get("")
def my_todo():
    return todo.todo(get_session(), require_user(), remind_days=settings().remind_days)
