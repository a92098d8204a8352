"""Typed conversion of raw values (str -> int/date/bool/domain code/...)."""
from __future__ import annotations

import re

from .forms import map_option
from .normalize import clean_value, parse_bool, parse_checkboxes, parse_count, parse_date, parse_number

_CJK_END = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’、，。；：！？（）《》]$")
_CJK_START = re.compile(r"^[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’、，。；：！？（）《》]")


def one_line(text: str) -> str:
    """Join wrapped lines: no space between CJK text, one space between Latin words."""
    out = ""
    for line in clean_value(text).splitlines():
        line = line.strip()
        if not line:
            continue
        if out and not (_CJK_END.search(out) or _CJK_START.search(line)) \
                and not ((out[-1].isdigit() or out[-1] in "-/.") and line[0].isdigit()):
            out += " "
        out += line
    return out


def to_str(text: str):
    v = one_line(text)
    return (v, 1.0) if v else None


def to_int(text: str):
    n = parse_count(text)
    return (n, 1.0) if n is not None else None


def to_number(text: str):
    n = parse_number(text)
    return (n, 1.0) if n is not None else None


def to_date(text: str):
    got = parse_date(text)
    if got is None:
        return None
    d, precision = got
    return d.isoformat(), (1.0 if precision == "day" else 0.7)


def to_bool(text: str):
    b = parse_bool(text)
    return (b, 1.0) if b is not None else None


def _to_option(kind: str, text: str, none_when_unticked: str | None = None):
    opts = parse_checkboxes(text)
    if opts:
        checked = [lab for lab, chk in opts if chk]
        codes = [m for m in (map_option(kind, lab) for lab in checked) if m]
        if len(codes) == 1:
            return codes[0][0], codes[0][1]
        if len(codes) > 1:
            return codes[0][0], 0.5  # several ticked: keep the first, flag it
        offers_none = any((m := map_option(kind, lab)) and m[0] == none_when_unticked for lab, _ in opts)
        if not checked and none_when_unticked and not offers_none:
            return none_when_unticked, 0.6  # no box ticked and no explicit "无" box: none held
        return None
    v = one_line(text)
    if not v:
        return None
    return map_option(kind, v)


def to_domain(text: str):
    return _to_option("domain", text)


def to_honor(text: str):
    return _to_option("honor", text, none_when_unticked="none")


_PHONE_RE = re.compile(r"(?:\+?86[- ]?)?(?:1\d{10}|0\d{2,3}[- ]?\d{7,8}|\d{7,8})(?:-\d{1,5})?")


def split_contact(text: str):
    """'李四 13800000000' -> ('李四', '13800000000')."""
    v = one_line(text)
    m = _PHONE_RE.search(v)
    phone = m.group(0) if m else ""
    name = (v[:m.start()] + v[m.end():]) if m else v
    name = re.sub(r"[，,、/；;（）()：:\s]+", " ", name).strip()
    name = re.sub(r"^(联系人|电话|手机)\s*", "", name).strip()
    return name, phone


CONVERTERS = {
    "str": to_str, "int": to_int, "number": to_number, "date": to_date, "bool": to_bool,
    "domain": to_domain, "honor": to_honor,
}
