"""两册一证 纪实 (JH-6): ``/api/v1/members`` (the member table the 党员证 batch fills), ``/api/v1/member-records``
(纪实: 党费, activities; XLSX import), ``/api/v1/handbooks`` (the two distribution registers; XLSX import) and
``/api/v1/spot-checks`` (抽查; a problem opens a ledger row in one call)."""
from __future__ import annotations

from flask import request

from ..db import get_session
from ..http import require_user
from ..usecases import district_handbooks as handbooks
from ..usecases import district_members as members
from .common import blueprint, first_upload, int_arg, json_object, organisation_arg, xlsx_response

members_bp = blueprint("members", "/members")
records_bp = blueprint("member_records", "/member-records")
handbooks_bp = blueprint("handbooks", "/handbooks")
checks_bp = blueprint("spot_checks", "/spot-checks")
MAX_ID = 2**31 - 1


@members_bp.get("")
def member_list():
    return {"items": members.members(get_session(), require_user(), organisation_id=organisation_arg())}


@members_bp.post("")
def member_create():
    return members.create(get_session(), require_user(), json_object()), 201


@members_bp.get("/export.xlsx")
def member_export():
    items = members.members(get_session(), require_user(), organisation_id=organisation_arg())
    return xlsx_response(members.export_members(items), "members.xlsx")


@members_bp.get("/<int:member_id>")
def member_get(member_id: int):
    return members.get(get_session(), require_user(), member_id)


@members_bp.patch("/<int:member_id>")
def member_update(member_id: int):
    return members.update(get_session(), require_user(), member_id, json_object())


def _records() -> list[dict]:
    return members.records(get_session(), require_user(), organisation_id=organisation_arg(),
                           member_id=int_arg("member_id", minimum=1, maximum=MAX_ID),
                           year=int_arg("year", minimum=2000, maximum=2100))


@records_bp.get("")
def record_list():
    return {"items": _records()}


@records_bp.post("")
def record_save():
    return members.save_record(get_session(), require_user(), json_object()), 201


@records_bp.post("/import")
def record_import():
    return members.import_records(get_session(), require_user(), first_upload())


@records_bp.get("/template.xlsx")
def record_template():
    require_user()
    return xlsx_response(members.records_template(), "member-record-template.xlsx")


@records_bp.get("/export.xlsx")
def record_export():
    return xlsx_response(members.export_records(_records()), "member-records.xlsx")


def _issues() -> list[dict]:
    return handbooks.issues(get_session(), require_user(), kind=request.args.get("kind") or None,
                            organisation_id=organisation_arg())


@handbooks_bp.get("")
def handbook_list():
    return {"items": _issues()}


@handbooks_bp.post("")
def handbook_save():
    return handbooks.save(get_session(), require_user(), json_object()), 201


@handbooks_bp.post("/import")
def handbook_import():
    return handbooks.import_xlsx(get_session(), require_user(), first_upload())


@handbooks_bp.get("/template.xlsx")
def handbook_template():
    require_user()
    return xlsx_response(handbooks.template(), "handbook-template.xlsx")


@handbooks_bp.get("/export.xlsx")
def handbook_export():
    return xlsx_response(handbooks.export_xlsx(_issues()), "handbooks.xlsx")


@handbooks_bp.get("/<int:issue_id>")
def handbook_get(issue_id: int):
    return handbooks.get_issue(get_session(), require_user(), issue_id)


@handbooks_bp.patch("/<int:issue_id>")
def handbook_update(issue_id: int):
    """``{"number", "given_on", "received_by"}`` (another number of the same 手册 already registered: 409)."""
    return handbooks.update_issue(get_session(), require_user(), issue_id, json_object())


@handbooks_bp.delete("/<int:issue_id>")
def handbook_delete(issue_id: int):
    handbooks.delete_issue(get_session(), require_user(), issue_id)
    return "", 204


@checks_bp.get("")
def check_list():
    return {"items": handbooks.checks(get_session(), require_user(), organisation_id=organisation_arg())}


@checks_bp.post("")
def check_record():
    return handbooks.record_check(get_session(), require_user(), json_object()), 201


@checks_bp.get("/<int:check_id>")
def check_get(check_id: int):
    return handbooks.get_check(get_session(), require_user(), check_id)


@checks_bp.patch("/<int:check_id>")
def check_update(check_id: int):
    """``{"checked_on", "checker", "answers", "outcome", "problems": [text]}``: problems already in the ledger
    are kept."""
    return handbooks.update_check(get_session(), require_user(), check_id, json_object())


@checks_bp.delete("/<int:check_id>")
def check_delete(check_id: int):
    handbooks.delete_check(get_session(), require_user(), check_id)
    return "", 204


@checks_bp.post("/<int:check_id>/problems/<int:index>/open")
def check_open(check_id: int, index: int):
    """One click: the problem (from 0) becomes a 整改工作台账 row."""
    return handbooks.open_problem(get_session(), require_user(), check_id, index), 201
