"""Documents drawn from the database: contexts, numbering, issuing, re-issue, API, /verify.

Runs on SQLite and PostgreSQL (the ``database_url`` fixture of tests/conftest.py).
"""
from __future__ import annotations

import hashlib
import io
import threading

import pytest
from sqlalchemy import select

from tests.conftest import QUICK_ON_SQLITE, bearer

from .helpers import pdf_text, squash, verify_path

DB_KINDS = ["supplement-notice", "acceptance-form", "rectification-notice", "rectification-taskbook",
            "rectification-ledger", "commendation-decision", "honor-certificate", "delisting-notice",
            "party-card", "quarterly-report"]


def _docx_text(data: bytes) -> str:
    from docx import Document as Docx

    d = Docx(io.BytesIO(data))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


@QUICK_ON_SQLITE
def test_every_kind_has_a_demo_record_and_renders_from_it(app, scenario):
    from service.db import session_scope
    from service.documents.compose import compose
    from service.documents.contexts import build_context, demo_record
    from service.documents.registry import render

    expected = {
        "supplement-notice": scenario["submission"],
        "rectification-taskbook": scenario["backward_assessment"],
        "honor-certificate": scenario["titled_cycle"],
        "delisting-notice": scenario["delisted_cycle"],
        "party-card": scenario["party_card"],
    }
    with app.app_context(), session_scope(app.config["DATABASE_URL"]) as s:
        for kind in DB_KINDS:
            rid = demo_record(kind, s)
            assert rid is not None, kind
            if kind in expected:
                assert rid == expected[kind], kind
            ctx = build_context(kind, s, rid)
            if kind == "honor-certificate":  # numbered when issued
                ctx.update(number="WH20259999", verify_url="http://x/verify/WH20259999")
            text = _docx_text(render(kind, ctx, "docx"))
            view = compose(kind, ctx)
            assert view["title" if "title" in view else "heading"] in text.replace("\n", "")  # title lines


@QUICK_ON_SQLITE
def test_contexts_carry_the_records_data(app, scenario):
    from service.db import session_scope
    from service.documents.contexts import build_context
    from service.documents.registry import render

    with app.app_context(), session_scope(app.config["DATABASE_URL"]) as s:
        sn = build_context("supplement-notice", s, scenario["submission"], {"as_of": "2025-03-05"})
        assert [m["field"] for m in sn["missing"]] == ["contact_phone", "report"]
        assert sn["deadline"] == "2025-03-15" and sn["submission"]["uploaded_on"] == "2025-03-03"
        assert sn["issuer"] == "中共市直机关工委" and sn["doc_prefix"] == "市直工委"

        af = build_context("acceptance-form", s, scenario["assessment"])
        assert af["branch_name"] == "市人民医院内科党支部" and af["domain_label"] == "医疗卫生单位"
        assert [d["key"] for d in af["rubric"]] == ["leadership", "members", "mechanism", "performance",
                                                    "reputation"]
        assert all(d["items"] for d in af["rubric"])  # the health domain's 标准细则
        assert af["grade"] == "好"
        # per-item scores from the group's deductions: L1 6 − 2 (每缺一名扣2分), L3 5 − 3×0.5
        assert af["item_scores"]["L1"] == 4 and af["item_scores"]["L3"] == 3.5 and af["item_scores"]["L2"] == 5

        tb = build_context("rectification-taskbook", s, scenario["backward_assessment"])
        assert [i["owner"] for i in tb["items"]] == ["宋佳", "吉𠮷"] and tb["grade"] == "一般"

        led = build_context("rectification-ledger", s, scenario["district"], {"as_of": "2025-09-30"})
        assert len(led["rows"]) == 2 and led["rows"][0]["branch_name"] == "区律师行业党支部"
        assert build_context("rectification-ledger", s, scenario["committee"])["rows"] == []

        cd = build_context("commendation-decision", s, scenario["committee"])
        assert cd["year"] == 2025 and [b["name"] for b in cd["branches"]] == ["市财政局预算科党支部"]
        assert cd["term"] == "2025—2029"

        dn = build_context("delisting-notice", s, scenario["delisted_cycle"])
        assert dn["rule"] == "SZ-3.3" and dn["delisting_kind"] == "natural"
        assert dn["reason"] == "党员人数6人，少于7人" and dn["certificate_number"] == "WH20230007"

        pc = build_context("party-card", s, scenario["party_card"])
        assert pc["name"] == "赵䶮" and pc["organisation_path"] == "静海区委 / 大邱庄镇党委 / 大邱庄村党支部"
        assert "/verify/12010001?code=" in pc["verify_url"] and pc["check_code"] in pc["verify_url"]
        # rendered on its own, the card carries every field of the record: 入党时间 and 发证机关 too
        assert pc["joined_on"] == "2001-07-01" and pc["issuer"] == "中共静海区委组织部"
        card = squash(pdf_text(render("party-card", pc, "pdf")))
        assert "2001年7月1日" in card and "中共静海区委组织部" in card

        qr = build_context("quarterly-report", s, scenario["district"], {"as_of": "2025-09-30"})
        assert qr["quarter"] == 3 and qr["totals"]["backward"] == 1
        assert qr["totals"]["items"] == 2 and qr["totals"]["closed"] == 1
        assert {r["name"] for r in qr["by_domain"]} >= {"农村", "非公企业（社会组织）"}


