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

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup
from weasyprint import CSS, HTML
from weasyprint.formatting_structure import boxes
from weasyprint.text.fonts import FontConfiguration

from . import fonts, harfbuzz
from . import layout as L
from . import typeset
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
        name = _family_name(key, names.values())
        names[key] = name
        data = harfbuzz.face(*key).subset_text("".join(sorted(need[key])))
        path = _subset_file(data)
        allowed.add(str(path))
        rules.append('@font-face { font-family: "%s"; font-weight: 400; src: url("%s"); }' % (name, path.as_uri()))
    stacks = {}
    for role in fonts.ROLES:
        fams = [f'"{names[k]}"' for k in dict.fromkeys(chains[role]) if k in names]
        stacks[role] = ", ".join(fams + [fonts.ROLES[role].generic])
    weights = {r: 400 for r in fonts.ROLES}  # each subset family holds exactly one face
    return FontPlan(stacks, weights, "\n".join(rules) + "\n", allowed)


def _family_name(key: tuple[str, int], taken) -> str:
    """The CSS family of a subset: the face's PostScript name, so that the PDF embeds it as
    ``ABCDEF+NotoSerifCJKsc-Regular`` instead of an opaque alias."""
    ps = fonts.postscript_name(*key) or "Face"
    base = re.sub(r"[^A-Za-z0-9_-]", "", ps) or "Face"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}{n}"
    return name


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

def _css_values(view_layout: str, plan: FontPlan, tight: bool = False) -> dict:
    """The layout numbers the stylesheet uses.

    ``tight``: when a page would hold only the last lines: tables 15 % closer (the body keeps
    its 22 × 28 grid, which ``wuhao lint`` checks on every page).
    """
    if view_layout == "ledger":
        page = (L.PAGE_HEIGHT_MM, L.PAGE_WIDTH_MM, 20, 20, 20, 20)
    else:
        page = (L.PAGE_WIDTH_MM, L.PAGE_HEIGHT_MM, L.MARGIN_TOP_MM, L.MARGIN_RIGHT_MM,
                L.MARGIN_BOTTOM_MM, L.MARGIN_LEFT_MM)
    ledger = view_layout == "ledger"
    line_pt = L.LINE_PITCH_PT
    table_line = (15.75 if ledger else L.TABLE_LINE_PT) * (L.TIGHT_TABLE_FACTOR if tight else 1)
    body_leading = (line_pt - L.BODY_PT) / 2
    title_leading = (L.TITLE_LINE_PT - L.TITLE_PT) / 2
    return {
        "page_w": page[0], "page_h": page[1], "m_top": page[2], "m_right": page[3],
        "m_bottom": page[4], "m_left": page[5], "page_numbers": True,
        "f": plan.stacks, "w": plan.weights, "red": L.RED_CSS,
        "body_pt": L.BODY_PT, "line_pt": round(line_pt, 3), "ls_pt": L.LETTER_SPACING_PT,
        "indent_pt": round(2 * L.CHAR_PITCH_PT, 2), "title_pt": L.TITLE_PT,
        "title_line_pt": L.TITLE_LINE_PT,
        "mark_pt": L.ORG_MARK_PT, "pn_pt": L.PAGE_NUMBER_PT, "note_pt": L.NOTE_PT,
        "note_line_pt": 24, "sig_pad_pt": round(4 * L.CHAR_PITCH_PT, 2),
        "table_pt": 10.5 if ledger else L.TABLE_PT, "table_line_pt": round(table_line, 2),
        "table_pad_x_mm": L.TABLE_PAD_X_MM, "table_pad_y_mm": L.TABLE_PAD_Y_MM,
        # 版头 (GB/T 9704-2012 7.2), between the ideographs' em boxes: less the half-leadings
        # (and the faces' 0.12 em descent / 0.88 em ascent inside a line box of height 1)
        "mark_gap_pt": round(2 * line_pt - body_leading + 3.7, 2),
        "rule_gap_pt": round(L.mm_to_pt(L.RED_RULE_GAP_MM) - body_leading + 3.4, 2),
        "red_rule_pt": L.RED_RULE_PT,
        "title_gap_pt": round(2 * line_pt - title_leading - 4.5, 2),
        # the dash of "— 1 —" sits 0.5 em + 3 pt below the top of its line box
        "pn_pad_pt": round(L.mm_to_pt(L.PAGE_NUMBER_GAP_MM) - L.PAGE_NUMBER_PT / 2 - 3.1, 2),
    }


