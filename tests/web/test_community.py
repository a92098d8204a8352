"""Community party building through the API (issue 13, SQ-1 … SQ-3): a brand from its registration to
its naming decision and a 共建对子, the SQ-1 card from the records, 五个好 with ledger rows."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from service.demo_forms import brand_form, brand_materials_docx
from tests.conftest import bearer
from tests.web.conftest import upload

SCORES = {"theme": 18, "mechanism": 17.5, "service": 22, "leading": 18, "materials": 13}
GRID = "城东社区第一网格党支部"


def _brand_count(client, tokens, who="quwei") -> int:
    card = client.get("/api/v1/community/targets", headers=bearer(tokens[who])).get_json()["card"]
    return next(t for t in card["targets"] if t["key"] == "brands")["today"]


def _register(client, tokens, brand_id, form_id, materials_id):
    return client.post(f"/api/v1/brands/{brand_id}/registration", headers=bearer(tokens["wangge"]),
                       json={"form_submission_id": form_id, "materials_submission_id": materials_id})


def _decide(client, tokens, who, brand_id, decision, comment=""):
    return client.post(f"/api/v1/brands/{brand_id}/decisions", headers=bearer(tokens[who]),
                       json={"decision": decision, "comment": comment})


def test_brand_from_registration_to_naming_and_pair(client, demo):
    tokens, orgs = demo["tokens"], demo["orgs"]
    wangge = bearer(tokens["wangge"])
    before = _brand_count(client, tokens)
    # the 工委 reviewer has no community: no card; the district's has one
    assert client.get("/api/v1/community/targets", headers=bearer(tokens["gongwei"])).get_json()["card"] is None
    assert client.get("/api/v1/dashboard", headers=bearer(tokens["gongwei"])).get_json()["community"] is None

    # 培育项目, then a registration with an incomplete form: refused, nothing counts
    brand = client.post("/api/v1/brands", headers=wangge, json={"name": "红色管家（培育）"})
    assert brand.status_code == 201, brand.get_json()
    bid = brand.get_json()["id"]
    assert brand.get_json()["stage"] == "cultivating"
    bad = upload(client, tokens["wangge"], brand_form(GRID, "红色管家", complete=False), "登记表（未填完）.docx")
    form = upload(client, tokens["wangge"], brand_form(GRID, "红色管家"), "党建品牌创建申报登记表.docx")
    mats = upload(client, tokens["wangge"], brand_materials_docx(GRID, "红色管家"), "综合材料.docx")
    assert {bad.status_code, form.status_code, mats.status_code} == {201}
    refused = _register(client, tokens, bid, bad.get_json()["id"], mats.get_json()["id"])
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "registration_incomplete"
    assert "品牌简介" in refused.get_json()["error"]["message"]
    assert _register(client, tokens, bid, form.get_json()["id"], form.get_json()["id"]).status_code == 422
    assert _brand_count(client, tokens) == before

    # 登记 → 城东社区党委 → 街道党工委 (which returns it once with a comment)
    ok = _register(client, tokens, bid, form.get_json()["id"], mats.get_json()["id"])
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["stage"] == "forwarding" and ok.get_json()["name"] == "红色管家"
    assert ok.get_json()["level_id"] == orgs["城东社区党委"]
    # its two files are reviewed on the brand: the queue and the to-do leave them out, their page links it
    queued = {i["id"] for i in client.get("/api/v1/queue", headers=bearer(tokens["shequ"])).get_json()["items"]}
    assert bad.get_json()["id"] in queued  # carried by no registration
    assert not {form.get_json()["id"], mats.get_json()["id"]} & queued
    from tests.web.conftest import login
    login(client, "wangge", demo["password"])
    page = client.get(f"/submissions/{mats.get_json()['id']}").get_data(as_text=True)
    assert "这是党建品牌“" in page and f"/community/brands/{bid}" in page and "综合材料，在品牌页面逐级审核" in page
    client.post("/logout")
    assert _decide(client, tokens, "jiedao", bid, "approve").status_code == 403  # not its turn
    assert _decide(client, tokens, "wangge", bid, "approve").status_code == 403
    step = _decide(client, tokens, "shequ", bid, "approve", "特色鲜明，同意上报。")
    assert step.status_code == 200 and step.get_json()["level_id"] == orgs["静海街道党工委"]
    assert _decide(client, tokens, "jiedao", bid, "return").status_code == 422  # a return needs comments
    back = _decide(client, tokens, "jiedao", bid, "return", "请补充服务成效的具体数据。")
    assert back.status_code == 200 and back.get_json()["stage"] == "returned"
    assert [e["comment"] for e in back.get_json()["events"] if e["action"] == "return"] == ["请补充服务成效的具体数据。"]
    assert _brand_count(client, tokens) == before  # a returned registration never counts
    assert _register(client, tokens, bid, form.get_json()["id"], mats.get_json()["id"]).status_code == 200
    assert _decide(client, tokens, "shequ", bid, "approve", "已补充。").status_code == 200
    assessing = _decide(client, tokens, "jiedao", bid, "approve", "同意进入考核评比。")
    assert assessing.get_json()["stage"] == "assessing"
    assert _brand_count(client, tokens) == before

    # 拉练式考核评比: three reviewers; naming before the third score is refused
    street = orgs["静海街道党工委"]
    for who, bonus in (("jiedao", 0), ("quwei", 1)):
        r = client.post(f"/api/v1/brands/{bid}/scores", headers=bearer(tokens[who]),
                        json={"scores": {**SCORES, "service": SCORES["service"] + bonus}})
        assert r.status_code == 200, r.get_json()
    assert client.post(f"/api/v1/brands/{bid}/scores", headers=bearer(tokens["shequ"]),
                       json={"scores": SCORES}).status_code == 403  # a community cannot score the street's round
    assert client.post(f"/api/v1/brands/{bid}/scores", headers=bearer(tokens["admin"]),
                       json={"scores": {**SCORES, "service": 99}}).status_code == 422
    early = client.post("/api/v1/brands/naming", headers=bearer(tokens["jiedao"]),
                        json={"street_id": street, "brand_ids": [bid]})
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "brand_not_scored"
    assert client.post(f"/api/v1/brands/{bid}/scores", headers=bearer(tokens["admin"]),
                       json={"scores": SCORES}).status_code == 200
    ranking = client.get(f"/api/v1/brands/ranking?street_id={street}", headers=wangge).get_json()
    assert "items" in ranking, ranking
    mine = next(i for i in ranking["items"] if i["id"] == bid)
    assert mine["reviewers"] == 3 and mine["mean"] == round((88.5 + 89.5 + 88.5) / 3, 2) and mine["rank"] == 1
    assert len(mine["by"]) == 3  # each reviewer's total is published

    # 命名: a numbered decision in the street's 发文 register
    named = client.post("/api/v1/brands/naming", headers=bearer(tokens["jiedao"]),
                        json={"street_id": street, "brand_ids": [bid], "formats": ["pdf"]})
    assert named.status_code == 201, named.get_json()
    number = named.get_json()["number"]
    assert number.startswith("静海街道党工委〔") and number.endswith("号")
    doc = named.get_json()["documents"][0]
    assert doc["kind"] == "brand-naming-decision"
    pdf = client.get(doc["url"], headers=bearer(tokens["jiedao"]))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    register = client.get("/api/v1/register", headers=bearer(tokens["jiedao"])).get_json()["items"]
    assert any(r["number"] == number and r["kind"] == "brand-naming-decision" for r in register)
    # the messages name the decision by its number: the street's (its two decisions were two lines of
    # 收到党建品牌命名决定) and the branch's whose brand is named
    told = client.get("/api/v1/messages", headers=bearer(tokens["jiedao"])).get_json()["items"]
    assert f"收到党建品牌命名决定（{number}）" in [m["title"] for m in told], [m["title"] for m in told]
    owner = client.get("/api/v1/messages", headers=wangge).get_json()["items"]
    assert any(number in m["title"] and number in m["body"] for m in owner), [m["title"] for m in owner]
    assert _brand_count(client, tokens) == before + 1

    # 共建对子 with a 后进 organisation (幸福社区 graded below 五个好 gets ledger rows too)
    xingfu = orgs["幸福社区党支部"]
    not_backward = client.post(f"/api/v1/brands/{bid}/pairs", headers=bearer(tokens["jiedao"]),
                               json={"partner_id": xingfu, "plan": "结对帮带"})
    assert not_backward.status_code == 422 and not_backward.get_json()["error"]["code"] == "not_backward"
    graded = client.post("/api/v1/community/assessments", headers=bearer(tokens["jiedao"]),
                         json={"organisation_id": xingfu, "year": 2026,
                               "scores": {"leadership": 15, "members": 14, "mechanism": 13, "performance": 14,
                                          "reputation": 19}})
    assert graded.status_code == 201, graded.get_json()
    assert graded.get_json()["five_good"] is False and len(graded.get_json()["ledger_rows"]) == 4
    ledger = client.get(f"/api/v1/ledger?organisation_id={xingfu}", headers=bearer(tokens["jiedao"])).get_json()
    assert sum(1 for r in ledger["items"] if r["category"] == "未达到“五个好”标准") == 4
    pair = client.post(f"/api/v1/brands/{bid}/pairs", headers=bearer(tokens["jiedao"]),
                       json={"partner_id": xingfu, "plan": "每季度联合开展主题党日，网格党员结对帮带。"})
    assert pair.status_code == 201, pair.get_json()
    pid = pair.get_json()["id"]
    act = client.post(f"/api/v1/pairs/{pid}/activities", headers=wangge, content_type="multipart/form-data",
                      data={"held_on": pair.get_json()["started_on"], "title": "联合主题党日",
                            "file": (io.BytesIO(b"%PDF-1.4 sign-in"), "签到表.pdf")})
    assert act.status_code == 201, act.get_json()
    aid = act.get_json()["activities"][0]["id"]
    ev = client.get(f"/api/v1/pairs/{pid}/activities/{aid}/evidence", headers=bearer(tokens["jiedao"]))
    assert ev.status_code == 200 and ev.data == b"%PDF-1.4 sign-in"
    assert client.put(f"/api/v1/pairs/{pid}/results", headers=bearer(tokens["jiedao"]),
                      json={"year": 2026, "result": "建立居民议事会"}).status_code == 200
    sheet = client.get("/api/v1/pairs/export.xlsx", headers=bearer(tokens["jiedao"]))
    rows = list(load_workbook(io.BytesIO(sheet.data)).active.iter_rows(values_only=True))
    assert rows[1][1] == "红色管家" and rows[1][3] == "幸福社区党支部" and rows[1][7] == 1
    assert "2026年：建立居民议事会" in rows[1][9]
    # the pairing changed no count
    assert _brand_count(client, tokens) == before + 1
    # the gongwei reviewer sees none of it
    assert client.get(f"/api/v1/brands/{bid}", headers=bearer(tokens["gongwei"])).status_code == 404
    assert client.get("/api/v1/pairs", headers=bearer(tokens["gongwei"])).get_json()["items"] == []

    # 跟踪督查: losing the name takes it off the count
    assert client.post(f"/api/v1/brands/{bid}/follow-ups", headers=bearer(tokens["jiedao"]),
                       json={"keep": False}).status_code == 422  # the reason is required
    lost = client.post(f"/api/v1/brands/{bid}/follow-ups", headers=bearer(tokens["jiedao"]),
                       json={"keep": False, "reason": "品牌活动停止"})
    assert lost.status_code == 200 and lost.get_json()["stage"] == "revoked"
    assert _brand_count(client, tokens) == before


def test_targets_from_records(client, demo):
    tokens, orgs = demo["tokens"], demo["orgs"]
    h = bearer(tokens["jiedao"])
    card = client.get("/api/v1/community/targets", headers=h).get_json()["card"]
    by = {t["key"]: t for t in card["targets"]}
    # demo street: 6 units should have one, 5 have one; the 7th need not
    assert by["coverage"]["today"] == round(100 * 5 / 6, 1)
    assert by["venue_funds"]["today"] == round(100 * 2 / 3, 1)  # 向阳 has no 经费 yet
    assert len(by["brands"]["trend"]) == 8
    units = client.get("/api/v1/community/units", headers=h).get_json()["items"]
    missing = next(u for u in units if u["name"] == "鑫源商贸有限公司")
    unit_org = client.post("/api/v1/organisations", headers=bearer(tokens["admin"]),
                           json={"name": "鑫源商贸有限公司党支部", "kind": "branch", "domain": "nonpublic",
                                 "parent_id": orgs["静海街道党工委"]})
    assert unit_org.status_code == 201, unit_org.get_json()
    r = client.patch(f"/api/v1/community/units/{missing['id']}", headers=h,
                     json={"organisation_id": unit_org.get_json()["id"]})
    assert r.status_code == 200 and r.get_json()["set_up"]
    card = client.get("/api/v1/community/targets", headers=h).get_json()["card"]
    assert next(t for t in card["targets"] if t["key"] == "coverage")["today"] == 100.0
    # a 精品示范点 counts only with every criterion; a new member with evidence counts at once
    site = client.post("/api/v1/community/sites", headers=h, content_type="multipart/form-data",
                       data={"organisation_id": str(orgs["向阳社区党支部"]), "name": "向阳邻里驿站",
                             "criteria": ["venue", "system"], "recognised_on": "2026-06-01",
                             "file": (io.BytesIO(b"%PDF-1.4 site"), "认定.pdf")})
    assert site.status_code == 201 and site.get_json()["counts"] is False, site.get_json()
    member = client.post("/api/v1/community/members", headers=h, content_type="multipart/form-data",
                         data={"organisation_id": str(orgs[GRID]), "name": "陶然", "admitted_on": "2026-07-01",
                               "file": (io.BytesIO(b"%PDF-1.4 decision"), "决议.pdf")})
    assert member.status_code == 201, member.get_json()
    no_evidence = client.post("/api/v1/community/members", headers=h,
                              json={"organisation_id": orgs[GRID], "name": "贺新", "admitted_on": "2026-07-01"})
    assert no_evidence.status_code == 422
    by = {t["key"]: t for t in client.get("/api/v1/community/targets", headers=h).get_json()["card"]["targets"]}
    assert by["model_sites"]["today"] == 0 and by["new_members"]["today"] == 1
    recs = client.get("/api/v1/community/targets/model_sites", headers=h).get_json()
    assert [(i["name"], i["counts"]) for i in recs["items"]] == [("向阳邻里驿站", False)]
    assert client.get("/api/v1/community/targets/nothing", headers=h).status_code == 404
    assert client.get("/api/v1/community/targets/brands", headers=bearer(tokens["gongwei"])).status_code == 404


def test_demo_street_has_brands_at_every_stage_pairs_sites_and_members(app, demo, client):
    """``wuhao demo``'s community records (service/demo_community.py), made through the use cases; twice is once."""
    from sqlalchemy import func, select

    from service import demo_community
    from service.config import settings_of
    from service.db import session_scope
    from service.models import Brand, BrandPair, ModelSite, NewMember
    from service.storage import current_store

    with app.app_context():
        with session_scope(app.config["DATABASE_URL"]) as s:
            made = demo_community.records(s, settings_of(app), current_store())
        with session_scope(app.config["DATABASE_URL"]) as s:
            assert demo_community.records(s, settings_of(app), current_store()) == {}
    assert made["named"].startswith("静海街道党工委〔")
    with session_scope(app.config["DATABASE_URL"]) as s:
        stages = set(s.execute(select(Brand.stage)).scalars())
        assert stages == {"cultivating", "forwarding", "returned", "assessing", "named", "revoked"}
        assert s.scalar(select(func.count(BrandPair.id))) == 1
        assert s.scalar(select(func.count(ModelSite.id))) == 3
        assert s.scalar(select(func.count(NewMember.id))) >= 10
    card = client.get("/api/v1/community/targets", headers=bearer(demo["tokens"]["quwei"])).get_json()["card"]
    by = {t["key"]: t["today"] for t in card["targets"]}
    assert by["brands"] == 2 and by["model_sites"] == 2  # the revoked brand and the site short of one criterion: no
    assert by["five_good"] == round(100 * 2 / 3, 1)


