"""Map generic pairs to the canonical fields of a form kind: one assignment per form.

Every pair may be any field whose label family it resembles (``labels.label_scores``) and whose
type its value fits (a date only goes to a date field, a phone needs digits, free text is not a
bare date or a row of checkboxes). Each (pair, field) edge weighs
``(label score × layout confidence × value confidence) ** SHARPEN`` and the maximum-weight
assignment picks one pair per field and one field per pair, so two fields never take one
value and an unknown wording still lands where nothing better claims the field.
"""
from __future__ import annotations

import re

from .assign import max_weight_assignment
from .convert import CONVERTERS, split_contact
from .forms import field_spec, score_dimensions
from .labels import label_scores
from .normalize import clean_value, has_marks, parse_date
from .pairs import Pair

# Cubing the weights makes one strong edge beat two weak ones: an exact synonym (1.0) keeps its
# field even when giving it away would let two fuzzy labels (0.75 + 0.75) both match
# (1.0 > 0.42 + 0.42), while among fuzzy candidates the better overlap still wins.
SHARPEN = 3
_PHONE_DIGITS = re.compile(r"\d{5,}")
CONTACT_COMBO = "contact_combo"


def _convert(key: str, ftype: str, text: str):
    """(value, confidence) when ``text`` fits field ``key`` of type ``ftype``; None otherwise."""
    if key == CONTACT_COMBO:
        name, phone = split_contact(text)
        return ((name, phone), 0.95) if name or phone else None
    if ftype == "str":
        if has_marks(text) or parse_date(text) is not None and len(text.strip()) <= 20:
            return None  # a date goes to a date field, a row of boxes to a choice field
        if key == "contact_phone" and not _PHONE_DIGITS.search(text):
            return None
    conv = CONVERTERS.get(ftype)
    return conv(text) if conv else None


def _field_types(kind: str) -> dict[str, str]:
    spec = field_spec(kind)
    types = {k: v["type"] for k, v in spec.items() if v["type"] != "scores"}
    if "self_scores" in spec:
        types.update({f"self_scores.{d}": "number" for d in score_dimensions()})
    if "contact_person" in spec:
        types[CONTACT_COMBO] = "combo"
    return types


def blank_optional(pairs: list[Pair], kind: str, fields: dict) -> list[str]:
    """Optional fields whose label the form prints with nothing filled in (联系电话：____)."""
    spec = field_spec(kind)
    out = []
    for pair in pairs:
        if clean_value(pair.value):
            continue
        scores = label_scores(pair.label, kind)
        key = scores[0][0] if scores else None
        if key in spec and not spec[key].get("required") and key not in fields and key not in out:
            out.append(key)
    return out


def fields_from_pairs(pairs: list[Pair], kind: str) -> tuple[dict, dict]:
    spec = field_spec(kind)
    types = _field_types(kind)
    keys = list(types)
    col = {k: j for j, k in enumerate(keys)}
    weights: dict[tuple[int, int], float] = {}
    edges: dict[tuple[int, int], tuple] = {}
    for i, pair in enumerate(pairs):
        for key, label_conf in label_scores(pair.label, kind):
            if key not in col:
                continue
            conv = _convert(key, types[key], pair.value)
            if conv is None:
                continue
            value, value_conf = conv
            conf = label_conf * pair.confidence * value_conf
            weights[(i, col[key])] = conf ** SHARPEN
            edges[(i, col[key])] = (value, conf, pair.loc)
    rows = sorted({i for i, _ in weights})  # only pairs that may be some field enter the solver
    row_of = {i: k for k, i in enumerate(rows)}
    compact = {(row_of[i], j): w for (i, j), w in weights.items()}
    solved = max_weight_assignment(compact, len(rows), len(keys))
    chosen = {keys[j]: edges[(rows[k], j)] for k, j in solved.items()}
    combo = chosen.pop(CONTACT_COMBO, None)
    if combo is not None:
        (name, phone), conf, loc = combo
        for key, value in (("contact_person", name), ("contact_phone", phone)):
            if value and key not in chosen:
                chosen[key] = (value, conf, loc)

    fields: dict = {}
    prov: dict = {}
    for key in spec:
        if spec[key]["type"] == "scores":
            scores, locs, confs = {}, {}, []
            for dim in score_dimensions():
                got = chosen.get(f"self_scores.{dim}")
                if got is not None:
                    scores[dim] = got[0]
                    locs[dim] = {**got[2], "confidence": round(got[1], 3)}
                    confs.append(got[1])
            if scores:
                fields[key] = scores
                prov[key] = {**next(iter(locs.values())), "confidence": round(min(confs), 3),
                             "items": locs}
            continue
        got = chosen.get(key)
        if got is not None:
            fields[key] = got[0]
            prov[key] = {**got[2], "confidence": round(got[1], 3)}
    return fields, prov