def _layout_css(view_layout: str, plan: FontPlan, tight: bool = False) -> str:
    if view_layout == "certificate":
        return ""  # certificates carry their own @page rules
    src = getattr(_tls, "css_src", None)
    if src is None:
        # trusted values only (layout numbers, sanitised family names): no escaping
        src = _tls.css_src = Environment(autoescape=False, undefined=StrictUndefined).from_string(
            (HTML_DIR / "official.css").read_text(encoding="utf-8"))
    return src.render(**_css_values(view_layout, plan, tight))


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
            fonts_note=fonts.substitutes_note(),
            qr_src=_data_uri(view["qr_png"]))
    return _template("official.html").render(v=typeset_view(view))


#: text blocks: the font role their lines are measured in, and whether they start 空二字
_TEXT_BLOCKS = {"p": ("body", True), "item": ("body", True), "attach": ("body", True),
                "h1": ("hei", True), "h2": ("kai", True), "plain": ("body", False)}
#: lines of text kept with the 落款 (GB/T 9704-2012 7.3.5.5)
KEEP_LINES = 2


def typeset_view(view: dict) -> dict:
    """The view with titles broken into balanced lines and text blocks into justified lines.

    The last lines of text (``KEEP_LINES``, with the 附件说明) move to ``keep``, which the
    template holds together with the 落款 so that it never stands alone on a page.
    """
    v = dict(view)
    line_pt = L.mm_to_pt(L.PAGE_HEIGHT_MM - 40 if v.get("layout") == "ledger" else L.TYPE_AREA_WIDTH_MM)

    def prepare(b: dict) -> dict:
        t = b.get("t")
        if t == "image":
            return dict(b, src=_data_uri(b["png"]))
        if t in _TEXT_BLOCKS:
            role, indent = _TEXT_BLOCKS[t]
            lines = typeset.break_lines(b["text"], role, L.BODY_PT, L.LETTER_SPACING_PT, line_pt,
                                        2 * L.CHAR_PITCH_PT if indent else 0.0)
            return dict(b, indent=indent,
                        lines=[(text, round(L.LETTER_SPACING_PT + extra, 3)) for text, extra in lines])
        return b

    blocks = [prepare(b) for b in v.get("blocks") or []]
    keep: list[dict] = []
    # with the 落款, or (without one) so that no last page holds a single line
    need = KEEP_LINES
    while blocks and need > 0 and blocks[-1].get("t") in _TEXT_BLOCKS:
        b = blocks.pop()
        if b["t"] == "attach" or len(b["lines"]) <= need:
            keep.insert(0, b)
            need -= 0 if b["t"] == "attach" else len(b["lines"])
            continue
        blocks.append(dict(b, lines=b["lines"][:-need]))
        keep.insert(0, dict(b, lines=b["lines"][-need:], indent=False))
        need = 0
    v["blocks"], v["keep"] = blocks, keep
    # 版头: the mark's top edge 35 mm below the type area (its size shrinks for long names)
    mark_pt = float(v.get("org_mark_pt") or L.ORG_MARK_PT)
    v["org_mark_top_pt"] = round(L.mm_to_pt(L.ORG_MARK_TOP_MM) - L.ORG_MARK_INSET_EM * mark_pt, 2)
    v["appendix"] = [prepare(b) for b in v.get("appendix") or []]
    # a document drawn with substitute faces says so in its metadata (the PDF's Subject)
    v["fonts_note"] = fonts.substitutes_note()
    return v


def html_to_pdf(html: str, view_layout: str, plan: FontPlan) -> bytes:
    """Lay out and write the PDF; a page left with only a few lines is laid out again tighter.

    GB/T 9704-2012 7.3.5.5: when the 落款 does not fit with the text, adjust the spacing.  The
    落款 is already kept with two lines of text (``keep``); if a page then holds no more than
    that group — or the last page holds at most ``LIGHT_PAGE_LINES`` lines — the document is laid
    out again with closer table rows, and that layout is used if it needs fewer pages.
    """
    with WEASYPRINT_LOCK:
        return _laid_out(html, view_layout, plan)[0].write_pdf()


