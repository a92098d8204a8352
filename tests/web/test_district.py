"""The district's management layer (issue 12), through the HTTP API: a grading round names rural laggards →
leaders take charge (a branch without one is flagged) → a 督导组 inspection and a leader's visit open ledger
rows → three months of party days are imported with one missing → the 季度通报 of that quarter prints each
fact with the numbers the database holds."""
from __future__ import annotations

import datetime as dt
import io
import re

import pdfplumber
from openpyxl import load_workbook
from sqlalchemy import func, select

from service.db import session_scope
from service.documents.contexts import last_ended_quarter, quarter_bounds
from service.models import (Assessment, Inspection, LeaderVisit, Organisation, PartyDay, RectificationItem,
                            TrainingClass, TrainingEnrolment)
from tests.conftest import bearer
from tests.samples import upload_file, xlsx_bytes

RURAL_PARENT = "大邱庄镇党委"
EXTRA = [f"大邱庄镇第{i}村党支部" for i in range(1, 20)]  # 21 rural branches: 5% rounded up is 2 laggards


def _grade(client, h, admin, demo, year: int) -> list[str]:
    parent = demo["orgs"][RURAL_PARENT]
    for name in EXTRA:
        r = client.post("/api/v1/organisations", headers=admin, json={
            "name": name, "kind": "branch", "parent_id": parent, "domain": "rural", "member_count": 20})
        assert r.status_code == 201, r.get_json()
    lines = ["支部名称,领域,班子,队伍,机制,业绩,反映,总分", "大邱庄村党支部,农村,19,19,19,19,19,95",
             "尧舜度假村党支部,农村,12,15,14,14,15,70"]
    lines += [f"{n},农村,18,18,18,18,18,90" for n in EXTRA[:-1]] + [f"{EXTRA[-1]},农村,13,14,14,14,15,70"]
    r = client.post("/api/v1/grading-rounds", headers=h, content_type="multipart/form-data",
                    data={"file": (io.BytesIO("\n".join(lines).encode("utf-8")), "定级.csv"), "year": str(year)})
    assert r.status_code == 201, r.get_json()
    return sorted(l["branch_name"] for l in r.get_json()["laggards"] if l.get("domain") in ("rural", None))


def _pdf_text(client, h, doc: dict) -> str:
    with pdfplumber.open(io.BytesIO(client.get(doc["url"], headers=h).data)) as pdf:
        return "\n".join(p.extract_text() or "" for p in pdf.pages)


