"""Scans and photos of forms: OCR inside the service, offline (RapidOCR, PP-OCRv4 ONNX models).

``read_scan(data, name, limits)`` is the whole parse of a scan (a ParseResult, the image's facts
in ``result.scan``): ``read_scan_doc`` gives the same Doc model the DOCX and text-PDF readers
give, and ``parsers.api.extract_into`` classifies it and extracts the fields as for any file.
``needs_ocr(data)`` tells in milliseconds whether a file would need OCR (an image, or a PDF
without text), e.g. to answer an upload at once and OCR it later in a worker;
``parse_with_ocr`` picks the text readers or OCR by that test.
"""
from .engine import OcrUnavailable, loads as model_loads
from .reader import parse_with_ocr, read_scan, read_scan_document
from .scan import Limits, ScanFacts, image_kind, read_scan_doc
from .textlayer import needs_ocr

__all__ = ["Limits", "ScanFacts", "OcrUnavailable", "image_kind", "model_loads", "needs_ocr", "parse_with_ocr", "read_scan",
           "read_scan_doc", "read_scan_document"]
