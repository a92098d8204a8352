import re
import shutil
import textwrap

import pytest

from service.vocabulary import DOMAINS

from service.checks.rubric import (DOMAIN_CODES, RUBRIC_DIR, RubricError, available_years, load_rubric,
                                   parse_rubric, score_items)

BASE = (RUBRIC_DIR / "2025.yaml").read_text(encoding="utf-8")


def test_2025_rubric_is_complete():
    r = load_rubric(2025)
    assert r.year == 2025 and set(r.domains) == set(DOMAIN_CODES)
    assert [d["key"] for d in r.dimensions] == ["leadership", "members", "mechanism", "performance", "reputation"]
    assert [g["name"] for g in r.grades] == ["好", "较好", "一般", "差"]
    for code in DOMAIN_CODES:
        d = r.domain(code)
        for dim in r.dimensions:
            assert sum(it["points"] for it in d["items"][dim["key"]]) == dim["max"]


def test_domain_emphasis_differs():
    r = load_rubric(2025)
    assert r.domain("rural")["items"]["leadership"][0]["id"] == "RL1"
    assert r.domain("soe")["items"]["members"][0]["id"] == "EM1"
    assert r.domain("community")["items"]["mechanism"][0]["id"] == "CM1"


def test_year_fallback_and_latest():
    assert load_rubric(2031).year == 2025
    assert load_rubric().year == max(available_years())
    with pytest.raises(FileNotFoundError):
        load_rubric(2019)


def test_admin_adds_next_year_without_code(tmp_path):
    shutil.copy(RUBRIC_DIR / "2025.yaml", tmp_path / "2025.yaml")
    text = BASE.replace("year: 2025", "year: 2026").replace(
        "{key: good, name: 好, min_total: 90, dimension_min_percent: 90}",
        "{key: good, name: 好, min_total: 92, dimension_min_percent: 90}")
    (tmp_path / "2026.yaml").write_text(text, encoding="utf-8")
    assert load_rubric(2026, tmp_path).grades[0]["min_total"] == 92
    assert load_rubric(2025, tmp_path).grades[0]["min_total"] == 90


