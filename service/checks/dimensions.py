"""The five 好 in the 汇报材料 (SQ-2): which sentences speak to which dimension, with what facts.

Each sentence is scored against each dimension: the phrases of texts.yaml, the similarity of the
sentence to the rubric items of the branch's domain (the assessors' own vocabulary), and a prior
when its section heading names the dimension ("二、抓实队伍建设" → 党员队伍好). A sentence is
evidence for the dimensions that reach `min_score`. A dimension with no evidence gets
`report_dimension_missing`; facts (numbers with units, dates, named activities) are counted per
dimension so a report of slogans reads differently from a report of work.
"""
from __future__ import annotations

from typing import Any, Mapping

from .findings import finding
from .texts import Outline, best_heading_match, bigrams, dice, facts, outline, phrase_score, vocabulary

DIMENSION_KEYS = ("leadership", "members", "mechanism", "performance", "reputation")


def rubric_texts(domain_rubric: Mapping[str, Any] | None) -> dict[str, list[str]]:
    """The item texts of a domain's rubric per dimension ({} when no rubric is given)."""
    items = (domain_rubric or {}).get("items") or {}
    return {key: [it.get("text", "") for it in items.get(key, []) if it.get("text")] for key in DIMENSION_KEYS}


def map_dimensions(text: str, names: Mapping[str, str], domain_rubric: Mapping[str, Any] | None = None,
                   vocab: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """{"dimensions": {key: {name, evidence: [{sentence, start, score, facts}], facts}},
        "sentences": n, "facts": total}."""
    spec = (vocab or vocabulary())["report"]
    dims = spec["dimensions"]
    doc = outline(text)
    priors = _section_priors(doc, dims, names)
    items = {k: [bigrams(t) for t in v] for k, v in rubric_texts(domain_rubric).items()}
    out = {key: {"name": names.get(key, key), "evidence": [], "facts": 0} for key in DIMENSION_KEYS}
    total_facts = 0
    for s in doc.sentences:
        if s.is_heading:
            continue
        found = facts(s.text)
        total_facts += len(found)
        grams = bigrams(s.text)
        scored = {}
        for key in DIMENSION_KEYS:
            score, hits = phrase_score(s.text, dims[key]["phrases"])
            sim = max((dice(grams, g) for g in items.get(key, [])), default=0.0)
            score += spec["rubric_weight"] * sim
            if priors.get(s.section) == key:
                score += spec["section_prior"]
            scored[key] = (score, hits)
        top = max(v[0] for v in scored.values())
        for key, (score, hits) in scored.items():
            # evidence for the dimensions it speaks to most: a sentence on 谈心谈话 that names the
            # 支部书记 is about the members, not the leadership
            if score >= spec["min_score"] and score >= spec["near_top"] * top:
                out[key]["evidence"].append({"sentence": s.text, "start": s.start, "score": round(score, 2),
                                             "phrases": hits, "facts": found})
                out[key]["facts"] += len(found)
    for key in DIMENSION_KEYS:
        out[key]["evidence"].sort(key=lambda e: -e["score"])
    return {"dimensions": out, "sentences": sum(1 for s in doc.sentences if not s.is_heading),
            "facts": total_facts}


def _section_priors(doc: Outline, dims: Mapping[str, Any], names: Mapping[str, str]) -> dict[int, str]:
    """{section index: dimension} for sections whose heading (or a parent heading) names one."""
    priors: dict[int, str] = {}
    parent: dict[int, str] = {}
    for i, sec in enumerate(doc.sections):
        scores = {key: best_heading_match(sec.heading, list(dims[key]["headings"]) + [names.get(key, "")])
                  for key in DIMENSION_KEYS}
        best = max(scores, key=lambda k: scores[k])
        if scores[best] >= 0.5:
            priors[i] = best
            parent[sec.level] = best
        elif sec.level > 1 and parent.get(sec.level - 1):
            priors[i] = parent[sec.level - 1]  # a （一） under a 二、 that names a dimension
        if sec.level == 1 and scores[best] < 0.5:
            parent = {}
    return priors


def check_report_dimensions(text: str | None, names: Mapping[str, str],
                            domain_rubric: Mapping[str, Any] | None = None,
                            vocab: Mapping[str, Any] | None = None,
                            field_prefix: str = "report.dimensions.") -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Findings (`report_dimension_missing` per dimension without evidence; `report_few_facts` when
    the dimensions that are there carry almost no facts) and the map itself for the assessor."""
    if not text or not text.strip():
        return [], {}
    spec = (vocab or vocabulary())["report"]
    result = map_dimensions(text, names, domain_rubric, vocab)
    out = []
    thin: list[str] = []
    for key in DIMENSION_KEYS:
        d = result["dimensions"][key]
        if not d["evidence"]:
            out.append(finding("report_dimension_missing", field_prefix + key, dimension=d["name"]))
        elif d["facts"] < spec["min_facts_per_dimension"]:
            thin.append(d["name"])
    if thin:
        out.append(finding("report_few_facts", field_prefix.rstrip("."), dimensions="、".join(thin)))
    return out, result


