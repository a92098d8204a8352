"""``/api/v1/organisations``: the tree as the caller sees it, the admins' edits and import, creation cycles."""
from __future__ import annotations

from flask import request

from ..db import get_session
from ..http import require_user
from ..usecases import cycles, organisations, serialize
from ..usecases.validate import opt_date
from .common import blueprint, json_object, uploaded

bp = blueprint("organisations", "/organisations")


@bp.get("")
def listing():
    user = require_user()
    return {"items": [serialize.organisation(o)
                      for o in organisations.listing(get_session(), user, request.args.get("kind"))]}


@bp.get("/search")
def search():
    """The organisation picker's search of the tree: ``?q=城关&limit=20``, the caller's view only, path labels."""
    return organisations.search_request(get_session(), require_user(), request.args)


@bp.get("/<int:org_id>")
def get(org_id: int):
    return serialize.organisation(cycles.load_organisation(get_session(), require_user(), org_id))


@bp.post("")
def create():
    user = require_user()
    return serialize.organisation(organisations.create(get_session(), user, json_object())), 201


@bp.patch("/<int:org_id>")
def update(org_id: int):
    user = require_user()
    return serialize.organisation(organisations.update(get_session(), user, org_id, json_object()))


@bp.post("/import")
def import_xlsx():
    user = require_user("admin")
    (_name, data), *_rest = uploaded("file", "请选择要导入的 XLSX 文件（表单字段 file）。")
    return organisations.import_xlsx(get_session(), user, data)


@bp.get("/<int:org_id>/cycle")
def get_cycle(org_id: int):
    return cycles.as_json(cycles.get(get_session(), require_user(), org_id))


@bp.post("/<int:org_id>/cycle/transitions")
def post_transition(org_id: int):
    """``{"event": "declare", "as_of": "2026-03-10", "facts": {...}}`` — reviewers only."""
    user = require_user()
    payload = json_object()
    cycle = cycles.move(get_session(), user, org_id, payload.get("event"), opt_date(payload, "as_of"),
                        payload.get("facts") or {})
    return cycles.as_json(cycle)
