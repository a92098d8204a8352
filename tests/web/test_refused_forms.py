"""Issue 15, "forms that keep input and explain": a refused web form draws its page again with what was typed
(a redirect emptied it), the refused input marked; a number typed wrong is named in Chinese, not by its key."""
from __future__ import annotations

import io
import re

import pytest

from service.web import helpers
from tests.conftest import DEMO_PASSWORD, SQLITE_ONLY
from tests.web.conftest import login

pytestmark = SQLITE_ONLY

TOO_LONG = "长" * 300

#: (who, page, posted fields, texts the returned page must hold: what was typed and why it was refused)
FORMS = {
    "新增人员": ("quwei", "/leaders", {"action": "person", "name": "王志强", "rank": "district_leader",
                                     "title": TOO_LONG, "phone": "13800001111"},
             ['value="王志强"', 'value="13800001111"', '<option value="district_leader" selected>',
              'aria-invalid="true" aria-describedby="refused-title"', "职务过长"]),
    "落实挂点": ("quwei", "/leaders", {"action": "assign", "person_id": "{person}", "organisation_id": "{branch}",
                                     "kind": "contact", "year": "2026"},
             ['<option value="contact" selected>', '<option value="{branch}" selected>',
              '<option value="{person}" selected>', "无法落实：李卫东已创建联系点城关社区党支部"]),
    "党员名册：新增党员": ("quwei", "/members", {
        "organisation_id": "{branch}", "name": "张三", "gender": "女", "joined_on": "2099年1月", "card_number": "JH0001"},
        ['value="张三"', "<option selected>女</option>", 'value="JH0001"', 'value="2099年1月"',
         '<option value="{branch}" selected>', 'aria-invalid="true" aria-describedby="refused-joined_on"',
         '<span class="field-error" id="refused-joined_on">入党时间应为']),
    "手册发放登记": ("quwei", "/handbooks", {
        "kind": "branch_manual", "organisation_id": "{branch}", "card_number": "", "number": "GZ-0001",
        "given_on": "2099-01-02", "received_by": "赵六"},
        ['<option value="branch_manual" selected>', '<option value="{branch}" selected>', 'value="GZ-0001"',
         'value="2099-01-02"', 'value="赵六"', 'id="refused-given_on">发放日期不能晚于今天。']),
    "记录抽查": ("quwei", "/spot-checks", {
        "action": "record", "organisation_id": "{branch}", "checked_on": "2099-01-02", "checker": "刘明",
        "outcome": "fair", "item:cards": "1", "problems": "党费纪实缺三个月"},
        ['<option value="{branch}" selected>', 'value="2099-01-02"', 'value="刘明"', '<option value="fair" selected>',
         'name="item:cards" value="1" checked>', 'name="item:records" value="1">', ">党费纪实缺三个月</textarea>",
         'name="open_ledger" value="1">', "抽查日期不能晚于今天。"]),
    "新建书记项目": ("quwei", "/secretary-projects", {
        "action": "create", "organisation_id": "{committee}", "year": "2026", "title": "红色领航工程",
        "summary": "每月一次书记讲堂"},
        ['<option value="{committee}" selected>', 'value="红色领航工程"', 'value="每月一次书记讲堂"',
         "已有书记项目"]),
    "书记项目的成果": ("quwei", "/secretary-projects/{project}", {
        "action": "edit", "title": "乡村振兴先锋", "summary": "改过的简介", "status:report": "done",
        "done_on:report": "2099-01-02", "note:report": "报告已成稿"},
        ['value="乡村振兴先锋"', ">改过的简介</textarea>", 'value="2099-01-02"', 'value="报告已成稿"',
         "完成日期不能晚于今天"]),
    "新增培训班": ("quwei", "/training", {
        "action": "class", "topic_id": "{topic}", "held_on": "2026-05-06", "place": "区委党校", "capacity": "三十"},
        ['<option value="{topic}" selected>', 'value="2026-05-06"', 'value="区委党校"', 'value="三十"',
         'id="refused-capacity">人数上限应为整数。']),
    "新增培训专题": ("quwei", "/training", {"action": "topic", "name": "基层治理"},
                     ['value="基层治理"', "已有培训专题“基层治理”"]),
    "列为培育项目": ("jiedao", "/community/brands", {
        "action": "brand", "organisation_id": "{xiangyang}", "name": "长" * 201, "summary": "社区微治理"},
        ['value="社区微治理"', 'value="' + "长" * 201 + '"', '<option value="{xiangyang}" selected>', "过长"]),
    "登记两类组织": ("jiedao", "/community/records", {
        "action": "unit", "street_id": "{street}", "name": "鑫源商贸有限公司", "category": "unit", "required": "0"},
        ['value="鑫源商贸有限公司"', '<option value="unit" selected>', '<option value="0" selected>否</option>',
         'id="refused-name">本街道已登记同名单位。']),
    "两类组织的组建情况（一行）": ("jiedao", "/community/records", {
        "action": "set_up", "unit_id": "{unit}", "organisation_id": "{xiangyang}", "set_up_on": "2026-03-01",
        "venue_on": "2099-01-02", "funds_on": "2026-04-01"},
        ['value="2099-01-02" aria-invalid="true" aria-describedby="refused-venue_on"', 'value="2026-03-01"',
         'value="2026-04-01"', '<option value="{xiangyang}" selected>', 'id="refused-venue_on">日期不能晚于今天。']),
    "认定精品示范点": ("jiedao", "/community/records", {
        "action": "site", "organisation_id": "{xiangyang}", "name": "向阳驿站", "criteria": ["venue", "system"],
        "recognised_on": "2099-05-01", "file": "认定.pdf"},
        ['value="向阳驿站"', 'value="venue" checked>', 'value="system" checked>', 'value="activity">',
         'value="2099-05-01"', "不能晚于今天"]),
    "登记新发展党员": ("jiedao", "/community/records", {
        "action": "member", "organisation_id": "{xiangyang}", "name": "周小平", "admitted_on": "2099-05-01",
        "file": "决议.pdf"},
        ['value="周小平"', 'value="2099-05-01"', "不能晚于今天"]),
    "五个好评定": ("jiedao", "/community/records", {
        "action": "five_good", "organisation_id": "{xiangyang}", "year": "2026", "score:leadership": "19",
        "score:members": "十七", "score:mechanism": "18", "score:performance": "16", "score:reputation": "19"},
        ['value="19"', 'value="十七"', 'value="18"', 'value="16"', 'id="refused-score:members">',
         '<option value="{xiangyang}" selected>']),
    "新建用户": ("admin", "/admin/users", {
        "action": "create", "username": "zhangwei", "display_name": "张伟", "password": "short", "role": "reviewer",
        "organisation_id": "{committee}"},
        ['value="zhangwei"', 'value="张伟"', '<option value="reviewer" selected>', '<option value="{committee}" selected>']),
    "修改用户": ("admin", "/admin/users/{jiedao_user}", {
        "action": "update", "display_name": "街道审核员（新）", "role": "reviewer", "active": "0", "password": "short",
        "organisation_id": "{committee}"},
        ['value="街道审核员（新）"', '<option value="0" selected>停用</option>', '<option value="{committee}" selected>']),
    "新建组织": ("admin", "/admin/organisations", {
        "action": "create", "name": "新风社区党支部", "kind": "branch", "domain": "community", "member_count": "二十",
        "secretary": "孙丽", "parent_id": "{committee}"},
        ['value="新风社区党支部"', 'value="二十"', 'value="孙丽"', '<option value="{committee}" selected>',
         'id="refused-member_count">党员人数应为整数。']),
    "修改组织": ("admin", "/admin/organisations/{xiangyang}", {
        "action": "update", "name": "向阳社区党委", "kind": "branch", "domain": "community", "code": "XY-01",
        "member_count": "-3", "secretary": "钱进", "contact_person": "赵敏", "contact_phone": "022-68000000"},
        ['value="向阳社区党委"', 'value="XY-01"', 'value="-3"', 'value="钱进"', 'value="赵敏"', 'value="022-68000000"',
         'aria-invalid="true" aria-describedby="refused-member_count"', "未保存：党员人数应为整数。"]),
    "新增整改事项": ("quwei", "/ledger", {
        "action": "create", "organisation_id": "{branch}", "category": "长" * 101, "problem": "班子分工不明确",
        "measure": "重新分工", "target": "月底前完成", "leader": "王志强", "owner": "李卫东", "due_on": "2027-01-31"},
        ['value="班子分工不明确"', 'value="重新分工"', 'value="月底前完成"', 'value="王志强"', 'value="李卫东"',
         'value="2027-01-31"', 'aria-describedby="refused-category"']),
    "新建令牌": ("quwei", "/account", {"action": "token", "name": "统计报表系统", "scope": "write", "days": "九十"},
             ['value="统计报表系统"', '<option value="write" selected>', 'value="九十"',
              'id="refused-days">有效天数应为整数。']),
    "提醒邮箱": ("quwei", "/account", {"action": "email", "email": "不是邮箱"},
             ['value="不是邮箱"', 'aria-describedby="refused-email"']),
    "品牌登记申报": ("jiedao", "/community/brands/{brand}", {
        "action": "register", "form_submission_id": "", "materials_submission_id": "", "comment": "请街道审核"},
        ['value="请街道审核"', "无法登记："]),
    "考核评分": ("quwei", "/scores", {
        "organisation_id": "{branch}", "year": "2025", "mode": "dimensions", "score:leadership": "19",
        "score:members": "十八", "score:mechanism": "17", "score:performance": "16", "score:reputation": "15",
        "satisfaction_rate": "85"},
        ['value="19"', 'value="十八"', 'value="17"', 'value="16"', 'value="15"', 'value="85"',
         'aria-invalid="true"', "党员队伍好“十八”不是数字。"]),
    "修改人员信息": ("quwei", "/leaders/{person}", {
        "action": "update_person", "name": "", "rank": "county_leader", "title": "区委常委", "phone": "022-68000001"},
        ['<details id="person-edit" open>', 'value="区委常委"', 'value="022-68000001"',
         '<option value="county_leader" selected>', 'id="refused-name">请填写']),
    "修改挂点": ("quwei", "/leaders/{person}", {
        "action": "update_assignment", "assignment_id": "{assignment}", "person_id": "{person}", "kind": "backward",
        "assigned_on": "2026-03-02", "note": "长" * 1001},
        ['<details class="assignment-edit" open>', 'value="2026-03-02"', '<option value="backward" selected>',
         'id="refused-note">']),
    "新建督导组": ("admin", "/supervision", {
        "action": "create_group", "name": "", "leader": "刘明", "members": "刘明、陈亮", "committee_ids": ["{committee}"],
        "checklist": "三会一课\n组织生活会"},
        ['value="刘明"', 'value="刘明、陈亮"', '<option value="{committee}" selected>', ">三会一课\n组织生活会</textarea>",
         'id="refused-name">请填写']),
    "印发命名决定": ("jiedao", "/community/naming", {"street_id": "{street}", "issued_on": "2026-05-06", "confirm": "1"},
               ["无法命名：请选择要命名的党建品牌。"]),
    "培训报名": ("quwei", "/training/classes/{klass}", {"action": "enrol", "organisation_ids": ["{branch}", "{xiangyang}"]},
             ['<option value="{branch}" selected>', '<option value="{xiangyang}" selected>', "人数上限1人"]),
}


