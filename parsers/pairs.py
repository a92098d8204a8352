"""Generic label -> value pairs from tables and paragraphs.

Layouts understood: label|value grids (2 or 4 columns, merged cells), a row of labels with the
values in the row below, vertical labels (one character per line, merged down), checkbox
options spread over several cells, scores tables (item | max | self score), and paragraphs
``标签：值`` / ``标签：____值____`` with several pairs per line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from .model import Cell, Doc, Para, Table
from .normalize import blank_value, clean_value, furniture_only, has_marks, norm_label, strip_bracket_suffix

Known = Callable[[str], bool]


@dataclass
class Pair:
    label: str
    value: str
    loc: dict
    label_loc: dict
    layout: str  # right | below | inline | paragraph | score_column
    confidence: float = 1.0
    extra_locs: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"label": norm_label(self.label), "value": blank_value(self.value),
                "layout": self.layout, "provenance": {**self.loc, "confidence": round(self.confidence, 3)},
                "label_provenance": dict(self.label_loc)}


_COLON_RE = re.compile(r"[:：]")
_DIGIT_RE = re.compile(r"\d")
_PLACEHOLDER_RE = re.compile(r"^\$\{|^\{\{|^<<")
_SEP = set(" \t\u3000；;，,。、_＿|")


# Real labels run to 19 characters (大学生团队或大学生法人代表占企业股份比) before a bracketed
# note; 24 leaves room while a sentence (which has punctuation) stays out.
LABEL_MAX = 24
_SUBTOTAL_RE = re.compile(r"^其中:")
_SIGN_BLOCK_RE = re.compile(r"[(（](盖章|签字|签名|公章|签章)[)）].*年.*月")
_IDENTIFIER_RE = re.compile(r"[a-z][A-Za-z_]*")  # personName, dateBirth: a template's placeholder
_SENTENCE_RE = re.compile(r"[。!?;！？；]")


@lru_cache(maxsize=16384)
def labelish(text: str) -> bool:
    """Could this cell text be a label (heuristic, for forms we do not know)?"""
    n = _SUBTOTAL_RE.sub("", norm_label(text))  # 其中：国有法人资本
    core = strip_bracket_suffix(n)
    if not 2 <= len(core) <= LABEL_MAX or len(n) > 2 * LABEL_MAX:
        return False
    if _DIGIT_RE.search(core) or has_marks(n) or _PLACEHOLDER_RE.search(n) or _IDENTIFIER_RE.fullmatch(n):
        return False
    if len(set(n)) == 1:  # "骥骥", "××": placeholders, not labels
        return False
    if _SENTENCE_RE.search(n) or n.count("，") > 1 or ":" in n:  # ':' inside: a "label：value" cell
        return False
    if _SIGN_BLOCK_RE.search(n):
        return False  # '骥（盖章）年 月 日': a signed and dated block, not a label
    return not furniture_only(n)  # 年 月 日, 公顷: the furniture of an empty value


_LABEL_WORD_RE = re.compile(r"(意见|名称|日期|时间|人数|电话|情况|姓名|签字|签名|盖章|备注|地址|编号|类别|职务|说明|得分|评分|合计|总分)$")


def label_word(text: str) -> bool:
    """Ends like a label does ('党组织意见', '填表日期'): a label even when we do not know it."""
    n = strip_bracket_suffix(norm_label(text))
    return labelish(n) and bool(_LABEL_WORD_RE.search(n))


def _is_label(text: str, known: Known, strict: bool) -> bool:
    if known(text):
        return True
    if strict:
        t = text.strip()
        return bool(t) and (t[-1] in ":：" and labelish(t) or label_word(t))
    return labelish(text)


# --- paragraphs -------------------------------------------------------------------------
#: no tail with more visible characters than this can be a label (``match_label`` takes at most
#: 40 after NFKC, which composes a character with its marks at most); longer tails are not
#: normalised: each try costs its length, and a line of 4,800 characters made the search
#: quadratic (a one-page, 914-byte PDF of 80 text lines took 14 s)
MAX_TAIL_VISIBLE = 160


def _split_tail_label(part: str, known: Known) -> tuple[str, str] | None:
    """'张三    党员人数' -> ('张三', '党员人数'): the value of one pair, the label of the next."""
    start, visible = len(part), 0  # part[start:] holds at most MAX_TAIL_VISIBLE visible characters
    while start and (visible < MAX_TAIL_VISIBLE or part[start - 1].isspace()):
        visible += not part[start - 1].isspace()
        start -= 1
    for k in range(start, len(part)):
        if k and part[k - 1] not in _SEP:
            continue
        tail = part[k:]
        if tail.strip() and known(tail):
            return part[:k], tail
    m = re.search(r"(?:[ \t\u00a0]{2,}|\u3000+|[；;，,。]|[_＿]+\s*)\s*([^\s；;，,。_＿]{2,15})\s*$", part)
    if m and labelish(m.group(1)):
        return part[:m.start()], m.group(1)
    return None


_COLUMN_SPLIT_RE = re.compile(r"\t+| {2,}|\u3000{2,}")


def column_pairs(line: str, known: Known) -> list[tuple[str, str]]:
    """'支部名称<tab>市财政局第一党支部<tab>书　　记<tab>张三' (no colons): columns of a borderless
    table or a tab-aligned line. Only known labels start a pair."""
    tokens = [t for t in _COLUMN_SPLIT_RE.split(line) if t.strip()]
    if len(tokens) < 2:
        return []
    out: list[tuple[str, list[str]]] = []
    i = 0
    while i < len(tokens):
        hit = None
        for j in range(i + 1, min(len(tokens), i + 8) + 1):  # a padded label may span several tokens
            if known("".join(tokens[i:j])):
                hit = j
                break
        if hit is not None:
            out.append(("".join(tokens[i:hit]), []))
            i = hit
            continue
        if not out:
            return []  # the line does not start with a label
        out[-1][1].append(tokens[i])
        i += 1
    return [(lab, " ".join(vals)) for lab, vals in out]


_SIGN_NOTE_RE = re.compile(r"[(（]\s*(签名|签字|盖章|签章|公章)\s*[)）]$")
_TAIL_LABEL_RE = re.compile(r"^(.*?)[ \t\u3000\u00a0]{2,}([^\s:：]{2,24})\s*$")
_HINT_RE = re.compile(r"^\s*[（(]([^（()）]{2,16})[)）]\s*$")


def line_pairs(line: str, known: Known) -> list[tuple[str, str]]:
    """All label/value pairs in one line of text."""
    pairs = _line_pairs(line, known)
    if len(pairs) == 1:
        label, value = pairs[0]
        hint = _HINT_RE.match(value)
        if hint and label_word(hint.group(1)) and not known(label):
            # 中山大学…党委 ：（上级党委名称）: the value printed before its hint label
            return [(hint.group(1), label)]
    if pairs:
        label, value = pairs[-1]
        tail = _TAIL_LABEL_RE.match(value)
        if tail and label_word(tail.group(2)) and not known(value):
            # 部门负责人签字：        承诺人签字 — two labels on one line, the second without a colon
            pairs[-1] = (label, tail.group(1))
            pairs.append((tail.group(2), ""))
    return pairs


_GAP_RE = re.compile(r"\t+|[ \u3000\u00a0]{2,}")


def _after_gap(text: str) -> str:
    """'QR-4.3-01-A4<tabs>收文日期' -> '收文日期': a label is what follows the last wide gap (but
    '书　　记' is one padded label, not '记')."""
    pieces = [p for p in _GAP_RE.split(text) if p.strip()]
    if len(pieces) >= 2 and len(pieces[-1].strip()) >= 2 and len(pieces[-2].strip()) >= 2 \
            and labelish(pieces[-1]):
        return pieces[-1]
    return text


def _line_pairs(line: str, known: Known) -> list[tuple[str, str]]:
    if not _COLON_RE.search(line):
        n = norm_label(line)
        if _SIGN_NOTE_RE.search(n) and labelish(n):
            return [(line.strip(), "")]  # 监 票 人（签名）: a signature line, nothing written yet
        m = re.match(r"^\s*([^\s_＿:：]{2,15}(?:[ \u3000][^\s_＿:：]){0,8})\s*[_＿]{2,}(.*?)[_＿\s]*$", line)
        if m and known(m.group(1)):
            return [(m.group(1), m.group(2))]
        return column_pairs(line, known)
    parts = _COLON_RE.split(line)
    label = _after_gap(parts[0])
    n = norm_label(label)
    if not n or len(n) > 20 or "。" in label or "${" in n or "{{" in n or (len(n) > 1 and len(set(n)) == 1):
        return []
    out: list[tuple[str, str]] = []
    carry = ""
    for i in range(1, len(parts)):
        part = carry + parts[i]
        carry = ""
        if i == len(parts) - 1:
            out.append((label, part))
            break
        split = _split_tail_label(part, known)
        if split is None:
            carry = part + "："  # a colon inside the value (e.g. 10:30)
            continue
        value, nxt = split
        out.append((label, value))
        label = nxt
    return out


def paragraph_pairs(paras: list[Para], known: Known) -> list[Pair]:
    items = [(p.text, p.loc) for p in paras]
    return _item_pairs(items, known, layout="paragraph", conf=0.95)


def _item_pairs(items: list[tuple[str, dict]], known: Known, layout: str, conf: float) -> list[Pair]:
    """Pairs from a sequence of text blocks; 'label：' alone takes the following blocks as value."""
    out: list[Pair] = []
    i = 0
    while i < len(items):
        text, loc = items[i]
        found = []
        for line in text.splitlines():
            found.extend(line_pairs(line, known))
        for lab, val in found:
            out.append(Pair(label=lab, value=val, loc=loc, label_loc=loc, layout=layout, confidence=conf))
        if len(found) == 1 and not clean_value(found[0][1]) and (known(found[0][0]) or labelish(found[0][0])):
            j = i + 1
            texts = []
            while j < len(items) and items[j][0].strip() and not any(
                    line_pairs(ln, known) for ln in items[j][0].splitlines()):
                texts.append(items[j][0])
                j += 1
            if texts:
                out[-1].value = "\n".join(texts)
                out[-1].loc = items[i + 1][1]
                out[-1].layout = layout + "_below"
                out[-1].confidence = conf - 0.1
                i = j
                continue
        i += 1
    return out


# --- tables -----------------------------------------------------------------------------
_SCORE_HEAD_RE = re.compile(r"自评(得)?分|自评|得分")
_SCORE_MAX_RE = re.compile(r"满分|分值|标准分|权重")


def _grid(table: Table) -> dict[tuple[int, int], Cell]:
    grid = {}
    for c in table.cells:
        for r in range(c.row, c.row_end):
            for k in range(c.col, c.col_end):
                grid[(r, k)] = c
    return grid


def _score_column(rows: dict[int, list[Cell]]) -> tuple[int, int] | None:
    """(header row, column) of a 'self score' column in a scores table."""
    for r, cells in rows.items():
        texts = [norm_label(c.text) for c in cells]
        heads = [c for c, t in zip(cells, texts) if t and len(t) <= 8 and _SCORE_HEAD_RE.search(t)
                 and not _SCORE_MAX_RE.search(t)]
        if heads and len(cells) >= 2:
            return r, heads[-1].col
    return None


class _TableState:
    """What one pass over a table needs: the grid, which cells are labels, which are used."""

    def __init__(self, table: Table, known: Known, strict: bool, strong: Known | None = None):
        self.rows = table.rows()
        self.grid = _grid(table)
        self.known = known
        # a listed label (synonyms.yaml): only these stop a cell from being the value of the cell
        # on its left — a value may resemble a label (幸福路社区 ~ 所在社区), a listed label may not
        self.strong = strong or known
        self.strict = strict
        self.is_label = {id(c): _is_label(c.text, known, strict) for c in table.cells}
        self.row_label = dict(self.is_label)  # for rows of labels over rows of values
        if self.strong is not known:
            for c in table.cells:  # right of a listed label, a label-like text is that label's value
                left = self.grid.get((c.row, c.col - 1))
                if self.is_label[id(c)] and left is not None and left is not c and self.strong(left.text) \
                        and not _is_label(c.text, self.strong, strict):
                    self.is_label[id(c)] = False
        self.used: set[int] = set()
        self.out: list[Pair] = []

    def free(self, cell: Cell | None) -> bool:
        return cell is not None and id(cell) not in self.used

    def emit(self, label: Cell, value: Cell | None, layout: str, conf: float, text: str | None = None) -> Pair:
        pair = Pair(label.text, value.text if text is None and value is not None else (text or ""),
                    (value or label).loc, label.loc, layout, conf)
        self.out.append(pair)
        self.used.add(id(label))
        if value is not None:
            self.used.add(id(value))
        return pair


_ENUMERATED_RE = re.compile(r"^([一二三四五六七八九十]+|\d+)[、.．]")


def table_pairs(table: Table, known: Known, strict: bool, strong: Known | None = None) -> list[Pair]:
    st = _TableState(table, known, strict, strong)
    _score_column_pairs(st)
    width = max((c.col_end for c in table.cells), default=0)
    last = max(st.rows, default=-1)
    for r, row in st.rows.items():
        if not any(st.free(c) for c in row):
            continue
        if not strict and _column_header_row(row, r, st.grid, st.is_label):
            # the column heads of a list table: labels without a value of their own
            for c in row:
                if st.free(c) and norm_label(c.text):
                    st.emit(c, None, "column_header", 0.6)
            continue
        if not strict and r == last and len(row) >= LIST_HEAD_MIN and all(st.is_label[id(c)] for c in row):
            for c in row:  # a list table's header with no data rows (printed for hand filling)
                st.emit(c, None, "column_header", 0.6)
            continue
        if not strict and _heading_over_area(st, r, row, width):
            continue
        if _header_row(r, row, st.rows, st.grid, st.row_label, known, strict, st.strong):
            for c in row:
                below = st.grid.get((c.row_end, c.col))
                if st.free(c) and st.free(below) and below.col == c.col:
                    st.emit(c, below, "below", 0.9)
            if not strict:
                _records(st, r, row)
            continue
        for c in [c for c in row if st.free(c)]:
            if st.free(c) and not (st.is_label[id(c)] and norm_label(c.text) and _label_cell_pairs(st, c, row)):
                _inline_pairs(st, c)
            if not strict and st.free(c) and st.is_label[id(c)] and len(row) > 1 \
                    and st.grid.get((c.row, c.col_end)) is None:
                st.emit(c, None, "alone", 0.6)  # a label at the end of a row, its space left blank
    return st.out


LIST_HEAD_MIN = 3


def _heading_over_area(st: _TableState, r: int, row: list[Cell], width: int) -> bool:
    """A full-width heading row ('会议内容', '项目简介（不超过200字）') over a full-width area."""
    if len(row) != 1 or row[0].col != 0 or row[0].col_end != width or not st.is_label[id(row[0])]:
        return False
    if _COLON_RE.search(row[0].text):
        return False  # '说明内容：' — the space is in its own cell
    if _ENUMERATED_RE.match(norm_label(row[0].text)):
        return False  # 二、项目内容: a section title of the form
    area = st.grid.get((row[0].row_end, 0))
    if area is None or not st.free(area) or area.col != 0 or area.col_end != width:
        return False
    if clean_value(area.text) and st.is_label[id(area)]:
        return False  # a heading over a heading
    st.emit(row[0], area, "heading", 0.75)
    return True


def _records(st: _TableState, r: int, head: list[Cell]) -> None:
    """The data rows under a list table's header: each row a record, header -> column."""
    cols = {c.col: c for c in head if c.row_end == r + 1}
    for r2 in sorted(k for k in st.rows if k > r + 1):
        row = st.rows[r2]
        if {c.col for c in row} != set(cols) or any(not st.free(c) for c in row):
            return
        if not any(clean_value(c.text) for c in row):
            continue  # a blank line of the list
        for c in row:
            pair = Pair(cols[c.col].text, c.text, c.loc, cols[c.col].loc, "record", 0.85)
            st.out.append(pair)
            st.used.add(id(c))


