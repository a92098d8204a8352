"""Reference-correct 公文 (PDF and DOCX) made by the tests, and the deliberately wrong variants.

The PDF is typeset by hand on the GB/T 9704 grid (every line placed at its grid row and column,
28 full-width characters of 16 pt in 156 mm) and printed by WeasyPrint; the faces are subsets of
Debian's Noto CJK renamed ``FangSong`` / ``FZXiaoBiaoSong`` where the role needs a name the
checker recognises (it judges faces by name, as any reader of the file would).  The DOCX is
written with python-docx and raw WordprocessingML for the grid, borders and page fields.
"""
from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass, field, replace
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from fontTools.ttLib import TTFont
from weasyprint import HTML

from service.documents import harfbuzz
from service.documents.html_render import WEASYPRINT_LOCK

NOTO = Path("/usr/share/fonts/opentype/noto")
KAI = Path("/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf")
PT = 25.4 / 72
PITCH_Y = 225 / 22
PITCH_X = 156 / 28

ORG = "某某市直属机关工作委员会"
MARK = "某某市委文件"
TITLE = ["关于开展党支部标准化规范化建设", "专项检查工作的通知"]
ADDRESSEE = "各党委、党工委、党组："
PARAS = [
    ("p", "为深入贯彻落实党支部工作条例，进一步提升党支部建设质量，经研究，决定在全市直属机关开展党支部标准化规范化建设专项检查工作。现将有关事项通知如下。"),
    ("h1", "一、检查内容"),
    ("h2", "（一）组织建设情况。"),
    ("p", "重点检查党支部设置是否规范，支部委员会是否按期换届，党员队伍管理是否严格，组织生活制度是否落实到位。"),
    ("h3", "1.三会一课制度落实情况。"),
    ("p", "对照年度计划逐项核对会议记录，查看支部党员大会、支委会、党小组会和党课是否按规定召开。"),
    ("h4", "（1）主题党日活动开展情况。"),
    ("p", "查看活动方案、签到记录和活动照片，了解党员参加活动的实际效果和群众评价。"),
    ("h1", "二、工作要求"),
    ("p", "各党委要高度重视，认真组织自查，如实填写检查表，对发现的问题建立台账，明确整改责任和整改时限，确保检查工作取得实效。"),
    ("p", "各党委要加强督促指导，及时总结推广好的经验和做法，推动党支部建设全面进步全面过硬。"),
]
ATTACHMENTS = ["党支部标准化规范化建设检查表", "党支部整改工作台账"]
DATE = "2026年12月1日"
CC = "抄送：市委组织部，市纪委监委机关。"
IMPRINT_ORG = "某某市直属机关工作委员会办公室"
IMPRINT_DATE = "2026年12月1日印发"


@dataclass
class Spec:
    """What to typeset; every field a wrong variant may change."""
    top: float = 37.0
    left: float = 28.0
    body_face: str = "FangSong"
    doc_number: str = "某市委〔2026〕3号"
    date: str = DATE
    attachment_colon: str = "："
    page_number: str = "— {n} —"
    page_number_drop: float = 7.0
    imprint_rules: tuple = (0.35, 0.25, 0.35)
    signature_alone: bool = False
    pitch: float = PITCH_Y
    title: tuple = tuple(TITLE)
    paras: list = field(default_factory=lambda: list(PARAS))
    heading3_face: str = ""  # "": the body's face, as 7.3.3 asks


# ---------------------------------------------------------------- fonts

def _chars() -> str:
    text = "".join([ORG, MARK, *TITLE, ADDRESSEE, *(t for _k, t in PARAS), *ATTACHMENTS, DATE, CC, IMPRINT_ORG,
                    IMPRINT_DATE, "附件：:.第〔〕[]0123456789号—- 年月日页〇二六十一（）"])
    return "".join(sorted(set(text)))