def _fill(value, ids: dict):
    """A posted value with the ids filled in; a file field's name becomes a small PDF."""
    if isinstance(value, list):
        return [v.format(**ids) for v in value]
    return value.format(**ids)


def _post(fields: dict, ids: dict) -> dict:
    return {k: (io.BytesIO(b"%PDF-1.4 x"), v) if k == "file" else _fill(v, ids) for k, v in fields.items()}


@pytest.fixture
def web(app, demo):
    """A reviewer's browser-like client, and the ids the forms name."""
    from tests.conftest import bearer
    api = app.test_client()
    h = bearer(demo["tokens"]["quwei"])
    api.post("/api/v1/people", json={"name": "王志强", "rank": "district_leader"}, headers=h)
    person = api.post("/api/v1/people", json={"name": "李卫东", "rank": "district_leader"}, headers=h).get_json()
    ids = {"person": person["id"], "branch": demo["orgs"]["城关社区党支部"]}
    a = api.post("/api/v1/assignments", json={"person_id": person["id"], "organisation_id": ids["branch"],
                                              "kind": "contact", "year": 2026}, headers=h)
    assert a.status_code == 201, a.get_json()
    ids["assignment"] = a.get_json()["id"]
    ids["committee"] = demo["orgs"]["静海镇党委"]
    project = api.post("/api/v1/secretary-projects", json={"organisation_id": ids["committee"], "year": 2026,
                                                           "title": "乡村振兴先锋"}, headers=h)
    assert project.status_code == 201, project.get_json()
    topic = api.post("/api/v1/training/topics", json={"name": "基层治理"}, headers=h)
    assert topic.status_code == 201, topic.get_json()
    ids |= {"project": project.get_json()["id"], "topic": topic.get_json()["id"],
            "xiangyang": demo["orgs"]["向阳社区党支部"], "street": demo["orgs"]["静海街道党工委"],
            "jiedao_user": next(u["id"] for u in api.get("/api/v1/users", headers=bearer(demo["tokens"]["admin"]))
                                .get_json()["items"] if u["username"] == "jiedao")}
    brand = api.post("/api/v1/brands", headers=bearer(demo["tokens"]["jiedao"]), json={
        "name": "邻里议事厅", "organisation_id": ids["xiangyang"]})
    assert brand.status_code == 201, brand.get_json()
    ids["brand"] = brand.get_json()["id"]
    units = api.get("/api/v1/community/units", headers=bearer(demo["tokens"]["jiedao"])).get_json()
    ids["unit"] = next(u["id"] for u in units["items"] if u["category"] == "community")
    klass = api.post("/api/v1/training/classes", headers=h, json={
        "topic_id": ids["topic"], "held_on": "2026-06-01", "place": "区委党校", "capacity": 1})
    assert klass.status_code == 201, klass.get_json()
    ids["klass"] = klass.get_json()["id"]
    return app, ids


