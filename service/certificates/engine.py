"""Certificate pages: the static design as a Form XObject plus variable text and a QR code.

``CertificateEngine.prepare`` turns one certificate's context into a :class:`Page`: a
compressed content stream and the glyphs it uses.  ``CertificateEngine.write`` puts any
number of pages into one PDF with one font subset per face for the whole file.  A single
certificate and a 1,000-page print volume go through the same two calls, so page *n* of
a volume is byte-for-byte the content stream of certificate *n* on its own.
"""
from __future__ import annotations

import hashlib
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ..vocabulary import DEFAULT_PUBLIC_URL, cn_date
from .kinds import HONOR_BODY_TEXT, SPECS, Field, KindSpec, static_html
from .pdffont import FontChain, PdfFont, role_font_specs
from .pdfwriter import PdfWriter, PrefixObjects, pdf_text_string
from .qr import qr_rows

#: the QR code's quiet zone in modules (ISO/IEC 18004: at least 4)
QUIET_MODULES = 4
from .static import static_form

MM = 72.0 / 25.4
#: the fewest characters a wrapped field's last line holds (see ``_without_orphan``)
MIN_LAST_LINE = 4
_CLOSING = set("，。、：；！？）》」』”’,.;:!?)%")
_DEFAULT_PUBLIC_URL = DEFAULT_PUBLIC_URL


class CertificateError(ValueError):
    """A context that cannot make a certificate (missing field, unknown kind)."""


@dataclass
class Page:
    content: bytes                          # Flate-compressed content stream
    usage: dict[PdfFont, dict[int, str]]    # glyph codes used, per face
    number: str


#: 2025年6月28日 (GB/T 9704: Arabic numerals, no zero padding); the vocabulary's one formatter
format_date = cn_date


def verify_url(number: str, base: str) -> str:
    """The /verify link of a certificate under the service's public URL (the settings')."""
    return f"{base.rstrip('/')}/verify/{quote(str(number), safe='')}"


def default_issuer(kind: str, context: dict) -> str:
    """发证机关 when none is given (a batch without ``--issuer``): for a 党员证 the organisation
    department of the committee at the root of the member's organisation path, as the documents'
    党员证 names it (静海区委 / 大邱庄镇党委 / … → 中共静海区委组织部)."""
    if kind != "party-card":
        return ""
    root = str(context.get("organisation_path") or "").split(" / ")[0].strip()
    if not root:
        return ""
    return (root if root.startswith("中共") else "中共" + root) + "组织部"


def display_values(kind: str, context: dict) -> dict[str, str]:
    """The text of every field of ``kind`` for ``context``."""
    spec = SPECS.get(kind)
    if spec is None:
        raise CertificateError(f"未知的证书类型：{kind}")
    missing = [k for k in spec.required if k != "verify_url" and not str(context.get(k) or "").strip()]
    if missing:
        raise CertificateError("证书缺少必填字段：" + "、".join(missing))
    out = {}
    for f in spec.fields:
        if f.key == "body":
            value = HONOR_BODY_TEXT.format(title=str(context.get("title", "")).strip(),
                                           term=str(context.get("term", "")).strip())
        elif f.key in ("joined_on", "issued_on"):
            value = format_date(context.get(f.key))
        elif f.key == "issuer" and not str(context.get("issuer") or "").strip():
            value = default_issuer(kind, context)
        else:
            value = context.get(f.key)
            value = "" if value is None else " ".join(str(value).split())
        out[f.key] = f.template.format(value) if value else ""
    return out


def _fmt(v: float) -> str:
    s = "%.2f" % v
    return s.rstrip("0").rstrip(".") if "." in s else s


