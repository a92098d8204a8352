"""站内消息: one's messages, newest first, paged; opening one marks it read and goes where it points."""
from __future__ import annotations

from flask import redirect, request, url_for

from ..db import get_session
from ..usecases import messages
from ..usecases.listing import Column, ListSpec
from .helpers import blueprint, page
from .lists import list_page

bp = blueprint("messages", "/messages")


@bp.get("")
@page()
def messages_page(user):
    """One's newest :data:`MESSAGE_ROWS` messages through the list component (search, 未读/已读 and
    kind filters, paging, 导出Excel); ``?unread=1`` (older links) is the 未读 filter."""
    if request.args.get("unread") == "1" and "status" not in request.args:
        return redirect(url_for("messages.messages_page", status="unread"))
    db = get_session()
    return list_page("messages.html", messages.rows(db, user, limit=MESSAGE_ROWS), MESSAGES, user=user,
                     unread=messages.unread_count(db, user))


MESSAGE_ROWS = 1000
MESSAGES = ListSpec(
    columns=(Column("created_at", "时间", "datetime", sort_key="id"), Column("kind_name", "类别"),
             Column("title", "标题"), Column("body", "内容", sortable=False), Column("status_name", "状态")),
    search=("title", "body", "kind_name"), filters=("status", "kind"), default_sort="created_at", default_desc=True,
    filename="消息")


@bp.post("/<int:message_id>/open")
@page()
def message_open(user, message_id: int):
    m = messages.open_message(get_session(), user, message_id)
    return redirect(m.link if m.link.startswith("/") and not m.link.startswith("//") else url_for("messages.messages_page"))


@bp.post("/read")
@page()
def messages_read(user):
    messages.mark_read(get_session(), user, {"all": True})
    return redirect(url_for("messages.messages_page"))
