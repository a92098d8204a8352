"""The 发文 register: one sequence per issuing organ and year across every 公文 kind (issue 11).

Before: 市直工委〔2026〕1号 was at once a 补正通知, a 摘牌通知 and a 季度通报 (a counter per kind), the year
was the content's, and a 整改任务书 was issued with an empty number.
"""
from __future__ import annotations

import io
import re
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl import load_workbook
from sqlalchemy import select

from service.db import session_scope
from service.documents.registry import KINDS
from service.models import Document, IssuingOrgan, RectificationItem, RegisterEntry
from tests.conftest import bearer
from tests.web.conftest import csrf_of, login

DOC_KINDS = {k for k, info in KINDS.items() if info.numbering == "doc"}
NUMBER = re.compile(r"^(?P<prefix>.+)〔(?P<year>\d{4})〕(?P<seq>[1-9]\d*)号$")


def _issue(client, token, kind, record_id, **options):
    return client.post("/api/v1/documents", json={"kind": kind, "record_id": record_id, "formats": ["pdf"],
                                                  "options": options}, headers=bearer(token))


def _ledger_rows(app, objects) -> None:
    """One open 整改 row per side's assessment, so a 整改任务书 can be drawn from it."""
    with session_scope(app.config["DATABASE_URL"]) as s:
        for side in ("A", "B"):
            s.add(RectificationItem(organisation_id=objects[side]["org"], assessment_id=objects[side]["assessment"],
                                    category="组织建设", problem="三会一课记录不全", measure="逐月补齐记录"))


def assert_register_sound(app) -> dict:
    """No two 公文 share a number within an organ and year; every 公文 has one; the sequence has no gap."""
    with session_scope(app.config["DATABASE_URL"]) as s:
        entries = s.execute(select(RegisterEntry)).scalars().all()
        organs = {o.id: o for o in s.execute(select(IssuingOrgan)).scalars()}
        docs = s.execute(select(Document).where(Document.kind.in_(DOC_KINDS))).scalars().all()
        seqs = defaultdict(list)
        for e in entries:
            seqs[(e.organ_id, e.year)].append(e.seq)
            m = NUMBER.match(e.number)
            assert m and int(m["year"]) == e.year == e.issued_on.year and int(m["seq"]) == e.seq, e.number
        for key, got in seqs.items():
            assert sorted(got) == list(range(1, len(got) + 1)), (organs[key[0]].prefix, key[1], sorted(got))
        by_number = {e.number: e for e in entries}
        assert len(by_number) == len(entries), "one number, one register line"
        issues = defaultdict(set)
        for d in docs:
            assert d.number, f"a {d.kind} without a number"
            line = by_number[d.number]
            assert line.kind == d.kind
            issues[d.number].add((d.kind, d.subject_id, d.context.get("issued_on")))
        assert all(len(v) == 1 for v in issues.values()), "two documents under one number"
        return {"entries": len(entries), "docs": len(docs)}


def test_one_sequence_per_organ_and_year_across_kinds(app, seeded):
    """A 限期整改通知书, a 整改任务书 and a 季度通报 of the 工委 share one sequence — and the 区委 has its own."""
    c, tokens, o = app.test_client(), seeded["tokens"], seeded["objects"]
    gw, qw = tokens["gongwei"], tokens["quwei"]
    committee = seeded["orgs"]["市直机关工委"]
    _ledger_rows(app, o)
    numbers = []
    for kind, record in (("rectification-notice", o["A"]["assessment"]),
                         ("rectification-taskbook", o["A"]["assessment"]),
                         ("quarterly-report", committee)):
        r = _issue(c, gw, kind, record, as_of="2026-03-02")
        assert r.status_code == 201, r.get_json()
        numbers.append(r.get_json()["documents"][0]["number"])
    # the seeded fixture signed one 限期整改通知书 per side already (this year's number 1)
    assert len(set(numbers)) == 3 and all(n.startswith("市直工委〔") for n in numbers)
    taskbook = numbers[1]
    assert taskbook and NUMBER.match(taskbook), "a 整改任务书 is never issued blank"
    # the 区委's register is its own
    r = _issue(c, qw, "rectification-taskbook", o["B"]["assessment"])
    assert r.status_code == 201
    assert r.get_json()["documents"][0]["number"].startswith("静海区委〔")
    # the year is the issue date's: a quarterly report about 2025 Q4 signed in 2026 takes a 2026 number
    r = _issue(c, gw, "quarterly-report", committee, year=2025, quarter=4, as_of="2026-01-05")
    assert r.status_code == 201
    assert "〔2026〕" in r.get_json()["documents"][0]["number"]
    assert_register_sound(app)


