"""The pure core of the checks: completeness, eligibility and calendar (SZ), grading and
ranking (JH), rubrics as data, and the creation-cycle state machine.

Public entry points:
    check_submission(form, fields, report_fields=None, org=None, as_of=None, config=None) -> dict
    grade(total, dimensions, domain_rubric, satisfaction=None) -> dict
    rank(rows, rubric, config=None) -> dict
    transition(cycle, event, as_of=None, facts=None, config=None) -> Transition
    load_rubric(year=None, directory=None) -> Rubric;  parse_rubric(text, name) -> Rubric
"""
from .findings import finding, has_errors, load_config, rules
from .grading import grade
from .lifecycle import Transition, TransitionRefused, allowed_events, cycle_status, transition
from .ranking import quota, rank, select_bottom
from .rubric import Rubric, RubricError, load_rubric, parse_rubric, score_items
from .submission import check_submission

__all__ = [
    "check_submission", "grade", "rank", "quota", "select_bottom", "transition", "Transition",
    "TransitionRefused", "allowed_events", "cycle_status", "load_rubric", "parse_rubric", "Rubric",
    "RubricError", "score_items", "finding", "has_errors", "load_config", "rules",
]
