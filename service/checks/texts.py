"""Reading prose the way the assessment group does: sections, sentences, similarity, facts.

Shared by the plan check (plan.py), the five-好 map of the report (dimensions.py) and the copy
check (copies.py). Pure functions over strings; the vocabulary is texts.yaml.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import yaml

HERE = Path(__file__).resolve().parent

# Heading forms of Chinese official writing (GB/T 9704 7.3.3): 一、 （一） 1. （1）, plus 第一部分 / 第一条.
HEADING_RE = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、．.]|[（(]\s*[一二三四五六七八九十]{1,3}\s*[)）]"
    r"|\d{1,2}\s*[、．.](?!\d)|[（(]\s*\d{1,2}\s*[)）]|第[一二三四五六七八九十]{1,3}(?:部分|条|章))")
# Sentences end at 。！？； and at line breaks; a heading's own line is its sentence.
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|\n")
# A heading sentence may run on into its first sentence: "一、指导思想。以……" — the heading is the
# text up to the first full stop or colon when that is short.
_HEADING_HEAD = re.compile(r"^(.{2,30}?)[。：:]")
_CJK_OR_WORD = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbfA-Za-z0-9]")

# Concrete facts (SQ-2 "a report of work, not of slogans"): numbers with a unit or a date, and the
# names of activities in quotation marks or book-title marks.
_FACT_NUMBER = re.compile(
    r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十百千万两]+)\s*(?:%|％|个|次|名|人|场|项|期|篇|件|户|家|万元|元|亿元|小时|天|"
    r"批|条|处|所|支|位|份|本|堂|课时|家次|人次|余人|余次|余项|万|分)")
_FACT_DATE = re.compile(r"\d{4}\s*年(?:\s*\d{1,2}\s*月)?|\d{1,2}\s*月(?:份|\s*\d{1,2}\s*日)?")
_FACT_NAME = re.compile(r"“[^”]{2,20}”|《[^》]{2,30}》|\"[^\"]{2,20}\"")


@lru_cache(maxsize=None)
def _load() -> dict[str, Any]:
    with open(HERE / "texts.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def vocabulary() -> dict[str, Any]:
    """texts.yaml as a fresh dict (callers may change it for a run)."""
    return copy.deepcopy(_load())


@dataclass
class Sentence:
    text: str
    start: int                 # offset of the sentence in the whole text
    section: int               # index into Outline.sections (-1: before any heading)
    is_heading: bool = False


@dataclass
class Section:
    heading: str
    start: int
    level: int                 # 1 for 一、, 2 for （一）, 3 for 1., 4 for （1）/ 第X部分 counts as 1
    sentences: list[int] = field(default_factory=list)


@dataclass
class Outline:
    text: str
    sections: list[Section]
    sentences: list[Sentence]


def heading_level(line: str) -> int:
    s = line.strip()
    if re.match(r"^[一二三四五六七八九十]{1,3}\s*[、．.]|^第[一二三四五六七八九十]{1,3}(?:部分|章)", s):
        return 1
    if re.match(r"^[（(]\s*[一二三四五六七八九十]", s):
        return 2
    if re.match(r"^\d", s):
        return 3
    return 4


def heading_text(line: str) -> str:
    """A heading without its number and trailing punctuation: 一、指导思想。 → 指导思想."""
    s = HEADING_RE.sub("", line.strip(), count=1).strip()
    m = _HEADING_HEAD.match(s)
    if m:
        s = m.group(1)
    return s.strip(" 　：:。.")


def outline(text: str) -> Outline:
    """Split prose into sections (by numbered headings) and sentences, keeping offsets.

    A numbered line is a heading when its head (up to the first full stop or colon) is at most 30
    characters: "一、强化班子建设，筑牢战斗堡垒" is a heading, a numbered paragraph of 200
    characters is a heading followed by its body sentences.
    """
    text = text or ""
    sections: list[Section] = []
    sentences: list[Sentence] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped and HEADING_RE.match(stripped):
            sections.append(Section(heading=heading_text(stripped), start=pos, level=heading_level(stripped)))
        current = len(sections) - 1
        offset = pos
        first = True
        for piece in _SENTENCE_END.split(line):
            if piece is None:
                continue
            if piece.strip() and _CJK_OR_WORD.search(piece):
                lead = len(piece) - len(piece.lstrip())
                is_heading = first and current >= 0 and sections[current].start == pos
                sentences.append(Sentence(piece.strip(), offset + lead, current, is_heading))
                if current >= 0:
                    sections[current].sentences.append(len(sentences) - 1)
                first = False
            offset += len(piece)
        pos += len(line)
    return Outline(text, sections, sentences)


def bigrams(text: str) -> set[str]:
    chars = "".join(_CJK_OR_WORD.findall(text or ""))
    return {chars[i:i + 2] for i in range(len(chars) - 1)} or ({chars} if chars else set())


def dice(a: str | set[str], b: str | set[str]) -> float:
    """Character-bigram Dice similarity, 0..1: robust to word order and to the missing word
    boundaries of Chinese (主要目标 ~ 目标任务 = 0.33, 工作目标 ~ 目标任务 = 0.33, 目标 ~ 目标任务 = 0.5)."""
    x = a if isinstance(a, set) else bigrams(a)
    y = b if isinstance(b, set) else bigrams(b)
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


def phrase_score(sentence: str, phrases: Iterable[str]) -> tuple[float, list[str]]:
    """Sum of the phrases present (1 each, 1.5 for four characters or more) and which ones."""
    hits = [p for p in phrases if p and p in sentence]
    # a phrase inside a longer hit is not counted twice (班子 inside 班子成员)
    hits = [p for p in hits if not any(p != q and p in q for q in hits)]
    return sum(1.5 if len(p) >= 4 else 1.0 for p in hits), hits


def best_heading_match(heading: str, candidates: Iterable[str]) -> float:
    """How well a section heading names something: 1.0 when it contains a wording outright."""
    score = 0.0
    for c in candidates:
        if c and c in heading:
            return 1.0
        score = max(score, dice(heading, c))
    return score


def facts(sentence: str) -> list[str]:
    """Concrete facts in a sentence: numbers with units, dates, named activities."""
    found = [m.group(0) for m in _FACT_NUMBER.finditer(sentence)]
    found += [m.group(0) for m in _FACT_DATE.finditer(sentence)]
    found += [m.group(0) for m in _FACT_NAME.finditer(sentence)]
    return found


def char_count(text: str) -> int:
    return len(re.sub(r"\s+", "", text or ""))
