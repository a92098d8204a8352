"""Text PDF -> Doc model with pdfplumber: ruled tables become grids, other text becomes lines.

Provenance: ``page`` is 1-based; ``bbox`` is [x0, top, x1, bottom] in PDF points with the
origin at the top-left of the page (pdfplumber's convention).
"""
from __future__ import annotations

import bisect
import io
import logging
import re

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import LITERALS_FLATE_DECODE, PDFStream, resolve1
from pdfminer.psparser import PSLiteral
from pdfminer.utils import decode_text
from pdfplumber.page import Page, PDFPageAggregatorWithMarkedContent

from . import limits
from .errors import ParseError
from .model import Cell, Doc, Para, Table
from .normalize import MARKS, clean_text, symbol_char
from .pdfium_access import symbol_glyphs

_ENCRYPT_RE = re.compile(rb"/Encrypt\s*(?:\d+\s+\d+\s+R|<<)")

for _name in ("pdfminer", "pdfplumber"):
    logging.getLogger(_name).setLevel(logging.ERROR)


def is_encrypted(data: bytes) -> bool:
    return bool(_ENCRYPT_RE.search(data))


def read_pdf(data: bytes) -> Doc:
    if is_encrypted(data):
        raise ParseError("encrypted_pdf")

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise ParseError("encrypted_pdf") from None
    except RecursionError:
        raise ParseError("corrupt_file", detail="recursion") from None
    except MemoryError:
        raise
    except Exception as exc:
        if "password" in str(exc).lower() or "encrypt" in type(exc).__name__.lower():
            raise ParseError("encrypted_pdf") from None
        raise ParseError("corrupt_file", detail=repr(exc)) from None
    try:
        return _read(pdf, data)
    except (ParseError, limits.LimitExceeded, MemoryError):
        raise
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise ParseError("encrypted_pdf") from None
    except RecursionError:
        raise ParseError("corrupt_file", detail="recursion") from None
    except Exception as exc:
        raise ParseError("corrupt_file", detail=repr(exc)) from None
    finally:
        _close(pdf)


def _close(pdf) -> None:
    """Release the pages read and the stream. Not ``pdf.close()``: it flushes its caches and
    then builds every page of the file in order to close them (a 100,000-page PDF: 20 s)."""
    try:
        for page in getattr(pdf, "_pages", ()):
            page.close()
        pdf.stream.close()
    except Exception:
        pass


def _symbol_font_name(fontname: str) -> str:
    """'ABCDEF+Wingdings2' -> 'wingdings 2'; '' for text fonts."""
    f = fontname.split("+")[-1].lower().replace("-", " ")
    if f.startswith("wingdings"):
        return "wingdings 2" if f.replace(" ", "").startswith("wingdings2") else "wingdings"
    return ""


def _is_pua(ch: str) -> bool:
    return len(ch) == 1 and 0xF000 <= ord(ch) <= 0xF0FF


def _fix_symbol_chars(data: bytes, pno: int, page, chars: list[dict]) -> None:
    """Re-read symbol-font glyphs (U+F0xx) with pdfium, which honours /ActualText spans.

    LibreOffice writes Wingdings boxes it cannot find as one .notdef glyph with the true code
    in /ActualText; pdfminer reads every such glyph as the same character (☑ for □ too).
    """
    pua = [c for c in chars if _is_pua(c["text"])]
    if not pua:
        return
    try:
        found = symbol_glyphs(data, pno, float(page.height))
    except Exception:
        return
    for c in pua:
        cx, cy = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
        best = min(found, key=lambda f: abs(f[0] - cx) + abs(f[1] - cy), default=None)
        if best is not None and abs(best[0] - cx) + abs(best[1] - cy) < 6:
            c["text"] = best[2]


def _resolve(obj, depth: int = 0):
    return resolve1(obj) if depth < 8 else None