def test_street_records_from_the_page(client, demo):
    """The 社区党建 page: a 五个好 grade below the standard opens ledger rows, a site and a member with evidence."""
    from tests.web.conftest import csrf_of, login

    orgs = demo["orgs"]
    login(client, "jiedao", demo["password"])
    page = client.get("/community").get_data(as_text=True)
    assert "两类组织组建情况" in page and "鑫源商贸有限公司" in page and "尚未组建" in page
    token = csrf_of(client)
    graded = client.post("/community/records", follow_redirects=True, data={
        "csrf_token": token, "action": "five_good", "organisation_id": str(orgs["向阳社区党支部"]), "year": "2026",
        **{f"score:{k}": v for k, v in (("leadership", "19"), ("members", "17"), ("mechanism", "19"),
                                        ("performance", "16"), ("reputation", "19"))}})
    assert "未达到“五个好”标准，已生成2项整改事项" in graded.get_data(as_text=True)
    site = client.post("/community/records", follow_redirects=True, content_type="multipart/form-data", data={
        "csrf_token": token, "action": "site", "organisation_id": str(orgs["向阳社区党支部"]), "name": "向阳驿站",
        "criteria": ["venue", "system", "activity", "effect"], "recognised_on": "2026-05-01",
        "file": (io.BytesIO(b"%PDF-1.4 x"), "认定.pdf")})
    assert "已认定精品示范点" in site.get_data(as_text=True)
    card = client.get("/api/v1/community/targets").get_json()["card"]
    assert next(t for t in card["targets"] if t["key"] == "model_sites")["today"] == 1


