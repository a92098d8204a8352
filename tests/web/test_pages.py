"""The pages and their API twins without a browser: scores, grading, notices, admin, audit, login."""
from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from tests.conftest import QUICK_ON_SQLITE, bearer
from tests.samples import xlsx_bytes
from tests.web.conftest import BRANCH_A, BRANCH_B, login


def _csrf(client) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', client.get("/forms").get_data(as_text=True)).group(1)


def test_scores_page_grades_with_the_domain_rubric_and_keeps_findings(app, demo, db):
    from service.models import Assessment, AuditLog, Finding

    c = app.test_client()
    login(c, "gongwei", demo["password"])
    org = demo["orgs"][BRANCH_A]
    page = c.get(f"/scores?organisation_id={org}&year=2025").get_data(as_text=True)
    assert "机关（事业单位）领域标准" in page and "缺一次扣0.5分" in page
    token = _csrf(c)
    resp = c.post("/scores", data={"csrf_token": token, "organisation_id": org, "year": "2025", "mode": "dimensions",
                                   "score:leadership": "19", "score:members": "19", "score:mechanism": "18",
                                   "score:performance": "18", "score:reputation": "18", "satisfaction_rate": "85"})
    assert resp.status_code == 302
    shown = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert "总分 92" in shown
    with db() as s:
        a = s.execute(select(Assessment)).scalar_one()
        assert a.total == 92 and a.grade == "average"  # 好 by points, capped at 一般 by satisfaction < 90%
        rules = {f.rule for f in s.execute(select(Finding).where(Finding.assessment_id == a.id)).scalars()}
        assert "satisfaction_cap" in rules
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "score")) == 1
    # by sub-items: two absences from M1 (0.5 each) and a zeroing rule
    resp = c.post("/scores", data={"csrf_token": token, "organisation_id": org, "year": "2025", "mode": "items",
                                   "mark:M1:0": "2", "mark:L4:0": "1"})
    assert resp.status_code == 302
    with db() as s:
        last = s.execute(select(Assessment).order_by(Assessment.id.desc()).limit(1)).scalar_one()
        assert last.total == 100 - 1 - 4 and last.items["marks"] == {"M1": {"0": 2}, "L4": {"0": 1}}
    # out of range is refused with a message, nothing stored
    bad = c.post("/scores", data={"csrf_token": token, "organisation_id": org, "year": "2025", "mode": "dimensions",
                                  "score:leadership": "25", "score:members": "19", "score:mechanism": "18",
                                  "score:performance": "18", "score:reputation": "18"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "领导班子好应在 0 到 20 之间" in page
    # the message stands next to its field and every value typed stays
    assert re.search(r'name="score:leadership"[^>]*value="25"', page) and 'id="err-leadership"' in page
    assert re.search(r'name="score:members"[^>]*value="19"', page)
    with db() as s:
        assert s.scalar(select(func.count()).select_from(Assessment)) == 2


def test_grading_round_lists_laggards_per_domain_and_stores_assessments(app, demo, db):
    from service.models import Assessment, RectificationItem

    rows = [["支部名称", "领域", "总分", "领导班子好", "党员队伍好", "工作机制好", "工作业绩好", "群众反映好"],
            ["大邱庄村党支部", "农村", 91, 19, 18, 18, 18, 18],
            ["尧舜度假村党支部", "农村", 72, 15, 15, 14, 14, 14],
            ["区供水公司党支部", "国有企业", 88, 18, 18, 18, 17, 17],
            ["区公交集团党支部", "国有企业", 80, 16, 16, 16, 16, 16]]
    phantom = xlsx_bytes(rows + [["不存在的党支部", "社区", 60, 12, 12, 12, 12, 12]])
    sheet = xlsx_bytes(rows)
    c = app.test_client()
    h = bearer(demo["tokens"]["quwei"])

    def post(data, headers=h, **form):
        return c.post("/api/v1/grading-rounds", data={"file": (io.BytesIO(data), "评分表.xlsx"), "year": "2025", **form},
                      headers=headers, content_type="multipart/form-data")

    # a row naming no branch of the reviewer's subtree blocks the round, named by its row number
    blocked = post(phantom)
    assert blocked.status_code == 422
    err = blocked.get_json()["error"]
    assert err["code"] == "unmatched_rows" and "第6行“不存在的党支部”（不是您管辖范围内的党支部）" in err["message"]
    assert err["detail"]["rows"] == [{"row": 6, "branch_name": "不存在的党支部", "reason": "不是您管辖范围内的党支部"}]
    with db() as s:
        assert s.scalar(select(func.count()).select_from(Assessment)) == 0
    # 市直 reviewer cannot rank 静海's branches: every row is outside its subtree
    other = post(sheet, bearer(demo["tokens"]["gongwei"]))
    assert other.status_code == 422 and len(other.get_json()["error"]["detail"]["rows"]) == 4
    resp = post(sheet)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["domains"]["rural"]["laggards"] == ["尧舜度假村党支部"]
    assert body["domains"]["soe"]["laggards"] == ["区公交集团党支部"]
    assert body["stored"] == 4 and body["replaced"] == []
    with db() as s:
        backward = {a.organisation_id: a.id for a in s.execute(select(Assessment).where(Assessment.backward)).scalars()}
        ledger = {i.organisation_id for i in s.execute(select(RectificationItem)).scalars()}
    assert set(backward) == {demo["orgs"]["尧舜度假村党支部"], demo["orgs"]["区公交集团党支部"]} == ledger
    # a 限期整改通知书 for a laggard cites JH-3
    pdf = c.post("/api/v1/notices/preview", json={"record_id": backward[demo["orgs"]["尧舜度假村党支部"]]}, headers=h)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    # a second 2025 score is not silently added: refused, naming the branches, unless replace=true
    again = post(sheet)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "scores_exist" and "大邱庄村党支部" in again.get_json()["error"]["message"]
    # the page offers 替换 / 保留; 替换 overwrites the records in place (same ids, one per branch and year)
    login(c, "quwei", demo["password"])
    page = c.post("/grading", data={"csrf_token": _csrf(c), "year": "2025",
                                    "file": (io.BytesIO(sheet), "评分表.xlsx")}, content_type="multipart/form-data")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "替换原评分" in text and "保留原评分" in text
    hidden = re.search(r'name="file:kept" value="([^"]+)"', text).group(1)  # the sheet, kept for this session
    page = c.post("/grading", data={"csrf_token": _csrf(c), "year": "2025", "file:kept": hidden, "replace": "1"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "尧舜度假村党支部" in text and "倒数第1" in text and "已替换原评分" in text
    with db() as s:
        assert s.scalar(select(func.count()).select_from(Assessment)) == 4
        assert {a.organisation_id: a.id for a in s.execute(select(Assessment).where(Assessment.backward)).scalars()} \
            == backward
        assert s.scalar(select(func.count()).select_from(RectificationItem)) == 2
    # the page lists a blocking row with its number
    page = c.post("/grading", data={"csrf_token": _csrf(c), "year": "2025",
                                    "file": (io.BytesIO(phantom), "评分表.xlsx")}, content_type="multipart/form-data")
    assert "第6行" in page.get_data(as_text=True) and "不存在的党支部" in page.get_data(as_text=True)
    # dashboard: 相对后进 by committee
    dash = c.get("/api/v1/dashboard?year=2025", headers=h).get_json()
    assert dash["backward_by_committee"] == {"区国资委党委": 1, "大邱庄镇党委": 1}
    assert dash["grades_by_domain"]["rural"]["good"] == 1
    shown = c.get("/dashboard?year=2025").get_data(as_text=True)  # the page writes a total as people do: 77.8分
    backward_table = shown[shown.index("相对后进党支部（按领域）"):]
    assert re.search(r"<td>\d+(\.\d)?分</td>", backward_table) and "<th></th>" not in backward_table, backward_table[:800]
    bad = c.post("/api/v1/grading-rounds", data={"file": (io.BytesIO(b"x"), "a.txt")}, headers=h,
                 content_type="multipart/form-data")
    assert bad.status_code == 415


@QUICK_ON_SQLITE
def test_notice_preview_then_issue_numbers_it(app, demo, db):
    from service.models import AuditLog, Document

    c = app.test_client()
    h = bearer(demo["tokens"]["gongwei"])
    org = demo["orgs"][BRANCH_A]
    a = c.post("/api/v1/assessments", json={"organisation_id": org, "year": 2025, "scores": {
        "leadership": 15, "members": 18, "mechanism": 18, "performance": 17, "reputation": 17}}, headers=h).get_json()
    login(c, "gongwei", demo["password"])
    preview = c.get(f"/notices/new?kind=rectification-notice&record_id={a['id']}").get_data(as_text=True)
    assert "签发时编号" in preview and BRANCH_A in preview
    with db() as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 0  # a preview stores nothing
    pdf = c.post("/api/v1/notices/preview", json={"record_id": a["id"]}, headers=h)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "市直工委〔" in preview and "1号" in preview  # the number it will take
    unconfirmed = c.post("/notices", data={"csrf_token": _csrf(c), "kind": "rectification-notice",
                                           "record_id": a["id"]})
    assert unconfirmed.status_code == 302 and "/notices/new" in unconfirmed.headers["Location"]
    with db() as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 0  # no confirmation, no number
    resp = c.post("/notices", data={"csrf_token": _csrf(c), "kind": "rectification-notice", "record_id": a["id"],
                                    "confirm": "1"})
    assert resp.status_code == 302
    with db() as s:
        docs = list(s.execute(select(Document)).scalars())
        assert {d.format for d in docs} == {"pdf", "docx"} and len({d.number for d in docs}) == 1
        number = docs[0].number
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "document_issued")) == 2
    assert re.fullmatch(r"市直工委〔\d{4}〕1号", number), number
    second = c.post("/api/v1/notices", json={"record_id": a["id"]}, headers=h).get_json()["documents"][0]["number"]
    assert second.endswith("〔%s〕2号" % number[5:9])
    # an admin-configured prefix is used from then on; the organ's sequence for the year carries on
    with db() as s:
        from service.models import Organisation

        committee = s.execute(select(Organisation).where(Organisation.name == "市直机关工委")).scalar_one().id
    put = c.put("/api/v1/admin/numbering", json={"prefixes": {str(committee): "市直工组"}},
                headers=bearer(demo["tokens"]["admin"]))
    assert put.status_code == 200
    third = c.post("/api/v1/notices", json={"record_id": a["id"]}, headers=h).get_json()["documents"][0]["number"]
    assert third.startswith("市直工组〔") and third.endswith("〕3号")
    # the branch downloads it; another branch cannot
    doc_id = docs[0].id
    assert c.get(f"/api/v1/documents/{doc_id}.pdf", headers=bearer(demo["tokens"]["yusuan"])).status_code == 200
    assert c.get(f"/api/v1/documents/{doc_id}.pdf", headers=bearer(demo["tokens"]["guoku"])).status_code == 404



@QUICK_ON_SQLITE
def test_signing_twice_from_one_preview_takes_one_number(app, demo, db):
    """A double click on 签发, or the browser resending the form (back, reload), is the same signing:
    the preview's form carries a key of its own, and its retries answer with the first issue."""
    from service.models import Document

    c = app.test_client()
    h = bearer(demo["tokens"]["gongwei"])
    a = c.post("/api/v1/assessments", json={"organisation_id": demo["orgs"][BRANCH_A], "year": 2025, "scores": {
        "leadership": 15, "members": 18, "mechanism": 18, "performance": 17, "reputation": 17}}, headers=h).get_json()
    login(c, "gongwei", demo["password"])
    preview = c.get(f"/notices/new?kind=rectification-notice&record_id={a['id']}").get_data(as_text=True)
    key = re.search(r'name="issue_key" value="([^"]+)"', preview).group(1)
    form = {"csrf_token": _csrf(c), "kind": "rectification-notice", "record_id": a["id"], "confirm": "1",
            "issue_key": key}
    first, again = c.post("/notices", data=form), c.post("/notices", data=form)
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    with db() as s:
        assert len({d.number for d in s.execute(select(Document)).scalars()}) == 1
    # another preview is another signing: a second notice, on purpose, takes the next number
    key2 = re.search(r'name="issue_key" value="([^"]+)"', c.get(
        f"/notices/new?kind=rectification-notice&record_id={a['id']}").get_data(as_text=True)).group(1)
    assert key2 != key and c.post("/notices", data={**form, "issue_key": key2}).status_code == 302
    with db() as s:
        assert len({d.number for d in s.execute(select(Document)).scalars()}) == 2

@QUICK_ON_SQLITE
def test_menu_offers_the_areas_an_account_keeps_records_in(app, demo):
    """The district's record pages are in the menu of the 区委's and the street's accounts, not of the
    工委's (five empty pages there); 社区党建 only at, above or below a street; admin sees everything."""
    district = {"挂点包保", "督导检查", "主题党日", "书记项目", "书记培训"}

    def menu(username):
        c = app.test_client()
        login(c, username, demo["password"])
        nav = re.search(r'<nav id="mainnav".*?</nav>', c.get("/").get_data(as_text=True), re.S).group(0)
        return set(re.findall(r">([^<>]+)</a>", nav))

    gongwei, quwei, jiedao, yusuan, wangge, admin = map(menu, ("gongwei", "quwei", "jiedao", "yusuan", "wangge",
                                                               "admin"))
    assert not (district | {"社区党建"}) & gongwei and "工作队列" in gongwei
    assert district | {"社区党建"} <= quwei and district | {"社区党建"} <= jiedao and district | {"社区党建"} <= admin
    assert not {"主题党日", "社区党建"} & yusuan and {"整改台账", "两册一证"} <= yusuan
    assert "两册一证" in gongwei  # its 党员名册 fills from every batch of 党员证
    assert {"主题党日", "两册一证", "社区党建"} <= wangge
    # the pages stay reachable for whoever opens them by address
    c = app.test_client()
    login(c, "gongwei", demo["password"])
    assert c.get("/leaders").status_code == 200


@QUICK_ON_SQLITE
def test_forms_are_csrf_protected(app, demo):
    c = app.test_client()
    login(c, "gongwei", demo["password"])
    org = demo["orgs"][BRANCH_A]
    assert c.post("/scores", data={"organisation_id": org, "score:leadership": "1"}).status_code == 400
    assert c.post("/logout").status_code == 400
    assert c.post("/api/v1/assessments", json={"organisation_id": org}).status_code == 400  # session, no header
    ok = c.post("/api/v1/assessments", json={"organisation_id": org, "year": 2025, "scores": {
        "leadership": 19, "members": 19, "mechanism": 19, "performance": 19, "reputation": 19}},
        headers={"X-CSRF-Token": _csrf(c)})
    assert ok.status_code == 201


def test_admin_imports_organisations_from_xlsx_all_or_nothing(app, demo, db):
    from service.models import Organisation

    c = app.test_client()
    login(c, "admin", demo["password"])
    good = xlsx_bytes([["组织名称", "上级组织", "类型", "领域", "党员人数", "书记"],
                  ["西城街道党工委", "静海区委", "党工委", None, None, "李明"],
                  ["西城社区党支部", "西城街道党工委", "党支部", "社区", "15人", "王红"],
                  ["城关社区党支部", "静海镇党委", "党支部", "社区", 30, "胡静"]])
    resp = c.post("/admin/organisations", data={"csrf_token": _csrf(c), "file": (io.BytesIO(good), "orgs.xlsx")},
                  content_type="multipart/form-data")
    assert resp.status_code == 302
    with db() as s:
        branch = s.execute(select(Organisation).where(Organisation.name == "西城社区党支部")).scalar_one()
        assert branch.member_count == 15 and branch.domain == "community" and branch.kind == "branch"
        assert branch.parent.name == "西城街道党工委" and branch.parent.parent.name == "静海区委"
        assert s.execute(select(Organisation).where(Organisation.name == "城关社区党支部")).scalar_one().member_count == 30
        before = s.scalar(select(func.count()).select_from(Organisation))
    bad = xlsx_bytes([["组织名称", "上级组织", "类型", "党员人数"], ["新支部甲", "静海区委", "党支部", 3],
                 ["新支部乙", "没有这个党委", "党支部", 5], ["新支部丙", "静海区委", "小组", 5]])
    resp = c.post("/api/v1/organisations/import", data={"file": (io.BytesIO(bad), "orgs.xlsx")},
                  headers=bearer(demo["tokens"]["admin"]), content_type="multipart/form-data")
    assert resp.status_code == 422
    problems = resp.get_json()["error"]["detail"]["problems"]
    assert any("没有这个党委" in p for p in problems) and any("小组" in p for p in problems)
    with db() as s:
        assert s.scalar(select(func.count()).select_from(Organisation)) == before
    # the new branch is in quwei's subtree at once
    orgs = c.get("/api/v1/organisations", headers=bearer(demo["tokens"]["quwei"])).get_json()["items"]
    assert "西城社区党支部" in {o["name"] for o in orgs}


def test_audit_export_is_csv_for_the_subtree(app, demo):
    c = app.test_client()
    for user in ("yusuan", "chengguan", "gongwei"):
        login(app.test_client(), user, demo["password"])
    resp = c.get("/api/v1/audit.csv?action=login", headers=bearer(demo["tokens"]["gongwei"]))
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:5] == ["编号", "时间", "用户", "组织", "操作"]
    users = {r[2] for r in rows[1:]}
    assert {"yusuan", "gongwei"} <= users and "chengguan" not in users


def test_admin_user_page_creates_and_edits_users(app, demo, db):
    from service.models import User

    c = app.test_client()
    login(c, "admin", demo["password"])
    resp = c.post("/admin/users", data={"csrf_token": _csrf(c), "action": "create", "username": "clerk2",
                                        "password": "clerkpass1", "role": "branch",
                                        "organisation_id": demo["orgs"][BRANCH_B]})
    assert resp.status_code == 302
    with db() as s:
        u = s.execute(select(User).where(User.username == "clerk2")).scalar_one()
        assert u.password_hash != "clerkpass1" and u.organisation_id == demo["orgs"][BRANCH_B]
    login(app.test_client(), "clerk2", "clerkpass1")
    page = c.post("/admin/users", data={"csrf_token": _csrf(c), "action": "token", "user_id": u.id})
    assert page.status_code == 200
    token = re.search(r'id="new-token">([^<]+)<', page.get_data(as_text=True)).group(1)
    assert c.get("/api/v1/me", headers=bearer(token)).get_json()["user"]["username"] == "clerk2"


@QUICK_ON_SQLITE
def test_admin_puts_a_rubric_in_force(app, demo):
    from service.checks.rubric import RUBRIC_DIR, load_rubric

    c = app.test_client()
    h = bearer(demo["tokens"]["admin"])
    text = (RUBRIC_DIR / "2025.yaml").read_text(encoding="utf-8").replace("year: 2025", "year: 2026", 1)
    admin_dir = app.config["WUHAO_DATA_DIR"] / "rubrics"
    assert load_rubric(2026, admin_dir).year == 2025  # before the upload the 2025 rubric stays in force
    assert c.put("/api/v1/rubrics/2026", data=text.encode(), headers=bearer(demo["tokens"]["gongwei"])).status_code == 403
    broken = text.replace("max: 20}", "max: 25}", 1)
    bad = c.put("/api/v1/rubrics/2026", data=broken.encode(), headers=h)
    assert bad.status_code == 422 and any("第" in p for p in bad.get_json()["error"]["detail"]["problems"])
    for junk in (b"\xff\xfe", b"[1, 2", b"- a\n- b\n", b"year: 2026\n"):
        assert c.put("/api/v1/rubrics/2026", data=junk, headers=h).status_code == 422, junk
    assert load_rubric(2026, admin_dir).year == 2025  # nothing invalid was put in force
    ok = c.put("/api/v1/rubrics/2026", data=text.encode(), headers=h)
    assert ok.status_code == 200, ok.get_json()
    assert load_rubric(2026, admin_dir).year == 2026 and (admin_dir / "2026.yaml").exists()
    assert load_rubric(2026).year == 2025  # the app's rubric directory is its own, not the process's
    assert load_rubric(2025, admin_dir).year == 2025  # the built-in years stay available beside it
    assert c.get("/api/v1/rubrics", headers=h).get_json()["years"] == [2025, 2026]


def test_lifecycle_page_moves_the_cycle_with_facts_from_the_records(app, demo, db):
    from service.models import AuditLog, CreationCycle
    from tests.samples import declaration_docx
    from tests.web.conftest import upload

    c = app.test_client()
    org = demo["orgs"][BRANCH_A]
    assert upload(c, demo["tokens"]["yusuan"], declaration_docx(), "申报表.docx").status_code == 201
    login(c, "gongwei", demo["password"])
    page = c.get(f"/organisations/{org}").get_data(as_text=True)
    assert "预报申报" in page and "已获荣誉：本机关党委/总支“五好党支部”" in page and "prior_honor" not in page
    resp = c.post(f"/organisations/{org}", data={"csrf_token": _csrf(c), "event": "declare", "as_of": "2026-03-16"})
    assert resp.status_code == 302
    with db() as s:
        cycle = s.execute(select(CreationCycle).where(CreationCycle.organisation_id == org)).scalar_one()
        assert cycle.state == "forecast" and cycle.declared_on.isoformat() == "2026-03-15"  # the form's date
    # without a declaration form the guards lack their facts: refused, the reason shown and audited
    other = demo["orgs"]["市财政局国库科党支部"]
    refused = c.post(f"/organisations/{other}", data={"csrf_token": _csrf(c), "event": "declare",
                                                      "as_of": "2025-05-01", "reason": "材料不全"})
    text = refused.get_data(as_text=True)  # the page again, the event, date and reason as typed
    assert refused.status_code == 200 and "无法执行" in text
    assert 'name="as_of" value="2025-05-01"' in text and 'value="材料不全"' in text
    assert '<option value="declare" selected>' in text
    with db() as s:
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "transition_refused")) == 1
    # a branch sees its lifecycle and deadlines but cannot move it
    b = app.test_client()
    login(b, "yusuan", demo["password"])
    mine = b.get(f"/organisations/{org}").get_data(as_text=True)
    assert "预报" in mine and "创建期满" in mine and "run-event" not in mine
    assert b.post(f"/organisations/{org}", data={"csrf_token": _csrf(b), "event": "start_creation"}).status_code == 403