def test_scenario_laggards_to_quarterly_report(app, client, demo):
    h, admin = bearer(demo["tokens"]["quwei"]), bearer(demo["tokens"]["admin"])
    today = dt.date.today()
    year, quarter = last_ended_quarter(today)
    q_start, q_end = quarter_bounds(year, quarter)
    m1, m2, m3 = q_start.month, q_start.month + 1, q_start.month + 2

    # 1. the grading round names two rural laggards
    laggards = _grade(client, h, admin, demo, year)
    assert laggards == sorted(["尧舜度假村党支部", EXTRA[-1]]), laggards
    lag = demo["orgs"]["尧舜度假村党支部"]

    # 2. leaders: one takes charge of the first laggard, the second laggard is left without one
    leaders = [client.post("/api/v1/people", headers=h, json={"name": n, "rank": "district_leader",
                                                               "title": "区委常委"}) for n in ("王志强", "李卫东")]
    assert all(r.status_code == 201 for r in leaders), [r.get_json() for r in leaders]
    county = client.post("/api/v1/people", headers=h, json={"name": "赵县长", "rank": "县级领导"})
    assert county.status_code == 201 and county.get_json()["rank"] == "county_leader"
    a = client.post("/api/v1/assignments", headers=h, json={
        "person_id": leaders[0].get_json()["id"], "organisation_id": lag, "year": year,
        "assigned_on": q_start.isoformat()})
    assert a.status_code == 201, a.get_json()
    again = client.post("/api/v1/assignments", headers=h, json={
        "person_id": leaders[0].get_json()["id"], "organisation_id": lag, "year": year})
    assert again.status_code == 409
    cov = client.get(f"/api/v1/assignments?year={year}", headers=h).get_json()
    assert (cov["laggards"], cov["covered"], cov["uncovered"]) == (2, 1, [EXTRA[-1]])
    flagged = {b["branch_name"]: (b["leaders"], b["uncovered"]) for b in cov["branches"]}
    assert flagged == {"尧舜度假村党支部": (["王志强"], False), EXTRA[-1]: ([], True)}
    assert [p["name"] for p in cov["district_leaders_without_branch"]] == ["李卫东"]
    assert [p["name"] for p in cov["county_leaders_without_contact"]] == ["赵县长"]
    # a branch user sees none of it
    assert client.get(f"/api/v1/assignments?year={year}",
                      headers=bearer(demo["tokens"]["chengguan"])).status_code == 403

    # 3. a 督导组 inspection opens ledger rows (one at once, one in one click afterwards); a visit opens one
    g = client.post("/api/v1/supervision-groups", headers=admin, json={
        "name": "第一督导组", "leader": "刘明", "members": ["刘明", "陈亮"],
        "committee_ids": [demo["orgs"][RURAL_PARENT]], "checklist": ["是否每月8日开展主题党日", "三会一课记录是否完整"],
        "organisation_id": demo["orgs"]["静海区委"]})
    assert g.status_code == 201, g.get_json()
    gid = g.get_json()["id"]
    outside = client.post("/api/v1/inspections", headers=h, json={
        "group_id": gid, "organisation_id": demo["orgs"]["城关社区党支部"], "findings": []})
    assert outside.status_code == 422 and outside.get_json()["error"]["code"] == "not_covered"
    ins = client.post("/api/v1/inspections", headers=h, json={
        "group_id": gid, "organisation_id": lag, "kind": "field", "inspected_on": dt.date(year, m2, 20).isoformat(),
        "answers": {"是否每月8日开展主题党日": "否，8月未开展"},
        "findings": [{"text": "8月未开展主题党日", "open_ledger": True, "category": "制度执行"},
                     {"text": "三会一课记录不完整"}]})
    assert ins.status_code == 201, ins.get_json()
    body = ins.get_json()
    assert body["findings"][0]["ledger_item_id"] and body["findings"][1]["ledger_item_id"] is None
    one_click = client.post(f"/api/v1/inspections/{body['id']}/findings/1/open", headers=h)
    assert one_click.status_code == 201, one_click.get_json()
    assert client.post(f"/api/v1/inspections/{body['id']}/findings/1/open", headers=h).status_code == 409
    visit = client.post(f"/api/v1/assignments/{a.get_json()['id']}/visits", headers=h, json={
        "visited_on": dt.date(year, m3, 10).isoformat(), "found": "支部班子不团结",
        "follow_up": "约谈支部书记", "open_rows": [{"problem": "支部班子不团结", "measure": "调整班子"}]})
    assert visit.status_code == 201 and len(visit.get_json()["ledger_item_ids"]) == 1
    rows = client.get(f"/api/v1/ledger?organisation_id={lag}", headers=h).get_json()["items"]
    assert {r["problem"] for r in rows} >= {"8月未开展主题党日", "三会一课记录不完整", "支部班子不团结"}
    person = client.get(f"/api/v1/people/{leaders[0].get_json()['id']}", headers=h).get_json()
    assert person["assignments"][0]["ledger"]["items"] == len(rows) and len(person["visits"]) == 1
    lists = client.get(f"/api/v1/branch-lists/{lag}?year={year}", headers=h).get_json()
    # a year's lists hold the rows opened by its end: from January to March the grading's own row, opened today,
    # is of the next year
    assert [r["problem"] for r in lists["branches"][0]["rows"]] == \
        [r["problem"] for r in rows if r["opened_on"] <= f"{year}-12-31"]
    # no row is left without a 整改时限 or a 责任人 (the 三张清单 had blank cells): none was given, so 90 days
    # after the day the problem was found and the branch secretary; the print says which were defaulted
    found = {"8月未开展主题党日": dt.date(year, m2, 20), "三会一课记录不完整": dt.date(year, m2, 20),
             "支部班子不团结": dt.date(year, m3, 10)}
    with session_scope(app.config["DATABASE_URL"]) as s:
        secretary = s.get(Organisation, lag).secretary
    for r in lists["branches"][0]["rows"]:
        if r["problem"] in found:
            assert (r["due_on"], r["owner"]) == ((found[r["problem"]] + dt.timedelta(days=90)).isoformat(),
                                                 secretary), r
            assert r["defaulted"] == "整改时限按发现问题之日起90天默认确定，责任人默认为党支部书记", r
    assert next(r for r in rows if r["problem"] == "支部班子不团结")["leader"] == "王志强"
    from tests.conftest import DEMO_PASSWORD
    from tests.web.conftest import login
    page = app.test_client()
    login(page, "quwei", DEMO_PASSWORD)
    printed = re.sub(r"<[^>]+>", "", page.get(f"/branch-lists/{lag}?print=1").get_data(as_text=True))
    # said once for the rows it applies to (第1、2、3项), not once per row
    said = re.findall(r"尧舜度假村党支部第([\d、]+)项在走访、督导检查或抽查时未填写，整改时限按发现问题之日起90天默认确定，"
                      r"责任人默认为党支部书记", printed)
    assert len(said) == 1 and len(said[0].split("、")) == 3, printed[-800:]
    assert "如需调整，请在整改工作台账中修改。" in printed

    # 4. party days of the quarter imported, the second month missing; a bad sheet names row and column
    bad = upload_file(client, h, "/api/v1/party-days/import", xlsx_bytes([
        ["党支部", "开展日期", "主题", "应到人数", "实到人数"],
        ["尧舜度假村党支部", "2026年13月8日", "x", 15, 12], ["没有这个党支部", dt.date(year, m1, 8), "x", 15, 12]]))
    assert bad.status_code == 422, bad.get_json()
    problems = bad.get_json()["error"]["detail"]["problems"]
    assert [(p["row"], p["column"]) for p in problems] == [(2, "B"), (3, "A")], problems
    assert "第2行B列“开展日期”" in bad.get_json()["error"]["message"]
    template = client.get("/api/v1/party-days/template.xlsx", headers=h)
    assert template.status_code == 200
    header = [c.value for c in load_workbook(io.BytesIO(template.data)).active[1]]
    sheet = [header,
             ["尧舜度假村党支部", dt.date(year, m1, 8), "学习党章", 15, 12, "孙丽、王强", "是", ""],
             ["尧舜度假村党支部", f"{year}年{m3}月12日", "主题党日", 15, 9, "", "否", "8日逢集，群众较多"]]
    ok = upload_file(client, h, "/api/v1/party-days/import", xlsx_bytes(sheet))
    assert ok.status_code == 200 and ok.get_json() == {"rows": 2, "created": 2, "updated": 0}, ok.get_json()
    comp = client.get(f"/api/v1/party-days/compliance?year={year}&months={m1},{m2},{m3}&organisation_id={lag}",
                      headers=h).get_json()
    cells = {c["month"]: (c["status"], c["reason"]) for c in comp["branches"][0]["months"]}
    assert cells == {m1: ("on_day", ""), m2: ("missing", ""), m3: ("other_day", "8日逢集，群众较多")}
    assert comp["totals"]["attendance_rate"] == round(100 * 21 / 30, 1)
    exported = client.get(f"/api/v1/party-days/export.xlsx?organisation_id={lag}", headers=h)
    assert exported.status_code == 200 and load_workbook(io.BytesIO(exported.data)).active.max_row == 3

    # 4b. training (JH-5): a class in the quarter for two secretaries; a full class refuses a third; the
    # sign-in sheet names a wrong name and an unreadable mark by row and column, then signs one in
    topic = client.post("/api/v1/training/topics", headers=h, json={"name": "党支部工作条例"})
    assert topic.status_code == 201, topic.get_json()
    cls = client.post("/api/v1/training/classes", headers=h, json={
        "topic_id": topic.get_json()["id"], "held_on": dt.date(year, m2, 15).isoformat(), "place": "区委党校",
        "capacity": 2})
    assert cls.status_code == 201, cls.get_json()
    cid, dqz = cls.get_json()["id"], demo["orgs"]["大邱庄村党支部"]
    enrol = client.post(f"/api/v1/training/classes/{cid}/enrolments", headers=h, json={"organisation_ids": [lag, dqz]})
    assert enrol.status_code == 201 and enrol.get_json()["enrolled"] == 2, enrol.get_json()
    full = client.post(f"/api/v1/training/classes/{cid}/enrolments", headers=h,
                       json={"organisation_ids": [demo["orgs"]["城关社区党支部"]]})
    assert full.status_code == 409, full.get_json()
    sign_in = "/api/v1/training/classes/%d/attendance/import" % cid
    bad = upload_file(client, h, sign_in, xlsx_bytes([["党支部", "姓名", "是否签到"], ["尧舜度假村党支部", "王五", "是"],
                                             ["大邱庄村党支部", "郑海", "也许"]]))
    assert bad.status_code == 422, bad.get_json()
    assert [(p["row"], p["column"]) for p in bad.get_json()["error"]["detail"]["problems"]] == [(2, "B"), (3, "C")]
    ok = upload_file(client, h, sign_in, xlsx_bytes([["党支部", "姓名", "是否签到"], ["尧舜度假村党支部", "孙丽", "是"],
                                            ["大邱庄村党支部", "郑海", "否"]]))
    assert ok.get_json() == {"rows": 2, "created": 0, "updated": 2, "attended": 1}, ok.get_json()
    cov = client.get(f"/api/v1/training/coverage?year={year}&organisation_id={demo['orgs'][RURAL_PARENT]}",
                     headers=h).get_json()
    assert (cov["branches"], cov["trained"]) == (21, 1)
    assert "大邱庄村党支部" in {r["branch_name"] for r in cov["untrained"]}
    assert lag not in {r["organisation_id"] for r in cov["untrained"]}

    # 5. the 季度通报 of that quarter (a quarter not yet ended is refused)
    district = demo["orgs"]["静海区委"]
    q = client.post("/api/v1/documents", headers=h, json={"kind": "quarterly-report", "record_id": district,
                                                          "formats": ["pdf"],
                                                          "options": {"year": year, "quarter": quarter}})
    assert q.status_code == 201, q.get_json()
    doc = q.get_json()["documents"][0]
    text = re.sub(r"—\d+—", "", re.sub(r"\s+", "", _pdf_text(client, h, doc)))  # without the page numbers
    with session_scope(app.config["DATABASE_URL"]) as s:
        from service.auth import subtree_ids

        branches = [o.id for o in s.execute(select(Organisation).where(
            Organisation.id.in_(subtree_ids(s, district)), Organisation.kind == "branch")).scalars()]
        held = s.scalar(select(func.count()).select_from(PartyDay).where(
            PartyDay.organisation_id.in_(branches), PartyDay.held_on >= q_start, PartyDay.held_on <= q_end))
        on_day = s.scalar(select(func.count()).select_from(PartyDay).where(
            PartyDay.organisation_id.in_(branches), PartyDay.held_on >= q_start, PartyDay.held_on <= q_end,
            func.extract("day", PartyDay.held_on) == 8))
        inspections = s.scalar(select(func.count()).select_from(Inspection).where(
            Inspection.organisation_id.in_(branches), Inspection.inspected_on >= q_start,
            Inspection.inspected_on <= q_end))
        visits = s.scalar(select(func.count()).select_from(LeaderVisit).where(
            LeaderVisit.organisation_id.in_(branches), LeaderVisit.visited_on >= q_start,
            LeaderVisit.visited_on <= q_end))
        trained = set(s.execute(select(TrainingEnrolment.organisation_id).join(
            TrainingClass, TrainingClass.id == TrainingEnrolment.class_id).where(
            TrainingEnrolment.attended.is_(True), TrainingEnrolment.organisation_id.in_(branches),
            TrainingClass.held_on >= dt.date(year, 1, 1), TrainingClass.held_on <= q_end)).scalars())
        rural = [o.id for o in s.execute(select(Organisation).where(
            Organisation.parent_id == demo["orgs"][RURAL_PARENT], Organisation.kind == "branch")).scalars()]
        opened = s.scalar(select(func.count()).select_from(RectificationItem).where(
            RectificationItem.organisation_id == lag, RectificationItem.opened_on >= q_start,
            RectificationItem.opened_on <= q_end))
    expected_months = 3 * len(branches)
    assert (held, on_day, inspections, visits, opened) == (2, 1, 1, 1, 3)
    assert f"农村相对后进党支部2个，已落实区级领导挂点包保1个，尚未落实1个（{EXTRA[-1]}）" in text
    assert f"本季度督导组开展督导检查{inspections}次，发现问题列入整改工作台账2项" in text
    assert f"挂点领导走访{visits}次，发现问题列入整改工作台账1项" in text
    assert (f"应开展主题党日{expected_months}支部次，已开展{held}次，其中每月8日开展{on_day}次、"
            f"其他日期开展{held - on_day}次（未说明原因0次），未开展{expected_months - held}次") in text
    assert f"尧舜度假村党支部{m2}月" in text
    assert "参加率70%" in text
    rate = lambda n, d: f"{round(100 * n / d, 1):g}%"  # noqa: E731
    assert trained == {lag}
    assert (f"本年度已参加培训的党支部书记{len(trained)}人，占党支部书记总数{len(branches)}人的"
            f"{rate(len(trained), len(branches))}，尚未培训{len(branches) - len(trained)}人") in text
    assert f"{RURAL_PARENT}{len(rural)}{len(trained & set(rural))}{len(rural) - 1}{rate(1, len(rural))}" in text
    # the quarter after the last ended one (on a quarter's last day that is the next quarter, not today's)
    nxt_year, nxt = (year, quarter + 1) if quarter < 4 else (year + 1, 1)
    refused = client.post("/api/v1/documents", headers=h, json={
        "kind": "quarterly-report", "record_id": district, "options": {"year": nxt_year, "quarter": nxt}})
    assert refused.status_code == 422 and "尚未结束" in refused.get_json()["error"]["message"]



