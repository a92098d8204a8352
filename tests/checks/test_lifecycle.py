import datetime as dt

import pytest

from service.checks.lifecycle import (TransitionRefused, allowed_events, cycle_status, machine, state_name,
                                      transition)

D = dt.date.fromisoformat
DECLARE = {"member_count": 10, "prior_honor": "unit_five_good", "has_office": True, "has_equipment": True,
           "has_activity_room": True}

# One cycle in each state, with the dates it would have by then.
CYCLES = {
    None: {"state": None},
    "forecast": {"state": "forecast", "declared_on": "2024-03-10", "facts": {"member_count": 10}},
    "creating": {"state": "creating", "declared_on": "2024-03-10", "creation_started_on": "2024-03-20",
                 "facts": {"member_count": 10}},
    "acceptance_applied": {"state": "acceptance_applied", "declared_on": "2024-03-10",
                           "creation_started_on": "2024-03-20", "applied_on": "2025-03-25",
                           "facts": {"member_count": 10}},
    "assessing": {"state": "assessing", "declared_on": "2024-03-10", "creation_started_on": "2024-03-20",
                  "applied_on": "2025-03-25", "facts": {"member_count": 10}},
    "commended": {"state": "commended", "commended_on": "2025-06-28", "term_starts_on": "2025-06-28",
                  "term_ends_on": "2029-06-28", "facts": {"member_count": 10}},
    "in_term": {"state": "in_term", "commended_on": "2025-06-28", "term_starts_on": "2025-06-28",
                "term_ends_on": "2029-06-28", "facts": {"member_count": 10}},
    "rectifying": {"state": "rectifying", "commended_on": "2025-06-28", "term_starts_on": "2025-06-28",
                   "term_ends_on": "2029-06-28",
                   "facts": {"member_count": 10, "rectify_deadline": "2026-09-30", "rectify_reason": "台账不全"}},
    "expired": {"state": "expired", "commended_on": "2021-06-28", "ended_on": "2025-06-28"},
    "delisted": {"state": "delisted", "ended_on": "2026-01-01"},
    "revoked": {"state": "revoked", "ended_on": "2026-01-01"},
}

# A legal call of each allowed (state, event): (as_of, facts, new_state, expected dates_changed subset)
LEGAL = {
    (None, "declare"): ("2024-03-10", DECLARE, "forecast", {"declared_on": D("2024-03-10")}),
    ("forecast", "start_creation"): ("2024-03-20", {"plan_summary": "方案"}, "creating",
                                     {"creation_started_on": D("2024-03-20")}),
    ("creating", "apply_acceptance"): ("2025-03-20", {"report_char_count": 2500}, "acceptance_applied",
                                       {"applied_on": D("2025-03-20")}),
    ("acceptance_applied", "start_assessment"): ("2025-04-10", {}, "assessing", {}),
    ("assessing", "fail_assessment"): ("2025-05-10", {"assessment_score": 92}, "creating",
                                       {"assessed_on": D("2025-05-10"), "applied_on": None}),
    ("assessing", "commend"): ("2025-06-28", {"assessment_score": 96}, "commended",
                               {"commended_on": D("2025-06-28"), "term_starts_on": D("2025-06-28"),
                                "term_ends_on": D("2029-06-28")}),
    ("commended", "award_plaque"): ("2025-07-01", {}, "in_term", {}),
    ("commended", "delist"): ("2025-08-01", {"dissolved": True}, "delisted", {"ended_on": D("2025-08-01")}),
    ("in_term", "annual_review"): ("2026-11-20", {}, "in_term", {"facts": {"annual_reports": {"2026": "2026-11-20"}}}),
    ("in_term", "order_rectification"): ("2026-05-01", {"reason": "群众投诉", "rectify_deadline": "2026-08-01"},
                                         "rectifying", {}),
    ("in_term", "delist"): ("2026-05-01", {"member_count": 6}, "delisted", {"ended_on": D("2026-05-01")}),
    ("in_term", "expire"): ("2029-06-29", {}, "expired", {"ended_on": D("2029-06-28")}),
    ("rectifying", "rectified"): ("2026-09-01", {}, "in_term", {}),
    ("rectifying", "revoke"): ("2026-10-10", {"reason": "整改不力"}, "revoked",
                               {"ended_on": D("2026-10-10"), "end_reason": "整改不力"}),
    ("rectifying", "delist"): ("2026-06-01", {"verified_complaint": True}, "delisted", {}),
    ("rectifying", "expire"): ("2029-07-01", {}, "expired", {}),
}


def test_yaml_consistent_and_table_covers_every_allowed_transition():
    m = machine()
    allowed = {(s, e) for e, ev in m["events"].items() for s in ev["from"]}
    assert allowed == set(LEGAL)
    assert set(CYCLES) - {None} == set(m["states"])