@QUICK_ON_SQLITE
def test_upload_without_javascript_and_supplement_notice_from_findings(app, demo, db):
    from service.demo_forms import report_docx
    from service.models import Submission
    from tests.samples import declaration_docx

    c = app.test_client()
    login(c, "yusuan", demo["password"])
    resp = c.post("/upload", data={"csrf_token": _csrf(c), "file": [
        (io.BytesIO(declaration_docx(members=5)), "申报表.docx"), (io.BytesIO(report_docx()), "汇报材料.docx")]},
        content_type="multipart/form-data")
    assert resp.status_code == 302 and "/submissions/" in resp.headers["Location"]
    with db() as s:
        subs = {x.form: x for x in s.execute(select(Submission)).scalars()}
        assert subs["report"].attached_to_id == subs["declaration"].id
        form_id = subs["declaration"].id
    page = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已上传 2 个文件" in page and "党员人数" in page
    assert c.post(f"/submissions/{form_id}/check", data={"csrf_token": _csrf(c)}).status_code == 302
    checked = c.get(f"/submissions/{form_id}").get_data(as_text=True)
    assert "关于自然摘牌的规定" in checked and "SZ-3.3" not in checked and "发补正通知" not in checked  # a branch does not issue notices
    r = app.test_client()
    login(r, "gongwei", demo["password"])
    assert "发补正通知" in r.get(f"/submissions/{form_id}").get_data(as_text=True)
    preview = r.get(f"/notices/new?kind=supplement-notice&record_id={form_id}").get_data(as_text=True)
    assert "补正" in preview and "签发时编号" in preview
    # a branch cannot correct fields or open the reviewer pages
    assert c.post(f"/submissions/{form_id}/correct", data={"csrf_token": _csrf(c), "field": "member_count",
                                                           "value": "9"}).status_code == 403
    assert c.get(f"/notices/new?kind=supplement-notice&record_id={form_id}").status_code == 403
    # a reviewer's correction through the page keeps the old value
    done = r.post(f"/submissions/{form_id}/correct", data={"csrf_token": _csrf(r), "field": "member_count",
                                                           "value": "9人"}, follow_redirects=True)
    assert "原值：5" in done.get_data(as_text=True)
    wrong = r.post(f"/submissions/{form_id}/correct", data={"csrf_token": _csrf(r), "field": "declared_on",
                                                            "value": "去年"}, follow_redirects=True)
    assert "2026-03-31" in wrong.get_data(as_text=True) or "日期" in wrong.get_data(as_text=True)


