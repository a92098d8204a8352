"""PDF renderer: the document view through a sandboxed Jinja HTML template and WeasyPrint.

* ``<html lang="zh-CN">``; only subsets of the faces are embedded.
* Faces come from :mod:`fonts` (font directory first, then the Debian substitutes).  Each
  role's CSS stack is its face followed by glyph-fallback faces, so rare characters (䶮, 𠮷)
  take a glyph from the next face that has one instead of a missing-glyph box.
* Fast path (:mod:`harfbuzz`): before layout, every face the document may need is cut down
  to the document's characters and given to WeasyPrint as a ``data:`` ``@font-face``: no
  20 MB collection is read per document and the embedded subsets stay a few KB.
* The URL fetcher refuses everything but our own ``data:`` URIs and the font files named by
  the font module.
"""

from __future__ import annotations

import atexit
import base64
import hashlib
import re
import shutil
import tempfile
import threading
from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from . import fonts, harfbuzz
from . import layout as L
from .safety import make_url_fetcher

HTML_DIR = Path(__file__).resolve().parent / "html"

_tls = threading.local()
# WeasyPrint drives Pango and fontconfig, which are not safe to enter from two threads at
# once (crashes are reported upstream); the service renders on several request threads, so
# every WeasyPrint layout in this process takes this lock (batches use processes instead).
WEASYPRINT_LOCK = threading.Lock()
_SAFE_FAMILY = re.compile(r'[^\w \-\u3000-\u9fff\uf900-\ufaff",]')
#: characters drawn by the stylesheet (page numbers) rather than the view
STATIC_CHARS = "— 0123456789"


def _template(name: str):
    env = getattr(_tls, "env", None)
    if env is None:
        env = ImmutableSandboxedEnvironment(loader=FileSystemLoader(str(HTML_DIR)), autoescape=True)
        _tls.env = env
    return env.get_template(name)


# --------------------------------------------------------------------------- font plans

class FontPlan:
    """CSS font stacks per role plus the @font-face rules that back them."""

    def __init__(self, stacks: dict[str, str], weights: dict[str, int], faces_css: str,
                 allowed_files: set[str]):
        self.stacks = {k: Markup(_SAFE_FAMILY.sub("", v)) for k, v in stacks.items()}
        self.weights = weights
        self.faces_css = faces_css
        self.allowed_files = allowed_files


def system_plan() -> FontPlan:
    """Faces by fontconfig family name (no per-document subsetting)."""
    stacks = {r: fonts.css_font_stack(r) for r in fonts.ROLES}
    weights = {r: fonts.resolve_font(r).weight for r in fonts.ROLES}
    return FontPlan(stacks, weights, fonts.css_font_faces(), fonts.allowed_font_files())


def _chain(role: str) -> list[fonts.ResolvedFont]:
    return [f for f in [fonts.resolve_font(role)] + fonts.fallback_chain(role) if f.path]


def subset_plan(texts: dict[str, str] | str) -> FontPlan:
    """Per-document subsets of every face the roles use.

    ``texts`` maps a role to the text drawn in it (or one string for every role).  A role's
    characters go to the first face of its chain that has them; what no face of the chain has is
    left to the generic family.  Faces shared by several roles get one subset.
    """
    if isinstance(texts, str):
        texts = {role: texts for role in fonts.ROLES}
    need: dict[tuple[str, int], set[str]] = {}
    order: list[tuple[str, int]] = []
    chains: dict[str, list[tuple[str, int]]] = {}
    for role in fonts.ROLES:
        remaining = {c for c in texts.get(role, "") if not c.isspace()} | {" "}
        chain = []
        for face in _chain(role):
            key = (face.path, face.index)
            chain.append(key)
            if key not in need:
                need[key] = set()
                order.append(key)
            cmap = fonts._cmap(face.path, face.index)
            covered = {c for c in remaining if ord(c) in cmap}
            need[key] |= covered
            remaining -= covered
        chains[role] = chain
    names: dict[tuple[str, int], str] = {}
    rules: list[str] = []
    allowed: set[str] = set()
    for key in order:
        if not need[key] - {" "}:
            continue
        name = f"whf{len(names)}"
        names[key] = name
        data = harfbuzz.face(*key).subset_text("".join(sorted(need[key])))
        path = _subset_file(data)
        allowed.add(str(path))
        rules.append('@font-face { font-family: "%s"; src: url("%s"); }' % (name, path.as_uri()))
    stacks = {}
    for role in fonts.ROLES:
        fams = [f'"{names[k]}"' for k in dict.fromkeys(chains[role]) if k in names]
        stacks[role] = ", ".join(fams + [fonts.ROLES[role].generic])
    weights = {r: 400 for r in fonts.ROLES}  # each subset family holds exactly one face
    return FontPlan(stacks, weights, "\n".join(rules) + "\n", allowed)


