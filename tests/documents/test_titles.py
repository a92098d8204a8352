"""Titles govern certificates (issue 11): a 荣誉证书 only for a branch in 表彰/届期内; 撤销, 摘牌 and 届满
mark its certificates at once; past the term's end it reads 已失效 on read; /verify shows holder,
issuer, validity period and status, with a search box. Runs on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service.db import session_scope
from service.documents.compose import ContextError
from service.documents.issue import issue
from service.models import AuditLog, Certificate, CreationCycle
from service.storage import store_for
from tests.conftest import bearer

from .helpers import verify_path


def _issue_honour(app, cycle_id):
    with app.app_context(), session_scope(app.config["DATABASE_URL"]) as s:
        return issue(s, "honor-certificate", cycle_id, formats=("docx",),
                     store=store_for(app.config["WUHAO_DATA_DIR"]))[0].number


def test_no_certificate_for_a_delisted_branch(app, scenario):
    with app.app_context(), session_scope(app.config["DATABASE_URL"]) as s:
        with pytest.raises(ContextError, match="不能颁发荣誉证书"):
            issue(s, "honor-certificate", scenario["delisted_cycle"], formats=("docx",),
                  store=store_for(app.config["WUHAO_DATA_DIR"]))
        assert s.execute(select(Certificate).where(Certificate.organisation_id ==
                                                   scenario["orgs"]["市财政局综合党支部"])).scalars().all()[0].number \
            == "WH20230007"  # nothing new was numbered


def test_delisting_revokes_the_certificate_at_once_and_verify_says_so(app, client, demo, scenario):
    # the titled branch commended in the last round before today, so that its certificate is 有效 today: the
    # scenario's 2025 round ends on 2029-06-30, after which /verify answers 已失效 (and '有效' was only its 有效期)
    today = dt.date.today()
    year = today.year if today.year % 2 else today.year - 1
    if dt.date(year, 6, 28) >= today:
        year -= 2
    with session_scope(app.config["DATABASE_URL"]) as s:
        c = s.get(CreationCycle, scenario["titled_cycle"])
        c.commended_on, c.term_starts_on, c.term_ends_on = (dt.date(year, 6, 28), dt.date(year, 7, 1),
                                                            dt.date(year + 4, 6, 30))
    number = _issue_honour(app, scenario["titled_cycle"])
    page = client.get(verify_path(app, number)).text
    assert '<p class="status valid">有效</p>' in page and "市财政局预算科党支部" in page
    # the term as the certificate prints it (有效期为2025—2029), not the days between
    assert "颁发机关" in page and f"<dt>有效期</dt><dd>{year}—{year + 4}</dd>" in page and "日起至" not in page
    org = scenario["orgs"]["市财政局预算科党支部"]
    r = client.post(f"/api/v1/organisations/{org}/cycle/transitions", headers=bearer(demo["tokens"]["gongwei"]),
                    json={"event": "delist", "as_of": today.isoformat(), "facts": {"member_count": 5}})
    assert r.status_code == 200, r.get_json()
    page = client.get(verify_path(app, number)).text  # no 摘牌通知 issued: the title's end alone revokes it
    assert "已撤销" in page and f"{today.year}年{today.month}月{today.day}日起" in page and "有效</p>" not in page
    with session_scope(app.config["DATABASE_URL"]) as s:
        cert = s.execute(select(Certificate).where(Certificate.number == number)).scalar_one()
        assert cert.status == "revoked" and cert.revoked_on == today
        assert s.execute(select(AuditLog).where(AuditLog.action == "certificate_revoked",
                                                AuditLog.object_id == cert.id)).scalars().first() is not None
    # and no new one can be issued for it
    with app.app_context(), session_scope(app.config["DATABASE_URL"]) as s:
        with pytest.raises(ContextError):
            issue(s, "honor-certificate", scenario["titled_cycle"], formats=("docx",),
                  store=store_for(app.config["WUHAO_DATA_DIR"]))


def test_past_the_term_end_reads_expired_and_the_expire_event_marks_it(app, client, demo, scenario):
    number = _issue_honour(app, scenario["titled_cycle"])
    with session_scope(app.config["DATABASE_URL"]) as s:
        c = s.get(CreationCycle, scenario["titled_cycle"])
        today = dt.date.today()
        c.term_starts_on = dt.date(today.year - 5, 1, 1)
        c.term_ends_on = today - dt.timedelta(days=1)
    page = client.get(verify_path(app, number)).text  # on read, before any job ran
    assert "已失效" in page and "有效期已满" in page
    org = scenario["orgs"]["市财政局预算科党支部"]
    r = client.post(f"/api/v1/organisations/{org}/cycle/transitions", headers=bearer(demo["tokens"]["gongwei"]),
                    json={"event": "expire", "as_of": dt.date.today().isoformat(), "facts": {}})
    assert r.status_code == 200, r.get_json()
    with session_scope(app.config["DATABASE_URL"]) as s:
        assert s.execute(select(Certificate.status).where(Certificate.number == number)).scalar_one() == "expired"
    assert "已失效" in client.get(verify_path(app, number)).text


def test_verify_has_a_search_box(app, client, scenario):
    page = client.get("/verify")
    assert page.status_code == 200 and 'name="number"' in page.text and "证书核验" in page.text
    r = client.get("/verify?number=WH20230007&code=" + verify_path(app, "WH20230007").split("=")[1].lower())
    assert r.status_code == 302 and r.headers["Location"].endswith(verify_path(app, "WH20230007"))
    found = client.get(verify_path(app, "WH20230007")).text
    assert 'id="verify-search"' in found and "<dt>有效期</dt><dd>2023—2027</dd>" in found
    assert client.get("/verify?number=").status_code == 200


def test_the_daily_job_marks_certificates_past_their_term(app, client, scenario):
    from service.usecases.documents import expire_certificates

    url = app.config["DATABASE_URL"]
    number = _issue_honour(app, scenario["titled_cycle"])  # term ends 2029-06-30
    with session_scope(url) as s:
        # WH20230007 (term to 2027-06-30) goes on the first run; the new one only after its own term
        assert expire_certificates(s, dt.date(2029, 6, 30)) == ["WH20230007"]
    with session_scope(url) as s:
        assert expire_certificates(s, dt.date(2029, 7, 1)) == [number]
    with session_scope(url) as s:
        cert = s.execute(select(Certificate).where(Certificate.number == number)).scalar_one()
        assert cert.status == "expired" and cert.revoked_on == dt.date(2029, 6, 30)
        assert s.execute(select(AuditLog).where(AuditLog.action == "certificate_expired")).scalars().first()
        assert expire_certificates(s, dt.date(2029, 7, 1)) == []  # once
    assert "已失效" in client.get(verify_path(app, number)).text