@QUICK_ON_SQLITE
def test_scores_are_corrected_by_their_chinese_names(app, demo, db):
    """五个好自评得分 are typed as a clerk writes them (领导班子好 20), one score keeps the other four;
    a wrong entry is explained by the dimensions' names, never by their keys (leadership)."""
    from service.demo_forms import demo_files
    from service.models import Submission

    data = next(b for org, name, b in demo_files() if name.endswith("验收申请表.docx"))
    up = app.test_client().post("/api/v1/submissions", headers=bearer(demo["tokens"]["admin"]),
                                data={"file": (io.BytesIO(data), "验收申请表.docx"),
                                      "organisation_id": str(demo["orgs"]["市人民医院内科党支部"])},
                                content_type="multipart/form-data")
    assert up.status_code == 201, up.get_json()
    sub_id = up.get_json()["id"]
    r = app.test_client()
    login(r, "gongwei", demo["password"])
    page = r.get(f"/submissions/{sub_id}").get_data(as_text=True)
    assert "如 领导班子好 19" in page
    done = r.post(f"/submissions/{sub_id}/correct", data={"csrf_token": _csrf(r), "field": "self_scores",
                                                           "value": "工作业绩 20分"}, follow_redirects=True)
    assert "已更正“五个好自评得分”" in done.get_data(as_text=True)
    with db() as s:
        correction = s.get(Submission, sub_id).extractions[-1].corrections[-1]
        assert correction.new_value == {**correction.old_value, "performance": 20}
        assert correction.old_value["leadership"] == 19.5
    for typed in ("leadership: 20", "组织建设 18", "{not json"):
        wrong = r.post(f"/submissions/{sub_id}/correct", data={"csrf_token": _csrf(r), "field": "self_scores",
                                                                "value": typed}, follow_redirects=True)
        text = wrong.get_data(as_text=True)
        assert "领导班子好 19，党员队伍好 18" in text and "leadership\"" not in text


