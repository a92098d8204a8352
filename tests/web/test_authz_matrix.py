"""The authorisation matrix: every endpoint × every role × own/other object.

Roles: anonymous, branch (yusuan in subtree A, chengguan in subtree B), reviewer (gongwei
over A, quwei over B), admin. "Own" is an object the actor may see, "other" one in the
other subtree (for an admin both are its own). Expected: 401 anonymous (pages: 302 to the
login page), 403 for a role the endpoint is not for, 404 for another's object (ids are no
oracle), the success status otherwise.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Callable

import pytest

from tests.conftest import bearer
from tests.samples import declaration_docx, xlsx_bytes
from tests.web.conftest import csrf_of, login

ANY, REVIEWERS, ADMIN = ("branch", "reviewer", "admin"), ("reviewer", "admin"), ("admin",)
# actor -> (role, own side, other side)
ACTORS = {
    "admin": ("admin", "A", "B"),
    "gongwei": ("reviewer", "A", "B"),
    "quwei": ("reviewer", "B", "A"),
    "yusuan": ("branch", "A", "B"),
    "chengguan": ("branch", "B", "A"),
}


#: a page form: done, a redirect back to its page (302); refused, the page again with what was typed and the
#: refusal next to its field (200, issue 15). POST /ledger also answers 404 for a branch outside the caller's view.
REFUSED_OR_DONE = (200, 302)


@dataclass
class Endpoint:
    method: str
    path: str                 # may use {org} {sub} {assessment} {document} {user}
    roles: tuple
    ok: tuple = (200,)
    scoped: bool = True       # has an own/other object
    body: Callable | None = None  # (objects of the side) -> kwargs for the client
    page: bool = False
    admin_sees_all: bool = True
    extra: dict = field(default_factory=dict)


def _json(payload):
    return lambda o: {"json": payload(o)}


def _upload(o):
    return {"data": {"file": (io.BytesIO(declaration_docx()), "m.docx"), "organisation_id": str(o["org"])},
            "content_type": "multipart/form-data"}


def _sheet(o):
    # header only: a row naming a branch outside the actor's subtree would block the round (422),
    # and the matrix is about who may run one, not about the sheet (tests/web/test_pages.py)
    csv = "支部名称,领域,总分\n".encode("utf-8")
    return {"data": {"file": (io.BytesIO(csv), "scores.csv"), "year": "2025"}, "content_type": "multipart/form-data"}


_serial = iter(range(10**6))


def _new_user(o):
    return {"json": {"username": f"clerk{next(_serial)}", "password": "longenough", "organisation_id": o["org"]}}


def _new_org(o):
    return {"json": {"name": f"新党支部{next(_serial)}", "kind": "branch", "parent_id": o["org"]}}


def _org_sheet(o):
    return _xlsx_upload([["组织名称", "上级组织", "类型"], ["矩阵测试党支部", "静海区委", "党支部"]], "orgs.xlsx")


def _xlsx_upload(rows: list[list], name: str = "sheet.xlsx") -> dict:
    return {"data": {"file": (io.BytesIO(xlsx_bytes(rows)), name)}, "content_type": "multipart/form-data"}


def _rubric_text() -> bytes:
    from service.checks.rubric import RUBRIC_DIR

    return (RUBRIC_DIR / "2025.yaml").read_bytes().replace(b"year: 2025", b"year: 2026", 1)


ENDPOINTS = [
    # --- collections (no object) ---
    Endpoint("GET", "/api/v1/me", ANY, scoped=False),
    Endpoint("GET", "/api/v1/organisations", ANY, scoped=False),
    Endpoint("GET", "/api/v1/organisations/search?q=党支部", ANY, scoped=False),
    Endpoint("GET", "/api/v1/submissions", ANY, scoped=False),
    Endpoint("GET", "/api/v1/assessments", ANY, scoped=False),
    Endpoint("GET", "/api/v1/documents", ANY, scoped=False),
    Endpoint("GET", "/api/v1/forms", ANY, scoped=False),
    Endpoint("GET", "/api/v1/forms/declaration.docx", ANY, scoped=False),
    Endpoint("GET", "/api/v1/rubrics", ANY, scoped=False),
    Endpoint("GET", "/api/v1/rubrics/2025", ANY, scoped=False),
    Endpoint("GET", "/api/v1/queue", REVIEWERS, scoped=False),
    Endpoint("GET", "/api/v1/dashboard", REVIEWERS, scoped=False),
    Endpoint("GET", "/api/v1/audit", REVIEWERS, scoped=False),
    Endpoint("GET", "/api/v1/audit.csv", REVIEWERS, scoped=False),
    Endpoint("GET", "/api/v1/batches", REVIEWERS, scoped=False),
    Endpoint("POST", "/api/v1/grading-rounds", REVIEWERS, ok=(201,), scoped=False, body=_sheet),
    Endpoint("GET", "/api/v1/users", ADMIN, scoped=False),
    Endpoint("GET", "/api/v1/admin/numbering", ADMIN, scoped=False),
    Endpoint("GET", "/api/v1/admin/fonts", ADMIN, scoped=False),
    Endpoint("GET", "/api/v1/register", REVIEWERS, scoped=False),
    Endpoint("GET", "/api/v1/register.xlsx", REVIEWERS, scoped=False),
    Endpoint("POST", "/api/v1/me/token", ANY, scoped=False),
    Endpoint("GET", "/api/v1/me/tokens", ANY, scoped=False),
    Endpoint("POST", "/api/v1/me/tokens", ANY, ok=(201,), scoped=False, body=_json(lambda o: {"name": "矩阵", "days": 1})),
    Endpoint("DELETE", "/api/v1/me/tokens/999999", ANY, ok=(404,), scoped=False),  # nobody's token
    # a wrong current password: refused (422) after the sign-in check, nothing changed
    Endpoint("POST", "/api/v1/me/password", ANY, ok=(422,), scoped=False,
             body=_json(lambda o: {"current_password": "not-it", "new_password": "Another-pass-77"})),
    Endpoint("GET", "/api/v1/messages", ANY, scoped=False),
    Endpoint("POST", "/api/v1/messages/read", ANY, scoped=False, body=_json(lambda o: {"all": True})),
    Endpoint("GET", "/api/v1/todo", ANY, scoped=False),
    # --- objects ---
    Endpoint("GET", "/api/v1/submissions/{sub}", ANY),
    Endpoint("GET", "/api/v1/submissions/{sub}/file", ANY),
    Endpoint("GET", "/api/v1/submissions/{sub}/preview", ANY),
    Endpoint("GET", "/api/v1/submissions/{pdf}/pages/1.png", ANY),
    Endpoint("POST", "/api/v1/submissions/{sub}/check", ANY, body=_json(lambda o: {"as_of": "2026-03-20"})),
    Endpoint("PATCH", "/api/v1/submissions/{sub}/fields", REVIEWERS,
             body=_json(lambda o: {"fields": {"member_count": 11}})),
    Endpoint("POST", "/api/v1/submissions", ANY, ok=(201,), body=_upload),
    # a decision without its kind: refused (422) after the role and view checks
    Endpoint("POST", "/api/v1/submissions/{sub}/decisions", REVIEWERS, ok=(422,), body=_json(lambda o: {})),
    Endpoint("GET", "/api/v1/organisations/{org}", ANY),
    Endpoint("GET", "/api/v1/organisations/{org}/assessor", REVIEWERS),
    Endpoint("GET", "/api/v1/organisations/{org}/archive.zip", ANY),
    Endpoint("GET", "/api/v1/organisations/{org}/cycle", ANY),
    Endpoint("POST", "/api/v1/organisations/{org}/cycle/transitions", REVIEWERS, ok=(200, 409),
             body=_json(lambda o: {"event": "declare", "as_of": "2026-03-10"})),
    Endpoint("PATCH", "/api/v1/organisations/{org}", ADMIN, body=_json(lambda o: {"contact_person": "王芳"})),
    Endpoint("GET", "/api/v1/assessments/{assessment}", ANY),
    Endpoint("POST", "/api/v1/assessments", REVIEWERS, ok=(201,),
             body=_json(lambda o: {"organisation_id": o["org"], "year": 2025,
                                   "scores": {"leadership": 19, "members": 19, "mechanism": 19,
                                              "performance": 19, "reputation": 19}})),
    Endpoint("POST", "/api/v1/notices/preview", REVIEWERS,
             body=_json(lambda o: {"kind": "rectification-notice", "record_id": o["assessment"]})),
    Endpoint("GET", "/api/v1/documents/{document}.pdf", ANY),
    Endpoint("GET", "/api/v1/documents?organisation_id={org}", ANY),
    Endpoint("POST", "/api/v1/notices", REVIEWERS, ok=(201,),
             body=_json(lambda o: {"kind": "rectification-notice", "record_id": o["assessment"]})),
    Endpoint("POST", "/api/v1/documents", REVIEWERS, ok=(201,),
             body=_json(lambda o: {"kind": "rectification-notice", "record_id": o["assessment"]})),
    Endpoint("POST", "/api/v1/documents/{document}/reissue", REVIEWERS, ok=(201, 409)),
    # a 作废 without its reason: refused (422) after the role and view checks
    Endpoint("POST", "/api/v1/documents/{document}/withdraw", REVIEWERS, ok=(422,), body=_json(lambda o: {})),
    Endpoint("GET", "/api/v1/batches/{job}", REVIEWERS),
    # before the cancel rows: resuming a queued job is refused (409), so no worker starts in this test
    Endpoint("POST", "/api/v1/batches/{job}/resume", REVIEWERS, ok=(409,)),
    Endpoint("POST", "/api/v1/batches/{job}/cancel", REVIEWERS, ok=(200, 409)),
    Endpoint("PATCH", "/api/v1/users/{user}", ADMIN, body=_json(lambda o: {"display_name": "支部文书"})),
    Endpoint("POST", "/api/v1/users/{user}/token", ADMIN),
    Endpoint("POST", "/api/v1/users", ADMIN, ok=(201,), scoped=False, body=_new_user),
    Endpoint("POST", "/api/v1/organisations", ADMIN, ok=(201,), scoped=False, body=_new_org),
    Endpoint("POST", "/api/v1/organisations/import", ADMIN, scoped=False, body=_org_sheet),
    Endpoint("PUT", "/api/v1/admin/numbering", ADMIN, scoped=False, body=_json(lambda o: {"prefixes": {"1": "市直工委"}})),
    Endpoint("PUT", "/api/v1/rubrics/2026", ADMIN, scoped=False,  # written to the test's own data dir
             body=lambda o: {"data": _rubric_text()}),
    # --- the 整改工作台账 ---
    Endpoint("GET", "/api/v1/ledger", ANY, scoped=False),
    Endpoint("GET", "/api/v1/ledger?organisation_id={org}", ANY),
    Endpoint("POST", "/api/v1/ledger", REVIEWERS, ok=(201,),
             body=_json(lambda o: {"organisation_id": o["org"], "category": "制度执行", "problem": "主题党日未固定"})),
    Endpoint("GET", "/api/v1/ledger/{item}", ANY),
    Endpoint("PATCH", "/api/v1/ledger/{item}", ANY, body=_json(lambda o: {"measure": "每月8日固定开展主题党日"})),
    Endpoint("POST", "/api/v1/ledger/{item}/notes", ANY, ok=(201,), body=_json(lambda o: {"body": "已开展两次"})),
    Endpoint("GET", "/api/v1/ledger/{item}/notes/{note}/evidence", ANY),
    Endpoint("POST", "/api/v1/taskbooks", REVIEWERS, ok=(201,),
             body=_json(lambda o: {"assessment_id": o["assessment"]})),
    Endpoint("GET", "/ledger", ANY, scoped=False, page=True),
    Endpoint("GET", "/ledger?organisation_id={org}", ANY, page=True),
    Endpoint("GET", "/ledger/{item}", ANY, page=True),
    Endpoint("POST", "/ledger/{item}", ANY, ok=(302,), page=True,
             body=lambda o: {"data": {"action": "note", "body": "又开展一次"}}),
    Endpoint("POST", "/ledger", REVIEWERS, ok=REFUSED_OR_DONE + (404,), scoped=False, page=True,
             body=lambda o: {"data": {"organisation_id": str(o["org"]), "category": "队伍建设", "problem": "发展党员滞后"}}),
    Endpoint("POST", "/api/v1/ledger/{item}/close", REVIEWERS, ok=(200, 409),
             body=_json(lambda o: {"note": "经核查已整改到位"})),
    # --- the district's management layer (issue 12) ---
    Endpoint("GET", "/api/v1/people", REVIEWERS, scoped=False),
    Endpoint("POST", "/api/v1/people", REVIEWERS, ok=(201,), scoped=False,
             body=_json(lambda o: {"name": "李卫东", "rank": "county_leader"})),
    Endpoint("GET", "/api/v1/people/{person}", REVIEWERS),
    Endpoint("PATCH", "/api/v1/people/{person}", REVIEWERS, body=_json(lambda o: {"title": "区委常委"})),
    Endpoint("POST", "/api/v1/people/import", REVIEWERS, scoped=False,
             body=lambda o: _xlsx_upload([["姓名", "类别"], ["张三", "区级领导"]])),
    Endpoint("GET", "/api/v1/people/export.xlsx", REVIEWERS, scoped=False),
    Endpoint("GET", "/api/v1/people/template.xlsx", ANY, scoped=False),
    Endpoint("GET", "/api/v1/assignments", REVIEWERS, scoped=False),
    Endpoint("GET", "/api/v1/assignments/visits", REVIEWERS, scoped=False),
    Endpoint("GET", "/api/v1/assignments/visits?organisation_id={org}", REVIEWERS),
    Endpoint("POST", "/api/v1/assignments", REVIEWERS, ok=(201, 409),
             body=_json(lambda o: {"person_id": o["person"], "organisation_id": o["org"], "year": 2027})),
    Endpoint("GET", "/api/v1/assignments/{assignment}", REVIEWERS),
    Endpoint("POST", "/api/v1/assignments/{assignment}/visits", REVIEWERS, ok=(201,),
             body=_json(lambda o: {"found": "发展党员滞后"})),
    # the assignment has a visit: refused (409) after the role and view checks
    Endpoint("DELETE", "/api/v1/assignments/{assignment}", REVIEWERS, ok=(409,)),
    # corrections, imports and exports of every district kind (a DELETE names no seeded record: 404 after the checks)
    Endpoint("DELETE", "/api/v1/people/999999", REVIEWERS, ok=(404,), scoped=False),
    Endpoint("PATCH", "/api/v1/assignments/{assignment}", REVIEWERS, body=_json(lambda o: {"note": "矩阵"})),
    Endpoint("POST", "/api/v1/assignments/import", REVIEWERS, scoped=False,
             body=lambda o: _xlsx_upload([["领导姓名", "党支部"]])),
    Endpoint("GET", "/api/v1/assignments/export.xlsx", REVIEWERS, scoped=False),
    Endpoint("GET", "/api/v1/assignments/template.xlsx", ANY, scoped=False),
    Endpoint("PATCH", "/api/v1/assignments/visits/{visit}", REVIEWERS, body=_json(lambda o: {"follow_up": "约谈"})),
    Endpoint("DELETE", "/api/v1/assignments/visits/999999", REVIEWERS, ok=(404,), scoped=False),
    Endpoint("POST", "/api/v1/assignments/visits/import", REVIEWERS, scoped=False,
             body=lambda o: _xlsx_upload([["领导姓名", "党支部", "走访日期"]])),
    Endpoint("GET", "/api/v1/assignments/visits/template.xlsx", ANY, scoped=False),
    Endpoint("DELETE", "/api/v1/supervision-groups/999999", ADMIN, ok=(404,), scoped=False),
    Endpoint("POST", "/api/v1/supervision-groups/import", ADMIN, scoped=False,
             body=lambda o: _xlsx_upload([["督导组", "组长"]])),
    Endpoint("GET", "/api/v1/supervision-groups/export.xlsx", REVIEWERS, scoped=False),
    Endpoint("GET", "/api/v1/supervision-groups/template.xlsx", ANY, scoped=False),
    Endpoint("GET", "/api/v1/inspections/export.xlsx", REVIEWERS, scoped=False),
    Endpoint("PATCH", "/api/v1/inspections/{inspection}", REVIEWERS, body=_json(lambda o: {"kind": "random"})),
    Endpoint("DELETE", "/api/v1/inspections/999999", REVIEWERS, ok=(404,), scoped=False),
    Endpoint("POST", "/api/v1/inspections/import", REVIEWERS, scoped=False,
             body=lambda o: _xlsx_upload([["督导组", "党支部", "检查日期"]])),
    Endpoint("GET", "/api/v1/inspections/template.xlsx", ANY, scoped=False),
    Endpoint("PATCH", "/api/v1/party-days/{day}", ANY, body=_json(lambda o: {"topic": "重温入党誓词"})),
    Endpoint("DELETE", "/api/v1/party-days/999999", ANY, ok=(404,), scoped=False),
    Endpoint("GET", "/api/v1/branch-lists/{org}", ANY),
    Endpoint("GET", "/api/v1/branch-lists/{org}.xlsx", ANY),
    Endpoint("GET", "/api/v1/supervision-groups", REVIEWERS, scoped=False),
    Endpoint("POST", "/api/v1/supervision-groups", ADMIN, ok=(201,), scoped=False,
             body=lambda o: {"json": {"name": f"矩阵督导组{next(_serial)}"}}),
    Endpoint("GET", "/api/v1/supervision-groups/{group}", REVIEWERS),
    Endpoint("PATCH", "/api/v1/supervision-groups/{group}", ADMIN, body=_json(lambda o: {"leader": "刘明"})),
    Endpoint("GET", "/api/v1/inspections", REVIEWERS, scoped=False),
    Endpoint("POST", "/api/v1/inspections", REVIEWERS, ok=(201,),
             body=_json(lambda o: {"group_id": o["group"], "organisation_id": o["org"], "kind": "random"})),
    Endpoint("GET", "/api/v1/inspections/{inspection}", REVIEWERS),
    Endpoint("POST", "/api/v1/inspections/{inspection}/findings/0/open", REVIEWERS, ok=(201, 409)),
    Endpoint("GET", "/api/v1/party-days", ANY, scoped=False),
    Endpoint("POST", "/api/v1/party-days", ANY, ok=(201,),
             body=_json(lambda o: {"organisation_id": o["org"], "held_on": "2026-08-08", "attended": 6})),
    Endpoint("GET", "/api/v1/party-days/{day}", ANY),
    Endpoint("POST", "/api/v1/party-days/import", ANY, scoped=False,
             body=lambda o: _xlsx_upload([["党支部", "开展日期", "实到人数"]])),
    Endpoint("GET", "/api/v1/party-days/template.xlsx", ANY, scoped=False),
    Endpoint("GET", "/api/v1/party-days/export.xlsx", ANY, scoped=False),
    Endpoint("GET", "/api/v1/party-days/compliance?year=2026", ANY, scoped=False),
    # --- 两册一证 纪实 (issue 12, JH-6) ---
    Endpoint("GET", "/api/v1/members", ANY, scoped=False),
    Endpoint("POST", "/api/v1/members", ANY, ok=(201,),
             body=_json(lambda o: {"organisation_id": o["org"], "name": f"党员{next(_serial)}"})),
    Endpoint("GET", "/api/v1/members/export.xlsx", ANY, scoped=False),
    Endpoint("GET", "/api/v1/members/{member}", ANY),
    Endpoint("PATCH", "/api/v1/members/{member}", ANY, body=_json(lambda o: {"gender": "男"})),
    Endpoint("GET", "/api/v1/member-records", ANY, scoped=False),
    Endpoint("POST", "/api/v1/member-records", ANY, ok=(201,),
             body=_json(lambda o: {"member_id": o["member"], "kind": "dues", "month": "2025-09", "amount": 20})),
    Endpoint("POST", "/api/v1/member-records/import", ANY, scoped=False,
             body=lambda o: _xlsx_upload([["党支部", "姓名", "类别", "日期"]])),
    Endpoint("GET", "/api/v1/member-records/template.xlsx", ANY, scoped=False),
    Endpoint("GET", "/api/v1/member-records/export.xlsx", ANY, scoped=False),
    Endpoint("GET", "/api/v1/handbooks", ANY, scoped=False),
    Endpoint("POST", "/api/v1/handbooks", ANY, ok=(201,),
             body=_json(lambda o: {"kind": "branch_manual", "organisation_id": o["org"], "number": f"S{next(_serial)}"})),
    Endpoint("POST", "/api/v1/handbooks/import", ANY, scoped=False,
             body=lambda o: _xlsx_upload([["手册", "党支部", "发放日期"]])),
    Endpoint("GET", "/api/v1/handbooks/template.xlsx", ANY, scoped=False),
    Endpoint("GET", "/api/v1/handbooks/export.xlsx", ANY, scoped=False),
    # corrections of a register line (no seeded line: 404 after the role check) and of a 抽查
    Endpoint("GET", "/api/v1/handbooks/999999", ANY, ok=(404,), scoped=False),
    Endpoint("PATCH", "/api/v1/handbooks/999999", ANY, ok=(404,), scoped=False,
             body=_json(lambda o: {"received_by": "郑海"})),
    Endpoint("DELETE", "/api/v1/handbooks/999999", ANY, ok=(404,), scoped=False),
    Endpoint("PATCH", "/api/v1/spot-checks/{check}", REVIEWERS, body=_json(lambda o: {"checker": "刘明"})),
    Endpoint("DELETE", "/api/v1/spot-checks/999999", REVIEWERS, ok=(404,), scoped=False),
    Endpoint("GET", "/api/v1/spot-checks", REVIEWERS, scoped=False),
    Endpoint("POST", "/api/v1/spot-checks", REVIEWERS, ok=(201,),
             body=_json(lambda o: {"organisation_id": o["org"], "checker": "刘明", "outcome": "good"})),
    Endpoint("GET", "/api/v1/spot-checks/{check}", REVIEWERS),
    Endpoint("POST", "/api/v1/spot-checks/{check}/problems/0/open", REVIEWERS, ok=(201, 409)),
    Endpoint("GET", "/members", ANY, scoped=False, page=True),
    Endpoint("POST", "/members", ANY, ok=REFUSED_OR_DONE, scoped=False, page=True,
             body=lambda o: {"data": {"organisation_id": str(o["org"]), "name": "王芳"}}),
    Endpoint("GET", "/handbooks", ANY, scoped=False, page=True),
    Endpoint("POST", "/handbooks", ANY, ok=REFUSED_OR_DONE, scoped=False, page=True,
             body=lambda o: {"data": {"kind": "branch_manual", "organisation_id": str(o["org"]), "number": "P1"}}),
    Endpoint("GET", "/handbooks/999999", ANY, ok=(404,), scoped=False, page=True),
    Endpoint("POST", "/handbooks/999999", ANY, ok=(404,), scoped=False, page=True,
             body=lambda o: {"data": {"action": "delete"}}),
    Endpoint("GET", "/spot-checks/{check}", REVIEWERS, page=True),
    Endpoint("POST", "/spot-checks/{check}", REVIEWERS, ok=(302,), page=True,
             body=lambda o: {"data": {"action": "update", "checker": "刘明", "outcome": "fair", "problems": "纪实不全"}}),
    Endpoint("GET", "/member-records", ANY, scoped=False, page=True),
    Endpoint("POST", "/member-records", ANY, ok=(302,), scoped=False, page=True, body=lambda o: {"data": {}}),
    Endpoint("GET", "/spot-checks", REVIEWERS, scoped=False, page=True),
    Endpoint("POST", "/spot-checks", REVIEWERS, ok=(302,), scoped=False, page=True,
             body=lambda o: {"data": {"action": "open", "check_id": str(o["check"]), "index": "0"}}),
    # --- 书记项目 and training (JH-5) ---
    Endpoint("GET", "/api/v1/secretary-projects", REVIEWERS, scoped=False),
    Endpoint("POST", "/api/v1/secretary-projects", REVIEWERS, ok=(201, 409),
             body=_json(lambda o: {"organisation_id": o["committee"], "year": 2027, "title": "矩阵项目"})),
    Endpoint("GET", "/api/v1/secretary-projects/{project}", REVIEWERS),
    Endpoint("PATCH", "/api/v1/secretary-projects/{project}", REVIEWERS,
             body=_json(lambda o: {"milestones": {"report": {"status": "in_progress"}}})),
    Endpoint("POST", "/api/v1/secretary-projects/{project}/milestones/report/evidence", REVIEWERS, ok=(201, 409),
             body=lambda o: {"data": {"file": (io.BytesIO(b"%PDF-1.4 report"), "report.pdf")},
                             "content_type": "multipart/form-data"}),
    Endpoint("GET", "/api/v1/secretary-projects/{project}/milestones/problem/evidence/0", REVIEWERS, ok=(404,)),
    Endpoint("POST", "/api/v1/secretary-projects/import", REVIEWERS, scoped=False,
             body=lambda o: _xlsx_upload([["党委（工委）", "年度", "项目名称"]])),
    Endpoint("GET", "/api/v1/secretary-projects/template.xlsx", ANY, scoped=False),
    Endpoint("GET", "/api/v1/secretary-projects/export.xlsx", REVIEWERS, scoped=False),
    Endpoint("GET", "/api/v1/training/topics", REVIEWERS, scoped=False),
    Endpoint("POST", "/api/v1/training/topics", REVIEWERS, ok=(201,), scoped=False,
             body=lambda o: {"json": {"name": f"矩阵专题{next(_serial)}"}}),
    Endpoint("GET", "/api/v1/training/classes", REVIEWERS, scoped=False),
    Endpoint("POST", "/api/v1/training/classes", REVIEWERS, ok=(201,),
             body=_json(lambda o: {"topic_id": o["topic"], "held_on": "2026-09-10", "capacity": 20})),
    Endpoint("GET", "/api/v1/training/classes/{class}", REVIEWERS),
    Endpoint("PATCH", "/api/v1/training/classes/{class}", REVIEWERS, body=_json(lambda o: {"place": "区委党校"})),
    Endpoint("POST", "/api/v1/training/classes/{class}/enrolments", REVIEWERS, ok=(201,),
             body=_json(lambda o: {"organisation_ids": [o["org"]]})),
    Endpoint("POST", "/api/v1/training/classes/{class}/attendance", REVIEWERS,
             body=_json(lambda o: {"organisation_id": o["org"], "attended": True})),
    Endpoint("POST", "/api/v1/training/classes/{class}/attendance/import", REVIEWERS,
             body=lambda o: _xlsx_upload([["党支部", "姓名", "是否签到"]])),
    Endpoint("GET", "/api/v1/training/sign-in-template.xlsx", ANY, scoped=False),
    Endpoint("GET", "/api/v1/training/coverage", REVIEWERS, scoped=False),
    Endpoint("GET", "/api/v1/training/coverage?organisation_id={org}", REVIEWERS),
    Endpoint("GET", "/api/v1/training/untrained.xlsx", REVIEWERS, scoped=False),
    Endpoint("GET", "/secretary-projects", REVIEWERS, scoped=False, page=True),
    Endpoint("GET", "/secretary-projects/{project}", REVIEWERS, page=True),
    Endpoint("POST", "/secretary-projects/{project}", REVIEWERS, ok=(302,), page=True,
             body=lambda o: {"data": {"action": "edit", "title": "党建引领基层治理", "status:problem": "done",
                                      "done_on:problem": "2026-05-20"}}),
    Endpoint("POST", "/secretary-projects", REVIEWERS, ok=(200, 302), scoped=False, page=True,
             body=lambda o: {"data": {"action": "create", "title": "矩阵项目", "year": "2028"}}),
    Endpoint("GET", "/training", REVIEWERS, scoped=False, page=True),
    Endpoint("GET", "/training/untrained", REVIEWERS, scoped=False, page=True),
    Endpoint("GET", "/training/classes/{class}", REVIEWERS, page=True),
    Endpoint("POST", "/training/classes/{class}", REVIEWERS, ok=(302,), page=True,
             body=lambda o: {"data": {"action": "mark", "organisation_id": str(o["org"]), "attended": "1"}}),
    Endpoint("POST", "/training", REVIEWERS, ok=(302,), scoped=False, page=True,
             body=lambda o: {"data": {"action": "topic", "name": f"矩阵页面专题{next(_serial)}"}}),
    Endpoint("GET", "/leaders", REVIEWERS, scoped=False, page=True),
    Endpoint("GET", "/leaders/{person}", REVIEWERS, page=True),
    Endpoint("POST", "/leaders", REVIEWERS, ok=(302,), scoped=False, page=True,
             body=lambda o: {"data": {"action": "person", "name": "张建华", "rank": "district_leader"}}),
    Endpoint("POST", "/leaders/{person}", REVIEWERS, ok=(302,), page=True,
             body=lambda o: {"data": {"assignment_id": str(o["assignment"]), "found": "台账不全"}}),
    Endpoint("GET", "/branch-lists/{org}", ANY, page=True),
    Endpoint("GET", "/supervision", REVIEWERS, scoped=False, page=True),
    Endpoint("POST", "/supervision", REVIEWERS, ok=(302,), scoped=False, page=True,
             body=lambda o: {"data": {"action": "open", "inspection_id": str(o["inspection"]), "index": "0"}}),
    Endpoint("GET", "/party-days", ANY, scoped=False, page=True),
    Endpoint("POST", "/party-days", ANY, ok=REFUSED_OR_DONE, scoped=False, page=True,
             body=lambda o: {"data": {"organisation_id": str(o["org"]), "held_on": "2026-09-08", "attended": "5"}}),
    # --- pages ---
    Endpoint("GET", "/submissions/{sub}", ANY, page=True),
    Endpoint("GET", "/organisations/{org}", ANY, page=True),
    Endpoint("GET", "/organisations/{org}/assessor", REVIEWERS, page=True),
    Endpoint("GET", "/organisations/{org}/archive.zip", ANY, page=True),
    Endpoint("GET", "/notices/new?kind=rectification-notice&record_id={assessment}", REVIEWERS, page=True),
    Endpoint("GET", "/notices/{document}", ANY, page=True),
    Endpoint("GET", "/scores?organisation_id={org}", REVIEWERS, page=True),
    Endpoint("GET", "/", ANY, ok=(200, 302), scoped=False, page=True),
    Endpoint("GET", "/upload", ANY, scoped=False, page=True),
    Endpoint("GET", "/forms", ANY, scoped=False, page=True),
    Endpoint("GET", "/documents", ANY, scoped=False, page=True),
    Endpoint("GET", "/queue", REVIEWERS, scoped=False, page=True),
    Endpoint("GET", "/grading", REVIEWERS, scoped=False, page=True),
    Endpoint("GET", "/batches", REVIEWERS, scoped=False, page=True),
    Endpoint("GET", "/dashboard", REVIEWERS, scoped=False, page=True),
    Endpoint("GET", "/audit", REVIEWERS, scoped=False, page=True),
    Endpoint("GET", "/admin/users", ADMIN, scoped=False, page=True),
    Endpoint("GET", "/admin/organisations", ADMIN, scoped=False, page=True),
    Endpoint("GET", "/admin/rubrics", ADMIN, scoped=False, page=True),
    Endpoint("GET", "/admin/rubrics/edit?year=2026&domain=organ", ADMIN, scoped=False, page=True),
    Endpoint("GET", "/admin/users/{user}", ADMIN, scoped=False, page=True),
    Endpoint("GET", "/admin/organisations/{org}", ADMIN, scoped=False, page=True),
    Endpoint("GET", "/admin/numbering", ADMIN, scoped=False, page=True),
    Endpoint("GET", "/admin/fonts", ADMIN, scoped=False, page=True),
    Endpoint("GET", "/register", REVIEWERS, scoped=False, page=True),
    Endpoint("GET", "/register.xlsx", REVIEWERS, scoped=False, page=True),
    Endpoint("GET", "/submissions", ANY, scoped=False, page=True),
    Endpoint("GET", "/lint", ANY, scoped=False, page=True),
    Endpoint("GET", "/account", ANY, scoped=False, page=True),
    Endpoint("GET", "/messages", ANY, scoped=False, page=True),
    Endpoint("POST", "/lint", ANY, ok=(422,), scoped=False, page=True, body=lambda o: {"data": {}}),  # no file
    Endpoint("GET", "/lifecycle", ANY, ok=(302,), scoped=False, page=True),
    Endpoint("GET", "/batches/{job}", REVIEWERS, page=True),
    Endpoint("GET", "/api/v1/batches/{job}/outputs/0", REVIEWERS, ok=(404,)),  # a queued job has no outputs yet
    Endpoint("GET", "/api/v1/batches/{job}/certificates/X-1.pdf", REVIEWERS, ok=(404,)),
    Endpoint("POST", "/api/v1/batches", REVIEWERS, ok=(422,), scoped=False,  # an empty roster: refused, no job
             body=lambda o: {"data": {"roster": (io.BytesIO(b""), "r.csv")}, "content_type": "multipart/form-data"}),
    Endpoint("GET", "/api/v1/grading-rounds/nosuchround", ANY, ok=(404,), scoped=False),
    # --- community party building (issue 13); neither subtree holds a street: the street's own objects are
    # tested in tests/web/test_community.py, here who may call what (a missing object: 404 after the role check)
    Endpoint("GET", "/api/v1/brands", ANY, scoped=False),
    Endpoint("POST", "/api/v1/brands", ANY, ok=(422,),  # own: not below a street; other: not in view
             body=_json(lambda o: {"organisation_id": o["org"], "name": "品牌"})),
    Endpoint("GET", "/api/v1/brands/999999", ANY, ok=(404,), scoped=False),
    Endpoint("POST", "/api/v1/brands/999999/registration", ANY, ok=(404,), scoped=False, body=_json(lambda o: {})),
    Endpoint("POST", "/api/v1/brands/999999/decisions", REVIEWERS, ok=(404,), scoped=False, body=_json(lambda o: {})),
    Endpoint("POST", "/api/v1/brands/999999/scores", REVIEWERS, ok=(404,), scoped=False, body=_json(lambda o: {})),
    Endpoint("GET", "/api/v1/brands/ranking?street_id=999999", ANY, ok=(404,), scoped=False),
    Endpoint("POST", "/api/v1/brands/naming", REVIEWERS, ok=(404,), scoped=False,
             body=_json(lambda o: {"street_id": 999999, "brand_ids": [1]})),
    Endpoint("POST", "/api/v1/brands/999999/follow-ups", REVIEWERS, ok=(404,), scoped=False,
             body=_json(lambda o: {})),
    Endpoint("POST", "/api/v1/brands/999999/pairs", REVIEWERS, ok=(404,), scoped=False, body=_json(lambda o: {})),
    Endpoint("GET", "/api/v1/pairs", ANY, scoped=False),
    Endpoint("GET", "/api/v1/pairs/export.xlsx", ANY, scoped=False),
    Endpoint("GET", "/api/v1/pairs/999999", ANY, ok=(404,), scoped=False),
    Endpoint("POST", "/api/v1/pairs/999999/activities", ANY, ok=(404,), scoped=False, body=_json(lambda o: {})),
    Endpoint("GET", "/api/v1/pairs/999999/activities/1/evidence", ANY, ok=(404,), scoped=False),
    Endpoint("PUT", "/api/v1/pairs/999999/results", REVIEWERS, ok=(404,), scoped=False, body=_json(lambda o: {})),
    Endpoint("GET", "/api/v1/community/units", ANY, scoped=False),
    Endpoint("POST", "/api/v1/community/units", REVIEWERS, ok=(404,), scoped=False,
             body=_json(lambda o: {"street_id": 999999})),
    Endpoint("PATCH", "/api/v1/community/units/999999", REVIEWERS, ok=(404,), scoped=False,
             body=_json(lambda o: {})),
    Endpoint("GET", "/api/v1/community/sites", ANY, scoped=False),
    Endpoint("POST", "/api/v1/community/sites", REVIEWERS, ok=(422,),  # own: not below a street
             body=_json(lambda o: {"organisation_id": o["org"]})),
    Endpoint("GET", "/api/v1/community/sites/999999/evidence", ANY, ok=(404,), scoped=False),
    Endpoint("GET", "/api/v1/community/members", ANY, scoped=False),
    Endpoint("POST", "/api/v1/community/members", ANY, ok=(422,), body=_json(lambda o: {"organisation_id": o["org"]})),
    Endpoint("GET", "/api/v1/community/members/999999/evidence", ANY, ok=(404,), scoped=False),
    Endpoint("POST", "/api/v1/community/assessments", REVIEWERS, ok=(422,),
             body=_json(lambda o: {"organisation_id": o["org"], "scores": {}})),
    Endpoint("GET", "/api/v1/community/targets", ANY, scoped=False),
    Endpoint("GET", "/api/v1/community/targets/brands", ANY, ok=(200, 404), scoped=False),  # 200: admin sees a street
    Endpoint("GET", "/community", ANY, scoped=False, page=True),
    Endpoint("POST", "/community/brands", ANY, ok=REFUSED_OR_DONE, scoped=False, page=True, body=lambda o: {"data": {}}),
    Endpoint("POST", "/community/records", ANY, ok=REFUSED_OR_DONE, scoped=False, page=True,  # no organisation: refused
             body=lambda o: {"data": {"action": "member"}}),
    Endpoint("GET", "/community/brands/999999", ANY, ok=(404,), scoped=False, page=True),
    Endpoint("POST", "/community/brands/999999", ANY, ok=(404,), scoped=False, page=True,
             body=lambda o: {"data": {"action": "decide"}}),
    Endpoint("GET", "/community/ranking?street_id=999999", ANY, ok=(404,), scoped=False, page=True),
    # unconfirmed: nothing; the ranking again (422 for a reviewer with no street to rank)
    Endpoint("POST", "/community/naming", REVIEWERS, ok=(200, 422), scoped=False, page=True,
             body=lambda o: {"data": {}}),
    Endpoint("GET", "/community/targets/brands", ANY, ok=(200, 404), scoped=False, page=True),
    Endpoint("GET", "/community/sites/999999/evidence", ANY, ok=(404,), scoped=False, page=True),
    Endpoint("GET", "/community/pairs.xlsx", ANY, scoped=False, page=True),
    # --- page forms (a session with its CSRF token; anonymous posts are refused by the CSRF check) ---
    Endpoint("POST", "/upload", ANY, ok=(302,), scoped=False, page=True, body=lambda o: {"data": {}}),
    Endpoint("POST", "/submissions/{sub}/check", ANY, ok=(302,), page=True, body=lambda o: {"data": {}}),
    Endpoint("POST", "/submissions/{sub}/decision", REVIEWERS, ok=REFUSED_OR_DONE, page=True,
             body=lambda o: {"data": {}}),
    Endpoint("POST", "/submissions/{sub}/correct", REVIEWERS, ok=(302,), page=True,
             body=lambda o: {"data": {"field": "member_count", "value": "11"}}),
    Endpoint("POST", "/organisations/{org}", REVIEWERS, ok=REFUSED_OR_DONE, page=True,
             body=lambda o: {"data": {"event": "declare", "as_of": "2026-03-10"}}),
    Endpoint("POST", "/scores", REVIEWERS, ok=(302,), page=True,
             body=lambda o: {"data": {"organisation_id": str(o["org"]), "year": "2025",
                                      **{f"score:{k}": "19" for k in ("leadership", "members", "mechanism",
                                                                      "performance", "reputation")}}}),
    Endpoint("POST", "/notices", REVIEWERS, ok=(302,), page=True,
             body=lambda o: {"data": {"kind": "rectification-notice", "record_id": str(o["assessment"]),
                                      "confirm": "1"}}),
    Endpoint("POST", "/grading", REVIEWERS, scoped=False, page=True, body=lambda o: {"data": {"year": "2025"}}),
    Endpoint("POST", "/batches", REVIEWERS, ok=(302,), scoped=False, page=True, body=lambda o: {"data": {}}),
    Endpoint("POST", "/queue/bulk", REVIEWERS, ok=(302,), scoped=False, page=True, body=lambda o: {"data": {}}),
    Endpoint("GET", "/imports/roster-template.xlsx", ANY, scoped=False, page=True),
    # a report is only its maker's session's: anyone else (every role here) gets 404
    Endpoint("GET", "/imports/reports/" + "0" * 64 + ".xlsx", ANY, ok=(404,), scoped=False, page=True),
    Endpoint("POST", "/batches/{job}/cancel", REVIEWERS, ok=(302, 409), page=True, body=lambda o: {"data": {}}),
    Endpoint("POST", "/admin/users", ADMIN, scoped=False, page=True,
             body=lambda o: {"data": {"action": "token", "user_id": str(o["user"])}}),
    Endpoint("POST", "/admin/organisations", ADMIN, scoped=False, page=True, body=lambda o: {"data": {}}),
    Endpoint("POST", "/admin/rubrics", ADMIN, scoped=False, page=True, body=lambda o: {"data": {}}),
    Endpoint("POST", "/register/{document}/withdraw", REVIEWERS, ok=(302,), scoped=False, page=True,
             body=lambda o: {"data": {}}),  # unconfirmed: nothing withdrawn, back to the register
    Endpoint("POST", "/admin/numbering", ADMIN, ok=(302,), scoped=False, page=True,
             body=lambda o: {"data": {"prefix:1": "市直工委"}}),
    Endpoint("POST", "/account", ANY, ok=(302,), scoped=False, page=True,
             body=lambda o: {"data": {"action": "email", "email": ""}}),
    Endpoint("POST", "/messages/read", ANY, ok=(302,), scoped=False, page=True, body=lambda o: {"data": {}}),
    # a rubric edit without its domain: refused (422) after the role check, nothing written
    Endpoint("POST", "/admin/rubrics/edit", ADMIN, ok=(422,), scoped=False, page=True,
             body=lambda o: {"data": {"year": "2026"}}),
    Endpoint("POST", "/admin/users/{user}", ADMIN, ok=(302,), scoped=False, page=True,
             body=lambda o: {"data": {"action": "update", "display_name": "支部文书", "active": "1"}}),
    Endpoint("POST", "/admin/organisations/{org}", ADMIN, ok=(302,), scoped=False, page=True,
             body=lambda o: {"data": {"action": "update", "secretary": "李明"}}),
    Endpoint("POST", "/messages/999999/open", ANY, ok=(404,), scoped=False, page=True, body=lambda o: {"data": {}}),
]


def _cases():
    """(endpoint, actor, side) for every cell; side None for collections."""
    for ep in ENDPOINTS:
        for actor in list(ACTORS) + ["anonymous"]:
            for side in (("own", "other") if ep.scoped else (None,)):
                yield ep, actor, side


def expected(ep: Endpoint, actor: str, side: str | None) -> tuple:
    if actor == "anonymous":
        if ep.page:
            return (302,) if ep.method == "GET" else (400,)  # no session, no CSRF token
        return (401,)
    role = ACTORS[actor][0]
    if role not in ep.roles:
        return (403,)
    if side == "other" and not (role == "admin" and ep.admin_sees_all):
        return (404,)
    return ep.ok


MATRIX_SIZE = sum(1 for _ in _cases())


def _users(app):
    from sqlalchemy import select

    from service.db import session_scope
    from service.models import User

    with session_scope(app.config["DATABASE_URL"]) as s:
        return {u.username: u.id for u in s.execute(select(User)).scalars()}


@pytest.mark.slow
def test_authorisation_matrix(app, seeded):
    objects = seeded["objects"]
    tokens = seeded["tokens"]
    page_clients = {}
    for actor in ACTORS:
        c = app.test_client()
        login(c, actor, seeded["password"])
        page_clients[actor] = c
    anonymous = app.test_client()
    failures, count = [], 0
    for ep, actor, side in _cases():
        obj_side = None
        if side is not None:
            own, other = ACTORS[actor][1:] if actor in ACTORS else ("A", "B")
            obj_side = own if side == "own" else other
        o = objects[obj_side] if obj_side else objects["A"]
        path = ep.path.format(**o)
        kwargs = ep.body(o) if ep.body else {}
        if actor == "anonymous":
            client, headers = anonymous, {}
        elif ep.page:
            client, headers = page_clients[actor], {}
            if ep.method == "POST":
                kwargs["data"]["csrf_token"] = csrf_of(client)
        else:
            # Tokens for the API; /me/token renews it, so keep the new one.
            client, headers = anonymous, bearer(tokens[actor])
        resp = client.open(path, method=ep.method, headers=headers, **kwargs)
        count += 1
        want = expected(ep, actor, side)
        if resp.status_code not in want:
            failures.append(f"{ep.method} {path} as {actor} ({side or '-'}): {resp.status_code}, want {want}")
        if ep.path == "/api/v1/me/token" and resp.status_code == 200:
            tokens[actor] = resp.get_json()["token"]
        if ep.path == "/api/v1/users/{user}/token" and resp.status_code == 200:
            body = resp.get_json()
            tokens[body["user"]["username"]] = body["token"]
        if not ep.page and resp.status_code >= 400:
            body = resp.get_json()
            if not (isinstance(body, dict) and set(body.get("error", {})) >= {"code", "message"}):
                failures.append(f"{ep.method} {path} as {actor}: error body {resp.get_data(as_text=True)[:100]}")
    assert count == MATRIX_SIZE
    assert not failures, f"{len(failures)} of {count} cells wrong:\n" + "\n".join(failures)


def test_matrix_is_big_enough():
    # every endpoint × 6 roles (5 accounts + anonymous) × own/other where there is an object
    assert MATRIX_SIZE >= 400, MATRIX_SIZE


def test_lists_hold_only_visible_objects(app, seeded):
    """Collections filter by subtree: nobody lists another subtree's objects."""
    objects, tokens = seeded["objects"], seeded["tokens"]
    for actor, (role, own, other) in ACTORS.items():
        if role == "admin":
            continue
        h = bearer(tokens[actor])
        c = app.test_client()
        subs = {i["id"] for i in c.get("/api/v1/submissions", headers=h).get_json()["items"]}
        assert objects[own]["sub"] in subs and objects[other]["sub"] not in subs, actor
        docs = {i["id"] for i in c.get("/api/v1/documents", headers=h).get_json()["items"]}
        assert objects[own]["document"] in docs and objects[other]["document"] not in docs, actor
        found = {i["id"] for i in c.get("/api/v1/assessments", headers=h).get_json()["items"]}
        assert objects[own]["assessment"] in found and objects[other]["assessment"] not in found, actor
        orgs = {i["id"] for i in c.get("/api/v1/organisations", headers=h).get_json()["items"]}
        assert objects[own]["org"] in orgs and objects[other]["org"] not in orgs, actor
        if role == "reviewer":
            audit = c.get("/api/v1/audit?limit=500", headers=h).get_json()["items"]
            assert audit and all(r["organisation_id"] in orgs for r in audit), actor
            queue = {i["id"] for i in c.get("/api/v1/queue", headers=h).get_json()["items"]}
            assert objects[own]["sub"] in queue and objects[other]["sub"] not in queue, actor


