"""Generate the docxtpl templates in ``templates_docx/`` with exact GB/T 9704-2012 numbers.

Run ``python -m service.documents.build_templates`` after changing this file; the generated
.docx files are committed.  Every template lays out a document *view* (see ``compose.py``):
the wording is in the view, the layout is here.

Layout numbers (``layout.py``): A4, margins 37/35/28/26 mm, ``w:docGrid
w:type="linesAndChars" w:linePitch="579" w:charSpace="-848"`` (22 lines × 28 characters of 16 pt),
body 3号 仿宋_GB2312, title 2号 方正小标宋简体, 一、 黑体, （一） 楷体_GB2312, page numbers
``— 1 —`` 4号 宋体 on the outer side (odd pages right, even pages left), 版记 4号 仿宋 between rules.
The DOCX names the real faces; Word or WPS with the fonts installed shows them, other
systems substitute (``wuhao fonts`` tells what this server uses for the PDFs).
"""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm

from . import layout as L

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIR = ROOT / "templates_docx"

#: the face names written into the DOCX, per role
DOCX_FACES = {
    "title": "方正小标宋简体",
    "body": "仿宋_GB2312",
    "kai": "楷体_GB2312",
    "hei": "黑体",
    "song": "宋体",
}
LATIN = "Times New Roman"

GRID_COL_MARKER = 'w:w="987654"'


# --------------------------------------------------------------------------- xml helpers

def _el(tag: str, **attrs) -> OxmlElement:
    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), str(v))
    return el


def rpr(role: str = "body", size: float = L.BODY_PT, color: str | None = None) -> OxmlElement:
    face = DOCX_FACES[role]
    r = _el("w:rPr")
    latin = LATIN if role == "body" else face
    r.append(_el("w:rFonts", ascii=latin, hAnsi=latin, eastAsia=face, cs=latin, hint="eastAsia"))
    if color:
        r.append(_el("w:color", val=color))
    half = int(round(size * 2))
    r.append(_el("w:sz", val=half))
    r.append(_el("w:szCs", val=half))
    r.append(_el("w:lang", val="en-US", eastAsia="zh-CN"))
    return r


def run(text: str, role: str = "body", size: float = L.BODY_PT, color: str | None = None):
    r = _el("w:r")
    r.append(rpr(role, size, color))
    t = _el("w:t")
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    t.text = text
    r.append(t)
    return r


def para(*runs, jc: str | None = None, first_line_chars: int | None = None,
         left_chars: int | None = None, right_chars: int | None = None,
         line_twips: int | None = L.LINE_PITCH_TWIPS, grid: bool = True,
         border: dict | None = None, keep_next: bool = False, tabs: list | None = None,
         para_role: str = "body", para_size: float = L.BODY_PT, page_break_before=False):
    p = _el("w:p")
    ppr = _el("w:pPr")
    if keep_next:
        ppr.append(_el("w:keepNext"))
    if page_break_before:
        ppr.append(_el("w:pageBreakBefore"))
    if border:
        bdr = _el("w:pBdr")
        for side, (sz, color, space) in border.items():
            bdr.append(_el(f"w:{side}", val="single", sz=sz, space=space, color=color))
        ppr.append(bdr)
    if tabs:
        tb = _el("w:tabs")
        for kind, pos in tabs:
            tb.append(_el("w:tab", val=kind, pos=pos))
        ppr.append(tb)
    if not grid:
        ppr.append(_el("w:snapToGrid", val="0"))
    if line_twips:
        ppr.append(_el("w:spacing", before=0, after=0, line=line_twips, lineRule="exact"))
    else:
        ppr.append(_el("w:spacing", before=0, after=0))
    ind = {}
    if first_line_chars is not None:
        ind["firstLineChars"] = first_line_chars * 100
        # twips fallback for consumers that ignore *Chars
        ind["firstLine"] = int(first_line_chars * para_size * 20)
    if left_chars is not None:
        ind["leftChars"] = left_chars * 100
        ind["left"] = int(left_chars * para_size * 20)
    if right_chars is not None:
        ind["rightChars"] = right_chars * 100
        ind["right"] = int(right_chars * para_size * 20)
    if ind:
        ppr.append(_el("w:ind", **ind))
    if jc:
        ppr.append(_el("w:jc", val=jc))
    ppr.append(rpr(para_role, para_size))
    p.append(ppr)
    for r in runs:
        p.append(r)
    return p


