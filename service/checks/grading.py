"""JH-2 grading: total -> grade, then the downgrade rule (降档评定), then the 群众满意率 cap.

Pure: takes numbers and an effective domain rubric (`Rubric.domain(code)`), returns data.
Comparisons are exact decimals, so 89.9 is 较好 and 90 is 好 with no float surprises.
"""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any, Mapping

from .findings import finding


def to_fraction(value: Any) -> Fraction:
    """An exact value of a score given as int, float (by its shortest repr), Decimal,
    Fraction or numeric text."""
    if isinstance(value, bool):
        raise TypeError("a score cannot be a bool")
    if isinstance(value, (int, Fraction)):
        return Fraction(value)
    return Fraction(Decimal(str(value).strip()))


_frac = to_fraction


def _show(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):g}"


def satisfaction_percent(value: Any) -> Fraction:
    """A 群众满意率 given as a ratio (0..1) or a percent (>1..100) -> percent."""
    v = _frac(value)
    return v * 100 if v <= 1 else v


def base_grade(total: Any, grades: list[Mapping[str, Any]]) -> int:
    """Index (0 = best) of the highest grade whose min_total the total reaches."""
    t = _frac(total)
    for i, g in enumerate(grades):
        if t >= _frac(g["min_total"]):
            return i
    return len(grades) - 1


def grade(total: Any, dimensions: Mapping[str, Any] | None, rubric: Mapping[str, Any],
          satisfaction: Any = None, field_prefix: str = "") -> dict[str, Any]:
    """Grade one branch.

    total: the total score; dimensions: {leadership, members, mechanism, performance,
    reputation} scores (missing keys are reported, not guessed); rubric: an effective domain
    rubric; satisfaction: 群众满意率 (ratio or percent) or None.

    Returns {"grade", "grade_name", "base_grade", "base_grade_name", "downgraded",
    "capped", "findings"}. The downgrade is one level (JH-2: "graded one level lower"),
    whatever the number of dimensions that miss; each missing dimension is its own finding.
    """
    grades = rubric["grades"]
    dims = {d["key"]: d for d in rubric["dimensions"]}
    dimensions = dimensions or {}
    findings: list[dict[str, Any]] = []
    t = _frac(total)

    dsum = Fraction(0)
    have_all = True
    for key, spec in dims.items():
        if dimensions.get(key) is None:
            have_all = False
            continue
        score = _frac(dimensions[key])
        dsum += score
        if score < 0 or score > _frac(spec["max"]):
            findings.append(finding("score_out_of_range", f"{field_prefix}{key}", label=spec["name"],
                                    score=_show(score), maximum=spec["max"]))
    if have_all and dims and dsum != t:
        findings.append(finding("score_inconsistent", f"{field_prefix}total" if field_prefix else "total",
                                total=_show(t), sum=_show(dsum)))

    base = base_grade(t, grades)
    final = base
    req = grades[base].get("dimension_min_percent")
    if req is not None and base < len(grades) - 1:
        lower = grades[base + 1]["name"]
        for key, spec in dims.items():
            if dimensions.get(key) is None:
                continue
            score = _frac(dimensions[key])
            need = _frac(spec["max"]) * _frac(req) / 100
            if score < need:
                final = base + 1
                findings.append(finding("dimension_below_grade", f"{field_prefix}{key}",
                                        total=_show(t), grade=grades[base]["name"], label=spec["name"],
                                        score=_show(score), required=_show(need), maximum=spec["max"],
                                        percent=_show(_frac(req)), lower=lower))

    capped = False
    cap = rubric.get("satisfaction_cap")
    if cap and satisfaction is not None:
        pct = satisfaction_percent(satisfaction)
        cap_idx = next(i for i, g in enumerate(grades) if g["key"] == cap["grade"])
        if pct < _frac(cap["below_percent"]) and final < cap_idx:
            final = cap_idx
            capped = True
            findings.append(finding("satisfaction_cap", "satisfaction", rate=_show(pct),
                                    threshold=_show(_frac(cap["below_percent"])),
                                    cap=grades[cap_idx]["name"]))
    return {
        "grade": grades[final]["key"],
        "grade_name": grades[final]["name"],
        "base_grade": grades[base]["key"],
        "base_grade_name": grades[base]["name"],
        "downgraded": _has_downgrade(findings),
        "capped": capped,
        "findings": findings,
    }


def _has_downgrade(findings: list[dict[str, Any]]) -> bool:
    return any(f["rule"] == "dimension_below_grade" for f in findings)
