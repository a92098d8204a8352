from decimal import Decimal

import pytest

from service.checks import eligibility as el
from service.checks.findings import load_config

CFG = load_config()


@pytest.mark.parametrize("count,ok", [(6, False), (7, True), (8, True), (0, False), (None, True)])
def test_members(count, ok):
    found = el.check_members(count, CFG)
    assert (found == []) is ok
    if not ok:
        assert found[0]["rule"] == "too_few_members" and found[0]["clause"] == "SZ-3.3"
        assert str(count) in found[0]["message"]


@pytest.mark.parametrize("score,ok", [
    (95.9, False), (95.99, False), (96, True), (96.0, True), ("96", True), (Decimal("95.999"), False),
    (100, True), (0, False),
])
def test_score_threshold(score, ok):
    found = el.check_score(score, CFG)
    assert (found == []) is ok
    if not ok:
        assert found[0]["rule"] == "score_below_threshold" and found[0]["clause"] == "SZ-1.2"


def test_score_threshold_is_configurable():
    assert el.check_score(95, load_config({"score_threshold": 95})) == []


@pytest.mark.parametrize("honor,directly,year,honor_year,rule_field", [
    ("unit_five_good", False, 2024, None, None),
    ("target_advanced", False, 2024, None, None),
    ("none", False, 2024, None, "prior_honor"),
    ("none", True, 2024, None, "prior_honor"),
    ("target_advanced", True, 2024, None, None),
    ("target_advanced", True, 2024, 2023, None),
    ("target_advanced", True, 2024, 2022, "prior_honor_year"),
    ("unit_five_good", True, 2024, None, "prior_honor"),
    (None, False, 2024, None, None),           # missing: completeness reports it
])
def test_prior_honor(honor, directly, year, honor_year, rule_field):
    found = el.check_prior_honor(honor, directly, year, CFG, honor_year)
    if rule_field is None:
        assert found == []
    else:
        assert [(f["rule"], f["field"], f["clause"]) for f in found] == [("no_prior_honor", rule_field, "SZ-1.1")]


def test_prior_honor_invalid_value():
    found = el.check_prior_honor("gold", False, 2024, CFG)
    assert found[0]["rule"] == "invalid_value"


def test_directly_under_messages_differ():
    a = el.check_prior_honor("none", True, 2024, CFG)[0]["message"]
    b = el.check_prior_honor("none", False, 2024, CFG)[0]["message"]
    assert "工委直属" in a and "工委直属" not in b


def test_facilities_one_finding_per_missing():
    found = el.check_facilities({"has_office": True, "has_equipment": False, "has_activity_room": False}, CFG)
    assert [f["field"] for f in found] == ["has_equipment", "has_activity_room"]
    assert all(f["rule"] == "facilities_incomplete" and f["severity"] == "error" for f in found)
    assert "设备" in found[0]["message"]
    # unknown (None) is a completeness matter, not a facilities finding
    assert el.check_facilities({"has_office": None, "has_equipment": True, "has_activity_room": True}, CFG) == []


@pytest.mark.parametrize("count,severity", [
    (999, "error"), (1000, "warning"), (1999, "warning"), (2000, None), (2500, None), (3000, None),
    (3001, "warning"), (5000, "warning"), (5001, "error"), (0, "error"),
])
def test_report_length(count, severity):
    found = el.check_report_length(count, CFG)
    if severity is None:
        assert found == []
    else:
        assert [(f["rule"], f["severity"]) for f in found] == [("report_length", severity)]
        assert str(count) in found[0]["message"]


def test_report_length_band_is_configurable():
    cfg = load_config({"report_length": {"warn_low": 2400, "warn_high": 2600}})
    assert el.check_report_length(2300, cfg)[0]["severity"] == "warning"
    assert el.check_report_length(2500, cfg) == []


@pytest.mark.parametrize("facts,members,rules", [
    ({}, 7, []),
    ({}, 6, ["natural_delisting"]),
    ({"dissolved": True}, 9, ["natural_delisting"]),
    ({"reorganised": "科室合并，人员调整过半"}, 9, ["natural_delisting"]),
    ({"violation": True}, 9, ["unconditional_delisting"]),
    ({"verified_complaint": True, "dissolved": True}, 9, ["natural_delisting", "unconditional_delisting"]),
    ({"violation": False, "dissolved": "否"}, 9, []),
])
def test_delisting(facts, members, rules):
    found = el.check_delisting(facts, members, CFG)
    assert sorted(f["rule"] for f in found) == sorted(rules)
    for f in found:
        assert f["clause"] == ("SZ-3.3" if f["rule"] == "natural_delisting" else "SZ-3.4")


def test_text_fact_in_message():
    found = el.check_delisting({"reorganised": "科室合并"}, None, CFG)
    assert "科室合并" in found[0]["message"]


@pytest.mark.parametrize("value,expected,bad", [
    (7, 7, False), ("7", 7, False), ("7.0", 7, False), ("7.5", None, True), ("七", None, True), (None, None, False),
])
def test_as_int(value, expected, bad):
    out = []
    assert el.as_int("member_count", value, CFG, out) == expected
    assert bool(out) is bad