def tag_para(tag: str):
    """A paragraph holding only a docxtpl ``{%p … %}`` tag (removed on rendering)."""
    return para(run(tag))


def field_run(instr: str, role: str, size: float):
    """A simple field (PAGE) with the run properties of its neighbours."""
    fld = _el("w:fldSimple", instr=f" {instr} ")
    fld.append(run("1", role, size))
    return fld


# --------------------------------------------------------------------------- document setup

def new_document(width_mm: float, height_mm: float, margins_mm: tuple[float, float, float, float],
                 *, grid: bool = True, footer_mm: float = 23.0, page_numbers: bool = True):
    """margins: top, bottom, left, right."""
    doc = Document()
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    # document defaults: 仿宋_GB2312 16 pt, zh-CN
    styles = doc.styles.element
    rpr_default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    for child in list(rpr_default):
        rpr_default.remove(child)
    rpr_default.append(rpr("body", L.BODY_PT))
    normal = doc.styles["Normal"].element
    old = normal.find(qn("w:rPr"))
    if old is not None:
        normal.remove(old)
    normal.append(rpr("body", L.BODY_PT))

    settings = doc.settings.element
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:  # python-docx's default template says ja-JP: Chinese documents say zh-CN
        lang.set(qn("w:eastAsia"), "zh-CN")
    spacing = settings.find(qn("w:characterSpacingControl"))
    if spacing is not None:
        spacing.set(qn("w:val"), "compressPunctuation")

    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE if width_mm > height_mm else WD_ORIENT.PORTRAIT
    section.page_width = Mm(width_mm)
    section.page_height = Mm(height_mm)
    top, bottom, left, right = margins_mm
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin, section.right_margin = Mm(left), Mm(right)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(footer_mm)
    sect = section._sectPr
    for g in sect.findall(qn("w:docGrid")):
        sect.remove(g)
    if grid:
        sect.append(_el("w:docGrid", type="linesAndChars", linePitch=L.LINE_PITCH_TWIPS,
                        charSpace=L.CHAR_SPACE))
    else:
        sect.append(_el("w:docGrid", linePitch=360))
    if page_numbers:
        doc.settings.odd_and_even_pages_header_footer = True
        _page_number_footer(section.footer, "right")
        _page_number_footer(section.even_page_footer, "left")
    return doc


def _page_number_footer(footer, side: str):
    footer.is_linked_to_previous = False
    el = footer._element
    for child in list(el):
        el.remove(child)
    size = L.PAGE_NUMBER_PT
    kw = {"right_chars": 1} if side == "right" else {"left_chars": 1}
    p = para(run("— ", "song", size), field_run("PAGE", "song", size), run(" —", "song", size),
             jc=side, grid=False, line_twips=None, para_role="song", para_size=size, **kw)
    el.append(p)


def add(doc, *elements):
    body = doc.element.body
    sect = body.find(qn("w:sectPr"))
    for e in elements:
        sect.addprevious(e)


