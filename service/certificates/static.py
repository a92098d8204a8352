"""The static design of a certificate, rendered once by WeasyPrint and reused as a Form XObject.

Border, title, labels and fixed wording are the same on every certificate of a kind.
WeasyPrint lays them out once; the page becomes a Form XObject whose objects are copied
into every output file.  The rendered PDF is cached on disk, keyed by the template's
hash, the font files' identities and the WeasyPrint version, so a worker process reuses
it across jobs.  The cache is a folder given by the caller (the settings' certificate cache)
and written through :class:`~service.storage.FileStore`, so a killed worker leaves no
half-written entry.
"""
from __future__ import annotations

import hashlib
import io
import os
import pickle
import threading
import zlib
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path

import pikepdf
import weasyprint
from fontTools.ttLib import TTFont

from service.documents.harfbuzz import Face
from service.documents.html_render import WEASYPRINT_LOCK
from service.storage import FileStore

from .pdffont import sfnt_table
from .pdfwriter import PrefixObjects

_lock = threading.Lock()
_memory: dict[str, PrefixObjects] = {}


def _font_identity(paths: list[str]) -> str:
    parts = []
    for p in sorted(set(paths)):
        try:
            st = os.stat(p)
            parts.append(f"{p}:{st.st_size}:{int(st.st_mtime)}")
        except OSError:
            parts.append(f"{p}:missing")
    return "|".join(parts)


def render_static_pdf(html: str, font_paths: list[str], cache: FileStore) -> tuple[str, bytes]:
    """Render ``html`` with WeasyPrint (cached in ``cache``); return (cache key, PDF bytes)."""
    key = hashlib.sha256(
        "\0".join([html, _font_identity(font_paths), version("weasyprint")]).encode()
    ).hexdigest()
    path = cache.named_path(f"{key}.pdf")
    if path.exists():
        return key, path.read_bytes()
    # WeasyPrint's bytes differ from run to run: every process uses the first one stored
    return key, cache.put_named(f"{key}.pdf", weasyprint_pdf(html))


def weasyprint_pdf(html: str) -> bytes:
    with WEASYPRINT_LOCK:
        return weasyprint.HTML(string=html, base_url=".").write_pdf()


def _unparse(obj) -> bytes:
    """Serialise a direct object; indirect references keep their original numbers."""
    if isinstance(obj, pikepdf.Object) and obj.is_indirect:
        return b"%d %d R" % obj.objgen
    if isinstance(obj, pikepdf.Dictionary):
        return b"<< " + b" ".join(k.encode() + b" " + _unparse(obj[k]) for k in sorted(obj.keys())) + b" >>"
    if isinstance(obj, pikepdf.Array):
        return b"[" + b" ".join(_unparse(v) for v in obj) + b"]"
    if isinstance(obj, pikepdf.Object):
        return obj.unparse()
    if isinstance(obj, bool):
        return b"true" if obj else b"false"
    if isinstance(obj, int):
        return b"%d" % obj
    if isinstance(obj, (float, Decimal)):
        return format(Decimal(str(obj)).normalize(), "f").encode()
    if obj is None:
        return b"null"
    return pikepdf.Object.unparse(pikepdf.objects.Object.parse(str(obj).encode()))  # pragma: no cover


def _refs(obj, out: list):
    if isinstance(obj, pikepdf.Object) and obj.is_indirect:
        out.append(obj)
        return
    if isinstance(obj, pikepdf.Dictionary):
        for k in sorted(obj.keys()):
            _refs(obj[k], out)
    elif isinstance(obj, pikepdf.Array):
        for v in obj:
            _refs(v, out)


def _indirect_body(obj) -> bytes:
    if isinstance(obj, pikepdf.Stream):
        raw = obj.read_raw_bytes()
        if "/Filter" not in obj.stream_dict and len(raw) > 64:
            obj.write(zlib.compress(raw, 9), filter=pikepdf.Name.FlateDecode)
            raw = obj.read_raw_bytes()
        entries = []
        for k in sorted(obj.stream_dict.keys()):
            if k == "/Length":
                continue
            entries.append(k.encode() + b" " + _unparse(obj.stream_dict[k]))
        entries.append(b"/Length %d" % len(raw))
        return b"<< " + b" ".join(entries) + b" >>\nstream\n" + raw + b"\nendstream"
    # direct body of an indirect object: unparse its contents, not a reference to itself
    if isinstance(obj, pikepdf.Dictionary):
        return b"<< " + b" ".join(k.encode() + b" " + _unparse(obj[k]) for k in sorted(obj.keys())) + b" >>"
    if isinstance(obj, pikepdf.Array):
        return b"[" + b" ".join(_unparse(v) for v in obj) + b"]"
    return obj.unparse(resolved=True)