def role_texts(view: dict) -> dict[str, str]:
    """The text each font role draws in a view (the layout's mapping of blocks to faces)."""
    if view.get("layout") in ("honor-certificate", "party-card"):
        parts: list[str] = []
        _view_text(view, parts)
        everything = "".join(parts)
        return {role: everything for role in fonts.ROLES}
    out = {role: [] for role in fonts.ROLES}
    out["title"] += [view.get("title", ""), view.get("org_mark", "")]
    out["song"].append(STATIC_CHARS)
    out["body"] += [view.get(k, "") for k in ("number", "addressee", "signature", "date", "copy_to",
                                                 "printer", "printed_on")]
    for b in (view.get("blocks") or []) + (view.get("appendix") or []):
        t = b.get("t")
        if t == "table":
            out["hei"] += b.get("headers", [])
            out["body"] += [c for row in b.get("rows", []) for c in row]
        elif t in ("h1", "hei"):
            out["hei"].append(b.get("text", ""))
        elif t == "h2":
            out["kai"].append(b.get("text", ""))
        elif t == "title2":
            out["title"].append(b.get("text", ""))
        elif "text" in b:
            out["body"].append(b["text"])
    return {role: "".join(v) for role, v in out.items()}


_subset_dir: Path | None = None
_subset_lock = threading.Lock()
SUBSET_FILES_KEPT = 512


def _subset_file(data: bytes) -> Path:
    """Write a subset font to this process's cache directory, named by its content.

    A file (not a data: URI) because tinycss2 tokenises a long quoted string slowly; the URL
    fetcher serves exactly these files.
    """
    global _subset_dir

    with _subset_lock:
        if _subset_dir is None or not _subset_dir.is_dir():
            _subset_dir = Path(tempfile.mkdtemp(prefix="wuhao-fonts-"))
            atexit.register(shutil.rmtree, _subset_dir, True)
        path = _subset_dir / (hashlib.sha256(data).hexdigest()[:32] + (".otf" if data[:4] == b"OTTO" else ".ttf"))
        if not path.exists():
            files = sorted(_subset_dir.iterdir(), key=lambda p: p.stat().st_mtime)
            for old in files[:max(0, len(files) - SUBSET_FILES_KEPT)]:
                old.unlink(missing_ok=True)
            tmp = path.with_suffix(".part")
            tmp.write_bytes(data)
            tmp.replace(path)
    return path


def _view_text(obj, out: list[str]) -> None:
    if isinstance(obj, str):
        out.append(obj)
    elif isinstance(obj, dict):
        for v in obj.values():
            _view_text(v, out)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            _view_text(v, out)


def plan_for(view: dict) -> FontPlan:
    if harfbuzz.available():
        return subset_plan(role_texts(view))
    return system_plan()


# --------------------------------------------------------------------------- rendering