def _field_attr(data: dict, key: str):
    node, depth = data, 0
    while isinstance(node, dict) and depth < 8:
        if key in node:
            return _resolve(node[key])
        node = _resolve(node.get("Parent"))
        depth += 1
    return None


def _widget_chars(page) -> list[dict]:
    """Filled AcroForm fields: their values become text at the widget's place on the page.

    Values of interactive fields live in /V, not in the page's text; putting them where the
    widget sits lets the table reader find them in the right cell.
    """
    out = []
    try:
        annots = page.annots
    except Exception:
        return out
    for a in annots:
        data = a.get("data") or {}
        sub = _resolve(data.get("Subtype"))
        if not isinstance(sub, PSLiteral) or sub.name != "Widget":
            continue
        ft = _field_attr(data, "FT")
        ft = ft.name if isinstance(ft, PSLiteral) else ""
        text = ""
        if ft == "Tx" or ft == "Ch":
            v = _field_attr(data, "V")
            if isinstance(v, bytes):
                text = decode_text(v)
            elif isinstance(v, str):
                text = v
        elif ft == "Btn":
            state = _resolve(data.get("AS"))
            if isinstance(state, PSLiteral) and state.name not in ("Off", ""):
                text = "☑"
        text = clean_text(text).strip()
        if not text:
            continue
        height = float(a["bottom"] - a["top"])
        size = max(min(height * 0.8, 12.0), 4.0)
        mid = (float(a["top"]) + float(a["bottom"])) / 2
        out.append({"text": text, "x0": float(a["x0"]), "x1": float(a["x1"]), "top": mid - size / 2,
                    "bottom": mid + size / 2, "size": size, "fontname": "AcroForm"})
    return out


def _vector_checkboxes(page, chars: list[dict]):
    """Checkboxes drawn as small squares (Word legacy FORMCHECKBOX, many PDF forms).

    A ticked box has strokes (an X or a tick) inside. Returns the page without those shapes (so
    they do not split table cells) and one synthetic ☑/□ character per box.
    """
    try:
        rects = page.rects
    except Exception:
        return page, []
    boxes = []
    for r in rects:
        w, h = r["x1"] - r["x0"], r["bottom"] - r["top"]
        if 5 <= w <= 16 and abs(w - h) <= 1.5:
            boxes.append((r["x0"], r["top"], r["x1"], r["bottom"]))
    if not boxes:
        return page, []

    def inside(o, b, tol=1.0):
        return o["x0"] >= b[0] - tol and o["x1"] <= b[2] + tol and o["top"] >= b[1] - tol and o["bottom"] <= b[3] + tol

    occupied = []
    for b in boxes:
        if any(b[0] <= (c["x0"] + c["x1"]) / 2 <= b[2] and b[1] <= (c["top"] + c["bottom"]) / 2 <= b[3]
               for c in chars):
            occupied.append(b)  # a glyph sits in it: it is a drawn frame around text, leave it
    boxes = [b for b in boxes if b not in occupied]
    if not boxes:
        return page, []
    strokes = [o for o in list(page.lines) + list(page.curves)
               if any(inside(o, b) for b in boxes)]
    out = []
    for b in boxes:
        marks = [o for o in strokes if inside(o, b) and (o["x1"] - o["x0"]) > 2 and (o["bottom"] - o["top"]) > 2]
        size = b[3] - b[1]
        out.append({"text": "☑" if marks else "□", "x0": b[0], "x1": b[2], "top": b[1], "bottom": b[3],
                    "size": size, "fontname": "vector-checkbox"})
    box_set = {tuple(round(v, 2) for v in b) for b in boxes}

    def keep(obj):
        t = obj.get("object_type")
        if t == "rect":
            return tuple(round(obj[k], 2) for k in ("x0", "top", "x1", "bottom")) not in box_set
        if t in ("line", "curve"):
            return not any(inside(obj, b) for b in boxes)
        return True

    return page.filter(keep), out


