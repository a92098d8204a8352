"""Property-based tests of the normalisers (hypothesis) plus a few pinned examples."""
from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.forms import domain_labels, map_option, match_label
from parsers.normalize import (cn_to_int, norm_label, parse_bool, parse_checkboxes, parse_count, parse_date,
                               parse_number, symbol_char)

from .corpus import CN, cn_num, render_date

dates = st.dates(min_value=date(1950, 1, 1), max_value=date(2150, 12, 31))
DAY_STYLES = ["ymd_cn", "dot", "dot_pad", "slash", "iso", "cn_numeral"]


@given(dates, st.sampled_from(DAY_STYLES), st.sampled_from(["", " ", "\u3000", "\n"]))
def test_dates_round_trip_in_every_written_form(d, style, pad):
    text, iso = render_date(d, style)
    got = parse_date(pad + text + pad)
    assert got is not None and got[0].isoformat() == iso and got[1] == "day"


@given(dates)
def test_month_only_dates_have_month_precision(d):
    got = parse_date(f"{d.year}年{d.month}月")
    assert got == (date(d.year, d.month, 1), "month")


@given(dates, st.sampled_from(DAY_STYLES))
def test_dates_survive_a_line_break_anywhere(d, style):
    text, iso = render_date(d, style)
    cut = len(text) // 2
    got = parse_date(text[:cut] + "\n" + text[cut:])
    assert got is not None and got[0].isoformat() == iso


@given(st.text(max_size=30))
def test_parse_date_is_total(s):
    got = parse_date(s)
    assert got is None or isinstance(got[0], date)


@given(st.integers(min_value=0, max_value=99))
def test_chinese_numbers(n):
    assert cn_to_int(cn_num(n)) == n


@given(st.integers(min_value=1000, max_value=2999))
def test_chinese_digit_by_digit_years(y):
    assert cn_to_int("".join(CN[int(c)] for c in str(y))) == y


@given(st.integers(min_value=0, max_value=99999), st.sampled_from(["", "人", "名", " 人", "个"]),
       st.sampled_from(["", "共", "现有"]))
def test_counts_arabic(n, suffix, prefix):
    assert parse_count(f"{prefix}{n}{suffix}") == n


@given(st.integers(min_value=1, max_value=99), st.sampled_from(["人", "名", ""]))
def test_counts_chinese(n, suffix):
    assert parse_count(cn_num(n) + suffix) == n


@given(st.integers(min_value=0, max_value=999), st.sampled_from(["", ".5", ".25"]), st.sampled_from(["", "分"]),
       st.booleans())
def test_numbers(whole, frac, suffix, fullwidth):
    text = f"{whole}{frac}{suffix}"
    if fullwidth:
        text = text.translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
    assert parse_number(text) == float(f"{whole}{frac}")


LABELS = ["支部名称", "书记", "党员人数", "上级党组织", "所属党委", "联系电话", "创建工作方案概要", "领导班子好"]


@given(st.sampled_from(LABELS), st.sampled_from(["", " ", "\u3000", "  "]), st.sampled_from(["", ":", "：", " ：", "*"]),
       st.booleans())
def test_label_padding_and_colons_do_not_matter(label, pad, colon, vertical):
    sep = "\n" if vertical else pad
    written = sep.join(label) + colon
    assert norm_label(written) == label
    assert match_label(written, "acceptance" if label == "领导班子好" else "declaration") is not None


OPTIONS = list(domain_labels().values())
CHECKED = "☑√■☒✓✔"
UNCHECKED = "□☐"


@given(st.lists(st.sampled_from(OPTIONS), min_size=1, max_size=8, unique=True), st.data(),
       st.sampled_from(["  ", " ", "\u3000", "\n"]), st.booleans())
def test_checkbox_lists(options, data, sep, marks_after):
    ticked = data.draw(st.sets(st.sampled_from(options)))
    parts = []
    for opt in options:
        mark = data.draw(st.sampled_from(CHECKED if opt in ticked else UNCHECKED))
        parts.append(opt + mark if marks_after else mark + opt)
    got = parse_checkboxes(sep.join(parts))
    assert [(lab, chk) for lab, chk in got] == [(norm_label(o), o in ticked) for o in options]


@given(st.sampled_from(list(domain_labels().items())), st.sampled_from(["☑", "√", "■", "☒"]))
def test_single_ticked_domain_maps_to_its_code(item, mark):
    code, label = item
    text = "  ".join((mark if lab == label else "□") + lab for lab in OPTIONS)
    opts = [lab for lab, chk in parse_checkboxes(text) if chk]
    assert len(opts) == 1 and map_option("domain", opts[0])[0] == code


@given(st.sampled_from([("有", "无"), ("是", "否"), ("具备", "不具备")]), st.booleans(),
       st.sampled_from(["☑", "√", "■", "☒"]))
def test_booleans(words, value, mark):
    yes, no = words
    text = f"{mark if value else '□'}{yes}  {'□' if value else mark}{no}"
    assert parse_bool(text) is value
    assert parse_bool(yes if value else no) is value


def test_wingdings_symbols():
    assert symbol_char("Wingdings", 0xF0FE) == "☑"
    assert symbol_char("Wingdings", 0xF0A8) == "□"
    assert symbol_char("Wingdings 2", 0xF052) == "☑"
    assert parse_checkboxes("\uf0fe社区 \uf0a8农村") == [("社区", True), ("农村", False)]


def test_pinned_examples():
    assert parse_date("二〇二四年三月十五日")[0] == date(2024, 3, 15)
    assert parse_date("2024年3月")[0] == date(2024, 3, 1)
    assert parse_count("二十三名") == 23 and parse_count("23人") == 23
    assert parse_bool("☑有 □无") is True and parse_bool("□是 √否") is False
    assert parse_checkboxes("农村（√） 社区（ ）") == [("农村", True), ("社区", False)]


@settings(max_examples=300)
@given(st.text(max_size=40))
def test_normalisers_are_total(s):
    parse_count(s)
    parse_number(s)
    parse_bool(s)
    parse_checkboxes(s)
    norm_label(s)
    cn_to_int(s)
