"""Completeness: required fields per form kind and the attachments a submission needs."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from parsers.forms import required_fields as parser_required

from ..vocabulary import DIMENSION_KEYS as SCORE_KEYS
from .findings import finding, label


def required_fields(kind: str, config: Mapping[str, Any], required: Sequence[str] | None = None) -> list[str]:
    """The required field keys of a form kind.

    Order of authority: the explicit `required` list, else the field contract in
    parsers/forms.yaml (`parsers.forms.required_fields`; [] for a kind it does not know)."""
    if required is not None:
        return list(required)
    return list(parser_required(kind))


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict, set)):
        return len(value) == 0
    return False


def check_completeness(kind: str, fields: Mapping[str, Any], config: Mapping[str, Any],
                       report_fields: Mapping[str, Any] | None = None,
                       required: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """One `missing_field` per required field that is absent or blank (False is a value),
    `self_scores` checked per dimension, and `missing_report` when the kind needs a report
    and none came with the submission."""
    out: list[dict[str, Any]] = []
    for key in required_fields(kind, config, required):
        value = fields.get(key)
        if key == "self_scores" and isinstance(value, Mapping) and value:
            for sub in SCORE_KEYS:
                if is_blank(value.get(sub)):
                    f = f"self_scores.{sub}"
                    out.append(finding("missing_field", f, key=f, label=label(config, f)))
            continue
        if is_blank(value):
            out.append(finding("missing_field", key, key=key, label=label(config, key)))
    needs = config.get("attachments", {}).get(kind, [])
    if "report" in needs:
        if not report_fields:
            out.append(finding("missing_report", "report"))
        else:
            for key in required_fields("report", config):
                if is_blank(report_fields.get(key)):
                    f = f"report.{key}"
                    out.append(finding("missing_field", f, key=f, label=label(config, key)))
    return out