def make_fonts(directory: Path) -> dict[str, Path]:
    """Subsets (a few hundred glyphs) of Noto CJK and LXGW WenKai, two of them renamed.

    Cut by the service's HarfBuzz binding in milliseconds; fontTools' subsetter read the 20 MB
    collections for 4 s of CPU. fontTools reads the small subset to rename it."""
    chars = _chars()
    plan = {"FangSong": (NOTO / "NotoSerifCJK-Regular.ttc", 2, "FangSong"),
            "FZXiaoBiaoSong": (NOTO / "NotoSerifCJK-Bold.ttc", 2, "FZXiaoBiaoSong-B05S"),
            "SongSerif": (NOTO / "NotoSerifCJK-Regular.ttc", 2, None),
            "HeiSans": (NOTO / "NotoSansCJK-Regular.ttc", 2, None),
            "KaiFace": (KAI, None, None)}
    out = {}
    for key, (path, index, rename) in plan.items():
        target = directory / f"{key}.otf"
        if not target.exists():
            font = TTFont(io.BytesIO(harfbuzz.Face(str(path), index or 0).subset_text(chars)))
            if rename:
                for rec in font["name"].names:
                    if rec.nameID in (1, 3, 4, 16):
                        rec.string = rename
                    elif rec.nameID == 6:
                        rec.string = rename.replace(" ", "")
                if "CFF " in font:
                    font["CFF "].cff.fontNames = [rename.replace(" ", "")]
            font.save(str(target))
        out[key] = target
    return out


# ---------------------------------------------------------------- PDF

def _lines(text: str, first: int) -> list[str]:
    """Break a paragraph into grid lines: ``first`` characters, then 28 a line."""
    out = [text[:first]]
    rest = text[first:]
    out += textwrap.wrap(rest, 28) if rest else []
    return out


def _div(x: float, y: float, text: str, *, face: str = "FangSong", size: float = 16, width: float | None = None,
         align: str = "left", color: str = "#000", spacing: float | None = None, line: float | None = None) -> str:
    line = line or size * PT
    ls = spacing if spacing is not None else (PITCH_X - size * PT) if size == 16 else 0
    w = f"width:{width}mm;" if width is not None else ""
    return (f'<div style="position:absolute;left:{x}mm;top:{y}mm;{w}height:{line}mm;line-height:{line}mm;'
            f"font-family:'{face}';font-size:{size}pt;letter-spacing:{ls}mm;text-align:{align};"
            f'color:{color};white-space:pre">{text}</div>')


