"""Does a file need OCR? Cheap: an image does; a PDF does when no page has a character."""
from __future__ import annotations

import pypdfium2 as pdfium

from ..pdfium_access import LOCK as PDFIUM_LOCK
from ..safety import image_kind

MAX_PAGES_PROBED = 50


def needs_ocr(data: bytes) -> bool:
    """True for JPEG/PNG/TIFF and for PDFs whose first pages carry no text (a few ms)."""
    if image_kind(data):
        return True
    if b"%PDF-" not in data[:1024]:
        return False
    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except Exception:
            return False
        try:
            for i in range(min(len(pdf), MAX_PAGES_PROBED)):
                page = pdf[i]
                try:
                    tp = page.get_textpage()
                    try:
                        if tp.get_text_range().strip():
                            return False
                    finally:
                        tp.close()
                finally:
                    page.close()
            return True
        finally:
            pdf.close()