@pytest.mark.parametrize("form", list(FORMS))
def test_a_refused_form_keeps_what_was_typed(web, form):
    app, ids = web
    who, url, fields, expected = FORMS[form]
    client = app.test_client()
    login(client, who, DEMO_PASSWORD)
    url = _fill(url, ids)
    page = client.get(url if not url.startswith("/community/") else "/community").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = client.post(url, data={"csrf_token": token, **_post(fields, ids)})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200, (resp.status_code, resp.headers.get("Location"))
    for want in expected:
        assert _fill(want, ids) in text, (form, _fill(want, ids))


@pytest.mark.parametrize("typed", ["abc", "1.5", "-3", "１２", "9" * 12])
def test_a_number_typed_wrong_is_named_in_chinese(app, typed):
    for read in (helpers.form_int, helpers.form_number, helpers.form_id):
        with app.test_request_context("/", method="POST", data={"year": typed}):
            try:
                read("year", "年度")
            except helpers.Invalid as exc:
                assert not re.search(r"[A-Za-z]", exc.message.replace(typed, "")), exc.message
                assert exc.message.startswith("年度"), exc.message
                assert exc.detail == {"field": "year"}


def test_a_refused_numbering_keeps_what_was_typed(app, demo):
    """发文机关: two organs given one 机关代字 are refused; the table comes back with every cell as typed."""
    client = app.test_client()
    login(client, "admin", DEMO_PASSWORD)
    page = client.get("/admin/numbering").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    cells = dict(re.findall(r'name="((?:mark|prefix|signature):\d+)" value="([^"]*)"', page))
    prefixes = sorted(k for k in cells if k.startswith("prefix:"))
    assert len(prefixes) >= 2, cells
    first_mark = "mark:" + prefixes[0].split(":")[1]
    typed = {**cells, prefixes[1]: cells[prefixes[0]], first_mark: "改过的发文机关标志"}
    resp = client.post("/admin/numbering", data={"csrf_token": token, **typed})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "两个发文机关不能使用同一机关代字" in text, re.findall(r"class=\"flash[^>]*>([^<]*)", text)
    assert f'name="{first_mark}" value="改过的发文机关标志"' in text
    assert f'name="{prefixes[1]}" value="{cells[prefixes[0]]}"' in text


