"""The creation-cycle state machine (SZ-2, SZ-3), pure.

    transition(cycle, event, as_of, facts, config=None) -> Transition(new_state, dates_changed, findings)

`cycle` is a dict shaped like the CreationCycle row: {"state", "declared_on",
"creation_started_on", "applied_on", "assessed_on", "commended_on", "term_starts_on",
"term_ends_on", "ended_on", "end_reason", "facts": {...}}; a new cycle is {"state": None}.
`dates_changed` maps CreationCycle columns to their new values (dates as `datetime.date`,
`end_reason` as text) plus, when the event records facts, "facts": {key: value} to merge
into cycle.facts. The caller persists these and writes the audit log.

An illegal or failing transition raises `TransitionRefused` with a Chinese `reason` and
the `findings` behind it. States, events, their checks and the dates they set are data in
lifecycle.yaml; the named checks below are the only code.
"""
from __future__ import annotations

import datetime as _dt
from functools import lru_cache
from typing import Any, Callable, Mapping, NamedTuple

import yaml

from . import calendar as cal
from .completeness import is_blank
from .eligibility import (FACILITIES, as_bool, as_date, as_int, as_number, check_delisting,
                          check_facilities, check_members, check_prior_honor, check_report_length,
                          check_score)
from ..vocabulary import cn_date
from .findings import HERE, finding, label, load_config


class Transition(NamedTuple):
    new_state: str
    dates_changed: dict[str, Any]
    findings: list[dict[str, Any]]


