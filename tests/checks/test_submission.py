import datetime as dt

import pytest

from service.checks import check_submission
from service.checks.completeness import check_completeness
from service.checks.findings import load_config, rules

CFG = load_config()

COMMON = {"branch_name": "市直机关某局第一党支部", "parent_org": "某局机关党委", "domain": "organ",
          "secretary": "张三", "member_count": 12, "contact_person": "李四", "contact_phone": "0571-88888888"}
DECL = {**COMMON, "declared_on": "2024-03-15", "prior_honor": "unit_five_good", "directly_under": False,
        "has_office": True, "has_equipment": True, "has_activity_room": True, "plan_summary": "指导思想：以习近平新时代中国特色社会主义思想为指导，坚持党建引领。目标任务：力争年底前创成“五好党支部”。具体措施：每月8日开展主题党日，落实“三会一课”制度。工作要求：支部书记为第一责任人，确保创建取得实效。"}
ACC = {**COMMON, "creation_started_on": "2024-03-20", "applied_on": "2025-03-25", "self_score_total": 97,
       "self_scores": {"leadership": 19.5, "members": 19.5, "mechanism": 19, "performance": 19.5,
                       "reputation": 19.5}}
REPORT = {"title": "创建“五好党支部”工作汇报", "char_count": 2480}


def rule_set(result):
    return sorted({f["rule"] for f in result["findings"]})


def test_rule_catalogue_has_required_codes_with_clauses():
    required = {"missing_field", "missing_report", "report_length", "too_few_members", "score_below_threshold",
                "dimension_below_grade", "no_prior_honor", "facilities_incomplete", "creation_period_short",
                "declaration_window", "acceptance_window", "term_expired", "natural_delisting",
                "unconditional_delisting"}
    cat = rules()
    assert required <= set(cat)
    for spec in cat.values():
        assert spec["severity"] in ("error", "warning", "info")
        assert spec["clause"].startswith(("SZ-", "JH-", "SQ-"))


def test_clean_declaration():
    r = check_submission("declaration", DECL, as_of="2024-03-20")
    assert r["findings"] == [] and r["eligible"] is True and r["grade"] is None
    assert set(r) == {"form", "fields", "findings", "eligible", "grade"}


@pytest.mark.parametrize("change,rule,field", [
    ({"member_count": 6}, "too_few_members", "member_count"),
    ({"prior_honor": "none"}, "no_prior_honor", "prior_honor"),
    ({"directly_under": True}, "no_prior_honor", "prior_honor"),
    ({"has_activity_room": False}, "facilities_incomplete", "has_activity_room"),
    ({"declared_on": "2025-03-15"}, "declaration_window", "declared_on"),
    ({"declared_on": "2024-04-01"}, "declaration_window", "declared_on"),
    ({"plan_summary": ""}, "missing_field", "plan_summary"),
    ({"member_count": "十二"}, "invalid_value", "member_count"),
    ({"declared_on": "2024/03/15"}, "invalid_value", "declared_on"),
])
def test_declaration_errors(change, rule, field):
    r = check_submission("declaration", {**DECL, **change}, as_of="2024-03-31")
    assert r["eligible"] is False
    assert (rule, field) in {(f["rule"], f["field"]) for f in r["findings"]}


def test_declaration_date_missing_uses_as_of_for_window():
    fields = {k: v for k, v in DECL.items() if k != "declared_on"}
    r = check_submission("declaration", fields, as_of="2024-03-10")
    assert rule_set(r) == ["missing_field"]
    r = check_submission("declaration", fields, as_of="2024-05-10")
    assert rule_set(r) == ["declaration_window", "missing_field"]


def test_future_date_warns():
    r = check_submission("declaration", DECL, as_of="2024-03-01")
    assert rule_set(r) == ["date_in_future"] and r["eligible"] is True


