"""A laid-out document (a PDF) as pages of text lines and horizontal rules, in millimetres.

pdfplumber gives each character's advance box, size, font and colour; pdfium (under the
project's lock, ``parsers.pdfium_access.LOCK``) gives the tight ink box of the few glyphs whose
ink position the standard fixes (the page number's 一字线, the 发文机关标志's top edge); pikepdf
reads the embedded fonts' own names, because writers often rename faces (``whf1``) while the
font program inside still says ``Noto Serif CJK SC``.  Origin: the page's top-left corner.
"""
from __future__ import annotations

import io
import logging
import statistics
from dataclasses import dataclass, field

import pdfplumber
import pikepdf
import pypdfium2 as pdfium
from fontTools.ttLib import TTFont
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from parsers.pdf_reader import is_encrypted
from parsers.pdfium_access import LOCK

from .errors import LintError
from .fonts import CJK, strip_subset
from .standard import PT

MAX_PAGES = 100
"""A 公文 longer than 100 pages is not something a clerk drops on a checker; the cap bounds time
(about 0.2 s a page) and memory on hostile files."""
MAX_CHARS = 200_000
MAX_DRAWINGS = 3000
"""Table finding is quadratic in a page's drawn lines; a page with more than 3,000 (a drawing, not a
公文 table) is read without tables so the check stays within seconds."""
LINE_JOIN_PT = 1.5
"""Characters whose baselines differ by at most 1.5 pt share a line (mixed fonts shift baselines by
a fraction of a point; adjacent lines are ≥ 20 pt apart)."""
RULE_MAX_PT = 3.0
"""A filled rectangle at most 3 pt (1.06 mm) high is a drawn rule, not a box."""
RULE_MIN_MM = 20.0
INK_CHARS = "—–-－─―一"

for _name in ("pdfminer", "pdfplumber"):
    logging.getLogger(_name).setLevel(logging.ERROR)


@dataclass
class Char:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    font: str
    red: bool
    ink: tuple | None = None  # (x0, top, x1, bottom) of the glyph's ink, for INK_CHARS and page 1


@dataclass
class Line:
    page: int
    baseline: float
    chars: list[Char]
    in_table: bool = False

    @property
    def x0(self) -> float:
        return self.chars[0].x0

    @property
    def x1(self) -> float:
        return self.chars[-1].x1

    @property
    def top(self) -> float:
        return min(c.top for c in self.chars)

    @property
    def bottom(self) -> float:
        return max(c.bottom for c in self.chars)

    @property
    def box(self) -> list[float]:
        return [self.x0, self.top, self.x1, self.bottom]

    @property
    def size(self) -> float:
        return statistics.median(c.size for c in self.chars)

    @property
    def text(self) -> str:
        return " ".join("".join(c.text for c in seg) for seg in self.segments()).strip()

    @property
    def red(self) -> bool:
        return sum(c.red for c in self.chars) > len(self.chars) / 2

    def segments(self) -> list[list[Char]]:
        """Runs of characters separated by gaps wider than 1.5 characters (e.g. 印发机关 … 印发日期)."""
        out, cur = [], [self.chars[0]]
        for a, b in zip(self.chars, self.chars[1:]):
            if b.x0 - a.x1 > 1.5 * b.size * PT:
                out.append(cur)
                cur = []
            cur.append(b)
        out.append(cur)
        return out

    def cjk_chars(self) -> list[Char]:
        return [c for c in self.chars if CJK.match(c.text)]


@dataclass
class Rule:
    page: int
    x0: float
    x1: float
    y: float
    weight: float
    red: bool

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def box(self) -> list[float]:
        return [self.x0, self.y - max(self.weight, 0.3), self.x1, self.y + max(self.weight, 0.3)]


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    figures: list[float] = field(default_factory=list)  # tops of images and boxes (tables, charts)

    @property
    def landscape(self) -> bool:
        """A4 turned sideways: a 横排表格 page (clause 8), whose type area is not the portrait one."""
        return self.width > self.height


@dataclass
class Layout:
    pages: list[Page]
    faces: dict[str, str]  # PDF font name (subset prefix removed) -> descriptive face name

    def face(self, font: str) -> str:
        base = strip_subset(font)
        return self.faces.get(base) or base


def _mm(v: float) -> float:
    return v * PT


