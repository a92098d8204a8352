"""Normalisers: labels, dates, counts, numbers, checkboxes, booleans.

Every function is pure and total: it returns None (or an empty value) for text it cannot
read, and never raises on str input.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

# --- checkbox marks ---------------------------------------------------------------------
CHECKED_MARKS = "☑☒■√✓✔✅▣◼●"
UNCHECKED_MARKS = "□☐◻○❑"
MARKS = CHECKED_MARKS + UNCHECKED_MARKS

# Symbol-font code points (w:sym w:char="F0FE" etc.), mapped to Unicode boxes.
SYMBOL_FONT_MAP = {
    "wingdings": {
        0x6F: "□", 0xA8: "□", 0x71: "❑", 0xA1: "○",
        0xFE: "☑", 0xFD: "☒", 0x78: "☒", 0xFC: "√", 0x6E: "■", 0x6C: "●",
    },
    "wingdings 2": {
        0x52: "☑", 0x54: "☒", 0x50: "√", 0xA3: "□", 0x2A: "□", 0x30: "□", 0xA2: "□", 0x51: "☒", 0x4F: "×",
    },
}


def symbol_char(font: str, code: int) -> str:
    """Map a symbol-font glyph (w:sym) to a Unicode character ('' when unknown)."""
    code = code - 0xF000 if code >= 0xF000 else code
    table = SYMBOL_FONT_MAP.get((font or "").strip().lower())
    if table is None:
        # Unknown symbol font: still recognise the usual Wingdings box glyphs.
        table = SYMBOL_FONT_MAP["wingdings"]
    return table.get(code, "")


# Private-use code points left by some PDF producers for Wingdings glyphs.
_PUA_MAP = {0xF000 + k: v for table in ("wingdings 2", "wingdings") for k, v in SYMBOL_FONT_MAP[table].items()}

_WS_RE = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_COLONS = ":：∶﹕"
_LABEL_TRIM = _COLONS + "*＊※ _＿-—.…·"


_CLEAN_TABLE = {**_PUA_MAP, 0x200B: None, 0xFEFF: None, 0x00AD: None}


def clean_text(text: str) -> str:
    """NFKC-free cleanup: map PUA symbol glyphs, drop zero-width characters (str.translate: the
    parse path calls this ~200 times a form)."""
    if not text:
        return ""
    return text.translate(_CLEAN_TABLE)


def squash(text: str) -> str:
    """Remove every kind of whitespace (ASCII, U+3000, NBSP, newlines)."""
    return _WS_RE.sub("", text or "")


def collapse_ws(text: str) -> str:
    """Collapse whitespace runs to one space and strip the ends."""
    return _WS_RE.sub(" ", text or "").strip()


_BRACKET_SUFFIX_RE = re.compile(r"[（(][^）)]{0,20}[）)]$")


@lru_cache(maxsize=16384)
def norm_label(text: str) -> str:
    """Canonical form of a label for synonym lookup.

    '支 部 名 称：' / '书　　记:' / '支\\n部\\n名\\n称' / '＊支部名称（全称）' -> NFKC, no whitespace,
    no trailing colon or required-marker.
    """
    s = unicodedata.normalize("NFKC", clean_text(text or ""))
    s = squash(s)
    s = s.strip(_LABEL_TRIM)
    return s


def strip_bracket_suffix(label: str) -> str:
    """'支部名称(全称)' -> '支部名称'; '领导班子好(20分)' -> '领导班子好'."""
    prev = None
    s = label
    while s != prev:
        prev = s
        s = _BRACKET_SUFFIX_RE.sub("", s).strip(_LABEL_TRIM)
    return s


_BLANK_RE = re.compile(r"^[_＿\s\u3000\-—]*$")


def clean_value(text: str) -> str:
    """Value cleanup: drop underline blanks (____) and padding, collapse whitespace."""
    s = clean_text(text or "")
    s = re.sub(r"[_＿]{2,}", " ", s)
    s = s.strip(" \t\r\n\u3000_＿")
    if _BLANK_RE.match(s):
        return ""
    lines = [collapse_ws(x) for x in s.splitlines()]
    return "\n".join(x for x in lines if x)


# Printed furniture of an empty space: a date skeleton (年 月 日, 年 月 日至 年 月 日), a unit
# (公顷, 票, 张, 元 …), a note in brackets (（盖章）, （附书面申请…）) or a bare 20( ) 第 号.
_BRACKETED_RE = re.compile(r"[（(【\[][^（()）【】\[\]]{0,40}[)）】\]]")
_FURNITURE_CHARS = set("年月日至号第票张元人套本份次页个户名岁公顷平方米" "　 \t\n\u00a0:：,，.。;；、/-—_＿()（）")


def furniture_only(text: str) -> bool:
    """True when a value space holds only printed furniture (and at least one piece of it)."""
    s = clean_text(text or "")
    if not s.strip():
        return False
    s = _BRACKETED_RE.sub(" ", s)
    return all(ch in _FURNITURE_CHARS or ch.isspace() for ch in s)


def blank_value(text: str) -> str:
    """clean_value, and '' for a space holding only furniture (年 月 日, （盖章）, 公顷)."""
    v = clean_value(text)
    return "" if furniture_only(v) else v


# --- Chinese numerals --------------------------------------------------------------------
_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "o": 0, "一": 1, "壹": 1, "二": 2, "贰": 2,
              "两": 2, "三": 3, "叁": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6,
              "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9}
_CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000, "万": 10000}
_CN_CHARS = "".join(_CN_DIGITS) + "".join(_CN_UNITS)


def cn_to_int(text: str) -> int | None:
    """'二十三' -> 23, '十五' -> 15, '一百零八' -> 108, '二〇二四' -> 2024 (digit by digit)."""
    s = (text or "").strip()
    if not s or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in s):
        return None
    if not any(ch in _CN_UNITS for ch in s):
        val = 0
        for ch in s:
            val = val * 10 + _CN_DIGITS[ch]
        return val
    total, section, digit = 0, 0, None
    for ch in s:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:
            unit = _CN_UNITS[ch]
            if unit == 10000:
                section += digit or 0
                total += section * unit
                section = 0
            else:
                section += (1 if digit is None else digit) * unit
            digit = None
    return total + section + (digit or 0)


def _to_ascii_digits(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")


# --- dates -------------------------------------------------------------------------------
_DATE_PATTERNS = [
    re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?:(?P<d>\d{1,2})\s*[日号])?"),
    re.compile(r"(?P<y>\d{4})\s*[-./]\s*(?P<m>\d{1,2})\s*[-./]\s*(?P<d>\d{1,2})(?!\d)"),
    re.compile(r"(?P<y>\d{4})\s*[-./]\s*(?P<m>\d{1,2})(?![\d./-])"),
    re.compile(r"(?<!\d)(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?!\d)"),
]
_CN_DATE_RE = re.compile(
    rf"(?P<y>[{_CN_CHARS}]{{2,4}})\s*年\s*(?P<m>[{_CN_CHARS}]{{1,3}})\s*月\s*(?:(?P<d>[{_CN_CHARS}]{{1,3}})\s*[日号])?"
)


def parse_date(text: str) -> tuple[date, str] | None:
    """Read a date; returns (date, precision) with precision 'day' or 'month'.

    Accepts 2024年3月15日, 2024.03.15, 2024/3/15, 2024-03-15, 20240315, 二〇二四年三月十五日,
    2024年3月 (month precision, day 1). Years 1900..2199.
    """
    s = squash(_to_ascii_digits(clean_text(text or "")))  # wrapped cells split dates over lines
    candidates = []
    for pat in _DATE_PATTERNS:
        m = pat.search(s)
        if m:
            candidates.append((m.start(), m.group("y"), m.group("m"), m.groupdict().get("d")))
            break
    m = _CN_DATE_RE.search(s)
    if m:
        y, mo = cn_to_int(m.group("y")), cn_to_int(m.group("m"))
        d = cn_to_int(m.group("d")) if m.group("d") else None
        if y is not None and mo is not None:
            candidates.append((m.start(), str(y), str(mo), None if d is None else str(d)))
    for _, y, mo, d in sorted(candidates, key=lambda c: c[0]):
        try:
            yi, mi = int(y), int(mo)
            if not 1900 <= yi <= 2199:
                continue
            if d is None:
                return date(yi, mi, 1), "month"
            return date(yi, mi, int(d)), "day"
        except (ValueError, TypeError):
            continue
    return None


# --- counts and numbers -----------------------------------------------------------------
_INT_RE = re.compile(r"(?<![\d.])(\d{1,7})(?![\d.])")
_CN_COUNT_RE = re.compile(rf"([{_CN_CHARS}]+)\s*(?:人|名|个|位)")
_CN_ANY_RE = re.compile(rf"[{_CN_CHARS}]+")


def parse_count(text: str) -> int | None:
    """'23', '23人', '共 23 名', '二十三名', '二十三' -> 23."""
    s = _to_ascii_digits(clean_text(text or ""))
    m = _INT_RE.search(s)
    if m:
        return int(m.group(1))
    m = _CN_COUNT_RE.search(s)
    if m:
        return cn_to_int(m.group(1))
    m = _CN_ANY_RE.fullmatch(squash(s))
    if m:
        return cn_to_int(m.group(0))
    return None


_NUM_RE = re.compile(r"(?<![\d.])(\d{1,6}(?:\.\d+)?)")


def parse_number(text: str) -> float | None:
    """'18.5', '18.5分', '１８．５', '九十五' -> float."""
    s = _to_ascii_digits(clean_text(text or "")).replace("。", ".")
    m = _NUM_RE.search(s)
    if m:
        return float(m.group(1))
    n = cn_to_int(squash(s).rstrip("分"))
    return float(n) if n is not None else None


# --- checkboxes and booleans ------------------------------------------------------------
_MARK_RE = re.compile(rf"[{MARKS}]")
_EMPTY_PAREN_RE = re.compile(r"[（(][ \u3000]*[)）]")
_WORD_SPLIT_RE = re.compile(r"[ \t\u3000]+")
_PAREN_MARK_RE = re.compile(rf"[（(]\s*([{MARKS}])\s*[)）]")


_W2_LETTER_RE = re.compile(r"(?:(?<=^)|(?<=[\s\u3000]))([£RQST])(?=[\u4e00-\u9fff（(])")
_W2_LETTERS = {"£": "□", "R": "☑", "Q": "☒", "S": "☒", "T": "☒"}


def wingdings2_letters(text: str) -> str:
    """'£农村 R社区': Wingdings 2 letters whose font was lost (a PDF made without the font, or
    text copied out of Word). Only letters right before a Chinese option are read as boxes."""
    return _W2_LETTER_RE.sub(lambda m: _W2_LETTERS[m.group(1)], text)


def has_marks(text: str) -> bool:
    s = clean_text(text or "")
    return bool(_MARK_RE.search(s) or ("£" in s and _MARK_RE.search(wingdings2_letters(s))))


def parse_checkboxes(text: str) -> list[tuple[str, bool]]:
    """Split a checkbox list into (option label, checked) pairs.

    '□有 ☑无 ■待定' -> [('有', False), ('无', True), ('待定', True)]. Marks may also follow
    their option ('有√ 无□', '有（√）').
    """
    s = clean_text(text or "")
    s = _PAREN_MARK_RE.sub(lambda m: m.group(1), s)
    if "£" in s and not _MARK_RE.search(s):
        s = wingdings2_letters(s)
    if _MARK_RE.search(s):
        s = _EMPTY_PAREN_RE.sub("□", s)  # "农村（√） 社区（ ）"
    if not _MARK_RE.search(s):
        return []
    stripped = s.strip()
    # marks precede their options unless the text ends with a mark ("农村√ 社区□")
    marks_first = bool(stripped) and (stripped[0] in MARKS or stripped[-1] not in MARKS)
    parts = _MARK_RE.split(s)
    marks = _MARK_RE.findall(s)
    out: list[tuple[str, bool]] = []
    if marks_first:
        for mark, seg in zip(marks, parts[1:]):
            # the mark belongs to the first word after it; later words are options whose own
            # box was lost (some PDF producers drop glyphs)
            words = _WORD_SPLIT_RE.split(seg.strip(" \t\u3000"))
            out.append((norm_label(words[0]), mark in CHECKED_MARKS))
            out.extend((norm_label(w), False) for w in words[1:])
    else:
        for seg, mark in zip(parts[:-1], marks):
            words = _WORD_SPLIT_RE.split(seg.strip(" \t\u3000"))
            out.extend((norm_label(w), False) for w in words[:-1])
            out.append((norm_label(words[-1]), mark in CHECKED_MARKS))
    return [(lab, chk) for lab, chk in out if lab]


_TRUE_WORDS = ("有", "是", "具备", "已", "符合", "yes", "y", "true", "√", "✓", "✔")
_FALSE_WORDS = ("无", "否", "没有", "不具备", "未", "不符合", "no", "n", "false", "×", "✗")


def parse_bool(text: str) -> bool | None:
    """'☑有 □无' -> True; '□是 ☑否' -> False; '有' -> True; '无' -> False; '☑' -> True."""
    s = clean_text(text or "")
    opts = parse_checkboxes(s)
    if opts:
        checked = [lab for lab, chk in opts if chk]
        if len(checked) == 1:
            return word_bool(checked[0])
        if not checked:
            return None
        return None
    t = norm_label(s).lower()
    if not t:
        return None
    if t in CHECKED_MARKS:
        return True
    if t in UNCHECKED_MARKS:
        return False
    return word_bool(t)


def word_bool(word: str) -> bool | None:
    t = norm_label(word).lower()
    if not t:
        return None
    for w in _FALSE_WORDS:
        if t == w or t.startswith(w):
            return False
    for w in _TRUE_WORDS:
        if t == w or t.startswith(w):
            return True
    return None


def iso(d: date | None) -> str | None:
    return d.isoformat() if d else None
