"""DOCX renderer: docxtpl templates from ``templates_docx/`` filled with a document view.

Two paths, same result:

* the fast path (documents without images): the template's body XML is patched by docxtpl
  and compiled by the sandboxed Jinja environment once per process; each document is one
  ``render()`` of that compiled template, docxtpl's table fix-up, and a new zip with the other
  parts copied byte for byte from the template.
* the docxtpl path (documents with images: QR codes, charts): ``DocxTemplate.render`` with
  ``InlineImage`` objects, the same sandboxed environment and autoescaping.
"""

from __future__ import annotations

import io
import os
import re
import threading
import zipfile
from pathlib import Path

from .safety import jinja_env

ROOT = Path(__file__).resolve().parents[2]


def template_dir() -> Path:
    return Path(os.environ.get("WUHAO_DOCX_TEMPLATES") or ROOT / "templates_docx")


_ENV = jinja_env()
_lock = threading.Lock()
_cache: dict[tuple[str, int], "_Compiled"] = {}

_BODY_RE = re.compile(r"<w:body>.*</w:body>", re.S)


class _Compiled:
    def __init__(self, path: Path):
        from docxtpl import DocxTemplate

        self.path = path
        self.raw = path.read_bytes()
        tpl = DocxTemplate(io.BytesIO(self.raw))
        tpl.init_docx()
        tpl.render_init()
        self.tpl = tpl
        body = tpl.patch_xml(tpl.get_xml())
        body = re.sub(r"<w:p([ >])", r"\n<w:p\1", body)
        self.template = _ENV.from_string(body)
        with zipfile.ZipFile(io.BytesIO(self.raw)) as z:
            self.entries = [(i, z.read(i.filename)) for i in z.infolist()]
        doc_xml = dict((i.filename, d) for i, d in self.entries)["word/document.xml"].decode("utf-8")
        m = _BODY_RE.search(doc_xml)
        if not m:
            raise ValueError(f"{path}: no <w:body> in word/document.xml")
        self.head, self.tail = doc_xml[:m.start()], doc_xml[m.end():]
        self.has_tables = "<w:tbl>" in body

    def render(self, view: dict) -> bytes:
        from lxml import etree

        xml = self.template.render(v=view)
        xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
        if self.has_tables:
            tree = self.tpl.fix_tables(xml)
            xml = etree.tostring(tree, encoding="unicode")
        # the rendered <w:body> carries its own namespace declarations
        body = xml[xml.index("<w:body"):]
        document = (self.head + body + self.tail).encode("utf-8")
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            for info, data in self.entries:
                if info.filename == "word/document.xml":
                    data = document
                # a fresh ZipInfo per write: writestr mutates it (sizes, CRC, offsets)
                z.writestr(zipfile.ZipInfo(info.filename, info.date_time), data,
                           compress_type=zipfile.ZIP_DEFLATED)
        return out.getvalue()


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


def template_path(kind: str) -> Path:
    path = template_dir() / f"{kind}.docx"
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
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage

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
