"""DOCX -> Doc model, reading word/document.xml directly with a hardened lxml parser.

python-docx is not used on untrusted bytes for the hot path: reading the one XML part we need
with lxml is several times faster than building a python-docx Document, and it lets us see
w:sym glyphs, w:gridBefore, vMerge and content controls. Provenance indices follow
python-docx conventions: ``table`` is the i-th table in body reading order, ``row`` the w:tr
index, ``cell`` the grid column (so ``Document.tables[t].cell(row, cell)`` is the cell);
``paragraph`` is the i-th body-level paragraph in reading order.
"""
from __future__ import annotations

from . import limits
from .errors import ParseError
from .model import Cell, Doc, Para, Table
from .normalize import symbol_char
from .safety import open_zip, parse_xml, read_member

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
STRICT_NS = b"http://purl.oclc.org/ooxml/wordprocessingml/main"


def _q(tag: str) -> str:
    return f"{{{W}}}{tag}"


T, TAB, BR, CR, SYM, P, TBL, TR, TC, SDT, SDTCONTENT = (
    _q("t"), _q("tab"), _q("br"), _q("cr"), _q("sym"), _q("p"), _q("tbl"), _q("tr"), _q("tc"),
    _q("sdt"), _q("sdtContent"))
NBH = _q("noBreakHyphen")
FLDCHAR = _q("fldChar")
RUN = _q("r")
SYMBOL_FONTS = ("wingdings", "webdings", "symbol")


def _symbol_font(run) -> str:
    """The symbol font a run is set in ('' for ordinary text fonts)."""
    rpr = run.find(_q("rPr"))
    fonts = rpr.find(_q("rFonts")) if rpr is not None else None
    if fonts is None:
        return ""
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        name = (fonts.get(_q(attr)) or "").strip()
        if name.lower().startswith(SYMBOL_FONTS):
            return name
    return ""
SKIP = {_q("pPr"), _q("rPr"), _q("tcPr"), _q("trPr"), _q("tblPr"), _q("tblGrid"), _q("sectPr"),
        _q("del"), _q("instrText"), _q("delText"), f"{{{MC}}}Fallback", _q("commentReference"),
        _q("footnoteReference"), _q("endnoteReference")}
VAL = _q("val")
MAX_TABLE_CELLS = 5000
MAX_GRID_COLS = 63  # Word's own limit on table columns


def _main_part(zf, name: str) -> bytes | None:
    """The main XML part, refused by its declared size before inflating and by its real size
    and node count before parsing (a 45 MB document.xml took 12.8 s and 1.15 GB)."""
    try:
        limits.check_xml_size(zf.getinfo(name).file_size)
    except KeyError:
        return None
    xml = read_member(zf, name, limit=limits.MAX_XML_BYTES + 1)
    if xml is not None:
        limits.check_xml_size(len(xml))
        limits.check_xml_nodes(xml)
    return xml


def read_docx(data: bytes) -> Doc:
    zf = open_zip(data)
    xml = _main_part(zf, "word/document.xml")
    if xml is None:
        # Some producers write a different main part name; follow [Content_Types].xml.
        ct = read_member(zf, "[Content_Types].xml")
        name = None
        if ct is not None:
            root = parse_xml(ct)
            for ov in root:
                if str(ov.get("ContentType", "")).endswith("document.main+xml"):
                    name = str(ov.get("PartName", "")).lstrip("/")
        xml = _main_part(zf, name) if name else None
        if xml is None:
            raise ParseError("corrupt_file", detail="no main document part")
    if STRICT_NS in xml[:4096]:
        xml = xml.replace(STRICT_NS, W.encode())  # ISO 29500 Strict: same vocabulary, other namespace
    root = parse_xml(xml)
    body = root.find(_q("body"))
    if body is None:
        raise ParseError("corrupt_file", detail="no w:body")
    doc = Doc(source="docx")
    _walk_body(body, doc)
    parts = []
    for b in doc.blocks:
        if isinstance(b, Para):
            parts.append(b.text)
        else:
            parts.extend(c.text for c in b.cells)
    doc.full_text = "\n".join(parts)
    doc.header_text = _headers(zf)
    return doc


def _headers(zf) -> str:
    texts = []
    for name in sorted(n for n in zf.namelist() if n.startswith("word/header") and n.endswith(".xml"))[:6]:
        xml = read_member(zf, name, limit=2 * 1024 * 1024)
        if xml is None:
            continue
        root = parse_xml(xml)
        for p in root.iter(P):
            t = paragraph_text(p).strip()
            if t:
                texts.append(t)
    return "\n".join(texts)


def _walk_body(elem, doc: Doc) -> None:
    for child in elem:
        tag = child.tag
        if tag == P:
            para = _para(child, len(doc.paragraphs))
            doc.paragraphs.append(para)
            doc.blocks.append(para)
        elif tag == TBL:
            table = _table(child, len(doc.tables))
            doc.tables.append(table)
            doc.blocks.append(table)
        elif tag in (SDT, SDTCONTENT) or tag == _q("customXml"):
            _walk_body(child, doc)


