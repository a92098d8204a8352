"""Each issuing organ's programme (programmes.yaml): the 市直 办法 for the 工委, the district practice for
the 区委, the community opinion for the street — as data. A document takes its wording, citations and
follow-up from the programme of the committee that issues it, so a 区委 notice never names the 市直 办法.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
RULE_CODE = re.compile(r"(SZ|JH|SQ)-\d+(?:\.\d+)?")
FIELD_KEY = re.compile(r"[（(]\s*[a-z]+(?:_[a-z]+)+\s*[)）]")  # a finding's "（contact_phone）"


@lru_cache(maxsize=None)
def _data() -> dict:
    with open(HERE / "programmes.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def programme_for(committee_name: str) -> dict:
    """The programme (with its ``code``) whose ``match`` occurs in the committee's name; else the default."""
    data = _data()
    for code, prog in data["programmes"].items():
        if any(m in (committee_name or "") for m in prog.get("match", [])):
            return {"code": code, **prog}
    code = data["default"]
    return {"code": code, **data["programmes"][code]}


def cite(code: str | None, programme: dict | None = None) -> str:
    """How people cite a rule: the programme's words for the code; '' for no or an unknown code.

    With the issuing organ's ``programme``, a rule of another programme is cited as that organ's own
    basis (its ``source``): a 区委 notice about a missing form field cites the district's requirements,
    never the 市直 办法."""
    if not code:
        return ""
    if programme is not None:
        own = programme.get("clauses", {})
        if code in own:
            return own[code]
        if cite(code):
            return programme.get("source") or ""
        return ""
    for prog in _data()["programmes"].values():
        if code in prog.get("clauses", {}):
            return prog["clauses"][code]
    return ""


def scrub(text: str, programme: dict | None = None) -> str:
    """A text with every rule code replaced by its citation (a bracketed code disappears if unknown) and
    every bracketed field key removed: people read 联系电话, not contact_phone."""
    text = FIELD_KEY.sub("", text or "")
    text = re.sub(r"（\s*(" + RULE_CODE.pattern + r")\s*）",
                  lambda m: f"（{cite(m.group(1), programme)}）" if cite(m.group(1), programme) else "", text)
    return RULE_CODE.sub(lambda m: cite(m.group(0), programme) or "有关规定", text)
