"""Findings as data, the rule catalogue (rules.yaml) and the check configuration (config.yaml).

A finding is a plain dict: {"rule", "severity", "field", "message", "clause"}.
Rule texts, severities and clauses live in rules.yaml; the checks only name a rule code
and supply the values for its message template.
"""
from __future__ import annotations

import copy
import datetime as _dt
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from ..vocabulary import DIMENSIONS, DOMAINS, cn_date

HERE = Path(__file__).resolve().parent
SEVERITIES = ("error", "warning", "info")


@lru_cache(maxsize=None)
def _load_rules() -> dict[str, dict[str, str]]:
    with open(HERE / "rules.yaml", encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    rules = data["rules"]
    for code, spec in rules.items():
        if spec.get("severity") not in SEVERITIES:
            raise ValueError(f"rules.yaml: rule {code!r} has invalid severity {spec.get('severity')!r}")
        for key in ("clause", "message"):
            if not spec.get(key):
                raise ValueError(f"rules.yaml: rule {code!r} lacks {key!r}")
    return rules


def rules() -> dict[str, dict[str, str]]:
    """The rule catalogue: code -> {severity, clause, message}."""
    return copy.deepcopy(_load_rules())


class _Blank(dict):
    def __missing__(self, key: str) -> str:  # a template value the caller did not give
        return "—"


def finding(rule: str, field: str | None = None, *, severity: str | None = None,
            clause: str | None = None, **values: Any) -> dict[str, Any]:
    """Build a finding for `rule`, filling its Chinese template with `values`."""
    spec = _load_rules()[rule]  # KeyError for an unknown code is a programming error
    values.setdefault("key", field)  # templates may name the field key as {key}
    sev = severity or spec["severity"]
    if sev not in SEVERITIES:
        raise ValueError(f"invalid severity {sev!r}")
    return {
        "rule": rule,
        "severity": sev,
        "field": field,
        "message": spec["message"].format_map(_Blank({k: _fmt(v) for k, v in values.items()})),
        "clause": clause or spec["clause"],
    }


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _fmt(value: Any) -> Any:
    """A value as the message says it: 9.5 not 9.500000, dates as 2029年7月1日 (never ISO)."""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (_dt.date, _dt.datetime)) or (isinstance(value, str) and _ISO_DAY.fullmatch(value)):
        return cn_date(value)
    return value


def has_errors(findings: Iterable[Mapping[str, Any]]) -> bool:
    return any(f["severity"] == "error" for f in findings)


def errors(findings: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [f for f in findings if f["severity"] == "error"]


@lru_cache(maxsize=None)
def _load_config() -> dict[str, Any]:
    """config.yaml with the vocabulary's names added: the domains and the dimension labels."""
    with open(HERE / "config.yaml", encoding="utf-8") as fh:
        cfg = yaml.safe_load(fh)
    cfg["domains"] = dict(DOMAINS)
    cfg["labels"] = {**{f"self_scores.{k}": v for k, v in DIMENSIONS.items()}, **cfg["labels"]}
    return cfg


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_config(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """config.yaml merged with `overrides` (recursively). Always a fresh dict."""
    base = copy.deepcopy(_load_config())
    return _merge(base, overrides) if overrides else base


def label(config: Mapping[str, Any], field: str) -> str:
    return config.get("labels", {}).get(field, field)


def domain_name(config: Mapping[str, Any], code: str | None) -> str:
    if code is None:
        return "未分领域"
    return config.get("domains", {}).get(code, code)
