"""汇报材料: title, char_count (non-whitespace characters of the whole text), headings, text."""
from __future__ import annotations

import re

from .classify import HEADING_RE, title_lines
from .model import Doc
from .normalize import collapse_ws

_WS = re.compile(r"\s+")
# a page number line ("— 1 —", "-2-", "第 3 页", "3 / 10") is page furniture, not report text
PAGE_NO_RE = re.compile(r"^[\s—\-–－]*(?:第\s*\d+\s*页(?:\s*[，,/]?\s*共\s*\d+\s*页)?|\d+(?:\s*/\s*\d+)?)[\s—\-–－]*$")


def char_count(text: str) -> int:
    return len(_WS.sub("", text or ""))


def read_report(doc: Doc) -> tuple[dict, dict]:
    fields: dict = {}
    prov: dict = {}
    paras = [p for p in doc.paragraphs if p.text.strip()]
    title_para = None
    for p in paras[:5]:
        t = collapse_ws(p.text)
        if len(t) <= 80 and not HEADING_RE.match(t):
            title_para = p
            break
    if title_para is not None:
        fields["title"] = collapse_ws(title_para.text).replace(" ", "") if _mostly_cjk(title_para.text) \
            else collapse_ws(title_para.text)
        prov["title"] = {**title_para.loc, "confidence": 0.95 if title_para.centered else 0.8}
    else:  # a PDF whose prose was read as one borderless block: the title is its first line
        first = next(iter(title_lines(doc)), None)
        if first is not None:
            text = collapse_ws(first[0].splitlines()[0])
            fields["title"] = text.replace(" ", "") if _mostly_cjk(text) else text
            prov["title"] = {**first[1], "confidence": 0.7}
    body = _body_text(doc)
    fields["char_count"] = char_count(body)
    prov["char_count"] = {"source": doc.source, "scope": "document", "confidence": 1.0}
    # the whole text, for the checks that read it (the five 好, the plan's parts, copied passages)
    fields["text"] = body
    prov["text"] = {"source": doc.source, "scope": "document", "confidence": 1.0}
    headings = []
    for p in paras:
        t = collapse_ws(p.text)
        if HEADING_RE.match(t) and len(t) <= 60:
            headings.append({"text": t, "provenance": {**p.loc, "confidence": 0.9}})
    fields["headings"] = [h["text"] for h in headings]
    prov["headings"] = {"source": doc.source, "items": [h["provenance"] for h in headings], "confidence": 0.9}
    return fields, prov


def _body_text(doc: Doc) -> str:
    parts = []
    for block in doc.blocks:
        if hasattr(block, "cells"):
            parts.extend(c.text for c in block.cells)
        elif not PAGE_NO_RE.match(block.text):
            parts.append(block.text)
    return "\n".join(parts)


def _mostly_cjk(text: str) -> bool:
    t = _WS.sub("", text)
    return bool(t) and sum(1 for ch in t if "\u4e00" <= ch <= "\u9fff") >= len(t) * 0.6
