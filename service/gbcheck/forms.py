"""Forms of the text itself, the same in a PDF line and a DOCX paragraph: 发文字号 (7.2.5),
成文日期 and 印发日期 (7.3.5.4, 7.4.3), 附件说明 (7.3.4), 主送机关 (7.3.2) and the numbering of
structure levels (7.3.3).  Each function takes text and returns ``[(rule, values)]``.
"""
from __future__ import annotations

import re
import threading

import jieba

from .. import vocabulary
from . import rules

CN_DIGITS = "〇零○Ｏ一二三四五六七八九十"

DOC_NUMBER = re.compile(
    r"^(?P<org>[\u4e00-\u9fff]{1,16}?)\s*(?P<open>[〔\[［【(（{｛〈<])\s*(?P<year>\d{2,4})\s*"
    r"(?P<close>[〕\]］】)）}｝〉>])\s*(?P<di>第?)\s*(?P<num>\d+)\s*号$")
DATE_ARABIC = re.compile(r"^(?P<y>\d{2,4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日$")
DATE_CN = re.compile(rf"^[{CN_DIGITS}]{{2,4}}年[{CN_DIGITS}]{{1,3}}月[{CN_DIGITS}]{{1,3}}日$")
DATE_ANY = re.compile(rf"^(\d{{2,4}}|[{CN_DIGITS}]{{2,4}})\s*年\s*(\d{{1,2}}|[{CN_DIGITS}]{{1,3}})\s*月\s*"
                      rf"(\d{{1,2}}|[{CN_DIGITS}]{{1,3}})\s*日$")
IMPRINT = re.compile(r"^(?P<org>.*?)\s*(?P<date>\S+年\S+月\S+日)\s*印发$")
ATTACHMENT = re.compile(r"^附\s*件\s*(?P<colon>[：:]?)\s*(?P<rest>.*)$")
ITEM = re.compile(r"^(?P<n>\d{1,2})\s*(?P<sep>[.．、，,])\s*(?P<name>\D.*)$")
TRAILING_PUNCT = "。，；、：.,;:！？!?"

HEADING = [
    (1, re.compile(r"^(?P<m>[一二三四五六七八九十]+)(?P<sep>[、.．，,])"), "{n}、"),
    (2, re.compile(r"^(?P<open>[（(])(?P<m>[一二三四五六七八九十]+)(?P<close>[）)])"), "（{n}）"),
    (3, re.compile(r"^(?P<m>\d{1,2})(?P<sep>[.．、，,])(?!\d)"), "{n}."),
    (4, re.compile(r"^(?P<open>[（(])(?P<m>\d{1,2})(?P<close>[）)])"), "（{n}）"),
]


def doc_number(text: str) -> list[tuple[str, dict]]:
    """发文字号: 〔〕 around a four-digit year, no 第, no leading zero ("市直工委〔2025〕6号")."""
    m = DOC_NUMBER.match(text.replace(" ", ""))
    if not m:
        return []
    out = []
    if m["open"] != "〔" or m["close"] != "〕":
        out.append(("doc-number-bracket", {"text": text}))
    if len(m["year"]) != 4:
        out.append(("doc-number-year", {"text": text}))
    if m["di"]:
        out.append(("doc-number-di", {"text": text}))
    if m["num"].startswith("0") and m["num"] != "0":
        out.append(("doc-number-zero", {"text": text, "wrong": m["num"], "right": str(int(m["num"]))}))
    return out


def is_doc_number(text: str) -> bool:
    return bool(DOC_NUMBER.match(text.replace(" ", "")))


def is_date(text: str) -> bool:
    return bool(DATE_ANY.match(text.replace(" ", "")))


def date(text: str) -> list[tuple[str, dict]]:
    """成文日期: Arabic numerals, the full year, month and day without a leading zero."""
    t = text.replace(" ", "")
    if DATE_CN.match(t):
        return [("date-numerals", {"text": text})]
    m = DATE_ARABIC.match(t)
    if not m:
        return [("date-numerals", {"text": text})] if DATE_ANY.match(t) else []
    out = []
    if len(m["y"]) != 4:
        out.append(("date-year", {"text": text}))
    if (m["m"].startswith("0") or m["d"].startswith("0")):
        right = f"{m['y']}年{int(m['m'])}月{int(m['d'])}日"
        out.append(("date-padded", {"text": text, "right": right}))
    return out


def imprint_date(text: str) -> list[tuple[str, dict]]:
    """印发日期 (7.4.3): the same form as the 成文日期, followed by 印发."""
    m = IMPRINT.match(text.strip())
    if not m:
        return []
    return [("imprint-date", {"text": m["date"] + "印发"})] if date(m["date"]) else []


def attachment(text: str) -> tuple[list[tuple[str, dict]], dict | None]:
    """附件说明 (a line starting 附件…): problems, and what it says (``None`` if it is not one)."""
    m = ATTACHMENT.match(text.strip())
    if not m or not m["rest"] or re.fullmatch(r"\d+", m["rest"]):
        return [], None
    out = []
    if m["colon"] != "：":
        out.append(("attachment-colon", {"text": text}))
    item = ITEM.match(m["rest"])
    numbered = bool(item and item["name"])
    if numbered and item["sep"] not in (".", "．"):
        out.append(("attachment-numbering", {"text": text}))
    return out, {"numbered": numbered, "rest": m["rest"]}