def test_branch_cannot_act_for_another_branch_by_form_fields(app, seeded):
    """Ids in bodies are authorised too, not only ids in URLs."""
    objects, tokens = seeded["objects"], seeded["tokens"]
    c = app.test_client()
    h = bearer(tokens["quwei"])
    assert c.post("/api/v1/assessments", json={"organisation_id": objects["A"]["org"], "year": 2025,
                                                "scores": {"leadership": 1}}, headers=h).status_code == 404
    assert c.post("/api/v1/notices", json={"kind": "rectification-notice",
                                           "record_id": objects["A"]["assessment"]}, headers=h).status_code == 404
    assert c.post("/api/v1/notices", json={"kind": "supplement-notice",
                                           "record_id": objects["A"]["sub"]}, headers=h).status_code == 404
    h = bearer(tokens["yusuan"])
    other_upload = c.post("/api/v1/submissions", headers=h, content_type="multipart/form-data",
                          data={"file": (io.BytesIO(b"x"), "a.docx"), "organisation_id": str(objects["B"]["org"])})
    assert other_upload.status_code == 404
    attach = c.post("/api/v1/submissions", headers=h, content_type="multipart/form-data",
                    data={"file": (io.BytesIO(b"x"), "a.docx"), "attached_to_id": str(objects["B"]["sub"])})
    assert attach.status_code == 404