def test_withdrawal_keeps_the_number_used_and_the_register_exports(app, seeded):
    c, tokens, o = app.test_client(), seeded["tokens"], seeded["objects"]
    gw = bearer(tokens["gongwei"])
    doc_id = o["A"]["document"]
    number = c.get(f"/api/v1/documents?organisation_id={o['A']['org']}", headers=gw).get_json()["items"][0]["number"]
    assert c.post(f"/api/v1/documents/{doc_id}/withdraw", json={"reason": "x"}, headers=gw).status_code == 422
    assert c.post(f"/api/v1/documents/{o['B']['document']}/withdraw", json={"reason": "发错单位"},
                  headers=gw).status_code == 404
    assert c.post(f"/api/v1/documents/{doc_id}/withdraw", json={"reason": "=HYPERLINK(\"http://x\")"},
                  headers=bearer(tokens["yusuan"])).status_code == 403
    done = c.post(f"/api/v1/documents/{doc_id}/withdraw", json={"reason": "=HYPERLINK(\"http://x\") 发错单位"},
                  headers=gw)
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status_name"] == "已作废"
    assert c.post(f"/api/v1/documents/{doc_id}/withdraw", json={"reason": "再次作废"}, headers=gw).status_code == 409
    listed = c.get(f"/api/v1/documents?organisation_id={o['A']['org']}", headers=gw).get_json()["items"]
    assert {d["status"] for d in listed if d["number"] == number} == {"withdrawn"}
    # the next 公文 does not reuse the withdrawn number
    nxt = c.post("/api/v1/notices", json={"kind": "rectification-notice", "record_id": o["A"]["assessment"]},
                 headers=gw).get_json()["documents"][0]["number"]
    assert nxt != number and int(NUMBER.match(nxt)["seq"]) == int(NUMBER.match(number)["seq"]) + 1
    rows = c.get("/api/v1/register", headers=gw).get_json()["items"]
    line = next(r for r in rows if r["number"] == number)
    assert line["status"] == "withdrawn" and "发错单位" in line["withdrawn_reason"]
    assert line["kind_name"] == "限期整改通知书" and line["addressee"] and line["signer"]
    assert all(r["organ"] == "中共市直机关工委" for r in rows), "a reviewer reads only their own organ's lines"
    # XLSX: every number with kind, addressee, date and signer; a formula stays text
    resp = c.get("/api/v1/register.xlsx", headers=gw)
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.data)).active
    table = [[cell.value for cell in row] for row in ws.iter_rows()]
    assert table[0] == ["发文机关", "文号", "种类", "主送", "成文日期", "签发人", "状态", "作废理由"]
    assert {r[1] for r in table[1:]} == {r["number"] for r in rows}
    assert any(r[8 - 1].startswith("'=HYPERLINK") for r in table[1:] if r[7])
    assert not any(isinstance(v, str) and v.startswith("=") for r in table for v in r)
    # the page lists the same lines, 作废 with its reason
    page = app.test_client()
    login(page, "gongwei", seeded["password"])
    html = page.get("/register").get_data(as_text=True)
    assert number in html and "已作废" in html and "发错单位" in html
    # the 作废 column has its heading as markup, not as text above the table (a Markup replace escaped it)
    assert "<th>作废</th>" in html and "&lt;th&gt;" not in html


