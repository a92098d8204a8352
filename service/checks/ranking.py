"""JH-3 相对后进 ranking: per domain, the bottom ceil(p·n) branches by total score, p = 10%
for soe/nonpublic and 5% elsewhere ("不低于" -> round up, so any non-empty domain yields at
least one). Every branch tied with the score at the cut is included as well, and a finding
says so. Pure: rows in, data out (reading the spreadsheet is cli.py's job).
"""
from __future__ import annotations

from bisect import bisect_left
from fractions import Fraction
from typing import Any, Mapping, Sequence

from .findings import domain_name, finding, label, load_config
from .grading import grade as grade_one, satisfaction_percent, to_fraction


def quota(n: int, percent: Any) -> int:
    """ceil(percent% of n), exact (no float rounding: 10% of 30 is 3, not 4)."""
    if n <= 0:
        return 0
    q = to_fraction(percent) * n / 100
    return -(-q.numerator // q.denominator)


def laggard_percent(domain: str | None, config: Mapping[str, Any]) -> Any:
    table = config["laggard_percent"]
    return table.get(domain or "", table["default"])


def _break_ties(group: list[int], slots: int, breakers: Sequence[Sequence[Any]]) -> tuple[list[int], list[int]]:
    """Split the branches tied at the cut score: -> (chosen, breakers used).

    Tie-breaker t (lower = more backward) narrows the group to the `slots` lowest values plus
    every branch equal to the last of them; a breaker one of the group lacks a value for is
    not applied (a missing 群众满意率 must not count as a good one), and the walk stops there."""
    used: list[int] = []
    chosen: list[int] = []
    for t, values in enumerate(breakers):
        if len(group) <= slots:
            break
        if any(values[i] is None for i in group):
            break
        used.append(t)
        ordered = sorted(group, key=lambda i: (values[i], i))
        cut = values[ordered[slots - 1]]
        below = [i for i in ordered if values[i] < cut]
        chosen += below
        slots -= len(below)
        group = [i for i in ordered if values[i] == cut]
    return chosen + group, used


def select_bottom(scores: Sequence[Any], percent: Any,
                  breakers: Sequence[Sequence[Any]] = ()) -> dict[str, Any]:
    """Indices of the 相对后进 among `scores` (one domain).

    `breakers`: tie-breaker values per index, in order of application (lower = more backward;
    None = unknown). Returns {"indices" (bottom first, stable), "quota", "cut_score",
    "tied_extra" (how many beyond the quota were added because they are still tied),
    "tied_at_cut" (how many share the cut score), "breakers_used" (indices into `breakers`),
    "positions" {index: rank from the bottom, ties share the lowest rank}}."""
    n = len(scores)
    k = quota(n, percent)
    if k == 0:
        return {"indices": [], "quota": 0, "cut_score": None, "tied_extra": 0, "tied_at_cut": 0,
                "breakers_used": [], "positions": {}}
    vals = [to_fraction(s) for s in scores]
    order = sorted(range(n), key=lambda i: (vals[i], i))
    cut = vals[order[k - 1]]
    below = [i for i in order if vals[i] < cut]
    at_cut = [i for i in order if vals[i] == cut]
    picked, used = _break_ties(at_cut, k - len(below), breakers)
    chosen = below + [i for i in at_cut if i in set(picked)]
    ordered = [vals[i] for i in order]
    positions = {i: 1 + bisect_left(ordered, vals[i]) for i in chosen}
    return {"indices": chosen, "quota": k, "cut_score": cut, "tied_extra": len(chosen) - k,
            "tied_at_cut": len(at_cut) if len(below) + len(at_cut) > k else 0, "breakers_used": used,
            "positions": positions}


def breaker_value(name: str, row: Mapping[str, Any], domain_rubric: Mapping[str, Any]) -> Fraction | None:
    """A branch's value for one tie-breaker of config.yaml ``laggard_tie_breakers``:
    ``min_dimension_ratio`` (its weakest of the five dimensions, score / maximum, so 14/20 = 0.7
    is lower than 16/20) or ``satisfaction`` (群众满意率 in percent); None when not given."""
    try:
        if name == "min_dimension_ratio":
            dims = row.get("dimensions") or {}
            specs = domain_rubric["dimensions"]
            if not specs or any(dims.get(d["key"]) is None for d in specs):
                return None
            return min(to_fraction(dims[d["key"]]) / to_fraction(d["max"]) for d in specs)
        if name == "satisfaction":
            value = row.get("satisfaction")
            return None if value is None else satisfaction_percent(value)
    except Exception:
        return None
    raise KeyError(f"unknown tie-breaker {name}")


def _num(f: Fraction) -> int | float:
    return f.numerator if f.denominator == 1 else float(f)


def rank(rows: Sequence[Mapping[str, Any]], rubric: Any, config: Mapping[str, Any] | None = None
         ) -> dict[str, Any]:
    """Grade every row (JH-2) and pick the 相对后进 per domain (JH-3).

    rows: [{"branch_name", "domain", "total", "dimensions": {...}?, "satisfaction"?}, ...]
    rubric: a `Rubric` (its per-domain grades are used).
    Returns {"branches": [...graded rows, with "laggard" and "position"...],
             "domains": {code: {"name", "n", "percent", "quota", "cut_score", "ties_at_cut",
                                "laggards": [branch_name...]}},
             "laggards": [{"branch_name", "domain", "total", "position"}...],
             "findings": [...]}"""
    cfg = config if config is not None else load_config()
    out_rows: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    by_domain: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        name = row.get("branch_name") or f"第{i + 1}行"
        dom = row.get("domain")
        entry: dict[str, Any] = {"branch_name": name, "domain": dom, "total": row.get("total"),
                                 "grade": None, "grade_name": None, "laggard": False,
                                 "position": None, "findings": []}
        out_rows.append(entry)
        if dom not in cfg["domains"]:
            entry["findings"].append(finding("invalid_value", "domain", label=label(cfg, "domain"),
                                             value=dom if dom is not None else "", detail=f"{name}的领域无法识别"))
            continue
        try:
            to_fraction(row.get("total"))
        except Exception:
            entry["findings"].append(finding("invalid_value", "total", label="总分",
                                             value=row.get("total") if row.get("total") is not None else "",
                                             detail=f"{name}的总分不是数字"))
            continue
        g = grade_one(row["total"], row.get("dimensions"), rubric.domain(dom), row.get("satisfaction"))
        entry.update(grade=g["grade"], grade_name=g["grade_name"], base_grade=g["base_grade"],
                     downgraded=g["downgraded"], capped=g["capped"])
        entry["findings"].extend(g["findings"])
        by_domain.setdefault(dom, []).append(i)

    domains: dict[str, Any] = {}
    laggards: list[dict[str, Any]] = []
    for dom in cfg["domains"]:
        idx = by_domain.get(dom, [])
        if not idx:
            continue
        pct = laggard_percent(dom, cfg)
        names = list(cfg.get("laggard_tie_breakers") or [])
        breakers = [[breaker_value(b, rows[i], rubric.domain(dom)) for i in idx] for b in names]
        sel = select_bottom([rows[i]["total"] for i in idx], pct, breakers)
        dname = domain_name(cfg, dom)
        info = {"name": dname, "n": len(idx), "percent": pct, "quota": sel["quota"],
                "cut_score": _num(sel["cut_score"]) if sel["cut_score"] is not None else None,
                "ties_at_cut": sel["tied_extra"] > 0, "laggards": [],
                "tie_breakers": [cfg["tie_breaker_names"][names[t]] for t in sel["breakers_used"]]}
        for j in sel["indices"]:
            i = idx[j]
            entry = out_rows[i]
            entry["laggard"] = True
            entry["position"] = sel["positions"][j]
            entry["findings"].append(finding("laggard", None, domain=dname, n=len(idx),
                                             position=entry["position"], percent=pct, quota=sel["quota"]))
            info["laggards"].append(entry["branch_name"])
            laggards.append({"branch_name": entry["branch_name"], "domain": dom,
                             "total": rows[i]["total"], "position": entry["position"]})
        if sel["tied_at_cut"]:
            how = "、".join(info["tie_breakers"])
            if sel["tied_extra"]:
                still = sum(1 for j in sel["indices"] if to_fraction(rows[idx[j]]["total"]) == sel["cut_score"])
                f = finding("laggard_tie", None, domain=dname, quota=sel["quota"], score=_num(sel["cut_score"]),
                            count=sel["tied_at_cut"], still=still,
                            how=f"依次比较{how}后仍有" if how else "")
            else:
                f = finding("laggard_tie_broken", None, domain=dname, quota=sel["quota"],
                            score=_num(sel["cut_score"]), count=sel["tied_at_cut"], how=how)
            info["tie_finding"] = f
            findings.append(f)
        domains[dom] = info
    for entry in out_rows:
        findings.extend({**f, "branch_name": entry["branch_name"]} for f in entry["findings"]
                        if f["rule"] == "invalid_value")
    return {"branches": out_rows, "domains": domains, "laggards": laggards, "findings": findings}
