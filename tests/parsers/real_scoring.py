"""Pair accuracy on the hand-annotated real forms (tests/parsers/data/real_forms_pairs.yaml)."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

import parsers
from parsers.normalize import norm_label

ANNOTATIONS = Path(__file__).resolve().parent / "data" / "real_forms_pairs.yaml"
_WS = re.compile(r"\s+")


def annotations() -> dict:
    return yaml.safe_load(ANNOTATIONS.read_text(encoding="utf-8"))


def _v(text) -> str:
    return _WS.sub("", str(text))


def score_file(path: Path, truth) -> tuple[int, int, list]:
    """(pairs found, pairs annotated, misses) for one file; a report's title counts as one pair."""
    result = parsers.parse_path(path)
    assert not [e for e in result.errors if e["code"] == "corrupt_file"], (path.name, result.errors)
    wanted = truth if isinstance(truth, list) else truth.get("pairs", [])
    got = [(norm_label(p["label"]), _v(p["value"])) for p in result.pairs]
    used = [False] * len(got)
    found, misses = 0, []
    for label, value in wanted:
        lab = norm_label(label)
        hit = next((k for k, (gl, gv) in enumerate(got) if not used[k] and gl == lab
                    and (value is None or gv == _v(value))), None)
        if hit is None:
            misses.append((label, value, [gv for gl, gv in got if gl == lab][:2]))
        else:
            used[hit] = True
            found += 1
    total = len(wanted)
    if isinstance(truth, dict) and truth.get("kind") == "report":
        total += 1
        if result.form == "report" and result.fields.get("title") == truth["title"]:
            found += 1
        else:
            misses.append(("<report title>", truth["title"], [result.form, result.fields.get("title")]))
    return found, total, misses