def _is_red(color) -> bool:
    if not isinstance(color, (tuple, list)):
        return False
    if len(color) == 3:
        r, g, b = (float(x) for x in color)
        return r > 0.5 and g < 0.3 and b < 0.3
    if len(color) == 4:  # CMYK: magenta and yellow, little cyan
        c, m, y, _k = (float(x) for x in color)
        return m > 0.5 and y > 0.5 and c < 0.3
    return False


def read(data: bytes) -> Layout:
    """The pages of a PDF; raises ``LintError`` (never anything else) on a file it cannot read."""
    if is_encrypted(data):
        raise LintError("encrypted")
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise LintError("encrypted") from None
    except Exception:
        raise LintError("corrupt_file") from None
    try:
        if len(pdf.pages) > MAX_PAGES:
            raise LintError("too_many_pages", limit=MAX_PAGES)
        ink = _ink_boxes(data, len(pdf.pages))
        pages, total = [], 0
        for i, p in enumerate(pdf.pages, start=1):
            page = _read_page(p, i, ink.get(i, []))
            total += sum(len(ln.chars) for ln in page.lines)
            if total > MAX_CHARS:
                raise LintError("too_large", limit=f"{MAX_CHARS} 个字符")
            pages.append(page)
    except LintError:
        raise
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise LintError("encrypted") from None
    except Exception:
        raise LintError("corrupt_file") from None
    finally:
        try:
            pdf.close()
        except Exception:
            pass
    if not any(p.lines for p in pages):
        raise LintError("no_text_layer")
    return Layout(pages=pages, faces=_faces(data))


def _read_page(p, number: int, ink: list[tuple[str, tuple]]) -> Page:
    height = float(p.height)
    page = Page(number=number, width=_mm(float(p.width)), height=_mm(height))
    try:
        busy = len(p.objects.get("rect", [])) + len(p.objects.get("line", [])) + len(p.objects.get("curve", []))
        tables = [t.bbox for t in p.find_tables()] if busy <= MAX_DRAWINGS else []
    except Exception:
        tables = []
    chars = []
    for c in p.chars:
        if not c.get("upright", True) or not c["text"].strip():
            continue
        matrix = c.get("matrix") or (1, 0, 0, 1, c["x0"], height - c["bottom"])
        base = height - float(matrix[5])
        ch = Char(text=c["text"], x0=_mm(c["x0"]), x1=_mm(c["x1"]), top=_mm(c["top"]), bottom=_mm(c["bottom"]),
                  size=float(c["size"]), font=c.get("fontname") or "", red=_is_red(c.get("non_stroking_color")))
        cx, cy = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
        in_table = any(t[0] <= cx <= t[2] and t[1] <= cy <= t[3] for t in tables)
        chars.append((base, ch, in_table))
    chars.sort(key=lambda t: (t[0], t[1].x0))
    groups: list[list] = []
    for base, ch, in_table in chars:
        if groups and abs(base - groups[-1][0][0]) <= LINE_JOIN_PT:
            groups[-1].append((base, ch, in_table))
        else:
            groups.append([(base, ch, in_table)])
    for g in groups:
        body = [t for t in g if not t[2]]
        table = [t for t in g if t[2]]
        for part, flag in ((body, False), (table, True)):
            if part:
                part.sort(key=lambda t: t[1].x0)
                page.lines.append(Line(page=number, baseline=_mm(part[0][0]), chars=[t[1] for t in part],
                                       in_table=flag))
    page.lines.sort(key=lambda ln: (ln.baseline, ln.x0))
    for ln in page.lines:
        for ch in ln.chars:
            if ch.text in INK_CHARS or (number == 1 and ch.size >= 24):
                ch.ink = _nearest_ink(ink, ch)
    page.rules = _rules(p, number, height)
    page.figures = [_mm(im["top"]) for im in p.images] + [_mm(t[1]) for t in tables] + \
        [_mm(r["top"]) for r in p.rects if abs(r["bottom"] - r["top"]) > RULE_MAX_PT]
    return page


def _nearest_ink(ink: list[tuple[str, tuple]], ch: Char):
    cx, cy = (ch.x0 + ch.x1) / 2, (ch.top + ch.bottom) / 2
    best, dist = None, 3.0  # mm: a glyph's ink lies inside its advance box
    for text, box in ink:
        if text != ch.text:
            continue
        d = abs((box[0] + box[2]) / 2 - cx) + abs((box[1] + box[3]) / 2 - cy)
        if d < dist:
            best, dist = box, d
    return best