@pytest.mark.parametrize("key", sorted(LEGAL, key=str))
def test_legal_transition(key):
    state, event = key
    as_of, facts, new_state, dates = LEGAL[key]
    t = transition(CYCLES[state], event, as_of, facts)
    assert t.new_state == new_state
    for k, v in dates.items():
        assert t.dates_changed[k] == v
    assert not any(f["severity"] == "error" for f in t.findings) or machine()["events"][event].get("blocking") is False


ILLEGAL = [(s, e) for s in CYCLES for e in machine()["events"] if (s, e) not in LEGAL]


@pytest.mark.parametrize("state,event", ILLEGAL, ids=[f"{s}-{e}" for s, e in ILLEGAL])
def test_illegal_transition_refused(state, event):
    with pytest.raises(TransitionRefused) as exc:
        transition(CYCLES[state], event, "2025-03-20", {**DECLARE, "assessment_score": 99, "reason": "x",
                                                        "plan_summary": "x", "report_char_count": 2500})
    e = exc.value
    assert e.findings[0]["rule"] == "illegal_transition"
    assert state_name(state) in e.reason and "不能进行" in e.reason


def test_terminal_states_allow_nothing():
    for s in ("expired", "delisted", "revoked"):
        assert allowed_events(s) == []


def test_unknown_event_and_state():
    with pytest.raises(TransitionRefused, match="未知的操作"):
        transition({"state": None}, "fly", "2024-03-10", {})
    with pytest.raises(TransitionRefused, match="未知的状态"):
        transition({"state": "limbo"}, "declare", "2024-03-10", {})


# Guards: (state, event, as_of, facts, rule in the refusal)
REFUSED = [
    (None, "declare", "2024-04-01", DECLARE, "declaration_window"),
    (None, "declare", "2025-03-10", DECLARE, "declaration_window"),
    (None, "declare", "2024-03-10", {**DECLARE, "member_count": 6}, "too_few_members"),
    (None, "declare", "2024-03-10", {**DECLARE, "prior_honor": "none"}, "no_prior_honor"),
    (None, "declare", "2024-03-10", {**DECLARE, "has_office": False}, "facilities_incomplete"),
    (None, "declare", "2024-03-10", {k: v for k, v in DECLARE.items() if k != "prior_honor"},
     "transition_fact_missing"),
    ("forecast", "start_creation", "2024-03-20", {}, "transition_fact_missing"),
    ("forecast", "start_creation", "2024-03-20", {"plan_summary": "x", "creation_started_on": "2024-03-01"},
     "invalid_value"),
    ("creating", "apply_acceptance", "2025-03-19", {"report_char_count": 2500}, "creation_period_short"),
    ("creating", "apply_acceptance", "2025-04-01", {"report_char_count": 2500}, "acceptance_window"),
    ("creating", "apply_acceptance", "2025-03-25", {}, "missing_report"),
    ("creating", "apply_acceptance", "2025-03-25", {"report_char_count": 800}, "report_length"),
    ("creating", "apply_acceptance", "2025-03-25", {"report_char_count": 2500, "member_count": 6},
     "too_few_members"),
    ("assessing", "commend", "2025-06-28", {"assessment_score": 95.9}, "score_below_threshold"),
    ("assessing", "commend", "2025-06-28", {}, "transition_fact_missing"),
    ("in_term", "annual_review", "2029-07-01", {}, "term_expired"),
    ("in_term", "order_rectification", "2026-05-01", {"reason": "x", "rectify_deadline": "2026-04-01"},
     "invalid_value"),
    ("in_term", "order_rectification", "2026-05-01", {"reason": "x"}, "transition_fact_missing"),
    ("rectifying", "revoke", "2026-10-10", {}, "transition_fact_missing"),
]


@pytest.mark.parametrize("state,event,as_of,facts,rule", REFUSED)
def test_guard_refuses_with_reason(state, event, as_of, facts, rule):
    with pytest.raises(TransitionRefused) as exc:
        transition(CYCLES[state], event, as_of, facts)
    assert rule in {f["rule"] for f in exc.value.findings}
    assert exc.value.reason  # a Chinese reason
    assert exc.value.state == state and exc.value.event == event


def test_acceptance_boundary_31_march_passes_1_april_refused():
    t = transition(CYCLES["creating"], "apply_acceptance", "2025-03-31", {"report_char_count": 2500})
    assert t.new_state == "acceptance_applied"
    with pytest.raises(TransitionRefused):
        transition(CYCLES["creating"], "apply_acceptance", "2025-04-01", {"report_char_count": 2500})