def test_user_admin_endpoints(app, seeded):
    tokens = seeded["tokens"]
    users = _users(app)
    c = app.test_client()
    for actor in ("gongwei", "yusuan"):
        h = bearer(tokens[actor])
        assert c.patch(f"/api/v1/users/{users['yusuan']}", json={"role": "admin"}, headers=h).status_code == 403
        assert c.post(f"/api/v1/users/{users['yusuan']}/token", headers=h).status_code == 403
        assert c.post("/api/v1/users", json={"username": "x", "password": "12345678", "organisation_id": 1},
                      headers=h).status_code == 403
        assert c.post("/api/v1/organisations", json={"name": "x"}, headers=h).status_code == 403
    h = bearer(tokens["admin"])
    made = c.post("/api/v1/users", json={"username": "newclerk", "password": "longenough", "role": "branch",
                                         "organisation_id": seeded["objects"]["A"]["org"]}, headers=h)
    assert made.status_code == 201, made.get_json()
    uid = made.get_json()["id"]
    assert c.post("/api/v1/users", json={"username": "newclerk", "password": "longenough",
                                         "organisation_id": 1}, headers=h).status_code == 409
    assert c.post("/api/v1/users", json={"username": "weak", "password": "short",
                                         "organisation_id": 1}, headers=h).status_code == 422
    assert c.patch(f"/api/v1/users/{uid}", json={"active": False}, headers=h).status_code == 200
    assert c.patch(f"/api/v1/users/{users['admin']}", json={"active": False}, headers=h).status_code == 409
    assert c.patch("/api/v1/users/999999", json={"active": False}, headers=h).status_code == 404
    token = c.post(f"/api/v1/users/{users['yusuan']}/token", headers=h).get_json()["token"]
    assert c.get("/api/v1/me", headers=bearer(token)).get_json()["user"]["username"] == "yusuan"
    # the old token no longer works
    assert c.get("/api/v1/me", headers=bearer(tokens["yusuan"])).status_code == 401


