"""Eligibility rules of the municipal programme (SZ-1, SZ-3.3, SZ-3.4) and the report
length (SZ-2.3). Pure functions: values in, findings out."""
from __future__ import annotations

import datetime as _dt
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from ..vocabulary import HONORS
from .calendar import parse_date
from .findings import finding, label

PRIOR_HONORS = tuple(HONORS)
FACILITIES = ("has_office", "has_equipment", "has_activity_room")


# ------------------------------------------------------------------ value coercion

def as_int(field: str, value: Any, config: Mapping[str, Any], out: list[dict]) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        value = str(value)
    try:
        d = Decimal(str(value).strip())
        if d != d.to_integral_value():
            raise InvalidOperation
        return int(d)
    except (InvalidOperation, ValueError):
        out.append(finding("invalid_value", field, label=label(config, field), value=value, detail="应为整数"))
        return None


def as_number(field: str, value: Any, config: Mapping[str, Any], out: list[dict]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        out.append(finding("invalid_value", field, label=label(config, field), value=value, detail="应为数字"))
        return None


_TRUE = {"true", "yes", "1", "是", "有", "☑", "√"}
_FALSE = {"false", "no", "0", "否", "无", "□"}


def as_bool(field: str, value: Any, config: Mapping[str, Any], out: list[dict]) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    out.append(finding("invalid_value", field, label=label(config, field), value=value, detail="应为是或否"))
    return None


def as_date(field: str, value: Any, config: Mapping[str, Any], out: list[dict]) -> _dt.date | None:
    try:
        return parse_date(value)
    except ValueError:
        out.append(finding("invalid_value", field, label=label(config, field), value=value,
                           detail="日期应为YYYY-MM-DD格式"))
        return None


# ------------------------------------------------------------------ rules

def check_members(count: int | None, config: Mapping[str, Any], field: str = "member_count") -> list[dict]:
    """SZ-3.3: fewer than 7 members -> not eligible (7 passes)."""
    minimum = int(config["min_members"])
    if count is None or count >= minimum:
        return []
    return [finding("too_few_members", field, count=count, minimum=minimum)]


def check_prior_honor(prior_honor: str | None, directly_under: bool | None, declared_year: int | None,
                      config: Mapping[str, Any], honor_year: int | None = None) -> list[dict]:
    """SZ-1.1: the branch already holds its 机关党委/总支's 五好党支部 or a 党建目标管理先进党支部;
    a branch directly under the 工委 must have been the 工委's 党建目标管理先进单位 in the
    previous year (`honor_year`, when known, must be declared_year - 1)."""
    if prior_honor is None:
        return []
    if prior_honor not in PRIOR_HONORS:
        return [finding("invalid_value", "prior_honor", label=label(config, "prior_honor"), value=prior_honor,
                        detail="应为 unit_five_good、target_advanced 或 none")]
    if prior_honor == "none":
        detail = ("工委直属党支部须为工委上年度的党建目标管理先进单位，申报表未填报该荣誉。" if directly_under
                  else "申报单位须已是本机关党委、总支的“五好党支部”或党建目标管理先进党支部，申报表未填报相应荣誉。")
        return [finding("no_prior_honor", "prior_honor", detail=detail)]
    if directly_under:
        if prior_honor != "target_advanced":
            return [finding("no_prior_honor", "prior_honor",
                            detail="工委直属党支部须为工委上年度的党建目标管理先进单位，所填荣誉不符合要求。")]
        if honor_year is not None and declared_year is not None and honor_year != declared_year - 1:
            return [finding("no_prior_honor", "prior_honor_year",
                            detail=f"工委直属党支部须为工委上年度（{declared_year - 1}年）的党建目标管理先进单位，"
                                   f"所填荣誉为{honor_year}年度。")]
    return []


def check_facilities(values: Mapping[str, bool | None], config: Mapping[str, Any]) -> list[dict]:
    """SZ-1.1: office, equipment and activity room; one finding per facility marked absent."""
    return [finding("facilities_incomplete", key, label=label(config, key))
            for key in FACILITIES if values.get(key) is False]


def check_score(score: Decimal | float | int | None, config: Mapping[str, Any],
                field: str = "self_score_total") -> list[dict]:
    """SZ-1.2: at least 96 ("96分以上" includes 96)."""
    if score is None:
        return []
    threshold = Decimal(str(config["score_threshold"]))
    if Decimal(str(score)) >= threshold:
        return []
    return [finding("score_below_threshold", field, label=label(config, field), score=Decimal(str(score)),
                    threshold=threshold)]


def check_report_length(count: int | None, config: Mapping[str, Any], field: str = "report.char_count") -> list[dict]:
    """SZ-2.3 "2500字左右": warning outside [warn_low, warn_high], error outside
    [error_low, error_high] (bounds inclusive)."""
    if count is None:
        return []
    band = config["report_length"]
    if band["warn_low"] <= count <= band["warn_high"]:
        return []
    severity = "error" if (count < band["error_low"] or count > band["error_high"]) else "warning"
    return [finding("report_length", field, severity=severity, count=count,
                    low=band["warn_low"], high=band["warn_high"])]


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip()) and value.strip().lower() not in {"false", "no", "0", "否"}
    return bool(value)


def check_delisting(facts: Mapping[str, Any], member_count: int | None, config: Mapping[str, Any]) -> list[dict]:
    """SZ-3.3 natural and SZ-3.4 unconditional delisting grounds among `facts`.
    A text value is used as the detail of the ground."""
    out: list[dict] = []
    grounds = config["delisting"]
    for kind, rule in (("natural", "natural_delisting"), ("unconditional", "unconditional_delisting")):
        for key, reason in grounds[kind].items():
            value = facts.get(key)
            if _truthy(value):
                detail = reason if not isinstance(value, str) else f"{reason}（{value.strip()}）"
                out.append(finding(rule, key, detail=detail))
    minimum = int(config["min_members"])
    if member_count is not None and member_count < minimum:
        out.append(finding("natural_delisting", "member_count",
                           detail=f"党支部党员{member_count}人，少于{minimum}人"))
    return out