def attachment_item(text: str) -> dict | None:
    """A further line of a numbered 附件说明 ("2.××××"), or None."""
    m = ITEM.match(text.strip())
    if not m:
        return None
    return {"n": int(m["n"]), "sep": m["sep"], "name": m["name"]}


def ends_with_punct(text: str) -> bool:
    return bool(text) and text.rstrip()[-1] in TRAILING_PUNCT


def addressee(text: str) -> list[tuple[str, dict]]:
    t = text.strip()
    return [("addressee-colon", {"text": t})] if t.endswith(":") else []


def heading(text: str) -> tuple[int, str] | None:
    """(level, marker) when ``text`` opens with a structure-level number (一、 （一） 1. （1）)."""
    t = text.strip()
    for level, pattern, _ in HEADING:
        m = pattern.match(t)
        if m:
            return level, m.group(0)
    return None


def heading_form(text: str) -> list[tuple[str, dict]]:
    """一、 with 、; （一） and （1） with full-width brackets; 1. with a full stop (not 、)."""
    t = text.strip()
    for _level, pattern, expected in HEADING:
        m = pattern.match(t)
        if not m:
            continue
        right = expected.format(n=m["m"])
        ok = m.group(0) == right or (right.endswith(".") and m.group(0) == right[:-1] + "．")
        return [] if ok else [("heading-form", {"marker": m.group(0), "expected": right})]
    return []


NO_START = set("，。、；：？！）》〉」』】〕〗”’…—·%‰,.;:?!)]}")
NO_END = set("（《〈「『【〔〖“‘([{")
_JIEBA = threading.Lock()
_jieba_ready: list[bool] = []
jieba.setLogLevel(60)  # its dictionary-loading chatter is not ours to print


def _words(text: str) -> list[str]:
    """jieba's segmentation (dictionary only, no HMM guesses) with the title words of rules.yaml and the
    names of the programme's documents and forms."""
    with _JIEBA:
        if not _jieba_ready:
            names = [*vocabulary.DOCUMENT_KINDS.values(), *vocabulary.FORM_NAMES.values()]
            for word in [*rules.data().get("title_words", []), *(w for n in names for w in re.split(r"[（）()]", n))]:
                if word:
                    jieba.add_word(word)
            _jieba_ready.append(True)
        return list(jieba.cut(text, HMM=False))


def _chars(text: str) -> float:
    """A line's length in full-width characters (a half-width digit or letter counts ½)."""
    return sum(0.5 if ord(ch) < 0x2E80 and ch not in "“”‘’—…·" else 1.0 for ch in text)


def title_balance(lines: list[str]) -> list[tuple[str, dict]]:
    """7.3.1 排列对称、长短适宜: a title's lines form a 梯形 (each line at least as long as the one
    above — a pyramid — or at most as long — an inverted pyramid) or a 菱形 (longer to the middle,
    then shorter), and no line is a stub: the shortest is at least ``title_balance_ratio`` of the
    longest.  Lines within ``title_even_chars`` of each other count as equally long."""
    lines = [ln.strip() for ln in lines if ln.strip()]
    if len(lines) < 2:
        return []
    data = rules.data()
    ratio, even = float(data.get("title_balance_ratio", 0.5)), float(data.get("title_even_chars", 1))
    widths = [_chars(ln) for ln in lines]
    shown = "｜".join(lines)
    if min(widths) < ratio * max(widths):
        return [("title-balance", {"lines": shown, "why": f"长短悬殊（最短一行{_n(min(widths))}字，"
                                                           f"最长一行{_n(max(widths))}字）"})]
    steps = [0 if abs(b - a) <= even else (1 if b > a else -1) for a, b in zip(widths, widths[1:])]
    steps = [s for s in steps if s]
    # 梯形: all one way; 菱形: longer, then shorter (never shorter, then longer again)
    if any(a < b for a, b in zip(steps, steps[1:])):
        return [("title-balance", {"lines": shown, "why": "中间一行短于上下两行"})]
    return []


def _n(value: float) -> str:
    return f"{value:g}"


def title_breaks(lines: list[str]) -> list[tuple[str, dict]]:
    """7.3.1 词意完整: a title's lines break between words, never inside one, and no line starts with
    a closing mark or ends with an opening one."""
    lines = [ln.strip() for ln in lines if ln.strip()]
    if len(lines) < 2:
        return []
    bounds, at = set(), 0
    for word in _words("".join(lines)):
        at += len(word)
        bounds.add(at)
    out, at = [], 0
    for left, right in zip(lines, lines[1:]):
        at += len(left)
        why = None
        if right[0] in NO_START or left[-1] in NO_END:
            why = "让标点落在行首或行尾"
        elif at not in bounds:
            why = "把词拆开了"
        if why:
            out.append(("title-break", {"left": left[-3:], "right": right[:3], "why": why}))
    return out
