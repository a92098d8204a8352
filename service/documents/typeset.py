"""Chinese line breaking for the PDF: justified body lines and balanced titles.

WeasyPrint (70) justifies a line by widening its spaces only, and Chinese has none: 2 of 4 to
22 of 39 continuation lines of our documents ended 4–11 mm short of the right margin (digits are
half-width, and a closing mark may not start a line).  So the body text is broken into lines
here, with the advances of the very faces the PDF embeds, and each full line is drawn with the
letter spacing that makes it exactly the type area's width (inter-character justification,
GB/T 9704-2012 7.3.3: text fills the 156 mm line).

Rules (禁则, as Word and WPS apply them): no line starts with a closing mark (，。、；：？！）》”
…) and no line ends with an opening mark (（《“ …); a run of Latin letters or digits (2025,
100%, 022-12345678) stays on one line.  Titles (GB/T 9704 7.3.1: 词意完整，排列对称) break at
word boundaries (jieba) into lines of near-equal width, never inside a word.
"""

from __future__ import annotations

import functools
import re
import threading

import jieba
from fontTools.ttLib import TTFont

from ..vocabulary import DOCUMENT_KINDS
from . import fonts

jieba.setLogLevel(60)  # its dictionary-loading chatter is not ours to print
#: the programme's own terms, which jieba's general dictionary would cut (五好 | 党支部)
TERMS = ("五好党支部", "党支部", "党总支", "党工委", "工委", "验收申请表", "验收意见表", "考核评分表",
         DOCUMENT_KINDS["rectification-taskbook"], DOCUMENT_KINDS["rectification-ledger"], "相对后进",
         "创建申报表", "限期整改", "摘牌")
_jieba_lock = threading.Lock()
#: set once the terms are in jieba's dictionary: adding a word loads the dictionary (about 0.8 s of
#: CPU), so that happens at the first title broken into lines, not when the module is imported
_terms_added: list[bool] = []

#: may not start a line
NO_START = set("，。、；：？！）》〉」』】〕〗”’…—·%‰,.;:?!)]}")
#: may not end a line
NO_END = set("（《〈「『【〔〖“‘([{")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9.%\-/:@_]*|.", re.S)


@functools.lru_cache(maxsize=16)
def _metrics(path: str, index: int) -> tuple[dict[int, int], int]:
    """Advance widths (font units) by code point, and units per em, of one face."""
    font = TTFont(path, fontNumber=index, lazy=True)
    cmap = font.getBestCmap() or {}
    hmtx = font["hmtx"].metrics
    upem = font["head"].unitsPerEm
    return {cp: hmtx[g][0] for cp, g in cmap.items() if g in hmtx}, upem


def _chain(role: str) -> tuple[tuple[str, int], ...]:
    """The faces a role draws with, in fallback order (resolved now: the font directory may change)."""
    faces = [fonts.resolve_font(role)] + fonts.fallback_chain(role)
    return tuple(dict.fromkeys((f.path, f.index) for f in faces if f.path))


@functools.lru_cache(maxsize=4096)
def _advance(ch: str, chain: tuple[tuple[str, int], ...], size: float) -> float:
    cp = ord(ch)
    for key in chain:
        widths, upem = _metrics(*key)
        if cp in widths:
            return widths[cp] * size / upem
    return size  # no face has it: the generic family draws about one em


def advance(ch: str, role: str, size: float) -> float:
    """Width in pt of one character in the face the PDF draws it with (the role's chain)."""
    return _advance(ch, _chain(role), size)


def width(text: str, role: str, size: float, spacing: float = 0.0) -> float:
    return _width(text, _chain(role), size, spacing)


def _width(text: str, chain: tuple[tuple[str, int], ...], size: float, spacing: float = 0.0) -> float:
    return sum(_advance(c, chain, size) + spacing for c in text)


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text)


