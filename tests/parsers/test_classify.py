"""The form kind comes from the content (title, labels), never from the file name."""
from __future__ import annotations

import io

from docx import Document

import parsers


def _docx(build) -> bytes:
    doc = Document()
    build(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_file_name_is_ignored(generated_corpus):
    directory, _ = generated_corpus
    data = (directory / "declaration_02.docx").read_bytes()
    for name in ("验收申请表.docx", "brand.pdf", "report.doc", ""):
        assert parsers.parse_bytes(data, name).form == "declaration"


def test_kind_from_labels_when_the_title_is_missing():
    def build(doc):
        t = doc.add_table(rows=4, cols=2)
        for r, (k, v) in enumerate([("支部名称", "市统计局第一党支部"), ("支部书记", "王芳"),
                                    ("品牌名称", "红色引擎"), ("品牌简介", "以党建引领社区治理。")]):
            t.cell(r, 0).text, t.cell(r, 1).text = k, v
    r = parsers.parse_bytes(_docx(build), "x.docx")
    assert r.form == "brand" and r.fields["brand_name"] == "红色引擎"
    assert r.provenance["brand_name"] == {"source": "docx", "table": 0, "row": 2, "cell": 1,
                                          "confidence": r.provenance["brand_name"]["confidence"]}


def test_unknown_forms_keep_their_generic_pairs():
    def build(doc):
        doc.add_paragraph("车辆通行证申请表")
        t = doc.add_table(rows=2, cols=4)
        for r, row in enumerate([("申请人", "李雷", "车牌号", "豫A12345"), ("事由", "运送物资", "日期", "2024-03-15")]):
            for c, v in enumerate(row):
                t.cell(r, c).text = v
    r = parsers.parse_bytes(_docx(build), "x.docx")
    assert r.form == "unknown" and r.ok and r.fields == {} and r.missing == []
    assert {p["label"]: p["value"] for p in r.pairs} == {"申请人": "李雷", "车牌号": "豫A12345", "事由": "运送物资",
                                                         "日期": "2024-03-15"}


def test_report_without_the_word_in_its_title():
    def build(doc):
        doc.add_paragraph("坚持党建引领 建设过硬支部")
        for h in ("一、基本情况", "二、主要做法", "三、取得成效"):
            doc.add_paragraph(h)
            doc.add_paragraph("我们党支部严格落实“三会一课”制度，扎实开展主题党日活动，" * 8)
    r = parsers.parse_bytes(_docx(build), "x.docx")
    assert r.form == "report"
    assert r.fields["title"] == "坚持党建引领建设过硬支部" or r.fields["title"] == "坚持党建引领 建设过硬支部"
    assert r.fields["headings"] == ["一、基本情况", "二、主要做法", "三、取得成效"]


def test_prose_that_is_not_a_report_is_unknown():
    def build(doc):
        doc.add_paragraph("关于召开年度工作会议的通知")
        doc.add_paragraph("各科室：定于下周一上午九点在三楼会议室召开年度工作会议，请准时参加。")
    assert parsers.parse_bytes(_docx(build), "x.docx").form == "unknown"


def test_title_in_the_page_header():
    def build(doc):
        doc.sections[0].header.paragraphs[0].text = "市直机关“五好党支部”验收申请表"
        t = doc.add_table(rows=3, cols=2)
        for r, (k, v) in enumerate([("支部名称", "市统计局第一党支部"), ("支部书记", "王芳"), ("申请日期", "2025年3月20日")]):
            t.cell(r, 0).text, t.cell(r, 1).text = k, v
    r = parsers.parse_bytes(_docx(build), "x.docx")
    assert r.form == "acceptance" and r.fields["applied_on"] == "2025-03-20"


def test_strict_ooxml_namespace(generated_corpus):
    import zipfile
    directory, _ = generated_corpus
    src = zipfile.ZipFile(directory / "brand_00.docx")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
                                    b"http://purl.oclc.org/ooxml/wordprocessingml/main")
            z.writestr(info.filename, data)
    strict = parsers.parse_bytes(out.getvalue(), "strict.docx")
    normal = parsers.parse_path(directory / "brand_00.docx")
    assert strict.ok and strict.fields == normal.fields
