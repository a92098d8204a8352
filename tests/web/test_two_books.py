"""两册一证 纪实 (issue 12, JH-6): a 党员证 batch fills the member table → the two registers → 纪实 imported from
XLSX → a 抽查 whose problem opens a ledger row. Through the HTTP API and the pages, on SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from service.batch import members as batch_members
from service.batch import state
from service.batch.worker import work
from service.config import settings_of
from service.db import session_scope
from service.models import (Certificate, HandbookIssue, MemberRecord, PartyDay, PartyMember, RectificationItem,
                            User)
from service.storage import store_for
from service.usecases.district_handbooks import coverage
from tests.conftest import bearer
from tests.samples import upload_file, xlsx_bytes
from tests.web.conftest import csrf_of, login

BRANCH = "大邱庄村党支部"
ROSTER = [{"姓名": "郑海", "所在支部": BRANCH, "身份证号": "120223197001010011", "性别": "男", "入党时间": "1995年7月1日"},
          {"姓名": "王芳", "所在支部": BRANCH, "身份证号": "120223198002020022", "性别": "女", "入党时间": "2003-06"},
          {"姓名": "李明", "所在支部": BRANCH, "身份证号": "", "性别": "男", "入党时间": "2010年5月4日"}]


def _roster_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    w = csv.DictWriter(out, list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    return out.getvalue().encode("utf-8")


def _member(client, h, org: int, name: str, card: str = "") -> dict:
    r = client.post("/api/v1/members", headers=h, json={"organisation_id": org, "name": name, "card_number": card or None})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_batch_upsert_never_duplicates_and_follows_a_new_card(app, demo):
    """The worker's upsert, called as a resumed chunk would call it: same rows twice add nothing; a new card
    for the same 身份证号 (or, without one, the same branch, name and 入党时间) moves the number."""
    org = demo["orgs"][BRANCH]
    rows = [{"organisation_id": org, "values": v} for v in (
        {"name": "郑 海", "id_number": "120223197001010011x", "gender": "男", "joined_on": "1995年7月1日"},
        {"name": "李明", "joined_on": "2010-05-04"})]
    with session_scope(app.config["DATABASE_URL"]) as s:
        assert batch_members.upsert(s, None, [batch_members.entry(r, n) for r, n in zip(rows, ("A-1", "A-2"))]) == (2, 0)
        assert batch_members.upsert(s, None, [batch_members.entry(r, n) for r, n in zip(rows, ("A-1", "A-2"))]) == (0, 2)
        assert batch_members.upsert(s, None, [batch_members.entry(r, n) for r, n in zip(rows, ("B-1", "B-2"))]) == (0, 2)
        assert batch_members.entry({"organisation_id": None, "values": {"name": "无支部"}}, "C-1") is None
    with session_scope(app.config["DATABASE_URL"]) as s:
        got = {m.name: (m.card_number, m.id_number, m.joined_on) for m in s.execute(select(PartyMember)).scalars()}
    assert got == {"郑海": ("B-1", "120223197001010011X", "1995-07-01"), "李明": ("B-2", None, "2010-05-04")}


def test_registers_import_names_row_and_column_then_loads(client, demo):
    h = bearer(demo["tokens"]["quwei"])
    org = demo["orgs"][BRANCH]
    m = _member(client, h, org, "郑海", "1200010001")
    _member(client, h, org, "王芳")
    bad = xlsx_bytes([["手册", "党支部", "党员姓名", "党员证编号", "手册编号", "发放日期", "领取人"],
                 ["党支部工作手册", BRANCH, "", "", "", "2025年3月1日", "郑海"],
                 ["党员学习手册", BRANCH, "王芳", "", "", "2025年3月1日", ""],
                 ["党员学习手册", "市财政局预算科党支部", "张三", "", "", "2025年3月1日", ""],
                 ["宣传手册", BRANCH, "", "", "X1", "2025.3.1", ""]])
    r = upload_file(client, h, "/api/v1/handbooks/import", bad)
    assert r.status_code == 422
    messages = [p["message"] for p in r.get_json()["error"]["detail"]["problems"]]
    assert messages == ["第2行E列“手册编号”：请填写手册编号", "第3行E列“手册编号”：请填写手册编号（该党员尚无党员证编号）",
                        "第4行B列“党支部”：“市财政局预算科党支部”不是您管辖范围内的党支部",
                        "第5行A列“手册”：手册应为《党支部工作手册》或《党员学习手册》"], messages
    good = xlsx_bytes([["手册", "党支部", "党员姓名", "手册编号", "发放日期"],
                  ["党支部工作手册", BRANCH, "", "JHSC-2025-001", "2025年3月1日"],
                  ["《党员学习手册》", BRANCH, "郑海", "", "2025/3/1"]])
    r = upload_file(client, h, "/api/v1/handbooks/import", good)
    assert r.get_json() == {"rows": 2, "created": 2, "updated": 0}, r.get_json()
    assert upload_file(client, h, "/api/v1/handbooks/import", good).get_json()["created"] == 0  # a re-import corrects
    items = client.get("/api/v1/handbooks?kind=study_manual", headers=h).get_json()["items"]
    assert [(i["member_id"], i["number"], i["received_by"]) for i in items] == [(m["id"], "1200010001", "郑海")]
    taken = client.post("/api/v1/handbooks", headers=h, json={"kind": "branch_manual", "number": "JHSC-2025-001",
                                                               "organisation_id": demo["orgs"]["城关社区党支部"]})
    assert taken.status_code == 409
    sheet = load_workbook(io.BytesIO(client.get("/api/v1/handbooks/export.xlsx", headers=h).data)).active
    assert [c.value for c in sheet[1]][:2] == ["手册", "党支部"] and sheet.max_row == 3
    other = bearer(demo["tokens"]["yusuan"])
    assert client.get("/api/v1/handbooks", headers=other).get_json()["items"] == []


def test_member_records_link_the_party_day_and_correct_a_month(client, demo):
    h = bearer(demo["tokens"]["quwei"])
    org = demo["orgs"][BRANCH]
    m = _member(client, h, org, "郑海", "1200010002")
    day = client.post("/api/v1/party-days", headers=h, json={"organisation_id": org, "held_on": "2025-09-08",
                                                             "attended": 20})
    assert day.status_code == 201
    header = ["党支部", "姓名", "党员证编号", "类别", "日期", "金额（元）", "是否交纳", "内容"]
    r = upload_file(client, h, "/api/v1/member-records/import", xlsx_bytes([
        header, [BRANCH, "郑海", "", "交纳党费", "2025年9月", "30", "", ""],
        [BRANCH, "郑海", "", "参加活动", "2025年9月8日", "", "", "主题党日"],
        [BRANCH, "赵六", "", "交纳党费", "2025年9月", "abc", "", ""],
        [BRANCH, "郑海", "", "参加活动", "2099年1月1日", "", "", ""]]))
    assert r.status_code == 422
    assert [p["message"] for p in r.get_json()["error"]["detail"]["problems"]] == [
        "第4行B列“姓名”：“赵六”不是您管辖范围内大邱庄村党支部的党员", "第4行F列“金额（元）”：“abc”不是 0 到 100000 之间的金额",
        "第5行E列“日期”：日期不能晚于今天", "第5行H列“内容”：参加活动应写明活动内容"]
    ok = upload_file(client, h, "/api/v1/member-records/import", xlsx_bytes([
        header, [BRANCH, "郑海", "1200010002", "交纳党费", "2025年9月", "30", "", ""],
        [BRANCH, "郑海", "", "参加活动", "2025年9月8日", "", "", "主题党日"]]))
    assert ok.get_json() == {"rows": 2, "created": 2, "updated": 0}, ok.get_json()
    fix = client.post("/api/v1/member-records", headers=h, json={"member_id": m["id"], "kind": "dues",
                                                                 "month": "2025-09", "amount": 35})
    assert fix.status_code == 201 and fix.get_json()["amount"] == "35.00"
    items = client.get(f"/api/v1/member-records?member_id={m['id']}", headers=h).get_json()["items"]
    assert sorted((i["kind"], i["amount"], i["party_day_id"]) for i in items) == [
        ("activity", None, day.get_json()["id"]), ("dues", "35.00", None)]
    assert client.post("/api/v1/member-records", headers=h, json={"member_id": m["id"], "kind": ["dues"]}).status_code == 422
    assert client.get(f"/api/v1/members/{m['id']}", headers=bearer(demo["tokens"]["yusuan"])).status_code == 404


def test_spot_check_problem_opens_a_ledger_row_once(client, demo):
    h = bearer(demo["tokens"]["quwei"])
    org = demo["orgs"][BRANCH]
    r = client.post("/api/v1/spot-checks", headers=h, json={
        "organisation_id": org, "checker": "刘明", "outcome": "fair", "checked_on": "2025-10-20",
        "answers": {"branch_manual": True, "records": False},
        "problems": [{"text": "党费纪实缺9月", "open_ledger": True}, {"text": "学习手册未编号"}]})
    assert r.status_code == 201, r.get_json()
    c = r.get_json()
    assert c["outcome_name"] == "基本合格" and c["problems"][0]["ledger_item_id"] and c["open_problems"] == 1
    opened = client.post(f"/api/v1/spot-checks/{c['id']}/problems/1/open", headers=h)
    assert opened.status_code == 201 and opened.get_json()["open_problems"] == 0
    assert client.post(f"/api/v1/spot-checks/{c['id']}/problems/1/open", headers=h).status_code == 409
    rows = client.get(f"/api/v1/ledger?organisation_id={org}", headers=h).get_json()["items"]
    assert {"党费纪实缺9月", "学习手册未编号"} <= {i["problem"] for i in rows}
    # a 抽查's rows get a 整改时限 and a 责任人 like a visit's: none given, 90 days on and the branch secretary
    first = next(i for i in rows if i["problem"] == "党费纪实缺9月")
    assert first["due_on"] == "2026-01-18" and first["owner"] and "整改时限未填写" in first["note"], first
    assert client.get("/api/v1/spot-checks", headers=bearer(demo["tokens"]["chengguan"])).status_code == 403
    bad = client.post("/api/v1/spot-checks", headers=h, json={"organisation_id": org, "checker": "刘明",
                                                               "outcome": "great", "answers": {"x": True}})
    assert bad.status_code == 422


def test_pages_list_search_and_export(client, demo):
    h = bearer(demo["tokens"]["quwei"])
    _member(client, h, demo["orgs"][BRANCH], "郑海", "1200010003")
    login(client, "quwei", demo["password"])
    for url in ("/members", "/handbooks", "/member-records", "/spot-checks"):
        r = client.get(url)
        assert r.status_code == 200 and "两册一证" in r.get_data(as_text=True), url
    # the branch of a new member, a handbook or a 抽查 is chosen with the picker that searches the tree
    for url, picker in (("/members", "member-org"), ("/handbooks", "handbook-org"), ("/spot-checks", "check-org")):
        form = client.get(url).get_data(as_text=True)
        assert 'class="org-picker"' in form and f'id="{picker}"' in form and 'class="picker-filter"' in form, url
    assert "郑海" in client.get("/members?q=1200010003").get_data(as_text=True)
    assert "郑海" not in client.get("/members?q=9999").get_data(as_text=True)
    sheet = load_workbook(io.BytesIO(client.get("/members?export=xlsx").data)).active
    assert [c.value for c in sheet[2]][:2] == [BRANCH, "郑海"]
    r = client.post("/spot-checks", data={"csrf_token": csrf_of(client), "organisation_id": str(demo["orgs"][BRANCH]),
                                          "checker": "刘明", "outcome": "poor", "item:records": "1",
                                          "problems": "工作手册未填写", "open_ledger": "1"})
    assert r.status_code == 302
    page = client.get("/spot-checks").get_data(as_text=True)
    assert "工作手册未填写" in page
    coverage = page.split('id="coverage"', 1)[1].split("</table>", 1)[0]
    assert BRANCH in coverage and "城关社区党支部" not in coverage  # only branches with records


@pytest.mark.slow
def test_scenario_batch_fills_members_then_registers_records_and_a_spot_check(app, client, demo):
    """The 党员证 batch (a real worker) → members with the batch's numbers → the two registers → 纪实 imported
    → a 抽查 whose problem opens a ledger row: each fact checked against the database."""
    h = bearer(demo["tokens"]["quwei"])
    org = demo["orgs"][BRANCH]
    settings = settings_of(app)
    with session_scope(app.config["DATABASE_URL"]) as s:
        job, _ = state.create_job(s, store_for(settings.data_dir), _roster_csv(ROSTER), "名册.csv", "party-card",
                                  {"outputs": ["register"], "chunk_size": 2}, organisation_id=demo["orgs"]["静海区委"])
        job_id = job.id
    work(settings, job_id)
    with session_scope(app.config["DATABASE_URL"]) as s:
        cards = dict(s.execute(select(Certificate.holder_name, Certificate.number).where(Certificate.job_id == job_id)).all())
        assert len(cards) == 3
    listed = {m["name"]: m for m in client.get(f"/api/v1/members?organisation_id={org}", headers=h).get_json()["items"]}
    assert {n: m["card_number"] for n, m in listed.items()} == cards
    assert listed["郑海"]["id_number"] == "120223********0011" and listed["王芳"]["joined_on"] == "2003-06"
    work(settings, job_id)  # nothing left to do: a second worker adds no member
    with session_scope(app.config["DATABASE_URL"]) as s:
        assert s.scalar(select(func.count()).select_from(PartyMember)) == 3

    assert client.post("/api/v1/handbooks", headers=h, json={"kind": "branch_manual", "organisation_id": org,
                                                              "number": "JHSC-2025-001", "given_on": "2025-03-01"}
                       ).status_code == 201
    for name in ("郑海", "王芳"):
        r = client.post("/api/v1/handbooks", headers=h, json={"kind": "study_manual", "member_id": listed[name]["id"],
                                                               "given_on": "2025-03-01"})
        assert r.status_code == 201 and r.get_json()["number"] == cards[name]

    assert client.post("/api/v1/party-days", headers=h, json={"organisation_id": org, "held_on": "2025-09-08",
                                                              "attended": 3}).status_code == 201
    header = ["党支部", "姓名", "党员证编号", "类别", "日期", "金额（元）", "是否交纳", "内容"]
    rows = [[BRANCH, n, "", "交纳党费", f"2025年{mo}月", "20", "", ""] for n in ("郑海", "王芳") for mo in (7, 8, 9)]
    rows += [[BRANCH, n, "", "参加活动", "2025年9月8日", "", "", "主题党日：重温入党誓词"] for n in ("郑海", "王芳", "李明")]
    r = upload_file(client, h, "/api/v1/member-records/import", xlsx_bytes([header] + rows))
    assert r.get_json() == {"rows": 9, "created": 9, "updated": 0}, r.get_json()

    c = client.post("/api/v1/spot-checks", headers=h, json={
        "organisation_id": org, "checker": "刘明", "outcome": "fair", "checked_on": "2025-10-20",
        "answers": {"branch_manual": True, "study_manuals": False, "cards": True, "records": False},
        "problems": [{"text": "李明未领取党员学习手册，7至9月党费无纪实", "open_ledger": True}]}).get_json()
    detail = client.get(f"/api/v1/spot-checks/{c['id']}", headers=h).get_json()
    assert detail["facts"] == {"members": 3, "carded": 3, "study_manuals": 2, "branch_manual": True,
                               "members_with_dues": 2}
    with session_scope(app.config["DATABASE_URL"]) as s:
        quwei = s.execute(select(User).where(User.username == "quwei")).scalar_one()
        row, = [r for r in coverage(s, quwei, 2025) if r["organisation_id"] == org]
        assert {k: row[k] for k in detail["facts"]} == detail["facts"]
    with session_scope(app.config["DATABASE_URL"]) as s:
        item = s.get(RectificationItem, c["problems"][0]["ledger_item_id"])
        assert item.organisation_id == org and item.category == "两册一证" and "李明" in item.problem
        assert s.scalar(select(func.count()).select_from(HandbookIssue)) == 3
        party_day = s.scalar(select(PartyDay.id).where(PartyDay.organisation_id == org))
        assert s.scalar(select(func.count()).select_from(MemberRecord).where(MemberRecord.party_day_id == party_day)) == 3