def test_quarterly_report_counts_the_grading_round_in_force(app, client, demo):
    """A quarter of a year whose grading has not begun reports the latest round before it, named by its
    year: the demo's 2026 Q3 report said 已完成考核0个 beside a 相对后进 branch of the 2025 round."""
    h, admin = bearer(demo["tokens"]["quwei"]), bearer(demo["tokens"]["admin"])
    year, quarter = last_ended_quarter(dt.date.today())
    _grade(client, h, admin, demo, year - 1)
    district = demo["orgs"]["静海区委"]
    q = client.post("/api/v1/documents", headers=h, json={"kind": "quarterly-report", "record_id": district,
                                                          "formats": ["pdf"],
                                                          "options": {"year": year, "quarter": quarter}})
    assert q.status_code == 201, q.get_json()
    text = re.sub(r"\s+", "", _pdf_text(client, h, q.get_json()["documents"][0]))
    with session_scope(app.config["DATABASE_URL"]) as s:
        graded = s.scalar(select(func.count()).select_from(Assessment).where(Assessment.year == year - 1))
        backward = s.scalar(select(func.count()).select_from(Assessment).where(
            Assessment.year == year - 1, Assessment.backward.is_(True)))
    assert graded == 21 and backward == 2
    assert f"{year - 1}年度已完成考核{graded}个" in text, text[:300]
    assert f"确定相对后进党支部{backward}个" in text
    assert f"农村相对后进党支部{backward}个" in text