def test_unit_set_up_from_the_page(client, demo):
    """A unit without a party organisation offers 尚未组建 first; choosing one sets it up (today unless dated)."""
    from tests.web.conftest import csrf_of, login

    orgs = demo["orgs"]
    login(client, "jiedao", demo["password"])
    page = client.get("/community").get_data(as_text=True)
    assert '<option value="">尚未组建</option>' in page
    unit = next(u for u in client.get("/api/v1/community/units").get_json()["items"] if u["name"] == "鑫源商贸有限公司")
    done = client.post("/community/records", follow_redirects=True, data={
        "csrf_token": csrf_of(client), "action": "set_up", "unit_id": str(unit["id"]),
        "organisation_id": str(orgs["明德物业公司党支部"]), "set_up_on": ""})
    assert "已保存组建情况" in done.get_data(as_text=True)
    unit = next(u for u in client.get("/api/v1/community/units").get_json()["items"] if u["name"] == "鑫源商贸有限公司")
    assert unit["set_up"] and unit["organisation_name"] == "明德物业公司党支部"


def test_unit_category_refusal_names_the_categories_in_chinese(client, demo):
    """The API keeps the keys (community / unit); the refusal a clerk may read names them in words."""
    unit = {"name": "新设单位", "category": "other", "street_id": demo["orgs"]["静海街道党工委"]}
    r = client.post("/api/v1/community/units", json=unit, headers=bearer(demo["tokens"]["jiedao"]))
    body = r.get_json()
    assert r.status_code == 422 and body["error"]["detail"]["field"] == "category", body
    assert body["error"]["message"] == "类别应为社区党组织或辖区单位党组织。"


