"""A DOCX measured from its own properties: section page size and margins, the document grid,
each run's effective face and size (docDefaults → paragraph style chain → run style → run), paragraph
alignment and indents, paragraph/table borders of the 版记, and the footers' page-number fields.

Read with the project's hardened zip/XML helpers (``parsers.safety``): a DOCX is untrusted input.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from parsers.safety import open_zip, parse_xml, read_member

from . import forms
from . import standard as gb
from .errors import LintError
from .fonts import CJK, fits_title, is_bold, role, role_name, same_as_body
from .rules import data, problem

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
TWIP = 25.4 / 1440  # mm per twip
MAX_PARAGRAPHS = 20_000
INDENT_REPORTS = 5
"""At most five paragraph-indent problems per file: one wrong style repeats on every paragraph."""
WORD_SQUEEZE = 1.1
"""Word puts one character in each grid cell while the font is at most ~10 % wider than the cell: the
standard 公文 grid (28 characters of 16 pt in 156 mm) has 15.79 pt cells (charSpace −848).  A larger
font takes whole cells (LibreOffice 7.4 takes two cells for 16 pt here, which the layout check sees)."""
CJK_LINE_FACTOR = 1.3
"""Single (auto) line spacing of a CJK face is about 1.3 em (Noto CJK: 1.448, SimSun: 1.14, FangSong:
1.27); used only to estimate lines per page when neither exact spacing nor a grid is set."""


@dataclass
class Run:
    text: str
    east_asia: str
    ascii: str
    size: float
    bold: bool
    color: str


@dataclass
class Para:
    index: int
    runs: list[Run]
    jc: str = "left"
    first_chars: float | None = None   # first-line indent in characters, when the file says so
    first_twips: float = 0.0
    left_twips: float = 0.0
    right_twips: float = 0.0
    right_chars: float | None = None
    left_chars: float | None = None
    line: float | None = None
    line_rule: str = "auto"
    borders: dict = field(default_factory=dict)   # top/bottom/between -> width in eighths of a point
    table: int | None = None
    fields: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)

    @property
    def size(self) -> float:
        sized = Counter()
        for r in self.runs:
            sized[r.size] += len(r.text.strip())
        return sized.most_common(1)[0][0] if sized else gb.BODY_PT

    @property
    def red(self) -> bool:
        return any(r.color.upper() in RED_HEX for r in self.runs if r.text.strip())


RED_HEX = {"FF0000", "C00000", "E60012", "D00000", "CC0000", "FF3300", "E00000", "DD0000"}


@dataclass
class Table:
    width_twips: float | None
    borders: dict
    paragraphs: list[int] = field(default_factory=list)


@dataclass
class Section:
    page_w: float
    page_h: float
    top: float
    bottom: float
    left: float
    right: float
    grid_type: str
    line_pitch: float | None  # twips
    char_space: float
    footers: dict  # default/even/first -> [Para]


@dataclass
class Document:
    paragraphs: list[Para]
    sections: list[Section]
    tables: list[Table]
    even_odd: bool
    normal_size: float
    #: default character spacing (w:spacing, pt): fixed spacing instead of a character grid
    normal_spacing: float = 0.0


class _Styles:
    def __init__(self, root, theme: dict[str, str]):
        self.by_id = {}
        self.default_para = None
        self.theme = theme
        self.doc_rpr = None
        self.doc_ppr = None
        if root is None:
            return
        self.doc_rpr = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
        self.doc_ppr = root.find(f"{W}docDefaults/{W}pPrDefault/{W}pPr")
        for st in root.findall(f"{W}style"):
            sid = st.get(f"{W}styleId")
            self.by_id[sid] = st
            if st.get(f"{W}type") == "paragraph" and st.get(f"{W}default") in ("1", "true"):
                self.default_para = sid

    def chain(self, sid: str | None) -> list:
        """Style elements from the most basic to ``sid`` itself."""
        out, seen = [], set()
        while sid and sid in self.by_id and sid not in seen:
            seen.add(sid)
            st = self.by_id[sid]
            out.append(st)
            based = st.find(f"{W}basedOn")
            sid = based.get(f"{W}val") if based is not None else None
        return list(reversed(out))


def _val(el, name="val"):
    return None if el is None else el.get(f"{W}{name}")


def _on(el) -> bool | None:
    if el is None:
        return None
    v = el.get(f"{W}val")
    return v not in ("0", "false", "off")


def _merge_rpr(state: dict, rpr, theme: dict[str, str]) -> None:
    if rpr is None:
        return
    fonts = rpr.find(f"{W}rFonts")
    if fonts is not None:
        for key in ("eastAsia", "ascii"):
            v = fonts.get(f"{W}{key}")
            t = fonts.get(f"{W}{key}Theme")
            if v:
                state[key] = v
            elif t:
                state[key] = theme.get(t, state.get(key, ""))
    sz = _val(rpr.find(f"{W}sz"))
    if sz and sz.replace(".", "").isdigit():
        state["size"] = float(sz) / 2
    b = _on(rpr.find(f"{W}b"))
    if b is not None:
        state["bold"] = b
    c = _val(rpr.find(f"{W}color"))
    if c:
        state["color"] = c
    sp = _val(rpr.find(f"{W}spacing"))
    if sp and sp.lstrip("-").isdigit():
        state["spacing"] = int(sp) / 20


def _num(v, default=None):
    try:
        return float(v)
    except (TypeError, ValueError):
        return default


def _merge_ppr(state: dict, ppr) -> None:
    if ppr is None:
        return
    jc = _val(ppr.find(f"{W}jc"))
    if jc:
        state["jc"] = {"both": "left", "distribute": "left", "start": "left", "end": "right"}.get(jc, jc)
    ind = ppr.find(f"{W}ind")
    if ind is not None:
        for attr, key, scale in (("firstLineChars", "first_chars", 100), ("firstLine", "first_twips", 1),
                                 ("left", "left_twips", 1), ("start", "left_twips", 1),
                                 ("right", "right_twips", 1), ("end", "right_twips", 1),
                                 ("rightChars", "right_chars", 100), ("leftChars", "left_chars", 100)):
            v = _num(ind.get(f"{W}{attr}"))
            if v is not None:
                state[key] = v / scale
        hanging = _num(ind.get(f"{W}hanging"))
        if hanging is not None:
            state["first_twips"] = -hanging
            state["first_chars"] = None
        hc = _num(ind.get(f"{W}hangingChars"))
        if hc is not None:
            state["first_chars"] = -hc / 100
    sp = ppr.find(f"{W}spacing")
    if sp is not None:
        line = _num(sp.get(f"{W}line"))
        if line is not None:
            state["line"] = line
            state["line_rule"] = sp.get(f"{W}lineRule") or "auto"
    bdr = ppr.find(f"{W}pBdr")
    if bdr is not None:
        borders = dict(state.get("borders") or {})
        for side in ("top", "bottom", "between"):
            el = bdr.find(f"{W}{side}")
            if el is not None and el.get(f"{W}val") not in (None, "nil", "none"):
                borders[side] = _num(el.get(f"{W}sz"), 4)
        state["borders"] = borders


def read(data: bytes) -> Document:
    zf = open_zip(data)
    doc_xml = read_member(zf, "word/document.xml")
    if doc_xml is None:
        raise LintError("unsupported_type")
    root = parse_xml(doc_xml)
    styles_xml = read_member(zf, "word/styles.xml")
    theme = _theme(zf)
    styles = _Styles(parse_xml(styles_xml) if styles_xml else None, theme)
    settings_xml = read_member(zf, "word/settings.xml")
    even_odd = settings_xml is not None and parse_xml(settings_xml).find(f"{W}evenAndOddHeaders") is not None
    rels = _rels(zf)
    body = root.find(f"{W}body")
    if body is None:
        raise LintError("corrupt_file")
    paragraphs: list[Para] = []
    tables: list[Table] = []
    _walk(body, styles, paragraphs, tables, None)
    sections = [_section(s, zf, rels, styles) for s in body.iter(f"{W}sectPr")]
    normal = {"size": 10.0}
    _merge_rpr(normal, styles.doc_rpr, theme)
    for st in styles.chain(styles.default_para):
        _merge_rpr(normal, st.find(f"{W}rPr"), theme)
    return Document(paragraphs, sections, tables, even_odd, normal["size"], normal.get("spacing", 0.0))


def _theme(zf) -> dict[str, str]:
    raw = read_member(zf, "word/theme/theme1.xml")
    if raw is None:
        return {}
    root = parse_xml(raw)
    out = {}
    for kind in ("major", "minor"):
        font = root.find(f".//{A}{kind}Font")
        if font is None:
            continue
        latin = font.find(f"{A}latin")
        ea = font.find(f"{A}ea")
        hans = next((f.get("typeface") for f in font.findall(f"{A}font") if f.get("script") == "Hans"), "")
        out[f"{kind}EastAsia"] = (ea.get("typeface") if ea is not None else "") or hans
        out[f"{kind}HAnsi"] = out[f"{kind}Ascii"] = latin.get("typeface") if latin is not None else ""
    return out


def _rels(zf) -> dict[str, str]:
    raw = read_member(zf, "word/_rels/document.xml.rels")
    if raw is None:
        return {}
    return {r.get("Id"): r.get("Target") for r in parse_xml(raw)}


def _walk(el, styles: _Styles, out: list[Para], tables: list[Table], table: int | None) -> None:
    for child in el:
        if len(out) > MAX_PARAGRAPHS:
            raise LintError("too_large", limit=f"{MAX_PARAGRAPHS} 个段落")
        if child.tag == f"{W}p":
            out.append(_para(child, styles, len(out) + 1, table))
        elif child.tag == f"{W}tbl":
            tables.append(_table(child))
            idx = len(tables) - 1
            start = len(out)
            for tc in child.iter(f"{W}tc"):
                _walk(tc, styles, out, tables, idx)
            tables[idx].paragraphs = list(range(start + 1, len(out) + 1))
        elif child.tag in (f"{W}sdt", f"{W}sdtContent", f"{W}customXml", f"{W}smartTag"):
            _walk(child, styles, out, tables, table)


def _table(tbl) -> Table:
    pr = tbl.find(f"{W}tblPr")
    width = None
    borders = {}
    if pr is not None:
        w = pr.find(f"{W}tblW")
        if w is not None and w.get(f"{W}type") in (None, "dxa"):
            width = _num(w.get(f"{W}w"))
        b = pr.find(f"{W}tblBorders")
        if b is not None:
            for side in ("top", "bottom", "insideH"):
                e = b.find(f"{W}{side}")
                if e is not None and e.get(f"{W}val") not in (None, "nil", "none"):
                    borders[side] = _num(e.get(f"{W}sz"), 4)
    if width is None:
        cols = [_num(g.get(f"{W}w"), 0) for g in tbl.findall(f"{W}tblGrid/{W}gridCol")]
        width = sum(cols) or None
    for tc_b in tbl.iter(f"{W}tcBorders"):
        for side in ("top", "bottom"):
            e = tc_b.find(f"{W}{side}")
            if e is not None and e.get(f"{W}val") not in (None, "nil", "none"):
                borders.setdefault(f"cell-{side}", []).append(_num(e.get(f"{W}sz"), 4))
    return Table(width, borders)


def _para(p, styles: _Styles, index: int, table: int | None) -> Para:
    ppr = p.find(f"{W}pPr")
    sid = _val(ppr.find(f"{W}pStyle")) if ppr is not None else None
    sid = sid or styles.default_para
    pstate: dict = {"jc": "left"}
    rbase: dict = {"eastAsia": "", "ascii": "", "size": 10.0, "bold": False, "color": ""}
    _merge_ppr(pstate, styles.doc_ppr)
    _merge_rpr(rbase, styles.doc_rpr, styles.theme)
    for st in styles.chain(sid):
        _merge_ppr(pstate, st.find(f"{W}pPr"))
        _merge_rpr(rbase, st.find(f"{W}rPr"), styles.theme)
    _merge_ppr(pstate, ppr)
    runs, fields = [], []
    fld = {"page": False, "result": False}
    for r in p.iter(f"{W}r"):
        state = dict(rbase)
        rpr = r.find(f"{W}rPr")
        rstyle = _val(rpr.find(f"{W}rStyle")) if rpr is not None else None
        for st in styles.chain(rstyle):
            _merge_rpr(state, st.find(f"{W}rPr"), styles.theme)
        _merge_rpr(state, rpr, styles.theme)
        text = ""
        for t in r:
            if t.tag == f"{W}t":
                text += t.text or ""
            elif t.tag == f"{W}tab":
                text += "\t"
            elif t.tag == f"{W}instrText":
                fields.append((t.text or "").strip())
                fld["page"] = fld["page"] or bool(re.match(r"PAGE\b", fields[-1].upper()))
            elif t.tag == f"{W}fldChar":
                kind = t.get(f"{W}fldCharType")
                if kind == "begin":
                    fld.update(page=False, result=False)
                elif kind == "separate":
                    fld["result"] = True
                elif kind == "end" and fld["page"] and not fld["result"]:
                    text += "1"  # a PAGE field saved without a result shows the page number when laid out
                    fld["page"] = False
        if text:
            runs.append(Run(text, state["eastAsia"], state["ascii"], state["size"], state["bold"], state["color"]))
    for fs in p.iter(f"{W}fldSimple"):
        fields.append((fs.get(f"{W}instr") or "").strip())
    para = Para(index=index, runs=runs, table=table, fields=fields)
    for key in ("jc", "first_chars", "first_twips", "left_twips", "right_twips", "right_chars", "left_chars", "line",
                "line_rule", "borders"):
        if key in pstate:
            setattr(para, key, pstate[key])
    return para


def _section(s, zf, rels: dict[str, str], styles: _Styles) -> Section:
    sz = s.find(f"{W}pgSz")
    mar = s.find(f"{W}pgMar")
    grid = s.find(f"{W}docGrid")

    def tw(el, name, default):
        return _num(el.get(f"{W}{name}") if el is not None else None, default)

    footers = {}
    for ref in s.findall(f"{W}footerReference"):
        target = rels.get(ref.get(f"{R}id"))
        raw = read_member(zf, "word/" + target.lstrip("/")) if target else None
        if raw is None:
            continue
        paras: list[Para] = []
        _walk(parse_xml(raw), styles, paras, [], None)
        footers[ref.get(f"{W}type") or "default"] = paras
    return Section(page_w=tw(sz, "w", 11906) * TWIP, page_h=tw(sz, "h", 16838) * TWIP,
                   top=abs(tw(mar, "top", 1440)) * TWIP, bottom=abs(tw(mar, "bottom", 1440)) * TWIP,
                   left=tw(mar, "left", 1800) * TWIP, right=tw(mar, "right", 1800) * TWIP,
                   grid_type=(grid.get(f"{W}type") if grid is not None else None) or "default",
                   line_pitch=tw(grid, "linePitch", None), char_space=tw(grid, "charSpace", 0), footers=footers)


# ---------------------------------------------------------------- checks

def _face_of(runs: list[Run]) -> tuple[str, bool] | None:
    count = Counter()
    for r in runs:
        n = len(CJK.findall(r.text))
        if n:
            count[(r.east_asia, r.bold)] += n
    return count.most_common(1)[0][0] if count else None


def check(doc: Document) -> list[dict]:
    out: list[dict] = []
    paras = [p for p in doc.paragraphs if p.text.strip()]
    body_pt = _body_size(paras)
    for sec in doc.sections[:1] + [s for s in doc.sections[1:] if s.page_w != doc.sections[0].page_w]:
        out += _section_checks(sec, doc, paras, body_pt)
    out += _text_checks(doc, paras, body_pt)
    if doc.sections:
        out += _footer_checks(doc, doc.sections[-1], paras, body_pt)
    return out


def _body_size(paras: list[Para]) -> float:
    sizes = Counter()
    for p in paras:
        if p.table is None:
            for r in p.runs:
                if 10 <= r.size < 18:
                    sizes[r.size] += len(r.text.strip())
    return sizes.most_common(1)[0][0] if sizes else gb.BODY_PT


def _section_checks(sec: Section, doc: Document, paras: list[Para], body_pt: float) -> list[dict]:
    out = []
    w, h = sorted((sec.page_w, sec.page_h))
    if abs(w - gb.PAGE_W) > gb.PAPER_TOL or abs(h - gb.PAGE_H) > gb.PAPER_TOL:
        out.append(problem("paper-size", width=sec.page_w, height=sec.page_h))
    if sec.page_w > sec.page_h:
        return out  # a landscape 横排表格 section
    if abs(sec.top - gb.TOP) > gb.MARGIN_TOL:
        out.append(problem("margin-top", value=sec.top))
    if abs(sec.left - gb.LEFT) > gb.MARGIN_TOL:
        out.append(problem("margin-left", value=sec.left))
    width = sec.page_w - sec.left - sec.right
    height = sec.page_h - sec.top - sec.bottom
    if abs(width - gb.AREA_W) > gb.MARGIN_TOL:
        out.append(problem("type-area-width", value=width))
    if abs(height - gb.AREA_H) > gb.MARGIN_TOL:
        out.append(problem("type-area-height", value=height))
    body = [p for p in paras if p.table is None and abs(p.size - body_pt) < 1]
    rules = Counter((p.line_rule, p.line) for p in body)
    (line_rule, line), _n = rules.most_common(1)[0] if rules else (("auto", 240), 0)
    height_pt = height / gb.PT
    gridded = sec.grid_type in ("lines", "linesAndChars", "snapToChars") and sec.line_pitch
    if line_rule == "exact" and line:
        pitch = line / 20
    elif gridded:
        pitch = sec.line_pitch / 20
        if line_rule == "auto" and line and line > 240:
            pitch *= line / 240
    else:
        pitch = body_pt * CJK_LINE_FACTOR * ((line or 240) / 240 if line_rule == "auto" else 1)
        if line_rule == "atLeast" and line:
            pitch = max(pitch, line / 20)
    lines = int(height_pt / pitch + 0.01)
    if lines != gb.LINES:
        out.append(problem("lines-per-page", value=lines, pitch=pitch * gb.PT))
    width_pt = width / gb.PT
    if sec.grid_type in ("linesAndChars", "snapToChars"):
        cell = doc.normal_size + sec.char_space / 4096
        cells = int(width_pt / cell + 0.01) if cell > 0 else 0
        per_char = 1 if body_pt <= cell * WORD_SQUEEZE else max(1, -int(-(body_pt - 0.01) // cell))
        chars = cells // per_char
        char_pitch = cell * per_char
    else:  # no character grid: the font size plus the default character spacing
        char_pitch = body_pt + doc.normal_spacing
        chars = int(width_pt / char_pitch + 0.01) if char_pitch > 0 else 0
    if chars != gb.CHARS:
        out.append(problem("chars-per-line", value=chars, pitch=char_pitch * gb.PT))
    return out


def _parts(paras: list[Para], body_pt: float) -> dict:
    parts = {"masthead": [], "doc_number": None, "title": [], "addressee": None, "signature": None, "date": None,
             "imprint": [], "main_end": len(paras)}
    main = [p for p in paras if p.table is None]
    i = 0
    while i < len(main) and (main[i].size >= 24 or main[i].red):
        parts["masthead"].append(main[i])
        i += 1
    for j in range(i, min(i + 4, len(main))):
        if main[j].size >= 18:
            break
        if forms.is_doc_number(re.split(r"\s{2,}|\t", main[j].text.strip())[0]):
            parts["doc_number"] = main[j]
            i = j + 1
            break
    ahead = next((j for j in range(i, min(i + 4, len(main))) if main[j].size >= 18 and not main[j].red), None)
    if ahead is not None and (parts["masthead"] or parts["doc_number"]):
        i = ahead
    while i < len(main) and main[i].size >= 18 and not main[i].red:
        parts["title"].append(main[i])
        i += 1
    if parts["title"] and i < len(main) and main[i].text.rstrip().endswith((":", "：")) and main[i].jc == "left":
        parts["addressee"] = main[i]
    for k in range(len(main) - 1, -1, -1):
        p = main[k]
        if forms.is_date(p.text.strip()) and p.jc in ("right", "center") or \
                forms.is_date(p.text.strip()) and p.text.startswith(("\u3000", " ")):
            parts["date"] = p
            if k > 0 and not forms.is_date(main[k - 1].text.strip()):
                parts["signature"] = main[k - 1]
            break
    start = parts["date"].index if parts["date"] else 0
    parts["imprint"] = [p for p in main if p.index > start and
                        (forms.IMPRINT.match(p.text.strip()) or p.text.strip().startswith("抄送"))]
    parts["imprint"] += [p for p in paras if p.table is not None and p.index > start and p not in parts["imprint"]
                         and (forms.IMPRINT.match(p.text.strip()) or p.text.strip().startswith("抄送"))]
    att = next((p for p in main if p.index > start and re.fullmatch(r"附\s*件\s*\d*", p.text.strip())), None)
    parts["main_end"] = att.index if att else (parts["imprint"][0].index if parts["imprint"] else 10 ** 9)
    parts["body_begin"] = main[i].index if i < len(main) else 10 ** 9
    return parts


def _indent_chars(p: Para, body_pt: float) -> float:
    if p.first_chars is not None:
        first = p.first_chars
    else:
        first = p.first_twips / (body_pt * 20)
    left = p.left_chars if p.left_chars is not None else p.left_twips / (body_pt * 20)
    return first + left


def _text_checks(doc: Document, paras: list[Para], body_pt: float) -> list[dict]:
    out = []
    pt = _parts(paras, body_pt)
    if abs(body_pt - gb.BODY_PT) > gb.SIZE_TOL:
        first = next((p for p in paras if p.index >= pt["body_begin"]), None)
        out.append(problem("body-size", paragraph=first.index if first else None, size=body_pt))
    if pt["doc_number"] is not None:
        p = pt["doc_number"]
        for code, values in forms.doc_number(re.split(r"\s{2,}|\t", p.text.strip())[0]):
            out.append(problem(code, paragraph=p.index, **values))
    if pt["title"]:
        first = pt["title"][0]
        text = "".join(p.text.strip() for p in pt["title"])
        size = first.size
        if abs(size - gb.TITLE_PT) > gb.SIZE_TOL:
            out.append(problem("title-size", paragraph=first.index, text=text, size=size))
        face = _face_of([r for p in pt["title"] for r in p.runs])
        if face:
            r = role(face[0])
            if not fits_title(r, face[1] or is_bold(face[0])):
                out.append(_font_problem("title-font", first, face[0], r, text=text))
        lines = [p.text for p in pt["title"]]
        for code, values in forms.title_breaks(lines) + forms.title_balance(lines):
            out.append(problem(code, paragraph=first.index, **values))
        if any(p.jc != "center" for p in pt["title"]):
            out.append(problem("title-centre", paragraph=first.index, text=text, value=0.0))
    if pt["addressee"] is not None:
        for code, values in forms.addressee(pt["addressee"].text):
            out.append(problem(code, paragraph=pt["addressee"].index, **values))
    skip = {id(x) for x in (pt["addressee"], pt["signature"], pt["date"]) if x is not None}
    body = [p for p in paras if pt["body_begin"] <= p.index < pt["main_end"] and p.table is None
            and id(p) not in skip and p not in pt["imprint"]]
    plain = Counter()
    first_of = {}
    indents = 0
    heading_faults: list[tuple[dict, str, int]] = []
    for k, p in enumerate(body):
        text = p.text.strip()
        head = forms.heading(text)
        if head:
            for code, values in forms.heading_form(text):
                out.append(problem(code, paragraph=p.index, **values))
            heading_faults += _heading_font(p, head)
        problems, att = forms.attachment(text)
        if att is not None:
            for code, values in problems:
                out.append(problem(code, paragraph=p.index, **values))
            following = []
            for q in body[k + 1:]:
                if forms.attachment_item(q.text.strip()) is None:
                    break
                following.append(q)
            if following and not att["numbered"]:
                out.append(problem("attachment-numbering", paragraph=p.index, text=text))
            for q in [p] + following:
                if forms.ends_with_punct(q.text):
                    out.append(problem("attachment-punct", paragraph=q.index, text=q.text.strip()))
            ind = _indent_chars(p, body_pt)
            if abs(ind - 2) > gb.CHAR_TOL:
                out.append(problem("attachment-indent", paragraph=p.index, value=round(ind, 1)))
            continue
        if p.jc in ("center", "right") or forms.attachment_item(text) and k and forms.attachment(
                body[k - 1].text.strip())[1]:
            continue
        lead = len(p.text) - len(p.text.lstrip("\u3000 ")) if p.text[:1] in ("\u3000", " ") else 0
        ind = _indent_chars(p, body_pt) + (lead if p.text[:1] == "\u3000" else lead / 2)
        if abs(ind - 2) > gb.CHAR_TOL and abs(p.size - body_pt) < 1 and indents < INDENT_REPORTS:
            indents += 1
            out.append(problem("paragraph-indent", paragraph=p.index, text=text[:12], value=round(ind, 1)))
        if head:
            continue
        for r in p.runs:
            n = len(CJK.findall(r.text))
            if n and abs(r.size - body_pt) < 1:
                plain[r.east_asia] += n
                first_of.setdefault(r.east_asia, p)
    body_faults = set()
    for face, n in plain.most_common():
        r = role(face)
        if r != "fangsong" and n >= 3:
            body_faults.add(face)
            out.append(_font_problem("body-font", first_of[face], face, r))
    out += [p for p, face, level in heading_faults if not same_as_body(level, face, body_faults)]
    d = pt["date"]
    if d is not None:
        for code, values in forms.date(d.text.strip()):
            out.append(problem(code, paragraph=d.index, **values))
    for p in pt["imprint"]:
        for code, values in forms.imprint_date(p.text.strip()):
            out.append(problem(code, paragraph=p.index, **values))
        if abs(p.size - gb.SMALL_PT) > gb.SIZE_TOL:
            out.append(problem("imprint-size", paragraph=p.index, text=p.text.strip()[:16], size=p.size))
    out += _imprint_rules(doc, paras, pt["imprint"])
    return out


def _font_problem(code: str, p: Para, face: str, r: str, **values) -> dict:
    if r == "unknown":
        return problem("font-unknown", paragraph=p.index, face=face or "（未指定）")
    return problem(code, paragraph=p.index, face=face, role=role_name(r), **values)


def _heading_font(p: Para, head: tuple[int, str]) -> list[tuple[dict, str, int]]:
    level, marker = head
    spec = data()["heading_levels"][level]
    text = p.text.strip()
    stop = text.find("。")
    upto = len(text) if stop < 0 else stop
    runs, seen = [], 0
    for r in p.runs:
        if seen >= upto:
            break
        runs.append(r)
        seen += len(r.text)
    face = _face_of(runs)
    if not face:
        return []
    r = role(face[0])
    if r in spec["roles"]:
        return []
    return [(_font_problem("heading-font", p, face[0], r, level=spec["name"], text=text[:16],
                           expected=spec["expected"]), face[0], level)]


def _imprint_rules(doc: Document, paras: list[Para], imprint: list[Para]) -> list[dict]:
    """7.4.1 from borders: paragraph borders (top/bottom/between) or the borders of the 版记's table."""
    if not imprint:
        return []
    out = []
    first, last = imprint[0], imprint[-1]
    by_index = {p.index: p for p in doc.paragraphs}
    sec = doc.sections[-1] if doc.sections else None
    area = (sec.page_w - sec.left - sec.right) if sec else gb.AREA_W
    table = doc.tables[first.table] if first.table is not None else None
    if table is not None:
        cell_top = table.borders.get("cell-top") or []
        cell_bottom = table.borders.get("cell-bottom") or []
        top = table.borders.get("top") or (max(cell_top) if cell_top else None)
        bottom = table.borders.get("bottom") or (max(cell_bottom) if cell_bottom else None)
        middle = table.borders.get("insideH") or (min(cell_top + cell_bottom) if len(cell_top + cell_bottom) > 2
                                                  else None)
        width = (table.width_twips or 0) * TWIP
    else:
        prev = by_index.get(first.index - 1)
        top = first.borders.get("top") or (prev.borders.get("bottom") if prev else None)
        bottom = last.borders.get("bottom")
        middle = None
        for a, b in zip(imprint, imprint[1:]):
            middle = a.borders.get("bottom") or b.borders.get("top") or a.borders.get("between") or middle
        width = area - (first.left_twips + first.right_twips) * TWIP
    rules = [("首条", top, gb.RULE_THICK), ("末条", bottom, gb.RULE_THICK)]
    if len(imprint) > 1:
        rules.insert(1, ("中间", middle, gb.RULE_THIN))
    for which, sz, weight in rules:
        if not sz:
            out.append(problem("imprint-rule-missing", paragraph=first.index, which=which))
            continue
        mm = sz / 8 * gb.PT
        if abs(mm - weight) > gb.RULE_WEIGHT_TOL:
            out.append(problem("imprint-rule-weight", paragraph=first.index, which=which, value=round(mm, 2),
                               expected=weight))
    if any(sz for _w, sz, _x in rules) and abs(width - gb.AREA_W) > gb.MARGIN_TOL:
        out.append(problem("imprint-rule-width", paragraph=first.index, which="", value=width))
    return out


