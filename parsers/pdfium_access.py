"""Every use of pdfium goes through here, under one lock.

pdfium (through pypdfium2) is not thread-safe: two threads inside it at once can crash
the process, and the service parses and previews uploads on several threads. So each
call opens, uses and explicitly closes its objects while holding ``LOCK`` (closing
explicitly also keeps pypdfium2's garbage-collection finalizers from running later
on another thread).
"""
from __future__ import annotations

import io
import threading

import pypdfium2 as pdfium

from . import limits

LOCK = threading.RLock()


def symbol_glyphs(data: bytes, pno: int, page_height: float) -> list[tuple[float, float, str]]:
    """(x centre, y centre from the top, text) of every private-use (U+F0xx) character on
    page ``pno`` (1-based), as pdfium reads it (it honours /ActualText spans)."""
    found = []
    with LOCK:
        pdf = pdfium.PdfDocument(data)
        try:
            page = pdf[pno - 1]
            textpage = page.get_textpage()
            try:
                for i in range(textpage.count_chars()):
                    t = textpage.get_text_range(i, 1)
                    if len(t) == 1 and 0xF000 <= ord(t) <= 0xF0FF:
                        left, bottom, right, top = textpage.get_charbox(i)
                        found.append(((left + right) / 2, page_height - (top + bottom) / 2, t))
            finally:
                textpage.close()
                page.close()
        finally:
            pdf.close()
    return found


def page_sizes(data: bytes, max_pages: int) -> list[dict]:
    """Sizes in points of the first ``max_pages`` pages; [] for a file pdfium cannot open."""
    with LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except Exception:
            return []
        try:
            out = []
            for i in range(min(len(pdf), max_pages)):
                try:
                    page = pdf[i]
                except Exception:
                    break  # a page pdfium cannot load (pdfminer read it): sizes up to there
                w, h = page.get_size()
                page.close()
                out.append({"n": i + 1, "width": w, "height": h})
            return out
        finally:
            pdf.close()


def page_png(data: bytes, n: int, scale: float, max_pages: int) -> bytes | None:
    """Page ``n`` (1-based) as a PNG, or None when there is no such page.

    The scale is lowered so that the image stays within ``limits.MAX_RENDER_PIXELS``: a
    14400 pt page at 1.5x used to take 8.4 s and 4.2 GB, a 200000 pt page a MemoryError."""
    with LOCK:
        pdf = pdfium.PdfDocument(data)
        try:
            if not 1 <= n <= min(len(pdf), max_pages):
                return None
            page = pdf[n - 1]
            width, height = page.get_size()
            bitmap = page.render(scale=limits.render_scale(width, height, scale))
            image = bitmap.to_pil()
            bitmap.close()
            page.close()
        finally:
            pdf.close()
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=6)
    return out.getvalue()