def _text(elem, out: list) -> None:
    for child in elem:
        tag = child.tag
        if not isinstance(tag, str) or tag in SKIP:
            continue
        if tag == T:
            if child.text:
                out.append(child.text)
        elif tag == TAB:
            out.append("\t")
        elif tag in (BR, CR):
            out.append("\n")
        elif tag == NBH:
            out.append("-")
        elif tag == RUN and (font := _symbol_font(child)):
            inner: list[str] = []
            _text(child, inner)
            # "R" / "£" typed in Wingdings 2 is how many offices draw ☑ / □
            out.append("".join(symbol_char(font, ord(ch)) if ch not in "\t\n" else ch
                               for ch in "".join(inner)))
        elif tag == FLDCHAR:
            box = _legacy_checkbox(child)
            if box:
                out.append(box)
        elif tag == SYM:
            code = child.get(_q("char")) or ""
            try:
                out.append(symbol_char(child.get(_q("font")) or "", int(code, 16)))
            except ValueError:
                pass
        elif tag == P:
            if out and out[-1] != "\n":
                out.append("\n")
            _text(child, out)
            out.append("\n")
        else:
            _text(child, out)


def _on(el) -> bool:
    return el.get(VAL) not in ("0", "false", "off")


def _legacy_checkbox(fldchar) -> str:
    """Word 97 FORMCHECKBOX fields carry their state in w:ffData, not in the text."""
    cb = fldchar.find(f"{_q('ffData')}/{_q('checkBox')}")
    if cb is None:
        return ""
    checked = cb.find(_q("checked"))
    if checked is None:
        checked = cb.find(_q("default"))
    return "☑" if checked is not None and _on(checked) else "□"


def paragraph_text(p) -> str:
    out: list[str] = []
    _text(p, out)
    return "".join(out).strip("\n")


def _para(p, index: int) -> Para:
    ppr = p.find(_q("pPr"))
    centered, style, size = False, "", 0.0
    if ppr is not None:
        jc = ppr.find(_q("jc"))
        centered = jc is not None and jc.get(VAL) in ("center", "centre")
        ps = ppr.find(_q("pStyle"))
        style = (ps.get(VAL) or "") if ps is not None else ""
    sz = p.find(f"{_q('r')}/{_q('rPr')}/{_q('sz')}")
    if sz is not None:
        try:
            size = int(sz.get(VAL)) / 2
        except (TypeError, ValueError):
            size = 0.0
    return Para(index=index, text=paragraph_text(p),
                loc={"source": "docx", "paragraph": index}, style=style, centered=centered, size=size)


def _children(elem, tag):
    """Children with a tag, looking through content controls and customXml wrappers."""
    for child in elem:
        if child.tag == tag:
            yield child
        elif child.tag in (SDT, SDTCONTENT, _q("customXml")):
            yield from _children(child, tag)


def _cell_text(tc) -> str:
    lines: list[str] = []
    for child in tc:
        tag = child.tag
        if tag == P:
            lines.append(paragraph_text(child))
        elif tag == TBL:
            for tr in _children(child, TR):
                lines.append(" ".join(_cell_text(c) for c in _children(tr, TC)))
        elif tag in (SDT, SDTCONTENT, _q("customXml")):
            lines.append(_cell_text(child))
    return "\n".join(lines).strip("\n")


def _int_attr(parent, tag: str, default: int) -> int:
    if parent is None:
        return default
    el = parent.find(_q(tag))
    if el is None:
        return default
    try:
        return max(int(el.get(VAL)), 0)
    except (TypeError, ValueError):
        return default


def _table(tbl, index: int) -> Table:
    cells: list[Cell] = []
    open_by_col: dict[int, Cell] = {}
    for r, tr in enumerate(_children(tbl, TR)):
        col = min(_int_attr(tr.find(_q("trPr")), "gridBefore", 0), MAX_GRID_COLS)
        seen_cols = set()
        for tc in _children(tr, TC):
            tcpr = tc.find(_q("tcPr"))
            span = min(max(_int_attr(tcpr, "gridSpan", 1), 1), MAX_GRID_COLS)
            if col >= MAX_GRID_COLS:
                break  # more columns than Word allows: the rest of the row is ignored
            vm = tcpr.find(_q("vMerge")) if tcpr is not None else None
            if vm is not None and vm.get(VAL) in (None, "continue") and col in open_by_col:
                above = open_by_col[col]
                above.rowspan = r - above.row + 1
                extra = _cell_text(tc)
                if extra:
                    above.text = f"{above.text}\n{extra}" if above.text else extra
            else:
                cell = Cell(row=r, col=col, text=_cell_text(tc), colspan=span,
                            loc={"source": "docx", "table": index, "row": r, "cell": col})
                cells.append(cell)
                if len(cells) > MAX_TABLE_CELLS:
                    raise ParseError("too_large", detail="table too large")
                open_by_col[col] = cell
            seen_cols.add(col)
            col += span
        for c in list(open_by_col):
            if c not in seen_cols:
                del open_by_col[c]
    return Table(index=index, cells=cells)
