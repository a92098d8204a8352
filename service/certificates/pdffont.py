"""CJK fonts for the certificate writer: metrics, stable glyph codes and PDF font objects.

Text on a certificate is written with two-byte codes under ``/Identity-H``.  The codes
are chosen so that they do not depend on which glyphs a subset keeps:

* CID-keyed CFF faces (Noto Serif/Sans CJK): the code is the glyph's CID.  HarfBuzz keeps
  the CIDs in the subset's charset, and a PDF reader finds a CID-keyed CFF glyph by CID.
* TrueType faces (LXGW WenKai, AR PL UKai, …): the code is the glyph id in the full face;
  each file carries a ``/CIDToGIDMap`` stream mapping it to the glyph id in the subset.
* Name-keyed CFF faces: the subset keeps glyph ids (HarfBuzz ``RETAIN_GIDS``), so the code
  is again the glyph id in the full face.

So the content stream of a certificate is the same bytes in its own PDF and in a merged
volume, and the pages render to the same pixels.
"""
from __future__ import annotations

import functools
import struct
import threading
from dataclasses import dataclass

from fontTools.ttLib import TTFont

from service.documents.fonts import fallback_chain, resolve_font
from service.documents.harfbuzz import Face


@dataclass(frozen=True)
class FontSpec:
    path: str
    index: int
    family: str


