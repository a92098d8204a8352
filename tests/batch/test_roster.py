"""Roster parsing: header synonyms, bad rows with row numbers, both CSV encodings."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook

from service.batch.roster import OrgIndex, parse_roster
from service.demo_tree import TREE


def demo_index(root: str | None = None) -> OrgIndex:
    rows, next_id = [], [1]

    def walk(nodes, parent):
        for node in nodes:
            i = next_id[0]
            next_id[0] += 1
            rows.append((i, parent, node["name"], node["kind"], node.get("code")))
            walk(node.get("children", []), i)

    walk(TREE, None)
    return OrgIndex.from_rows(rows, next((r[0] for r in rows if r[2] == root), None) if root else None)


def test_branches_outside_the_issuing_organ_are_reported_with_row_numbers():
    text = ("姓名,所在支部\n王建国,城关社区党支部\n李秀英,市财政局预算科党支部\n张伟,火星党支部\n"
            "赵敏,大邱庄村党支部\n")
    roster = parse_roster(text.encode(), "r.csv", "party-card", demo_index("静海区委"))
    assert [(e.row, e.reason) for e in roster.errors] == [(3, "支部不在本机关管辖范围内：市财政局预算科党支部"),
                                                          (4, "未知的支部：火星党支部")]
    assert sorted(r.values["name"] for r in roster.rows) == sorted(["王建国", "赵敏"])


CSV = ("序号,党员姓名,性 别,所在党支部,入党日期,身份证号\n"
       "1,王建国,男,市财政局预算科党支部,2001年7月1日,120223198001010011\n"
       "2,,女,市财政局预算科党支部,2003.07.01,120223198001010022\n"
       "3,李秀英,女,不存在的党支部,2005/7/1,120223198001010033\n"
       "4,张伟,男,市财政局国库科党支部,2010-07-01,120223198001010011\n"
       "\n"
       "6,赵敏,女,市人民医院内科党支部,不详,120223198001010066\n"
       "7,刘洋,男,市财政局综合党支部,2012-7,120223198001010077\n")


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "utf-8-sig"])
def test_csv_bad_rows_and_encodings(encoding):
    roster = parse_roster(CSV.encode(encoding), "名册.csv", "party-card", demo_index())
    assert roster.encoding == encoding
    got = {(e.row, e.reason) for e in roster.errors}
    assert (3, "缺少姓名") in got
    assert (4, "未知的支部：不存在的党支部") in got
    assert (5, "重复的党员：与第2行相同") in got
    assert (7, "入党时间无法识别：不详") in got
    assert len(roster.errors) == 4
    assert [r.row for r in roster.rows] == [2, 8]
    first = roster.rows[0]
    assert first.values["name"] == "王建国" and first.values["joined_on"] == "2001-07-01"
    assert first.scope == "0101" and first.organisation_path == "市直机关工委 / 市财政局机关党委"
    assert roster.rows[1].values["joined_on"] == "2012-07"


def test_gb18030_only_characters_survive():
    text = "姓名,所在支部\n䶮𠮷,市财政局预算科党支部\n"
    roster = parse_roster(text.encode("gb18030"), "a.csv", "party-card", demo_index())
    assert roster.encoding == "gb18030"
    assert roster.rows[0].values["name"] == "䶮𠮷"


def test_xlsx_synonyms_padding_and_missing_column():
    wb = Workbook()
    ws = wb.active
    ws.append(["姓　　名", "支部名称：", "入党时间"])
    ws.append(["陈静", "市档案馆党支部", None])
    ws.append(["  ", "  "])
    ws.append(["周婷", "城关社区党支部", "2019年6月"])
    buf = io.BytesIO()
    wb.save(buf)
    roster = parse_roster(buf.getvalue(), "r.xlsx", "party-card", demo_index())
    assert not roster.errors
    assert [r.values["name"] for r in roster.rows] == ["陈静", "周婷"]
    # directly under the committee: the branch's own code stands for the party committee
    assert roster.rows[0].scope == "0103"
    assert roster.rows[1].scope == "1202"

    wb = Workbook()
    wb.active.append(["姓名", "性别"])
    wb.active.append(["陈静", "女"])
    buf = io.BytesIO()
    wb.save(buf)
    roster = parse_roster(buf.getvalue(), "r.xlsx", "party-card", demo_index())
    assert [(e.row, e.reason) for e in roster.errors] == [(1, "表头缺少必需的列：所在支部")]


def test_branch_roster_for_honor_certificates():
    text = "支部名称,荣誉称号\n市财政局预算科党支部,市直机关五好党支部\n市财政局预算科党支部,\n无此支部,\n"
    roster = parse_roster(text.encode(), "b.csv", "honor-certificate", demo_index())
    assert [(e.row, e.reason) for e in roster.errors] == [(3, "重复的党支部：与第2行相同"), (4, "未知的支部：无此支部")]
    assert roster.rows[0].values["parent_org"] == "市财政局机关党委"


def test_rows_sorted_by_branch_in_tree_order():
    text = "姓名,所在支部\n甲,区医院党支部\n乙,市财政局预算科党支部\n丙,区医院党支部\n丁,市财政局国库科党支部\n"
    roster = parse_roster(text.encode(), "s.csv", "party-card", demo_index())
    assert [r.values["name"] for r in roster.rows] == ["乙", "丁", "甲", "丙"]


@pytest.mark.parametrize("data, name", [
    (b"PK\x03\x04 a Word file saved as .xlsx", "名册.xlsx"),   # a ZIP that is no workbook
    ("姓名,所在支部\n张三,区医院党支部\n".encode("utf-16"), "名册.csv"),  # neither UTF-8 nor GB18030
])
def test_an_unreadable_roster_is_refused_in_plain_chinese(data, name):
    """What the clerk reads on the page and in the error report says what to do; openpyxl's or the codec's own
    English (File contains no valid workbook part, 'gb18030' codec can't decode …) is not passed on."""
    from service.batch.roster import RosterError

    with pytest.raises(RosterError) as refused:
        parse_roster(data, name, "party-card", demo_index())
    reason = refused.value.errors[0].reason
    assert "请" in reason and set(re.findall(r"[A-Za-z]+", reason)) <= {"XLSX", "CSV", "UTF", "GB", "Excel"}, reason