class _BoundedDevice(PDFPageAggregatorWithMarkedContent):
    """pdfplumber's layout device, counting glyphs and paths as they are built."""

    def __init__(self, rsrcmgr, pageno: int, laparams, budget: limits.Budget):
        super().__init__(rsrcmgr, pageno=pageno, laparams=laparams)
        self.budget = budget

    def render_char(self, *args, **kwargs):
        self.budget.add_chars()
        return super().render_char(*args, **kwargs)

    def paint_path(self, *args, **kwargs):
        self.budget.add_path()
        return super().paint_path(*args, **kwargs)


class _BoundedInterpreter(PDFPageInterpreter):
    """pdfminer's interpreter counting operands (form XObjects count each time they are drawn)."""

    def __init__(self, rsrcmgr, device, budget: limits.Budget):
        super().__init__(rsrcmgr, device)
        self.budget = budget

    def dup(self):
        return self.__class__(self.rsrcmgr, self.device, self.budget)

    def push(self, obj) -> None:
        self.budget.add_operand()
        super().push(obj)

    def do_q(self) -> None:
        self.budget.add_operand()
        super().do_q()

    def do_Q(self) -> None:
        self.budget.add_operand()
        super().do_Q()


_COUNT_RE = re.compile(rb"/Count\s+(\d{1,12})")
_REF_RE = re.compile(rb"\d+\s+\d+\s+R\b")


def _declared_page_count(pdf, data: bytes) -> int:
    """Pages the file declares, from the page-tree root found through the trailer and xref.

    The root's raw bytes are read at its xref offset: its /Count, and the number of references
    in it (its /Kids). Parsing a /Kids array of 100,000 references with pdfminer alone takes
    3 s; this takes milliseconds. Roots kept in object streams are parsed normally.
    """
    ref = pdf.doc.catalog.get("Pages")
    objid = getattr(ref, "objid", None)
    for xref in pdf.doc.xrefs if objid is not None else ():
        try:
            strmid, pos, _gen = xref.get_pos(objid)
        except Exception:
            continue
        if strmid is None and 0 <= pos < len(data):
            end = data.find(b"endobj", pos)
            raw = data[pos:end if end > 0 else len(data)]
            m = _COUNT_RE.search(raw)
            return max(int(m.group(1)) if m else 0, len(_REF_RE.findall(raw)))
        break
    try:
        tree = resolve1(ref)
        count = resolve1(tree.get("Count")) if isinstance(tree, dict) else None
    except Exception:
        return 0
    return count if isinstance(count, int) else 0


def _bounded_pages(pdf, data: bytes) -> list:
    """pdfplumber pages, refused beyond ``limits.MAX_PAGES`` before more than that are loaded.

    ``pdfplumber.PDF.pages`` builds every page first (a 100,000-page file: 14 s, 0.5 GB). The
    declared /Count is checked first; a file whose /Count lies is stopped at page MAX_PAGES + 1.
    """
    pages: list = []
    pdf._pages = pages  # what pdfplumber.PDF.pages would build (PDF.close() builds it too)
    limits.check_page_count(_declared_page_count(pdf, data))
    doctop = 0.0
    for i, page_obj in enumerate(PDFPage.create_pages(pdf.doc)):
        if i >= limits.MAX_PAGES:
            limits.check_page_count(i + 1)
        page = Page(pdf, page_obj, page_number=i + 1, initial_doctop=doctop)
        pages.append(page)
        doctop += page.height
    return pages


def _stream(obj):
    obj = resolve1(obj)
    return obj if isinstance(obj, PDFStream) else None


