"""Documents a 文秘 signs, as the walk-through read them: a 验收意见表 whose 考核项目 does not break
across pages with its name left behind; a 整改任务书 whose rows' 整改时限 agree with its 整改期限; a 荣誉证书
whose text does not end on a line of two characters."""
from __future__ import annotations

import io
import zipfile

import pdfplumber

from service.documents.registry import render
from service.documents.samples import sample_context
from tests.conftest import QUICK_ON_SQLITE

from .helpers import pdf_text, squash

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


def _taskbook(app, scenario, **options):
    """The scenario's 整改任务书 (rows due 2025年10月31日 and 2025年12月31日), issued on 2025年11月1日:
    its first row is past due."""
    from service.db import session_scope
    from service.documents.contexts import build_context

    with app.app_context(), session_scope(app.config["DATABASE_URL"]) as s:
        return build_context("rectification-taskbook", s, scenario["backward_assessment"],
                             {"as_of": "2025-11-01", **options})


def _due(ctx):
    import datetime as dt

    book = dt.date.fromisoformat(ctx["deadline"])
    rows = [dt.date.fromisoformat(it["due_on"]) for it in ctx["items"]]
    issued = dt.date.fromisoformat(ctx["issued_on"])
    assert all(issued < d <= book for d in rows), (issued, book, rows)
    return book, rows


@QUICK_ON_SQLITE
def test_a_task_books_rows_are_due_after_its_issue_and_by_its_deadline(app, scenario):
    import datetime as dt

    ctx = _taskbook(app, scenario)
    book, rows = _due(ctx)
    assert book == dt.date(2025, 12, 31) and rows == [book, book]  # the row past due is due with the book
    text = squash(pdf_text(render("rectification-taskbook", ctx, "pdf")))
    assert "须于2025年12月31日前完成" in text and "2025年10月31日" not in text


@QUICK_ON_SQLITE
def test_a_reviewers_task_book_deadline_bounds_every_row(app, scenario):
    import datetime as dt

    book, rows = _due(_taskbook(app, scenario, deadline="2025-11-30"))
    assert book == dt.date(2025, 11, 30) and rows == [book, book]


def test_a_honor_certificates_text_never_ends_on_a_line_of_two_characters():
    """The sample 荣誉证书's text ran to a third line holding only “励。”; its last line now takes the
    words after the last comma (特发此证，/以资鼓励。)."""
    data = render("honor-certificate", sample_context("honor-certificate"), "pdf")
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        lines = [ln.strip() for ln in (pdf.pages[0].extract_text() or "").splitlines()]
    start = next(i for i, ln in enumerate(lines) if ln.startswith("你支部在"))
    end = next(i for i, ln in enumerate(lines) if ln.endswith("以资鼓励。"))
    body = lines[start:end + 1]
    assert len(body) >= 2, lines
    assert len(body[-1]) >= 4 and body[-1] == "以资鼓励。", body
    assert body[-2].endswith("，"), body
