"""The layouts of issue 17 on forms no reader knows, each in a small DOCX made here."""
from __future__ import annotations

import io

from docx import Document

import parsers


def _parse(build) -> list[tuple[str, str]]:
    doc = Document()
    doc.add_paragraph("登记表")
    build(doc)
    buf = io.BytesIO()
    doc.save(buf)
    result = parsers.parse_bytes(buf.getvalue(), "form.docx")
    assert result.ok and result.form == "unknown", result.errors
    return [(p["label"], p["value"]) for p in result.pairs]


def _table(doc, rows):
    t = doc.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            t.cell(i, j).text = text
    return t


def test_placeholder_values_are_values_not_labels():
    pairs = _parse(lambda d: _table(d, [["姓名", "name", "性别", "sex"], ["文化程度", "", "出生日期", "dateBirth"]]))
    assert ("姓名", "name") in pairs and ("性别", "sex") in pairs and ("出生日期", "dateBirth") in pairs
    assert ("文化程度", "") in pairs


def test_list_table_header_without_rows_and_records_below_a_header():
    pairs = _parse(lambda d: _table(d, [["支部", "姓名", "性别", "出生年月", "职务"]]))
    assert pairs == [("支部", ""), ("姓名", ""), ("性别", ""), ("出生年月", ""), ("职务", "")]
    pairs = _parse(lambda d: _table(d, [["会议时间", "会议主题", "出勤率"], ["2018-03-27", "学习党章", "85%"],
                                        ["2018-04-25", "主题党日", "90%"]]))
    assert ("会议时间", "2018-03-27") in pairs and ("会议时间", "2018-04-25") in pairs
    assert ("出勤率", "90%") in pairs


def test_two_labels_on_one_line_and_a_value_before_its_hint():
    def build(doc):
        doc.add_paragraph("部门负责人签字：          承诺人签字")
        doc.add_paragraph("中山大学数据科学与计算机学院党委 ：（上级党委名称）")
    pairs = _parse(build)
    assert ("部门负责人签字", "") in pairs and ("承诺人签字", "") in pairs
    assert ("上级党委名称", "中山大学数据科学与计算机学院党委") in pairs


def test_side_by_side_opinion_boxes_and_signature_lines():
    def build(doc):
        _table(doc, [["党支部意见：\n\n\n年  月  日", "基层党委意见：\n\n\n年  月  日"],
                     ["党支部预审意见", "支部书记签字（盖章）：        年  月  日"]])
    pairs = _parse(build)
    assert ("党支部意见", "") in pairs and ("基层党委意见", "") in pairs
    assert ("党支部预审意见", "") in pairs and ("支部书记签字(盖章)", "") in pairs


def test_heading_over_a_blank_area_and_long_labels():
    def build(doc):
        t = doc.add_table(rows=3, cols=2)
        t.cell(0, 0).text, t.cell(0, 1).text = "大学生团队或大学生法人代表占企业股份比", ""
        a = t.cell(1, 0).merge(t.cell(1, 1))
        a.text = "项目简介（不超过200字）"
        t.cell(2, 0).merge(t.cell(2, 1))
    pairs = _parse(build)
    assert ("大学生团队或大学生法人代表占企业股份比", "") in pairs
    assert ("项目简介(不超过200字)", "") in pairs


def test_a_vertical_group_label_is_not_the_value_below_a_row():
    def build(doc):
        t = doc.add_table(rows=3, cols=3)
        t.cell(0, 0).text, t.cell(0, 1).text, t.cell(0, 2).text = "推荐时间", "推荐地点", "参加人数"
        group = t.cell(1, 0).merge(t.cell(2, 0))
        group.text = "推\n荐\n结\n果"
        t.cell(1, 1).text, t.cell(1, 2).text = "投票情况", "发出推荐票 张"
    pairs = _parse(build)
    assert not [p for p in pairs if p[1].replace("\n", "") == "推荐结果"], pairs


def test_blank_template_furniture_reads_as_blank():
    pairs = _parse(lambda d: _table(d, [["出差时间", "年　　月　　日至　　年　　月　　日"], ["用地总面积", "公顷"]]))
    assert ("出差时间", "") in pairs and ("用地总面积", "") in pairs