def test_quarterly_report_ignores_gradings_entered_after_the_quarter(app, client, demo):
    """A 2026 Q3 report issued in December counts the round in force on 9月30日: a 2026 grading of one branch
    entered after the quarter's end does not switch it to 2026年度已完成考核1个 and 相对后进0个, nor the
    dashboard's default year."""
    h, admin = bearer(demo["tokens"]["quwei"]), bearer(demo["tokens"]["admin"])
    year, quarter = last_ended_quarter(dt.date.today())
    _grade(client, h, admin, demo, year - 1)
    after = quarter_bounds(year, quarter)[1] + dt.timedelta(days=1)
    with session_scope(app.config["DATABASE_URL"]) as s:
        late = s.scalar(select(Assessment).where(Assessment.year == year - 1).order_by(Assessment.id).limit(1))
        s.add(Assessment(organisation_id=late.organisation_id, year=year, domain=late.domain, scores={}, items={},
                         total=95, grade="good", backward=False, assessed_on=after))
    q = client.post("/api/v1/documents", headers=h, json={"kind": "quarterly-report", "formats": ["pdf"],
                                                          "record_id": demo["orgs"]["静海区委"],
                                                          "options": {"year": year, "quarter": quarter}})
    assert q.status_code == 201, q.get_json()
    text = re.sub(r"\s+", "", _pdf_text(client, h, q.get_json()["documents"][0]))
    assert f"{year - 1}年度已完成考核21个" in text and "确定相对后进党支部2个" in text, text[:300]
    # the dashboard opens on the same round (it opened on the newest year with any grading: the late one)
    dash = client.get("/api/v1/dashboard", headers=h).get_json()
    assert dash["year"] == year - 1 and dash["years"] == [year - 1, year], (dash["year"], dash["years"])
    assert sum(dash["grades_by_domain"]["rural"].values()) == 21 and len(dash["backward"]) == 2
    assert client.get(f"/api/v1/dashboard?year={year}", headers=h).get_json()["backward"] == []