class PdfFont:
    """Metrics and PDF embedding for one face of a font file."""

    def __init__(self, spec: FontSpec):
        self.spec = spec
        tt = TTFont(spec.path, fontNumber=spec.index, lazy=True)
        self.units_per_em = tt["head"].unitsPerEm
        cmap = tt.getBestCmap() or {}
        order = tt.getGlyphOrder()
        gid_of = {name: i for i, name in enumerate(order)}
        self._gid_for_char = {cp: gid_of[name] for cp, name in cmap.items() if name in gid_of}
        hmtx = tt["hmtx"].metrics
        self._advance = [hmtx[name][0] if name in hmtx else 0 for name in order]
        self.is_cff = "CFF " in tt
        self.cid_keyed = False
        self._cid_of_gid: list[int] | None = None
        if self.is_cff:
            top = tt["CFF "].cff.topDictIndex[0]
            self.cid_keyed = hasattr(top, "ROS")
            if self.cid_keyed:
                cids = []
                for i, name in enumerate(order):
                    cids.append(int(name[3:]) if name.startswith("cid") and name[3:].isdigit() else i)
                self._cid_of_gid = cids
        os2 = tt["OS/2"] if "OS/2" in tt else None
        hhea = tt["hhea"]
        scale = 1000.0 / self.units_per_em
        self.ascent = round((os2.sTypoAscender if os2 else hhea.ascent) * scale)
        self.descent = round((os2.sTypoDescender if os2 else hhea.descent) * scale)
        head = tt["head"]
        self.bbox = [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)]
        self.cap_height = round(getattr(os2, "sCapHeight", 0) * scale) if os2 else self.ascent
        ps = "Font"
        try:
            ps = tt["name"].getDebugName(6) or spec.family
        except Exception:  # pragma: no cover - odd name tables
            ps = spec.family
        self.ps_name = "".join(ch for ch in ps if ch.isalnum() or ch in "-_") or "Font"
        tt.close()
        self._subsetter: Face | None = None
        self._working = None
        self._lock = threading.Lock()
        self._gid_of_code: dict[int, int] = {}

    # -- metrics -------------------------------------------------------------------
    def has(self, ch: str) -> bool:
        return ord(ch) in self._gid_for_char

    def glyph(self, ch: str) -> int:
        return self._gid_for_char.get(ord(ch), 0)

    def code(self, gid: int) -> int:
        """The two-byte code that shows glyph ``gid`` (stable across subsets)."""
        if self._cid_of_gid is not None:
            cid = self._cid_of_gid[gid]
            self._gid_of_code.setdefault(cid, gid)
            return cid
        return gid

    def width_1000(self, gid: int) -> int:
        """Advance width in 1/1000 em (PDF glyph space)."""
        return round(self._advance[gid] * 1000 / self.units_per_em)

    def text_width(self, text: str, size: float) -> float:
        adv = self._advance
        gfc = self._gid_for_char
        return sum(adv[gfc.get(ord(c), 0)] for c in text) * size / self.units_per_em

    # -- embedding -----------------------------------------------------------------
    @property
    def subsetter(self) -> Face:
        with self._lock:
            if self._subsetter is None:
                self._subsetter = Face(self.spec.path, self.spec.index)
            return self._subsetter

    def _working_face(self):
        """A preprocessed face of the common characters (GB 2312, ASCII, CJK punctuation).

        Preprocessing the whole CJK face makes subsets fast but costs ~500 MB per process;
        this working face of ~7,000 glyphs gives the same speed (0.1–0.2 ms a subset) for
        ~40 MB.  Glyph ids of the full face map to it through ``old_to_mid``; a CID-keyed
        CFF keeps its CIDs through both subsets.
        """
        with self._lock:
            if self._working is None:
                gids = sorted({self._gid_for_char[ord(c)] for c in _common_chars()
                               if ord(c) in self._gid_for_char})
                full = Face(self.spec.path, self.spec.index)
                data, old_to_mid = full.subset_glyphs(gids)
                self._working = (Face(f"{self.spec.path}#common", 0, data=data, preprocess=True),
                                 old_to_mid, {v: k for k, v in old_to_mid.items()})
            return self._working

    def subset(self, gids: list[int], retain_gids: bool = False) -> tuple[bytes, dict[int, int]]:
        """Subset of the full face with ``gids``: (font bytes, {full gid: subset gid})."""
        if not retain_gids:
            face, old_to_mid, _mid_to_old = self._working_face()
            if all(g in old_to_mid for g in gids):
                data, mid_to_new = face.subset_glyphs([old_to_mid[g] for g in gids])
                return data, {g: mid_to_new[old_to_mid[g]] for g in gids}
        return self.subsetter.subset_glyphs(gids, retain_gids=retain_gids)

    def _gid_for_code(self, code: int) -> int:
        if self._cid_of_gid is None:
            return code
        gid = self._gid_of_code.get(code)
        if gid is None:
            gid = self._cid_of_gid.index(code)
            self._gid_of_code[code] = gid
        return gid

    def embed(self, writer, codes: dict[int, str], font_name: str) -> int:
        """Write the Type0 font for ``codes`` ({code: unicode text}); return its object number.

        ``font_name`` is a six-letter subset tag prefix unique within the file.
        """
        codes = dict(sorted(codes.items()))
        gids = [self._gid_for_code(c) for c in codes]
        retain = self.is_cff and not self.cid_keyed
        data, old_to_new = self.subset(gids, retain_gids=retain)
        base = f"{font_name}+{self.ps_name}"
        if self.is_cff and self.cid_keyed:
            # bare CFF: readers look CID-keyed glyphs up by CID through the charset
            file_obj = writer.add_stream(sfnt_table(data, b"CFF "), {"Subtype": "/CIDFontType0C"},
                                         compress=True)
            file_key = "FontFile3"
        elif self.is_cff:
            file_obj = writer.add_stream(data, {"Subtype": "/OpenType"}, compress=True)
            file_key = "FontFile3"
        else:
            file_obj = writer.add_stream(data, {"Length1": str(len(data))}, compress=True)
            file_key = "FontFile2"
        descriptor = writer.add_dict({
            "Type": "/FontDescriptor",
            "FontName": "/" + base,
            "Flags": "4",
            "FontBBox": "[%d %d %d %d]" % tuple(self.bbox),
            "ItalicAngle": "0",
            "Ascent": str(self.ascent),
            "Descent": str(self.descent),
            "CapHeight": str(self.cap_height or self.ascent),
            "StemV": "80",
            file_key: f"{file_obj} 0 R",
        })
        # /W: one entry per code, grouped in runs of consecutive codes
        w_parts = []
        run_start = None
        run = []
        prev = None
        for code in codes:
            w = self.width_1000(self._gid_for_code(code))
            if prev is not None and code == prev + 1:
                run.append(w)
            else:
                if run_start is not None:
                    w_parts.append("%d [%s]" % (run_start, " ".join(map(str, run))))
                run_start, run = code, [w]
            prev = code
        if run_start is not None:
            w_parts.append("%d [%s]" % (run_start, " ".join(map(str, run))))
        cid_font = {
            "Type": "/Font",
            "Subtype": "/CIDFontType0" if self.is_cff else "/CIDFontType2",
            "BaseFont": "/" + base,
            "CIDSystemInfo": "<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>",
            "FontDescriptor": f"{descriptor} 0 R",
            "DW": "1000",
            "W": "[" + " ".join(w_parts) + "]",
        }
        if not self.is_cff:
            top = max(codes) if codes else 0
            table = bytearray(2 * (top + 1))
            for code in codes:
                new = old_to_new.get(code, 0)
                table[2 * code] = new >> 8
                table[2 * code + 1] = new & 0xFF
            cid_font["CIDToGIDMap"] = f"{writer.add_stream(bytes(table), {}, compress=True)} 0 R"
        cid_obj = writer.add_dict(cid_font)
        tounicode = writer.add_stream(_to_unicode_cmap(codes), {}, compress=True)
        return writer.add_dict({
            "Type": "/Font",
            "Subtype": "/Type0",
            "BaseFont": "/" + base,
            "Encoding": "/Identity-H",
            "DescendantFonts": f"[{cid_obj} 0 R]",
            "ToUnicode": f"{tounicode} 0 R",
        })


