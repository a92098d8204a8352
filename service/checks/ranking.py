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
from .grading import grade as grade_one, to_fraction


def quota(n: int, percent: Any) -> int:
    """ceil(percent% of n), exact (no float rounding: 10% of 30 is 3, not 4)."""
    if n <= 0:
        return 0
    q = to_fraction(percent) * n / 100
    return -(-q.numerator // q.denominator)


def laggard_percent(domain: str | None, config: Mapping[str, Any]) -> Any:
    table = config["laggard_percent"]
    return table.get(domain or "", table["default"])


def select_bottom(scores: Sequence[Any], percent: Any) -> dict[str, Any]:
    """Indices of the 相对后进 among `scores` (one domain).

    Returns {"indices" (bottom first, stable), "quota", "cut_score", "tied_extra"
    (how many beyond the quota were added because they tie the cut score),
    "positions" {index: rank from the bottom, ties share the lowest rank}}."""
    n = len(scores)
    k = quota(n, percent)
    if k == 0:
        return {"indices": [], "quota": 0, "cut_score": None, "tied_extra": 0, "positions": {}}
    vals = [to_fraction(s) for s in scores]
    order = sorted(range(n), key=lambda i: (vals[i], i))
    cut = vals[order[k - 1]]
    chosen = [i for i in order if vals[i] <= cut]
    ordered = [vals[i] for i in order]
    positions = {i: 1 + bisect_left(ordered, vals[i]) for i in chosen}
    return {"indices": chosen, "quota": k, "cut_score": cut, "tied_extra": len(chosen) - k,
            "positions": positions}


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
        sel = select_bottom([rows[i]["total"] for i in idx], pct)
        dname = domain_name(cfg, dom)
        info = {"name": dname, "n": len(idx), "percent": pct, "quota": sel["quota"],
                "cut_score": _num(sel["cut_score"]) if sel["cut_score"] is not None else None,
                "ties_at_cut": sel["tied_extra"] > 0, "laggards": []}
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
        if sel["tied_extra"]:
            tie_count = sum(1 for j in sel["indices"]
                            if to_fraction(rows[idx[j]]["total"]) == sel["cut_score"])
            f = finding("laggard_tie", None, domain=dname, quota=sel["quota"],
                        score=_num(sel["cut_score"]), count=tie_count)
            info["tie_finding"] = f
            findings.append(f)
        domains[dom] = info
    for entry in out_rows:
        findings.extend({**f, "branch_name": entry["branch_name"]} for f in entry["findings"]
                        if f["rule"] == "invalid_value")
    return {"branches": out_rows, "domains": domains, "laggards": laggards, "findings": findings}
