"""Checks and lifecycle through the API, persisted on both databases."""
from __future__ import annotations

import io

from sqlalchemy import select

from service.demo_forms import demo_files
from tests.conftest import bearer


def _upload_pair(client, token, org_id):
    files = {name: data for org, name, data in demo_files() if org == "市人民医院内科党支部"}
    payload = {"file": [(io.BytesIO(data), name) for name, data in files.items()],
               "organisation_id": str(org_id)}
    resp = client.post("/api/v1/submissions", data=payload, headers=bearer(token),
                       content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    items = resp.get_json()["items"]
    return next(i for i in items if i["form"] == "acceptance"), next(i for i in items if i["form"] == "report")


def test_check_acceptance_with_its_report(client, demo, db):
    from service.models import AuditLog, Finding

    org_id = demo["orgs"]["市人民医院内科党支部"]
    form, report = _upload_pair(client, demo["tokens"]["gongwei"], org_id)
    assert report["attached_to_id"] == form["id"]
    resp = client.post(f"/api/v1/submissions/{form['id']}/check", json={"as_of": "2025-03-20"},
                       headers=bearer(demo["tokens"]["gongwei"]))
    assert resp.status_code == 200, resp.get_json()
    result = resp.get_json()
    assert result["eligible"] is True, result["findings"]
    assert result["grade"]["key"]
    assert not [f for f in result["findings"] if f["rule"] == "missing_report"]

    # A reviewer's correction feeds the next check: 6 members is under SZ-3.3's 7.
    fixed = client.patch(f"/api/v1/submissions/{form['id']}/fields", json={"fields": {"member_count": 6}},
                         headers=bearer(demo["tokens"]["gongwei"]))
    assert fixed.status_code == 200
    late = client.post(f"/api/v1/submissions/{form['id']}/check", json={"as_of": "2025-03-20"},
                       headers=bearer(demo["tokens"]["gongwei"])).get_json()
    assert late["eligible"] is False
    assert "too_few_members" in {f["rule"] for f in late["findings"]}
    with db() as s:
        stored = s.execute(select(Finding).where(Finding.submission_id == form["id"])).scalars().all()
        assert {f.rule for f in stored} == {f["rule"] for f in late["findings"]}
        assert all(f.clause for f in stored)
        checks = s.execute(select(AuditLog).where(AuditLog.action == "check")).scalars().all()
        assert len(checks) == 3  # the two asked for, and the one the correction ran at once


def test_acceptance_without_report_is_not_eligible(client, demo):
    org_id = demo["orgs"]["市人民医院内科党支部"]
    data = next(d for org, name, d in demo_files() if name.endswith("验收申请表.docx"))
    resp = client.post("/api/v1/submissions", data={"file": (io.BytesIO(data), "验收.docx"),
                                                     "organisation_id": str(org_id)},
                       headers=bearer(demo["tokens"]["gongwei"]), content_type="multipart/form-data")
    sub = resp.get_json()
    result = client.post(f"/api/v1/submissions/{sub['id']}/check?as_of=2025-03-20",
                         headers=bearer(demo["tokens"]["gongwei"])).get_json()
    assert result["eligible"] is False
    assert "missing_report" in {f["rule"] for f in result["findings"]}


def test_lifecycle_transitions_are_checked_and_audited(client, demo, db):
    from service.models import AuditLog, CreationCycle

    org_id = demo["orgs"]["市财政局预算科党支部"]
    url = f"/api/v1/organisations/{org_id}/cycle/transitions"
    reviewer = bearer(demo["tokens"]["gongwei"])
    facts = {"prior_honor": "unit_five_good", "has_office": True, "has_equipment": True,
             "has_activity_room": True}
    wrong_month = client.post(url, json={"event": "declare", "as_of": "2026-05-10", "facts": facts},
                              headers=reviewer)
    assert wrong_month.status_code == 409
    assert wrong_month.get_json()["error"]["code"] == "transition_refused"
    ok = client.post(url, json={"event": "declare", "as_of": "2026-03-10", "facts": facts}, headers=reviewer)
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["state"] == "forecast" and ok.get_json()["declared_on"] == "2026-03-10"
    illegal = client.post(url, json={"event": "commend", "as_of": "2026-03-11"}, headers=reviewer)
    assert illegal.status_code == 409
    branch = client.post(url, json={"event": "start_creation"}, headers=bearer(demo["tokens"]["yusuan"]))
    assert branch.status_code == 403
    state = client.get(f"/api/v1/organisations/{org_id}/cycle", headers=bearer(demo["tokens"]["yusuan"]))
    assert state.get_json()["state"] == "forecast"
    assert "start_creation" in state.get_json()["allowed_events"]
    with db() as s:
        assert s.execute(select(CreationCycle)).scalar_one().state == "forecast"
        actions = [a.action for a in s.execute(select(AuditLog).order_by(AuditLog.id)).scalars()]
    assert actions.count("transition_refused") == 2 and actions.count("transition") == 1
