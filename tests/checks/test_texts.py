"""The plan's four parts, the five 好 in the report, copied passages (issue 18).

The precision/recall tests print their figures; the corpus is tests/checks/textcorpus.py, with a
"dev" pool of sentences used while writing texts.yaml and a "held" pool that was not.
"""
from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from service.checks.copies import Posting, compare, fingerprints
from service.checks.dimensions import check_report_dimensions, map_dimensions
from service.checks.plan import check_plan, plan_parts
from service.checks.rubric import load_rubric
from service.checks.submission import check_submission
from service.models import Organisation, Submission, Extraction

from . import textcorpus as tc

NAMES = tc.NAMES
RUBRIC = load_rubric(2025)

FULL_PLAN = """某某党支部创建“五好党支部”工作方案
一、总体思路
以习近平新时代中国特色社会主义思想为指导，坚持党建引领，围绕中心、服务大局。
二、创建目标
力争年底前创成市直机关“五好党支部”，考核得分达到96分以上。
三、主要措施
每月8日开展主题党日活动，落实“三会一课”制度，建立党员积分台账。
四、保障措施
支部书记为第一责任人，切实加强组织领导，确保创建工作落到实处。"""


def test_full_plan_with_other_headings_has_all_parts():
    parts = plan_parts(FULL_PLAN)
    assert {k: p["by"] for k, p in parts.items()} == {
        "guiding": "heading", "goals": "heading", "measures": "heading", "requirements": "heading"}
    assert check_plan(FULL_PLAN) == []


def test_one_sentence_plan_is_incomplete_and_names_the_parts():
    findings = check_plan("以“支部创五好、党员认五岗”为载体，明确指导思想、目标任务、具体措施和工作要求。")
    assert [f["rule"] for f in findings] == ["plan_incomplete"]
    assert findings[0]["severity"] == "error" and findings[0]["field"] == "plan_summary"
    named = [n for n in ("指导思想", "目标任务", "具体措施", "工作要求") if n in findings[0]["message"].split("未见：")[1]]
    assert len(named) >= 3


def test_plan_without_headings_found_by_content():
    text = ("以习近平新时代中国特色社会主义思想为指导，深入贯彻党的二十大精神。"
            "力争通过一年努力创成“五好党支部”。"
            "每月8日开展主题党日，落实“三会一课”制度。")
    parts = plan_parts(text)
    assert [k for k, p in parts.items() if p["found"]] == ["guiding", "goals", "measures"]
    assert "工作要求" in check_plan(text)[0]["message"]


def test_inline_labels_in_a_form_box():
    text = ("指导思想：以习近平新时代中国特色社会主义思想为指导。目标任务：年底前创成“五好党支部”。"
            "具体措施：落实“三会一课”。工作要求：确保实效，书记负总责。")
    assert check_plan(text) == []


def test_report_missing_a_dimension_is_named():
    rng = random.Random(3)
    sample = tc.report("held", rng, drop=0, headings=True)
    without = "\n".join(ln for ln in sample.text.splitlines()
                        if not any(s in ln for s in tc.POOLS["held"]["reputation"] + tc.HEADINGS["reputation"]))
    findings, result = check_report_dimensions(without, NAMES, RUBRIC.domain("organ"))
    missing = [f for f in findings if f["rule"] == "report_dimension_missing"]
    assert [f["field"] for f in missing] == ["report.dimensions.reputation"]
    assert "群众反映好" in missing[0]["message"]
    assert result["dimensions"]["members"]["evidence"] and result["dimensions"]["members"]["facts"] > 0


def test_slogans_read_differently_from_work():
    work = map_dimensions("".join(tc.POOLS["dev"]["members"][:3]), NAMES)["dimensions"]["members"]
    slogans = map_dimensions("我们坚持加强党员教育管理，不断提升党员队伍素质，推动党员队伍建设迈上新台阶。", NAMES)
    assert work["facts"] >= 3
    assert slogans["dimensions"]["members"]["facts"] == 0
    findings, _ = check_report_dimensions("我们坚持加强党员教育管理和理论学习，不断增强党员党性。", NAMES)
    assert "report_few_facts" in [f["rule"] for f in findings]


def _pr(tp, fp, fn):
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


@pytest.mark.parametrize("pool", ["dev", "held"])
def test_plan_incomplete_precision_recall(pool):
    rng = random.Random(17)
    tp = fp = fn = 0
    for _ in range(200):
        s = tc.plan(pool, rng, drop=rng.choice([0, 0, 1, 2, 3]))
        flagged = {k for k, p in plan_parts(s.text).items() if not p["found"]}
        truth = set(tc.PARTS) - s.present
        tp, fp, fn = tp + len(flagged & truth), fp + len(flagged - truth), fn + len(truth - flagged)
    p, r = _pr(tp, fp, fn)
    print(f"\n[texts] plan_incomplete ({pool}, 200 plans, per part): precision {p:.3f} recall {r:.3f}")
    assert p >= 0.9 and r >= 0.9


