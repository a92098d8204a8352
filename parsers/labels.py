"""Labels by meaning: how much a printed label looks like each field's label family.

``synonyms.yaml`` lists the wordings we have seen; a branch writes others (报送日期, 创建思路,
获奖情况, 党员之家 …). A label is scored against every field of the form kind by

- exact hit in the field's family (after NFKC / padding / colon removal): ``EXACT`` (1.0),
  the same after dropping a trailing （…） note: ``BRACKET`` (0.95);
- otherwise its *head noun* — the rightmost noun that says what kind of thing the label asks for
  (日期/时间, 荣誉/表彰, 方案/思路/计划, 人数, 电话/手机, 场地/场所 …, grouped in ``HEAD_CLASSES`` of
  interchangeable words) — and the characters it shares with the closest family member
  (Dice coefficient on characters): ``HEAD_AGREE + (1 − HEAD_AGREE)·dice`` when the head agrees
  with a head the field's family uses (a little less when only an earlier noun agrees: 是否直属工委),
  ``HEAD_MISMATCH·dice`` when it names another kind of thing, and ``NO_HEAD·dice`` when the label
  has no head noun at all; 是否…/有无… labels only score yes/no fields.

``extract.fields_from_pairs`` then keeps, per pair, the fields scoring at least
``CANDIDATE_MIN`` whose type the value fits, and solves one assignment per form.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from .forms import FORM_KINDS, NOT_A_FIELD, field_spec, label_index, match_label
from .normalize import norm_label, strip_bracket_suffix
from .pairs import labelish

YES_NO = ("是否", "有无", "有没有")
EXACT = 1.0
BRACKET = 0.95
# A label whose head disagrees with the field's is rarely that field (党员活动室 is not 党员人数):
# 0.4 keeps even a 0.9 character overlap far below CANDIDATE_MIN.
HEAD_MISMATCH = 0.4
# The head noun is the best single clue: with the only date field of a form, 报送日期 shares
# just 日期 (dice 0.5 against 填报日期) yet is surely it; 0.6 lets a shared head alone reach
# CANDIDATE_MIN and leaves the characters to rank fields that share the head.
HEAD_AGREE = 0.6
# Without a head noun only a near-identical wording may match (dice ≥ 0.75 → 0.6).
NO_HEAD = 0.8
# A shared head noun alone, or near-identical characters without one (dice ≥ 0.75).
CANDIDATE_MIN = 0.6

# Interchangeable head nouns, one group per kind of thing a label asks for. Generic words
# (情况, 信息, 内容) are skipped when looking for the head: 获奖情况 is about 获奖.
HEAD_CLASSES: dict[str, tuple[str, ...]] = {
    "date": ("日期", "时间", "年月", "年月日", "日子"),
    "honor": ("荣誉", "表彰", "获奖", "奖励", "称号", "荣誉称号"),
    "plan": ("方案", "思路", "计划", "措施", "举措", "规划", "打算", "概要", "摘要", "安排"),
    "summary": ("简介", "介绍", "概况", "内涵", "特色", "做法", "亮点", "简述", "概述"),
    "count": ("人数", "党员数", "人员数", "数量", "总数", "名额"),
    "phone": ("电话", "手机", "号码", "手机号", "联系方式", "电话号码"),
    "contact": ("联系人", "经办人", "填表人", "填报人", "联络人", "联系人员", "经办人员"),
    "head": ("书记", "负责人", "支书", "带头人"),
    "name": ("名称", "全称", "名", "称号"),
    "domain": ("领域", "类别", "类型", "分类"),
    "office": ("场地", "场所", "用房", "办公室"),
    "equipment": ("设备", "设施", "器材"),
    "room": ("活动室", "阵地", "之家", "活动场所", "活动中心"),
    "community": ("社区",),
    "org": ("党组织", "党委", "组织", "总支", "工委"),
    "total": ("总分", "合计", "得分", "总得分", "分数"),
    "under": ("直属",),
}
GENERIC_HEADS = ("情况", "信息", "内容")
_STOP_CHARS = set("的及和与或、/()（）")
_HEADS = sorted({(w, c) for c, words in HEAD_CLASSES.items() for w in words}, key=lambda t: -len(t[0]))


def head_classes(label: str, rightmost: bool = True) -> frozenset[str]:
    """Classes of the rightmost head noun in a normalised label (every head noun's when not
    ``rightmost``)."""
    best_end, found = -1, set()
    for word, cls in _HEADS:
        end = label.rfind(word)
        if end < 0:
            continue
        end += len(word)
        if not rightmost:
            found.add(cls)
        elif end > best_end:
            best_end, found = end, {cls}
        elif end == best_end and cls not in found:
            found.add(cls)
    return frozenset(found)


def _chars(text: str) -> Counter:
    return Counter(ch for ch in text if ch not in _STOP_CHARS)


def dice(a: str, b: str) -> float:
    """Dice coefficient on character multisets, ignoring connective characters."""
    return _dice(_chars(a), _chars(b))


def _dice(ca: Counter, cb: Counter) -> float:
    total = sum(ca.values()) + sum(cb.values())
    return 2.0 * sum((ca & cb).values()) / total if total else 0.0


@lru_cache(maxsize=None)
def families(kind: str) -> dict[str, tuple[str, ...]]:
    """key -> normalised labels (synonyms and the form's own label) for one kind."""
    out: dict[str, list[str]] = {}
    for lab, key in label_index(kind).items():
        out.setdefault(key, []).append(lab)
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=None)
def _family_chars(kind: str) -> dict[str, tuple[frozenset, tuple[Counter, ...]]]:
    """key -> (every character its family uses, each member's character multiset)."""
    out = {}
    for key, labs in families(kind).items():
        counters = tuple(_chars(strip_bracket_suffix(lab)) for lab in labs)
        out[key] = (frozenset().union(*counters), counters)
    return out


