import re
from datetime import date

import pytest

from service.vocabulary import cn_date

from service.checks import calendar as cal
from service.checks.findings import load_config

CFG = load_config()
D = date.fromisoformat


@pytest.mark.parametrize("start,end,days,ok", [
    # across the leap day 2024-02-29
    ("2023-03-01", "2024-02-28", 364, False),
    ("2023-03-01", "2024-02-29", 365, False),   # 365 days, but not a calendar year
    ("2023-03-01", "2024-03-01", 366, True),
    # a common year
    ("2024-03-01", "2025-02-28", 364, False),
    ("2024-03-01", "2025-03-01", 365, True),
    ("2024-03-01", "2025-03-02", 366, True),
    # starting on the leap day: the anniversary is 28 Feb
    ("2024-02-29", "2025-02-27", 364, False),
    ("2024-02-29", "2025-02-28", 365, True),
    ("2024-03-15", "2025-03-14", 364, False),
    ("2024-03-15", "2025-03-15", 365, True),
])
def test_creation_period_by_calendar(start, end, days, ok):
    assert (D(end) - D(start)).days == days
    found = cal.check_creation_period(D(start), D(end), CFG)
    assert (found == []) is ok
    if not ok:
        assert found[0]["rule"] == "creation_period_short"
        assert found[0]["severity"] == "error"
        assert found[0]["clause"] == "SZ-2.2"


@pytest.mark.parametrize("start,years,expected", [
    ("2024-02-29", 1, "2025-02-28"),
    ("2024-02-29", 4, "2028-02-29"),
    ("2023-02-28", 1, "2024-02-28"),
    ("2025-06-28", 4, "2029-06-28"),
])
def test_add_years(start, years, expected):
    assert cal.add_years(D(start), years) == D(expected)


@pytest.mark.parametrize("day,ok", [
    ("2024-03-01", True), ("2024-03-31", True), ("2024-02-29", False), ("2024-04-01", False),
    ("2025-03-15", False), ("2026-03-15", True), ("2023-03-01", False),
])
def test_declaration_window(day, ok):
    found = cal.check_declaration_window(D(day), CFG)
    assert (found == []) is ok
    if not ok:
        assert found[0]["rule"] == "declaration_window" and found[0]["clause"] == "SZ-2.1"


@pytest.mark.parametrize("day,ok", [
    ("2025-03-31", True), ("2025-04-01", False), ("2025-01-02", True), ("2024-03-31", False),
    ("2024-03-01", False), ("2027-03-31", True), ("2027-12-31", False),
])
def test_acceptance_window(day, ok):
    found = cal.check_acceptance_window(D(day), CFG)
    assert (found == []) is ok
    if not ok:
        assert found[0]["rule"] == "acceptance_window" and found[0]["field"] == "applied_on"


@pytest.mark.parametrize("day,ok", [
    ("2025-06-30", True), ("2025-07-01", False), ("2026-06-01", False), ("2025-01-10", True),
])
def test_commendation_window(day, ok):
    found = cal.check_commendation_window(D(day), CFG)
    assert (found == []) is ok
    if not ok:
        assert found[0]["rule"] == "commendation_window" and found[0]["severity"] == "warning"


@pytest.mark.parametrize("commended,as_of,expired", [
    ("2025-06-28", "2029-06-27", False),
    ("2025-06-28", "2029-06-28", False),
    ("2025-06-28", "2029-06-29", True),
    ("2024-02-29", "2028-02-29", False),
    ("2024-02-29", "2028-03-01", True),
])
def test_term(commended, as_of, expired):
    found = cal.check_term(D(commended), D(as_of), CFG)
    assert bool(found) is expired
    if expired:
        f = found[0]
        assert f["rule"] == "term_expired" and f["clause"] == "SZ-3.1"
        assert cn_date(cal.term_end(D(commended), CFG)) in f["message"]  # dates as 2029年6月28日, never ISO
        assert not re.search(r"\d{4}-\d{2}-\d{2}", f["message"])


def test_annual_reports_due_overdue_and_late():
    commended = D("2025-06-28")
    # as of 30 Nov 2025: the 2025 report is not yet overdue (deadline inclusive)
    found = cal.check_annual_reports(commended, {}, D("2025-11-30"), CFG)
    assert [(f["rule"], f["severity"]) for f in found] == [("annual_report_due", "info")]
    # as of 1 Dec 2025: overdue
    found = cal.check_annual_reports(commended, {}, D("2025-12-01"), CFG)
    assert [(f["rule"], f["severity"]) for f in found] == [("annual_report_due", "warning")]
    # reported on time for 2025, late for 2026, 2027 pending
    found = cal.check_annual_reports(commended, {2025: "2025-11-20", 2026: "2026-12-05"}, D("2027-06-01"), CFG)
    assert [(f["severity"], "2026" in f["message"] or "2027" in f["message"]) for f in found] == [
        ("warning", True), ("info", True)]
    # a list of years (dates unknown) counts as on time
    assert cal.check_annual_reports(commended, [2025], D("2025-12-31"), CFG) == []


def test_parse_date():
    assert cal.parse_date("2024-02-29") == D("2024-02-29")
    assert cal.parse_date(None) is None and cal.parse_date("") is None
    with pytest.raises(ValueError):
        cal.parse_date("2023-02-29")
    with pytest.raises(ValueError):
        cal.parse_date("2024年3月1日")


from datetime import timedelta  # noqa: E402

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@given(st.dates(min_value=D("2000-01-01"), max_value=D("2090-12-31")))
def test_property_one_year_is_365_or_366_days_and_sharp(start):
    due = cal.creation_complete_on(start, CFG)
    assert (due - start).days in (365, 366)
    assert cal.check_creation_period(start, due, CFG) == []
    assert cal.check_creation_period(start, due - timedelta(days=1), CFG)[0]["rule"] == "creation_period_short"
    # 366 only when the year contains a 29 February
    leap_between = any(
        d.month == 2 and d.day == 29 for d in (start + timedelta(days=i) for i in range(1, 367)) if d <= due)
    assert ((due - start).days == 366) == (leap_between and (start.month, start.day) != (2, 29))
