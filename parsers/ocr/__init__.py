"""Scans and photos of forms: OCR inside the service, offline (RapidOCR, PP-OCRv4 ONNX models).

``read_scan_doc(data, limits)`` gives the same Doc model the DOCX and text-PDF readers give, so
a scan goes through the same classification and field extraction; ``parsers.read_scan`` is
the whole parse of a scan (a ParseResult with the image's facts in ``scan``). Use
``needs_ocr(data)`` to tell cheaply whether a file would need OCR (an image, or a PDF without
text), e.g. to answer an upload at once and OCR it later in a worker.
"""
from .engine import OcrUnavailable
from .scan import Limits, ScanFacts, image_kind, read_scan_doc
from .textlayer import needs_ocr

__all__ = ["Limits", "ScanFacts", "OcrUnavailable", "image_kind", "needs_ocr", "read_scan_doc"]