class CertificateEngine:
    """Renders pages of one certificate kind (one instance per process and kind)."""

    def __init__(self, kind: str, cache_dir: Path | None = None):
        if kind not in SPECS:
            raise CertificateError(f"未知的证书类型：{kind}")
        self.kind = kind
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.spec: KindSpec = SPECS[kind]
        self._fonts: dict[str, FontChain] = {}
        self._names: dict[PdfFont, str] = {}
        self._prefix: PrefixObjects | None = None
        self._op_cache: dict[tuple[str, str], tuple[str, dict]] = {}
        self._lock = threading.Lock()
        self.page_w = self.spec.width_mm * MM
        self.page_h = self.spec.height_mm * MM

    # -- resources -----------------------------------------------------------------
    def fonts_for(self, role: str) -> FontChain:
        chain = self._fonts.get(role)
        if chain is None:
            chain = FontChain(role_font_specs(role))
            self._fonts[role] = chain
        return chain

    def font_name(self, font: PdfFont) -> str:
        name = self._names.get(font)
        if name is None:
            digest = hashlib.sha1(f"{font.spec.path}#{font.spec.index}".encode()).hexdigest()
            name = "F" + digest[:6]
            self._names[font] = name
        return name

    @property
    def prefix(self) -> PrefixObjects:
        with self._lock:
            if self._prefix is None:
                paths = [spec[0] for role in self.spec.static_roles for spec in role_font_specs(role)]
                self._prefix = static_form(static_html(self.kind), paths, self.cache_dir)
            return self._prefix

    def template_hash(self) -> str:
        return hashlib.sha256(static_html(self.kind).encode()).hexdigest()

    # -- text layout ---------------------------------------------------------------
    def _runs(self, text: str, chain: FontChain) -> list[tuple[PdfFont, str]]:
        runs: list[tuple[PdfFont, str]] = []
        for ch in text:
            font = chain.font_for(ch)
            if runs and runs[-1][0] is font:
                runs[-1] = (font, runs[-1][1] + ch)
            else:
                runs.append((font, ch))
        return runs

    def _width(self, text: str, size: float, chain: FontChain) -> float:
        return sum(f.text_width(t, size) for f, t in self._runs(text, chain))

    def _wrap(self, text: str, size: float, width: float, chain) -> list[str]:
        lines: list[str] = []
        line = ""
        w = 0.0
        for ch in text:
            cw = self._width(ch, size, chain)
            if line and w + cw > width and ch not in _CLOSING:
                lines.append(line)
                line, w = "", 0.0
            line += ch
            w += cw
        if line:
            lines.append(line)
        return lines

    def _without_orphan(self, lines: list[str], size: float, width: float, chain) -> list[str]:
        """No last line of fewer than ``MIN_LAST_LINE`` characters (a 荣誉证书 ended on a line of
        “励。” alone): the last line takes the end of the line before, from just after that line's
        last 、，；： within reach (特发此证，/以资鼓励。), else its last characters, never starting
        with a closing mark; unless the lines then overflow."""
        if len(lines) < 2 or len(lines[-1]) >= MIN_LAST_LINE:
            return lines
        prev, last = lines[-2], lines[-1]
        need = MIN_LAST_LINE - len(last)
        cut = len(prev) - need
        reach = prev[max(1, cut - MIN_LAST_LINE):cut]
        stops = [i for i, ch in enumerate(reach) if ch in "、，；："]
        if stops:
            cut = max(1, cut - MIN_LAST_LINE) + stops[-1] + 1
        while cut > 1 and prev[cut] in _CLOSING:
            cut -= 1
        new_last = prev[cut:] + last
        if cut < 1 or self._width(new_last, size, chain) > width:
            return lines
        return lines[:-2] + [prev[:cut], new_last]

    def _layout(self, f: Field, text: str) -> tuple[float, list[str]]:
        chain = self.fonts_for(f.role)
        width = f.width * MM
        size = f.size
        natural = self._width(text, size, chain)
        if natural <= width:
            return size, [text]
        if f.lines <= 1:
            return max(f.min_size, size * width / natural), [text]
        step = 0.5
        while size >= f.min_size:
            lines = self._wrap(text, size, width, chain)
            if len(lines) <= f.lines:
                return size, self._without_orphan(lines, size, width, chain)
            size -= step
        size = f.min_size
        lines = self._wrap(text, size, width, chain)
        if len(lines) > f.lines:  # squeeze the rest onto the last line
            lines = lines[:f.lines - 1] + ["".join(lines[f.lines - 1:])]
        return size, lines

    def _text_ops(self, f: Field, text: str, usage: dict, ops: list[str]) -> None:
        """Append the operators for one field; repeated values (branch, issuer, dates) are cached."""
        key = (f.key, text)
        hit = self._op_cache.get(key)
        if hit is None:
            field_usage: dict = {}
            field_ops: list[str] = []
            self._text_ops_uncached(f, text, field_usage, field_ops)
            hit = ("\n".join(field_ops), field_usage)
            if len(self._op_cache) > 4096:
                self._op_cache.clear()
            self._op_cache[key] = hit
        ops.append(hit[0])
        for font, codes in hit[1].items():
            used = usage.get(font)
            if used is None:
                usage[font] = dict(codes)
            else:
                used.update(codes)

    def _text_ops_uncached(self, f: Field, text: str, usage: dict, ops: list[str]) -> None:
        size, lines = self._layout(f, text)
        chain = self.fonts_for(f.role)
        width = f.width * MM
        ops.append("BT %s %s %s rg" % tuple(_fmt(c) for c in f.color))
        lead = size * f.leading
        y0 = self.page_h - f.y * MM  # first baseline
        for i, line in enumerate(lines):
            runs = self._runs(line, chain)
            lw = sum(font.text_width(t, size) for font, t in runs)
            x = f.x * MM
            if f.align == "center":
                x -= lw / 2
            elif f.align == "right":
                x -= lw
            if lw > width and f.align == "left":
                pass  # overflow only after shrinking to min_size: keep the start anchored
            y = y0 - i * lead
            ops.append("1 0 0 1 %s %s Tm" % (_fmt(x), _fmt(y)))
            for font, t in runs:
                used = usage.setdefault(font, {})
                codes = []
                for ch in t:
                    code = font.code(font.glyph(ch))
                    used.setdefault(code, ch)
                    codes.append("%04X" % code)
                ops.append("/%s %s Tf <%s> Tj" % (self.font_name(font), _fmt(size), "".join(codes)))
        ops.append("ET")

    def _qr_ops(self, url: str, ops: list[str]) -> None:
        n, bits = qr_rows(url)
        pad = (-n) % 8
        nbytes = (n + pad) // 8
        rows = [(b << pad).to_bytes(nbytes, "big").hex() for b in bits]
        box = self.spec.qr
        # quiet zone: the image covers the box minus a QUIET_MODULES margin on each side
        module = box.size * MM / (n + 2 * QUIET_MODULES)
        size = module * n
        x = box.x * MM + QUIET_MODULES * module
        y = self.page_h - (box.y + box.size) * MM + QUIET_MODULES * module
        ops.append("q 0 g %s 0 0 %s %s %s cm BI /IM true /W %d /H %d /BPC 1 /D [1 0] /F /AHx ID %s> EI Q"
                   % (_fmt(size), _fmt(size), _fmt(x), _fmt(y), n, n, "".join(rows)))

    # -- pages ---------------------------------------------------------------------
    def prepare(self, context: dict, *, overprint: bool = False,
                offset_mm: tuple[float, float] = (0.0, 0.0)) -> Page:
        values = display_values(self.kind, context)
        number = str(context["number"]).strip()
        url = context["verify_url"]
        ops: list[str] = []
        usage: dict[PdfFont, dict[int, str]] = {}
        if not overprint:
            ops.append("q /Tpl Do Q")
        dx, dy = float(offset_mm[0]), float(offset_mm[1])
        if dx or dy:
            # positive x moves the print right, positive y moves it down
            ops.append("q 1 0 0 1 %s %s cm" % (_fmt(dx * MM), _fmt(-dy * MM)))
        for f in self.spec.fields:
            text = values.get(f.key, "")
            if text:
                self._text_ops(f, text, usage, ops)
        self._qr_ops(url, ops)
        if dx or dy:
            ops.append("Q")
        content = zlib.compress("\n".join(ops).encode("latin-1"), 6)
        return Page(content, usage, number)

    def write(self, pages: list[Page], *, overprint: bool = False, title: str | None = None) -> bytes:
        """One PDF holding ``pages`` (fonts subset to the glyphs of all of them, once)."""
        if not pages:
            raise CertificateError("没有可写入的页面")
        prefix = None if overprint else self.prefix
        w = PdfWriter(prefix)
        usage: dict[PdfFont, dict[int, str]] = {}
        for p in pages:
            for font, codes in p.usage.items():
                usage.setdefault(font, {}).update(codes)
        font_refs = []
        for i, (font, codes) in enumerate(sorted(usage.items(), key=lambda kv: self.font_name(kv[0]))):
            tag = _subset_tag(self.font_name(font), i)
            num = font.embed(w, codes, tag)
            font_refs.append(f"/{self.font_name(font)} {num} 0 R")
        res = "<< /Font << %s >>" % " ".join(font_refs)
        if prefix is not None:
            res += " /XObject << /Tpl %d 0 R >>" % prefix.form_number
        res += " /ProcSet [/PDF /Text /ImageB] >>"
        res_num = w.add_raw(res.encode())
        pages_num = w.reserve()
        media = "[0 0 %s %s]" % (_fmt(self.page_w), _fmt(self.page_h))
        kids = []
        for p in pages:
            c = w.add_raw(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(p.content)
                          + p.content + b"\nendstream")
            kids.append(w.add_raw(("<< /Type /Page /Parent %d 0 R /MediaBox %s /Resources %d 0 R "
                                   "/Contents %d 0 R >>" % (pages_num, media, res_num, c)).encode()))
        w.add_raw(("<< /Type /Pages /Kids [%s] /Count %d >>"
                   % (" ".join(f"{k} 0 R" for k in kids), len(kids))).encode(), pages_num)
        info = w.add_dict({
            "Title": pdf_text_string(title or self.spec.title),
            "Producer": "(wuhao certificate engine)",
        })
        root = w.add_dict({"Type": "/Catalog", "Pages": f"{pages_num} 0 R"})
        return w.finish(root, info)


def _subset_tag(name: str, i: int) -> str:
    digest = hashlib.sha1(f"{name}{i}".encode()).digest()
    return "".join(chr(ord("A") + b % 26) for b in digest[:6])


_engines: dict[tuple[str, Path | None], CertificateEngine] = {}
_engines_lock = threading.Lock()


def engine_for(kind: str, cache_dir: Path | None = None) -> CertificateEngine:
    """One engine per kind and cache folder per process (fonts and the static form loaded once);
    without a cache folder the static form is kept in memory only."""
    key = (kind, Path(cache_dir) if cache_dir is not None else None)
    with _engines_lock:
        eng = _engines.get(key)
        if eng is None:
            eng = CertificateEngine(kind, cache_dir)
            _engines[key] = eng
        return eng


def render_pdf(kind: str, context: dict, *, cache_dir: Path | None = None, overprint: bool = False,
               offset_mm: tuple[float, float] = (0.0, 0.0)) -> bytes:
    """One certificate as a PDF (static design + variable text + QR, fonts subset)."""
    eng = engine_for(kind, cache_dir)
    page = eng.prepare(context, overprint=overprint, offset_mm=offset_mm)
    return eng.write([page], overprint=overprint, title=f"{eng.spec.title} {page.number}")
