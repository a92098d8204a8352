"""The pages of a checked file as images with each problem's box, for the web page.

Images come from pdfium under the project's lock (``parsers.pdfium_access``); boxes are the
problems' millimetre boxes turned into percentages of the page, so the page can scale freely.
"""
from __future__ import annotations

import base64

from parsers.pdfium_access import page_png, page_sizes

from .standard import PT

MAX_PAGES = 12
"""A clerk reads the first dozen pages on screen; twelve 86-dpi PNGs are about 1.5 MB of HTML."""
SCALE = 1.2
"""86 dpi: 10 pt body text is legible and a 0.25 mm rule still shows."""
PAD = 1.0  # mm around a box, so a thin rule's box can be seen


def annotated(result: dict, pdf: bytes | None) -> dict:
    """``{"pages": [{n, width, height, src, boxes: [{n, left, top, width, height, message}]}],
    "more": pages not shown, "unplaced": [problem numbers without a page box]}``."""
    problems = result.get("problems") or []
    out = {"pages": [], "more": 0, "unplaced": [i for i, p in enumerate(problems, 1) if not p.get("box")]}
    if pdf is None:
        return out
    sizes = page_sizes(pdf, 10_000)
    out["more"] = max(0, len(sizes) - MAX_PAGES)
    for size in sizes[:MAX_PAGES]:
        png = page_png(pdf, size["n"], SCALE, MAX_PAGES)
        if png is None:
            continue
        w_mm, h_mm = size["width"] * PT, size["height"] * PT
        boxes = []
        for i, p in enumerate(problems, 1):
            if p.get("page") != size["n"] or not p.get("box"):
                continue
            x0, top, x1, bottom = p["box"]
            x0, top, x1, bottom = max(x0 - PAD, 0), max(top - PAD, 0), min(x1 + PAD, w_mm), min(bottom + PAD, h_mm)
            boxes.append({"n": i, "message": p["message"], "left": round(100 * x0 / w_mm, 2),
                          "top": round(100 * top / h_mm, 2), "width": round(100 * (x1 - x0) / w_mm, 2),
                          "height": round(100 * (bottom - top) / h_mm, 2)})
        out["pages"].append({"n": size["n"], "width": round(size["width"]), "height": round(size["height"]),
                             "src": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
                             "boxes": boxes})
    return out
