"""Tell the form kind from the content: the title first, then the labels."""
from __future__ import annotations

import re

from .forms import match_label, title_patterns
from .model import Doc, Para, Table
from .normalize import norm_label

FORM_ORDER = ("acceptance", "declaration", "brand")
SPECIFIC = {
    "declaration": {"prior_honor", "has_office", "has_equipment", "has_activity_room", "plan_summary",
                    "directly_under", "declared_on"},
    "acceptance": {"self_score_total", "creation_started_on", "self_scores.leadership", "self_scores.members",
                   "self_scores.mechanism", "self_scores.performance", "self_scores.reputation"},
    "brand": {"brand_name", "brand_summary", "community", "established_on"},
}
HEADING_RE = re.compile(r"^\s*[一二三四五六七八九十]{1,3}\s*[、．.]")
REPORT_TOPIC_RE = re.compile(r"五好|党支部|党建|支部")


def title_lines(doc: Doc, limit: int = 6) -> list[tuple[str, dict]]:
    """The first non-empty text blocks (paragraphs, or a table's first cells)."""
    out = []
    for block in doc.blocks:
        if isinstance(block, Para):
            if block.text.strip():
                out.append((block.text, block.loc))
        elif isinstance(block, Table):
            for c in block.cells[:3]:
                if c.text.strip():
                    out.append((c.text, c.loc))
            break  # a form's title is above or in the first row of its first table
        if len(out) >= limit:
            break
    return out


def classify(doc: Doc) -> tuple[str, float]:
    """(kind, confidence); kind is 'unknown' when neither title nor labels say."""
    candidates = [text for text, _ in title_lines(doc)] + doc.header_text.splitlines()[:4]
    for i, text in enumerate(candidates):
        t = norm_label(text)
        if len(t) > 60:
            continue
        for kind in FORM_ORDER:
            if any(p.search(t) for p in title_patterns(kind)):
                return kind, 0.98 if i < len(candidates) - len(doc.header_text.splitlines()[:4]) else 0.9
    by_labels = _by_labels(doc)
    if by_labels:
        return by_labels, 0.8
    if _looks_like_report(doc):
        return "report", 0.85
    if looks_like_prose(doc):
        return "report", 0.75
    return "unknown", 0.0


def _label_texts(doc: Doc):
    for block in doc.blocks:
        if isinstance(block, Table):
            for c in block.cells:
                yield c.text
        else:
            for line in block.text.splitlines():
                head = re.split(r"[:：]", line, maxsplit=1)
                if len(head) == 2:
                    yield head[0]


def _by_labels(doc: Doc) -> str | None:
    texts = [t for t in _label_texts(doc) if t and len(t) <= 40]
    best, best_score = None, 0
    for kind in FORM_ORDER:
        keys = set()
        for t in texts:
            m = match_label(t, kind)
            if m and m[1] >= 0.9:
                keys.add(m[0])
        specific = len(keys & SPECIFIC[kind])
        common = len(keys - SPECIFIC[kind])
        if specific >= 2 and common >= 2 and specific > best_score:
            best, best_score = kind, specific
    return best


# What a report is, whatever it is called (述职报告, 工作总结, 政府工作报告): a title line, then
# continuous prose. 1000 characters keeps out a 公示 or 通知 of a few paragraphs (~300);
# 60 % prose keeps out forms, whose text is mostly labels and short values.
PROSE_MIN_CHARS = 1000
PROSE_SHARE = 0.6
PROSE_LINE_MIN = 15  # a prose line: at least this many characters and sentence punctuation
TITLE_MAX = 40
_SENTENCE_PUNCT = re.compile(r"[，。；、！？]")
_WS = re.compile(r"\s+")


def looks_like_prose(doc: Doc) -> bool:
    lines = [_WS.sub("", ln) for ln in doc.full_text.splitlines()]
    lines = [ln for ln in lines if ln]
    if len(lines) < 4:
        return False
    title = lines[0]
    if len(title) > TITLE_MAX or re.search(r"[:：]", title) or _SENTENCE_PUNCT.search(title[-1]):
        return False
    total = sum(len(ln) for ln in lines)
    prose = sum(len(ln) for ln in lines[1:] if len(ln) >= PROSE_LINE_MIN and _SENTENCE_PUNCT.search(ln))
    return prose >= PROSE_MIN_CHARS and prose >= PROSE_SHARE * total


def _looks_like_report(doc: Doc) -> bool:
    paras = [p for p in doc.paragraphs if p.text.strip()]
    if len(paras) < 4:
        return False
    body = "".join(p.text for p in paras)
    table_chars = sum(len(c.text) for t in doc.tables for c in t.cells)
    if len(body) < 400 or table_chars > len(body) / 3:
        return False
    first = norm_label(paras[0].text)
    headings = sum(1 for p in paras if HEADING_RE.match(p.text))
    if any(p.search(first) for p in title_patterns("report")):
        return True
    return headings >= 2 and bool(REPORT_TOPIC_RE.search(body[:2000]))