def test_party_days_group_a_street_s_branches_under_its_party_working_committee(app, demo):
    """A 街道党工委's own branches are its rows on the party-day page, as in the 季度通报 and the training
    page: they were counted under 静海区委 (the district itself) as if it were their 党委."""
    from service.models import User
    from service.usecases import district_partyday

    with session_scope(app.config["DATABASE_URL"]) as s:
        quwei = s.scalar(select(User).where(User.username == "quwei"))
        data = district_partyday.compliance(s, quwei, dt.date.today().year, cells=False)
        of = {r["branch_name"]: r["committee"] for r in data["branches"]}
        street = s.scalar(select(Organisation).where(Organisation.name == "静海街道党工委"))
        own = s.scalars(select(Organisation.name).where(Organisation.parent_id == street.id,
                                                        Organisation.kind == "branch")).all()
    assert own and all(of[n] == "静海街道党工委" for n in own), {n: of[n] for n in own}
    assert "静海区委" not in {c["name"] for c in data["by_committee"]}


def test_party_day_sums_from_the_database_equal_the_rule_s(app, demo):
    """The page's summaries are added up by the database (GROUP BY): per branch, per 党委 and in total
    they equal :func:`party_day_summary` over the same records, with attendance over the expected count,
    no expected count, the 8th or another day with and without a reason."""
    from service.checks.district import DayRecord, party_day_summary
    from service.models import User
    from service.usecases import district_partyday

    year, months = dt.date.today().year - 1, [1, 2, 3]
    kinds = [(8, 10, 12, ""), (9, None, 5, ""), (15, 0, 3, "因故调整"), (8, 20, 7, ""), (20, 30, 30, "")]
    with session_scope(app.config["DATABASE_URL"]) as s:
        branches = s.scalars(select(Organisation).where(Organisation.kind == "branch").order_by(Organisation.id)).all()
        for i, b in enumerate(branches[:12]):
            for m in months[: 1 + i % 3]:
                day, expected, attended, reason = kinds[(i + m) % len(kinds)]
                s.merge(PartyDay(organisation_id=b.id, year=year, month=m, held_on=dt.date(year, m, day),
                                 expected=expected, attended=attended, reason=reason, topic="", attendees=[]))
    with session_scope(app.config["DATABASE_URL"]) as s:
        admin = s.scalar(select(User).where(User.username == "admin"))
        data = district_partyday.compliance(s, admin, year, months, cells=False)
        records = [DayRecord(p.organisation_id, p.year, p.month, p.held_on, p.expected, p.attended or 0,
                             p.reason or "") for p in s.scalars(select(PartyDay).where(PartyDay.year == year))]
    ym = [(year, m) for m in months]
    assert sum(r["held"] for r in data["branches"]) >= 24
    for row in data["branches"]:
        expect = party_day_summary([row["organisation_id"]], ym, records)
        assert {k: row[k] for k in expect} == expect, row["branch_name"]
    ids = [r["organisation_id"] for r in data["branches"]]
    assert data["totals"] == party_day_summary(ids, ym, records)
    for group in data["by_committee"]:
        members = [r["organisation_id"] for r in data["branches"] if r["committee"] == group["name"]]
        assert {k: v for k, v in group.items() if k != "name"} == party_day_summary(members, ym, records), group


def test_pages_show_the_records_in_chinese(app, client, seeded):
    """Each page lists what the API recorded, in Chinese; the party-day import names row and column."""
    from tests.web.conftest import csrf_of, login

    login(client, "quwei", seeded["password"])
    objs = seeded["objects"]["B"]
    pages = {"/leaders?year=2026": ["挂点包保和创建联系点", "王志强"],
             f"/leaders/{objs['person']}": ["走访记录", "台账不全", "城关社区党支部"],
             f"/branch-lists/{objs['org']}": ["问题清单", "任务清单", "责任清单", "三会一课记录不全"],
             "/supervision": ["督导清单", "是否每月8日开展主题党日", "记录不全", "列入整改工作台账"],
             "/party-days?year=2026": ["主题党日开展情况", "城关社区党支部", "未开展"]}
    for url, words in pages.items():
        r = client.get(url)
        assert r.status_code == 200, url
        html = r.get_data(as_text=True)
        for w in words:
            assert w in html, (url, w)
        body = html[html.index("<main"):] if "<main" in html else html
        assert not re.search(r">[^<]*\b(?:district_leader|on_day|other_day|None)\b[^<]*<", body), url
    r = client.post("/party-days", data={"csrf_token": csrf_of(client), "action": "import", "year": "2026",
                                         "file": (io.BytesIO(xlsx_bytes([["党支部", "开展日期", "实到人数"],
                                                                    ["城关社区党支部", "九月八日", "x"]])), "d.xlsx")},
                    content_type="multipart/form-data", follow_redirects=True)
    html = r.get_data(as_text=True)
    cells = re.findall(r'<td data-label="行号">(\d+)</td><td data-label="列">([^<]+)</td>', html)
    assert cells == [("2", "B列“开展日期”"), ("2", "C列“实到人数”")], cells
    assert "主题党日记录未导入：共 2 处错误" in html and 'id="error-report"' in html
    # one click: the inspection's finding goes to the ledger
    r = client.post("/supervision", data={"csrf_token": csrf_of(client), "action": "open",
                                          "inspection_id": str(objs["inspection"]), "index": "0"},
                    follow_redirects=True)
    assert "已列入整改工作台账" in r.get_data(as_text=True)


