"""One DOCX per certificate in well under a millisecond.

python-docx builds each kind's template once (page size, wording, ``{{key}}`` markers in
single runs).  Its parts are kept as ready-compressed ZIP entries; a certificate only
substitutes XML-escaped values into ``word/document.xml``, deflates that one part and
writes the ZIP directory.  The verify link is written as text (a QR image per file would
cost more than the whole document).
"""
from __future__ import annotations

import io
import re
import struct
import threading
import time
import zipfile
import zlib
from xml.sax.saxutils import escape as _xml_escape

from .engine import display_values, verify_url
from .kinds import SPECS

_MARK = re.compile(r"\{\{([a-z_]+)\}\}")
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_LABELS = {
    "party-card": [("姓　　名", "name"), ("所在支部", "branch_name"), ("所属党组织", "organisation_path"),
                   ("入党时间", "joined_on"), ("发证日期", "issued_on"), ("发证机关", "issuer"),
                   ("证件编号", "number"), ("核验网址", "verify_url")],
}


def xml_text(value: str) -> str:
    """User text made safe for WordprocessingML (escaped, control characters dropped)."""
    return _xml_escape(_INVALID_XML.sub("", value), {'"': "&quot;"})


def _build_template(kind: str) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    spec = SPECS[kind]
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(spec.width_mm), Mm(spec.height_mm)
    if spec.width_mm > spec.height_mm:
        sec.orientation = WD_ORIENT.LANDSCAPE
    margin = Mm(10 if kind == "party-card" else 25)
    sec.left_margin = sec.right_margin = sec.top_margin = sec.bottom_margin = margin
    style = doc.styles["Normal"]
    style.font.name = "Noto Serif CJK SC"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    style.font.size = Pt(10.5 if kind == "party-card" else 16)

    def para(text, size=None, bold=False, color=None, align=None, east="宋体"):
        p = doc.add_paragraph()
        if align is not None:
            p.alignment = align
        r = p.add_run(text)
        r.font.bold = bold
        if size:
            r.font.size = Pt(size)
        if color:
            r.font.color.rgb = RGBColor(*color)
        r._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east)
        return p

    red = (0xC8, 0x10, 0x1A)
    if kind == "party-card":
        para("中国共产党党员证", 18, True, red, WD_ALIGN_PARAGRAPH.CENTER, "方正小标宋简体")
        table = doc.add_table(rows=0, cols=2)
        for label, key in _LABELS[kind]:
            cells = table.add_row().cells
            cells[0].text = label
            cells[1].paragraphs[0].add_run("{{%s}}" % key)
    else:
        para("荣誉证书", 42, True, red, WD_ALIGN_PARAGRAPH.CENTER, "方正小标宋简体")
        para("{{parent_org}}", 13, align=WD_ALIGN_PARAGRAPH.CENTER)
        para("{{branch_name}}", 22, east="楷体_GB2312")
        para("{{body}}", 19, east="楷体_GB2312")
        para("{{issuer}}", 17, align=WD_ALIGN_PARAGRAPH.RIGHT)
        para("{{issued_on}}", 16, align=WD_ALIGN_PARAGRAPH.RIGHT)
        para("编号：{{number}}　核验：{{verify_url}}", 10, color=red)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


class DocxTemplate:
    def __init__(self, kind: str):
        self.kind = kind
        src = zipfile.ZipFile(io.BytesIO(_build_template(kind)))
        self._static: list[tuple[bytes, bytes, int, int, int]] = []  # name, data, crc, csize, usize
        self._doc_parts: list[str] = []
        self._doc_keys: list[str] = []
        self._doc_index = 0
        for i, info in enumerate(src.infolist()):
            raw = src.read(info.filename)
            if info.filename == "word/document.xml":
                self._doc_index = i
                text = raw.decode("utf-8")
                pos = 0
                for m in _MARK.finditer(text):
                    self._doc_parts.append(text[pos:m.start()])
                    self._doc_keys.append(m.group(1))
                    pos = m.end()
                self._doc_parts.append(text[pos:])
                self._static.append((info.filename.encode(), b"", 0, 0, 0))
            else:
                comp = _deflate(raw)
                self._static.append((info.filename.encode(), comp, zlib.crc32(raw), len(comp), len(raw)))
        missing = {"number"} - set(self._doc_keys)
        if missing:  # pragma: no cover - template bug
            raise RuntimeError(f"DOCX template lacks {missing}")
        t = time.localtime()
        self._dostime = (t.tm_hour << 11) | (t.tm_min << 5) | (t.tm_sec // 2)
        self._dosdate = ((t.tm_year - 1980) << 9) | (t.tm_mon << 5) | t.tm_mday

    def render(self, context: dict) -> bytes:
        values = display_values(self.kind, context)
        values.setdefault("number", str(context["number"]))
        values["verify_url"] = context.get("verify_url") or verify_url(str(context["number"]))
        out = [self._doc_parts[0]]
        for key, tail in zip(self._doc_keys, self._doc_parts[1:]):
            out.append(xml_text(values.get(key, "")))
            out.append(tail)
        doc = "".join(out).encode("utf-8")
        entries = list(self._static)
        comp = _deflate(doc)
        entries[self._doc_index] = (b"word/document.xml", comp, zlib.crc32(doc), len(comp), len(doc))
        return _zip(entries, self._dostime, self._dosdate)


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def _zip(entries, dostime: int, dosdate: int) -> bytes:
    parts = []
    central = []
    offset = 0
    for name, data, crc, csize, usize in entries:
        header = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0x800, 8, dostime, dosdate,
                             crc, csize, usize, len(name), 0) + name
        parts.append(header)
        parts.append(data)
        central.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0x800, 8,
                                   dostime, dosdate, crc, csize, usize, len(name), 0, 0, 0, 0,
                                   0, offset) + name)
        offset += len(header) + len(data)
    cd = b"".join(central)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(cd),
                      offset, 0)
    return b"".join(parts) + cd + end


_templates: dict[str, DocxTemplate] = {}
_lock = threading.Lock()


def docx_template(kind: str) -> DocxTemplate:
    with _lock:
        t = _templates.get(kind)
        if t is None:
            t = DocxTemplate(kind)
            _templates[kind] = t
        return t


def render_docx(kind: str, context: dict) -> bytes:
    """One certificate as a DOCX (same wording as the PDF)."""
    return docx_template(kind).render(context)