@pytest.mark.parametrize("pool", ["dev", "held"])
def test_report_dimension_missing_precision_recall(pool):
    rng = random.Random(19)
    tp = fp = fn = 0
    for _ in range(200):
        s = tc.report(pool, rng, drop=rng.choice([0, 0, 1, 1, 2]), reworded=rng.random() < 0.5)
        findings, _ = check_report_dimensions(s.text, NAMES, RUBRIC.domain(rng.choice(["organ", "rural", "soe"])))
        flagged = {f["field"].rsplit(".", 1)[1] for f in findings if f["rule"] == "report_dimension_missing"}
        truth = set(tc.DIMS) - s.present
        tp, fp, fn = tp + len(flagged & truth), fp + len(flagged - truth), fn + len(truth - flagged)
    p, r = _pr(tp, fp, fn)
    print(f"\n[texts] report_dimension_missing ({pool}, 200 reports, per dimension): "
          f"precision {p:.3f} recall {r:.3f}")
    assert p >= 0.9 and r >= 0.9


@pytest.mark.slow
def test_report_copied_precision_recall():
    """200 new reports against 150 stored ones; a third or more taken from one of them is a copy."""
    rng = random.Random(5)
    stored, index, texts = [], {}, {}
    for i in range(150):
        s = tc.varied_report(rng, f"第{i}党支部")
        stored.append(s)
        texts[i] = {"text": s.text, "organisation": f"第{i}党支部", "year": 2025}
        for h, pos in fingerprints(s.text):
            index.setdefault(h, []).append(Posting(h, i, 1000 + i, pos))
    tp = fp = fn = 0
    for t in range(200):
        share = rng.choice([0.0, 0.05, 0.1, 0.15, 0.33, 0.4, 0.5, 0.6])
        own = tc.varied_report(rng, "新提交党支部")
        s = tc.copied(stored[rng.randrange(150)], own, share, rng) if share else own
        if share and rng.random() < 0.3:
            s = tc.Sample(tc.reword(s.text, rng), s.present, copied_share=s.copied_share)
        postings = [p for h in {h for h, _ in fingerprints(s.text)} for p in index.get(h, [])]
        findings, _ = compare(s.text, postings, texts, own_organisation_id=5000 + t)
        pred, truth = bool(findings), s.copied_share >= 0.3
        tp, fp, fn = tp + (pred and truth), fp + (pred and not truth), fn + (truth and not pred)
    p, r = _pr(tp, fp, fn)
    print(f"\n[texts] report_copied (200 reports vs 150 stored): precision {p:.3f} recall {r:.3f}")
    assert p >= 0.9 and r >= 0.9


def test_shared_passages_side_by_side_and_boilerplate_ignored():
    a = tc.varied_report(random.Random(1), "甲党支部").text
    b_own = tc.varied_report(random.Random(2), "乙党支部").text
    taken = a.splitlines()[3] + a.splitlines()[5]
    b = b_own + "\n" + taken
    postings = [Posting(h, 1, 10, pos) for h, pos in fingerprints(a)]
    findings, matches = compare(b, postings, {1: {"text": a, "organisation": "甲党支部", "year": 2025}},
                                own_organisation_id=20)
    assert matches and matches[0]["passages"]
    longest = max(matches[0]["passages"], key=lambda p: p["chars"])
    assert longest["this"] in b and longest["other"] in a
    # the slogans every branch quotes are not copying: only the junctions between them leave fingerprints
    slogan = "以习近平新时代中国特色社会主义思想为指导，深入贯彻党的二十大精神，全面贯彻新时代党的建设总要求"
    assert len(fingerprints(slogan)) <= 3
    c = tc.varied_report(random.Random(4), "丙党支部").text
    postings = [Posting(h, 1, 10, pos) for h, pos in fingerprints(slogan + "。" + a)]
    findings, _ = compare(slogan + "。" + c, postings, {1: {"text": a}}, own_organisation_id=30)
    assert findings == []