def test_every_kind_is_corrected_through_the_api_and_the_pages(app, client, seeded):
    """Each district record kind entered wrongly is edited or removed, by the API and by its page, through the
    same use case; a record others depend on (a visit's ledger row, a leader's 挂点) is refused, not lost."""
    from tests.web.conftest import csrf_of, login

    h, admin = bearer(seeded["tokens"]["quwei"]), bearer(seeded["tokens"]["admin"])
    o = seeded["objects"]["B"]
    # API: PATCH and DELETE of every kind
    r = client.patch(f"/api/v1/assignments/{o['assignment']}", headers=h, json={"note": "改为2026年包保"})
    assert r.status_code == 200 and r.get_json()["note"] == "改为2026年包保", r.get_json()
    r = client.patch(f"/api/v1/assignments/visits/{o['visit']}", headers=h, json={"found": "三会一课台账不全"})
    assert r.status_code == 200 and r.get_json()["found"] == "三会一课台账不全"
    r = client.patch(f"/api/v1/inspections/{o['inspection']}", headers=h,
                     json={"kind": "monitor", "findings": ["记录不全", "党费未按月收缴"]})
    assert r.status_code == 200 and [f["text"] for f in r.get_json()["findings"]] == ["记录不全", "党费未按月收缴"]
    r = client.patch(f"/api/v1/party-days/{o['day']}", headers=h, json={"held_on": "2026-07-09", "reason": "8日停电"})
    assert r.status_code == 200 and (r.get_json()["status"], r.get_json()["reason"]) == ("other_day", "8日停电")
    r = client.patch(f"/api/v1/supervision-groups/{o['group']}", headers=admin, json={"members": ["刘明", "许芳"]})
    assert r.status_code == 200 and r.get_json()["members"] == ["刘明", "许芳"]
    assert client.delete(f"/api/v1/people/{o['person']}", headers=h).status_code == 409  # has a 挂点
    assert client.delete(f"/api/v1/supervision-groups/{o['group']}", headers=admin).status_code == 409
    # pages: the same corrections as forms
    login(client, "quwei", seeded["password"])
    url = f"/leaders/{o['person']}"
    r = client.post(url, data={"csrf_token": csrf_of(client), "action": "update_person", "name": "王志强",
                               "rank": "district_leader", "title": "区委副书记", "phone": "", "active": "1"},
                    follow_redirects=True)
    assert "已保存人员信息" in r.get_data(as_text=True) and "区委副书记" in r.get_data(as_text=True)
    r = client.post(url, data={"csrf_token": csrf_of(client), "action": "update_visit", "visit_id": str(o["visit"]),
                               "visited_on": "", "found": "台账已补齐", "follow_up": "回访"}, follow_redirects=True)
    assert "已保存走访记录" in r.get_data(as_text=True) and "台账已补齐" in r.get_data(as_text=True)
    r = client.post(url, data={"csrf_token": csrf_of(client), "action": "delete_visit", "visit_id": str(o["visit"])},
                    follow_redirects=True)
    assert "已删除走访记录" in r.get_data(as_text=True)
    r = client.post(url, data={"csrf_token": csrf_of(client), "action": "unassign",
                               "assignment_id": str(o["assignment"])}, follow_redirects=True)
    assert "已撤销挂点" in r.get_data(as_text=True)
    r = client.post(url, data={"csrf_token": csrf_of(client), "action": "delete_person"}, follow_redirects=True)
    assert "已删除该人员" in r.get_data(as_text=True)
    r = client.post("/supervision", data={"csrf_token": csrf_of(client), "action": "update_inspection",
                                          "inspection_id": str(o["inspection"]), "kind": "random",
                                          "findings": "记录不全"}, follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "已保存督导检查记录" in html and "党费未按月收缴" not in html
    r = client.post("/supervision", data={"csrf_token": csrf_of(client), "action": "delete_inspection",
                                          "inspection_id": str(o["inspection"])}, follow_redirects=True)
    assert "已删除督导检查记录" in r.get_data(as_text=True)
    r = client.get(f"/party-days?year=2026&edit={o['day']}")
    assert "修改城关社区党支部2026年7月主题党日记录" in r.get_data(as_text=True)
    r = client.post("/party-days", data={"csrf_token": csrf_of(client), "action": "update", "day_id": str(o["day"]),
                                         "year": "2026", "held_on": "2026-07-08", "attended": "7", "topic": "党课"},
                    follow_redirects=True)
    assert "已保存主题党日记录" in r.get_data(as_text=True)
    r = client.post("/party-days", data={"csrf_token": csrf_of(client), "action": "delete", "day_id": str(o["day"]),
                                         "year": "2026"}, follow_redirects=True)
    assert "已删除主题党日记录" in r.get_data(as_text=True)
    assert client.get(f"/api/v1/party-days/{o['day']}", headers=h).status_code == 404
    # the group is the admin's: set up, edited and removed from the page
    login(client, "admin", seeded["password"])
    r = client.post("/supervision", data={"csrf_token": csrf_of(client), "action": "create_group", "name": "第九督导组",
                                          "leader": "许芳", "members": "许芳、黄伟", "checklist": "党费是否按月收缴"},
                    follow_redirects=True)
    assert "已新建督导组" in r.get_data(as_text=True) and "第九督导组" in r.get_data(as_text=True)
    gid = next(g["id"] for g in client.get("/api/v1/supervision-groups", headers=admin).get_json()["items"]
               if g["name"] == "第九督导组")
    r = client.post("/supervision", data={"csrf_token": csrf_of(client), "action": "delete_group", "group_id": str(gid)},
                    follow_redirects=True)
    assert "已删除督导组" in r.get_data(as_text=True)
    # exports of every kind open as workbooks
    for url in ("/api/v1/assignments/export.xlsx", "/api/v1/supervision-groups/export.xlsx",
                "/api/v1/inspections/export.xlsx", "/api/v1/people/export.xlsx"):
        r = client.get(url, headers=admin)
        assert r.status_code == 200 and load_workbook(io.BytesIO(r.data)).active.max_row >= 1, url


def test_leaders_page_without_people_says_to_add_them_first(app, demo):
    """A reviewer with nobody on the 人员 list got a 落实挂点 form whose 领导 choice was empty (the browser then
    refused it with its own English tooltip): the page says to add or import people first."""
    from tests.conftest import DEMO_PASSWORD
    from tests.web.conftest import login

    page = app.test_client()
    login(page, "gongwei", DEMO_PASSWORD)
    text = page.get("/leaders").get_data(as_text=True)
    assert "尚无人员。" in text and 'id="assign-none"' in text and 'id="assign-form"' not in text


def test_a_person_s_phone_is_a_telephone_number(client, demo):
    """联系电话 took any text (「abc电话」); now the API, the page's use case and the sheet import refuse one
    that is not a number as people write them, naming the field and the cell."""
    from tests.samples import upload_file, xlsx_bytes

    h = bearer(demo["tokens"]["quwei"])
    for phone in ("022-68883456", "138 0000 0000", "+86 22 6888 3456", "68883456转801", "（022）68883456"):
        ok = client.post("/api/v1/people", headers=h, json={"name": "赵书记", "rank": "district_leader", "phone": phone})
        assert ok.status_code == 201 and ok.get_json()["phone"] == phone, (phone, ok.get_json())
    for phone in ("abc电话", "123", "022-6888-abcd", "电话：68883456"):
        bad = client.post("/api/v1/people", headers=h, json={"name": "钱书记", "rank": "district_leader", "phone": phone})
        assert bad.status_code == 422, (phone, bad.get_json())
        assert "联系电话应为电话号码" in bad.get_json()["error"]["message"]
    sheet = xlsx_bytes([["姓名", "类别", "职务", "联系电话"], ["孙书记", "区级领导", "", 13800000000],
                        ["李书记", "区级领导", "", "打电话"]])
    r = upload_file(client, h, "/api/v1/people/import", sheet)
    assert r.status_code == 422, r.get_json()
    assert "第3行D列“联系电话”" in str(r.get_json()["error"]) and "第2行" not in str(r.get_json()["error"])


def test_a_refused_inspection_keeps_what_was_typed(app, demo):
    """记录督导检查 for a branch outside the group's 党委 was refused after a redirect that emptied the form
    (answers, findings, branch, date) and closed it: the page now draws it again, open, as it was sent."""
    from tests.conftest import DEMO_PASSWORD
    from tests.web.conftest import login

    client = app.test_client()
    g = client.post("/api/v1/supervision-groups", headers=bearer(demo["tokens"]["admin"]), json={
        "name": "第一督导组", "committee_ids": [demo["orgs"][RURAL_PARENT]], "checklist": ["是否每月8日开展主题党日"],
        "organisation_id": demo["orgs"]["静海区委"]})
    assert g.status_code == 201, g.get_json()
    gid, outside = g.get_json()["id"], demo["orgs"]["城关社区党支部"]
    with session_scope(app.config["DATABASE_URL"]) as s:
        before = s.scalar(select(func.count()).select_from(Inspection))
    page = app.test_client()
    login(page, "quwei", DEMO_PASSWORD)
    form = page.get("/supervision").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    resp = page.post("/supervision", data={"csrf_token": token, "action": "inspect", "group_id": str(gid),
                                           "organisation_id": str(outside), "kind": "random", "inspected_on": "2026-11-02",
                                           "answer:0": "上月未在8日开展", "findings": "党费收缴不及时\n台账缺页"})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "不在第一督导组负责督导的党委之内" in text
    mine = text[text.index(f'name="group_id" value="{gid}"') - 400:]
    mine = mine[:mine.index("</form>")]
    assert "<details open>" in mine and 'value="上月未在8日开展"' in mine and ">党费收缴不及时\n台账缺页</textarea>" in mine
    assert f'<option value="{outside}" selected>' in mine and 'value="random" selected' in mine
    assert 'value="2026-11-02"' in mine and "<details open>" not in form
    with session_scope(app.config["DATABASE_URL"]) as s:
        assert s.scalar(select(func.count()).select_from(Inspection)) == before


def test_a_refused_visit_keeps_what_was_typed(app, demo):
    """记录走访 dated after today was refused after a redirect that emptied 发现的问题, 后续措施 and the ledger
    row typed with them: the page now draws the form again with them."""
    from tests.conftest import DEMO_PASSWORD
    from tests.web.conftest import login

    client, h = app.test_client(), bearer(demo["tokens"]["quwei"])
    person = client.post("/api/v1/people", json={"name": "王志强", "rank": "district_leader"}, headers=h).get_json()
    a = client.post("/api/v1/assignments", json={"person_id": person["id"], "organisation_id": demo["orgs"]["城关社区党支部"],
                                                 "year": 2026}, headers=h)
    assert a.status_code == 201, a.get_json()
    page = app.test_client()
    login(page, "quwei", DEMO_PASSWORD)
    form = page.get(f"/leaders/{person['id']}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    resp = page.post(f"/leaders/{person['id']}", data={
        "csrf_token": token, "assignment_id": str(a.get_json()["id"]), "visited_on": "2099-11-02", "found": "班子分工不明确",
        "follow_up": "下周再访", "problem": "台账不全", "measure": "补齐台账", "due_on": "2027-01-31"})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "走访日期不能晚于今天" in text
    visit = text[text.index('id="visit-form"'):]
    visit = visit[:visit.index("</form>")]
    assert ">班子分工不明确</textarea>" in visit and ">下周再访</textarea>" in visit and 'value="台账不全"' in visit and 'value="补齐台账"' in visit
    assert 'value="2027-01-31"' in visit and 'value="2099-11-02"' in visit
    assert f'<option value="{a.get_json()["id"]}" selected>' in visit


