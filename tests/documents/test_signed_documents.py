"""Documents a 文秘 signs, as the walk-through read them: a 验收意见表 whose 考核项目 does not break
across pages with its name left behind; a 整改任务书 whose rows' 整改时限 agree with its 整改期限; a 荣誉证书
whose text does not end on a line of two characters; the cards' DOCX one page in LibreOffice with or without
the project's font aliases."""
from __future__ import annotations

import io
import zipfile

import pdfplumber
import pytest

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


def _paragraph_lines(data: bytes) -> list[tuple[str, str | None]]:
    from lxml import etree

    body = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    out = []
    for p in body.iter(f"{W}p"):
        spacing = p.find(f"{W}pPr/{W}spacing")
        rule = spacing.get(f"{W}lineRule") if spacing is not None else None
        text = "".join(t.text or "" for t in p.iter(f"{W}t"))
        out.append(("[image]" if p.find(f".//{W}drawing") is not None else text, rule))
    return out


def test_a_honor_certificate_docx_sets_its_lines_exactly_but_the_qr_codes():
    """Auto line heights follow the face: where LibreOffice lacks 楷体_GB2312 and the project's aliases,
    its fallback (Noto Sans CJK JP) drew every line taller and the sheet ran to a second page."""
    lines = _paragraph_lines(render("honor-certificate", sample_context("honor-certificate"), "docx"))
    assert [t for t, rule in lines if rule != "exact"] == ["[image]"], lines


def test_the_party_card_docx_label_column_holds_suo_shu_dang_zu_zhi():
    """所属党组织 (five 10.5 pt characters, plus the cells' 0.19 cm default margins each side) wrapped to
    所属党组/织 in a 62.35 pt column."""
    from lxml import etree

    data = render("party-card", sample_context("party-card"), "docx")
    body = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    grid = [int(c.get(f"{W}w")) for c in body.iter(f"{W}gridCol")]
    assert grid[0] >= (5 * 10.5 + 2 * 5.4) * 20 + 40, grid
    assert sum(grid) == 4876  # the table keeps its width on the card


@pytest.mark.slow
def test_the_cards_are_one_page_in_libreoffice_with_and_without_the_font_aliases(tmp_path):
    """LibreOffice with the system's fonts only (no alias for 仿宋_GB2312, 楷体_GB2312 …: what a server
    without the project's fontconfig has) and with the aliases: the 荣誉证书 is one sheet and the 党员证
    one card whose label 所属党组织 stays on one line."""
    import os
    import shutil
    import subprocess

    from service.documents.docx_render import fontconfig_file

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    plain = tmp_path / "plain-fonts.conf"
    plain.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
                     '<fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include></fontconfig>\n',
                     encoding="utf-8")
    card = dict(sample_context("party-card"), check_code="YU7RKN",
                organisation_path="市直机关工委 / 市财政局机关党委 / 市财政局预算科党支部")
    for name, conf in (("plain", plain), ("aliased", fontconfig_file(tmp_path))):
        out = tmp_path / name
        out.mkdir()
        paths = []
        for kind, ctx in (("party-card", card), ("honor-certificate", sample_context("honor-certificate"))):
            (out / f"{kind}.docx").write_bytes(render(kind, ctx, "docx"))
            paths.append(str(out / f"{kind}.docx"))
        subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(out), *paths],
                       check=True, capture_output=True, timeout=240, env=dict(os.environ, FONTCONFIG_FILE=str(conf)))
        pages = {}
        for kind in ("party-card", "honor-certificate"):
            with pdfplumber.open(out / f"{kind}.pdf") as pdf:
                pages[kind] = (len(pdf.pages), pdf.pages[0].extract_text() or "")
        assert {k: n for k, (n, _t) in pages.items()} == {"party-card": 1, "honor-certificate": 1}, (name, pages)
        assert any(ln.replace(" ", "").startswith("所属党组织") for ln in pages["party-card"][1].splitlines()), \
            (name, pages["party-card"][1])


def _task_book_table_dates_pdf(data: bytes) -> list[str]:
    """The 整改时限 cells of the 整改任务书's table (its last column), each as pdfplumber reads its lines."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        rows = [row for page in pdf.pages for table in page.extract_tables() for row in table]
    return [row[-1] for row in rows if row and row[-1] and row[-1].strip() != "整改时限"]


def test_a_task_books_deadlines_break_after_the_year_only():
    """整改时限 in the task book's table: 2026年 / 12月17日 in both renderers, never a figure split
    (2026年12/月17日 in the PDF and 2026年/12月17/日 in LibreOffice, in a 21.7 mm column)."""
    ctx = sample_context("rectification-taskbook")
    cells = _task_book_table_dates_pdf(render("rectification-taskbook", ctx, "pdf"))
    assert cells
    for cell in cells:
        lines = [squash(line) for line in cell.splitlines()]
        assert len(lines) == 2 and len(lines[0]) == 5 and lines[0].endswith("年") and lines[0][:4].isdigit(), cell
        assert lines[1][0].isdigit() and lines[1].endswith("日") and "月" in lines[1], cell
    body = zipfile.ZipFile(io.BytesIO(render("rectification-taskbook", ctx, "docx"))).read("word/document.xml").decode()
    assert body.count("年</w:t><w:br/>") == len(cells)
    assert "年\n" not in body