def test_issue_numbers_store_and_audit(app, scenario):
    from service.db import session_scope
    from service.documents.issue import issue
    from service.models import AuditLog, Document
    from service.storage import store_for

    store = store_for(app.config["WUHAO_DATA_DIR"])
    url = app.config["DATABASE_URL"]
    numbers = []
    for _ in range(3):
        with app.app_context(), session_scope(url) as s:
            docs = issue(s, "rectification-notice", scenario["backward_assessment"], formats=("docx", "pdf"),
                         store=store, options={"as_of": "2025-06-01"})
            assert {d.format for d in docs} == {"docx", "pdf"}
            assert len({d.number for d in docs}) == 1
            numbers.append(docs[0].number)
    assert numbers == ["静海区委〔2025〕1号", "静海区委〔2025〕2号", "静海区委〔2025〕3号"]
    with session_scope(url) as s:
        docs = s.execute(select(Document).order_by(Document.id)).scalars().all()
        assert len(docs) == 6
        for d in docs:
            data = store.read_bytes(d.sha256)
            assert hashlib.sha256(data).hexdigest() == d.sha256 and len(data) == d.size
            assert d.context["number"] == d.number and d.status == "issued"
        logged = s.execute(select(AuditLog).where(AuditLog.action == "document_issued")).scalars().all()
        assert sorted(a.object_id for a in logged) == [d.id for d in docs]
        assert {a.detail["sha256"] for a in logged} == {d.sha256 for d in docs}
    # the number is inside the document
    assert "静海区委〔2025〕2号" in _docx_text(store.read_bytes(docs[2].sha256))


def test_a_rolled_back_issue_leaves_no_gap(app, scenario):
    from service.db import session_scope
    from service.documents.issue import issue
    from service.storage import store_for

    store = store_for(app.config["WUHAO_DATA_DIR"])
    url = app.config["DATABASE_URL"]
    with pytest.raises(RuntimeError):
        with app.app_context(), session_scope(url) as s:
            issue(s, "commendation-decision", scenario["committee"], formats=("docx",), store=store)
            raise RuntimeError("the request failed after rendering")
    with app.app_context(), session_scope(url) as s:
        doc = issue(s, "commendation-decision", scenario["committee"], formats=("docx",), store=store)[0]
    assert doc.number == "市直工委〔2025〕1号"


def test_reissue_makes_a_new_number_and_links_the_old(app, scenario):
    from service.db import session_scope
    from service.documents.issue import issue, reissue
    from service.models import Certificate, Document
    from service.storage import store_for

    store = store_for(app.config["WUHAO_DATA_DIR"])
    url = app.config["DATABASE_URL"]
    with app.app_context(), session_scope(url) as s:
        first = issue(s, "honor-certificate", scenario["titled_cycle"], formats=("docx",), store=store)[0]
        first_id, first_number, first_sha = first.id, first.number, first.sha256
    assert first_number == "WH20250001"
    with app.app_context(), session_scope(url) as s:
        old = s.get(Document, first_id)
        new = reissue(s, old, store=store)[0]
        new_id, new_number = new.id, new.number
    assert new_number == "WH20250002"
    with session_scope(url) as s:
        old, new = s.get(Document, first_id), s.get(Document, new_id)
        assert old.status == "superseded" and old.sha256 == first_sha  # bytes untouched
        assert new.supersedes_id == first_id and new.status == "issued"
        certs = {c.number: c for c in s.execute(select(Certificate)).scalars()}
        assert certs["WH20250001"].status == "revoked" and "WH20250002" in certs["WH20250001"].revoke_reason
        assert certs["WH20250002"].status == "valid" and certs["WH20250002"].document_id == new_id


