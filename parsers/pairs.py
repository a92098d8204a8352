"""Generic label -> value pairs from tables and paragraphs.

Layouts understood: label|value grids (2 or 4 columns, merged cells), a row of labels with the
values in the row below, vertical labels (one character per line, merged down), checkbox
options spread over several cells, scores tables (item | max | self score), and paragraphs
``标签：值`` / ``标签：____值____`` with several pairs per line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from .model import Cell, Doc, Para, Table
from .normalize import clean_value, has_marks, norm_label, strip_bracket_suffix

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
        return {"label": norm_label(self.label), "value": clean_value(self.value),
                "layout": self.layout, "provenance": {**self.loc, "confidence": round(self.confidence, 3)},
                "label_provenance": dict(self.label_loc)}


_COLON_RE = re.compile(r"[:：]")
_DIGIT_RE = re.compile(r"\d")
_PLACEHOLDER_RE = re.compile(r"^\$\{|^\{\{|^<<")
_SEP = set(" \t\u3000；;，,。、_＿|")


def labelish(text: str) -> bool:
    """Could this cell text be a label (heuristic, for forms we do not know)?"""
    n = norm_label(text)
    if not 2 <= len(n) <= 16:
        return False
    if _DIGIT_RE.search(n) or has_marks(n) or _PLACEHOLDER_RE.search(n):
        return False
    if len(set(n)) == 1:  # "骥骥", "××": placeholders, not labels
        return False
    if "。" in n or n.count("，") > 1:
        return False
    return True


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
def _split_tail_label(part: str, known: Known) -> tuple[str, str] | None:
    """'张三    党员人数' -> ('张三', '党员人数'): the value of one pair, the label of the next."""
    for k in range(0, len(part)):
        if k and part[k - 1] not in _SEP:
            continue
        tail = part[k:]
        if tail.strip() and known(tail):
            return part[:k], tail
    m = re.search(r"(?:[ \t]{2,}|\u3000+|[；;，,。]|[_＿]+\s*)\s*([^\s；;，,。_＿]{2,15})\s*$", part)
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


def line_pairs(line: str, known: Known) -> list[tuple[str, str]]:
    """All label/value pairs in one line of text."""
    if not _COLON_RE.search(line):
        m = re.match(r"^\s*([^\s_＿:：]{2,15}(?:[ \u3000][^\s_＿:：]){0,8})\s*[_＿]{2,}(.*?)[_＿\s]*$", line)
        if m and known(m.group(1)):
            return [(m.group(1), m.group(2))]
        return column_pairs(line, known)
    parts = _COLON_RE.split(line)
    label = parts[0]
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
        if len(found) == 1 and not clean_value(found[0][1]) and known(found[0][0]):
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


def table_pairs(table: Table, known: Known, strict: bool) -> list[Pair]:
    rows = table.rows()
    grid = _grid(table)
    used: set[int] = set()
    out: list[Pair] = []
    is_label = {id(c): _is_label(c.text, known, strict) for c in table.cells}

    score = _score_column(rows)
    if score is not None:
        head_row, col = score
        for r, cells in rows.items():
            if r <= head_row:
                continue
            lab = next((c for c in cells if known(c.text)), None)
            val = grid.get((r, col))
            if lab is not None and val is not None and val is not lab:
                out.append(Pair(lab.text, val.text, val.loc, lab.loc, "score_column", 0.95))
                used.update((id(lab), id(val)))

    row_keys = list(rows)
    for idx, r in enumerate(row_keys):
        cells = [c for c in rows[r] if id(c) not in used]
        if not cells:
            continue
        if not strict and _column_header_row(rows[r], r, grid, is_label):
            # the column heads of a list table (several header rows over data rows): labels
            # without a value of their own
            for c in rows[r]:
                if id(c) not in used and norm_label(c.text):
                    out.append(Pair(c.text, "", c.loc, c.loc, "column_header", 0.6))
                    used.add(id(c))
            continue
        if _header_row(r, rows[r], rows, grid, is_label, known, strict):
            for c in rows[r]:
                if id(c) in used:
                    continue
                below = grid.get((c.row_end, c.col))
                if below is None or id(below) in used or below.col != c.col:
                    continue
                out.append(Pair(c.text, below.text, below.loc, c.loc, "below", 0.9))
                used.update((id(c), id(below)))
            continue
        i = 0
        while i < len(cells):
            c = cells[i]
            i += 1
            if id(c) in used:
                continue
            if is_label[id(c)] and norm_label(c.text):
                nxt = grid.get((c.row, c.col_end))
                group = nxt is not None and c.rowspan > nxt.rowspan and is_label.get(id(nxt), False)
                if nxt is not None and nxt is not c and id(nxt) not in used and not known(nxt.text) \
                        and not group and not (is_label[id(nxt)] and nxt.text.strip().endswith(("：", ":"))):
                    vals = [nxt]
                    if has_marks(nxt.text):
                        k = nxt.col_end
                        while (more := grid.get((c.row, k))) is not None and more is not nxt \
                                and id(more) not in used and has_marks(more.text) and not known(more.text):
                            vals.append(more)
                            k = more.col_end
                    text = " ".join(v.text for v in vals)
                    pair = Pair(c.text, text, nxt.loc, c.loc, "right", 0.97)
                    pair.extra_locs = [v.loc for v in vals[1:]]
                    out.append(pair)
                    used.add(id(c))
                    used.update(id(v) for v in vals)
                    continue
                if known(c.text) and (nxt is None or known(nxt.text)):
                    # label with no value cell to its right: maybe below (a single-label row)
                    below = grid.get((c.row_end, c.col))
                    if below is not None and id(below) not in used and not is_label[id(below)] \
                            and below.col == c.col and len(cells) == 1:
                        out.append(Pair(c.text, below.text, below.loc, c.loc, "below", 0.88))
                        used.update((id(c), id(below)))
                    continue
            # a cell holding "标签：值" itself (or "标签：" then the value on the next lines)
            if _COLON_RE.search(c.text):
                items = [(ln, c.loc) for ln in c.text.splitlines()]
                for pair in _item_pairs(items, known, layout="inline", conf=0.93):
                    if strict and not known(pair.label):
                        continue
                    pair.label_loc = c.loc
                    out.append(pair)
                    used.add(id(c))
    return out


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


def _header_row(r, cells, rows, grid, is_label, known, strict) -> bool:
    """A row of labels whose values sit in the row below."""
    core = [c for c in cells if c.row_end == r + 1]
    if len(core) < 2:
        return False
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
    if strict and any(known(b.text) for b in below):
        return False
    if all(known(b.text) for b in below):
        return False
    if not strict and all(is_label[id(b)] for b in below):
        return False
    return True


def extract_pairs(doc: Doc, known: Known, strict: bool) -> list[Pair]:
    """All pairs in reading order."""
    out: list[Pair] = []
    run: list[Para] = []
    for block in doc.blocks:
        if isinstance(block, Para):
            run.append(block)
            continue
        if run:
            out.extend(paragraph_pairs(run, known))
            run = []
        out.extend(table_pairs(block, known, strict))
    if run:
        out.extend(paragraph_pairs(run, known))
    return out