# Routes outside the matrix, each with the reason; every other route of the app must have a row above.
UNGUARDED = {
    ("static", "GET"): "static files",
    ("healthz", "GET"): "liveness probe, no data",
    ("home.login", "GET"): "the sign-in page itself",
    ("home.login", "POST"): "signing in (throttled; tested in test_pages)",
    ("home.logout", "POST"): "signing out",
    ("home.verify", "GET"): "public certificate verification (tested in tests/documents)",
    ("home.verify_search", "GET"): "public search box for another certificate number (tested in tests/documents)",
    ("api_openapi.openapi_json", "GET"): "the API description is public",
    ("api_openapi.openapi_page", "GET"): "the API description is public",
}


def _covered(app) -> set[tuple[str, str]]:
    """(endpoint, method) of every matrix row, as the app routes it."""
    adapter = app.url_map.bind("localhost")
    dummy = {"org": 1, "sub": 1, "pdf": 1, "assessment": 1, "document": 1, "user": 1, "job": 1, "item": 1, "note": 1,
             "person": 1, "assignment": 1, "visit": 1, "group": 1, "inspection": 1, "day": 1, "member": 1, "check": 1,
             "project": 1, "class": 1}
    out = set()
    for ep in ENDPOINTS:
        path = ep.path.format(**dummy).split("?")[0]
        endpoint, _args = adapter.match(path, method=ep.method)
        out.add((endpoint, ep.method))
    return out


def test_every_route_is_in_the_matrix(app):
    """A new route without a row (or a reason above) fails here: the matrix follows ``app.url_map``."""
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    missing = routes - _covered(app) - set(UNGUARDED)
    assert not missing, sorted(missing)
    assert not set(UNGUARDED) - routes, "an exemption names a route that no longer exists"
