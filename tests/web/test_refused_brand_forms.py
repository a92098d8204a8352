"""Issue 15 on the community brand page's later forms (审核, 评分, 跟踪督查, 结对, 共建活动, 年度成效), the 命名
form of the ranking and the forms of the street's and the district's pages that had no test of it: a refused
post draws the page again (200) with every value as typed and the reason in Chinese next to its input."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from service.db import session_scope
from service.models import Assessment, Brand, BrandPair, BrandScore, User
from tests.conftest import DEMO_PASSWORD, SQLITE_ONLY
from tests.web.conftest import csrf_of, login
from tests.web.test_refused_forms import _fill, _post, web  # noqa: F401 (web: the forms' ids, a fixture)

pytestmark = SQLITE_ONLY

TODAY = dt.date.today()
LONG = "长" * 2001


def _brand_at(app, ids: dict, stage: str) -> None:
    """The test brand (邻里议事厅, 向阳社区党支部's, 培育项目 so far) moved on to ``stage`` as the earlier steps
    would leave it; ``paired``: named, with a 共建对子; ``scored``: in the 考核评比 with enough passing scores to be
    named; ``backward``: named, and 幸福社区党支部 graded 相对后进 (a possible partner)."""
    with session_scope(app.config["DATABASE_URL"]) as s:
        b = s.get(Brand, ids["brand"])
        b.year, b.registered_on = TODAY.year, TODAY
        if stage == "forwarding":
            b.stage, b.level_id = "forwarding", ids["street"]
        elif stage in ("assessing", "scored"):
            b.stage = "assessing"
        else:
            b.stage, b.named_on, b.decision_number = "named", TODAY, f"静海街道党工委〔{TODAY.year}〕1号"
        if stage == "scored":
            reviewers = s.execute(select(User.id).where(User.username.in_(("jiedao", "quwei", "admin")))).scalars()
            s.add_all(BrandScore(brand_id=b.id, reviewer_id=r, year=TODAY.year, total=90.0, scores={})
                      for r in reviewers)
        if stage in ("backward", "paired"):
            s.add(Assessment(organisation_id=ids["xingfu"], year=TODAY.year, domain="community", backward=True,
                             grade="fair", total=60.0, assessed_on=TODAY))
        if stage == "paired":
            pair = BrandPair(brand_id=b.id, partner_id=ids["xingfu"], plan="结对帮带",
                             started_on=TODAY - dt.timedelta(days=30), results={})
            s.add(pair)
            s.flush()
            ids["pair"] = pair.id


#: form -> (who, the brand's stage first or None, page, posted fields, the refused input and the start of the
#: reason next to it, texts the page must hold besides: what else was typed)
FORMS = {
    "登记申报：未选择申报登记表": ("jiedao", None, "/community/brands/{brand}", {
        "action": "register", "form_submission_id": "", "materials_submission_id": "", "comment": "请街道审核"},
        ("form_submission_id", "请填写申报登记表。"), ['value="请街道审核"']),
    "审核：退回未写意见": ("jiedao", "forwarding", "/community/brands/{brand}", {
        "action": "decide", "decision": "return", "comment": ""},
        ("comment", "退回须填写意见。"), ['<section class="card" id="decide">']),
    "审核：意见过长": ("jiedao", "forwarding", "/community/brands/{brand}", {
        "action": "decide", "decision": "approve", "comment": LONG},
        ("comment", "审核意见过长"), [f'value="{LONG}"']),
    "评分：不是数字": ("jiedao", "assessing", "/community/brands/{brand}", {
        "action": "score", "score:theme": "18", "score:mechanism": "十七", "score:service": "22",
        "score:leading": "18", "score:materials": "13", "comment": "特色鲜明"},
        ("score:mechanism", "工作机制健全、运行规范“十七”不是数字。"),
        ['name="score:theme" min="0" max="20" step="0.5" required value="18"', 'value="十七"', 'value="22"',
         'name="score:leading" min="0" max="20" step="0.5" required value="18"', 'value="13"', 'value="特色鲜明"']),
    "评分：超出满分": ("jiedao", "assessing", "/community/brands/{brand}", {
        "action": "score", "score:theme": "18", "score:mechanism": "17", "score:service": "99",
        "score:leading": "18", "score:materials": "13", "comment": "特色鲜明"},
        ("score:service", "“服务群众成效明显”的得分应在0–25分之间。"),
        ['value="17"', 'value="99"', 'value="13"', 'value="特色鲜明"']),
    "跟踪督查：撤销未写原因": ("jiedao", "named", "/community/brands/{brand}", {
        "action": "follow_up", "keep": "0", "comment": ""},
        ("comment", "撤销命名须写明原因。"), ['<option value="0" selected>撤销命名</option>']),
    "跟踪督查：情况过长": ("jiedao", "named", "/community/brands/{brand}", {
        "action": "follow_up", "keep": "1", "comment": LONG},
        ("comment", "督查情况过长"), [f'value="{LONG}"', '<option value="0">撤销命名</option>']),
    "结对：计划过长": ("jiedao", "backward", "/community/brands/{brand}", {
        "action": "pair", "partner_id": "{xingfu}", "plan": "长" * 4001},
        ("plan", "共建计划过长"), ['<option value="{xingfu}" selected>', 'value="' + "长" * 4001 + '"']),
    "结对：已经结对": ("jiedao", "paired", "/community/brands/{brand}", {
        "action": "pair", "partner_id": "{xingfu}", "plan": "再结一次"},
        ("partner_id", "已经结成该共建对子。"), ['<option value="{xingfu}" selected>', 'value="再结一次"']),
    "共建活动：日期在今天之后": ("jiedao", "paired", "/community/brands/{brand}", {
        "action": "activity", "pair_id": "{pair}", "held_on": "2099-01-02", "title": "楼栋认领"},
        ("held_on", "活动日期应在结对之日和今天之间。"), ['value="2099-01-02"', 'value="楼栋认领"']),
    "共建活动：内容过长": ("jiedao", "paired", "/community/brands/{brand}", {
        "action": "activity", "pair_id": "{pair}", "held_on": "{today}", "title": "长" * 201},
        ("title", "活动内容过长"), ['value="{today}"', 'value="' + "长" * 201 + '"']),
    "年度成效：过长": ("jiedao", "paired", "/community/brands/{brand}", {
        "action": "result", "pair_id": "{pair}", "year": str(TODAY.year), "result": LONG},
        ("result", "年度成效过长"), [f'value="{LONG}"']),
    "命名：未勾选确认签发": ("jiedao", "scored", "/community/naming", {
        "street_id": "{street}", "year": str(TODAY.year), "brand_id": "{brand}", "issued_on": "2026-05-06"},
        ("confirm", "请勾选“确认签发”：命名决定将占用发文字号。"),
        ['name="brand_id" value="{brand}" aria-label="命名邻里议事厅" checked>', 'value="2026-05-06"']),
    "命名：成文日期不是日期": ("jiedao", "scored", "/community/naming", {
        "street_id": "{street}", "year": str(TODAY.year), "brand_id": "{brand}", "issued_on": "2026-02-30",
        "confirm": "1"},
        ("issued_on", "成文日期应为日期"),
        ['name="brand_id" value="{brand}" aria-label="命名邻里议事厅" checked>', 'value="2026-02-30"',
         'name="confirm" value="1" checked>']),
    "命名：未勾选品牌": ("jiedao", "scored", "/community/naming", {
        "street_id": "{street}", "year": str(TODAY.year), "issued_on": "2026-05-06", "confirm": "1"},
        ("brand_ids", "请选择要命名的党建品牌。"), ['value="2026-05-06"', 'name="confirm" value="1" checked>']),
    "五个好评定：超出满分": ("jiedao", None, "/community/records", {
        "action": "five_good", "organisation_id": "{xiangyang}", "year": "2026", "score:leadership": "19",
        "score:members": "25", "score:mechanism": "18", "score:performance": "16", "score:reputation": "19"},
        ("score:members", "党员队伍好应在 0 到 20 之间。"),
        ['value="19"', 'value="25"', 'value="18"', 'value="16"', '<option value="{xiangyang}" selected>']),
    "主题党日：人数不是整数": ("quwei", None, "/party-days", {
        "year": "2026", "organisation_id": "{branch}", "held_on": "2026-07-08", "topic": "学习新党章",
        "expected": "8", "attended": "九", "reason": "", "dues_collected": "1"},
        ("attended", "实到人数应为整数。"),
        ['<option value="{branch}" selected>', 'value="2026-07-08"', 'value="学习新党章"', 'value="8"', 'value="九"',
         'value="1" checked']),
    "主题党日：实到多于应到": ("quwei", None, "/party-days", {
        "year": "2026", "organisation_id": "{branch}", "held_on": "2026-07-10", "topic": "学习新党章",
        "expected": "8", "attended": "9", "reason": "8日为周末"},
        ("attended", "实到人数多于应到人数。"), ['value="2026-07-10"', 'value="8日为周末"', 'value="9"']),
    "书记项目的成果：完成日期": ("quwei", None, "/secretary-projects/{project}", {
        "action": "edit", "title": "乡村振兴先锋", "summary": "改过的简介", "status:report": "done",
        "done_on:report": "2099-01-02", "note:report": "报告已成稿"},
        ("done_on:report", "“"), ['value="乡村振兴先锋"', ">改过的简介</textarea>", 'value="报告已成稿"',
                                  'value="2099-01-02"', "的完成日期不能晚于今天。"]),
    "新增人员：类别": ("quwei", None, "/leaders", {
        "action": "person", "name": "王志强", "rank": "boss", "title": "区委常委", "phone": "13800001111"},
        ("rank", "人员类别应为"), ['value="王志强"', 'value="区委常委"', 'value="13800001111"']),
    "新建书记项目：不是党委": ("quwei", None, "/secretary-projects", {
        "action": "create", "organisation_id": "{branch}", "year": "2026", "title": "红色领航工程",
        "summary": "每月一次书记讲堂"},
        ("organisation_id", "书记项目属于党委（工委）。"), ['value="红色领航工程"', 'value="每月一次书记讲堂"']),
    "培训报名：未选党支部": ("quwei", None, "/training/classes/{klass}", {"action": "enrol"},
                   ("organisation_ids", "请选择要报名的党支部。"), []),
}


@pytest.mark.parametrize("form", list(FORMS))
def test_a_refused_form_keeps_what_was_typed_next_to_its_reason(web, form):
    app, ids = web
    who, stage, url, fields, (field, reason), expected = FORMS[form]
    ids = {**ids, "xingfu": _org_id(app, "幸福社区党支部"), "today": TODAY.isoformat()}
    if stage:
        _brand_at(app, ids, stage)
    client = app.test_client()
    login(client, who, DEMO_PASSWORD)
    resp = client.post(_fill(url, ids), data={"csrf_token": csrf_of(client), **_post(fields, ids)})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200, (resp.status_code, resp.headers.get("Location"), text[:300])
    assert f'<span class="field-error" id="refused-{field}">{reason}' in text, (
        form, re.findall(r'class="field-error"[^>]*>[^<]*', text), re.findall(r'class="flash[^>]*>([^<]*)', text))
    assert f'aria-invalid="true" aria-describedby="refused-{field}"' in text, form
    for want in expected:
        assert _fill(want, ids) in text, (form, _fill(want, ids)[:200])


def _org_id(app, name: str) -> int:
    from service.models import Organisation
    with session_scope(app.config["DATABASE_URL"]) as s:
        return s.execute(select(Organisation.id).where(Organisation.name == name)).scalar_one()