def _rules(p, number: int, height: float) -> list[Rule]:
    found = []
    for ln in p.lines:
        if abs(ln["top"] - ln["bottom"]) < 0.5 and _mm(abs(ln["x1"] - ln["x0"])) >= RULE_MIN_MM:
            color = ln.get("stroking_color")
            found.append(Rule(number, _mm(min(ln["x0"], ln["x1"])), _mm(max(ln["x0"], ln["x1"])),
                              _mm((ln["top"] + ln["bottom"]) / 2), _mm(float(ln.get("linewidth") or 1.0)),
                              _is_red(color)))
    for r in p.rects:
        h = abs(r["bottom"] - r["top"])
        if h <= RULE_MAX_PT and _mm(r["x1"] - r["x0"]) >= RULE_MIN_MM:
            filled = r.get("fill")
            weight = h if filled else h + float(r.get("linewidth") or 0)
            color = r.get("non_stroking_color") if filled else r.get("stroking_color")
            found.append(Rule(number, _mm(r["x0"]), _mm(r["x1"]), _mm((r["top"] + r["bottom"]) / 2), _mm(weight),
                              _is_red(color)))
    return _merge(found)


def _merge(rules: list[Rule]) -> list[Rule]:
    """Collinear segments that touch (a rule drawn in pieces, or twice on top of itself) are one rule."""
    rules.sort(key=lambda r: (round(r.y, 1), r.x0))
    out: list[Rule] = []
    for r in rules:
        last = out[-1] if out else None
        if last and abs(last.y - r.y) < 0.3 and r.x0 <= last.x1 + 0.5 and last.red == r.red:
            last.x1 = max(last.x1, r.x1)
            last.x0 = min(last.x0, r.x0)
            last.weight = max(last.weight, r.weight)
        else:
            out.append(r)
    return out


def _ink_boxes(data: bytes, n_pages: int) -> dict[int, list[tuple[str, tuple]]]:
    """Tight glyph boxes (mm) of dashes on every page and of large characters on page 1."""
    out: dict[int, list] = {}
    with LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except Exception:
            return out
        try:
            for i in range(min(len(pdf), n_pages)):
                page = pdf[i]
                height = page.get_height()
                textpage = page.get_textpage()
                try:
                    found = []
                    for k in range(textpage.count_chars()):
                        t = textpage.get_text_range(k, 1)
                        if len(t) != 1 or not (t in INK_CHARS or (i == 0 and CJK.match(t))):
                            continue
                        left, bottom, right, top = textpage.get_charbox(k, loose=False)
                        found.append((t, (_mm(left), _mm(height - top), _mm(right), _mm(height - bottom))))
                    out[i + 1] = found
                finally:
                    textpage.close()
                    page.close()
        except Exception:
            return out
        finally:
            pdf.close()
    return out


def _faces(data: bytes) -> dict[str, str]:
    """PDF font name -> the embedded font program's full name (or FontFamily), where present."""
    faces: dict[str, str] = {}
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except Exception:
        return faces
    try:
        seen = set()
        for page in pdf.pages[:MAX_PAGES]:
            fonts = page.obj.get("/Resources", {}).get("/Font", {})
            for _key, font in fonts.items():
                if font.objgen in seen:
                    continue
                seen.add(font.objgen)
                base = strip_subset(str(font.get("/BaseFont", "")).lstrip("/"))
                name = _embedded_name(font)
                if base and name:
                    faces[base] = name
    except Exception:
        pass
    finally:
        pdf.close()
    return faces


def _embedded_name(font) -> str | None:
    desc = font.get("/FontDescriptor")
    if desc is None and "/DescendantFonts" in font:
        desc = font["/DescendantFonts"][0].get("/FontDescriptor")
    if desc is None:
        return None
    for key in ("/FontFile2", "/FontFile3", "/FontFile"):
        if key in desc:
            try:
                tt = TTFont(io.BytesIO(desc[key].read_bytes()), lazy=True)
                full = tt["name"].getDebugName(4) or tt["name"].getDebugName(1)
                if full:
                    return full
            except Exception:
                break
    family = desc.get("/FontFamily")
    return str(family) if family is not None else None