def test_a_file_registered_for_one_brand_cannot_register_another(client, demo):
    """Two 培育项目 of one unit: the first registers with its 申报登记表 and 综合材料; the second is neither offered
    those files on its page nor may it register with them (the form would rename it after the first brand)."""
    from tests.web.conftest import login

    tokens = demo["tokens"]
    wangge = bearer(tokens["wangge"])
    first = client.post("/api/v1/brands", headers=wangge, json={"name": "楼道微课堂"}).get_json()["id"]
    second = client.post("/api/v1/brands", headers=wangge, json={"name": "邻里议事厅"}).get_json()["id"]
    form = upload(client, tokens["wangge"], brand_form(GRID, "楼道微课堂"), "楼道微课堂申报登记表.docx").get_json()["id"]
    mats = upload(client, tokens["wangge"], brand_materials_docx(GRID, "楼道微课堂"), "楼道微课堂综合材料.docx"
                  ).get_json()["id"]
    assert _register(client, tokens, first, form, mats).status_code == 200
    refused = _register(client, tokens, second, form, mats)
    assert refused.status_code == 422, refused.get_json()
    assert "楼道微课堂" in refused.get_json()["error"]["message"]
    own = upload(client, tokens["wangge"], brand_form(GRID, "邻里议事厅"), "邻里议事厅申报登记表.docx").get_json()["id"]
    refused = _register(client, tokens, second, own, mats)
    assert refused.status_code == 422 and refused.get_json()["error"]["detail"]["field"] == "materials_submission_id"
    brand = client.get(f"/api/v1/brands/{second}", headers=wangge).get_json()
    assert (brand["name"], brand["stage"]) == ("邻里议事厅", "cultivating")
    login(client, "wangge", demo["password"])
    page = client.get(f"/community/brands/{second}").get_data(as_text=True)
    assert "邻里议事厅申报登记表.docx" in page
    assert "楼道微课堂申报登记表.docx" not in page and "楼道微课堂综合材料.docx" not in page
