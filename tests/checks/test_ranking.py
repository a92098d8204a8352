import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.checks.findings import load_config
from service.checks.ranking import quota, rank, select_bottom
from service.checks.rubric import load_rubric

RUB = load_rubric(2025)
CFG = load_config()


@pytest.mark.parametrize("n,pct,expected", [
    (0, 10, 0), (1, 10, 1), (1, 5, 1), (9, 10, 1), (10, 10, 1), (11, 10, 2), (20, 10, 2), (30, 10, 3),
    (20, 5, 1), (21, 5, 2), (40, 5, 2), (60, 5, 3), (100, 5, 5), (101, 5, 6), (3, 5, 1),
])
def test_quota_rounds_up_exactly(n, pct, expected):
    assert quota(n, pct) == expected


def test_float_trap():
    # a configured 7%: 0.07 * 100 == 7.000000000000001 in floats; the quota must still be 7
    assert math.ceil(0.07 * 100) == 8
    assert quota(100, 7) == 7 and quota(100, "7") == 7 and quota(101, 7) == 8


def rows(domain, totals):
    return [{"branch_name": f"{domain}{i}", "domain": domain, "total": t} for i, t in enumerate(totals)]


def test_rank_soe_ten_percent_and_others_five():
    data = rows("soe", list(range(70, 90))) + rows("organ", list(range(70, 90)))  # 20 each
    out = rank(data, RUB, CFG)
    assert out["domains"]["soe"]["quota"] == 2 and out["domains"]["soe"]["laggards"] == ["soe0", "soe1"]
    assert out["domains"]["organ"]["quota"] == 1 and out["domains"]["organ"]["laggards"] == ["organ0"]
    assert not out["domains"]["soe"]["ties_at_cut"]
    assert all(f["rule"] != "laggard_tie" for f in out["findings"])


def test_ties_at_cut_all_included_and_said():
    data = rows("nonpublic", [60, 70, 70, 70, 80, 85, 86, 87, 88, 89, 90])  # n=11 -> quota 2
    out = rank(data, RUB, CFG)
    d = out["domains"]["nonpublic"]
    assert d["quota"] == 2 and d["ties_at_cut"]
    assert d["laggards"] == ["nonpublic0", "nonpublic1", "nonpublic2", "nonpublic3"]
    tie = [f for f in out["findings"] if f["rule"] == "laggard_tie"]
    assert len(tie) == 1 and "3个党支部" in tie[0]["message"] and tie[0]["clause"] == "JH-3"
    positions = {b["branch_name"]: b["position"] for b in out["branches"] if b["laggard"]}
    assert positions == {"nonpublic0": 1, "nonpublic1": 2, "nonpublic2": 2, "nonpublic3": 2}


def test_ties_below_cut_do_not_add():
    data = rows("soe", [60, 60, 70, 80, 81, 82, 83, 84, 85, 86, 87])  # quota 2, the two 60s fill it
    d = rank(data, RUB, CFG)["domains"]["soe"]
    assert d["laggards"] == ["soe0", "soe1"] and not d["ties_at_cut"]


def test_small_domain_yields_one():
    out = rank(rows("school", [95]) + rows("health", [88, 91]), RUB, CFG)
    assert out["domains"]["school"]["laggards"] == ["school0"]
    assert out["domains"]["health"]["laggards"] == ["health0"]


def test_all_tied_small_domain():
    d = rank(rows("rural", [80, 80, 80]), RUB, CFG)["domains"]["rural"]
    assert d["quota"] == 1 and len(d["laggards"]) == 3 and d["ties_at_cut"]


def test_rank_grades_and_bad_rows():
    data = [{"branch_name": "甲", "domain": "organ", "total": 91,
             "dimensions": {"leadership": 17, "members": 18, "mechanism": 18, "performance": 19, "reputation": 19}},
            {"branch_name": "乙", "domain": "mars", "total": 80},
            {"branch_name": "丙", "domain": "organ", "total": "x"}]
    out = rank(data, RUB, CFG)
    a, b, c = out["branches"]
    assert a["grade"] == "fair" and a["downgraded"] and a["laggard"]
    assert b["grade"] is None and not b["laggard"] and c["grade"] is None
    assert {f["branch_name"] for f in out["findings"] if f["rule"] == "invalid_value"} == {"乙", "丙"}
    assert out["domains"]["organ"]["n"] == 1


scores = st.lists(st.integers(min_value=0, max_value=40).map(lambda x: Fraction(x, 2) + 60), min_size=0,
                  max_size=80)


@settings(max_examples=300, deadline=None)
@given(scores, st.sampled_from([5, 10, 7.5, 33]))
def test_property_exact_quota_or_more_only_on_ties(vals, pct):
    sel = select_bottom(vals, pct)
    k = math.ceil(Fraction(str(pct)) * len(vals) / 100)
    assert sel["quota"] == k
    chosen = sel["indices"]
    assert len(chosen) >= k
    if vals:
        assert k >= 1
    if len(chosen) > k:
        # every extra one ties the cut score, and so does the k-th
        cut = sel["cut_score"]
        assert sorted(vals[i] for i in chosen)[k - 1] == cut
        assert all(vals[i] == cut for i in chosen[k:])
    # nothing outside the selection scores lower than or equal to the cut
    if chosen:
        assert all(vals[i] > sel["cut_score"] for i in range(len(vals)) if i not in chosen)
        assert all(vals[i] <= sel["cut_score"] for i in chosen)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=60, unique=True))
