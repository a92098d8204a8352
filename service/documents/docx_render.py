"""DOCX renderer: docxtpl templates from ``templates_docx/`` filled with a document view.

Two paths, same result:

* the fast path (documents without images): the template's body XML is patched by docxtpl
  and compiled by the sandboxed Jinja environment once per process; each document is one
  ``render()`` of that compiled template, docxtpl's table fix-up (templates whose tags add or
  span cells), and a new zip with the other parts copied byte for byte from the template.
  The batch's certificate DOCX (:mod:`service.certificates.docx`) takes this path too.
* the docxtpl path (documents with images: QR codes, charts): ``DocxTemplate.render`` with
  ``InlineImage`` objects, the same sandboxed environment and autoescaping.
"""

from __future__ import annotations

import io
import os
import re
import struct
import threading
import zipfile
import zlib
from pathlib import Path

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from lxml import etree

from ..vocabulary import DOCX_TEMPLATES
from .safety import jinja_env

ROOT = Path(__file__).resolve().parents[2]


FONTCONFIG_ALIASES = Path(__file__).resolve().parent / "fontconfig.conf"


def fontconfig_file(directory: Path) -> Path:
    """A fontconfig configuration (the system's plus our aliases) for LibreOffice runs: the faces
    the DOCX names (仿宋_GB2312 …) drawn with the substitutes the PDFs use, not a Sans face."""
    path = Path(directory) / "wuhao-fonts.conf"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
                    '<fontconfig>\n  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
                    f'  <include>{FONTCONFIG_ALIASES}</include>\n</fontconfig>\n', encoding="utf-8")
    return path


def template_dir() -> Path:
    return Path(os.environ.get("WUHAO_DOCX_TEMPLATES") or ROOT / "templates_docx")


_ENV = jinja_env()
_lock = threading.Lock()
_cache: dict[tuple[str, int], "_Compiled"] = {}

_BODY_RE = re.compile(r"<w:body>.*</w:body>", re.S)
#: docxtpl tags that add, drop or span table cells: only they give its table fix-up work
_CELL_TAGS = re.compile(r"\{%-?\s*(tc|colspan|hm|vm)\b")
#: a table date set on two lines (``compose.table_date``: 2026年 / 12月17日): the view's line break becomes Word's
#: (a bare newline inside <w:t> is read as a space, and LibreOffice broke the date as 2026年/12月17/日)
_DATE_BREAK = re.compile(r"年\n(?=\d)")
_DATE_BREAK_XML = '年</w:t><w:br/><w:t xml:space="preserve">'


class _Compiled:
    def __init__(self, path: Path):
        self.path = path
        self.raw = path.read_bytes()
        tpl = DocxTemplate(io.BytesIO(self.raw))
        tpl.init_docx()
        tpl.render_init()
        self.tpl = tpl
        source = tpl.get_xml()
        body = tpl.patch_xml(source)
        body = re.sub(r"<w:p([ >])", r"\n<w:p\1", body)
        self.template = _ENV.from_string(body)
        with zipfile.ZipFile(io.BytesIO(self.raw)) as z:
            self.entries = [(i, z.read(i.filename)) for i in z.infolist()]
        # every part but the body is the same in every document: deflate it once
        self.parts = [(i.filename, None if i.filename == "word/document.xml" else _Deflated(d))
                      for i, d in self.entries]
        doc_xml = dict((i.filename, d) for i, d in self.entries)["word/document.xml"].decode("utf-8")
        m = _BODY_RE.search(doc_xml)
        if not m:
            raise ValueError(f"{path}: no <w:body> in word/document.xml")
        self.head, self.tail = doc_xml[:m.start()], doc_xml[m.end():]
        # a table whose rows keep the template's cells (the 党员证) needs no fix-up: skipping it
        # (an lxml parse and re-serialisation) keeps a batch certificate DOCX well under 1 ms
        self.fix_tables = "<w:tbl>" in body and _CELL_TAGS.search(source) is not None

    def render(self, view: dict) -> bytes:
        xml = self.template.render(v=view)
        xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
        xml = _DATE_BREAK.sub(_DATE_BREAK_XML, xml)
        if self.fix_tables:
            tree = self.tpl.fix_tables(xml)
            xml = etree.tostring(tree, encoding="unicode")
        # the rendered <w:body> carries its own namespace declarations
        body = xml[xml.index("<w:body"):]
        document = (self.head + body + self.tail).encode("utf-8")
        return _zip([(name, part or _Deflated(document, level=1)) for name, part in self.parts])