def break_lines(text: str, role: str, size: float, spacing: float, line_pt: float,
                first_indent_pt: float = 0.0) -> list[tuple[str, float]]:
    """Lines of a paragraph, each with the extra letter spacing (pt) that justifies it.

    The last line keeps its natural spacing (0).  ``line_pt`` is the type area's width.
    """
    chain = _chain(role)  # once per paragraph: resolving it looks at the font directory
    tokens = _tokens(text)
    lines: list[list[str]] = []
    current: list[str] = []
    used = first_indent_pt
    avail = line_pt
    for tok in tokens:
        w = _width(tok, chain, size, spacing)
        if current and used + w > avail + 0.01:
            carry: list[str] = []

            def breaks_a_rule() -> bool:
                starts = carry[0] if carry else tok
                return starts[0] in NO_START or current[-1][-1] in NO_END

            # 禁则: pull up to three characters down until the break is allowed
            while len(current) > 1 and len(carry) < 3 and breaks_a_rule():
                carry.insert(0, current.pop())
            lines.append(current)
            current = carry
            used = _width("".join(current), chain, size, spacing)
        if not current and w > avail:  # one token wider than a line (a long URL): cut it
            for ch in tok:
                cw = _width(ch, chain, size, spacing)
                if current and used + cw > avail + 0.01:
                    lines.append(current)
                    current, used = [], 0.0
                current.append(ch)
                used += cw
            continue
        current.append(tok)
        used += w
    if current:
        lines.append(current)
    out = []
    for i, toks in enumerate(lines):
        line = "".join(toks)
        if i == len(lines) - 1 or len(line) < 2:
            out.append((line, 0.0))
            continue
        # the spacing after the last character is not drawn: n characters, n - 1 gaps
        natural = _width(line, chain, size, spacing) - spacing + (first_indent_pt if i == 0 else 0.0)
        out.append((line, max(0.0, (line_pt - natural) / (len(line) - 1))))
    return out


def _words(text: str) -> list[tuple[str, int]]:
    """Words of a title (jieba), punctuation attached to its word, each with its quote depth."""
    with _jieba_lock:
        if not _terms_added:
            for term in TERMS:
                jieba.add_word(term)
            _terms_added.append(True)
        words = list(jieba.cut(text, HMM=False))
    out: list[list] = []
    depth = 0
    for w in words:
        if out and (w[0] in NO_START or out[-1][0][-1] in NO_END):
            out[-1][0] += w
        else:
            out.append([w, depth])
        depth = max(0, depth + sum(w.count(c) for c in "《“（") - sum(w.count(c) for c in "》”）"))
    return [(w, d) for w, d in out]


def title_lines(text: str, role: str, size: float, line_pt: float) -> list[str]:
    """A title in the fewest lines that fit, broken between words, lines of near-equal width.

    Among the breaks with the fewest lines: fewest breaks inside 《》“”（）, then the most even,
    then the pyramid (each line at least as long as the one above) — GB/T 9704-2012 7.3.1:
    词意完整，排列对称，使用梯形或菱形.
    """
    chain = _chain(role)
    if _width(text, chain, size) <= line_pt:
        return [text]
    words = _words(text)
    widths = [_width(w, chain, size) for w, _d in words]
    n = len(words)
    for lines_wanted in range(2, 6):
        best = None
        for cuts in _cut_sets(n, lines_wanted):
            bounds = (0,) + cuts + (n,)
            ws = [sum(widths[a:b]) for a, b in zip(bounds, bounds[1:])]
            if max(ws) > line_pt:
                continue
            inside = sum(words[c][1] for c in cuts)
            pyramid = all(x <= y for x, y in zip(ws, ws[1:]))
            score = (inside, round(max(ws) - min(ws), 1), not pyramid)
            if best is None or score < best[0]:
                best = (score, bounds)
        if best is not None:
            bounds = best[1]
            return ["".join(w for w, _d in words[a:b]) for a, b in zip(bounds, bounds[1:])]
    return [text]


def _cut_sets(n: int, k: int):
    """Every way to cut n words into k non-empty lines (k is small, titles are short)."""
    def rec(start: int, left: int):
        if left == 1:
            yield ()
            return
        for c in range(start + 1, n - left + 2):
            for rest in rec(c, left - 1):
                yield (c,) + rest
    yield from rec(0, k)
