"""``/api/v1/queue`` (the reviewers' work queue) and ``/api/v1/dashboard`` (the figures)."""
from __future__ import annotations

from flask import request

from ..db import get_session
from ..http import require_user
from ..usecases import dashboard
from .common import blueprint, int_arg

queue_bp = blueprint("queue", "/queue")
bp = blueprint("dashboard", "/dashboard")


@queue_bp.get("")
def queue():
    items = dashboard.queue(get_session(), require_user(), request.args.get("status") or None)
    return {"items": items, "counts": dashboard.status_counts(items)}


@bp.get("")
def figures():
    user = require_user()
    return dashboard.figures(get_session(), user, int_arg("year", minimum=2000, maximum=2100))