def _css_values(view_layout: str, plan: FontPlan) -> dict:
    if view_layout == "ledger":
        page = (L.PAGE_HEIGHT_MM, L.PAGE_WIDTH_MM, 20, 20, 20, 20)
    else:
        page = (L.PAGE_WIDTH_MM, L.PAGE_HEIGHT_MM, L.MARGIN_TOP_MM, L.MARGIN_RIGHT_MM,
                L.MARGIN_BOTTOM_MM, L.MARGIN_LEFT_MM)
    ledger = view_layout == "ledger"
    return {
        "page_w": page[0], "page_h": page[1], "m_top": page[2], "m_right": page[3],
        "m_bottom": page[4], "m_left": page[5], "page_numbers": True,
        "f": plan.stacks, "w": plan.weights, "red": L.RED,
        "body_pt": L.BODY_PT, "line_pt": L.LINE_PITCH_PT, "ls_pt": L.LETTER_SPACING_PT,
        "indent_pt": round(2 * L.CHAR_PITCH_PT, 2), "title_pt": L.TITLE_PT, "title_line_pt": 35,
        "mark_pt": L.ORG_MARK_PT, "pn_pt": L.PAGE_NUMBER_PT, "note_pt": L.NOTE_PT,
        "note_line_pt": 24, "sig_pad_pt": round(4 * L.CHAR_PITCH_PT, 2),
        "table_pt": 10.5 if ledger else L.TABLE_PT, "table_line_pt": 15.75 if ledger else 18,
    }


def _layout_css(view_layout: str, plan: FontPlan) -> str:
    if view_layout == "certificate":
        return ""  # certificates carry their own @page rules
    src = getattr(_tls, "css_src", None)
    if src is None:
        # trusted values only (layout numbers, sanitised family names): no escaping
        src = _tls.css_src = Environment(autoescape=False).from_string(
            (HTML_DIR / "official.css").read_text(encoding="utf-8"))
    return src.render(**_css_values(view_layout, plan))


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def render_html(view: dict, plan: FontPlan | None = None, *, overprint: bool = False,
                offset_mm=(0.0, 0.0)) -> str:
    plan = plan or system_plan()
    if view.get("layout") in ("honor-certificate", "party-card"):
        size = L.HONOR_CERT_SIZE_MM if view["layout"] == "honor-certificate" else L.PARTY_CARD_SIZE_MM
        return _template("certificate.html").render(
            v=view, f=plan.stacks, w=plan.weights, red=L.RED, page_w=size[0], page_h=size[1],
            overprint=overprint, dx=float(offset_mm[0]), dy=float(offset_mm[1]),
            qr_src=_data_uri(view["qr_png"]))
    v = dict(view)
    blocks = []
    for b in v.get("blocks") or []:
        if b.get("t") == "image":
            b = dict(b)
            b["src"] = _data_uri(b["png"])
        blocks.append(b)
    v["blocks"] = blocks
    return _template("official.html").render(v=v)


def html_to_pdf(html: str, view_layout: str, plan: FontPlan) -> bytes:
    fetcher = make_url_fetcher(plan.allowed_files)
    with WEASYPRINT_LOCK:
        font_config = FontConfiguration()
        faces = CSS(string=plan.faces_css, font_config=font_config, url_fetcher=fetcher)
        doc = HTML(string=html, base_url=None, url_fetcher=fetcher)
        return doc.write_pdf(stylesheets=[faces, _layout_stylesheet(view_layout, plan)],
                             font_config=font_config)


def _layout_stylesheet(view_layout: str, plan: FontPlan):
    """The parsed layout CSS; the same text (same stacks) is parsed once per thread."""
    text = _layout_css(view_layout, plan)
    cache = getattr(_tls, "layout_css", None)
    if cache is None:
        cache = _tls.layout_css = {}
    css = cache.get(text)
    if css is None:
        if len(cache) > 32:
            cache.clear()
        css = cache[text] = CSS(string=text, url_fetcher=make_url_fetcher(set()))
    return css


def render_pdf(view: dict, *, overprint: bool = False, offset_mm=(0.0, 0.0)) -> bytes:
    """The PDF bytes of a document view."""
    plan = plan_for(view)
    html = render_html(view, plan, overprint=overprint, offset_mm=offset_mm)
    layout_name = "certificate" if view.get("layout") in ("honor-certificate", "party-card") \
        else (view.get("layout") or "official")
    return html_to_pdf(html, layout_name, plan)
