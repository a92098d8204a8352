"""Web parity with confirmation (issue 11): every numbered 公文 kind and every lifecycle event (无条件摘牌
with its ground, dissolution, reorganisation) from the pages; a preview shows the number it will take,
and nothing numbered or irreversible happens without a confirmation step."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from service.db import session_scope
from service.models import Certificate, CreationCycle, Document
from tests.conftest import QUICK_ON_SQLITE, bearer
from tests.web.conftest import csrf_of, login

pytestmark = QUICK_ON_SQLITE  # the database is not this module's subject: PostgreSQL in the slow tier


def _titled(app, org_id: int, number: str | None = None) -> int:
    with session_scope(app.config["DATABASE_URL"]) as s:
        c = CreationCycle(organisation_id=org_id, state="in_term", declared_on=dt.date(2024, 3, 12),
                          commended_on=dt.date(2025, 6, 28), term_starts_on=dt.date(2025, 6, 28),
                          term_ends_on=dt.date(2029, 6, 30), facts={})
        s.add(c)
        if number:
            s.add(Certificate(kind="honor-certificate", number=number, holder_name="x", organisation_id=org_id,
                              status="valid", issued_on=dt.date(2025, 7, 1)))
        s.flush()
        return c.id


def _preview_and_sign(page, kind: str, record_id: int, **choices) -> str:
    """Open the preview, check it names the number it will take, refuse without the tick, sign with it."""
    html = page.get("/notices/new", query_string={"kind": kind, "record_id": record_id, **choices}).get_data(as_text=True)
    expected = re.search(r'id="expected-number">([^<]+)<', html).group(1)
    assert "〔" in expected and 'id="confirm-issue"' in html, html[:500]
    form = {"csrf_token": csrf_of(page), "kind": kind, "record_id": record_id, **choices}
    unticked = page.post("/notices", data=form)
    assert unticked.status_code == 302 and "/notices/new" in unticked.headers["Location"]  # nothing signed
    signed = page.post("/notices", data={**form, "confirm": "1"}, follow_redirects=True).get_data(as_text=True)
    assert expected in signed, signed[:800]
    return expected


def test_every_numbered_kind_from_the_pages(app, demo):
    orgs = demo["orgs"]
    committee = orgs["市直机关工委"]
    _titled(app, orgs["市财政局预算科党支部"])
    page = app.test_client()
    login(page, "gongwei", demo["password"])
    html = page.get(f"/organisations/{committee}").get_data(as_text=True)
    assert 'id="document-offers"' in html and "发表彰决定" in html and "发季度通报" in html
    first = _preview_and_sign(page, "commendation-decision", committee, year="2025")
    second = _preview_and_sign(page, "quarterly-report", committee, year="2025", quarter="4")
    year = dt.date.today().year
    # one register per organ and year of the issue date (the 表彰决定 is dated on the commendation)
    assert (first, second) == ("市直工委〔2025〕1号", f"市直工委〔{year}〕1号")
    # a 整改任务书 from a branch's ledger rows, with the reviewer's deadline (not the issue date)
    h = bearer(demo["tokens"]["gongwei"])
    branch = orgs["市财政局国库科党支部"]
    a = app.test_client().post("/api/v1/assessments", headers=h, json={
        "organisation_id": branch, "year": 2025, "scores": {"leadership": 19, "members": 18, "mechanism": 18, "performance": 18,
                                 "reputation": 9}, "satisfaction_rate": 82}).get_json()
    aid = a.get("id") or a["assessment"]["id"]
    row = app.test_client().post("/api/v1/ledger", headers=h, json={
        "organisation_id": branch, "assessment_id": aid, "category": "群众反映", "problem": "群众满意率82%"})
    assert row.status_code == 201, row.get_json()
    html = page.get(f"/organisations/{branch}").get_data(as_text=True)
    assert "发整改任务书" in html
    _preview_and_sign(page, "rectification-notice", aid, days="60")
    deadline = (dt.date.today() + dt.timedelta(days=90)).isoformat()  # after the issue date, whenever this runs
    _preview_and_sign(page, "rectification-taskbook", aid, deadline=deadline)
    with session_scope(app.config["DATABASE_URL"]) as s:
        book = s.execute(select(Document).where(Document.kind == "rectification-taskbook")).scalars().first()
        assert book.context["deadline"] == deadline and book.number


def test_delisting_with_its_ground_is_confirmed_first(app, demo):
    orgs = demo["orgs"]
    branch = orgs["市财政局预算科党支部"]
    cycle = _titled(app, branch, number="WH20259001")
    page = app.test_client()
    login(page, "gongwei", demo["password"])
    html = page.get(f"/organisations/{branch}").get_data(as_text=True)
    for ground in ("集体因工作需要解散、解组", "因机构设置、部门（科室）调整而人员变动较大",
                   "有群众投诉，并经查实造成不良影响"):
        assert ground in html  # dissolution, reorganisation, and 无条件摘牌's grounds
    form = {"csrf_token": csrf_of(page), "event": "delist", "as_of": "2026-05-01", "ground": "verified_complaint",
            "ground_detail": "群众投诉违规收费，经查属实"}
    ask = page.post(f"/organisations/{branch}", data=form)
    body = ask.get_data(as_text=True)
    assert ask.status_code == 200 and 'id="transition-confirm"' in body and "不可撤销" in body
    assert "无条件摘牌：有群众投诉，并经查实造成不良影响" in body and "WH20259001" in body
    with session_scope(app.config["DATABASE_URL"]) as s:
        assert s.get(CreationCycle, cycle).state == "in_term"  # nothing done yet
    done = page.post(f"/organisations/{branch}", data={**form, "confirm": "1"}, follow_redirects=True)
    assert "状态已更新" in done.get_data(as_text=True)
    with session_scope(app.config["DATABASE_URL"]) as s:
        c = s.get(CreationCycle, cycle)
        assert c.state == "delisted" and "查实" in (c.end_reason or "")
        assert s.execute(select(Certificate.status).where(Certificate.number == "WH20259001")).scalar_one() == "revoked"
    html = page.get(f"/organisations/{branch}").get_data(as_text=True)
    assert "发摘牌通知" in html
    _preview_and_sign(page, "delisting-notice", cycle)
    with session_scope(app.config["DATABASE_URL"]) as s:
        doc = s.execute(select(Document).where(Document.kind == "delisting-notice")).scalars().first()
        assert doc.context["delisting_kind"] == "unconditional", doc.context