@lru_cache(maxsize=None)
def _types(kind: str) -> dict[str, str]:
    out = {k: v["type"] for k, v in field_spec(kind).items()}
    out.update({k: "number" for k in families(kind) if k.startswith("self_scores.")})
    return out


@lru_cache(maxsize=None)
def _family_heads(kind: str) -> dict[str, frozenset[str]]:
    return {key: frozenset().union(*(head_classes(strip_bracket_suffix(lab)) for lab in labs))
            for key, labs in families(kind).items()}


@lru_cache(maxsize=8192)
def label_scores(text: str, kind: str) -> tuple[tuple[str, float], ...]:
    """((key, score), …) of the fields this label may be, best first, scores ≥ CANDIDATE_MIN."""
    if kind not in FORM_KINDS or kind == "report":
        return ()
    n = norm_label(text)
    if not n or len(n) > 40 or ":" in n:
        return ()
    s = strip_bracket_suffix(n)
    exact = label_index(kind)
    if n in exact:
        return ((exact[n], EXACT),)
    if s in exact:
        return ((exact[s], BRACKET),)
    if NOT_A_FIELD.search(n):
        return ()
    heads = head_classes(s)
    others = head_classes(s, rightmost=False) - heads
    yes_no = s.startswith(YES_NO)
    field_heads = _family_heads(kind)
    types = _types(kind)
    listed = match_label(text, kind)  # prefix / one-unreadable-character matches of the lists
    out = [listed] if listed and listed[1] >= CANDIDATE_MIN else []
    mine = _chars(s)
    for key, (charset, counters) in _family_chars(kind).items():
        sim = max(_dice(mine, c) for c in counters) if charset.intersection(mine) else 0.0
        if yes_no and types.get(key) != "bool":
            continue  # 是否… / 有无… asks a yes-or-no question
        if not heads:
            score = NO_HEAD * sim
        elif heads & field_heads[key]:
            score = HEAD_AGREE + (1 - HEAD_AGREE) * sim
        elif others & field_heads[key]:
            score = HEAD_AGREE - 0.05 + (1 - HEAD_AGREE) * sim  # 是否直属工委: 直属 before 工委
        else:
            score = HEAD_MISMATCH * sim
        if score >= CANDIDATE_MIN and not (listed and listed[0] == key and listed[1] >= score):
            out = [o for o in out if o[0] != key]
            out.append((key, round(score, 4)))
    out.sort(key=lambda t: -t[1])
    return tuple(out)


_BLANKS = re.compile(r"[_＿]")


def one_token(text: str) -> bool:
    """One label, maybe padded (党　员　总　数) or wrapped in its cell, not 'value    label' nor
    a fill-in blank."""
    if _BLANKS.search(text):
        return False
    for line in text.splitlines():
        tokens = line.split()
        if len(tokens) > 1 and any(len(t) > 1 for t in tokens):
            return False
    return True


def is_listed(text: str, kind: str) -> bool:
    """A wording synonyms.yaml has for a field of this kind (strong evidence of a label)."""
    return match_label(text, kind) is not None


def resembles(text: str, kind: str) -> bool:
    """Listed, or label-shaped and like some field's label family (may be a label)."""
    return is_listed(text, kind) or (labelish(text) and one_token(text) and bool(label_scores(text, kind)))