def pdf(spec: Spec, fonts: dict[str, Path]) -> bytes:
    top, left = spec.top, spec.left
    x1 = left + 156

    def row(r: int) -> float:
        return top + r * spec.pitch

    pages: list[list[str]] = [[], []]
    p1 = pages[0]
    # 版头: the mark's top 35 mm below the type area (its ink starts ~1.2 mm below the box top)
    p1.append(_div(left, top + 35 - 1.5, MARK, face="FZXiaoBiaoSong", size=36, width=156, align="center",
                   color="#e60012", spacing=0))
    p1.append(_div(left, row(6), spec.doc_number, face=spec.body_face, width=156, align="center", line=PITCH_Y,
                   spacing=0))
    p1.append(f'<div style="position:absolute;left:{left}mm;top:{row(7) + 1}mm;width:156mm;'
              f'border-top:0.5mm solid #e60012"></div>')
    for i, t in enumerate(spec.title):
        p1.append(_div(left, row(9 + i), t, face="FZXiaoBiaoSong", size=22, width=156, align="center",
                       line=PITCH_Y, spacing=0))
    p1.append(_div(left, row(12), ADDRESSEE, face=spec.body_face, line=PITCH_Y))
    faces = {"p": spec.body_face, "h1": "HeiSans", "h2": "KaiFace", "h3": spec.heading3_face or spec.body_face,
             "h4": spec.body_face}
    r, page = 13, 0
    flow: list[tuple[str, str, bool]] = []  # (face, text, indented)
    for kind, text in spec.paras:
        for k, ln in enumerate(_lines(text, 26)):
            flow.append((faces[kind], ln, k == 0))
    for face, ln, indented in flow:
        if r >= 22:
            page, r = page + 1, 0
        x = left + (2 * PITCH_X if indented else 0)
        pages[page].append(_div(x, row(r), ln, face=face, line=PITCH_Y))
        r += 1
    r += 1
    pages[page].append(_div(left + 2 * PITCH_X, row(r), f"附件{spec.attachment_colon}1.{ATTACHMENTS[0]}",
                            face=spec.body_face, line=PITCH_Y))
    r += 1
    pages[page].append(_div(left + 5 * PITCH_X, row(r), f"2.{ATTACHMENTS[1]}", face=spec.body_face, line=PITCH_Y))
    r += 2
    if spec.signature_alone:
        pages.append([])
        page, r = page + 1, 0
    sig_x0 = x1 - 2 * PITCH_X - len(ORG) * PITCH_X
    pages[page].append(_div(sig_x0, row(r), ORG, face=spec.body_face, line=PITCH_Y))
    pages[page].append(_div(sig_x0 + 2 * PITCH_X, row(r + 1), spec.date, face=spec.body_face, line=PITCH_Y,
                            spacing=0))
    # 版记 at the foot of the last page: rules at 262 − 2 lines, between, and on the bottom edge
    last = pages[-1]
    bottom = top + 225
    imp_pitch = 7.5
    thick_top, thin, thick_bottom = spec.imprint_rules
    ys = [bottom - 2 * imp_pitch, bottom - imp_pitch, bottom]
    for y, w in zip(ys, (thick_top, thin, thick_bottom)):
        if w:
            last.append(f'<div style="position:absolute;left:{left}mm;top:{y - w / 2}mm;width:156mm;height:{w}mm;'
                        f'background:#000"></div>')
    last.append(_div(left + 14 * PT, ys[0] + 0.6, CC, face=spec.body_face, size=14, line=imp_pitch - 1.2))
    last.append(_div(left + 14 * PT, ys[1] + 0.6, IMPRINT_ORG, face=spec.body_face, size=14, line=imp_pitch - 1.2))
    last.append(_div(left, ys[1] + 0.6, IMPRINT_DATE, face=spec.body_face, size=14, width=156 - 14 * PT,
                     align="right", line=imp_pitch - 1.2))
    html_pages = []
    for n, items in enumerate(pages, start=1):
        if spec.page_number:
            em = 14 * PT
            y = bottom + spec.page_number_drop - em / 2 - 0.65  # the dash's ink sits ~1 mm below the em box's middle
            if n % 2:
                items.append(_div(left, y, spec.page_number.format(n=n), face="SongSerif", size=14,
                                  width=156 - em, align="right"))
            else:
                items.append(_div(left + em, y, spec.page_number.format(n=n), face="SongSerif", size=14))
        html_pages.append('<section style="position:relative;width:210mm;height:297mm;page-break-after:always">'
                          + "".join(items) + "</section>")
    faces_css = "".join(f"@font-face{{font-family:'{k}';src:url('{v.as_uri()}')}}" for k, v in fonts.items())
    html = (f"<html><head><style>{faces_css}@page{{size:210mm 297mm;margin:0}}body{{margin:0}}"
            f"section:last-child{{page-break-after:auto}}</style></head><body>{''.join(html_pages)}</body></html>")
    with WEASYPRINT_LOCK:
        return HTML(string=html).write_pdf()


# ---------------------------------------------------------------- DOCX

@dataclass
class DocxSpec:
    top_mm: float = 37.0
    left_mm: float = 28.0
    body_face: str = "仿宋_GB2312"
    doc_number: str = "某市委〔2026〕3号"
    date: str = DATE
    attachment_colon: str = "："
    page_number: tuple = ("— ", " —")
    imprint_rules: tuple = (8, 6, 8)  # eighths of a point: 1 pt = 0.35 mm, 0.75 pt = 0.26 mm
    grid_char_space: int = -848
    title: tuple = tuple(TITLE)
    signature_on_new_page: bool = False
    heading3_face: str = ""  # "": the body's face, as 7.3.3 asks


def _set(el, tag: str, **attrs) -> None:
    child = el.find(qn(tag))
    if child is None:
        child = OxmlElement(tag)
        el.append(child)
    for k, v in attrs.items():
        child.set(qn(k), str(v))


def _fonts(run, east_asia: str, ascii_face: str = "Times New Roman") -> None:
    rpr = run._element.get_or_add_rPr()
    _set(rpr, "w:rFonts", **{"w:ascii": ascii_face, "w:hAnsi": ascii_face, "w:eastAsia": east_asia})


def _para(doc, text: str, *, face: str, size: float = 16, indent: bool = True, align=None, bold=False):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        ppr = p._element.get_or_add_pPr()
        _set(ppr, "w:ind", **{"w:firstLineChars": 200, "w:firstLine": 640})
    if align is not None:
        p.alignment = align
    run = p.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold
    _fonts(run, face)
    return p


