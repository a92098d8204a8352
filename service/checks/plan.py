"""The 创建工作方案's four parts (SZ-2.2): 指导思想、目标任务、具体措施、工作要求.

A part is found by a section heading that names it (in any usual wording: 总体思路 for 指导思想,
主要措施 for 具体措施, 保障措施 for 工作要求 …) or, when the plan has no headings for it, by its
content (a sentence whose phrases announce it: "以……为指导" is a 指导思想). A plan of one
sentence finds at most one part; `plan_incomplete` names each part missing.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from .findings import finding
from .texts import Outline, best_heading_match, outline, phrase_score, vocabulary


def plan_parts(text: str, vocab: Mapping[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """{part key: {name, found, by ("heading" | "content" | None), heading, evidence: [sentences]}}."""
    spec = (vocab or vocabulary())["plan"]
    parts = spec["parts"]
    doc = outline(text)
    out: dict[str, dict[str, Any]] = {
        key: {"name": p["name"], "found": False, "by": None, "heading": None, "evidence": []}
        for key, p in parts.items()}
    claimed = _headings_to_parts(doc, parts, spec["heading_similarity"])
    inline = _inline_labels(doc, parts, spec["heading_similarity"], set(claimed.values()))
    for key, sentence in inline.items():
        out[key].update(found=True, by="heading", heading=_INLINE.match(sentence).group(1), evidence=[sentence])
    for section_index, key in claimed.items():
        sec = doc.sections[section_index]
        out[key].update(found=True, by="heading", heading=sec.heading,
                        evidence=[doc.sentences[i].text for i in sec.sentences if not doc.sentences[i].is_heading][:3])
    # Content: only sentences not under a claimed heading, so a 具体措施 section's "确保" does not
    # stand in for a missing 工作要求.
    for key, p in parts.items():
        if out[key]["found"]:
            continue
        best, best_sentence = 0.0, None
        for s in doc.sentences:
            if s.section in claimed or s.is_heading or s.text in inline.values():
                continue
            score, _ = phrase_score(s.text, p["phrases"])
            if score > best:
                best, best_sentence = score, s.text
        if best >= spec["min_content_score"] and best_sentence is not None:
            if _strongest_part(best_sentence, parts) == key:
                out[key].update(found=True, by="content", evidence=[best_sentence])
    return out


def _headings_to_parts(doc: Outline, parts: Mapping[str, Any], threshold: float) -> dict[int, str]:
    """Top-level sections whose heading names a part: {section index: part key}, one section per part.

    Headings of the top level present (一、 before （一）) are tried first; a part takes the best
    matching heading, a heading names at most one part.
    """
    if not doc.sections:
        return {}
    top = min(s.level for s in doc.sections)
    scored = []
    for i, sec in enumerate(doc.sections):
        for key, p in parts.items():
            score = best_heading_match(sec.heading, p["headings"] + [p["name"]])
            if score >= threshold:
                scored.append((sec.level != top, -score, i, key))
    scored.sort()
    taken_sections: dict[int, str] = {}
    taken_parts: set[str] = set()
    for _not_top, _neg, i, key in scored:
        if i in taken_sections or key in taken_parts:
            continue
        taken_sections[i] = key
        taken_parts.add(key)
    return taken_sections


# "指导思想：以……为指导" — a part named at the head of a sentence, as a form's small box is written.
_INLINE = re.compile(r"^(?:[一二三四五六七八九十]是)?([\u4e00-\u9fff]{2,8})[：:]")


def _inline_labels(doc: Outline, parts: Mapping[str, Any], threshold: float, taken: set[str]) -> dict[str, str]:
    """{part key: sentence} for sentences that open with a label naming a part."""
    out: dict[str, str] = {}
    for s in doc.sentences:
        m = _INLINE.match(s.text)
        if not m:
            continue
        scores = {key: best_heading_match(m.group(1), p["headings"] + [p["name"]]) for key, p in parts.items()
                  if key not in taken and key not in out}
        if scores:
            key = max(scores, key=lambda k: scores[k])
            if scores[key] >= threshold and len(s.text) > len(m.group(0)) + 4:
                out[key] = s.text
    return out


def _strongest_part(sentence: str, parts: Mapping[str, Any]) -> str:
    scores = {key: phrase_score(sentence, p["phrases"])[0] for key, p in parts.items()}
    return max(scores, key=lambda k: scores[k])


def is_plan_title(title: Any) -> bool:
    """A 创建工作方案 (or 实施方案, 工作计划) by its title line: attached to a form, it is the plan."""
    return isinstance(title, str) and bool(re.search(r"方案|工作计划|实施计划", title))


def check_plan(text: str | None, field: str = "plan_summary",
               vocab: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """`plan_incomplete` (error) naming each of the four parts the plan does not set out."""
    if not text or not text.strip():
        return []  # an empty plan is completeness's missing_field, not this rule
    parts = plan_parts(text, vocab)
    missing = [p["name"] for p in parts.values() if not p["found"]]
    if not missing:
        return []
    return [finding("plan_incomplete", field, missing="、".join(missing),
                    missing_keys=[k for k, p in parts.items() if not p["found"]])]