def _footer_checks(doc: Document, sec: Section, paras: list[Para], body_pt: float) -> list[dict]:
    """7.5 from the footers: a PAGE field as ``— n —``, 4号 宋体 digits, odd right / even left, one char in."""
    out = []
    default = _page_para(sec.footers.get("default"))
    even = _page_para(sec.footers.get("even")) if doc.even_odd else None
    if default is None:
        return [problem("page-number-missing", page=None)]
    est_lines = sum(max(1, -(-len(p.text.strip()) // gb.CHARS)) for p in paras if p.table is None)
    multi_page = est_lines > gb.LINES
    for para, parity in ((default, "单"), (even, "双")):
        if para is None:
            if parity == "双" and multi_page:
                out.append(problem("page-number-side", parity="双", side="居左", edge="左", value=gb.AREA_W,
                                   expected=gb.SMALL_PT * gb.PT))
            continue
        text = para.text.strip().replace("\u3000", "")
        if not re.fullmatch(r"—\s?\d+\s?—", text):
            out.append(problem("page-number-form", text=text, n=1))
        size = para.size
        if abs(size - gb.SMALL_PT) > gb.SIZE_TOL:
            out.append(problem("page-number-size", size=size))
        digit_runs = [r for r in para.runs if any(ch.isdigit() for ch in r.text)]
        if digit_runs:
            face = digit_runs[0].ascii or digit_runs[0].east_asia
            r = role(face)
            if r != "song":
                out.append(problem("font-unknown", face=face) if r == "unknown" else
                           problem("page-number-font", face=face, role=role_name(r)))
        em_twips = size * 20
        if parity == "单":
            inset = para.right_twips if para.right_chars is None else para.right_chars * em_twips
            inset += (len(para.text) - len(para.text.rstrip("\u3000"))) * em_twips
            ok = para.jc == "right" and abs(inset - em_twips) <= gb.POSITION_TOL / TWIP
            if not ok:
                out.append(problem("page-number-side", parity="单", side="居右", edge="右",
                                   value=inset * TWIP if para.jc == "right" else gb.AREA_W / 2,
                                   expected=size * gb.PT))
        else:
            inset = para.left_twips if para.left_chars is None else para.left_chars * em_twips
            inset += (len(para.text) - len(para.text.lstrip("\u3000"))) * em_twips
            ok = para.jc == "left" and abs(inset - em_twips) <= gb.POSITION_TOL / TWIP
            if not ok:
                out.append(problem("page-number-side", parity="双", side="居左", edge="左",
                                   value=inset * TWIP if para.jc == "left" else gb.AREA_W / 2,
                                   expected=size * gb.PT))
    return out


def _page_para(paras: list[Para] | None) -> Para | None:
    for p in paras or []:
        if any(re.match(r"PAGE\b", f.upper()) for f in p.fields):
            return p
    return None
