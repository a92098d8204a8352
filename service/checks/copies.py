"""Copied passages between reports and plans: winnowed fingerprints, shares and shared passages.

Pure: `fingerprints(text)` gives the (hash, position) pairs stored for a text at upload;
`compare(...)` turns the postings the store found for those hashes into `report_copied` findings and
the passages to show side by side. The boilerplate every branch quotes is excluded twice: the
phrases listed in texts.yaml, and any fingerprint the corpus shows in the texts of
`boilerplate_min_organisations` organisations or more (the stop-list built from the corpus itself).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

from .findings import finding
from .texts import vocabulary

_KEEP = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbfA-Za-z0-9]")
_MASK = (1 << 63) - 1  # fingerprints are stored as signed 64-bit integers (BIGINT)


@dataclass(frozen=True)
class Normalised:
    chars: str              # the text's letters, digits and CJK characters only
    offsets: tuple[int, ...]  # offsets[i] = position of chars[i] in the original text


def normalise(text: str) -> Normalised:
    keep = [(i, ch) for i, ch in enumerate(text or "") if _KEEP.match(ch)]
    return Normalised("".join(ch.lower() for _, ch in keep), tuple(i for i, _ in keep))


def _hash(gram: str) -> int:
    return int.from_bytes(hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest(), "big") & _MASK


def _grams(chars: str, k: int) -> list[int]:
    return [_hash(chars[i:i + k]) for i in range(len(chars) - k + 1)]


def boilerplate_hashes(vocab: Mapping[str, Any] | None = None) -> frozenset[int]:
    spec = (vocab or vocabulary())["copies"]
    out: set[int] = set()
    for phrase in spec["boilerplate"]:
        out.update(_grams(normalise(phrase).chars, spec["k"]))
    return frozenset(out)


def fingerprints(text: str, vocab: Mapping[str, Any] | None = None) -> list[tuple[int, int]]:
    """Winnowed (hash, position in the normalised text) pairs, boilerplate phrases left out.

    Robust winnowing: in each window of w consecutive k-gram hashes the minimum is kept (the
    rightmost on ties), and a position is recorded once however many windows choose it.
    """
    spec = (vocab or vocabulary())["copies"]
    k, w = spec["k"], spec["w"]
    chars = normalise(text).chars
    grams = _grams(chars, k)
    if not grams:
        return []
    stop = boilerplate_hashes(vocab)
    if len(grams) <= w:
        pos = min(range(len(grams)), key=lambda i: (grams[i], -i))
        picked = {pos}
    else:
        picked = set()
        for start in range(len(grams) - w + 1):
            window = range(start, start + w)
            picked.add(min(window, key=lambda i: (grams[i], -i)))
    return [(grams[i], i) for i in sorted(picked) if grams[i] not in stop]


@dataclass
class Posting:
    """A stored fingerprint of another text: which submission, whose, where."""
    hash: int
    submission_id: int
    organisation_id: int
    position: int


def compare(text: str, postings: Iterable[Posting],
            others: Mapping[int, Mapping[str, Any]] | Callable[[set[int]], Mapping[int, Mapping[str, Any]]],
            *, own_organisation_id: int | None, vocab: Mapping[str, Any] | None = None,
            field: str = "report", known_common: Iterable[int] = (),
            prints: Sequence[tuple[int, int]] | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Findings and matches for `text` against the stored `postings` of its fingerprints.

    `others` gives, per submission id, {"organisation", "year", "text"} for the message and the
    passages — or is a function that loads them for the ids it is given (only the texts that
    share a passage are loaded); `known_common` names hashes the store already knows to be boilerplate (too frequent to
    fetch their postings). The share is the part of this text's characters inside passages shared with the
    other text (a passage: two or more shared fingerprints in a row, boilerplate between them
    bridged). Returns (findings, matches); a match is {"submission_id", "organisation",
    "organisation_id", "year", "share", "passages": [{"this", "other", "chars"}]}, best first.
    """
    spec = (vocab or vocabulary())["copies"]
    mine = list(prints) if prints is not None else fingerprints(text, vocab)
    norm = normalise(text)
    if not mine or not norm.chars:
        return [], []
    postings = list(postings)
    orgs_per_hash: dict[int, set[int]] = {}
    for p in postings:
        orgs_per_hash.setdefault(p.hash, set()).add(p.organisation_id)
    if own_organisation_id is not None:
        for h, _ in mine:
            orgs_per_hash.setdefault(h, set()).add(own_organisation_id)
    common = {h for h, orgs in orgs_per_hash.items() if len(orgs) >= spec["boilerplate_min_organisations"]}
    common |= set(known_common)
    bridge = sorted(pos for h, pos in mine if h in common)
    by_sub: dict[int, list[Posting]] = {}
    for p in postings:
        if p.hash not in common and p.organisation_id != own_organisation_id:
            by_sub.setdefault(p.submission_id, []).append(p)
    my_positions: dict[int, list[int]] = {}
    for h, pos in mine:
        my_positions.setdefault(h, []).append(pos)
    found = []
    for sub_id, plist in by_sub.items():
        if len(plist) < 2:
            continue  # a passage needs two shared fingerprints; most texts share one formula at most
        pairs = sorted((mp, p.position) for p in plist for mp in my_positions.get(p.hash, []))
        runs = _runs(pairs, bridge, spec)
        if runs:
            found.append((sub_id, plist[0].organisation_id, runs, _covered(runs, spec["k"]) / len(norm.chars)))
    info_of = others({f[0] for f in found}) if callable(others) else others
    matches = []
    for sub_id, org_id, runs, share in found:
        info = info_of.get(sub_id, {})
        matches.append({"submission_id": sub_id, "organisation": info.get("organisation", ""),
                        "organisation_id": org_id, "year": info.get("year"),
                        "share": round(share, 4),
                        "passages": passages(text, info.get("text") or "", runs, spec)})
    matches = [m for m in matches if m["share"] > 0]
    matches.sort(key=lambda m: -m["share"])
    findings = [
        finding("report_copied", field, organisation=m["organisation"], year=m["year"] or "—",
                submission=m["submission_id"], percent=round(m["share"] * 100))
        for m in matches if m["share"] * 100 >= spec["threshold_percent"]]
    return findings, matches