def _decoded(stream: PDFStream) -> bytes:
    """A content stream's data, inflated with a cap and left in place for pdfminer.

    Flate (nearly every producer) is inflated streaming and stops at ``MAX_CONTENT_BYTES``:
    1 MB of deflate can hold 1 GB. Other filters are rare; pdfminer decodes them (under the
    sandbox's memory limit) and the result is counted like the rest.
    """
    if stream.data is None:
        filters = stream.get_filters()
        if stream.rawdata is not None and not stream.decipher and len(filters) == 1 \
                and filters[0][0] in LITERALS_FLATE_DECODE and not filters[0][1]:
            data = limits.inflate_capped(stream.rawdata, limits.MAX_CONTENT_BYTES)
            if data is None:
                raise limits.too_large(f"PDF 页面内容解压后超过 {limits.MAX_CONTENT_BYTES // (1024 * 1024)} MB 的处理上限。")
            stream.data, stream.rawdata = data, None
    return stream.get_data()


def _precheck_page(page, budget: limits.Budget) -> None:
    """Count what interpreting a page will cost before it starts: its content streams, and the
    form XObjects it names once per draw (5,000 draws of a 2,000-glyph form are 10 M glyphs from
    1 KB of file)."""
    content = []
    for c in page.page_obj.contents:
        st = _stream(c)
        if st is not None:
            data = _decoded(st)
            budget.add_content(data)
            content.append(data)
    try:
        xobjects = resolve1(resolve1(page.page_obj.resources or {}).get("XObject")) or {}
    except Exception:
        return
    if not isinstance(xobjects, dict):
        return
    page_data = b"\n".join(content)
    for name, ref in xobjects.items():
        st = _stream(ref)
        if st is None or getattr(resolve1(st.get("Subtype")), "name", None) != "Form":
            continue
        data = _decoded(st)
        budget.add_content(data)
        draws = len(re.findall(rb"/" + re.escape(str(name).encode("latin-1", "replace")) + rb"\s*Do\b", page_data))
        if draws > 1:
            budget.add_tokens(limits.token_count(data) * (draws - 1))
            budget.add_strings(limits.string_bytes(data) * (draws - 1))


def _layout(page, budget: limits.Budget) -> None:
    """Interpret a page with the bounded device (what ``pdfplumber.Page.layout`` does, counted)."""
    device = _BoundedDevice(page.pdf.rsrcmgr, page.page_number, page.pdf.laparams, budget)
    _BoundedInterpreter(page.pdf.rsrcmgr, device, budget).process_page(page.page_obj)
    page._layout = device.get_result()


SCANNED = "images"  # the detail of a no_text_layer whose pages hold images: a scan


def _read(pdf, data: bytes) -> Doc:
    doc = Doc(source="pdf")
    texts: list[str] = []
    total = 0
    budget = limits.current()
    pages = _bounded_pages(pdf, data)
    if not pages:
        raise ParseError("corrupt_file", detail="no pages")
    for page in pages:
        _precheck_page(page, budget)  # every page is counted before any is read
    pictures = 0  # pages that hold an image: without text, a scan (OCR reads it, parsers.ocr)
    for pno, page in enumerate(pages, start=1):
        _layout(page, budget)
        height = float(page.height)
        pictures += bool(page.images)
        chars = [c for c in page.chars if c.get("text")]
        for i, c in enumerate(chars):
            c["page_height"] = height
            c["seq"] = i  # content-stream order
            font = _symbol_font_name(c.get("fontname") or "")
            if font and len(c["text"]) == 1:
                c["text"] = symbol_char(font, ord(c["text"])) or c["text"]
        if len(resolve1(page.page_obj.annots) or ()) > limits.MAX_ANNOTS:
            raise limits.too_large(f"PDF 页面的批注超过 {limits.MAX_ANNOTS} 个的处理上限。")
        chars += _widget_chars(page)
        page, boxes = _vector_checkboxes(page, chars)
        chars += boxes
        total += len(chars)
        if not chars:
            continue
        _fix_symbol_chars(data, pno, page, chars)
        _read_page(page, pno, chars, doc, texts)
    if total == 0 or not "".join(texts).strip():
        raise ParseError("no_text_layer", detail=SCANNED if pictures else "")
    doc.full_text = "\n".join(texts)
    return doc


