"""The 整改工作台账 to 销号 (issue 11): a 区委 rural branch from 相对后进 through a 限期整改通知书, a 整改任务书,
ledger updates, 销号 and a 季度通报 that counts the closure — all through the HTTP API; the 撤销 guard."""
from __future__ import annotations

import datetime as dt
import io

import pdfplumber
from docx import Document as Docx

from service.documents.contexts import last_ended_quarter
from tests.conftest import bearer

RURAL = ("大邱庄村党支部", "尧舜度假村党支部")


def _text(client, h, doc: dict) -> str:
    data = client.get(doc["url"], headers=h).data
    if doc["format"] == "docx":
        d = Docx(io.BytesIO(data))
        cells = [c.text for t in d.tables for r in t.rows for c in r.cells]
        return "\n".join([p.text for p in d.paragraphs] + cells)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(p.extract_text() or "" for p in pdf.pages)


def _grade(client, h) -> dict:
    csv = ("支部名称,领域,班子,队伍,机制,业绩,反映,总分\n"
           "大邱庄村党支部,农村,19,19,19,19,19,95\n"
           "尧舜度假村党支部,农村,12,15,14,14,15,70\n").encode("utf-8")
    r = client.post("/api/v1/grading-rounds", headers=h, content_type="multipart/form-data",
                    data={"file": (io.BytesIO(csv), "定级.csv"), "year": "2026"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_rural_branch_from_backward_to_closure_and_quarterly_report(app, client, demo):
    h = bearer(demo["tokens"]["quwei"])
    org = demo["orgs"]["尧舜度假村党支部"]
    _grade(client, h)
    found = client.get(f"/api/v1/assessments?organisation_id={org}", headers=h).get_json()["items"]
    backward = [a for a in found if a["backward"]]
    assert backward, found
    assessment = backward[0]["id"]
    notice = client.post("/api/v1/notices", headers=h, json={"kind": "rectification-notice", "record_id": assessment})
    assert notice.status_code == 201, notice.get_json()

    rows = client.get(f"/api/v1/ledger?organisation_id={org}", headers=h).get_json()["items"]
    assert len(rows) == 1 and rows[0]["status"] == "open"
    row = rows[0]["id"]
    # the ledger was transcribed from the paper one opened in July; the reviewer plans the row
    plan = {"category": "带头人队伍", "problem": "村党支部书记履职不力，组织生活不规范", "opened_on": "2026-07-06",
            "measure": "调整充实支部班子，每月8日固定主题党日", "target": "组织生活规范开展", "leader": "吴刚",
            "owner": "孙丽", "due_on": "2026-09-30"}
    r = client.patch(f"/api/v1/ledger/{row}", headers=h, json=plan)
    assert r.status_code == 200, r.get_json()
    assert {k: r.get_json()[k] for k in plan} == plan

    deadline = dt.date.today() + dt.timedelta(days=60)
    tb = client.post("/api/v1/taskbooks", headers=h, json={"assessment_id": assessment, "deadline": deadline.isoformat()})
    assert tb.status_code == 201, tb.get_json()
    docs = tb.get_json()["documents"]
    # its 发文字号 comes from the 发文 register (the review engineer's part)
    text = _text(client, h, next(d for d in docs if d["format"] == "docx"))
    assert f"{deadline.year}年{deadline.month}月{deadline.day}日前完成" in text
    assert "调整充实支部班子" in text and "孙丽" in text

    # progress with an evidence file, then 销号 by the reviewer
    note = client.post(f"/api/v1/ledger/{row}/notes", headers=h, content_type="multipart/form-data",
                       data={"body": "已调整班子，7、8、9月主题党日均按时开展", "written_on": "2026-09-12",
                             "file": (io.BytesIO(b"%PDF-1.4 minutes"), "会议记录.pdf")})
    assert note.status_code == 201, note.get_json()
    ev = client.get(note.get_json()["evidence_url"], headers=h)
    assert ev.status_code == 200 and ev.data == b"%PDF-1.4 minutes"
    early = client.post(f"/api/v1/ledger/{row}/close", headers=h, json={"closed_on": "2026-07-01"})
    assert early.status_code == 422 and early.get_json()["error"]["code"] == "invalid"
    branch = bearer(demo["tokens"]["chengguan"])
    assert client.post(f"/api/v1/ledger/{row}/close", headers=branch, json={}).status_code == 403
    closed = client.post(f"/api/v1/ledger/{row}/close", headers=h, json={"closed_on": "2026-09-25"})
    assert closed.status_code == 200, closed.get_json()
    assert closed.get_json()["status_name"] == "已销号" and closed.get_json()["closed_on"] == "2026-09-25"
    assert client.patch(f"/api/v1/ledger/{row}", headers=h, json={"measure": "x"}).status_code == 409

    # the 季度通报 of the 3rd quarter counts it; a quarter that has not ended is refused
    district = demo["orgs"]["静海区委"]
    q = client.post("/api/v1/documents", headers=h, json={"kind": "quarterly-report", "record_id": district,
                                                          "formats": ["docx"],
                                                          "options": {"year": 2026, "quarter": 3}})
    assert q.status_code == 201, q.get_json()
    text = _text(client, h, q.get_json()["documents"][0])
    assert "已销号1项" in text and "本季度新增整改任务1项，销号1项" in text
    # the quarter after the last ended one (on a quarter's last day that is the next quarter, not today's)
    ended_year, ended = last_ended_quarter(dt.date.today())
    nxt_year, nxt = (ended_year, ended + 1) if ended < 4 else (ended_year + 1, 1)
    refused = client.post("/api/v1/documents", headers=h, json={
        "kind": "quarterly-report", "record_id": district, "options": {"year": nxt_year, "quarter": nxt}})
    assert refused.status_code == 422 and "尚未结束" in refused.get_json()["error"]["message"]
    # nor by dating the report ahead (the loophole: as_of past the quarter's end)
    ahead = client.post("/api/v1/documents", headers=h, json={
        "kind": "quarterly-report", "record_id": district,
        "options": {"year": nxt_year, "quarter": nxt, "as_of": "2099-12-31"}})
    assert ahead.status_code == 422 and "只能通报已经结束的季度" in ahead.get_json()["error"]["message"]


def test_overdue_rows_show_to_the_branch_and_the_reviewer(app, client, demo):
    h = bearer(demo["tokens"]["quwei"])
    org = demo["orgs"]["城关社区党支部"]
    made = client.post("/api/v1/ledger", headers=h, json={
        "organisation_id": org, "category": "标准化建设", "problem": "活动阵地不规范", "opened_on": "2026-01-05",
        "due_on": "2026-03-31"})
    assert made.status_code == 201 and made.get_json()["overdue"] is True
    for who in ("quwei", "chengguan"):
        hh = bearer(demo["tokens"][who])
        overdue = client.get("/api/v1/ledger?status=overdue", headers=hh).get_json()["items"]
        assert [r["id"] for r in overdue] == [made.get_json()["id"]], who
    # the branch plans its own row but cannot move the deadline
    hb = bearer(demo["tokens"]["chengguan"])
    row = made.get_json()["id"]
    assert client.patch(f"/api/v1/ledger/{row}", headers=hb, json={"measure": "重新布置党员活动室"}).status_code == 200
    r = client.patch(f"/api/v1/ledger/{row}", headers=hb, json={"due_on": "2027-01-01"})
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "field_not_editable"
    assert client.post(f"/api/v1/ledger/{row}/close", headers=h, json={}).status_code == 409  # no progress yet


def test_revoke_before_the_deadline_needs_a_reason_that_the_notice_states(app, client, demo):
    h = bearer(demo["tokens"]["gongwei"])
    org = demo["orgs"]["市财政局预算科党支部"]
    path = f"/api/v1/organisations/{org}/cycle/transitions"
    for event, as_of, facts in (("declare", "2026-03-10", {"member_count": 12, "prior_honor": "unit_five_good",
                                                          "has_office": True, "has_equipment": True,
                                                          "has_activity_room": True}),):
        assert client.post(path, headers=h, json={"event": event, "as_of": as_of, "facts": facts}).status_code == 200
    from service.db import session_scope
    from service.models import CreationCycle

    # a titled branch in its term (the steps before are the titles engineer's scenario), commended last year:
    # a fixed term (2025 to 2029) had run out by July 2029, and the 限期整改 below was refused as 届满
    today = dt.date.today()
    with session_scope(app.config["DATABASE_URL"]) as s:
        c = s.query(CreationCycle).filter_by(organisation_id=org).one()
        c.state, c.commended_on = "in_term", dt.date(today.year - 1, 6, 28)
        c.term_starts_on, c.term_ends_on = dt.date(today.year - 1, 6, 28), dt.date(today.year + 3, 6, 27)
    deadline = today + dt.timedelta(days=30)
    r = client.post(path, headers=h, json={"event": "order_rectification", "as_of": today.isoformat(),
                                           "facts": {"reason": "群众反映主题党日流于形式",
                                                     "rectify_deadline": deadline.isoformat()}})
    assert r.status_code == 200, r.get_json()
    client.post("/api/v1/ledger", headers=h, json={"organisation_id": org, "category": "组织生活",
                                                   "problem": "主题党日流于形式", "due_on": deadline.isoformat()})
    refused = client.post(path, headers=h, json={"event": "revoke", "as_of": today.isoformat(),
                                                 "facts": {"reason": "整改不到位"}})
    assert refused.status_code == 409 and "尚未届满" in refused.get_json()["error"]["message"]
    ok = client.post(path, headers=h, json={"event": "revoke", "as_of": today.isoformat(),
                                            "facts": {"reason": "整改不到位", "early_reason": "经查实存在严重违纪问题"}})
    assert ok.status_code == 200, ok.get_json()
    cycle = client.get(f"/api/v1/organisations/{org}/cycle", headers=h).get_json()
    assert "经查实存在严重违纪问题" in cycle["end_reason"]


def test_a_refused_form_on_a_ledger_row_keeps_what_was_typed(app, client, demo):
    """A progress report dated after today, or a 销号 before any progress, was refused after a redirect that
    emptied what the clerk had written: the row's page now draws the form again with it."""
    import re

    from tests.conftest import DEMO_PASSWORD
    from tests.web.conftest import login

    h = bearer(demo["tokens"]["quwei"])
    row = client.post("/api/v1/ledger", headers=h, json={
        "organisation_id": demo["orgs"]["城关社区党支部"], "category": "标准化建设", "problem": "活动阵地不规范",
        "opened_on": "2026-01-05", "due_on": "2026-03-31"}).get_json()["id"]
    page = app.test_client()
    login(page, "quwei", DEMO_PASSWORD)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get(f"/ledger/{row}").get_data(as_text=True)).group(1)
    note = page.post(f"/ledger/{row}", data={"csrf_token": token, "action": "note", "written_on": "2099-01-05",
                                             "body": "已重新布置党员活动室，制度上墙"})
    text = note.get_data(as_text=True)
    assert note.status_code == 200 and "进展日期不能晚于今天" in text
    assert ">已重新布置党员活动室，制度上墙</textarea>" in text and 'value="2099-01-05"' in text
    close = page.post(f"/ledger/{row}", data={"csrf_token": token, "action": "close", "closed_on": "2026-03-01",
                                              "note": "经复查已整改到位"})
    text = close.get_data(as_text=True)
    assert close.status_code == 200 and "还没有报送整改进展" in text
    assert 'value="经复查已整改到位"' in text and 'value="2026-03-01"' in text
    update = page.post(f"/ledger/{row}", data={"csrf_token": token, "action": "update", "measure": "重新布置",
                                               "due_on": "2099-13-01"})
    text = update.get_data(as_text=True)
    assert update.status_code == 200 and 'value="重新布置"' in text, text[-600:]


def test_the_ledger_page_signs_a_taskbook_only_with_its_confirmation(app, client, demo):
    """签发整改任务书 on the ledger page takes a 文号 for good: like every numbered 公文 from the pages it is signed
    only with a ticked confirmation; without it nothing is numbered and the page says what is missing."""
    import re

    from sqlalchemy import func, select

    from service.db import session_scope
    from service.models import Document
    from tests.conftest import DEMO_PASSWORD
    from tests.web.conftest import login

    h = bearer(demo["tokens"]["quwei"])
    org = demo["orgs"]["尧舜度假村党支部"]
    _grade(client, h)
    assessment = next(a for a in client.get(f"/api/v1/assessments?organisation_id={org}", headers=h)
                      .get_json()["items"] if a["backward"])["id"]
    page = app.test_client()
    login(page, "quwei", DEMO_PASSWORD)
    html = page.get(f"/ledger?organisation_id={org}").get_data(as_text=True)
    assert 'id="confirm-taskbook"' in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    form = {"csrf_token": token, "action": "taskbook", "organisation_id": str(org), "assessment_id": str(assessment)}

    def numbered() -> int:
        with session_scope(app.config["DATABASE_URL"]) as s:
            return s.scalar(select(func.count()).select_from(Document).where(Document.kind == "rectification-taskbook"))

    refused = page.post("/ledger", data=form, follow_redirects=True).get_data(as_text=True)
    assert "请勾选“确认签发”" in refused and numbered() == 0
    signed = page.post("/ledger", data={**form, "confirm": "1"}, follow_redirects=True).get_data(as_text=True)
    assert "已签发整改任务书" in signed and numbered() == 2  # its PDF and its DOCX, one 文号