def _score_column_pairs(st: _TableState) -> None:
    """item | max | self-score tables: each known item label takes the self-score column."""
    score = _score_column(st.rows)
    if score is None:
        return
    head_row, col = score
    for r, cells in st.rows.items():
        if r <= head_row:
            continue
        lab = next((c for c in cells if st.known(c.text)), None)
        val = st.grid.get((r, col))
        if lab is not None and val is not None and val is not lab:
            st.emit(lab, val, "score_column", 0.95)


def _label_cell_pairs(st: _TableState, c: Cell, row: list[Cell]) -> bool:
    """Pair a label cell with the value right of it (or below it). True when c was handled."""
    nxt = st.grid.get((c.row, c.col_end))
    group = nxt is not None and c.rowspan > nxt.rowspan and st.is_label.get(id(nxt), False)
    if st.free(nxt) and nxt is not c and not st.strong(nxt.text) and not group \
            and not (st.is_label[id(nxt)] and nxt.text.strip().endswith(("：", ":"))
                     and not split_signature_lines(nxt.text)[1]):
        vals = [nxt]
        if has_marks(nxt.text):  # checkbox options spread over several cells
            k = nxt.col_end
            while (more := st.grid.get((c.row, k))) is not None and more is not nxt and st.free(more) \
                    and has_marks(more.text) and not st.strong(more.text):
                vals.append(more)
                k = more.col_end
        rest, signs = split_signature_lines(" ".join(v.text for v in vals))
        pair = st.emit(c, nxt, "right", 0.97, text=rest)
        pair.extra_locs = [v.loc for v in vals[1:]]
        for lab, val in signs:
            st.out.append(Pair(lab, val, nxt.loc, nxt.loc, "inline", 0.9))
        st.used.update(id(v) for v in vals)
        return True
    if st.known(c.text) and (nxt is None or st.strong(nxt.text)):
        # a known label with no value cell to its right: the value may sit below (a single-label row)
        below = st.grid.get((c.row_end, c.col))
        if st.free(below) and not st.is_label[id(below)] and below.col == c.col \
                and sum(1 for x in row if st.free(x)) == 1:
            st.emit(c, below, "below", 0.88)
        elif nxt is None:
            st.emit(c, None, "alone", 0.6)  # printed, left blank (a borderless PDF has no empty cell)
        return True
    return False