def _used_codes(w_array) -> list[int]:
    codes: list[int] = []
    items = list(w_array)
    i = 0
    while i < len(items):
        first = int(items[i])
        nxt = items[i + 1]
        if isinstance(nxt, pikepdf.Array):
            codes.extend(range(first, first + len(nxt)))
            i += 2
        else:
            codes.extend(range(first, int(nxt) + 1))
            i += 3
    return codes


def _shrink_fonts(src: pikepdf.Pdf, resources) -> None:
    """Re-subset the faces WeasyPrint embedded: it keeps glyph ids, so a CJK subset
    still spans every glyph id up to the highest one used (100+ KB).  Without the
    gaps the same glyphs take a few KB."""
    fonts = resources.get("/Font") if resources is not None else None
    if fonts is None:
        return
    for name in sorted(fonts.keys()):
        font = fonts[name]
        if font.get("/Subtype") != "/Type0":
            continue
        cid = font.DescendantFonts[0]
        fd = cid.FontDescriptor
        codes = _used_codes(cid.get("/W", pikepdf.Array()))
        if not codes:
            continue
        if "/FontFile3" in fd and fd.FontFile3.get("/Subtype") == "/OpenType":
            data = fd.FontFile3.read_bytes()
            face = Face("<template>", 0, data=data)
            sub, _map = face.subset_glyphs(codes)
            tt = TTFont(io.BytesIO(sub), lazy=True)
            if "CFF " not in tt or not hasattr(tt["CFF "].cff.topDictIndex[0], "ROS"):
                continue  # name-keyed CFF: codes are glyph ids, keep WeasyPrint's subset
            order = tt.getGlyphOrder()
            if any(order[_map[c]] != "cid%05d" % c for c in codes if c in _map and c):
                continue  # CIDs differ from the template's codes: keep the original
            fd.FontFile3 = src.make_stream(sfnt_table(sub, b"CFF "))
            fd.FontFile3.Subtype = pikepdf.Name("/CIDFontType0C")
        elif "/FontFile2" in fd:
            data = fd.FontFile2.read_bytes()
            face = Face("<template>", 0, data=data)
            sub, mapping = face.subset_glyphs(codes)
            table = bytearray(2 * (max(codes) + 1))
            for c in codes:
                new = mapping.get(c, 0)
                table[2 * c], table[2 * c + 1] = new >> 8, new & 0xFF
            fd.FontFile2 = src.make_stream(sub)
            fd.FontFile2.Length1 = len(sub)
            cid.CIDToGIDMap = src.make_stream(bytes(table))


def extract_form(pdf_bytes: bytes) -> PrefixObjects:
    """Turn page 1 of ``pdf_bytes`` into a Form XObject plus every object it needs."""
    src = pikepdf.open(io.BytesIO(pdf_bytes))
    page = src.pages[0]
    _shrink_fonts(src, page.obj.get("/Resources"))
    form = page.as_form_xobject()
    if not form.is_indirect:
        form = src.make_indirect(form)
    # walk everything reachable from the form
    seen: dict[tuple[int, int], object] = {}
    todo = [form]
    while todo:
        obj = todo.pop()
        if obj.objgen in seen:
            continue
        seen[obj.objgen] = obj
        found: list = []
        if isinstance(obj, pikepdf.Stream):
            _refs(obj.stream_dict, found)
        elif isinstance(obj, (pikepdf.Dictionary, pikepdf.Array)):
            for k in (sorted(obj.keys()) if isinstance(obj, pikepdf.Dictionary) else range(len(obj))):
                _refs(obj[k], found)
        todo.extend(found)
    objects = sorted((num, _indirect_body(o)) for (num, _gen), o in seen.items())
    mb = [float(v) for v in page.mediabox]
    next_number = max(num for num, _ in objects) + 1
    return PrefixObjects(objects, next_number, form.objgen[0], tuple(mb))


def static_form(html: str, font_paths: list[str], cache_dir: Path | None) -> PrefixObjects:
    """The static design as splice-ready objects (memory, then the cache folder, then WeasyPrint).

    Without a cache folder the form is rendered once per process and kept in memory only."""
    key = hashlib.sha256((html + "\0" + _font_identity(font_paths)).encode()).hexdigest()
    with _lock:
        got = _memory.get(key)
        if got is not None:
            return got
        if cache_dir is None:
            got = extract_form(weasyprint_pdf(html))
        else:
            cache = FileStore(cache_dir)
            cached = cache.named_path(f"{key}.form.pickle")
            if cached.exists():
                try:
                    got = pickle.loads(cached.read_bytes())
                except Exception:  # corrupt or from another version: rebuild
                    got = None
            if got is None:
                _key, data = render_static_pdf(html, font_paths, cache)
                # the first process to store the form wins; every process goes on with that one
                got = pickle.loads(cache.put_named(cached.name, pickle.dumps(extract_form(data), protocol=5)))
        _memory[key] = got
        return got
