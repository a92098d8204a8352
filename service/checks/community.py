"""Community party building as pure functions over plain data (rules SQ-1 … SQ-3).

The numbers live in ``community.yaml``: the three-year targets, the street's brand rubric, the
criteria of a 精品示范点, the 五个好 threshold. Nothing here reads the database.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

import yaml

RULES_YAML = Path(__file__).resolve().parent / "community.yaml"


@lru_cache(maxsize=1)
def rules() -> dict:
    with open(RULES_YAML, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def brand_rubric() -> dict:
    return rules()["brand_rubric"]


def site_criteria() -> list[dict]:
    return rules()["model_site_criteria"]


def targets() -> list[dict]:
    return rules()["targets"]


def period() -> tuple[dt.date, dt.date]:
    p = rules()["period"]
    return _date(p["start"]), _date(p["end"])


def _date(v) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))


class ScoreError(ValueError):
    """Scores that do not fit the rubric; ``field`` names the item."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def score_brand(scores: dict, rubric: dict | None = None) -> float:
    """One reviewer's total: every item of the rubric scored within 0..max."""
    rubric = rubric or brand_rubric()
    if not isinstance(scores, dict):
        raise ScoreError("评分应为 {评分项: 分数}。", "scores")
    known = {i["key"]: i for i in rubric["items"]}
    unknown = set(scores) - set(known)
    if unknown:
        raise ScoreError(f"评分标准中没有这些评分项：{'、'.join(sorted(unknown))}。", "scores")
    total = 0.0
    for key, item in known.items():
        value = scores.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ScoreError(f"请为“{item['name']}”打分（0–{item['max']}分）。", key)
        if not 0 <= value <= item["max"]:
            raise ScoreError(f"“{item['name']}”的得分应在0–{item['max']}分之间。", key)
        total += float(value)
    return round(total, 2)


def rank_brands(brands: list[dict], rubric: dict | None = None) -> list[dict]:
    """Brands ``{id, name, totals: [reviewer totals]}`` → ranked by mean score, best first, each with
    ``mean``, ``reviewers``, ``rank`` (ties share a rank) and ``may_name`` (enough reviewers, pass mark)."""
    rubric = rubric or brand_rubric()
    out = []
    for b in brands:
        totals = list(b.get("totals") or [])
        mean = round(sum(totals) / len(totals), 2) if totals else None
        out.append({**b, "mean": mean, "reviewers": len(totals),
                    "may_name": bool(totals) and len(totals) >= rubric["min_reviewers"]
                    and mean >= rubric["pass_total"]})
    out.sort(key=lambda b: (b["mean"] is None, -(b["mean"] or 0), b.get("name") or ""))
    rank, last = 0, object()
    for i, b in enumerate(out, 1):
        if b["mean"] != last:
            rank, last = i, b["mean"]
        b["rank"] = rank if b["mean"] is not None else None
    return out


def site_counts(criteria_met: list[str]) -> bool:
    """A 精品示范点 counts when it meets every criterion."""
    return {c["key"] for c in site_criteria()} <= set(criteria_met or [])


def missed_dimensions(scores: dict, maxima: dict, percent: float | None = None) -> list[str]:
    """The dimensions under ``percent`` of their maximum (五个好: a community misses those)."""
    percent = rules()["five_good"]["dimension_min_percent"] if percent is None else percent
    return [k for k, mx in maxima.items() if float(scores.get(k) or 0) < float(mx) * percent / 100]


def quarter_ends(today: dt.date, count: int = 8) -> list[tuple[str, dt.date]]:
    """The last ``count`` quarters up to today's: (label 2026年第3季度, its last day, or today for the current)."""
    q = (today.month - 1) // 3
    year = today.year
    out = []
    for _ in range(count):
        end_month = 3 * q + 3
        end = dt.date(year + (end_month // 12), end_month % 12 + 1, 1) - dt.timedelta(days=1)
        out.append((f"{year}年第{'一二三四'[q]}季度", min(end, today)))
        q -= 1
        if q < 0:
            q, year = 3, year - 1
    return list(reversed(out))


def progress(value: float | None, target: float) -> float | None:
    """How far a value is toward its target, in percent (at most 100)."""
    if value is None:
        return None
    return round(min(100.0, 100 * value / target), 1) if target else None