class _Deflated:
    """A zip member compressed once: raw deflate data, CRC and sizes."""

    __slots__ = ("data", "crc", "size")

    def __init__(self, raw: bytes, level: int = 6):
        c = zlib.compressobj(level, zlib.DEFLATED, -15)
        self.data = c.compress(raw) + c.flush()
        self.crc = zlib.crc32(raw)
        self.size = len(raw)


_DOS_TIME, _DOS_DATE = 0, (1980 - 1980) << 9 | 1 << 5 | 1  # 1980-01-01 00:00


def _zip(members: list[tuple[str, _Deflated]]) -> bytes:
    """A zip archive of already-deflated members (what zipfile would write, minus the work)."""
    out = bytearray()
    central = bytearray()
    for name, m in members:
        fname = name.encode("utf-8")
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x0800, 8, _DOS_TIME, _DOS_DATE,
                           m.crc, len(m.data), m.size, len(fname), 0)
        out += fname
        out += m.data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x0800, 8, _DOS_TIME,
                               _DOS_DATE, m.crc, len(m.data), m.size, len(fname), 0, 0, 0, 0, 0,
                               offset)
        central += fname
    cd_offset = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central),
                       cd_offset, 0)
    return bytes(out)


def _compiled(path: Path) -> _Compiled:
    key = (str(path), path.stat().st_mtime_ns)
    c = _cache.get(key)
    if c is None:
        with _lock:
            c = _cache.get(key)
            if c is None:
                c = _Compiled(path)
                _cache[key] = c
    return c


#: document kind → its authored template in ``templates_docx/`` (the vocabulary's map: one
#: official-document template, one ledger template, one per certificate).  The files are edited
#: in Word, WPS or LibreOffice; the tests check what they render (GB/T 9704 geometry), not their bytes.
KIND_TEMPLATES = {kind: name for kind, name in DOCX_TEMPLATES.items() if name}


def template_path(kind: str) -> Path:
    path = template_dir() / KIND_TEMPLATES.get(kind, f"{kind}.docx")
    if not path.exists():
        raise FileNotFoundError(f"缺少文书模板：{path}")
    return path


def _has_images(view: dict) -> bool:
    return "qr_png" in view or any(b.get("t") == "image" for b in view.get("blocks") or [])


def render_docx(kind: str, view: dict) -> bytes:
    """The DOCX bytes of a document view."""
    path = template_path(kind)
    if not _has_images(view):
        return _compiled(path).render(view)
    return _render_with_images(path, view)


def _render_with_images(path: Path, view: dict) -> bytes:
    tpl = DocxTemplate(io.BytesIO(_compiled(path).raw))
    v = dict(view)
    if "qr_png" in v:
        size = 28 if v.get("layout") == "honor-certificate" else 18
        v["qr"] = InlineImage(tpl, io.BytesIO(v["qr_png"]), width=Mm(size))
    blocks = []
    for b in v.get("blocks") or []:
        if b.get("t") == "image":
            b = dict(b)
            b["image"] = InlineImage(tpl, io.BytesIO(b["png"]), width=Mm(b.get("width_mm", 150)))
        blocks.append(b)
    v["blocks"] = blocks
    tpl.render({"v": v}, jinja_env=jinja_env(), autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()