def test_property_distinct_scores_exact(vals):
    sel = select_bottom(vals, 10)
    assert len(sel["indices"]) == math.ceil(len(vals) / 10)
    assert sel["tied_extra"] == 0
    assert sorted(vals[i] for i in sel["indices"]) == sorted(vals)[:len(sel["indices"])]


def _dims(weakest):
    """Five dimensions summing to 80 with the weakest at `weakest` of 20 (the rest spread evenly)."""
    rest = (80 - weakest) / 4
    return {"leadership": weakest, "members": rest, "mechanism": rest, "performance": rest, "reputation": rest}


def test_twenty_tied_at_cut_are_broken_by_weakest_dimension_then_satisfaction():
    # 20 rural branches all at 80: quota 1 (5%). Before, all 20 became 相对后进.
    data = [{"branch_name": f"村{i}", "domain": "rural", "total": 80, "dimensions": _dims(16),
             "satisfaction": 95} for i in range(20)]
    data[7]["dimensions"] = _dims(12)  # weakest dimension 12/20 = 0.6: the lowest
    data[3]["dimensions"] = _dims(12)
    data[3]["satisfaction"] = 90   # same weakest, lower 群众满意率
    out = rank(data, RUB, CFG)
    d = out["domains"]["rural"]
    assert d["laggards"] == ["村3"] and not d["ties_at_cut"]
    assert d["tie_breakers"] == ["最低维度得分率", "群众满意率"]
    (f,) = [f for f in out["findings"] if f["rule"].startswith("laggard_tie")]
    assert f["rule"] == "laggard_tie_broken" and "20个党支部同分" in f["message"]
    assert "最低维度得分率、群众满意率较低者" in f["message"]


def test_still_tied_are_all_listed_and_said():
    data = [{"branch_name": f"村{i}", "domain": "rural", "total": 80, "dimensions": _dims(16),
             "satisfaction": 95} for i in range(20)]
    data[5]["dimensions"] = _dims(12)
    data[9]["dimensions"] = _dims(12)
    out = rank(data, RUB, CFG)
    d = out["domains"]["rural"]
    assert d["laggards"] == ["村5", "村9"] and d["ties_at_cut"]
    (f,) = [f for f in out["findings"] if f["rule"] == "laggard_tie"]
    assert "依次比较最低维度得分率、群众满意率后仍有2个党支部无法区分" in f["message"]
    assert "请审核人确认名单" in f["message"]


def test_a_missing_satisfaction_does_not_count_as_good():
    data = [{"branch_name": f"村{i}", "domain": "rural", "total": 80, "dimensions": _dims(16),
             "satisfaction": 95} for i in range(3)]
    del data[1]["satisfaction"]
    d = rank(data, RUB, CFG)["domains"]["rural"]
    assert d["laggards"] == ["村0", "村1", "村2"] and d["tie_breakers"] == ["最低维度得分率"]


def test_tie_breakers_are_configurable():
    data = [{"branch_name": f"村{i}", "domain": "rural", "total": 80, "dimensions": _dims(16 - i),
             "satisfaction": 90 + i} for i in range(3)]
    assert rank(data, RUB, CFG)["domains"]["rural"]["laggards"] == ["村2"]
    cfg = load_config({"laggard_tie_breakers": ["satisfaction"]})
    assert rank(data, RUB, cfg)["domains"]["rural"]["laggards"] == ["村0"]
    assert rank(data, RUB, load_config({"laggard_tie_breakers": []}))["domains"]["rural"]["laggards"] == \
        ["村0", "村1", "村2"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(70, 72), st.one_of(st.none(), st.integers(0, 3)),
                          st.integers(0, 3)), min_size=1, max_size=40), st.sampled_from([5, 10, 33]))
def test_property_breakers_keep_quota_and_order(items, pct):
    totals = [t for t, _, _ in items]
    b1 = [a for _, a, _ in items]
    b2 = [b for _, _, b in items]
    sel = select_bottom(totals, pct, [b1, b2])
    chosen = set(sel["indices"])
    assert len(chosen) >= sel["quota"]
    # nobody left out is strictly below anyone chosen by (total, applied breakers)
    used = [[b1, b2][t] for t in sel["breakers_used"]]
    key = lambda i: (totals[i], *(v[i] for v in used))  # noqa: E731
    for i in range(len(totals)):
        if i not in chosen:
            assert all(key(i) >= key(j) for j in chosen)
    if len(chosen) > sel["quota"] and all(None not in key(j) for j in chosen):
        # (an unknown breaker value keeps the tied branches listed; such keys have no order)
        worst = max(key(j) for j in chosen)
        assert sum(1 for j in chosen if key(j) == worst) > 1
