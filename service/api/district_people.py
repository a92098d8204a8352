"""``/api/v1/people`` (district and county-level leaders, committee secretaries: records, not accounts) and
``/api/v1/assignments`` (挂点包保 and 创建联系点, their coverage, visits that open ledger rows)."""
from __future__ import annotations

import datetime as dt

from flask import request

from ..db import get_session
from ..http import require_user, settings
from ..usecases import district_people
from .common import blueprint, first_upload, int_arg, json_object, organisation_arg, xlsx_response

bp = blueprint("people", "/people")
assignments_bp = blueprint("assignments", "/assignments")


@bp.get("")
def listing():
    return {"items": district_people.people(get_session(), require_user(), rank=request.args.get("rank") or None)}


@bp.post("")
def create():
    return district_people.create_person(get_session(), require_user(), json_object()), 201


@bp.get("/<int:person_id>")
def get(person_id: int):
    """A leader's page: assignments with ledger progress, visits."""
    return district_people.person_detail(get_session(), require_user(), person_id,
                                         year=int_arg("year", minimum=2000, maximum=2100))


@bp.patch("/<int:person_id>")
def update(person_id: int):
    return district_people.update_person(get_session(), require_user(), person_id, json_object())


@bp.delete("/<int:person_id>")
def delete(person_id: int):
    """A person entered by mistake (one with 挂点 records: 409, set inactive instead)."""
    district_people.delete_person(get_session(), require_user(), person_id)
    return "", 204


@bp.post("/import")
def import_xlsx():
    return district_people.import_people(get_session(), require_user(), first_upload())


@bp.get("/export.xlsx")
def export():
    return xlsx_response(district_people.people_xlsx(get_session(), require_user()), "people.xlsx")


@bp.get("/template.xlsx")
def template():
    require_user()
    return xlsx_response(district_people.template(), "people-template.xlsx")


@assignments_bp.get("")
def coverage():
    """JH-4 coverage of a year: rural 相对后进 branches with their leaders, those without flagged."""
    return district_people.coverage(get_session(), require_user(),
                                    int_arg("year", dt.date.today().year, minimum=2000, maximum=2100))


@assignments_bp.post("")
def assign():
    return district_people.assign(get_session(), require_user(), json_object()), 201


@assignments_bp.get("/<int:assignment_id>")
def get_assignment(assignment_id: int):
    return district_people.get_assignment(get_session(), require_user(), assignment_id)


@assignments_bp.patch("/<int:assignment_id>")
def update_assignment(assignment_id: int):
    """``{"person_id", "kind", "assigned_on", "note"}``."""
    return district_people.update_assignment(get_session(), require_user(), assignment_id, json_object())


@assignments_bp.post("/import")
def import_assignments():
    return district_people.import_assignments(get_session(), require_user(), first_upload())


@assignments_bp.get("/export.xlsx")
def export_assignments():
    return xlsx_response(district_people.assignments_xlsx(get_session(), require_user(),
                                                          int_arg("year", minimum=2000, maximum=2100)),
                         "assignments.xlsx")


@assignments_bp.get("/template.xlsx")
def assignments_template():
    require_user()
    return xlsx_response(district_people.assignments_template(), "assignments-template.xlsx")


@assignments_bp.post("/visits/import")
def import_visits():
    """The leaders' visits from XLSX (all or nothing; each problem names its row and column)."""
    return district_people.import_visits(get_session(), require_user(), first_upload(),
                                         rectify_days=settings().rectify_days)


@assignments_bp.get("/visits/template.xlsx")
def visits_template():
    require_user()
    return xlsx_response(district_people.visits_template(), "visits-template.xlsx")


@assignments_bp.patch("/visits/<int:visit_id>")
def update_visit(visit_id: int):
    """``{"visited_on", "found", "follow_up"}`` (the ledger rows it opened are corrected in the ledger)."""
    return district_people.update_visit(get_session(), require_user(), visit_id, json_object())


@assignments_bp.delete("/visits/<int:visit_id>")
def delete_visit(visit_id: int):
    district_people.delete_visit(get_session(), require_user(), visit_id)
    return "", 204


@assignments_bp.delete("/<int:assignment_id>")
def unassign(assignment_id: int):
    district_people.unassign(get_session(), require_user(), assignment_id)
    return "", 204


@assignments_bp.get("/visits")
def visits():
    return {"items": district_people.visits(get_session(), require_user(), organisation_id=organisation_arg())}


@assignments_bp.post("/<int:assignment_id>/visits")
def add_visit(assignment_id: int):
    """``{"visited_on", "found", "follow_up", "open_rows": [{"category", "problem", "measure", "due_on"}]}``."""
    return district_people.add_visit(get_session(), require_user(), assignment_id, json_object(),
                                     rectify_days=settings().rectify_days), 201
