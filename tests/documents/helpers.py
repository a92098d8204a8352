"""Readers used by the document tests: DOCX/PDF text, layout numbers, embedded glyphs."""
from __future__ import annotations

import io
import re
from collections import Counter

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
PAGE_NUMBER = re.compile(r"—\s*\d+\s*—")


def docx_blocks(data: bytes) -> list[tuple[str, str]]:
    """(kind, text) of the body in order: ('p', paragraph) and ('cell', table cell)."""
    from docx import Document

    doc = Document(io.BytesIO(data))
    out = []
    for el in doc.element.body.iterchildren():
        if el.tag == W + "p":
            out.append(("p", "".join(t.text or "" for t in el.iter(W + "t"))))
        elif el.tag == W + "tbl":
            for tc in el.iter(W + "tc"):
                out.append(("cell", "".join(t.text or "" for t in tc.iter(W + "t"))))
    return out


def docx_text(data: bytes) -> str:
    return "\n".join(t for _k, t in docx_blocks(data))


def pdf_text(data: bytes) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", PAGE_NUMBER.sub("", text))


def char_counts(text: str) -> Counter:
    return Counter(squash(text))


def run_props(run) -> dict:
    """Effective size (pt) and East-Asian face of a python-docx run (run, then paragraph mark)."""
    rpr = run._r.find(W + "rPr")
    out = {}
    if rpr is not None:
        sz = rpr.find(W + "sz")
        fonts = rpr.find(W + "rFonts")
        if sz is not None:
            out["size"] = int(sz.get(W + "val")) / 2
        if fonts is not None:
            out["east_asia"] = fonts.get(W + "eastAsia")
    return out


def embedded_fonts(data: bytes) -> list[dict]:
    """Every font of a PDF: base name, font program (fontTools), CID → unicode map."""
    import pikepdf
    from fontTools.ttLib import TTFont

    pdf = pikepdf.open(io.BytesIO(data))
    seen, out = set(), []
    for page in pdf.pages:
        fonts = page.Resources.get("/Font") or {}
        for _name, f in fonts.items():
            if f.objgen in seen:
                continue
            seen.add(f.objgen)
            desc = f.DescendantFonts[0] if "/DescendantFonts" in f else f
            fd = desc.get("/FontDescriptor")
            program = None
            if fd is not None:
                for key in ("/FontFile2", "/FontFile3", "/FontFile"):
                    if key in fd:
                        program = TTFont(io.BytesIO(fd[key].read_bytes()))
                        break
            to_unicode = {}
            if "/ToUnicode" in f:
                cmap = f.ToUnicode.read_bytes().decode("latin-1")
                for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
                    for cid, uni in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
                        to_unicode[int(cid, 16)] = bytes.fromhex(uni).decode("utf-16-be")
                for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
                    for lo, hi, uni in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
                        start = ord(bytes.fromhex(uni).decode("utf-16-be"))
                        for i, cid in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                            to_unicode[cid] = chr(start + i)
            out.append({"name": str(f.get("/BaseFont", "")), "program": program, "to_unicode": to_unicode,
                        "has_file": program is not None})
    return out


def glyph_has_outline(font, glyph_name: str) -> bool:
    if "glyf" in font:
        g = font["glyf"][glyph_name]
        return g.numberOfContours != 0
    cff = font["CFF "].cff
    cs = cff[cff.fontNames[0]].CharStrings[glyph_name]
    cs.decompile()
    return any(isinstance(op, str) and op != "endchar" for op in cs.program)


def drawn_glyphs(data: bytes) -> dict[str, list[tuple[str, bool]]]:
    """For every character a PDF draws: the fonts it is drawn with, and whether that glyph
    is a real outline mapped to the character (not .notdef, not an empty box)."""
    out: dict[str, list[tuple[str, bool]]] = {}
    for f in embedded_fonts(data):
        font = f["program"]
        if font is None:
            continue
        order = font.getGlyphOrder()
        cmap = font.getBestCmap() or {}
        for cid, ch in f["to_unicode"].items():
            if ch.isspace():
                continue
            ok = 0 < cid < len(order)
            if ok:
                name = order[cid]
                ok = name != ".notdef" and glyph_has_outline(font, name) and cmap.get(ord(ch)) == name
            out.setdefault(ch, []).append((f["name"], ok))
    return out


def verify_path(app, number: str) -> str:
    """/verify/<number> with the check code printed on the certificate (what its QR holds)."""
    from service.certificates.checkcode import check_code

    return f"/verify/{number}?code={check_code(number, app.config['WUHAO_VERIFY_KEY'])}"


# --------------------------------------------------------------------------- long and short bodies

def _pages(view: dict) -> int:
    import pdfplumber

    from service.documents.html_render import render_pdf

    with pdfplumber.open(io.BytesIO(render_pdf(view))) as pdf:
        return len(pdf.pages)


def _ending_at_the_foot(view: dict) -> dict:
    """The view with one-line paragraphs added until its text alone ends on the last line of a
    page (bisection on the PDF), then signed: the 落款 must take two lines of text along."""
    def grown(k: int, signed: bool) -> dict:
        v = dict(view, blocks=_before_attachment(view["blocks"], [{"t": "p", "text": "现予通知。"}] * k))
        return v if signed else dict(v, signature="", date="", copy_to="", printer="", printed_on="")

    base = _pages(grown(0, False))
    lo, hi = 0, 24  # one line short of the page's end .. past it
    assert _pages(grown(hi, False)) > base
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if _pages(grown(mid, False)) == base else (lo, mid)
    return grown(lo, True)


LONG_TEXT = "这是一段用于检验分页的正文，长度按需要重复。" * 9


def variants(kind: str) -> dict[str, dict]:
    """The sample view and its short and long bodies (issue 14): a one-line body, a body whose text
    ends exactly at the foot of a page, a body of four pages and more."""
    from service.documents import compose
    from service.documents.samples import sample_context

    view = compose.compose(kind, sample_context(kind))
    return {
        "sample": view,
        "one-line": dict(view, blocks=[{"t": "p", "text": "现予通知。"}]),
        "foot": _ending_at_the_foot(view),
        "four-page": dict(view, blocks=_before_attachment(view["blocks"], [{"t": "p", "text": LONG_TEXT}] * 10)),
    }


def _before_attachment(blocks: list[dict], extra: list[dict]) -> list[dict]:
    """The body with more paragraphs, placed before the 附件说明 (which closes the text)."""
    cut = len(blocks)
    while cut and blocks[cut - 1].get("t") == "attach":
        cut -= 1
    return blocks[:cut] + extra + blocks[cut:]
