"""两册一证 corrections (issue 12, JH-6): a register line and a 抽查 entered wrongly are edited or removed through
the API and the pages by the same use cases; a refused edit keeps what was typed in the form, a removal asks
first, and a 抽查 whose problem is in the ledger is kept (its row answers for it)."""
from __future__ import annotations

import re

from tests.conftest import QUICK_ON_SQLITE, bearer

pytestmark = QUICK_ON_SQLITE


def _input(html: str, name: str) -> str:
    m = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    return m.group(1) if m else ""


def test_register_line_corrected_and_removed(app, client, seeded):
    from tests.web.conftest import csrf_of, login

    branch, other = bearer(seeded["tokens"]["chengguan"]), bearer(seeded["tokens"]["gongwei"])
    org = seeded["objects"]["B"]["org"]
    lines = []
    for number in ("GZ-2026-001", "GZ-2026-002"):
        r = client.post("/api/v1/handbooks", headers=branch, json={
            "kind": "branch_manual", "organisation_id": org, "number": number, "given_on": "2026-03-01"})
        assert r.status_code == 201, r.get_json()
        lines.append(r.get_json()["id"])
    first, second = lines
    # API
    r = client.patch(f"/api/v1/handbooks/{first}", headers=branch, json={"received_by": "郑海", "given_on": "2026-03-02"})
    assert r.status_code == 200 and (r.get_json()["received_by"], r.get_json()["given_on"]) == ("郑海", "2026-03-02")
    r = client.patch(f"/api/v1/handbooks/{first}", headers=branch, json={"number": "GZ-2026-002"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "number_taken"
    assert client.patch(f"/api/v1/handbooks/{first}", headers=branch, json={"given_on": "2099-01-01"}).status_code == 422
    assert client.patch(f"/api/v1/handbooks/{first}", headers=other, json={"received_by": "x"}).status_code == 404
    assert client.delete(f"/api/v1/handbooks/{first}", headers=other).status_code == 404
    assert client.get(f"/api/v1/handbooks/{first}", headers=branch).get_json()["number"] == "GZ-2026-001"
    assert client.delete(f"/api/v1/handbooks/{second}", headers=branch).status_code == 204
    assert client.get(f"/api/v1/handbooks/{second}", headers=branch).status_code == 404
    # pages: the list links to the edit form, a refused edit shows what was typed
    login(client, "chengguan", seeded["password"])
    assert f'href="/handbooks/{first}"' in client.get("/handbooks").get_data(as_text=True)
    page = client.get(f"/handbooks/{first}").get_data(as_text=True)
    assert _input(page, "number") == "GZ-2026-001" and _input(page, "received_by") == "郑海"
    r = client.post(f"/handbooks/{first}", data={"csrf_token": csrf_of(client), "action": "update",
                                                 "number": "GZ-2026-009", "given_on": "2099-01-01",
                                                 "received_by": "王芳"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "无法保存：发放日期不能晚于今天" in html
    assert (_input(html, "number"), _input(html, "given_on"), _input(html, "received_by")) == (
        "GZ-2026-009", "2099-01-01", "王芳")
    assert client.get(f"/api/v1/handbooks/{first}", headers=branch).get_json()["number"] == "GZ-2026-001"
    r = client.post(f"/handbooks/{first}", data={"csrf_token": csrf_of(client), "action": "update",
                                                 "number": "GZ-2026-009", "given_on": "2026-03-05",
                                                 "received_by": "王芳"}, follow_redirects=True)
    assert "已保存手册发放登记" in r.get_data(as_text=True) and "GZ-2026-009" in r.get_data(as_text=True)
    assert 'data-confirm="确定删除这条手册发放登记（编号GZ-2026-009）' in client.get(f"/handbooks/{first}").get_data(
        as_text=True)
    r = client.post(f"/handbooks/{first}", data={"csrf_token": csrf_of(client), "action": "delete"},
                    follow_redirects=True)
    assert "已删除该手册发放登记" in r.get_data(as_text=True)
    assert client.get(f"/api/v1/handbooks/{first}", headers=branch).status_code == 404


def test_spot_check_corrected_kept_when_in_the_ledger_and_removed(app, client, seeded):
    from tests.web.conftest import csrf_of, login

    h, other = bearer(seeded["tokens"]["quwei"]), bearer(seeded["tokens"]["gongwei"])
    branch = bearer(seeded["tokens"]["chengguan"])
    objs = seeded["objects"]["B"]
    check = objs["check"]
    # API
    r = client.patch(f"/api/v1/spot-checks/{check}", headers=h, json={
        "outcome": "poor", "answers": {"cards": True}, "problems": ["纪实不全", "学习手册未编号"]})
    body = r.get_json()
    assert r.status_code == 200, body
    assert (body["outcome"], body["answers"], [p["text"] for p in body["problems"]]) == (
        "poor", {"cards": True}, ["纪实不全", "学习手册未编号"])
    assert client.patch(f"/api/v1/spot-checks/{check}", headers=h, json={"outcome": "bad"}).status_code == 422
    assert client.patch(f"/api/v1/spot-checks/{check}", headers=h, json={"checker": ""}).status_code == 422
    assert client.patch(f"/api/v1/spot-checks/{check}", headers=other, json={"checker": "x"}).status_code == 404
    assert client.patch(f"/api/v1/spot-checks/{check}", headers=branch, json={"checker": "x"}).status_code == 403
    assert client.post(f"/api/v1/spot-checks/{check}/problems/1/open", headers=h).status_code == 201
    r = client.patch(f"/api/v1/spot-checks/{check}", headers=h, json={"problems": ["党费纪实缺3月"]})
    problems = r.get_json()["problems"]
    assert [p["text"] for p in problems] == ["学习手册未编号", "党费纪实缺3月"] and problems[0]["ledger_item_id"]
    r = client.delete(f"/api/v1/spot-checks/{check}", headers=h)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "check_has_rows"
    # pages
    login(client, "quwei", seeded["password"])
    assert f'href="/spot-checks/{check}"' in client.get("/spot-checks").get_data(as_text=True)
    html = client.get(f"/spot-checks/{check}").get_data(as_text=True)
    assert "学习手册未编号" in html and "党费纪实缺3月" in html and "不能删除" in html
    assert 'id="spot-check-delete"' not in html
    r = client.post(f"/spot-checks/{check}", data={"csrf_token": csrf_of(client), "action": "update",
                                                   "checked_on": "2026-05-06", "checker": "", "outcome": "good",
                                                   "item:records": "1", "problems": "台账未更新\n签收不全"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "无法保存：" in html
    assert _input(html, "checked_on") == "2026-05-06" and "台账未更新\n签收不全" in html
    assert re.search(r'<option value="good" selected>', html) and re.search(r'name="item:records" value="1" checked', html)
    assert client.get(f"/api/v1/spot-checks/{check}", headers=h).get_json()["outcome"] == "poor"
    r = client.post(f"/spot-checks/{check}", data={"csrf_token": csrf_of(client), "action": "update",
                                                   "checked_on": "2026-05-06", "checker": "许芳", "outcome": "good",
                                                   "item:records": "1", "problems": "台账未更新"},
                    follow_redirects=True)
    assert "已保存抽查记录" in r.get_data(as_text=True)
    saved = client.get(f"/api/v1/spot-checks/{check}", headers=h).get_json()
    assert (saved["checked_on"], saved["checker"], saved["outcome"], saved["answers"]["records"]) == (
        "2026-05-06", "许芳", "good", True)
    assert [p["text"] for p in saved["problems"]] == ["学习手册未编号", "台账未更新"]
    r = client.post(f"/spot-checks/{check}", data={"csrf_token": csrf_of(client), "action": "delete"},
                    follow_redirects=True)
    assert "无法删除：该抽查发现的问题已列入整改工作台账" in r.get_data(as_text=True)
    # a check with nothing in the ledger is removed, after the page asks
    new = client.post("/api/v1/spot-checks", headers=h, json={"organisation_id": objs["org"], "checker": "刘明",
                                                              "outcome": "good"}).get_json()["id"]
    html = client.get(f"/spot-checks/{new}").get_data(as_text=True)
    assert 'id="spot-check-delete" data-confirm="确定删除' in html
    r = client.post(f"/spot-checks/{new}", data={"csrf_token": csrf_of(client), "action": "delete"},
                    follow_redirects=True)
    assert "已删除该抽查记录" in r.get_data(as_text=True)
    assert client.get(f"/api/v1/spot-checks/{new}", headers=h).status_code == 404