def test_check_submission_reads_plan_and_report():
    fields = {"branch_name": "测试党支部", "parent_org": "测试机关党委", "domain": "organ", "secretary": "张三",
              "member_count": 9, "declared_on": "2026-03-10", "prior_honor": "unit_five_good",
              "has_office": True, "has_equipment": True, "has_activity_room": True,
              "plan_summary": "以“支部创五好”为载体开展创建。"}
    result = check_submission("declaration", fields, as_of="2026-03-20")
    assert "plan_incomplete" in [f["rule"] for f in result["findings"]] and not result["eligible"]
    result = check_submission("declaration", fields, as_of="2026-03-20", plan_text=FULL_PLAN)
    assert "plan_incomplete" not in [f["rule"] for f in result["findings"]]


def test_copy_store_on_the_database(app, db):
    """Branch B's report reuses a third of branch A's: the stored fingerprints name A."""
    from service import textindex

    rng = random.Random(8)
    a_text = tc.varied_report(rng, "甲党支部").text
    b_text = tc.copied(tc.Sample(a_text), tc.varied_report(rng, "乙党支部"), 0.4, rng).text
    with db() as s:
        orgs = [Organisation(name=n, kind="branch", domain="organ") for n in ("甲党支部", "乙党支部")]
        s.add_all(orgs)
        s.flush()
        subs = []
        for org, text in zip(orgs, (a_text, b_text)):
            sub = Submission(organisation_id=org.id, original_name="汇报材料.docx", media_type="docx", size=1,
                             sha256="0" * 64, form="report", status="extracted")
            s.add(sub)
            s.flush()
            s.add(Extraction(submission_id=sub.id, form="report", fields={"text": text}, provenance={}))
            subs.append(sub)
        s.flush()
        for sub, text in zip(subs, (a_text, b_text)):
            assert textindex.index_text(s, sub, text) > 50
        s.commit()
    with db() as s:
        b = s.execute(select(Submission).where(Submission.id == subs[1].id)).scalar_one()
        findings, matches = textindex.copies(s, b, b_text)
        assert [f["rule"] for f in findings] == ["report_copied"]
        assert "甲党支部" in findings[0]["message"] and matches[0]["share"] >= 0.3
        a = s.execute(select(Submission).where(Submission.id == subs[0].id)).scalar_one()
        findings_a, _ = textindex.copies(s, a, a_text)
        assert [f["rule"] for f in findings_a] == ["report_copied"]  # and A learns B copied it


def _prose_docx(path, title: str, text: str):
    from docx import Document

    doc = Document()
    doc.add_paragraph(title)
    for line in text.splitlines():
        doc.add_paragraph(line)
    doc.save(path)
    return str(path)


def test_wuhao_check_reads_the_plan_and_the_report(tmp_path):
    """`wuhao check decl.docx plan.docx report.docx`: plan_incomplete and report_dimension_missing."""
    import json

    from click.testing import CliRunner

    from service.checks.cli import check_command
    from tests import samples

    decl = tmp_path / "申报表.docx"
    decl.write_bytes(samples.declaration_docx())
    plan = _prose_docx(tmp_path / "方案.docx", "市财政局预算科党支部创建“五好党支部”工作方案",
                       "一、指导思想\n" + "".join(tc.PLAN_POOLS[p]["guiding"][i] for p in ("dev", "held") for i in (0, 1))
                       + "\n二、具体措施\n" + "".join(tc.PLAN_POOLS[p]["measures"][i] for p in ("dev", "held")
                                                   for i in (0, 1))
                       + "\n" + "".join(tc.POOLS["dev"]["mechanism"][:4]))  # a plan of about 500 characters
    rng = random.Random(9)
    sample = tc.report("held", rng, headings=True)
    body = "\n".join(ln for ln in sample.text.splitlines()[1:]
                     if not any(s in ln for s in tc.POOLS["held"]["reputation"] + tc.HEADINGS["reputation"]))
    report = _prose_docx(tmp_path / "汇报材料.docx", "市财政局预算科党支部创建“五好党支部”工作汇报", body)
    res = CliRunner().invoke(check_command, [str(decl), plan, report, "--json", "--as-of", "2026-03-20"],
                             catch_exceptions=False)
    data = json.loads(res.output)
    rules = {f["rule"]: f for f in data["findings"]}
    assert rules["plan_incomplete"]["field"] == "plan"
    assert "目标任务" in rules["plan_incomplete"]["message"] and "工作要求" in rules["plan_incomplete"]["message"]
    assert "指导思想" not in rules["plan_incomplete"]["message"].split("未见：")[1]
    assert data["form"] == "declaration"
    res = CliRunner().invoke(check_command, [report, "--json"], catch_exceptions=False)
    data = json.loads(res.output)
    missing = [f for f in data["findings"] if f["rule"] == "report_dimension_missing"]
    assert data["form"] == "report" and [f["field"] for f in missing] == ["dimensions.reputation"]
    assert "群众反映好" in missing[0]["message"]