@QUICK_ON_SQLITE
def test_hostile_input_is_refused_cleanly(app, demo):
    c = app.test_client()
    h = bearer(demo["tokens"]["admin"])
    assert c.get("/api/v1/submissions/99999999999999999999", headers=h).status_code == 404
    assert c.get("/api/v1/organisations/2147483648/cycle", headers=h).status_code == 404
    bad = c.patch(f"/api/v1/organisations/{demo['orgs'][BRANCH_A]}", json={"secretary": "李\x00秀英"}, headers=h)
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "invalid_characters"
    assert c.get("/api/v1/audit?action=a%00b", headers=h).status_code == 422
    assert c.get("/api/v1/submissions?limit=abc", headers=h).status_code == 422
    # names are escaped everywhere they are shown (pages and SVG charts)
    evil = "<script>alert(1)</script>支部"
    assert c.patch(f"/api/v1/organisations/{demo['orgs'][BRANCH_A]}", json={"name": evil}, headers=h).status_code == 200
    login(c, "admin", demo["password"])
    for path in ("/admin/organisations", f"/organisations/{demo['orgs'][BRANCH_A]}", "/scores"):
        page = c.get(path)
        text = page.get_data(as_text=True)
        assert evil not in text and "&lt;script&gt;alert(1)&lt;/script&gt;支部" in text, path
        assert page.headers["X-Frame-Options"] == "DENY"


