"""Issue 11's closing note as a test: each defect of its first section, with the tests that now cover it.
The test fails if a named test is renamed or removed without the list following."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

DEFECTS = {
    "Document numbers repeat: one counter per kind under a shared 机关代字, the year from the content, "
    "a 整改任务书 with an empty number": [
        "tests/web/test_register.py::test_one_sequence_per_organ_and_year_across_kinds",
        "tests/web/test_register.py::test_no_two_documents_share_a_number_after_any_sequence",
        "tests/web/test_register.py::test_withdrawal_keeps_the_number_used_and_the_register_exports",
        "tests/foundation/test_demo_documents.py::test_demo_issues_every_numbered_kind_from_both_organs",
    ],
    "District documents speak the municipal programme (citations, 报送工委组织部, title threats, 表彰决定 and "
    "荣誉证书 wording)": [
        "tests/documents/test_programmes.py::test_no_issued_text_has_a_rule_code_or_field_key_and_the_district_never_cites_the_municipal_rules",
        "tests/documents/test_programmes.py::test_a_district_notice_for_a_backward_branch_asks_for_a_plan_and_threatens_no_title",
        "tests/documents/test_programmes.py::test_a_district_notice_cites_its_own_basis_for_a_municipal_rule",
        "tests/batch/test_jobs.py::test_honor_certificates_only_for_titled_branches_issued_by_their_organ",
    ],
    "No human decision: a branch's own check set its status; a correction left the old findings standing": [
        "tests/web/test_review_decisions.py::test_a_branchs_own_check_is_advice_and_only_a_reviewer_decides",
        "tests/web/test_review_decisions.py::test_the_page_claims_returns_with_comments_and_approves",
        "tests/web/test_review_decisions.py::test_a_correction_reruns_the_checks_at_once",
    ],
    "Rectification stops at the first row: empty ledger columns, a 整改任务书 deadline equal to its issue date, "
    "the 季度通报 reporting 0 closed, revoke accepted before the deadline": [
        "tests/web/test_ledger.py::test_rural_branch_from_backward_to_closure_and_quarterly_report",
        "tests/web/test_ledger.py::test_overdue_rows_show_to_the_branch_and_the_reviewer",
        "tests/web/test_ledger.py::test_revoke_before_the_deadline_needs_a_reason_that_the_notice_states",
        "tests/web/test_browser_scenarios.py::test_rural_branch_notice_taskbook_closure_and_quarterly_report_in_the_browser",
    ],
    "Certificates ignore the title: a revoked branch issued a certificate /verify called 有效, a batch certificate "
    "for a never-commended branch, a delisted branch's certificate 有效, no term expiry": [
        "tests/documents/test_titles.py::test_no_certificate_for_a_delisted_branch",
        "tests/documents/test_titles.py::test_delisting_revokes_the_certificate_at_once_and_verify_says_so",
        "tests/documents/test_titles.py::test_past_the_term_end_reads_expired_and_the_expire_event_marks_it",
        "tests/documents/test_titles.py::test_the_daily_job_marks_certificates_past_their_term",
        "tests/documents/test_daily.py::test_the_in_process_scheduler_expires_certificates_at_its_hour",
        "tests/documents/test_daily.py::test_the_celery_beat_entry_comes_from_the_settings",
        "tests/batch/test_jobs.py::test_honor_certificates_only_for_titled_branches_issued_by_their_organ",
        "tests/web/test_scenarios.py::test_municipal_branch_from_forecast_to_delisting_and_verify",
        "tests/web/test_browser_scenarios.py::test_municipal_branch_title_to_verify_in_the_browser",
    ],
    "Grading reaches outside its scope: rows of other committees and a phantom branch ranked, a second score "
    "added silently, twenty tied branches all listed": [
        "tests/web/test_pages.py::test_grading_round_lists_laggards_per_domain_and_stores_assessments",
        "tests/checks/test_ranking.py::test_twenty_tied_at_cut_are_broken_by_weakest_dimension_then_satisfaction",
        "tests/checks/test_ranking.py::test_tie_breakers_are_configurable",
        "tests/web/test_grading_ties.py::test_the_reviewer_confirms_who_is_listed_through_the_api",
        "tests/web/test_grading_ties.py::test_the_page_asks_and_the_reviewer_picks",
    ],
    "Half the work is API-only: eight kinds and 无条件摘牌 (or dissolution) need the API; after a score of 77 the "
    "page offers a notice that fails with 422": [
        "tests/web/test_web_parity.py::test_every_numbered_kind_from_the_pages",
        "tests/web/test_web_parity.py::test_delisting_with_its_ground_is_confirmed_first",
        "tests/web/test_notice_offer.py::test_the_scores_page_offers_a_notice_only_when_it_can_be_issued",
    ],
}


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")}


@pytest.mark.parametrize("defect", list(DEFECTS))
def test_each_defect_has_tests_that_exist(defect):
    for ref in DEFECTS[defect]:
        path, name = ref.split("::")
        assert (ROOT / path).exists(), ref
        assert name in _tests_in(ROOT / path), f"{ref} is gone: update issue 11's list"