def table_xml(font_size: float, *, header_role: str = "hei"):
    """A docxtpl table over ``b.headers`` / ``b.rows`` with per-column widths ``b.widths``."""
    tbl = _el("w:tbl")
    tpr = _el("w:tblPr")
    tpr.append(_el("w:tblW", w=0, type="auto"))
    tpr.append(_el("w:jc", val="center"))
    borders = _el("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_el(f"w:{side}", val="single", sz=4, space=0, color="000000"))
    tpr.append(borders)
    tpr.append(_el("w:tblLayout", type="fixed"))
    mar = _el("w:tblCellMar")
    mar.append(_el("w:left", w=57, type="dxa"))
    mar.append(_el("w:right", w=57, type="dxa"))
    tpr.append(mar)
    tbl.append(tpr)
    grid = _el("w:tblGrid")
    grid.append(_el("w:gridCol", w=987654))
    tbl.append(grid)

    line = int(round(font_size * 1.5 * 20))

    def cell(*paras, width: str | None = None):
        tc = _el("w:tc")
        tcpr = _el("w:tcPr")
        w = _el("w:tcW", type="dxa")
        w.set(qn("w:w"), width or "1000")
        tcpr.append(w)
        tcpr.append(_el("w:vAlign", val="center"))
        tc.append(tcpr)
        for p in paras:
            tc.append(p)
        return tc

    def cpara(text, role="body", jc=None):
        return para(run(text, role, font_size), jc=jc, grid=False, line_twips=line,
                    para_role=role, para_size=font_size)

    width = "{{ b.widths[loop.index0] }}"
    if_headers = _el("w:tr")
    if_headers.append(cell(cpara("{%tr if b.headers %}")))
    tbl.append(if_headers)
    header = _el("w:tr")
    trpr = _el("w:trPr")
    trpr.append(_el("w:tblHeader"))
    header.append(trpr)
    header.append(cell(cpara("{%tc for h in b.headers %}")))
    header.append(cell(cpara("{{ h }}", header_role, "center"), width=width))
    header.append(cell(cpara("{%tc endfor %}")))
    tbl.append(header)
    end_headers = _el("w:tr")
    end_headers.append(cell(cpara("{%tr endif %}")))
    tbl.append(end_headers)
    loop_start = _el("w:tr")
    loop_start.append(cell(cpara("{%tr for row in b.rows %}")))
    tbl.append(loop_start)
    row = _el("w:tr")
    trpr = _el("w:trPr")
    trpr.append(_el("w:cantSplit"))
    row.append(trpr)
    row.append(cell(cpara("{%tc for c in row %}")))
    row.append(cell(cpara("{{ c }}"), width=width))
    row.append(cell(cpara("{%tc endfor %}")))
    tbl.append(row)
    loop_end = _el("w:tr")
    loop_end.append(cell(cpara("{%tr endfor %}")))
    tbl.append(loop_end)
    return tbl


def save_with_grid_loops(doc, path: Path) -> None:
    """Save, then turn the table grid marker into a Jinja loop over ``b.widths``."""
    # deterministic output: fixed timestamps, so an unchanged template is byte-identical
    fixed = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
    doc.core_properties.created = doc.core_properties.modified = fixed
    doc.core_properties.last_printed = fixed
    doc.core_properties.revision = 1
    doc.core_properties.author = doc.core_properties.last_modified_by = "wuhao"
    buf = io.BytesIO()
    doc.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                xml = data.decode("utf-8")
                xml = xml.replace(f"<w:gridCol {GRID_COL_MARKER}/>",
                                  '{% for gw in b.widths %}<w:gridCol w:w="{{ gw }}"/>{% endfor %}')
                data = xml.encode("utf-8")
            z.writestr(zipfile.ZipInfo(item.filename, (1980, 1, 1, 0, 0, 0)), data,
                       compress_type=zipfile.ZIP_DEFLATED)
    path.write_bytes(out.getvalue())


# --------------------------------------------------------------------------- official layout

def blocks_loop(items: str, table_size: float) -> list:
    """The paragraphs of a ``{%p for b in items %}`` loop over view blocks."""
    return [
        tag_para("{%p for b in " + items + " %}"),
        tag_para("{%p if b.t == 'p' or b.t == 'item' %}"),
        para(run("{{ b.text }}"), first_line_chars=2, jc="both"),
        tag_para("{%p elif b.t == 'h1' %}"),
        para(run("{{ b.text }}", "hei"), first_line_chars=2, keep_next=True, para_role="hei"),
        tag_para("{%p elif b.t == 'h2' %}"),
        para(run("{{ b.text }}", "kai"), first_line_chars=2, jc="both", para_role="kai"),
        tag_para("{%p elif b.t == 'plain' %}"),
        para(run("{{ b.text }}")),
        tag_para("{%p elif b.t == 'hei' %}"),
        para(run("{{ b.text }}", "hei"), para_role="hei"),
        tag_para("{%p elif b.t == 'center' %}"),
        para(run("{{ b.text }}"), jc="center"),
        tag_para("{%p elif b.t == 'title2' %}"),
        para(run("{{ b.text }}", "title", L.TITLE_PT), jc="center", line_twips=700,
             para_role="title", para_size=L.TITLE_PT),
        tag_para("{%p elif b.t == 'gap' %}"),
        para(line_twips=None, grid=False, para_size=6),
        tag_para("{%p elif b.t == 'pagebreak' %}"),
        para(page_break_before=True, line_twips=None, grid=False, para_size=6),
        tag_para("{%p elif b.t == 'image' %}"),
        para(run("{{ b.image }}"), jc="center", line_twips=None, grid=False),
        tag_para("{%p elif b.t == 'table' %}"),
        table_xml(table_size),
        tag_para("{%p endif %}"),
        tag_para("{%p endfor %}"),
    ]


def official_body(doc, *, table_size: float):
    add(doc,
        tag_para("{%p if v.org_mark %}"),
        para(_sized(run("{{ v.org_mark }}", "title", L.ORG_MARK_PT, L.RED), "{{ v.org_mark_sz }}"),
             jc="center", grid=False, line_twips=None, para_role="title", para_size=L.ORG_MARK_PT),
        para(),
        tag_para("{%p endif %}"),
        tag_para("{%p if v.number %}"),
        para(run("{{ v.number }}"), jc="center"),
        tag_para("{%p endif %}"),
        tag_para("{%p if v.org_mark %}"),
        para(border={"bottom": (12, L.RED, 1)}, line_twips=None, grid=False, para_size=6),
        tag_para("{%p endif %}"),
        para(),
        para(run("{{ v.title }}", "title", L.TITLE_PT), jc="center", line_twips=700,
             para_role="title", para_size=L.TITLE_PT),
        para(),
        tag_para("{%p if v.addressee %}"),
        para(run("{{ v.addressee }}")),
        tag_para("{%p endif %}"),
        *blocks_loop("v.blocks", table_size),
        # signature and date: 署名 and 成文日期, 右空四字
        tag_para("{%p if v.signature or v.date %}"),
        para(),
        para(),
        tag_para("{%p if v.signature %}"),
        para(run("{{ v.signature }}"), jc="right", right_chars=4),
        tag_para("{%p endif %}"),
        tag_para("{%p if v.date %}"),
        para(run("{{ v.date }}"), jc="right", right_chars=4),
        tag_para("{%p endif %}"),
        tag_para("{%p endif %}"),
        # 附件 pages after the signature
        tag_para("{%p if v.appendix %}"),
        para(page_break_before=True, line_twips=None, grid=False, para_size=6),
        *blocks_loop("v.appendix", table_size),
        tag_para("{%p endif %}"),
        # 版记: 抄送 and 印发机关/印发日期 between full-width rules, 4号仿宋, 左右各空一字
        tag_para("{%p if v.printer or v.copy_to %}"),
        para(line_twips=None, grid=False, para_size=6),
        tag_para("{%p if v.copy_to %}"),
        para(run("{{ v.copy_to }}", "body", L.NOTE_PT), left_chars=1, right_chars=1,
             border={"top": (8, "000000", 1), "bottom": (4, "000000", 1)},
             para_size=L.NOTE_PT, grid=False),
        tag_para("{%p endif %}"),
        para(run("{{ v.printer }}", "body", L.NOTE_PT), _tab_run(), run("{{ v.printed_on }}", "body", L.NOTE_PT),
             left_chars=1, right_chars=1, border={"top": (4, "000000", 1), "bottom": (8, "000000", 1)},
             tabs=[("right", L.mm_to_twips(L.TYPE_AREA_WIDTH_MM) - int(2 * L.NOTE_PT * 20))],
             para_size=L.NOTE_PT, grid=False),
        tag_para("{%p endif %}"),
        )


def _sized(r, half_points: str):
    """Make a run's size a template value (the 发文机关标志 shrinks to fit one line)."""
    for tag in ("w:sz", "w:szCs"):
        r.find(qn("w:rPr")).find(qn(tag)).set(qn("w:val"), half_points)
    return r


def _tab_run():
    r = _el("w:r")
    r.append(rpr("body", L.NOTE_PT))
    r.append(_el("w:tab"))
    return r


def build_official(path: Path):
    doc = new_document(L.PAGE_WIDTH_MM, L.PAGE_HEIGHT_MM,
                       (L.MARGIN_TOP_MM, L.MARGIN_BOTTOM_MM, L.MARGIN_LEFT_MM, L.MARGIN_RIGHT_MM))
    official_body(doc, table_size=L.TABLE_PT)
    doc.core_properties.title = "公文"
    doc.core_properties.language = "zh-CN"
    save_with_grid_loops(doc, path)


def build_ledger(path: Path):
    doc = new_document(L.PAGE_HEIGHT_MM, L.PAGE_WIDTH_MM, (20, 20, 20, 20), grid=False, footer_mm=8)
    official_body(doc, table_size=10.5)
    doc.core_properties.title = "整改工作台账"
    doc.core_properties.language = "zh-CN"
    save_with_grid_loops(doc, path)


def build_honor_certificate(path: Path):
    w, h = L.HONOR_CERT_SIZE_MM
    doc = new_document(w, h, (25, 20, 30, 30), grid=False, page_numbers=False)
    add(doc,
        para(line_twips=None, grid=False),
        para(run("{{ v.heading }}", "title", 48, L.RED), jc="center", line_twips=None, grid=False,
             para_role="title", para_size=48),
        para(line_twips=None, grid=False),
        para(run("{{ v.recipient }}", "kai", 26), line_twips=None, grid=False, para_role="kai",
             para_size=26),
        para(run("{{ v.text }}", "kai", 26), first_line_chars=2, line_twips=int(26 * 1.6 * 20),
             grid=False, para_role="kai", para_size=26, jc="both"),
        para(line_twips=None, grid=False),
        para(run("{{ v.issuer }}", "kai", 22), jc="right", right_chars=2, line_twips=None,
             grid=False, para_role="kai", para_size=22),
        para(run("{{ v.date }}", "kai", 22), jc="right", right_chars=2, line_twips=None, grid=False,
             para_role="kai", para_size=22),
        para(run("{{ v.qr }}"), line_twips=None, grid=False),
        para(run("{{ v.number_line }}", "song", 12), run("　{{ v.verify_line }}", "song", 12),
             line_twips=None, grid=False, para_role="song", para_size=12),
        )
    doc.core_properties.title = "荣誉证书"
    doc.core_properties.language = "zh-CN"
    save_with_grid_loops(doc, path)


def build_party_card(path: Path):
    w, h = L.PARTY_CARD_SIZE_MM
    doc = new_document(w, h, (8, 6, 10, 10), grid=False, page_numbers=False)
    size = 10.5
    tbl = _el("w:tbl")
    tpr = _el("w:tblPr")
    tpr.append(_el("w:tblW", w=L.mm_to_twips(w - 20 - 24), type="dxa"))
    tpr.append(_el("w:tblLayout", type="fixed"))
    tbl.append(tpr)
    grid = _el("w:tblGrid")
    grid.append(_el("w:gridCol", w=L.mm_to_twips(22)))
    grid.append(_el("w:gridCol", w=L.mm_to_twips(w - 20 - 24 - 22)))
    tbl.append(grid)

    def cell(text, role, width_mm):
        tc = _el("w:tc")
        tcpr = _el("w:tcPr")
        tcpr.append(_el("w:tcW", w=L.mm_to_twips(width_mm), type="dxa"))
        tc.append(tcpr)
        tc.append(para(run(text, role, size), line_twips=int(size * 1.5 * 20), grid=False,
                       para_role=role, para_size=size))
        return tc

    start = _el("w:tr")
    start.append(cell("{%tr for f in v.fields %}", "body", 22))
    start.append(cell("", "body", w - 20 - 24 - 22))
    tbl.append(start)
    row = _el("w:tr")
    row.append(cell("{{ f[0] }}", "hei", 22))
    row.append(cell("{{ f[1] }}", "body", w - 20 - 24 - 22))
    tbl.append(row)
    end = _el("w:tr")
    end.append(cell("{%tr endfor %}", "body", 22))
    end.append(cell("", "body", w - 20 - 24 - 22))
    tbl.append(end)
    add(doc,
        para(run("{{ v.heading }}", "title", 20, L.RED), jc="center", line_twips=None, grid=False,
             para_role="title", para_size=20),
        tbl,
        para(run("{{ v.qr }}"), jc="right", line_twips=None, grid=False),
        para(run("{{ v.issuer }}", "body", 9), run("　{{ v.date }}", "body", 9), jc="right",
             line_twips=None, grid=False, para_size=9),
        )
    doc.core_properties.title = "党员证"
    doc.core_properties.language = "zh-CN"
    save_with_grid_loops(doc, path)


#: kind → builder; every kind gets its own template file so an admin can restyle one kind
TEMPLATES = {
    "supplement-notice": build_official,
    "acceptance-form": build_official,
    "rectification-notice": build_official,
    "rectification-taskbook": build_official,
    "rectification-ledger": build_ledger,
    "commendation-decision": build_official,
    "delisting-notice": build_official,
    "quarterly-report": build_official,
    "honor-certificate": build_honor_certificate,
    "party-card": build_party_card,
}


def build_all(directory: Path = TEMPLATE_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for kind, builder in TEMPLATES.items():
        path = directory / f"{kind}.docx"
        builder(path)
        out.append(path)
    return out


if __name__ == "__main__":
    for p in build_all():
        print(p)
