"""OCR words and checkboxes of one page -> the same Doc blocks the text-PDF reader makes.

The text-PDF reader (``parsers.pdf_reader._read_page``) turns a page's characters and its
ruled tables into paragraphs, grids, borderless tables and page-break joins. A scanned page
gets exactly that treatment: each recognised line becomes characters spread over its box
(CJK full width, Latin half), each checkbox read from the pixels becomes one ☑ or □ character,
and the cells found in the image stand in for pdfplumber's tables. Coordinates are PDF points
of the working image (``72 / dpi`` per pixel); ``map_locs`` moves every box of the finished
Doc onto the uploaded page afterwards.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..model import Doc, Table
from ..pdf_reader import _read_page


@dataclass
class FoundTable:
    """What ``_read_page`` reads of a pdfplumber table: its box and its cells' boxes."""
    bbox: tuple
    cells: list


class ScanPage:
    """Stands in for a pdfplumber page: a width and the tables found in the image."""

    def __init__(self, width: float, height: float, tables: list[FoundTable]):
        self.width = width
        self.height = height
        self._tables = tables

    def find_tables(self) -> list[FoundTable]:
        return self._tables


def _weight(ch: str) -> float:
    return 0.55 if ch.isascii() else 1.0


def line_chars(text: str, box, pt: float) -> list[dict]:
    """Characters of one recognised line, spread over its box (x0, y0, x1, y1 in pixels)."""
    text = text.strip()
    if not text:
        return []
    x0, y0, x1, y1 = box
    total = sum(_weight(c) for c in text)
    step = (x1 - x0) / total if total else 0
    h = y1 - y0
    size = h * pt  # the ink's height: about the font size (10.3 pt measured for 11 pt text)
    out, x = [], x0
    for ch in text:
        w = step * _weight(ch)
        if not ch.isspace():
            out.append({"text": ch, "x0": x * pt, "x1": (x + w) * pt, "top": y0 * pt, "bottom": y1 * pt,
                        "size": size, "fontname": "ocr"})
        x += w
    return out


def build_page(doc: Doc, texts: list[str], pno: int, size_px: tuple[int, int], dpi: float,
               chars: list[dict], tables: list) -> None:
    """Append one page's blocks to doc (tables are [(bbox, [cell boxes])] in pixels)."""
    pt = 72.0 / dpi
    found = [FoundTable(tuple(v * pt for v in bbox), [tuple(v * pt for v in c) for c in cells])
             for bbox, cells in tables]
    page = ScanPage(size_px[0] * pt, size_px[1] * pt, found)
    if chars:
        _read_page(page, pno, chars, doc, texts)


def map_locs(doc: Doc, mappers: dict) -> None:
    """Move every provenance box through its page's mapper (working points -> page points)."""
    seen = set()

    def fix(loc: dict) -> None:
        if id(loc) in seen:
            return
        seen.add(id(loc))
        loc["source"] = "pdf"
        m = mappers.get(loc.get("page"))
        if m is not None and isinstance(loc.get("bbox"), list):
            loc["bbox"] = [round(v, 1) for v in m(loc["bbox"])]

    for block in doc.blocks:
        if isinstance(block, Table):
            for c in block.cells:
                fix(c.loc)
        else:
            fix(block.loc)