def test_an_upload_names_the_file_not_recognised_as_a_programme_form(app, demo, db):
    """A document that is no 申报表/验收申请表/登记表 said only “已上传 2 个文件并完成识别”."""
    import docx

    from tests.samples import declaration_docx

    doc = docx.Document()
    doc.add_paragraph("关于开展民主评议党员工作的情况总结")
    doc.add_paragraph("本支部按照上级要求，组织全体党员开展民主评议。")
    other = io.BytesIO()
    doc.save(other)
    c = app.test_client()
    login(c, "yusuan", demo["password"])
    resp = c.post("/upload", data={"csrf_token": _csrf(c), "file": [
        (io.BytesIO(declaration_docx(members=5)), "申报表.docx"), (io.BytesIO(other.getvalue()), "民主评议总结.docx")]},
        content_type="multipart/form-data")
    assert resp.status_code == 302 and "unrecognised=" in resp.headers["Location"]
    page = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已上传 2 个文件。" in page and "并完成识别" not in page
    assert "“民主评议总结.docx”未识别为创建申报表、验收申请表或党建品牌创建申报登记表，请检查是否上传了正确的表格。" in page
    # the API's answer is as it was: each file with its form, the unrecognised one 'unknown'
    h = bearer(demo["tokens"]["yusuan"])
    r = c.post("/api/v1/submissions", headers=h, data={"file": (io.BytesIO(other.getvalue()), "再传一次.docx")},
               content_type="multipart/form-data")
    assert r.status_code == 201 and r.get_json()["form"] == "unknown"
    # someone else's submission is not named by putting its id in the address
    theirs = r.get_json()["id"]
    b = app.test_client()
    login(b, "chengguan", demo["password"])
    mine = b.post("/upload", data={"csrf_token": _csrf(b), "file": [(io.BytesIO(declaration_docx(members=6)), "表.docx")]},
                  content_type="multipart/form-data").headers["Location"]
    assert b.get(f"{mine}&unrecognised={theirs}").status_code == 404