def test_the_admin_sets_each_organs_mark_prefix_and_signature(app, seeded):
    c, tokens, orgs = app.test_client(), seeded["tokens"], seeded["orgs"]
    admin = bearer(tokens["admin"])
    quwei = str(orgs["静海区委"])
    body = {"organs": {quwei: {"mark": "中共静海区委组织部文件", "prefix": "静组", "signature": "中共静海区委组织部"}}}
    r = c.put("/api/v1/admin/numbering", json=body, headers=admin)
    assert r.status_code == 200, r.get_json()
    organ = next(x for x in r.get_json()["organs"] if x["organisation_id"] == int(quwei))
    assert organ["prefix"] == "静组" and organ["configured"]
    clash = {"organs": {str(orgs["市直机关工委"]): {"prefix": "静组"}}}
    assert c.put("/api/v1/admin/numbering", json=clash, headers=admin).status_code == 409
    assert c.put("/api/v1/admin/numbering", json={"organs": {quwei: {"prefix": "静〔组"}}},
                 headers=admin).status_code == 422
    assert c.put("/api/v1/admin/numbering", json={"organs": {str(seeded["objects"]["B"]["org"]): {"prefix": "x"}}},
                 headers=admin).status_code == 404
    doc = c.post("/api/v1/notices", json={"kind": "rectification-notice",
                                          "record_id": seeded["objects"]["B"]["assessment"]},
                 headers=bearer(tokens["quwei"])).get_json()["documents"][0]
    assert doc["number"].startswith("静组〔")
    # the page edits the same row
    page = app.test_client()
    login(page, "admin", seeded["password"])
    html = page.get("/admin/numbering").get_data(as_text=True)
    assert "中共静海区委组织部文件" in html and "静组" in html
    resp = page.post("/admin/numbering", data={"csrf_token": csrf_of(page), f"signature:{quwei}": "中共静海区委组织部（章）"})
    assert resp.status_code == 302
    assert "中共静海区委组织部（章）" in page.get("/admin/numbering").get_data(as_text=True)


OPS = st.sampled_from(["notice", "taskbook", "quarterly", "reissue", "withdraw"])


#: the property's examples: each issues up to four documents (0.3 s to 0.5 s of CPU each), so the quick
#: tier draws 3 sequences per backend and the slow tier 12
SEQUENCES = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@settings(SEQUENCES, max_examples=3)
@given(data=st.data())
def test_no_two_documents_share_a_number_after_any_sequence(app, seeded, data):
    """Any sequence of issues, re-issues and withdrawals through the API, by both organs, over a year's turn:
    the register stays gapless and no number is shared (the database carries on between examples, so the
    property holds of everything issued so far)."""
    _any_sequence(app, seeded, data)


@pytest.mark.slow
@settings(SEQUENCES, max_examples=12)
@given(data=st.data())
def test_no_two_documents_share_a_number_after_many_sequences(app, seeded, data):
    """The property above over 12 sequences per backend (the slow tier)."""
    _any_sequence(app, seeded, data)


def _any_sequence(app, seeded, data) -> None:
    c, tokens, o, orgs = app.test_client(), seeded["tokens"], seeded["objects"], seeded["orgs"]
    if not data.draw(st.just(getattr(app, "_ledger_done", False))):
        _ledger_rows(app, o)
        app._ledger_done = True
    for op in data.draw(st.lists(OPS, min_size=1, max_size=4)):
        side = data.draw(st.sampled_from("AB"))
        token = tokens["gongwei" if side == "A" else "quwei"]
        as_of = data.draw(st.sampled_from(["2025-12-31", "2026-01-02"]))
        if op == "notice":
            r = _issue(c, token, "rectification-notice", o[side]["assessment"], as_of=as_of)
        elif op == "taskbook":
            r = _issue(c, token, "rectification-taskbook", o[side]["assessment"], as_of=as_of)
        elif op == "quarterly":
            r = _issue(c, token, "quarterly-report", orgs["市直机关工委" if side == "A" else "静海区委"], as_of=as_of)
        else:
            items = c.get("/api/v1/documents?limit=20", headers=bearer(token)).get_json()["items"]
            issued = [d for d in items if d["status"] == "issued" and d["kind"] in DOC_KINDS]
            # drawn whatever the database holds, so that a replay draws the same: a range that followed the
            # list made Hypothesis report FlakyStrategyDefinition instead of the failure it was shrinking
            pick = data.draw(st.integers(0, 19))
            if not issued:
                continue
            target = issued[pick % len(issued)]["id"]
            if op == "reissue":
                r = c.post(f"/api/v1/documents/{target}/reissue", headers=bearer(token))
            else:
                r = c.post(f"/api/v1/documents/{target}/withdraw", json={"reason": "测试作废"}, headers=bearer(token))
        assert r.status_code in (200, 201), (op, r.get_json())
    assert_register_sound(app)