def test_a_refused_decision_or_correction_keeps_what_was_typed(app, seeded):
    """退回 with a one-character 审核意见 and a 党员人数 typed in words come back on the submission's page as
    typed (the redirect emptied the 审核意见; the correction was an error page)."""
    from service.usecases import submissions

    sub = seeded["objects"]["B"]["sub"]
    client = app.test_client()
    login(client, "quwei", DEMO_PASSWORD)
    page = client.get(f"/submissions/{sub}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(f"/submissions/{sub}/decision", data={"csrf_token": token, "decision": "claim"}).status_code == 302
    resp = client.post(f"/submissions/{sub}/decision", data={"csrf_token": token, "decision": "return", "comment": "差"})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "请写明审核意见" in text
    assert 'aria-invalid="true" aria-describedby="refused-comment">差</textarea>' in text

    form = client.get(f"/api/v1/submissions/{sub}", headers={"Accept": "application/json"}).get_json()["form"]
    keys = re.findall(r'name="field" value="([^"]+)"', page)
    key = next(k for k in keys if submissions.spec_of(form).get(k, {}).get("type") == "int")
    resp = client.post(f"/submissions/{sub}/correct", data={"csrf_token": token, "field": key, "value": "二十人"})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "未更正：“二十人”不是整数。" in text
    assert 'value="二十人" aria-invalid="true"' in text

    # 作废 with a one-character reason: the register again, that row's reason as typed
    doc = seeded["objects"]["B"]["document"]
    resp = client.post(f"/register/{doc}/withdraw", data={"csrf_token": token, "reason": "错", "confirm": "1"})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "请填写作废理由" in text
    assert 'value="错" aria-invalid="true" aria-describedby="refused-reason">' in text


def test_a_refused_login_keeps_the_username_not_the_password(app, demo):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = client.post("/login", data={"csrf_token": token, "username": "quwei", "password": "wrong-pass-1"})
    text = resp.get_data(as_text=True)
    assert resp.status_code in (401, 422) and 'value="quwei"' in text and "wrong-pass-1" not in text