#: whether a document (its HTML, layout and faces) was laid out tighter, for the last documents of
#: this process: a layout is the same every time, and a document is laid out for its PDF and again
#: for its DOCX (``tables_tightened``), often one after the other; a layout is 0.1 to 0.5 s of CPU
_TIGHTENED: dict[str, bool] = {}
TIGHTENED_KEPT = 256


def _layout_key(html: str, view_layout: str, plan: FontPlan) -> str:
    parts = [view_layout, plan.faces_css, repr(sorted(plan.stacks.items())), html]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _laid_out(html: str, view_layout: str, plan: FontPlan):
    """The layout (normal, or tighter when that saves a page) and whether it is the tighter one."""
    key = _layout_key(html, view_layout, plan)
    known = _TIGHTENED.get(key)
    if known is not None:  # laid out before: only the layout chosen then
        return _layout(html, view_layout, plan, tight=known), known
    document, tightened = _choose_layout(html, view_layout, plan)
    if len(_TIGHTENED) >= TIGHTENED_KEPT:
        _TIGHTENED.pop(next(iter(_TIGHTENED)))
    _TIGHTENED[key] = tightened
    return document, tightened


def _choose_layout(html: str, view_layout: str, plan: FontPlan):
    document = _layout(html, view_layout, plan, tight=False)
    # only table rows can close up (the body keeps its grid): no table, no second layout
    if view_layout == "official" and "<colgroup>" in html and _light_page(document):
        tight = _layout(html, view_layout, plan, tight=True)
        if len(tight.pages) < len(document.pages):
            return tight, True
    return document, False


def tables_tightened(view: dict) -> bool:
    """Whether the PDF of an official document lays its tables out closer (``html_to_pdf``), so
    that its DOCX can say the same line pitch and break its pages where the PDF does."""
    if (view.get("layout") or "official") != "official" or not any(
            b.get("t") == "table" for b in (view.get("blocks") or []) + (view.get("appendix") or [])):
        return False
    plan = plan_for(view)
    html = render_html(view, plan)
    with WEASYPRINT_LOCK:
        known = _TIGHTENED.get(_layout_key(html, "official", plan))
        return known if known is not None else _laid_out(html, "official", plan)[1]


def _layout(html: str, view_layout: str, plan: FontPlan, *, tight: bool):
    fetcher = make_url_fetcher(plan.allowed_files)
    font_config = FontConfiguration()
    faces = CSS(string=plan.faces_css, font_config=font_config, url_fetcher=fetcher)
    doc = HTML(string=html, base_url=None, url_fetcher=fetcher)
    return doc.render(stylesheets=[faces, _layout_stylesheet(view_layout, plan, tight)],
                      font_config=font_config)


#: a last page with this many lines of text or fewer is an orphan page
LIGHT_PAGE_LINES = 4


def _light_page(document) -> bool:
    """True when a page other than the first holds only the 落款 group, or the last page ≤ 4 lines."""
    for number, page in enumerate(document.pages):
        root = page._page_box.children[0] if page._page_box.children else None
        if root is None or number == 0:
            continue
        lines = [b for b in root.descendants() if isinstance(b, boxes.LineBox)]
        classes = {c for b in root.descendants() if b.element is not None
                   for c in (b.element.get("class") or "").split()}
        texts = sum(1 for b in lines if any(isinstance(c, boxes.TextBox) and c.text.strip()
                                             for c in b.descendants()))
        if "keep" in classes and texts <= KEEP_LINES + 2 + 1:
            return True
        if number == len(document.pages) - 1 and texts <= LIGHT_PAGE_LINES:
            return True
    return False


def _layout_stylesheet(view_layout: str, plan: FontPlan, tight: bool = False):
    """The parsed layout CSS; the same text (same stacks) is parsed once per thread."""
    text = _layout_css(view_layout, plan, tight)
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