def line_of(text, needle, nth=1):
    """1-based line number of the nth line containing needle."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[nth - 1]


def broken(old, new, count=1):
    assert old in BASE
    return BASE.replace(old, new, count)


def assert_rejected(text, line, words):
    with pytest.raises(RubricError) as exc:
        parse_rubric(text, "2025.yaml")
    msg = str(exc.value)
    assert f"2025.yaml 第{line}行" in msg, msg
    for w in words:
        assert w in msg, msg
    return exc.value


def test_points_do_not_add_up_names_the_list_line():
    text = broken("      text: 支部书记政治素质好、带头作用强，班子结构合理、配备齐全\n      points: 6",
                  "      text: 支部书记政治素质好、带头作用强，班子结构合理、配备齐全\n      points: 7")
    # reported once per domain that uses the shared list; the first is at the anchor's line
    err = assert_rejected(text, line_of(text, "leadership: &std_leadership"), ["合计21分", "满分20分"])
    assert len(err.problems) == 7


def test_yaml_syntax_error_names_line():
    text = broken("  - {key: members, name: 党员队伍好, max: 20}", "  - {key: members, name: 党员队伍好, max: 20")
    assert_rejected(text, line_of(text, "key: mechanism"), ["YAML语法错误"])


def test_unknown_domain():
    text = broken("  health:\n", "  hospital:\n")
    assert_rejected(text, line_of(text, "  hospital:"), ["未知的领域代码“hospital”"])
    assert "缺少领域“health”" in str(pytest.raises(RubricError, parse_rubric, text).value)


def test_duplicate_key():
    text = broken("  rural:\n    emphasis: 带头人队伍建设\n", "  rural:\n    emphasis: 带头人队伍建设\n    emphasis: 村\n")
    assert_rejected(text, line_of(text, "    emphasis: 村"), ["键“emphasis”重复"])


def test_domain_names_come_from_the_vocabulary_unless_the_file_names_them():
    assert {c: d["name"] for c, d in load_rubric(2025).domains.items()} == dict(DOMAINS)
    text = broken("  rural:\n    emphasis: 带头人队伍建设\n", "  rural:\n    name: 乡村\n    emphasis: 带头人队伍建设\n")
    assert parse_rubric(text, "2025.yaml").domain("rural")["name"] == "乡村"


def test_points_not_a_number():
    text = broken("      points: 8\n", "      points: 八\n")
    assert_rejected(text, line_of(text, "points: 八"), ["应为数字", "八"])


def test_grades_out_of_order():
    text = broken("{key: fair, name: 较好, min_total: 80, dimension_min_percent: 80}",
                  "{key: fair, name: 较好, min_total: 95, dimension_min_percent: 80}")
    assert_rejected(text, line_of(text, "min_total: 95"), ["从高到低"])


def test_cap_grade_unknown():
    text = broken("satisfaction_cap: {below_percent: 90, grade: average}",
                  "satisfaction_cap: {below_percent: 90, grade: mediocre}")
    assert_rejected(text, line_of(text, "grade: mediocre"), ["封顶等次“mediocre”"])


def test_deduction_needs_exactly_one_kind():
    text = broken("        - {text: 缺一项扣2分, per: 2}", "        - {text: 缺一项扣2分, per: 2, zero: true}")
    assert_rejected(text, line_of(text, "per: 2, zero"), ["有且只有"])


def test_deduction_larger_than_item():
    text = broken("        - {text: 缺一项扣2分, per: 2}", "        - {text: 缺一项扣2分, per: 9}")
    assert_rejected(text, line_of(text, "per: 9"), ["超过细则分值"])


def test_unknown_top_level_key_and_missing_year():
    text = BASE.replace("year: 2025\n", "yaer: 2025\n")
    err = assert_rejected(text, line_of(text, "yaer:"), ["未知的键“yaer”"])
    assert any("缺少“year”" in m for _, m in err.problems)


def test_merge_keys_refused():
    text = textwrap.dedent("""\
        year: 2025
        base: &b {key: good}
        dimensions: [{<<: *b, name: x, max: 20}]
        grades: [{key: poor, name: 差, min_total: 0}]
        domains: {}
        """)
    with pytest.raises(RubricError) as exc:
        parse_rubric(text, "x.yaml")
    assert "合并键" in str(exc.value) or "未知的键“base”" in str(exc.value)


def test_all_problems_reported_sorted():
    text = broken("      points: 8\n", "      points: -1\n")
    text = text.replace("  school:\n", "  school:\n    name: ''\n")
    with pytest.raises(RubricError) as exc:
        parse_rubric(text, "2025.yaml")
    lines = [p[0] for p in exc.value.problems]
    assert lines == sorted(lines) and len(lines) >= 2
    assert re.search(r"第\d+行：细则“P1”的分值应大于0", str(exc.value))


def test_score_items():
    d = load_rubric(2025).domain("organ")
    out = score_items(d, {"L3": {0: 2}, "L4": {0: 1}, "C1": {0: 40}, "ZZ": {0: 1}})
    assert out["dimensions"]["leadership"] == 20 - 1 - 4
    assert out["dimensions"]["mechanism"] == 20  # organ uses OM*, C1 is not one of its items
    assert out["unknown_items"] == ["C1", "ZZ"]
    assert out["total"] == 95


def test_score_items_floor_at_zero():
    d = load_rubric(2025).domain("community")
    out = score_items(d, {"C1": {0: 40}})
    assert out["dimensions"]["mechanism"] == 20  # community's mechanism items are CM*
    out = score_items(d, {"CM2": {0: 40}})
    assert out["dimensions"]["mechanism"] == 15  # CM2 (5 points) floors at 0
    assert out["total"] == 95


def test_cached_load_is_a_copy_and_sees_edits(tmp_path):
    import os
    p = tmp_path / "2025.yaml"
    p.write_text(BASE, encoding="utf-8")
    a = load_rubric(2025, tmp_path)
    a.grades[0]["min_total"] = 1
    assert load_rubric(2025, tmp_path).grades[0]["min_total"] == 90
    p.write_text(BASE.replace("min_total: 90,", "min_total: 91,"), encoding="utf-8")
    os.utime(p, ns=(p.stat().st_atime_ns, p.stat().st_mtime_ns + 10_000_000))
    assert load_rubric(2025, tmp_path).grades[0]["min_total"] == 91


def test_domain_grade_override_needs_its_cap():
    override = ("  school:\n    emphasis: 规范制度执行\n"
                "    grades:\n      - {key: good, name: 好, min_total: 92}\n      - {key: poor, name: 差, min_total: 0}\n")
    text = broken("  school:\n    emphasis: 规范制度执行\n", override)
    assert_rejected(text, line_of(text, "min_total: 92"), ["封顶等次“average”不在其中"])
    ok = broken("  school:\n    emphasis: 规范制度执行\n", override + "    satisfaction_cap: {below_percent: 90, grade: poor}\n")
    d = parse_rubric(ok, "2025.yaml").domain("school")
    assert d["grades"][0]["min_total"] == 92 and d["satisfaction_cap"]["grade"] == "poor"
    assert parse_rubric(ok, "2025.yaml").domain("health")["grades"][0]["min_total"] == 90