def _cluster(values: list[float], tol: float = 2.0) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


def _nearest(points: list[float], v: float) -> int:
    i = bisect.bisect_left(points, v)
    if i == 0:
        return 0
    if i == len(points):
        return len(points) - 1
    return i if points[i] - v < v - points[i - 1] else i - 1


def _baseline(ch: dict) -> float:
    """Baseline y from the text matrix (top/bottom differ between fonts on one line)."""
    m = ch.get("matrix")
    if m and "page_height" in ch:
        return ch["page_height"] - m[5]
    return ch["bottom"] - (ch.get("size") or 10) * 0.12


def _lines(chars: list[dict]) -> list[list[dict]]:
    """Group chars into text lines (top-to-bottom, then left-to-right) by their baselines."""
    rows: list[list[dict]] = []
    base: list[float] = []
    for ch in sorted(chars, key=lambda c: (_baseline(c), c["x0"])):
        size = ch.get("size") or 10
        b = _baseline(ch)
        if rows and b - base[-1] <= max(size * 0.3, 1.0):
            rows[-1].append(ch)
        else:
            rows.append([ch])
            base.append(b)
    for r in rows:
        r.sort(key=lambda c: c["x0"])
        if _overlapping(r):
            # glyphs drawn over each other (a producer's layout bug): the stream order is the
            # only reading order left
            r.sort(key=lambda c: c.get("seq", 1 << 30))
    return rows


def _overlapping(line: list[dict]) -> bool:
    """Letters drawn over letters. Checkbox glyphs are left out: producers draw them from a
    fallback font in a later pass, so their stream position says nothing."""
    letters = [c for c in line if c["text"].strip() and c["text"] not in MARKS]
    for a, b in zip(letters, letters[1:]):
        if b["x0"] < a["x1"] - (a.get("size") or 10) * 0.3:
            return True
    return False


def _line_text(line: list[dict]) -> str:
    out = []
    prev = None
    for ch in line:
        if prev is not None:
            gap = ch["x0"] - prev["x1"]
            size = prev.get("size") or 10
            if gap > size * COLUMN_GAP:
                out.append("\t")  # a column break (borderless tables, tab stops)
            elif gap > size * 0.6 and prev["text"] != " " and ch["text"] != " ":
                out.append(" ")
        out.append(ch["text"])
        prev = ch
    return clean_text("".join(out))


def _bbox(chars_or_boxes) -> list[float]:
    x0 = min(c["x0"] for c in chars_or_boxes)
    x1 = max(c["x1"] for c in chars_or_boxes)
    top = min(c["top"] for c in chars_or_boxes)
    bottom = max(c["bottom"] for c in chars_or_boxes)
    return [round(x0, 1), round(top, 1), round(x1, 1), round(bottom, 1)]


_LABEL_START_RE = re.compile(r"^\s*[^\s:：，。；,;]{1,12}(?:\s[^\s:：，。；,;]){0,6}\s*[:：]")
_ENDS_SENTENCE_RE = re.compile(r"[。！？；：:!?;…]\s*$")
_HEADING_START_RE = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}[、．.]|[（(][一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}[.、．])")
_LATIN_END = re.compile(r"[A-Za-z0-9.,;:!?)]$")


def _join_wrapped(lines: list[str]) -> str:
    """Join the lines of one wrapped paragraph: a space only between Latin words."""
    out = ""
    for line in lines:
        if out and _LATIN_END.search(out.rstrip()) and line[:1].isascii() and line[:1].isalnum():
            out = out.rstrip() + " " + line.lstrip()
        elif out:
            out = out.rstrip() + line.lstrip()
        else:
            out = line
    return out


COLUMN_GAP = 0.9  # a gap wider than this many character sizes separates columns


