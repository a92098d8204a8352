"""Field-level comparison of parsed fields with the corpus' expected fields."""
from __future__ import annotations

import re

_WS = re.compile(r"\s+")


def same(expected, got) -> bool:
    if got is None:
        return False
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected is got
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        return abs(float(expected) - float(got)) < 1e-6
    if isinstance(expected, str) and isinstance(got, str):
        return _WS.sub("", expected) == _WS.sub("", got)
    return expected == got


def compare(expected: dict, fields: dict) -> list[tuple[str, object, object]]:
    """One (key, expected, got) per field unit; self_scores counts as five units."""
    units = []
    for key, exp in expected.items():
        if key == "self_scores":
            got = fields.get(key) or {}
            for dim, v in exp.items():
                units.append((f"{key}.{dim}", v, got.get(dim)))
        else:
            units.append((key, exp, fields.get(key)))
    return units
