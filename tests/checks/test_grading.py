from decimal import Decimal

import pytest

from service.checks.grading import base_grade, grade
from service.checks.rubric import load_rubric

RUB = load_rubric(2025).domain("organ")
KEYS = ("leadership", "members", "mechanism", "performance", "reputation")


def even(total):
    """Five equal dimension scores adding up to total."""
    return {k: Decimal(str(total)) / 5 for k in KEYS}


@pytest.mark.parametrize("total,expected", [
    (100, "good"), (90, "good"), (89.9, "fair"), (89.99, "fair"), (80, "fair"), (79.9, "average"),
    (60, "average"), (59.9, "poor"), (0, "poor"),
])
def test_total_to_grade(total, expected):
    g = grade(total, even(total), RUB)
    assert g["base_grade"] == expected
    assert g["grade"] == expected          # even dimensions never miss their grade
    assert g["findings"] == []


@pytest.mark.parametrize("dims,total,expected,missing", [
    # 好 needs every dimension >= 18 (90% of 20)
    ({"leadership": 18, "members": 18, "mechanism": 18, "performance": 18, "reputation": 18}, 90, "good", []),
    ({"leadership": 17.9, "members": 18.1, "mechanism": 18, "performance": 18, "reputation": 18}, 90, "fair",
     ["leadership"]),
    # two dimensions miss: still one level lower, two findings
    ({"leadership": 17, "members": 17, "mechanism": 20, "performance": 20, "reputation": 20}, 94, "fair",
     ["leadership", "members"]),
    # 较好 needs >= 16: a 15.9 drops it to 一般
    ({"leadership": 15.9, "members": 17, "mechanism": 17, "performance": 17, "reputation": 17}, 83.9, "average",
     ["leadership"]),
    ({"leadership": 16, "members": 16, "mechanism": 16, "performance": 16, "reputation": 16}, 80, "fair", []),
    # 一般 needs >= 12: an 11 drops it to 差
    ({"leadership": 11, "members": 13, "mechanism": 13, "performance": 13, "reputation": 13}, 63, "poor",
     ["leadership"]),
    # 差 has no requirement and nothing lower
    ({"leadership": 0, "members": 10, "mechanism": 10, "performance": 10, "reputation": 10}, 40, "poor", []),
    # a dimension very low under 好 still only costs one level (JH-2: 降档 one level)
    ({"leadership": 10, "members": 20, "mechanism": 20, "performance": 20, "reputation": 20}, 90, "fair",
     ["leadership"]),
])
def test_downgrade(dims, total, expected, missing):
    g = grade(total, dims, RUB)
    assert g["grade"] == expected
    found = [f for f in g["findings"] if f["rule"] == "dimension_below_grade"]
    assert [f["field"] for f in found] == missing
    assert g["downgraded"] is bool(missing)
    for f in found:
        assert f["clause"] == "JH-2" and "降档评定" in f["message"]


@pytest.mark.parametrize("sat,expected,capped", [
    (0.899, "average", True), (89.9, "average", True), (0.9, "good", False), (90, "good", False),
    (1, "good", False), (None, "good", False),
])
def test_satisfaction_cap(sat, expected, capped):
    g = grade(95, even(95), RUB, satisfaction=sat)
    assert g["grade"] == expected and g["capped"] is capped
    assert any(f["rule"] == "satisfaction_cap" for f in g["findings"]) is capped


def test_cap_does_not_raise_a_lower_grade():
    g = grade(50, even(50), RUB, satisfaction=0.5)
    assert g["grade"] == "poor" and not g["capped"]


def test_downgrade_and_cap_together():
    dims = {"leadership": 17, "members": 19, "mechanism": 19, "performance": 19, "reputation": 19}
    g = grade(93, dims, RUB, satisfaction=0.8)
    assert g["grade"] == "average" and g["downgraded"] and g["capped"]


def test_inconsistent_and_out_of_range():
    g = grade(90, {"leadership": 21, "members": 18, "mechanism": 18, "performance": 18, "reputation": 18}, RUB)
    rules = {f["rule"] for f in g["findings"]}
    assert "score_out_of_range" in rules and "score_inconsistent" in rules


def test_missing_dimensions_are_not_guessed():
    g = grade(92, {"leadership": 19}, RUB)
    assert g["grade"] == "good" and g["findings"] == []


def test_per_domain_grade_override():
    rub = load_rubric(2025).domain("rural")
    rub["grades"] = [{"key": "good", "name": "好", "min_total": 95, "dimension_min_percent": 90},
                     {"key": "poor", "name": "差", "min_total": 0}]
    assert base_grade(94, rub["grades"]) == 1