def _page_field(paragraph, before: str, after: str) -> None:
    for text in (before, None, after):
        run = paragraph.add_run()
        run.font.size = Pt(14)
        _fonts(run, "宋体", "宋体")
        if text is not None:
            run.text = text
            continue
        for kind in ("begin", None, "end"):
            if kind is None:
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = " PAGE "
                run._element.append(instr)
            else:
                fc = OxmlElement("w:fldChar")
                fc.set(qn("w:fldCharType"), kind)
                run._element.append(fc)


def docx(spec: DocxSpec) -> bytes:
    doc = Document()
    styles = doc.styles["Normal"]
    styles.font.size = Pt(16)
    styles.paragraph_format.line_spacing = 1.0
    styles.paragraph_format.space_after = Pt(0)
    _set(styles.element.get_or_add_rPr(), "w:rFonts", **{"w:eastAsia": "仿宋_GB2312"})
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.left_margin = Mm(spec.top_mm), Mm(spec.left_mm)
    sec.right_margin = Mm(210 - spec.left_mm - 156)
    sec.bottom_margin = Mm(297 - spec.top_mm - 225)
    sect = sec._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), "579")
    grid.set(qn("w:charSpace"), str(spec.grid_char_space))
    # footers: odd right, even left, one 4号 character in
    settings = doc.settings.element
    _set(settings, "w:evenAndOddHeaders")
    doc.settings.odd_and_even_pages_header_footer = True
    odd = sec.footer.paragraphs[0]
    odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _set(odd._element.get_or_add_pPr(), "w:ind", **{"w:right": 280})
    _page_field(odd, *spec.page_number)
    even = sec.even_page_footer.paragraphs[0]
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _set(even._element.get_or_add_pPr(), "w:ind", **{"w:left": 280})
    _page_field(even, *spec.page_number)

    mark = _para(doc, MARK, face="方正小标宋简体", size=36, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    mark.runs[0].font.color.rgb = RGBColor(0xE6, 0x00, 0x12)
    _para(doc, spec.doc_number, face=spec.body_face, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    for t in spec.title:
        _para(doc, t, face="方正小标宋简体", size=22, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, ADDRESSEE, face=spec.body_face, indent=False)
    faces = {"p": spec.body_face, "h1": "黑体", "h2": "楷体_GB2312", "h3": spec.heading3_face or spec.body_face,
             "h4": spec.body_face}
    for kind, text in PARAS:
        _para(doc, text, face=faces[kind])
    _para(doc, f"附件{spec.attachment_colon}1.{ATTACHMENTS[0]}", face=spec.body_face)
    item = _para(doc, f"2.{ATTACHMENTS[1]}", face=spec.body_face, indent=False)
    _set(item._element.get_or_add_pPr(), "w:ind", **{"w:leftChars": 500, "w:left": 1600})
    sig = _para(doc, ORG + "\u3000\u3000", face=spec.body_face, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    if spec.signature_on_new_page:
        sig.paragraph_format.page_break_before = True
    _para(doc, spec.date + "\u3000\u3000\u3000\u3000", face=spec.body_face, indent=False,
          align=WD_ALIGN_PARAGRAPH.RIGHT)
    cc = _para(doc, CC, face=spec.body_face, size=14, indent=False)
    imp = _para(doc, f"{IMPRINT_ORG}\t{IMPRINT_DATE}", face=spec.body_face, size=14, indent=False)
    top, middle, bottom = spec.imprint_rules
    for p, sides in ((cc, {"top": top, "bottom": middle}), (imp, {"bottom": bottom})):
        ppr = p._element.get_or_add_pPr()
        bdr = OxmlElement("w:pBdr")
        for side, sz in sides.items():
            if sz:
                b = OxmlElement(f"w:{side}")
                b.set(qn("w:val"), "single")
                b.set(qn("w:sz"), str(sz))
                b.set(qn("w:space"), "1")
                b.set(qn("w:color"), "000000")
                bdr.append(b)
        ppr.insert(0, bdr)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


__all__ = ["Spec", "DocxSpec", "pdf", "docx", "make_fonts", "replace"]
