"""The rules of ``rules.yaml`` and the one shape every problem takes.

A problem is ``{rule, clause, severity, page, message, box?, paragraph?}``: ``page`` is 1-based
(``None`` when it is about the file's settings, not a page), ``box`` is ``[x0, top, x1, bottom]``
in millimetres from the page's top-left corner, ``paragraph`` the 1-based paragraph of a DOCX.
"""
from __future__ import annotations

import functools
from pathlib import Path

import yaml

RULES_FILE = Path(__file__).with_name("rules.yaml")


@functools.lru_cache(maxsize=1)
def data() -> dict:
    with RULES_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def rule(code: str) -> dict:
    return data()["rules"][code]


def _fmt(value):
    if isinstance(value, float):
        digits = 2 if abs(value) < 1 else 1  # rule weights (0.35 / 0.25 mm) need two decimals
        return f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return value


def problem(code: str, page: int | None = None, box=None, paragraph: int | None = None, **values) -> dict:
    """One problem of rule ``code``; ``values`` fill the message's ``{fields}`` (floats to 0.1)."""
    spec = rule(code)
    text = spec["message"].format(**{k: _fmt(v) for k, v in values.items()})
    out = {"rule": code, "clause": f"GB/T 9704-2012 {spec['clause']}", "severity": spec["severity"],
           "page": page, "message": text}
    if box is not None:
        out["box"] = [round(float(v), 1) for v in box]
    if paragraph is not None:
        out["paragraph"] = paragraph
    return out


def error_message(code: str, **values) -> str:
    return data()["errors"][code].format(**values)


def is_layout_rule(code: str) -> bool:
    return bool(rule(code).get("layout"))