_SIGN_LINE_RE = re.compile(r"^\s*([^：:\n]{0,20}?(?:签字|签名|盖章|签章)(?:\s*[（(][^）)]{0,8}[)）])?)\s*[：:](.*)$")


def split_signature_lines(text: str) -> tuple[str, list[tuple[str, str]]]:
    """An opinion box's text without its '支部书记签字（盖章）：  年 月 日' lines, and those lines
    as (label, value) pairs of their own."""
    rest, signs = [], []
    for line in text.splitlines():
        m = _SIGN_LINE_RE.match(line)
        if m and norm_label(m.group(1)):
            signs.append((m.group(1), m.group(2)))
        else:
            rest.append(line)
    return "\n".join(rest), signs


def _inline_pairs(st: _TableState, c: Cell) -> None:
    """A cell holding "标签：值" itself (or "标签：" with the value on the next lines)."""
    if not _COLON_RE.search(c.text):
        return
    items = [(ln, c.loc) for ln in c.text.splitlines()]
    for pair in _item_pairs(items, st.known, layout="inline", conf=0.93):
        if st.strict and not st.known(pair.label):
            continue
        pair.label_loc = c.loc
        st.out.append(pair)
        st.used.add(id(c))


LIST_MIN_COLS = 5


def _column_header_row(cells, r, grid, is_label) -> bool:
    """The upper row of a two-level column header (a list table): five or more labels, one of
    which spans sub-headings ('参保险种' over '养老保险 医疗保险 …')."""
    core = [c for c in cells if norm_label(c.text)]
    if len(core) < LIST_MIN_COLS or len(core) != len(cells) or not all(is_label[id(c)] for c in core):
        return False
    for c in core:
        if c.colspan < 2 or c.rowspan != 1:
            continue
        subs = {id(b): b for k in range(c.col, c.col_end)
                if (b := grid.get((c.row_end, k))) is not None and b.row == c.row_end
                and b.col >= c.col and b.col_end <= c.col_end}
        if len(subs) >= 2 and all(is_label[id(b)] and norm_label(b.text) for b in subs.values()):
            return True
    return False


