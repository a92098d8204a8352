"""Field-level comparison of parsed fields with the corpus' expected fields."""
from __future__ import annotations

import re

_WS = re.compile(r"\s+")


def same(expected, got) -> bool:
    if expected is None or got is None:
        return expected is None and got is None
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected is got
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        return abs(float(expected) - float(got)) < 1e-6
    if isinstance(expected, str) and isinstance(got, str):
        return _WS.sub("", expected) == _WS.sub("", got)
    return expected == got


def compare(expected: dict, fields: dict, absent=()) -> list[tuple[str, object, object]]:
    """One (key, expected, got) per field unit; self_scores counts as five units.

    A key left blank on the form is a unit too: it is right when nothing was read for it.
    """
    units = [(key, None, fields.get(key, None)) for key in absent]
    for key, exp in expected.items():
        if key == "self_scores":
            got = fields.get(key) or {}
            for dim, v in exp.items():
                units.append((f"{key}.{dim}", v, got.get(dim)))
        else:
            units.append((key, exp, fields.get(key)))
    return units
