"""``/api/v1/audit``: the audit log for reviewers (their subtree) and admins (everything), as JSON or CSV."""
from __future__ import annotations

from flask import Blueprint, Response, request

from ..auth import MAX_ID
from ..db import get_session
from ..http import require_user
from ..usecases import audit_log
from .common import int_arg, organisation_arg

# The resource has two representations, /audit and /audit.csv: its prefix is the API's.
bp = Blueprint("api_audit", __name__, url_prefix="/api/v1")


def _rows(limit: int) -> list[dict]:
    return audit_log.rows(get_session(), require_user(), action=request.args.get("action"),
                          organisation_id=organisation_arg(),
                          before_id=int_arg("before_id", minimum=1, maximum=MAX_ID), limit=limit)


@bp.get("/audit")
def listing():
    return {"items": _rows(int_arg("limit", 100, minimum=1, maximum=500))}


@bp.get("/audit.csv")
def export():
    return Response(audit_log.as_csv(_rows(50_000)), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=audit.csv"})
