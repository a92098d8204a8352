import csv
import json

import pytest
from click.testing import CliRunner

from service.checks.cli import check_command, rank_command

ACC = {"branch_name": "某局第一党支部", "parent_org": "某局机关党委", "domain": "organ", "secretary": "张三",
       "member_count": 9, "contact_person": "李四", "contact_phone": "123", "creation_started_on": "2024-03-20",
       "applied_on": "2025-03-25", "self_score_total": 96,
       "self_scores": {"leadership": 20, "members": 20, "mechanism": 16, "performance": 20, "reputation": 20}}


def write(tmp_path, name, obj):
    p = tmp_path / name
    p.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    return str(p)


def run(cmd, args):
    res = CliRunner().invoke(cmd, args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.output


def test_check_json_one_line(tmp_path):
    form = write(tmp_path, "acc.json", {"form": "acceptance", "fields": ACC})
    rep = write(tmp_path, "rep.json", {"form": "report", "fields": {"title": "汇报", "char_count": 2500}})
    out = run(check_command, [form, rep, "--json", "--as-of", "2025-04-01"])
    assert out.count("\n") == 1
    data = json.loads(out)
    assert {"form", "fields", "findings", "eligible", "grade"} <= set(data)
    assert data["form"] == "acceptance" and data["eligible"] is True
    assert data["grade"]["key"] == "fair" and data["grade"]["downgraded"]
    assert [f["rule"] for f in data["findings"]] == ["dimension_below_grade"]


def test_check_without_report_and_late(tmp_path):
    form = write(tmp_path, "acc.json", {"form": "acceptance", "fields": {**ACC, "applied_on": "2025-04-01"}})
    data = json.loads(run(check_command, [form, "--json", "--as-of", "2025-04-02"]))
    rules = {f["rule"] for f in data["findings"]}
    assert {"missing_report", "acceptance_window"} <= rules and data["eligible"] is False


def test_check_two_forms_is_an_error(tmp_path):
    a = write(tmp_path, "a.json", {"form": "acceptance", "fields": ACC})
    b = write(tmp_path, "b.json", {"form": "declaration", "fields": {}})
    data = json.loads(run(check_command, [a, b, "--json", "--as-of", "2025-04-01"]))
    assert data["findings"][0]["rule"] == "submission_files" and not data["eligible"]


def test_check_parse_errors_become_findings(tmp_path):
    a = write(tmp_path, "a.json", {"form": "unknown", "fields": {}, "errors": [{"code": "encrypted",
                                                                              "message": "文件已加密"}]})
    data = json.loads(run(check_command, [a, "--json"]))
    assert data["findings"][0]["rule"] == "parse_error" and "文件已加密" in data["findings"][0]["message"]


def test_check_human_output(tmp_path):
    form = write(tmp_path, "acc.json", {"form": "acceptance", "fields": {**ACC, "member_count": 6}})
    out = run(check_command, [form, "--as-of", "2025-04-01"])
    assert "不符合条件" in out and "too_few_members" in out and "SZ-3.3" in out


def test_check_real_docx(tmp_path):
    pytest.importorskip("docx")
    samples = pytest.importorskip("tests.samples")
    p = tmp_path / "decl.docx"
    p.write_bytes(samples.declaration_docx(members=6))
    data = json.loads(run(check_command, [str(p), "--json", "--as-of", "2026-03-20"]))
    assert data["form"] == "declaration"
    assert [f["rule"] for f in data["findings"]] == ["too_few_members"]


SHEET = [["支部名称", "领域", "总分", "领导班子好", "党员队伍好", "工作机制好", "工作业绩好", "群众反映好", "群众满意率"],
         ["甲", "国有企业", 95, 19, 19, 19, 19, 19, "95%"],
         ["乙", "国有企业", 88, 16, 18, 18, 18, 18, "92%"],
         ["丙", "国有企业", 70, 14, 14, 14, 14, 14, "91%"],
         ["丁", "国有企业", 70, 14, 14, 14, 14, 14, "85%"],
         ["戊", "机关", "91分", 17, 18, 18, 19, 19, ""],
         ["己", "机关", 85, 17, 17, 17, 17, 17, 0.8],
         ["庚", "机关", 85, 17, 17, 17, 17, 17, ""]]


def test_rank_csv(tmp_path):
    p = tmp_path / "scores.csv"
    with open(p, "w", newline="", encoding="utf-8-sig") as fh:
        csv.writer(fh).writerows(SHEET)
    data = json.loads(run(rank_command, [str(p), "--json", "--year", "2025"]))
    soe, organ = data["domains"]["soe"], data["domains"]["organ"]
    # 丙 and 丁 tie at 70 with the same weakest dimension: the lower 群众满意率 (85%) decides
    assert soe["quota"] == 1 and soe["laggards"] == ["丁"] and not soe["ties_at_cut"]
    # 庚 has no 群众满意率: the tie with 己 cannot be broken, both are listed and it is said
    assert organ["quota"] == 1 and organ["laggards"] == ["己", "庚"] and organ["ties_at_cut"]
    grades = {b["branch_name"]: b["grade_name"] for b in data["branches"]}
    # 乙: 88 with one dimension at exactly 16 (80% of 20) stays 较好; 戊 misses 好 on 17 < 18
    assert grades == {"甲": "好", "乙": "较好", "丙": "一般", "丁": "一般", "戊": "较好", "己": "一般", "庚": "较好"}


def test_rank_xlsx_text(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    for row in SHEET:
        wb.active.append(row)
    p = tmp_path / "scores.xlsx"
    wb.save(p)
    out = run(rank_command, [str(p), "--year", "2025"])
    assert "相对后进党支部" in out and "国有企业：4个支部，比例不低于10%，应确定1个，列入1个：丁" in out
    assert "同分" in out
    assert "戊：总分91分达到“好”档" in out and "降档评定为“较好”" in out


def test_rank_missing_columns(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("名字,分\n甲,90\n", encoding="utf-8")
    data = json.loads(run(rank_command, [str(p), "--json"]))
    assert {f["field"] for f in data["findings"]} == {"branch_name", "domain", "total"}
    assert data["branches"] == []


def test_check_unreadable_file(tmp_path):
    pytest.importorskip("parsers")
    p = tmp_path / "junk.docx"
    p.write_text("hello", encoding="utf-8")
    data = json.loads(run(check_command, [str(p), "--json"]))
    assert [f["rule"] for f in data["findings"]] == ["parse_error"] and data["eligible"] is False
