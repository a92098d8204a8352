"""Map generic pairs to the canonical fields of a form kind, typed, with provenance."""
from __future__ import annotations

from .convert import CONVERTERS, split_contact
from .forms import field_spec, match_label, score_dimensions
from .pairs import Pair


def _offer(best: dict, key: str, value, conf: float, loc: dict) -> None:
    cur = best.get(key)
    if cur is None or conf > cur[1] + 1e-9:
        best[key] = (value, conf, loc)


def fields_from_pairs(pairs: list[Pair], kind: str) -> tuple[dict, dict]:
    spec = field_spec(kind)
    best: dict[str, tuple] = {}
    for pair in pairs:
        m = match_label(pair.label, kind)
        if m is None:
            continue
        key, label_conf = m
        conf = label_conf * pair.confidence
        if key == "contact_combo":
            name, phone = split_contact(pair.value)
            if name:
                _offer(best, "contact_person", name, conf * 0.95, pair.loc)
            if phone:
                _offer(best, "contact_phone", phone, conf * 0.95, pair.loc)
            continue
        if key.startswith("self_scores.") or key == "self_score_total":
            conv = CONVERTERS["number"](pair.value)
        else:
            ftype = spec[key]["type"]
            conv = CONVERTERS[ftype](pair.value) if ftype in CONVERTERS else None
        if conv is None:
            continue
        value, value_conf = conv
        _offer(best, key, value, conf * value_conf, pair.loc)

    fields: dict = {}
    prov: dict = {}
    for key in spec:
        if spec[key]["type"] == "scores":
            scores, locs, confs = {}, {}, []
            for dim in score_dimensions():
                got = best.get(f"self_scores.{dim}")
                if got is not None:
                    scores[dim] = got[0]
                    locs[dim] = {**got[2], "confidence": round(got[1], 3)}
                    confs.append(got[1])
            if scores:
                fields[key] = scores
                prov[key] = {**next(iter(locs.values())), "confidence": round(min(confs), 3),
                             "items": locs}
            continue
        got = best.get(key)
        if got is not None:
            fields[key] = got[0]
            prov[key] = {**got[2], "confidence": round(got[1], 3)}
    return fields, prov