def _vertical_group(cell: Cell) -> bool:
    """A label printed one character per line in a cell merged down several rows."""
    lines = [ln.strip() for ln in cell.text.splitlines() if ln.strip()]
    return cell.rowspan >= 2 and len(lines) >= 2 and all(len(ln) == 1 for ln in lines)


def _header_row(r, cells, rows, grid, is_label, known, strict, strong) -> bool:
    """A row of labels whose values sit in the row below."""
    core = [c for c in cells if c.row_end == r + 1]
    if len(core) < 2:
        return False
    if not strict and len(core) == 2 and core[1].colspan >= 2 * core[0].colspan:
        return False  # label | wide value (用地项目所涉及部门 | 水利部门): a value that reads like a label
    if not all(is_label[id(c)] and norm_label(c.text) for c in core):
        return False
    if strict and not any(known(c.text) for c in core):
        return False
    below = []
    for c in core:
        b = grid.get((r + 1, c.col))
        if b is None or b.col != c.col or b.row != r + 1:
            continue  # a group label ("五个好自评得分") beside the header cells
        below.append(b)
    if len(below) < 2:
        return False
    if any(_vertical_group(b) for b in below):
        return False  # 推/荐/结/果 merged down the left edge: a group label, not a value
    if strict and any(_is_label(b.text, strong, strict) for b in below):
        return False
    if all(strong(b.text) for b in below):
        return False
    if not strict and all(is_label[id(b)] for b in below):
        return False
    return True


def extract_pairs(doc: Doc, known: Known, strict: bool, strong: Known | None = None) -> list[Pair]:
    """All pairs in reading order. ``known``: may this text be a label; ``strong``: is it surely one."""
    out: list[Pair] = []
    run: list[Para] = []
    for block in doc.blocks:
        if isinstance(block, Para):
            run.append(block)
            continue
        if run:
            out.extend(paragraph_pairs(run, known))
            run = []
        out.extend(table_pairs(block, known, strict, strong))
    if run:
        out.extend(paragraph_pairs(run, known))
    return out
