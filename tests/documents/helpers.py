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
