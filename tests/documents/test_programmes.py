"""Each organ's own programme (issue 11): documents cite as people write, never a rule code or a field key,
and a 区委 document never names the 市直 办法."""
from __future__ import annotations

import datetime as dt
import io
import re

import pdfplumber
from docx import Document as Docx

from service.db import session_scope
from service.documents.compose import compose
from service.documents.contexts import build_context
from service.documents.programmes import cite, programme_for, scrub
from service.documents.registry import render
from service.documents.samples import sample_context
from service.models import CreationCycle
from tests.conftest import QUICK_ON_SQLITE

RULE_CODE = re.compile(r"(SZ|JH|SQ)-\d")
SNAKE_KEY = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
MUNICIPAL = "市直机关“五好党支部”创建管理办法"


def _docx_text(data: bytes) -> str:
    d = Docx(io.BytesIO(data))
    return "\n".join([p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells])


def _pdf_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(p.extract_text() or "" for p in pdf.pages)


def test_citations_read_as_people_write_them():
    assert cite("SZ-3.1").startswith("《市直机关“五好党支部”创建管理办法》关于")
    assert "JH-" not in scrub("未达到要求（JH-3）") and "倒排确定相对后进党支部" in scrub("未达到要求（JH-3）")
    assert scrub("见 SZ-9.9") == "见 有关规定"
    assert programme_for("静海区委")["code"] == "JH" and programme_for("市直机关工委")["code"] == "SZ"


def _district_cycles(app, scenario) -> tuple[int, int]:
    orgs = scenario["orgs"]
    with session_scope(app.config["DATABASE_URL"]) as s:
        titled = CreationCycle(organisation_id=orgs["大邱庄村党支部"], state="in_term", facts={},
                               commended_on=dt.date(2025, 6, 28), term_starts_on=dt.date(2025, 6, 28),
                               term_ends_on=dt.date(2029, 6, 27))
        ended = CreationCycle(organisation_id=orgs["尧舜度假村党支部"], state="delisted", facts={},
                              commended_on=dt.date(2023, 6, 28), term_starts_on=dt.date(2023, 6, 28),
                              term_ends_on=dt.date(2027, 6, 27), ended_on=dt.date(2025, 3, 1),
                              end_reason="符合自然摘牌情形：党员人数6人，少于7人（SZ-3.3）")
        s.add_all([titled, ended])
        s.flush()
        return titled.id, ended.id


@QUICK_ON_SQLITE
def test_no_issued_text_has_a_rule_code_or_field_key_and_the_district_never_cites_the_municipal_rules(app, scenario):
    titled, ended = _district_cycles(app, scenario)
    records = {  # (kind, record, district?)
        ("rectification-notice", scenario["backward_assessment"], True),
        ("rectification-taskbook", scenario["backward_assessment"], True),
        ("rectification-ledger", scenario["district"], True),
        ("quarterly-report", scenario["district"], True),
        ("commendation-decision", scenario["district"], True),
        ("honor-certificate", titled, True),
        ("delisting-notice", ended, True),
        ("commendation-decision", scenario["committee"], False),
        ("honor-certificate", scenario["titled_cycle"], False),
        ("delisting-notice", scenario["delisted_cycle"], False),
        ("acceptance-form", scenario["assessment"], False),
        ("supplement-notice", scenario["submission"], False),
    }
    checked = 0
    with app.app_context(), session_scope(app.config["DATABASE_URL"]) as s:
        for kind, rid, district in sorted(records):
            ctx = build_context(kind, s, rid, {"as_of": "2025-12-31"} if kind != "rectification-taskbook" else {})
            ctx.setdefault("number", "测试〔2025〕1号")
            ctx.setdefault("verify_url", "https://wuhao.example.cn/verify/WH20250001")
            for fmt in ("pdf", "docx"):
                data = render(kind, ctx, fmt)
                text = _pdf_text(data) if fmt == "pdf" else _docx_text(data)
                assert text.strip(), (kind, fmt)
                assert not RULE_CODE.search(text), (kind, fmt, RULE_CODE.search(text).group(0))
                assert not SNAKE_KEY.search(text), (kind, fmt, SNAKE_KEY.search(text).group(0))
                if district:
                    flat = re.sub(r"\s+", "", text)
                    assert MUNICIPAL not in flat and "市直机关五好党支部" not in flat, (kind, fmt)
                checked += 1
    assert checked == 2 * len(records)


@QUICK_ON_SQLITE
def test_a_district_notice_for_a_backward_branch_asks_for_a_plan_and_threatens_no_title(app, scenario):
    with app.app_context(), session_scope(app.config["DATABASE_URL"]) as s:
        ctx = build_context("rectification-notice", s, scenario["backward_assessment"])
    text = "".join(b.get("text", "") for b in compose("rectification-notice", ctx)["blocks"] if isinstance(b, dict))
    assert "整改方案" in text and "区委组织部" in text
    assert "撤销" not in text and "称号" not in text and "工委组织部" not in text.replace("区委组织部", "")


def test_a_district_notice_cites_its_own_basis_for_a_municipal_rule():
    """The demo's 区委 补正通知 cited 《市直机关“五好党支部”创建管理办法》 for a missing form field (SZ-4)."""
    from service.documents.compose import supplement_notice
    from service.documents.programmes import cite, programme_for

    jh, sz = programme_for("静海区委"), programme_for("市直机关工委")
    assert cite("SZ-4", jh) == jh["source"] and cite("SZ-4", sz).startswith("《市直机关")
    assert cite("JH-3", jh) == jh["clauses"]["JH-3"] and cite("XX-1", jh) == ""
    view = supplement_notice({"branch_name": "尧舜度假村党支部", "programme": jh, "deadline": "2026-12-20",
                              "submission": {"form_label": "创建申报表", "original_name": "a.docx",
                                             "uploaded_on": "2026-12-01"},
                              "missing": [{"field": "member_count", "message": "表单缺少必填项“党员人数”（SZ-4）。",
                                           "clause": "SZ-4"}]})
    text = "".join(b.get("text", "") for b in view["blocks"])
    assert "市直机关" not in text and jh["source"] in text and "SZ-" not in text


def test_only_a_district_programme_reports_the_district_records_in_its_quarterly_report():
    """四、挂点包保…书记培训 is the district's practice (JH-4..JH-6): a 工委 report had it printed as zeros
    and 占党支部书记总数23人的—; without it the next section is numbered 四."""
    def headings(issuer):
        view = compose("quarterly-report", dict(sample_context("quarterly-report"), issuer=issuer))
        return [b["text"] for b in view["blocks"] if b.get("t") == "h1"]

    assert headings("中共市直机关工委") == ["一、总体情况", "二、各党委（党工委）进展", "三、各领域进展", "四、下一步工作"]
    for issuer in ("中共静海区委", "中共静海街道党工委"):
        assert headings(issuer) == ["一、总体情况", "二、各党委（党工委）进展", "三、各领域进展",
                                    "四、挂点包保、督导检查和主题党日情况", "五、下一步工作"]