def _runs(pairs: Sequence[tuple[int, int]], bridge: Sequence[int],
          spec: Mapping[str, Any]) -> list[tuple[int, int, int, int]]:
    """Passages as (first, last) positions in this text and (first, last) in the other.

    Fingerprints of one copied passage are at most w apart (winnowing's density guarantee) or k + w
    after a boilerplate stretch that has fingerprints of its own; a run needs two shared ones.
    """
    gap = spec["w"] + spec["k"]
    events = sorted({(mp, "m") for mp, _ in pairs} | {(b, "b") for b in bridge})
    other_of: dict[int, list[int]] = {}
    for mp, op in pairs:
        other_of.setdefault(mp, []).append(op)
    runs = []
    current: list[int] | None = None   # [first matched, last matched, count, last event]
    for pos, what in events:
        if current is not None and pos - current[3] > gap:
            runs.append(current)
            current = None
        if what == "m":
            if current is None:
                current = [pos, pos, 1, pos]
            else:
                current[1], current[2], current[3] = pos, current[2] + 1, pos
        elif current is not None:
            current[3] = pos
    if current is not None:
        runs.append(current)
    out = []
    for first, last, count, _ in runs:
        if count < 2:
            continue
        ops = [op for mp in range(first, last + 1) for op in other_of.get(mp, [])]
        out.append((first, last, min(ops), max(ops)))
    return out


def _covered(runs: Sequence[tuple[int, int, int, int]], k: int) -> int:
    total, end = 0, -1
    for first, last, _, _ in sorted(runs):
        stop = last + k
        if stop > end:
            total += stop - max(first, end)
            end = stop
    return total


def passages(text: str, other: str, runs: Sequence[tuple[int, int, int, int]],
             spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The runs as the original texts' passages, for the review page to show side by side."""
    k = spec["k"]
    a_norm, b_norm = normalise(text), normalise(other)
    out = []
    for a, b, c, d in runs:
        end_a, end_b = b + k - 1, d + k - 1
        if end_a - a + 1 < spec["min_passage_chars"] or not a_norm.offsets:
            continue
        this = text[a_norm.offsets[a]:a_norm.offsets[min(end_a, len(a_norm.offsets) - 1)] + 1]
        that = other[b_norm.offsets[c]:b_norm.offsets[min(end_b, len(b_norm.offsets) - 1)] + 1] \
            if b_norm.offsets and c < len(b_norm.offsets) else ""
        out.append({"this": this, "other": that, "chars": end_a - a + 1})
    return out
