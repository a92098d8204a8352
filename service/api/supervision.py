"""``/api/v1/supervision-groups`` (督导组: members, 党委 covered, 督导清单; an admin edits them) and
``/api/v1/inspections`` (定点监测、实地检查、随机抽查; a finding opens a ledger row in one call)."""
from __future__ import annotations

from ..db import get_session
from ..http import require_user, settings
from ..usecases import district_supervision as supervision
from .common import blueprint, first_upload, int_arg, json_object, organisation_arg, xlsx_response

bp = blueprint("supervision_groups", "/supervision-groups")
inspections_bp = blueprint("inspections", "/inspections")


@bp.get("")
def listing():
    return {"items": supervision.groups(get_session(), require_user())}


@bp.post("")
def create():
    return supervision.create_group(get_session(), require_user(), json_object()), 201


@bp.get("/<int:group_id>")
def get(group_id: int):
    return supervision.get_group(get_session(), require_user(), group_id)


@bp.patch("/<int:group_id>")
def update(group_id: int):
    return supervision.update_group(get_session(), require_user(), group_id, json_object())


@bp.delete("/<int:group_id>")
def delete(group_id: int):
    supervision.delete_group(get_session(), require_user(), group_id)
    return "", 204


@bp.post("/import")
def import_xlsx():
    return supervision.import_groups(get_session(), require_user(), first_upload())


@bp.get("/export.xlsx")
def export():
    return xlsx_response(supervision.groups_xlsx(get_session(), require_user()), "supervision-groups.xlsx")


@bp.get("/template.xlsx")
def template():
    require_user()
    return xlsx_response(supervision.groups_template(), "supervision-groups-template.xlsx")


@inspections_bp.get("/export.xlsx")
def export_inspections():
    return xlsx_response(supervision.inspections_xlsx(get_session(), require_user(), organisation_id=organisation_arg()),
                         "inspections.xlsx")


@inspections_bp.post("/import")
def import_inspections():
    """Inspections from XLSX (all or nothing; each problem names its row and column)."""
    return supervision.import_inspections(get_session(), require_user(), first_upload(),
                                          rectify_days=settings().rectify_days)


@inspections_bp.get("/template.xlsx")
def inspections_template():
    require_user()
    return xlsx_response(supervision.inspections_template(), "inspections-template.xlsx")


@inspections_bp.patch("/<int:inspection_id>")
def update_inspection(inspection_id: int):
    """``{"kind", "inspected_on", "answers", "findings": [text]}``: findings already in the ledger are kept."""
    return supervision.update_inspection(get_session(), require_user(), inspection_id, json_object())


@inspections_bp.delete("/<int:inspection_id>")
def delete_inspection(inspection_id: int):
    supervision.delete_inspection(get_session(), require_user(), inspection_id)
    return "", 204


@inspections_bp.get("")
def inspections():
    return {"items": supervision.inspections(get_session(), require_user(), organisation_id=organisation_arg(),
                                             group_id=int_arg("group_id", minimum=1, maximum=2**31 - 1))}


@inspections_bp.post("")
def record():
    return supervision.record(get_session(), require_user(), json_object(), rectify_days=settings().rectify_days), 201


@inspections_bp.get("/<int:inspection_id>")
def get_inspection(inspection_id: int):
    return supervision.get(get_session(), require_user(), inspection_id)


@inspections_bp.post("/<int:inspection_id>/findings/<int:index>/open")
def open_finding(inspection_id: int, index: int):
    """One click: the finding (from 0) becomes a 整改工作台账 row."""
    return supervision.open_finding(get_session(), require_user(), inspection_id, index,
                                    rectify_days=settings().rectify_days), 201
