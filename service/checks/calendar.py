"""Calendar rules of the municipal programme (SZ-2, SZ-3), as pure functions of dates.

Periods counted in years follow the civil-code convention (民法典 第二百零一至二百零三条): a
period of N years starting on day S is complete on the same month/day N years later; when
that day does not exist (29 February in a common year) the last day of the month is used.
So "at least one year" from 2024-02-29 is reached on 2025-02-28, from 2023-03-01 on
2024-03-01 (366 days, across a leap day) and from 2024-03-01 on 2025-03-01 (365 days).
"""
from __future__ import annotations

import calendar as _cal
import datetime as _dt
from typing import Any, Mapping

from ..vocabulary import cn_date
from .findings import finding, label

date = _dt.date


def parse_date(value: Any) -> date | None:
    """An ISO `YYYY-MM-DD` string, a date or a datetime -> date; None for None/"".

    Raises ValueError for anything else (the parser is responsible for Chinese formats)."""
    if value is None or value == "":
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value.strip())
    raise ValueError(f"not a date: {value!r}")


def add_years(start: date, years: int) -> date:
    """The same month/day `years` later; 29 Feb -> 28 Feb in a common year."""
    year = start.year + years
    last = _cal.monthrange(year, start.month)[1]
    return date(year, start.month, min(start.day, last))


def _parity_ok(year: int, parity: str) -> bool:
    return (year % 2 == 0) if parity == "even" else (year % 2 == 1)


def creation_complete_on(started: date, config: Mapping[str, Any]) -> date:
    """The first day on which the creation period (SZ-2.2) counts as complete."""
    return add_years(started, int(config["creation_min_years"]))


def check_creation_period(started: date, applied: date, config: Mapping[str, Any],
                          field: str = "creation_started_on") -> list[dict]:
    due = creation_complete_on(started, config)
    if applied >= due:
        return []
    return [finding("creation_period_short", field, start=started.isoformat(),
                    end=applied.isoformat(), due=due.isoformat())]


def in_declaration_window(day: date, config: Mapping[str, Any]) -> bool:
    spec = config["declaration"]
    return day.month == int(spec["month"]) and _parity_ok(day.year, spec["year_parity"])


def check_declaration_window(day: date, config: Mapping[str, Any],
                             field: str = "declared_on") -> list[dict]:
    if in_declaration_window(day, config):
        return []
    return [finding("declaration_window", field, value=day.isoformat())]


def acceptance_deadline(year: int, config: Mapping[str, Any]) -> date:
    spec = config["acceptance"]
    return date(year, int(spec["deadline_month"]), int(spec["deadline_day"]))


def in_acceptance_window(day: date, config: Mapping[str, Any]) -> bool:
    spec = config["acceptance"]
    return _parity_ok(day.year, spec["year_parity"]) and day <= acceptance_deadline(day.year, config)


def check_acceptance_window(day: date, config: Mapping[str, Any],
                            field: str = "applied_on") -> list[dict]:
    if in_acceptance_window(day, config):
        return []
    return [finding("acceptance_window", field, value=day.isoformat())]


def commendation_deadline(year: int, config: Mapping[str, Any]) -> date:
    """The day *before which* commendation should happen (七一, exclusive)."""
    spec = config["commendation"]
    return date(year, int(spec["before_month"]), int(spec["before_day"]))


def check_commendation_window(day: date, config: Mapping[str, Any],
                              field: str = "commended_on") -> list[dict]:
    spec = config["commendation"]
    deadline = commendation_deadline(day.year, config)
    if _parity_ok(day.year, spec["year_parity"]) and day < deadline:
        return []
    return [finding("commendation_window", field, value=day.isoformat(),
                    deadline=deadline.isoformat())]


def term_end(commended: date, config: Mapping[str, Any]) -> date:
    """Last day of the 4-year term (SZ-3.1) that starts on the commendation day."""
    return add_years(commended, int(config["term_years"]))


def check_term(commended: date, as_of: date, config: Mapping[str, Any],
               field: str = "commended_on") -> list[dict]:
    end = term_end(commended, config)
    if as_of <= end:
        return []
    return [finding("term_expired", field, start=commended.isoformat(), end=end.isoformat(),
                    as_of=as_of.isoformat())]


def annual_report_deadline(year: int, config: Mapping[str, Any]) -> date:
    spec = config["annual_report"]
    return date(year, int(spec["deadline_month"]), int(spec["deadline_day"]))


def check_annual_reports(commended: date, reported: Mapping[int, Any] | list[int],
                         as_of: date, config: Mapping[str, Any]) -> list[dict]:
    """SZ-3.2: every year of the term from the commendation year to `as_of`'s year needs an
    annual assessment report by 30 November. `reported` is {year: date reported} or a list of
    years reported (dates unknown, taken as on time).

    Overdue (deadline passed, not reported, or reported late) -> warning; the current year's
    report not yet due -> info."""
    if not isinstance(reported, Mapping):
        reported = {int(y): None for y in reported}
    else:
        reported = {int(y): parse_date(d) for y, d in reported.items()}
    out: list[dict] = []
    last_year = min(as_of.year, term_end(commended, config).year)
    for year in range(commended.year, last_year + 1):
        deadline = annual_report_deadline(year, config)
        if year in reported:
            when = reported[year]
            if when is not None and when > deadline:
                out.append(finding("annual_report_due", "annual_reports", year=year,
                                   deadline=deadline.isoformat(),
                                   detail=f"实际于{cn_date(when)}报送，已逾期"))
            continue
        if as_of > deadline:
            out.append(finding("annual_report_due", "annual_reports", year=year,
                               deadline=deadline.isoformat(), detail="至今未报送，已逾期"))
        else:
            out.append(finding("annual_report_due", "annual_reports", severity="info", year=year,
                               deadline=deadline.isoformat(), detail="尚未报送"))
    return out


def check_not_future(field: str, day: date, as_of: date, config: Mapping[str, Any]) -> list[dict]:
    if day <= as_of:
        return []
    return [finding("date_in_future", field, label=label(config, field), value=day.isoformat(),
                    as_of=as_of.isoformat())]