def test_clean_acceptance():
    r = check_submission("acceptance", ACC, REPORT, as_of="2025-03-31")
    assert r["findings"] == [] and r["eligible"] is True
    assert r["grade"]["key"] == "good" and r["grade"]["rubric_year"] == 2025 and not r["grade"]["downgraded"]


@pytest.mark.parametrize("change,report,rule,severity", [
    ({"self_score_total": 95.9, "self_scores": {**ACC["self_scores"], "reputation": 18.4}}, REPORT,
     "score_below_threshold", "error"),
    ({"member_count": 6}, REPORT, "too_few_members", "error"),
    ({"applied_on": "2025-04-01"}, REPORT, "acceptance_window", "error"),
    ({"applied_on": "2024-03-25", "creation_started_on": "2023-03-01"}, REPORT, "acceptance_window", "error"),
    ({"creation_started_on": "2024-03-26"}, REPORT, "creation_period_short", "error"),
    ({}, None, "missing_report", "error"),
    ({}, {"title": "汇报", "char_count": 900}, "report_length", "error"),
    ({}, {"title": "汇报", "char_count": 1800}, "report_length", "warning"),
    ({}, {"title": "", "char_count": 2500}, "missing_field", "error"),
    ({"self_scores": {**ACC["self_scores"], "mechanism": None}}, REPORT, "missing_field", "error"),
    ({"self_scores": {**ACC["self_scores"], "mechanism": 17.9}, "self_score_total": 95.9}, REPORT,
     "dimension_below_grade", "warning"),
    ({"self_score_total": 98}, REPORT, "score_inconsistent", "warning"),
])
def test_acceptance_findings(change, report, rule, severity):
    r = check_submission("acceptance", {**ACC, **change}, report, as_of="2025-04-02")
    hits = [f for f in r["findings"] if f["rule"] == rule]
    assert hits and hits[0]["severity"] == severity
    assert r["eligible"] is not any(f["severity"] == "error" for f in r["findings"])


def test_acceptance_downgrade_is_reported_in_grade():
    fields = {**ACC, "self_score_total": 96,
              "self_scores": {"leadership": 20, "members": 20, "mechanism": 16, "performance": 20, "reputation": 20}}
    r = check_submission("acceptance", fields, REPORT, as_of="2025-03-31")
    assert r["eligible"] is True
    assert r["grade"]["base"] == "good" and r["grade"]["key"] == "fair" and r["grade"]["downgraded"]
    f = [f for f in r["findings"] if f["rule"] == "dimension_below_grade"][0]
    assert f["field"] == "self_scores.mechanism" and f["clause"] == "JH-2"


def test_creation_boundary_across_leap_year_in_submission():
    ok = check_submission("acceptance", {**ACC, "creation_started_on": "2024-02-29", "applied_on": "2025-02-28"},
                          REPORT, as_of="2025-03-01")
    short = check_submission("acceptance", {**ACC, "creation_started_on": "2024-02-29",
                                            "applied_on": "2025-02-27"}, REPORT, as_of="2025-03-01")
    assert ok["eligible"] and not short["eligible"]


def test_org_fills_gaps_and_supplies_facts():
    fields = {k: v for k, v in DECL.items() if k != "member_count"}
    r = check_submission("declaration", fields, org={"member_count": 5, "facts": {}}, as_of="2024-03-20")
    assert [(f["rule"], f["field"]) for f in r["findings"]] == [("missing_field", "member_count"),
                                                                ("too_few_members", "member_count")]
    r = check_submission("declaration", fields, org={"member_count": 9}, as_of="2024-03-20")
    assert rule_set(r) == ["missing_field"]
    r = check_submission("declaration", {**DECL, "directly_under": True, "prior_honor": "target_advanced"},
                         org={"facts": {"prior_honor_year": 2022}}, as_of="2024-03-20")
    assert [(f["rule"], f["field"]) for f in r["findings"]] == [("no_prior_honor", "prior_honor_year")]
    r = check_submission("acceptance", ACC, REPORT, org={"facts": {"violation": "违章造成重大事故"}},
                         as_of="2025-03-31")
    assert rule_set(r) == ["unconditional_delisting"] and not r["eligible"]