def test_report_length_warning_does_not_block():
    t = transition(CYCLES["creating"], "apply_acceptance", "2025-03-25", {"report_char_count": 1800})
    assert [f["rule"] for f in t.findings] == ["report_length"]


def test_commend_after_july_warns_but_passes():
    t = transition(CYCLES["assessing"], "commend", "2025-07-02", {"assessment_score": 97})
    assert [f["rule"] for f in t.findings] == ["commendation_window"]
    assert t.dates_changed["term_ends_on"] == D("2029-07-02")


def test_explicit_date_in_facts():
    t = transition(CYCLES["assessing"], "commend", "2025-07-10", {"assessment_score": 97,
                                                                  "commended_on": "2025-06-30"})
    assert t.dates_changed["commended_on"] == D("2025-06-30") and t.findings == []


def test_fail_assessment_records_reason_without_refusing():
    t = transition(CYCLES["assessing"], "fail_assessment", "2025-05-10", {"assessment_score": 92})
    assert [f["rule"] for f in t.findings] == ["score_below_threshold"]


def test_delist_needs_grounds_and_names_them():
    with pytest.raises(TransitionRefused, match="摘牌"):
        transition(CYCLES["in_term"], "delist", "2026-05-01", {})
    t = transition(CYCLES["in_term"], "delist", "2026-05-01", {"violation": True, "member_count": 5})
    assert {f["rule"] for f in t.findings} == {"natural_delisting", "unconditional_delisting"}
    assert "SZ-3.4" in t.dates_changed["end_reason"] and "SZ-3.3" in t.dates_changed["end_reason"]


def test_expire_refused_within_term():
    with pytest.raises(TransitionRefused, match="尚在届期内") as refused:
        transition(CYCLES["in_term"], "expire", "2029-06-28", {})
    # dates as people write them (issue 11: the refusal read 届期至2029-07-01届满)
    assert "届期至2029年6月28日届满，核查日期2029年6月28日" in refused.value.reason
    t = transition(CYCLES["in_term"], "expire", "2029-06-29", {})
    assert t.findings[0]["rule"] == "term_expired" and t.findings[0]["severity"] == "info"


def test_annual_review_late_warns():
    t = transition(CYCLES["in_term"], "annual_review", "2026-12-02", {"year": 2026})
    assert [(f["rule"], f["severity"]) for f in t.findings] == [("annual_report_due", "warning")]


def test_rectified_late_warns():
    t = transition(CYCLES["rectifying"], "rectified", "2026-10-01", {})
    assert [f["rule"] for f in t.findings] == ["rectification_overdue"]
    assert t.dates_changed["facts"]["rectify_deadline"] is None


def test_full_cycle_end_to_end():
    cycle = {"state": None, "facts": {}}
    steps = [("declare", "2024-03-12", DECLARE), ("start_creation", "2024-03-25", {"plan_summary": "方案"}),
             ("apply_acceptance", "2025-03-28", {"report_char_count": 2600}), ("start_assessment", "2025-04-15", {}),
             ("commend", "2025-06-25", {"assessment_score": 97.5}), ("award_plaque", "2025-06-30", {}),
             ("annual_review", "2025-11-25", {}), ("annual_review", "2026-11-25", {}),
             ("expire", "2029-06-26", {})]
    for event, as_of, facts in steps:
        t = transition(cycle, event, as_of, facts)
        changes = dict(t.dates_changed)
        new_facts = {**cycle.get("facts", {}), **facts, **changes.pop("facts", {})}
        cycle = {**cycle, **{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in changes.items()},
                 "state": t.new_state, "facts": new_facts}
    assert cycle["state"] == "expired" and cycle["ended_on"] == "2029-06-25"
    assert cycle["facts"]["annual_reports"] == {"2025": "2025-11-25", "2026": "2026-11-25"}


def test_cycle_status():
    c = {**CYCLES["in_term"], "facts": {"member_count": 6, "annual_reports": {"2025": "2025-11-01"}}}
    rules = [(f["rule"], f["severity"]) for f in cycle_status(c, "2026-12-01")]
    assert ("annual_report_due", "warning") in rules and ("natural_delisting", "error") in rules
    assert ("term_expired", "error") in [(f["rule"], f["severity"]) for f in cycle_status(c, "2029-07-01")]
    r = [f["rule"] for f in cycle_status(CYCLES["rectifying"], "2026-10-01")]
    assert "rectification_overdue" in r
    assert cycle_status(CYCLES["creating"], "2026-10-01") == []


def test_commendation_must_be_in_the_acceptance_year():
    t = transition(CYCLES["assessing"], "commend", "2027-06-01", {"assessment_score": 97})
    assert [f["rule"] for f in t.findings] == ["commendation_window"]
    assert "2025年7月1日" in t.findings[0]["message"]
