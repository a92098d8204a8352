"""Format-neutral document model shared by the DOCX and PDF readers."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Cell:
    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    loc: dict = field(default_factory=dict)  # provenance without confidence

    @property
    def col_end(self) -> int:
        return self.col + self.colspan

    @property
    def row_end(self) -> int:
        return self.row + self.rowspan


@dataclass
class Table:
    index: int
    cells: list[Cell]

    def rows(self) -> dict[int, list[Cell]]:
        out: dict[int, list[Cell]] = {}
        for c in self.cells:
            out.setdefault(c.row, []).append(c)
        for r in out.values():
            r.sort(key=lambda c: c.col)
        return dict(sorted(out.items()))


@dataclass
class Para:
    index: int
    text: str
    loc: dict = field(default_factory=dict)
    style: str = ""
    centered: bool = False
    size: float = 0.0


@dataclass
class Doc:
    source: str  # "docx" | "pdf"
    paragraphs: list[Para] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    blocks: list = field(default_factory=list)  # Para / Table in reading order
    full_text: str = ""
    header_text: str = ""  # page headers (DOCX): some offices put the form title there

    def all_text(self) -> str:
        return self.full_text
