"""Web parity (issue 11): after a score with no findings the page does not offer a 限期整改通知书
that would then fail with 422 该考核没有发现问题."""
from __future__ import annotations

from tests.conftest import bearer
from tests.web.conftest import BRANCH_A, LOW_SCORES, login

GOOD = {"leadership": 19, "members": 19, "mechanism": 19, "performance": 19, "reputation": 19}


def test_the_scores_page_offers_a_notice_only_when_it_can_be_issued(app, demo):
    c = app.test_client()
    h = bearer(demo["tokens"]["gongwei"])
    org = demo["orgs"][BRANCH_A]
    page = app.test_client()
    login(page, "gongwei", demo["password"])
    for scores in (GOOD, LOW_SCORES):
        a = c.post("/api/v1/assessments", json={"organisation_id": org, "year": 2025, "scores": scores}, headers=h)
        assert a.status_code == 201, a.get_json()
        a = a.get_json()
        html = page.get(f"/scores?organisation_id={org}&year=2025&saved={a['id']}").get_data(as_text=True)
        issued = c.post("/api/v1/notices", json={"kind": "rectification-notice", "record_id": a["id"]}, headers=h)
        if 'id="notice-link"' in html:
            assert issued.status_code == 201, issued.get_json()
        else:
            assert "无需发限期整改通知书" in html and issued.status_code == 422
    # both cases occurred: a clean score offers nothing, a low one offers the notice
    assert c.get(f"/api/v1/documents?organisation_id={org}", headers=h).get_json()["items"]
