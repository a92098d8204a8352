"""Ties at the cut-off (issue 11): when the tie-breakers still tie, the reviewer confirms who is listed
(page and API), and the record and the 限期整改通知书 say why. Twenty branches tied at the cut-off once
all became 相对后进."""
from __future__ import annotations

import io
import json
import re

from sqlalchemy import select

from service.db import session_scope
from service.models import Assessment, Organisation, RectificationItem
from tests.conftest import bearer
from tests.web.conftest import csrf_of, login

RURAL = ["大邱庄村党支部", "尧舜度假村党支部"]


def _sheet() -> bytes:
    """Two rural branches with identical scores and 群众满意率: no tie-breaker can split them (quota 1)."""
    rows = ["支部名称,所属领域,领导班子好,党员队伍好,工作机制好,工作业绩好,群众反映好,总分,群众满意率"]
    rows += [f"{n},农村,16,16,16,16,16,80,90%" for n in RURAL]
    return ("\n".join(rows) + "\n").encode("utf-8")


def _post(client, token, **form):
    return client.post("/api/v1/grading-rounds", headers=bearer(token), content_type="multipart/form-data",
                       data={"file": (io.BytesIO(_sheet()), "ties.csv"), "year": "2025", **form})


def test_the_reviewer_confirms_who_is_listed_through_the_api(app, client, demo):
    token = demo["tokens"]["quwei"]
    r = _post(client, token)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "laggard_ties", r.get_json()
    tie = r.get_json()["error"]["detail"]["ties"]["rural"]
    assert sorted(tie["candidates"]) == sorted(RURAL) and tie["need"] == 1
    with session_scope(app.config["DATABASE_URL"]) as s:
        assert s.execute(select(Assessment)).scalars().first() is None  # nothing stored until confirmed
    bad = _post(client, token, ties=json.dumps({"rural": RURAL}), tie_reason="两个都列入")
    assert bad.status_code == 422 and bad.get_json()["error"]["detail"]["field"] == "ties.rural"
    ok = _post(client, token, ties=json.dumps({"rural": [RURAL[1]]}), tie_reason="上年度已是相对后进，整改未到位")
    assert ok.status_code == 201, ok.get_json()
    assert ok.get_json()["domains"]["rural"]["laggards"] == [RURAL[1]]
    with session_scope(app.config["DATABASE_URL"]) as s:
        rows = {s.get(Organisation, a.organisation_id).name: a for a in s.execute(select(Assessment)).scalars()}
        assert rows[RURAL[1]].backward and not rows[RURAL[0]].backward
        assert rows[RURAL[1]].items["tie_reason"] == "上年度已是相对后进，整改未到位"
        assert s.execute(select(RectificationItem.organisation_id)).scalars().all() == [rows[RURAL[1]].organisation_id]
        aid = rows[RURAL[1]].id
    # the document records why
    from service.documents.contexts import build_context

    with app.app_context(), session_scope(app.config["DATABASE_URL"]) as s:
        ctx = build_context("rectification-notice", s, aid, {})
    assert "经审核确认列入，理由：上年度已是相对后进，整改未到位" in ctx["reason"]


def test_the_page_asks_and_the_reviewer_picks(app, demo):
    page = app.test_client()
    login(page, "quwei", demo["password"])
    html = page.post("/grading", data={
        "csrf_token": csrf_of(page), "year": "2025", "file": (io.BytesIO(_sheet()), "ties.csv")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert 'id="grading-ties"' in html and all(n in html for n in RURAL), html[:2000]
    sheet = re.search(r'name="file:kept" value="([^"]+)"', html).group(1)  # the sheet, kept for this session
    # two ticked where one is to be chosen: asked again, the two still ticked and the reason as typed
    again = page.post("/grading", data={"csrf_token": csrf_of(page), "year": "2025", "file:kept": sheet,
                                        "tie_rural": RURAL[:2],
                                        "tie_reason": "群众反映问题较多"}).get_data(as_text=True)
    assert 'id="grading-ties"' in again and ">群众反映问题较多</textarea>" in again
    assert all(f'value="{n}" checked>' in again for n in RURAL[:2]), again[again.index('id="grading-ties"'):][:1500]
    sheet = re.search(r'name="file:kept" value="([^"]+)"', again).group(1)
    done = page.post("/grading", data={"csrf_token": csrf_of(page), "year": "2025", "file:kept": sheet,
                                       "tie_rural": RURAL[0],
                                       "tie_reason": "群众反映问题较多"}).get_data(as_text=True)
    assert 'id="grading-result"' in done and 'id="grading-ties"' not in done
    with session_scope(app.config["DATABASE_URL"]) as s:
        backward = [s.get(Organisation, a.organisation_id).name
                    for a in s.execute(select(Assessment).where(Assessment.backward.is_(True))).scalars()]
    assert backward == [RURAL[0]]


def test_a_sheet_without_its_headings_is_refused_not_shown_as_an_empty_result(app, demo):
    """A sheet whose heading row is not the template's: the page says it was not taken and names each missing
    column with the other heading it may have — not a 定级结果 of 0 branches above empty tables, nor
    表单缺少必填项“支部名称、党支部名称列”."""
    page = app.test_client()
    login(page, "quwei", demo["password"])
    sheet = "名字,分数\n大邱庄村党支部,很高\n".encode("utf-8")
    html = page.post("/grading", data={"csrf_token": csrf_of(page), "year": "2025",
                                       "file": (io.BytesIO(sheet), "scores.csv")},
                     content_type="multipart/form-data").get_data(as_text=True)
    assert "评分表未导入" in html and "定级结果" not in html and 'id="laggards"' not in html, html[-2000:]
    assert "评分表缺少“支部名称”列（表头也可写作“党支部名称”）" in html and "表单缺少必填项" not in html
    assert "评分表缺少“总分”列" in html


def test_a_grading_round_keeps_each_branch_s_five_scores_and_satisfaction(app, client, demo):
    """The sheet's five dimension scores and 群众满意率 are stored on each assessment, not only used to grade:
    the 验收意见表 prints them as the 小计 and the 整改任务书 draws its tasks from the weak ones (they were {})."""
    sheet = ("支部名称,所属领域,领导班子好,党员队伍好,工作机制好,工作业绩好,群众反映好,总分,群众满意率\n"
             "大邱庄村党支部,农村,19,18,19,17,18,91,95%\n"
             "尧舜度假村党支部,农村,12,15,14,14,15,70,82%\n").encode("utf-8")
    r = client.post("/api/v1/grading-rounds", headers=bearer(demo["tokens"]["quwei"]),
                    content_type="multipart/form-data", data={"file": (io.BytesIO(sheet), "定级.csv"), "year": "2025"})
    assert r.status_code == 201, r.get_json()
    with session_scope(app.config["DATABASE_URL"]) as s:
        stored = {s.get(Organisation, a.organisation_id).name: (a.scores, a.satisfaction_rate)
                  for a in s.execute(select(Assessment)).scalars()}
    assert stored["尧舜度假村党支部"] == ({"leadership": 12, "members": 15, "mechanism": 14, "performance": 14,
                                    "reputation": 15}, 82), stored
    assert stored["大邱庄村党支部"][0]["leadership"] == 19 and stored["大邱庄村党支部"][1] == 95