@pytest.mark.parametrize("record, flagged", [
    ("市直机关某局第一党支部", False),
    ("中共市直机关某局第一支部委员会", False),       # the same branch, its full formal name
    ("某局第一党支部", False),                       # written shorter on the form or in the record
    ("市直机关某局第一党支部（机关）", False),
    ("市档案馆党支部", True),                        # another branch's form under this account
])
def test_a_form_of_another_branch_is_flagged(record, flagged):
    r = check_submission("declaration", DECL, org={"branch_name": record}, as_of="2024-03-20")
    found = [f for f in r["findings"] if f["rule"] == "other_branch"]
    assert bool(found) == flagged
    if flagged:
        assert found[0]["severity"] == "warning" and found[0]["field"] == "branch_name"
        assert "市直机关某局第一党支部" in found[0]["message"] and record in found[0]["message"]


def test_report_alone_and_brand():
    r = check_submission("report", REPORT, as_of="2025-03-01")
    assert r["findings"] == [] and r["eligible"]
    r = check_submission("report", {"title": "汇报", "char_count": 6000}, as_of="2025-03-01")
    assert [(f["rule"], f["severity"], f["field"]) for f in r["findings"]] == [("report_length", "error", "char_count")]
    brand = {"branch_name": "某社区党委", "parent_org": "某街道党工委", "community": "某社区", "secretary": "王五",
             "brand_name": "红色驿站", "applied_on": "2025-05-01", "brand_summary": "……"}
    assert check_submission("brand", brand, as_of="2025-05-02")["eligible"]
    r = check_submission("brand", {**brand, "brand_name": None}, as_of="2025-05-02")
    assert [(f["rule"], f["field"]) for f in r["findings"]] == [("missing_field", "brand_name")]


def test_unknown_form():
    r = check_submission("unknown", {}, as_of="2025-01-01")
    assert not r["eligible"] and r["findings"][0]["field"] == "form"


def test_as_of_defaults_to_today():
    today = dt.date.today()
    r = check_submission("declaration", {**DECL, "declared_on": today.isoformat()})
    in_window = today.month == 3 and today.year % 2 == 0
    assert any(f["rule"] == "declaration_window" for f in r["findings"]) is not in_window


def test_findings_sorted_errors_first():
    r = check_submission("acceptance", {**ACC, "member_count": 6, "self_score_total": 98}, REPORT,
                         as_of="2025-03-31")
    sev = [f["severity"] for f in r["findings"]]
    assert sev == sorted(sev, key=["error", "warning", "info"].index)


def test_completeness_explicit_required_and_false_is_a_value():
    found = check_completeness("declaration", {"a": False, "b": 0, "c": " ", "d": []}, CFG,
                               required=["a", "b", "c", "d", "e"])
    assert [f["field"] for f in found] == ["c", "d", "e"]
    assert all(f["rule"] == "missing_field" and f["clause"] == "SZ-4" for f in found)


def test_completeness_uses_parser_forms_when_present():
    parsers_forms = pytest.importorskip("parsers.forms")
    assert [f["field"] for f in check_completeness("report", {}, CFG)] == parsers_forms.required_fields("report")


def test_completeness_message_names_the_field_in_chinese():
    found = check_completeness("acceptance", {**ACC, "applied_on": None}, CFG, report_fields=REPORT)
    assert [f["field"] for f in found] == ["applied_on"] and "申请日期" in found[0]["message"]


def test_unknown_domain_code():
    r = check_submission("declaration", {**DECL, "domain": "机关"}, as_of="2024-03-20")
    assert [(f["rule"], f["field"]) for f in r["findings"]] == [("invalid_value", "domain")]
