"""Review decisions (issue 11): 待审核 → 审核中 → 已通过 / 已退回（with comments）/ 需补正; a check is advice.

Before: a branch pressing 按规则审核 turned its own submission 符合条件 and it dropped out of the queue;
a corrected field left the old findings standing until someone re-ran the check.
"""
from __future__ import annotations

from tests.conftest import bearer
from tests.web.conftest import csrf_of, login


def _status(c, token, sub_id):
    return c.get(f"/api/v1/submissions/{sub_id}", headers=bearer(token)).get_json()["status"]


def test_a_branchs_own_check_is_advice_and_only_a_reviewer_decides(app, seeded):
    c, tokens, o = app.test_client(), seeded["tokens"], seeded["objects"]
    sub = o["A"]["sub"]
    branch, reviewer = tokens["yusuan"], tokens["gongwei"]
    assert _status(c, branch, sub) == "extracted"
    checked = c.post(f"/api/v1/submissions/{sub}/check", json={"as_of": "2026-03-20"}, headers=bearer(branch))
    assert checked.status_code == 200
    assert _status(c, branch, sub) == "extracted", "a check never sets a status"
    queue = {i["id"]: i for i in c.get("/api/v1/queue", headers=bearer(reviewer)).get_json()["items"]}
    assert queue[sub]["status_name"] == "待审核"
    # a branch cannot decide its own submission; another subtree's reviewer cannot see it
    assert c.post(f"/api/v1/submissions/{sub}/decisions", json={"decision": "approve"},
                  headers=bearer(branch)).status_code == 403
    assert c.post(f"/api/v1/submissions/{sub}/decisions", json={"decision": "claim"},
                  headers=bearer(tokens["quwei"])).status_code == 404

    def decide(decision, comment=None, token=reviewer):
        return c.post(f"/api/v1/submissions/{sub}/decisions", json={"decision": decision, "comment": comment},
                      headers=bearer(token))

    assert decide("approve").status_code == 409  # not claimed yet
    claimed = decide("claim")
    assert claimed.status_code == 200 and claimed.get_json()["status_name"] == "审核中"
    assert decide("return").status_code == 422  # a return needs the reviewer's comments
    returned = decide("return", "党员人数与名册不符，请核实后重新上报。")
    assert returned.status_code == 200 and returned.get_json()["status_name"] == "已退回"
    body = c.get(f"/api/v1/submissions/{sub}", headers=bearer(branch)).get_json()
    assert body["status_name"] == "已退回" and "名册不符" in body["review_comment"]
    assert decide("claim").status_code == 200
    assert decide("supplement", "请补充支部工作报告。").get_json()["status_name"] == "需补正"
    assert decide("claim").status_code == 200
    approved = decide("approve")
    assert approved.status_code == 200 and approved.get_json()["status_name"] == "已通过"
    assert decide("approve").status_code == 409
    queue = c.get("/api/v1/queue", headers=bearer(reviewer)).get_json()["items"]
    awaiting = [i["id"] for i in queue if i["status"] in ("extracted", "in_review")]
    assert sub not in awaiting


def test_a_correction_reruns_the_checks_at_once(app, seeded):
    c, tokens, o = app.test_client(), seeded["tokens"], seeded["objects"]
    sub, reviewer = o["A"]["sub"], bearer(tokens["gongwei"])
    r = c.patch(f"/api/v1/submissions/{sub}/fields", json={"fields": {"member_count": 5}}, headers=reviewer)
    assert r.status_code == 200, r.get_json()
    rules = {f["rule"] for f in c.get(f"/api/v1/submissions/{sub}", headers=reviewer).get_json()["findings"]}
    assert "too_few_members" in rules, rules  # no manual re-check needed
    c.patch(f"/api/v1/submissions/{sub}/fields", json={"fields": {"member_count": 12}}, headers=reviewer)
    body = c.get(f"/api/v1/submissions/{sub}", headers=reviewer).get_json()
    assert "too_few_members" not in {f["rule"] for f in body["findings"]}
    # the first correction's findings stay in the record beside the new ones
    earlier = body["earlier_findings"]
    assert "too_few_members" in {f["rule"] for f in earlier[0]["findings"]} and earlier[0]["superseded_on"]
    page = app.test_client()
    login(page, "gongwei", seeded["password"])
    html = page.get(f"/submissions/{sub}").get_data(as_text=True)
    assert 'id="earlier-findings"' in html and "被新的检查取代" in html


def test_the_page_claims_returns_with_comments_and_approves(app, seeded):
    sub = seeded["objects"]["A"]["sub"]
    page = app.test_client()
    login(page, "gongwei", seeded["password"])
    html = page.get(f"/submissions/{sub}").get_data(as_text=True)
    assert "开始审核" in html and "待审核" in html
    post = lambda **data: page.post(f"/submissions/{sub}/decision", data={"csrf_token": csrf_of(page), **data},
                                    follow_redirects=True).get_data(as_text=True)
    assert "审核中" in post(decision="claim")
    assert "请写明审核意见" in post(decision="return")
    html = post(decision="return", comment="材料不全，请补充。")
    assert "已退回" in html and "材料不全，请补充。" in html
    post(decision="claim")
    assert "已通过" in post(decision="approve")
    branch = app.test_client()
    login(branch, "yusuan", seeded["password"])
    html = branch.get(f"/submissions/{sub}").get_data(as_text=True)
    assert "已通过" in html and 'id="decision-approve"' not in html
