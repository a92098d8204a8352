"""Form definitions and label synonyms, loaded from forms.yaml / synonyms.yaml."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from .normalize import norm_label, strip_bracket_suffix

HERE = Path(__file__).resolve().parent
FORM_KINDS: tuple[str, ...] = ("declaration", "acceptance", "brand", "report")
PSEUDO_KEYS = {"contact_combo": ("contact_person", "contact_phone")}
PREFIX_MIN = 4
FUZZY_MIN = 5
# signature / opinion / note boxes are never one of the form's fields
NOT_A_FIELD = re.compile(r"意见|签字|签名|盖章|签章|备注|说明")


@lru_cache(maxsize=1)
def _forms() -> dict:
    with open(HERE / "forms.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@lru_cache(maxsize=1)
def _synonyms() -> dict:
    with open(HERE / "synonyms.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def field_spec(kind: str) -> dict[str, dict]:
    """{key: {"type", "required", "label"}} for a form kind (KeyError for unknown kinds)."""
    return {k: dict(v) for k, v in _forms()["kinds"][kind]["fields"].items()}


def required_fields(kind: str) -> list[str]:
    """Required field keys of a kind, in form order; [] for 'unknown'."""
    if kind not in FORM_KINDS:
        return []
    return [k for k, v in field_spec(kind).items() if v.get("required")]


def title_of(kind: str) -> str:
    return _forms()["kinds"][kind]["title"]


def short_name(kind: str) -> str:
    """The name pages and file names use (创建申报表), shorter than the printed title."""
    return _forms()["kinds"][kind]["short"]


def title_patterns(kind: str) -> list[re.Pattern]:
    return [re.compile(p) for p in _forms()["kinds"][kind].get("title_patterns", [])]


def score_dimensions() -> dict[str, str]:
    return dict(_forms()["score_dimensions"])


def domain_labels() -> dict[str, str]:
    return dict(_forms()["domains"])


def honor_labels() -> dict[str, str]:
    return dict(_forms()["honors"])


def _allowed_keys(kind: str) -> set[str]:
    keys = set(field_spec(kind))
    if "contact_person" in keys:
        keys.add("contact_combo")
    if "self_scores" in keys:
        keys |= {f"self_scores.{d}" for d in score_dimensions()}
    return keys


@lru_cache(maxsize=None)
def label_index(kind: str) -> dict[str, str]:
    """normalised label -> key for one kind (kind table overrides common)."""
    syn = _synonyms()
    allowed = _allowed_keys(kind)
    index: dict[str, str] = {}
    for table in (syn.get("common", {}), syn.get(kind, {}) or {}):
        for key, labels in table.items():
            if key not in allowed:
                continue
            for lab in labels:
                index[norm_label(lab)] = key
    for key, spec in field_spec(kind).items():
        index.setdefault(norm_label(spec["label"]), key)
    return index


@lru_cache(maxsize=None)
def _prefix_list(kind: str) -> list[tuple[str, str]]:
    return sorted(((lab, key) for lab, key in label_index(kind).items() if len(lab) >= PREFIX_MIN),
                  key=lambda t: -len(t[0]))


@lru_cache(maxsize=4096)
def match_label(text: str, kind: str) -> tuple[str, float] | None:
    """Map a label text to (key, confidence) for a kind; None when it is not a known label."""
    if kind not in FORM_KINDS or kind == "report":
        return None
    n = norm_label(text)
    if not n or len(n) > 40 or ":" in n:
        return None
    index = label_index(kind)
    if n in index:
        return index[n], 0.97
    s = strip_bracket_suffix(n)
    if s in index:
        return index[s], 0.93
    if NOT_A_FIELD.search(n):
        return None
    for lab, key in _prefix_list(kind):
        if s.startswith(lab) and len(s) - len(lab) <= 6:
            return key, 0.75
    if len(s) >= FUZZY_MIN:
        # one unreadable character (a PDF font without the glyph writes .notdef / □)
        hits = {key for lab, key in index.items()
                if len(lab) == len(s) and sum(a != b for a, b in zip(lab, s)) == 1}
        if len(hits) == 1:
            return hits.pop(), 0.7
    return None


@lru_cache(maxsize=None)
def known_label_any(text: str) -> bool:
    return any(match_label(text, k) for k in ("declaration", "acceptance", "brand"))


@lru_cache(maxsize=None)
def _value_index(kind: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    table = _synonyms()["values"][kind]
    names = {"domain": domain_labels, "honor": honor_labels}[kind]()
    exact: dict[str, str] = {}
    for code, labels in table.items():
        exact[norm_label(code)] = code
        for lab in (names[code], *labels):
            exact[norm_label(lab)] = code
    contains = sorted(((lab, code) for lab, code in exact.items() if len(lab) >= 2),
                      key=lambda t: -len(t[0]))
    return exact, contains


@lru_cache(maxsize=1)
def printed_kou_neighbours() -> frozenset[tuple[str, str]]:
    """(left, right) characters around 口 in every option and field label the forms print.

    A scan reader finds checkboxes by their square frame, and the character 口 is one (窗口单位
    和服务行业): a frame between exactly these two characters is the character, not a box.
    Labels from this file and synonyms.yaml only, never a general dictionary: 村口 is a word, and
    the box after 农村 in a list of domains must stay a box.  An edge of a label counts as "" on that side."""
    labels: set[str] = set()
    for kind in ("domain", "honor"):
        labels.update(_value_index(kind)[0])
    for kind in ("declaration", "acceptance", "brand"):
        labels.update(label_index(kind))
    out = set()
    for lab in labels:
        for i, ch in enumerate(lab):
            if ch == "口":
                out.add((lab[i - 1] if i else "", lab[i + 1] if i + 1 < len(lab) else ""))
    return frozenset(out)


def map_option(value_kind: str, text: str) -> tuple[str, float] | None:
    """Map an option text (a domain's name or alias, '☑党建目标管理先进党支部') to a code."""
    exact, contains = _value_index(value_kind)
    n = norm_label(text)
    if not n:
        return None
    if n in exact:
        return exact[n], 1.0
    found = {code for lab, code in contains if lab in n}
    if len(found) == 1:
        return found.pop(), 0.8
    return None  # nothing, or several options named without a tick: ambiguous