def test_concurrent_issues_get_distinct_gapless_numbers(app, scenario):
    from service.db import session_scope
    from service.documents.contexts import build_context
    from service.documents.issue import issue
    from service.models import Document
    from service.storage import store_for

    store = store_for(app.config["WUHAO_DATA_DIR"])
    url = app.config["DATABASE_URL"]
    with app.app_context(), session_scope(url) as s:
        ctx = build_context("commendation-decision", s, scenario["committee"])
    errors, n = [], 8
    barrier = threading.Barrier(n)

    def worker():
        try:
            barrier.wait()
            with app.app_context(), session_scope(url) as s:
                issue(s, "commendation-decision", scenario["committee"], formats=("docx",), store=store,
                      context=dict(ctx))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with session_scope(url) as s:
        numbers = sorted(s.execute(select(Document.number)).scalars())
    assert sorted(numbers, key=lambda x: int(x.split("〕")[1][:-1])) == \
        [f"市直工委〔2025〕{i}号" for i in range(1, n + 1)]


@QUICK_ON_SQLITE
def test_verify_page_says_valid_revoked_or_unknown_and_nothing_else(app, client, scenario):
    from service.db import session_scope
    from service.documents.issue import issue
    from service.storage import store_for

    store = store_for(app.config["WUHAO_DATA_DIR"])
    url = app.config["DATABASE_URL"]
    r = client.get(verify_path(app, "WH20230007"))
    assert r.status_code == 200 and "有效" in r.text and "市财政局综合党支部" in r.text
    with app.app_context(), session_scope(url) as s:
        issue(s, "delisting-notice", scenario["delisted_cycle"], formats=("docx",), store=store)
    r = client.get(verify_path(app, "WH20230007"))
    assert r.status_code == 200 and "已撤销" in r.text and "有效</p>" not in r.text
    assert "党员人数" not in r.text and "SZ-3.3" not in r.text  # the reason stays private
    r = client.get(verify_path(app, "12010001"))
    assert "有效" in r.text and "赵*" in r.text and "赵䶮" not in r.text and "党员证" in r.text
    assert "大邱庄" not in r.text and "2025" not in r.text  # no organisation, no dates
    r = client.get(verify_path(app, "NOPE123"))
    assert r.status_code == 404 and "未查到" in r.text and "<dl>" not in r.text
    assert r.headers["Cache-Control"] == "no-store"


@QUICK_ON_SQLITE
def test_user_text_is_data_everywhere(app, client, scenario):
    from service.db import session_scope
    from service.documents.issue import issue
    from service.models import Organisation
    from service.storage import store_for

    evil = "<script>alert(1)</script>{{ 7*7 }}{% raw %}"
    url = app.config["DATABASE_URL"]
    store = store_for(app.config["WUHAO_DATA_DIR"])
    with app.app_context(), session_scope(url) as s:
        org = s.get(Organisation, scenario["orgs"]["市财政局预算科党支部"])
        org.name = evil
        s.flush()
        docs = issue(s, "honor-certificate", scenario["titled_cycle"], formats=("docx",), store=store)
        number = docs[0].number
    docx = store.read_bytes(next(d.sha256 for d in docs if d.format == "docx"))
    assert evil in _docx_text(docx)
    r = client.get(verify_path(app, number))
    assert "<script>alert" not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;{{ 7*7 }}" in r.text
    assert "49" not in r.text


def test_api_issue_download_and_access(app, client, scenario, demo):
    tokens = demo["tokens"]
    r = client.post("/api/v1/documents", headers=bearer(tokens["quwei"]),
                    json={"kind": "rectification-taskbook", "record_id": scenario["backward_assessment"],
                          "formats": ["docx"]})
    assert r.status_code == 201, r.text
    doc = r.get_json()["documents"][0]
    r = client.get(doc["url"], headers=bearer(tokens["quwei"]))
    assert r.status_code == 200 and r.headers["X-Content-SHA256"] == doc["sha256"]
    assert hashlib.sha256(r.data).hexdigest() == doc["sha256"]
    assert "attachment" in r.headers["Content-Disposition"]
    # the same issue as PDF: same number, stored once
    r1 = client.get(f"/api/v1/documents/{doc['id']}.pdf", headers=bearer(tokens["quwei"]))
    r2 = client.get(f"/api/v1/documents/{doc['id']}.pdf", headers=bearer(tokens["quwei"]))
    assert r1.status_code == 200 and r1.data[:5] == b"%PDF-" and r1.data == r2.data
    # a branch outside the subtree, and anonymous users, do not see it
    assert client.get(doc["url"], headers=bearer(tokens["yusuan"])).status_code == 404
    assert client.get(doc["url"]).status_code == 401
    # a branch cannot issue
    r = client.post("/api/v1/documents", headers=bearer(tokens["yusuan"]),
                    json={"kind": "commendation-decision", "record_id": scenario["committee"]})
    assert r.status_code == 403
    # the 工委 reviewer cannot issue about a branch of the district
    r = client.post("/api/v1/documents", headers=bearer(tokens["gongwei"]),
                    json={"kind": "rectification-taskbook", "record_id": scenario["backward_assessment"]})
    assert r.status_code == 404