def _segments(line: list[dict]) -> list[list[dict]]:
    segs = [[line[0]]]
    for a, b in zip(line, line[1:]):
        if b["x0"] - a["x1"] > (a.get("size") or 10) * COLUMN_GAP:
            segs.append([b])
        else:
            segs[-1].append(b)
    return [[c for c in seg if c["text"].strip()] or seg for seg in segs]


def _virtual_tables(lines: list[list[dict]], pno: int) -> list[tuple[float, Table]]:
    """Borderless tables: text in columns without ruling lines.

    A block of lines in which several lines split into columns (wide gaps) becomes a grid; a
    line without text in the first column continues the cells of the row above (a value
    wrapped inside its cell).
    """
    out = []
    i = 0
    while i < len(lines):
        segs = _segments(lines[i])
        if len(segs) < 2:
            i += 1
            continue
        block = [(lines[i], segs)]
        size = max((c.get("size") or 10) for c in lines[i])
        col0 = segs[0][0]["x0"]
        j = i + 1
        while j < len(lines):
            ln = lines[j]
            prev = block[-1][0]
            gap = min(c["top"] for c in ln) - max(c["bottom"] for c in prev)
            if gap > size * 1.5:
                break
            s2 = _segments(ln)
            x0 = s2[0][0]["x0"]
            text = "".join(c["text"] for c in ln).strip()
            if len(s2) >= 2 or x0 > col0 + size or len(text) <= 16:
                block.append((ln, s2))
                j += 1
                continue
            break
        if sum(1 for _, sg in block if len(sg) >= 2) < 2:
            i += 1
            continue
        out.append(_grid_from_block(block, size, pno))
        for ln, _ in block:
            ln[0]["_in_virtual"] = True
        i = j
    return out


def _grid_from_block(block, size: float, pno: int) -> tuple[float, Table]:
    starts = _cluster([seg[0]["x0"] for _, segs in block for seg in segs], tol=size)

    def col_of(seg) -> int:
        return max(bisect.bisect_right(starts, seg[0]["x0"] + size * 0.5) - 1, 0)

    cells: dict[tuple[int, int], list[dict]] = {}
    row = -1
    prev_line, prev_first = None, ""
    for ln, segs in block:
        first_col = col_of(segs[0])
        if prev_line is None:
            new_row = True
        else:
            gap = min(c["top"] for c in ln) - max(c["bottom"] for c in prev_line)
            # rows are spaced apart; lines wrapped inside a cell are not, unless the first
            # column's previous text was a whole label ("…：")
            new_row = gap > size * 0.6 or (first_col == 0 and (prev_first == "" or prev_first.endswith((":", "："))))
        if new_row:
            row += 1
        for seg in segs:
            cells.setdefault((row, col_of(seg)), []).extend(seg)
        prev_line = ln
        prev_first = "".join(c["text"] for c in segs[0]).strip() if first_col == 0 else ""
    out = []
    by_row: dict[int, list[int]] = {}
    for r, c in cells:
        by_row.setdefault(r, []).append(c)
    ncols = len(starts)
    for (r, c), chars in sorted(cells.items()):
        cols = sorted(by_row[r])
        nxt = next((k for k in cols if k > c), ncols)
        text = "\n".join(_line_text(ln) for ln in _lines(chars)).strip()
        out.append(Cell(row=r, col=c, colspan=max(nxt - c, 1), text=text,
                        loc={"source": "pdf", "page": pno, "bbox": _bbox(chars)}))
    top = min(c["top"] for ln, _ in block for c in ln)
    return top, Table(index=-1, cells=out)


_PAGE_NO_RE = re.compile(r"^[\s—\-–－]*(?:第\s*\d+\s*页.*|\d+(?:\s*/\s*\d+)?)[\s—\-–－]*$")


def _furniture(obj) -> bool:
    return isinstance(obj, Para) and bool(_PAGE_NO_RE.match(obj.text))


