"""The closing scenarios of issue 11 through the HTTP API (the 区委 one is
tests/web/test_ledger.py::test_rural_branch_from_backward_to_closure_and_quarterly_report): a 工委 branch
from 预报 through 表彰, a 荣誉证书, 自然摘牌 and /verify showing 已撤销."""
from __future__ import annotations

import datetime as dt

from service.certificates.checkcode import check_code
from tests.conftest import bearer
from tests.web.conftest import cn_day, login, title_steps


def test_municipal_branch_from_forecast_to_delisting_and_verify(app, client, demo):
    h = bearer(demo["tokens"]["gongwei"])
    org = demo["orgs"]["市财政局预算科党支部"]
    today = dt.date.today()
    steps = title_steps(today)  # the last round before today: the title is in its term, whatever the day
    for event, as_of, facts in steps:
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
    commended = dt.date.fromisoformat(steps[-2][1])
    assert '<p class="status valid">有效</p>' in page and "市财政局预算科党支部" in page
    assert f"<dt>有效期</dt><dd>{commended.year}—{commended.year + 4}</dd>" in page  # the term the certificate prints
    # 自然摘牌 today: the department was reorganised
    r = client.post(f"/api/v1/organisations/{org}/cycle/transitions", headers=h,
                    json={"event": "delist", "as_of": today.isoformat(), "facts": {"reorganised": True}})
    assert r.status_code == 200, r.get_json()
    page = client.get(f"/verify/{number}?code={code}").get_data(as_text=True)
    assert "已撤销" in page and f"{cn_day(today)}起" in page and "有效</p>" not in page
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