@QUICK_ON_SQLITE
def test_blank_forms_are_served_as_files(client, demo):
    import parsers

    h = bearer(demo["tokens"]["yusuan"])
    listed = client.get("/api/v1/forms", headers=h).get_json()["items"]
    assert [f["kind"] for f in listed] == ["declaration", "acceptance", "brand"]
    for f in listed:
        for url, magic in ((f["url"], b"PK\x03\x04"), (f["pdf_url"], b"%PDF")):
            r = client.get(url, headers=h)
            assert r.status_code == 200 and r.data[:4] == magic, url
            assert parsers.parse_bytes(r.data, url).form == f["kind"]
    for bad in ("/api/v1/forms/..%2Fsecret.docx", "/api/v1/forms/declaration.xlsx", "/api/v1/forms/report.docx"):
        assert client.get(bad, headers=h).status_code == 404, bad
    assert client.get("/api/v1/forms").status_code == 401


def test_the_admins_prefix_is_used_for_numbers(app, scenario):
    """The issuing organ's row (edited by the admin) gives the 机关代字, 发文机关标志 and 署名 at signing."""
    from service.db import session_scope
    from service.documents.issue import issue
    from service.models import IssuingOrgan
    from service.storage import store_for

    data_dir = app.config["WUHAO_DATA_DIR"]
    with app.app_context(), session_scope(app.config["DATABASE_URL"]) as s:
        s.add(IssuingOrgan(organisation_id=scenario["committee"], mark="中共市直机关工委组织部文件", prefix="市直组",
                           signature="中共市直机关工委组织部"))
        s.flush()
        doc = issue(s, "commendation-decision", scenario["committee"], formats=("docx",),
                    store=store_for(data_dir))[0]
        assert doc.number == "市直组〔2025〕1号"
        assert doc.context["issuer"] == "中共市直机关工委组织部"
        assert doc.context["org_mark"] == "中共市直机关工委组织部文件"


@QUICK_ON_SQLITE
def test_a_taskbook_without_ledger_rows_lists_the_weak_dimensions(app, scenario):
    import datetime as dt

    from service.db import session_scope
    from service.documents.contexts import build_context
    from service.models import Assessment

    with app.app_context(), session_scope(app.config["DATABASE_URL"]) as s:
        a = Assessment(organisation_id=scenario["orgs"]["城关社区党支部"], year=2025, domain="community",
                       total=70.0, scores={"leadership": 17, "members": 15, "mechanism": 12, "performance": 13,
                                           "reputation": 13}, grade="average", backward=True,
                       assessed_on=dt.date(2025, 5, 1))
        s.add(a)
        s.flush()
        ctx = build_context("rectification-taskbook", s, a.id, {"as_of": "2025-06-01"})
    assert [i["category"] for i in ctx["items"]] == ["党员队伍好", "工作机制好", "工作业绩好", "群众反映好"]
    assert ctx["items"][1]["problem"] == "“工作机制好”得分12分（满分20分），未达到80%"
    assert ctx["deadline"] == "2025-08-30"  # WUHAO_RECTIFY_DAYS (90) after the issue date


@QUICK_ON_SQLITE
def test_a_blank_scoring_form_for_a_branch(app, scenario):
    from service.db import session_scope
    from service.documents.contexts import build_context
    from service.documents.compose import ContextError
    from service.documents.registry import render

    with app.app_context(), session_scope(app.config["DATABASE_URL"]) as s:
        ctx = build_context("acceptance-form", s, scenario["orgs"]["区律师行业党支部"],
                            {"subject": "organisation", "year": 2025})
        assert ctx["domain_label"] == "非公企业（社会组织）" and ctx["scores"] == {} and ctx["total"] is None
        assert sum(len(d["items"]) for d in ctx["rubric"]) > 5
        text = _docx_text(render("acceptance-form", ctx, "docx"))
        assert "区律师行业党支部" in text and ctx["rubric"][0]["items"][0]["text"] in text
        with pytest.raises(ContextError):
            build_context("acceptance-form", s, scenario["district"], {"subject": "organisation"})
