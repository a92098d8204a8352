"""Blank forms to download, and the document preview with the source of each value."""
from __future__ import annotations

from pathlib import Path

from flask import send_file

from .. import auth
from ..db import get_session
from ..errors import ApiError
from ..storage import current_store
from ..vocabulary import FORM_TITLES
from . import bp
from .submissions import load_submission

# Form kind -> what the download list says about it. File names and titles come from the
# field contract (parsers.blank_forms / parsers.forms), the single source for the forms.
DESCRIPTIONS = {
    "declaration": f"{FORM_TITLES['declaration']}（SZ-2.1，偶数年3月报送）",
    "acceptance": f"{FORM_TITLES['acceptance']}（SZ-2.3，奇数年3月底前报送，附约2500字汇报材料）",
    "brand": f"社区{FORM_TITLES['brand']}（SQ-3）",
}
MEDIA_TYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               "pdf": "application/pdf"}


def form_path(kind: str, fmt: str = "docx") -> Path:
    from parsers.blank_forms import path_for

    if kind not in DESCRIPTIONS or fmt not in MEDIA_TYPES:
        raise ApiError("not_found", "没有这种空白表格。", 404)
    path = path_for(kind).with_suffix(f".{fmt}")
    if not path.is_file():
        raise ApiError("not_found", "该空白表格暂不可用，请联系管理员。", 404)
    return path


def form_list() -> list[dict]:
    from parsers.blank_forms import path_for

    return [{"kind": k, "title": path_for(k).stem, "description": d,
             "url": f"/api/v1/forms/{k}.docx", "pdf_url": f"/api/v1/forms/{k}.pdf"}
            for k, d in DESCRIPTIONS.items()]


@bp.get("/forms")
def list_forms():
    auth.require_user()
    return {"items": form_list()}


@bp.get("/forms/<kind>.<fmt>")
def download_form(kind: str, fmt: str):
    """A blank form (DOCX to fill in, or its PDF print) — the readers read both perfectly."""
    auth.require_user()
    path = form_path(kind, fmt)
    return send_file(path, mimetype=MEDIA_TYPES[fmt], as_attachment=True, download_name=path.name)


# --- preview -----------------------------------------------------------------------------

_PROV_KEYS = ("source", "table", "row", "cell", "paragraph", "page", "line")


def _key(loc: dict) -> tuple:
    return tuple((k, loc.get(k)) for k in _PROV_KEYS if k in loc)


def _inside(prov: dict, loc: dict) -> bool:
    """A PDF value's box lies in the block's box (its centre, on the same page)."""
    pb, lb = prov.get("bbox"), loc.get("bbox")
    if not (isinstance(pb, list) and isinstance(lb, list) and len(pb) == 4 and len(lb) == 4):
        return False
    if prov.get("page") != loc.get("page"):
        return False
    cx, cy = (pb[0] + pb[2]) / 2, (pb[1] + pb[3]) / 2
    return lb[0] - 0.5 <= cx <= lb[2] + 0.5 and lb[1] - 0.5 <= cy <= lb[3] + 0.5


def build_preview(data: bytes, provenance: dict) -> dict:
    """The document as blocks (paragraphs and tables) with the fields each block is the source of.

    DOCX values point at a table cell or a paragraph by index; PDF values carry a page and a box,
    matched to the block whose box holds them.
    """
    from parsers.api import read_doc_model
    from parsers.model import Para
    from parsers.result import ParseResult

    try:
        doc = read_doc_model(data, ParseResult(file=""))
    except Exception:
        return {"blocks": [], "error": "无法生成预览。"}
    provs = [(f, p) for f, p in (provenance or {}).items() if isinstance(p, dict)]

    def fields_at(loc: dict) -> list[str]:
        if "bbox" in loc:
            return [f for f, p in provs if _inside(p, loc)]
        key = _key(loc)
        return [f for f, p in provs if "bbox" not in p and _key(p) == key and key]

    pages, boxes = [], []
    if doc.source == "pdf":
        pages = pdf_page_sizes(data)
        for f, p in provs:
            bbox = p.get("bbox")
            if isinstance(bbox, list) and len(bbox) == 4 and isinstance(p.get("page"), int) \
                    and 1 <= p["page"] <= len(pages):
                w, h = pages[p["page"] - 1]["width"], pages[p["page"] - 1]["height"]
                pad = 2.0
                boxes.append({"field": f, "page": p["page"],
                              "left": round(100 * max(bbox[0] - pad, 0) / w, 2),
                              "top": round(100 * max(bbox[1] - pad, 0) / h, 2),
                              "width": round(100 * (bbox[2] - bbox[0] + 2 * pad) / w, 2),
                              "height": round(100 * (bbox[3] - bbox[1] + 2 * pad) / h, 2)})
    blocks = []
    for block in doc.blocks or doc.paragraphs:
        if isinstance(block, Para):
            if block.text.strip():
                blocks.append({"type": "p", "text": block.text, "heading": bool(block.style.lower().startswith("heading")
                                                                             or block.centered),
                               "fields": fields_at(block.loc)})
        else:
            rows = []
            for _r, cells in block.rows().items():
                rows.append([{"text": c.text, "rowspan": c.rowspan, "colspan": c.colspan,
                              "fields": fields_at(c.loc)} for c in cells])
            blocks.append({"type": "table", "rows": rows})
        if len(blocks) > 400:
            blocks.append({"type": "p", "text": "……（预览仅显示前 400 段）", "fields": []})
            break
    return {"blocks": blocks, "pages": pages, "boxes": boxes}


MAX_PREVIEW_PAGES = 20


def pdf_page_sizes(data: bytes) -> list[dict]:
    """Page sizes (points) of a PDF, for placing the source boxes over the page images."""
    from parsers.pdfium_access import page_sizes

    return page_sizes(data, MAX_PREVIEW_PAGES)


def pdf_page_png(data: bytes, n: int, scale: float = 1.5) -> bytes:
    from parsers.pdfium_access import page_png

    png = page_png(data, n, scale, MAX_PREVIEW_PAGES)
    if png is None:
        raise ApiError("not_found", "没有这一页。", 404)
    return png


@bp.get("/submissions/<int:submission_id>/pages/<int:n>.png")
def submission_page_image(submission_id: int, n: int):
    """One page of a PDF submission as an image (for the preview with source boxes)."""
    from flask import Response

    user = auth.require_user()
    db = get_session()
    sub = load_submission(db, user, submission_id)
    if sub.media_type != "pdf":
        raise ApiError("not_found", "只有 PDF 材料提供页面图像。", 404)
    png = pdf_page_png(current_store().path_for(sub.sha256).read_bytes(), n)
    return Response(png, mimetype="image/png", headers={"Cache-Control": "private, max-age=3600"})


@bp.get("/submissions/<int:submission_id>/preview")
def submission_preview(submission_id: int):
    user = auth.require_user()
    db = get_session()
    sub = load_submission(db, user, submission_id)
    prov = sub.extractions[-1].provenance if sub.extractions else {}
    data = current_store().path_for(sub.sha256).read_bytes()
    return build_preview(data, prov)