def sfnt_table(data: bytes, tag: bytes) -> bytes:
    """One table of an OpenType file."""
    num_tables = struct.unpack(">H", data[4:6])[0]
    for i in range(num_tables):
        rec = data[12 + 16 * i: 28 + 16 * i]
        if rec[:4] == tag:
            _checksum, offset, length = struct.unpack(">III", rec[4:16])
            return data[offset:offset + length]
    raise KeyError(tag)


@functools.lru_cache(maxsize=1)
def _common_chars() -> frozenset[str]:
    chars = set()
    for b1 in range(0xB0, 0xF8):
        for b2 in range(0xA1, 0xFF):
            try:
                chars.add(bytes([b1, b2]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    for lo, hi in ((0x20, 0x7F), (0x3000, 0x3040), (0xFF00, 0xFF5F), (0x2010, 0x2030), (0xA1, 0x100),
                   (0x2460, 0x2474), (0x25A0, 0x2600)):
        chars.update(chr(c) for c in range(lo, hi))
    return frozenset(chars)


def _utf16_hex(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def _to_unicode_cmap(codes: dict[int, str]) -> bytes:
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    items = list(codes.items())
    for i in range(0, len(items), 100):
        block = items[i:i + 100]
        lines.append(f"{len(block)} beginbfchar")
        for code, text in block:
            lines.append(f"<{code:04X}> <{_utf16_hex(text)}>")
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


@functools.lru_cache(maxsize=16)
def load_font(path: str, index: int = 0, family: str = "") -> PdfFont:
    return PdfFont(FontSpec(path, index, family or path))


def role_font_specs(role: str) -> list[tuple[str, int, str]]:
    """(path, index, family) of the face for a document font role, then its fallbacks.

    The same resolution as the official documents (``service.documents.fonts``): a broken
    font set-up fails loudly there and here, never silently switching the certificate face."""
    out: list[tuple[str, int, str]] = []
    for r in [resolve_font(role)] + list(fallback_chain(role)):
        if r.path and all((r.path, r.index) != (p, i) for p, i, _f in out):
            out.append((r.path, r.index, r.family))
    if not out:
        raise FileNotFoundError(f"no font file for the role {role!r} (see `wuhao fonts`)")
    return out


class FontChain:
    """A role's face and its glyph-fallback faces, the fallbacks loaded on first need."""

    def __init__(self, specs: list[tuple[str, int, str]]):
        self._specs = list(specs)
        self.fonts: list[PdfFont] = [load_font(*self._specs[0])]
        self._loaded = 1
        self._lock = threading.Lock()

    @property
    def primary(self) -> PdfFont:
        return self.fonts[0]

    def font_for(self, ch: str) -> PdfFont:
        for f in self.fonts:
            if f.has(ch):
                return f
        with self._lock:
            while self._loaded < len(self._specs):
                f = load_font(*self._specs[self._loaded])
                self._loaded += 1
                if all(f is not g for g in self.fonts):
                    self.fonts.append(f)
                if f.has(ch):
                    return f
        return self.fonts[0]  # .notdef of the primary face


def role_fonts(role: str) -> list[PdfFont]:
    """Every face of a role (primary and fallbacks), loaded."""
    return [load_font(*spec) for spec in role_font_specs(role)]
