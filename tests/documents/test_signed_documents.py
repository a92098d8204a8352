"""Documents a 文秘 signs, as the walk-through read them: a 验收意见表 whose 考核项目 does not break
across pages with its name left behind."""
from __future__ import annotations

import io
import zipfile

import pdfplumber

from service.documents.registry import render
from service.documents.samples import sample_context

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DIMENSIONS = ["领导班子好", "党员队伍好", "工作机制好", "工作业绩好", "群众反映好"]


def _long_rubric_form() -> dict:
    """The sample form with five dimensions of four two-line items each: more than a page of rows."""
    ctx = dict(sample_context("acceptance-form"))
    ctx["rubric"] = [
        {"key": f"d{d}", "name": name, "max": 20, "items": [
            {"id": f"D{d}{i}", "text": f"{name}第{i}项考核内容，写得较长以便在表格中折成两行文字",
             "points": 5, "deductions": [{"text": f"{name}第{i}项每缺一次扣0.5分"}]}
            for i in range(1, 5)]}
        for d, name in enumerate(DIMENSIONS)]
    return ctx


def test_no_dimension_of_the_acceptance_form_breaks_across_pages_in_the_pdf():
    with pdfplumber.open(io.BytesIO(render("acceptance-form", _long_rubric_form(), "pdf"))) as pdf:
        pages = ["".join((p.extract_text() or "").split()) for p in pdf.pages]
    assert len(pages) >= 2
    for name in DIMENSIONS:
        rows = [f"{name}第{i}项考核内容" for i in range(1, 5)] + [f"{name}小计"]
        on = {text: [n for n, page in enumerate(pages) if text in page] for text in rows}
        assert all(len(v) == 1 for v in on.values()), on
        assert len({v[0] for v in on.values()}) == 1, f"{name} 跨页：{on}"


def test_the_acceptance_form_docx_keeps_each_dimensions_rows_with_the_next():
    data = render("acceptance-form", _long_rubric_form(), "docx")
    from lxml import etree

    body = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    score = next(t for t in body.iter(f"{W}tbl")
                 if "考核内容" in "".join(t.itertext()))
    rows = score.findall(f"{W}tr")[1:]  # the header row repeats on each page
    kept = [all(p.find(f"{W}pPr/{W}keepNext") is not None for p in r.iter(f"{W}p")) for r in rows]
    texts = ["".join(r.itertext()) for r in rows]
    assert len(rows) == 5 * 5
    for text, keep in zip(texts, kept):
        assert keep == ("小计" not in text), (text, keep)
    assert all(r.find(f"{W}trPr/{W}cantSplit") is not None for r in rows)