def _join_previous_page(doc: Doc, pno: int, items: list, texts: list[str]) -> list:
    """A table row or a paragraph cut by the page break continues at the top of the next page."""
    prev = next((b for b in reversed(doc.blocks) if not _furniture(b)), None)
    head = next((i for i, (_, obj) in enumerate(items) if not _furniture(obj)), None)
    if prev is None or head is None:
        return items
    first = items[head][1]
    if isinstance(prev, Table) and isinstance(first, Table) and _page_of(prev) == pno - 1:
        rest = _continue_table(prev, first, texts)
        if rest is None:
            return items
        return items[:head] + ([(items[head][0], rest)] if rest.cells else []) + items[head + 1:]
    if isinstance(prev, Para) and isinstance(first, Para) and _page_of(prev) == pno - 1 \
            and getattr(prev, "full_end", False) and getattr(first, "starts_left", False) \
            and not _LABEL_START_RE.match(first.text):
        prev.text = _join_wrapped([prev.text, first.text])
        texts.append(first.text)
        return items[:head] + items[head + 1:]
    return items


def _page_of(block) -> int:
    if isinstance(block, Table):
        return block.cells[0].loc.get("page", 0) if block.cells else 0
    return block.loc.get("page", 0)


def _continue_table(prev: Table, nxt: Table, texts: list[str]) -> Table | None:
    """If the next page's table starts with the rest of a split row (its first cell is empty),
    append that row's text to the cells of the previous table's last row; return what is left."""
    if not nxt.cells or not prev.cells:
        return None
    first_row = min(c.row for c in nxt.cells)
    row = [c for c in nxt.cells if c.row == first_row]
    lead = min(row, key=lambda c: c.col)
    if lead.text.strip() or not any(c.text.strip() for c in row):
        return None
    last_end = max(c.row_end for c in prev.cells)
    tail = [c for c in prev.cells if c.row_end == last_end]
    for c in row:
        if not c.text.strip():
            continue
        x0, x1 = c.loc["bbox"][0], c.loc["bbox"][2]
        target = max(tail, key=lambda t: min(x1, t.loc["bbox"][2]) - max(x0, t.loc["bbox"][0]))
        if min(x1, target.loc["bbox"][2]) - max(x0, target.loc["bbox"][0]) <= 0:
            return None
        target.text = f"{target.text}\n{c.text}" if target.text else c.text
        texts.append(c.text)
    left = [c for c in nxt.cells if c.row != first_row]
    for c in left:
        c.row -= 1
    return Table(index=-1, cells=left)


def _is_title_line(line: list[dict], page) -> bool:
    size = line[0].get("size") or 0
    mid = (line[0]["x0"] + line[-1]["x1"]) / 2
    return size >= 14 and abs(mid - float(page.width) / 2) < 15


