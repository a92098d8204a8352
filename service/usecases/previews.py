"""The preview of a submission: its blocks (paragraphs, tables) with the fields each is the source of."""
from __future__ import annotations

from sqlalchemy.orm import Session

from parsers.errors import ParseError
from parsers.model import Doc, Para

from .. import db, parsing
from ..config import Settings
from ..errors import Busy, Invalid, NotFound
from ..models import Submission
from ..storage import FileStore

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


def build(doc: Doc, pages: list[dict], provenance: dict) -> dict:
    """The document as blocks (paragraphs and tables) with the fields each block is the source of.

    DOCX values point at a table cell or a paragraph by index; PDF values carry a page and a box,
    matched to the block whose box holds them.
    """
    provs = [(f, p) for f, p in (provenance or {}).items() if isinstance(p, dict)]

    def fields_at(loc: dict) -> list[str]:
        if "bbox" in loc:
            return [f for f, p in provs if _inside(p, loc)]
        key = _key(loc)
        return [f for f, p in provs if "bbox" not in p and _key(p) == key and key]

    boxes = []
    if doc.source == "pdf":
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


def of_submission(session: Session, store: FileStore, settings: Settings, sub: Submission) -> dict:
    """The preview of a stored submission, from the parse cache (``service.parsing``): a view
    never parses the file again. A missing file or an unreadable one is said, not raised."""
    latest = sub.extractions[-1] if sub.extractions else None
    provenance = latest.provenance if latest is not None else {}
    scan = (latest.scan if latest is not None else None) or {}
    status = sub.status
    errors = list(latest.errors or []) if latest is not None else []
    db.release(session)  # no transaction is held while a file may be read
    if status == "recognising":
        return {"blocks": [], "pages": [], "boxes": [], "pending": True}
    try:
        if scan.get("model_sha256"):  # a scan: the model OCR built, with boxes on the page images
            doc, pages = parsing.stored_model(lambda: store.read_bytes(scan["model_sha256"]))
            error = None
        elif status == "unreadable":
            return {"blocks": [], "pages": [], "boxes": [],
                    "error": errors[0]["message"] if errors else "扫描件未能识别。"}
        else:
            doc, pages, error = parsing.document(settings, sub.sha256, lambda: store.read_bytes(sub.sha256))
    except OSError:
        return {"blocks": [], "error": "原文件不可用。"}
    if doc is None:
        return {"blocks": [], "pages": [], "boxes": [], "error": error["message"] if error else "无法生成预览。"}
    return build(doc, pages, provenance)


def page_png(session: Session, store: FileStore, settings: Settings, sub: Submission, n: int) -> bytes:
    """Page ``n`` of a stored PDF as a PNG (capped in pixels, drawn in the sandbox, cached)."""
    db.release(session)
    try:
        png = parsing.page_image(settings, sub.sha256, n, lambda: store.read_bytes(sub.sha256))
    except ParseError as exc:
        raise (Busy if exc.code == "parse_busy" else Invalid)(exc.message, exc.code) from None
    except OSError:
        raise NotFound("原文件不可用。") from None
    if png is None:
        raise NotFound("没有这一页。")
    return png
