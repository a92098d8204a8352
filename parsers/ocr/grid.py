"""Ruling lines, table cells and checkboxes, read from the working image.

Ruling lines are what survives a morphological opening with a long thin kernel (0.4 in
horizontally: longer than any stroke of a character, shorter than any cell edge); vertical
runs count when they end on horizontal rules at both ends. Cells are the white regions the lines enclose; touching cells form
one table. Cell edges are snapped to shared grid lines so that the PDF reader's grid builder
sees one x for the right edge of a cell and the left edge of its neighbour.

Checkboxes are read from pixels, never from OCR text (OCR turns □ into 口 and ☑ into 回 or 团):
a square frame about one character tall, with a thin border on all four sides. Its inside
decides: empty → □, a tick, a cross or a solid fill → ☑. A character with an enclosure
(国 回 四 团 因 …) has straight strokes crossing most of its inside and is left to OCR.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass
class Grid:
    lines: np.ndarray  # uint8 mask of ruling lines (255)
    tables: list  # [(bbox, [cell boxes])], boxes [x0, y0, x1, y1] in working pixels


MARK_LEVEL = 190


def ink_mask(gray: np.ndarray, level: int = MARK_LEVEL) -> np.ndarray:
    return (gray < level).astype(np.uint8) * 255


def line_ink(gray: np.ndarray) -> np.ndarray:
    """Ink for finding rulings: 0.5 pt rules, blurred by the scan and thinned where a seal
    covered them, are light grey; anything 12 levels darker than its surroundings counts."""
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 12)


def find_lines(ink: np.ndarray, dpi: float) -> np.ndarray:
    """Ruling lines: long horizontal runs, and vertical runs that end on horizontal ones.

    A row is often only 0.2 in tall, as tall as a character's vertical stroke; what tells a
    cell edge from a stroke is that the edge meets a horizontal rule at both ends.
    """
    hk = max(int(dpi * 0.4), 20)
    vk = max(int(dpi * 0.07), 8)
    bridge = max(int(dpi * 0.05), 3)
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (hk, 1)))
    horiz = cv2.morphologyEx(horiz, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (bridge * 2, 1)))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, vk)))
    vert = cv2.morphologyEx(vert, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 5)))
    reach = cv2.dilate(horiz, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 7)))  # meets it: 3 px
    n, labels, stats, _ = cv2.connectedComponentsWithStats(vert, connectivity=8)
    out = np.zeros_like(vert)
    gap = int(dpi * 0.12)
    H = vert.shape[0]
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        if w > dpi * 0.05:
            continue  # a blob, not a line
        top = reach[y:y + 2, x:x + w].any()
        bottom = reach[y + h - 2:y + h, x:x + w].any()
        if not ((top and bottom) or ((top or bottom) and h >= dpi * 0.3) or h >= dpi * 0.5):
            continue
        y0, y1 = y, y + h
        # a rule broken just before it meets the next horizontal one: close the gap
        if not bottom:
            hit = np.flatnonzero(horiz[y1:min(y1 + gap, H), x:x + w].any(axis=1))
            y1 = y1 + int(hit[0]) + 1 if hit.size else y1
        if not top:
            hit = np.flatnonzero(horiz[max(y0 - gap, 0):y0, x:x + w].any(axis=1))
            y0 = max(y0 - gap, 0) + int(hit[-1]) if hit.size else y0
        out[y0:y1, x:x + w] = np.maximum(out[y0:y1, x:x + w], 255 * (labels[y0:y1, x:x + w] == i))
        out[y0:y1, x + w // 2] = 255
    vert = out
    return cv2.bitwise_or(horiz, vert)


def _snap(values: list[float], tol: float) -> dict[float, float]:
    out: dict[float, float] = {}
    group: list[float] = []
    for v in sorted(set(values)):
        if group and v - group[-1] > tol:
            m = sum(group) / len(group)
            out.update({g: m for g in group})
            group = []
        group.append(v)
    if group:
        m = sum(group) / len(group)
        out.update({g: m for g in group})
    return out


def find_tables(lines: np.ndarray, dpi: float) -> list:
    """Cells enclosed by ruling lines, grouped into tables."""
    h, w = lines.shape
    thick = cv2.dilate(lines, np.ones((3, 3), np.uint8))
    free = cv2.bitwise_not(thick)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(free, connectivity=4)
    min_w, min_h = dpi * 0.12, dpi * 0.1
    cells = []
    for i in range(1, n):
        x, y, cw, ch, area = stats[i]
        if x <= 0 or y <= 0 or x + cw >= w or y + ch >= h:
            continue  # the page around the tables
        if cw < min_w or ch < min_h or area < 0.85 * cw * ch:
            continue
        pad = 2  # half the dilated line: neighbours meet on the line's centre
        cells.append([x - pad, y - pad, x + cw + pad, y + ch + pad])
    if not cells:
        return []
    tol = dpi * 0.04
    xs = _snap([c[0] for c in cells] + [c[2] for c in cells], tol)
    ys = _snap([c[1] for c in cells] + [c[3] for c in cells], tol)
    cells = [[xs[c[0]], ys[c[1]], xs[c[2]], ys[c[3]]] for c in cells]
    # tables: cells that touch
    parent = list(range(len(cells)))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    order = sorted(range(len(cells)), key=lambda k: cells[k][1])
    for ai, a in enumerate(order):
        ca = cells[a]
        for b in order[ai + 1:]:
            cb = cells[b]
            if cb[1] > ca[3] + tol:
                break
            if cb[0] <= ca[2] + tol and ca[0] <= cb[2] + tol and cb[1] <= ca[3] + tol:
                parent[find(a)] = find(b)
    groups: dict[int, list] = {}
    for k, c in enumerate(cells):
        groups.setdefault(find(k), []).append(c)
    tables = []
    for cs in groups.values():
        if len(cs) < 2:
            continue
        bbox = [min(c[0] for c in cs), min(c[1] for c in cs), max(c[2] for c in cs), max(c[3] for c in cs)]
        tables.append((bbox, sorted(cs, key=lambda c: (c[1], c[0]))))
    tables.sort(key=lambda t: t[0][1])
    return tables


@dataclass
class Checkbox:
    box: tuple  # x0, y0, x1, y1 in working pixels
    checked: bool
    fill: float  # share of ink inside the frame


def _frame_ok(patch: np.ndarray) -> bool:
    """Ink along all four sides (a closed square frame)."""
    h, w = patch.shape
    b = max(2, int(round(min(h, w) * 0.15)))
    sides = [patch[:b, :], patch[-b:, :], patch[:, :b], patch[:, -b:]]
    for k, s in enumerate(sides):
        cover = (s > 0).any(axis=0 if k < 2 else 1)
        if cover.mean() < 0.85:
            return False
    return True


def find_checkboxes(ink: np.ndarray, lines: np.ndarray, dpi: float) -> list[Checkbox]:
    """Square frames 2.2–5.5 mm across with a thin border: empty, ticked, crossed or filled."""
    work = cv2.bitwise_and(ink, cv2.bitwise_not(cv2.dilate(lines, np.ones((3, 3), np.uint8))))
    lo, hi = dpi * 2.2 / 25.4, dpi * 5.5 / 25.4
    n, labels, stats, _ = cv2.connectedComponentsWithStats(work, connectivity=8)
    out = []
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        if not (lo <= w <= hi and lo <= h <= hi and 0.8 <= w / h <= 1.25):
            continue
        patch = (labels[y:y + h, x:x + w] == i).astype(np.uint8) * 255
        full = work[y:y + h, x:x + w]
        solid = area / float(w * h)
        if solid >= 0.8:  # ■
            out.append(Checkbox((x, y, x + w, y + h), True, solid))
            continue
        if not _frame_ok(patch):
            continue
        m = max(2, int(round(min(w, h) * 0.22)))
        inner = full[m:h - m, m:w - m] > 0
        if inner.size == 0:
            continue
        fill = float(inner.mean())
        if fill > 0.02 and _straight_stroke(inner):
            continue  # straight strokes across the inside: a character (国 回 四 …), not a mark
        out.append(Checkbox((x, y, x + w, y + h), fill >= 0.08, fill))
    return out


def _straight_stroke(inner: np.ndarray) -> bool:
    """A straight stroke crosses the inside (a character: 国's 一, 回's inner 口, 四's 丨), not a pen mark.

    A stroke is a row (or column) whose longest unbroken run of ink covers more than 0.72 of
    the inside. The bottom of a tick's V is such a run too (11 of 14 pixels in the demo scan's
    ☑无), but it is a V: a stroke's width above it the two arms are apart (two runs reaching
    as wide), and below it the tip is narrower. Counting a row's ink instead of its longest run
    took the demo scan's ☑机关 (所属领域, 11 of 15 pixels in two runs) for a character, and the
    run alone its ☑无.
    """
    for a in (inner, inner.T):
        h, w = a.shape
        if not h or not w:
            continue
        k = max(2, int(round(0.2 * h)))
        for r in range(h):
            run, _, _ = _runs(a[r])
            if run <= 0.72 * w:
                continue
            if a is inner and 0 <= r - k and _is_v_bottom(a[r - k], a[r + k] if r + k < h else None, run):
                continue
            return True
    return False


def _is_v_bottom(above: np.ndarray, below: np.ndarray | None, run: int) -> bool:
    _, n_above, extent = _runs(above)
    return n_above == 2 and extent >= 0.8 * run and (below is None or int(below.sum()) < run)


def _runs(row: np.ndarray) -> tuple[int, int, int]:
    """(longest unbroken run of ink, number of runs, first to last ink) of one row."""
    edges = np.diff(np.concatenate(([0], row.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if not starts.size:
        return 0, 0, 0
    return int((ends - starts).max()), int(starts.size), int(ends[-1] - starts[0])