def test_a_refused_party_day_keeps_what_was_typed(app, demo):
    """A 主题党日 record with more present than expected was refused after a redirect that emptied the branch,
    date, topic, reason and head counts (and left a correction's form): the page draws the form again as typed."""
    from tests.conftest import DEMO_PASSWORD
    from tests.web.conftest import login

    branch = demo["orgs"]["城关社区党支部"]
    page = app.test_client()
    login(page, "quwei", DEMO_PASSWORD)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get("/party-days?year=2026").get_data(as_text=True)).group(1)
    typed = {"csrf_token": token, "year": "2026", "organisation_id": str(branch), "held_on": "2026-07-10",
             "topic": "学习新党章", "reason": "8日为周末", "expected": "8", "attended": "9", "dues_collected": "1"}
    resp = page.post("/party-days", data=typed)
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "实到人数多于应到人数" in text
    form = text[text.index('id="party-day-form"'):]
    form = form[:form.index("</form>")]
    for value in ("2026-07-10", "学习新党章", "8日为周末", "8", "9"):
        assert f'value="{value}"' in form, value
    assert f'<option value="{branch}" selected>' in form and 'value="1" checked' in form
    assert 'name="action" value="update"' not in form  # still a new record
    # a correction refused the same way stays the correction, with what was typed
    saved = page.post("/party-days", data={**typed, "attended": "7"})
    assert saved.status_code == 302
    with session_scope(app.config["DATABASE_URL"]) as s:
        day_id = str(s.scalar(select(PartyDay.id).where(PartyDay.organisation_id == branch,
                                                        PartyDay.held_on == dt.date(2026, 7, 10))))
    resp = page.post("/party-days", data={**typed, "action": "update", "day_id": day_id, "topic": "重温入党誓词",
                                          "attended": "12", "attendees": "张三、李四"})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "实到人数多于应到人数" in text
    form = text[text.index('id="party-day-form"'):]
    form = form[:form.index("</form>")]
    assert f'name="day_id" value="{day_id}"' in form and 'value="重温入党誓词"' in form and 'value="12"' in form
    assert 'value="张三、李四"' in form


def test_demo_party_days_give_reasons_the_calendar_bears_out(app, demo):
    """`wuhao demo`'s party days held after the 8th say why: a weekend 8th names its weekday and the day it
    moved to; an 8th on a working day never claims to be a Sunday (every such month said 恰逢周日)."""
    from service import demo_district
    from service.models import User

    with session_scope(app.config["DATABASE_URL"]) as s:
        quwei = s.scalar(select(User).where(User.username == "quwei"))
        today = dt.date.today()
        demo_district.party_days(s, quwei, today.year - 1, today)  # twelve months and more: weekends among them
        moved = s.execute(select(PartyDay.held_on, PartyDay.reason).where(PartyDay.reason != "")).all()
    assert moved
    for held, reason in moved:
        eighth = held.replace(day=8)
        weekday = "一二三四五六日"[eighth.weekday()]
        if eighth.weekday() >= 5:
            assert reason == f"8日恰逢周{weekday}，顺延至{held.day}日" and held.weekday() == 0, (held, reason)
        else:
            assert "恰逢周" not in reason and held.day == 9, (held, reason)
