"""站内消息: one's messages, newest first, paged; opening one marks it read and goes where it points."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for

from ..db import get_session
from ..usecases import messages
from .helpers import blueprint, page

bp = blueprint("messages", "/messages")


@bp.get("")
@page()
def messages_page(user):
    args = {"unread": request.args.get("unread") == "1", "page": request.args.get("page", type=int) or 1}
    return render_template("messages.html", user=user, view=messages.listing(get_session(), user, args),
                           unread_only=args["unread"])


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
