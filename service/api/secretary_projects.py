"""``/api/v1/secretary-projects``: the 书记项目 of the 党委（工委） secretaries (JH-5), their four outputs with
evidence files, XLSX import/template/export."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, request

from ..db import get_session
from ..http import require_user, store
from ..usecases import district_projects as projects
from .common import blueprint, first_upload, int_arg, json_object, organisation_arg, uploaded, xlsx_response

bp = blueprint("secretary_projects", "/secretary-projects")


def _items():
    return projects.projects(get_session(), require_user(), year=int_arg("year", minimum=2000, maximum=2100),
                             organisation_id=organisation_arg(), status=request.args.get("status") or None)


@bp.get("")
def listing():
    """``?year=&organisation_id=&status=planned|in_progress|done``: projects with progress (x/4)."""
    return {"items": _items()}


@bp.post("")
def create():
    """``{"organisation_id", "year", "title", "summary", "person_id", "milestones": {kind: {status, done_on, note}}}``."""
    return projects.create(get_session(), require_user(), json_object()), 201


@bp.get("/<int:project_id>")
def get(project_id: int):
    return projects.get(get_session(), require_user(), project_id)


@bp.patch("/<int:project_id>")
def update(project_id: int):
    return projects.update(get_session(), require_user(), project_id, json_object())


@bp.post("/<int:project_id>/milestones/<kind>/evidence")
def attach(project_id: int, kind: str):
    """An evidence file (multipart field ``file``, at most 20 MB) of one output."""
    (name, data), *_rest = uploaded("file", "请选择佐证材料（表单字段 file）。")
    return projects.attach(get_session(), store(), require_user(), project_id, kind, (name, data)), 201


@bp.get("/<int:project_id>/milestones/<kind>/evidence/<int:index>")
def evidence(project_id: int, kind: str, index: int):
    sha, name = projects.evidence(get_session(), require_user(), project_id, kind, index)
    resp = Response(store().read_bytes(sha), mimetype="application/octet-stream")
    resp.headers["Content-Disposition"] = f"attachment; filename=\"evidence\"; filename*=UTF-8''{quote(name)}"
    return resp


@bp.post("/import")
def import_xlsx():
    return projects.import_xlsx(get_session(), require_user(), first_upload())


@bp.get("/template.xlsx")
def template():
    require_user()
    return xlsx_response(projects.template(), "secretary-project-template.xlsx")


@bp.get("/export.xlsx")
def export():
    return xlsx_response(projects.export_xlsx(_items()), "secretary-projects.xlsx")