def _read_page(page, pno: int, chars: list[dict], doc: Doc, texts: list[str]) -> None:
    try:
        found = page.find_tables()
    except Exception:
        found = []
    grids = []
    for t in found:
        boxes = [b for b in t.cells if b]
        if len(boxes) < 2:
            continue
        xs = _cluster([b[0] for b in boxes] + [b[2] for b in boxes])
        ys = _cluster([b[1] for b in boxes] + [b[3] for b in boxes])
        cells, owner = [], {}
        for b in boxes:
            c0, c1 = _nearest(xs, b[0]), _nearest(xs, b[2])
            r0, r1 = _nearest(ys, b[1]), _nearest(ys, b[3])
            if c1 <= c0 or r1 <= r0:
                continue
            cell = Cell(row=r0, col=c0, text="", rowspan=r1 - r0, colspan=c1 - c0,
                        loc={"source": "pdf", "page": pno,
                             "bbox": [round(b[0], 1), round(b[1], 1), round(b[2], 1), round(b[3], 1)]})
            cells.append(cell)
            for rr in range(r0, r1):
                for cc in range(c0, c1):
                    owner[(rr, cc)] = cell
        if cells:
            grids.append((t.bbox, xs, ys, owner, cells, {id(c): [] for c in cells}))

    loose: list[dict] = []
    for ch in chars:
        cx = (ch["x0"] + ch["x1"]) / 2
        cy = (ch["top"] + ch["bottom"]) / 2
        for bbox, xs, ys, owner, cells, bucket in grids:
            if bbox[0] <= cx <= bbox[2] and bbox[1] <= cy <= bbox[3]:
                ci = bisect.bisect_right(xs, cx) - 1
                ri = bisect.bisect_right(ys, cy) - 1
                cell = owner.get((ri, ci))
                if cell is not None:
                    bucket[id(cell)].append(ch)
                    break
        else:
            loose.append(ch)

    items = []  # (top, obj)
    for bbox, xs, ys, owner, cells, bucket in grids:
        for cell in cells:
            cell.text = "\n".join(_line_text(ln) for ln in _lines(bucket[id(cell)])).strip()
        cells.sort(key=lambda c: (c.row, c.col))
        items.append((bbox[1], Table(index=-1, cells=cells)))

    lines = _lines(loose)
    for top, table in _virtual_tables(lines, pno):
        items.append((top, table))
    lines = [ln for ln in lines if not ln[0].get("_in_virtual")]
    if lines:
        right = max(ch["x1"] for ln in lines for ch in ln)
        left = min(ln[0]["x0"] for ln in lines)
        merged: list[list[list[dict]]] = []
        for ln in lines:
            if merged:
                prev = merged[-1][-1]
                size = prev[0].get("size") or 10
                full = prev[-1]["x1"] >= right - size * 2.5 and prev[0]["x0"] <= left + size * 2.5
                gap = ln[0]["top"] - prev[0]["bottom"]
                close = 0 <= gap <= size * 1.2
                text = _line_text(ln)
                if close and ln[0]["x0"] <= left + size * 0.5 and not _LABEL_START_RE.match(text) \
                        and (full or (gap <= size * 0.6 and not _ENDS_SENTENCE_RE.search(_line_text(prev))
                                      and not _HEADING_START_RE.match(text))):
                    # a wrapped line: the previous one ran to the margin, or broke early before an
                    # unbreakable word ("0371-" / "67369917") with no sentence end in between
                    merged[-1].append(ln)
                    continue
                if close and _is_title_line(prev, page) and _is_title_line(ln, page) \
                        and abs((ln[0].get("size") or 0) - size) < 0.5:
                    merged[-1].append(ln)  # a centred title wrapped over two lines
                    continue
            merged.append([ln])
        for group in merged:
            text = _join_wrapped([_line_text(ln) for ln in group])
            first = group[0]
            width = first[-1]["x1"] - first[0]["x0"]
            mid = (first[0]["x0"] + first[-1]["x1"]) / 2
            page_mid = float(page.width) / 2
            para = Para(index=-1, text=text,
                        loc={"source": "pdf", "page": pno, "bbox": _bbox([c for ln in group for c in ln])},
                        centered=abs(mid - page_mid) < 15 and width < float(page.width) * 0.8,
                        size=max((c.get("size") or 0) for c in first))
            last = group[-1]
            lsize = last[0].get("size") or 10
            para.full_end = last[-1]["x1"] >= right - lsize * 2.5  # runs on to the right margin
            para.starts_left = first[0]["x0"] <= left + (first[0].get("size") or 10) * 0.5
            items.append((first[0]["top"], para))

    items.sort(key=lambda it: it[0])
    items = _join_previous_page(doc, pno, items, texts)
    for _, obj in items:
        if isinstance(obj, Table):
            obj.index = len(doc.tables)
            doc.tables.append(obj)
            texts.extend(c.text for c in obj.cells)
        else:
            obj.index = len(doc.paragraphs)
            doc.paragraphs.append(obj)
            texts.append(obj.text)
        doc.blocks.append(obj)