class TransitionRefused(Exception):
    """The transition is not allowed; `reason` is Chinese, `findings` the rule findings."""

    def __init__(self, reason: str, findings: list[dict[str, Any]] | None = None,
                 state: str | None = None, event: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.findings = findings or []
        self.state = state
        self.event = event


class _Refuse(Exception):
    def __init__(self, findings: list[dict[str, Any]]):
        self.findings = findings


class _RefuseText(_Refuse):
    def __init__(self, text: str):
        super().__init__([])
        self.text = text


@lru_cache(maxsize=None)
def machine() -> dict[str, Any]:
    """lifecycle.yaml, checked for consistency (every state and check referenced exists)."""
    with open(HERE / "lifecycle.yaml", encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    states = data["states"]
    for code, ev in data["events"].items():
        for s in ev["from"]:
            if s is not None and s not in states:
                raise ValueError(f"lifecycle.yaml: event {code} from unknown state {s}")
        if ev["to"] not in states:
            raise ValueError(f"lifecycle.yaml: event {code} to unknown state {ev['to']}")
        for c in ev.get("checks", []):
            if c not in CHECKS:
                raise ValueError(f"lifecycle.yaml: event {code} uses unknown check {c}")
        for e in ev.get("effects", []):
            if e not in EFFECTS:
                raise ValueError(f"lifecycle.yaml: event {code} uses unknown effect {e}")
    return data


def state_name(state: str | None) -> str:
    return "新建" if state is None else machine()["states"].get(state, {}).get("name", state)


def allowed_events(state: str | None) -> list[str]:
    """Events allowed from `state` (None = a new cycle)."""
    return [code for code, ev in machine()["events"].items() if state in ev["from"]]


# ---------------------------------------------------------------------------- context

class _Ctx:
    def __init__(self, cycle: Mapping[str, Any], event: str, as_of: _dt.date, facts: Mapping[str, Any],
                 config: Mapping[str, Any]):
        self.cycle = cycle
        self.event = event
        self.as_of = as_of
        self.facts = facts
        self.stored = cycle.get("facts") or {}
        self.config = config
        self.changes: dict[str, Any] = {}
        self.findings: list[dict[str, Any]] = []  # coercion problems land here

    def fact(self, key: str) -> Any:
        v = self.facts.get(key)
        return v if not is_blank(v) else self.stored.get(key)

    def date(self, key: str) -> _dt.date | None:
        """A cycle date: this transition's change, else the stored cycle value."""
        if key in self.changes:
            return self.changes[key]
        return as_date(key, self.cycle.get(key), self.config, self.findings)


# ---------------------------------------------------------------------------- named checks

def _c_declaration_window(c: _Ctx) -> list[dict]:
    return cal.check_declaration_window(c.date("declared_on"), c.config)


def _c_members(c: _Ctx) -> list[dict]:
    n = as_int("member_count", c.fact("member_count"), c.config, c.findings)
    return check_members(n, c.config)


def _c_prior_honor(c: _Ctx) -> list[dict]:
    directly = as_bool("directly_under", c.fact("directly_under"), c.config, c.findings) or False
    year = as_int("prior_honor_year", c.fact("prior_honor_year"), c.config, c.findings)
    return check_prior_honor(c.fact("prior_honor"), directly, c.date("declared_on").year, c.config, year)


def _c_facilities(c: _Ctx) -> list[dict]:
    return check_facilities({k: as_bool(k, c.fact(k), c.config, c.findings) for k in FACILITIES}, c.config)


def _c_not_before_declaration(c: _Ctx) -> list[dict]:
    declared, started = c.date("declared_on"), c.date("creation_started_on")
    if declared and started and started < declared:
        return [finding("invalid_value", "creation_started_on", label=label(c.config, "creation_started_on"),
                        value=started.isoformat(), detail=f"早于预报日期{cn_date(declared)}")]
    return []


def _c_acceptance_window(c: _Ctx) -> list[dict]:
    return cal.check_acceptance_window(c.date("applied_on"), c.config)


def _c_creation_period(c: _Ctx) -> list[dict]:
    started = c.date("creation_started_on")
    if started is None:
        raise _Refuse([finding("transition_fact_missing", "creation_started_on", event=_event_name(c.event),
                               key="creation_started_on", label=label(c.config, "creation_started_on"))])
    return cal.check_creation_period(started, c.date("applied_on"), c.config)


def _c_report(c: _Ctx) -> list[dict]:
    count = as_int("report.char_count", c.fact("report_char_count"), c.config, c.findings)
    if count is None:
        return [finding("missing_report", "report")]
    return check_report_length(count, c.config)


def _c_assessment_score(c: _Ctx) -> list[dict]:
    score = as_number("assessment_score", c.fact("assessment_score"), c.config, c.findings)
    return check_score(score, c.config, field="assessment_score")


def _c_commendation_window(c: _Ctx) -> list[dict]:
    """SZ-2.4: before 七一 of the odd year in which acceptance was applied for."""
    commended, applied = c.date("commended_on"), c.date("applied_on")
    found = cal.check_commendation_window(commended, c.config)
    if not found and applied is not None and commended.year != applied.year:
        found = [finding("commendation_window", "commended_on", value=commended.isoformat(),
                         deadline=cal.commendation_deadline(applied.year, c.config).isoformat())]
    return found


def _c_term_running(c: _Ctx) -> list[dict]:
    start = c.date("term_starts_on") or c.date("commended_on")
    if start is None:
        return []
    found = cal.check_term(start, c.as_of, c.config, field="term_ends_on")
    if found:
        raise _Refuse(found)
    return []


def _c_term_over(c: _Ctx) -> list[dict]:
    start = c.date("term_starts_on") or c.date("commended_on")
    if start is None:
        raise _Refuse([finding("transition_fact_missing", "commended_on", event=_event_name(c.event),
                               key="commended_on", label=label(c.config, "commended_on"))])
    found = cal.check_term(start, c.as_of, c.config, field="term_ends_on")
    if not found:
        end = cal.term_end(start, c.config)
        raise _RefuseText(f"届期至{cn_date(end)}届满，核查日期{cn_date(c.as_of)}尚在届期内，不能办理届满。")
    return [{**f, "severity": "info"} for f in found]


def _review_year(c: _Ctx) -> int:
    y = as_int("year", c.facts.get("year"), c.config, c.findings)
    return y if y is not None else c.as_of.year


def _c_annual_report_on_time(c: _Ctx) -> list[dict]:
    year = _review_year(c)
    deadline = cal.annual_report_deadline(year, c.config)
    if c.as_of > deadline:
        return [finding("annual_report_due", "annual_reports", year=year, deadline=deadline.isoformat(),
                        detail=f"实际于{cn_date(c.as_of)}报送，已逾期")]
    return []


def _c_deadline_after_as_of(c: _Ctx) -> list[dict]:
    d = as_date("rectify_deadline", c.fact("rectify_deadline"), c.config, c.findings)
    if d is not None and d <= c.as_of:
        return [finding("invalid_value", "rectify_deadline", label=label(c.config, "rectify_deadline"),
                        value=d.isoformat(), detail="整改期限应晚于下达日期")]
    return []


def _c_rectification_on_time(c: _Ctx) -> list[dict]:
    d = as_date("rectify_deadline", c.stored.get("rectify_deadline"), c.config, c.findings)
    if d is not None and c.as_of > d:
        return [finding("rectification_overdue", "rectify_deadline", deadline=d.isoformat(),
                        as_of=c.as_of.isoformat())]
    return []


def _c_revoke_after_deadline(c: _Ctx) -> list[dict]:
    """撤销 before the 整改期限 while ledger rows are open (or none were recorded) needs a recorded reason.

    ``open_items`` / ``items`` are counted by the caller from the 整改工作台账; ``early_reason``
    is the reviewer's reason, which the 摘牌通知 then states."""
    d = as_date("rectify_deadline", c.stored.get("rectify_deadline"), c.config, c.findings)
    if d is None or c.as_of > d:
        return []
    open_items = as_int("open_items", c.facts.get("open_items"), c.config, c.findings) or 0
    items = as_int("items", c.facts.get("items"), c.config, c.findings) or 0
    if items and not open_items:
        return []
    if is_blank(c.facts.get("early_reason")):
        pending = f"整改工作台账尚有{open_items}项未销号" if open_items else "整改工作台账尚无整改事项"
        raise _RefuseText(f"整改期限{d.year}年{d.month}月{d.day}日尚未届满，{pending}，不能撤销称号；"
                          "确需提前撤销的，请写明提前撤销的理由。")
    return []


def _c_delisting_grounds(c: _Ctx) -> list[dict]:
    merged = {**c.stored, **{k: v for k, v in c.facts.items() if not is_blank(v)}}
    n = as_int("member_count", merged.get("member_count"), c.config, c.findings)
    found = check_delisting(merged, n, c.config)
    if not found:
        raise _RefuseText("未提供自然摘牌（SZ-3.3）或无条件摘牌（SZ-3.4）的事由，不能摘牌。")
    return found


CHECKS: dict[str, Callable[[_Ctx], list[dict]]] = {
    "declaration_window": _c_declaration_window,
    "members": _c_members,
    "prior_honor": _c_prior_honor,
    "facilities": _c_facilities,
    "not_before_declaration": _c_not_before_declaration,
    "acceptance_window": _c_acceptance_window,
    "creation_period": _c_creation_period,
    "report": _c_report,
    "assessment_score": _c_assessment_score,
    "commendation_window": _c_commendation_window,
    "term_running": _c_term_running,
    "term_over": _c_term_over,
    "annual_report_on_time": _c_annual_report_on_time,
    "deadline_after_as_of": _c_deadline_after_as_of,
    "rectification_on_time": _c_rectification_on_time,
    "delisting_grounds": _c_delisting_grounds,
    "revoke_after_deadline": _c_revoke_after_deadline,
}


# ---------------------------------------------------------------------------- named effects

def _e_start_term(c: _Ctx, found: list[dict]) -> None:
    start = c.changes["commended_on"]
    c.changes["term_starts_on"] = start
    c.changes["term_ends_on"] = cal.term_end(start, c.config)


def _e_clear_application(c: _Ctx, found: list[dict]) -> None:
    c.changes["applied_on"] = None


def _e_record_annual_report(c: _Ctx, found: list[dict]) -> None:
    reports = dict(c.stored.get("annual_reports") or {})
    reports[str(_review_year(c))] = c.as_of.isoformat()
    c.changes["facts"] = {"annual_reports": reports}


def _e_record_rectification(c: _Ctx, found: list[dict]) -> None:
    d = as_date("rectify_deadline", c.fact("rectify_deadline"), c.config, c.findings)
    c.changes["facts"] = {"rectify_deadline": d.isoformat() if d else None,
                          "rectify_reason": c.fact("reason"), "rectify_ordered_on": c.as_of.isoformat()}


def _e_close_rectification(c: _Ctx, found: list[dict]) -> None:
    c.changes["facts"] = {"rectify_deadline": None, "rectified_on": c.as_of.isoformat()}


def _e_end_with_reason(c: _Ctx, found: list[dict]) -> None:
    c.changes["ended_on"] = c.as_of
    reason = str(c.fact("reason")).strip().rstrip("。；")
    early = c.facts.get("early_reason")
    if c.event == "revoke" and not is_blank(early):
        reason += f"。整改期限届满前撤销，理由：{str(early).strip().rstrip('。；')}"
    c.changes["end_reason"] = reason


def _e_end_with_findings(c: _Ctx, found: list[dict]) -> None:
    c.changes["ended_on"] = c.as_of
    c.changes["end_reason"] = "；".join(f"{f['message']}（{f['clause']}）" for f in found
                                       if f["rule"] in ("natural_delisting", "unconditional_delisting"))


def _e_end_at_term(c: _Ctx, found: list[dict]) -> None:
    start = c.date("term_starts_on") or c.date("commended_on")
    c.changes["ended_on"] = cal.term_end(start, c.config)
    c.changes["end_reason"] = "届期4年届满（SZ-3.1）"


EFFECTS: dict[str, Callable[[_Ctx, list[dict]], None]] = {
    "start_term": _e_start_term,
    "clear_application": _e_clear_application,
    "record_annual_report": _e_record_annual_report,
    "record_rectification": _e_record_rectification,
    "close_rectification": _e_close_rectification,
    "end_with_reason": _e_end_with_reason,
    "end_with_findings": _e_end_with_findings,
    "end_at_term": _e_end_at_term,
}


# ---------------------------------------------------------------------------- transition

def _event_name(event: str) -> str:
    ev = machine()["events"].get(event)
    return ev["name"] if ev else event


def _refuse(reason: str, findings: list[dict], state: str | None, event: str) -> TransitionRefused:
    return TransitionRefused(reason, findings, state, event)


def transition(cycle: Mapping[str, Any], event: str, as_of: _dt.date | str | None = None,
               facts: Mapping[str, Any] | None = None, config: Mapping[str, Any] | None = None) -> Transition:
    """Apply `event` to `cycle` as of `as_of` (default today) with the event's `facts`.

    Returns Transition(new_state, dates_changed, findings); raises TransitionRefused."""
    cfg = load_config(config)
    m = machine()
    day = cal.parse_date(as_of) if as_of is not None else _dt.date.today()
    state = cycle.get("state")
    facts = dict(facts or {})
    ev = m["events"].get(event)
    if ev is None:
        raise _refuse(f"未知的操作“{event}”。", [], state, event)
    if state is not None and state not in m["states"]:
        raise _refuse(f"未知的状态“{state}”。", [], state, event)
    if state not in ev["from"]:
        allowed = "、".join(f"{_event_name(e)}（{e}）" for e in allowed_events(state)) or "无（已终结）"
        f = finding("illegal_transition", "state", clause=ev.get("clause"), state=state_name(state),
                    event=f"{ev['name']}（{event}）", allowed=allowed)
        raise _refuse(f["message"], [f], state, event)

    ctx = _Ctx(cycle, event, day, facts, cfg)
    missing = [k for k in ev.get("requires", []) if is_blank(ctx.fact(k))]
    if missing:
        found = [finding("transition_fact_missing", k, clause=ev.get("clause"), event=ev["name"], key=k,
                         label=label(cfg, k)) for k in missing]
        raise _refuse("；".join(f["message"] for f in found), found, state, event)

    for col in ev.get("sets", []):
        value = as_date(col, facts.get(col), cfg, ctx.findings) if not is_blank(facts.get(col)) else None
        ctx.changes[col] = value or day
        found_future = cal.check_not_future(col, ctx.changes[col], day, cfg)
        ctx.findings += found_future

    found: list[dict] = []
    try:
        for name in ev.get("checks", []):
            found += CHECKS[name](ctx)
    except _RefuseText as r:
        raise _refuse(r.text, ctx.findings, state, event) from None
    except _Refuse as r:
        all_found = r.findings + ctx.findings
        raise _refuse("；".join(f["message"] for f in all_found), all_found, state, event) from None
    found = ctx.findings + found
    blocking = ev.get("blocking", True)
    coercion_errors = [f for f in ctx.findings if f["severity"] == "error"]
    errors = [f for f in found if f["severity"] == "error"] if blocking else coercion_errors
    if errors:
        raise _refuse("；".join(f["message"] for f in errors), found, state, event)
    for name in ev.get("effects", []):
        EFFECTS[name](ctx, found)
    return Transition(ev["to"], ctx.changes, found)


def cycle_status(cycle: Mapping[str, Any], as_of: _dt.date | str | None = None,
                 config: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Findings about a titled cycle as of a date, for dashboards and reminders: term
    expired (SZ-3.1), annual reports due/overdue (SZ-3.2), rectification overdue, and
    delisting grounds among the stored facts (SZ-3.3/3.4)."""
    cfg = load_config(config)
    day = cal.parse_date(as_of) if as_of is not None else _dt.date.today()
    if cycle.get("state") not in ("commended", "in_term", "rectifying"):
        return []
    out: list[dict] = []
    start = cal.parse_date(cycle.get("term_starts_on") or cycle.get("commended_on"))
    stored = cycle.get("facts") or {}
    if start:
        out += cal.check_term(start, day, cfg, field="term_ends_on")
        out += cal.check_annual_reports(start, stored.get("annual_reports") or {}, day, cfg)
    if cycle.get("state") == "rectifying" and stored.get("rectify_deadline"):
        d = cal.parse_date(stored["rectify_deadline"])
        if day > d:
            out.append(finding("rectification_overdue", "rectify_deadline", deadline=d.isoformat(),
                               as_of=day.isoformat()))
    n = as_int("member_count", stored.get("member_count"), cfg, out)
    out += check_delisting(stored, n, cfg)
    return out
