"""The closing scenarios of issue 11 through the HTTP API (the 区委 one is
tests/web/test_ledger.py::test_rural_branch_from_backward_to_closure_and_quarterly_report): a 工委 branch
from 预报 through 表彰, a 荣誉证书, 自然摘牌 and /verify showing 已撤销."""
from __future__ import annotations

from service.certificates.checkcode import check_code
from tests.conftest import bearer
from tests.web.conftest import login

STEPS = [
    ("declare", "2024-03-12", {"member_count": 12, "prior_honor": "target_advanced", "prior_honor_year": 2023,
                               "has_office": True, "has_equipment": True, "has_activity_room": True}),
    ("start_creation", "2024-03-20", {"plan_summary": "围绕“三会一课”规范化开展创建"}),
    ("apply_acceptance", "2025-03-25", {"report_char_count": 2480}),
    ("start_assessment", "2025-04-10", {}),
    ("commend", "2025-06-28", {"assessment_score": 97}),
    ("award_plaque", "2025-07-01", {}),
]


def test_municipal_branch_from_forecast_to_delisting_and_verify(app, client, demo):
    h = bearer(demo["tokens"]["gongwei"])
    org = demo["orgs"]["市财政局预算科党支部"]
    for event, as_of, facts in STEPS:
        r = client.post(f"/api/v1/organisations/{org}/cycle/transitions", headers=h,
                        json={"event": event, "as_of": as_of, "facts": facts})
        assert r.status_code == 200, (event, r.get_json())
    body = r.get_json()
    cycle = (body.get("cycle") or body)["id"]
    cert = client.post("/api/v1/documents", headers=h,
                       json={"kind": "honor-certificate", "record_id": cycle, "formats": ["pdf"]})
    assert cert.status_code == 201, cert.get_json()
    number = cert.get_json()["documents"][0]["number"]
    code = check_code(number, app.config["WUHAO_VERIFY_KEY"])
    page = client.get(f"/verify/{number}?code={code}").get_data(as_text=True)
    assert "有效" in page and "市财政局预算科党支部" in page and "2025年" in page
    # 自然摘牌: the department was reorganised
    r = client.post(f"/api/v1/organisations/{org}/cycle/transitions", headers=h,
                    json={"event": "delist", "as_of": "2026-09-30", "facts": {"reorganised": True}})
    assert r.status_code == 200, r.get_json()
    page = client.get(f"/verify/{number}?code={code}").get_data(as_text=True)
    assert "已撤销" in page and "2026年9月30日起" in page and "有效</p>" not in page
    # the documents list agrees with /verify (it said 有效, the document's own state, after the 摘牌)
    web = app.test_client()
    login(web, "gongwei", demo["password"])
    listed = web.get("/documents?q=" + number).get_data(as_text=True)
    row = listed[listed.index(number):]
    row = row[:row.index("</tr>")]
    assert "已撤销" in row and "有效" not in row
    notice = client.post("/api/v1/documents", headers=h,
                         json={"kind": "delisting-notice", "record_id": cycle, "formats": ["pdf"]})
    assert notice.status_code == 201 and notice.get_json()["documents"][0]["number"].startswith("市直工委〔")
