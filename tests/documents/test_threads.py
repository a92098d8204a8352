"""Documents are rendered on the server's request threads: WeasyPrint is entered by one at a time."""
from __future__ import annotations

import io
import threading
from concurrent.futures import ThreadPoolExecutor

import pdfplumber
import pytest

pytestmark = pytest.mark.slow  # concurrent PDF renders


def _text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return "\n".join(page.extract_text() or "" for page in doc.pages)


def test_concurrent_pdf_renders_are_serialised_and_identical(monkeypatch):
    import weasyprint

    from service.documents import html_render
    from service.documents.registry import render
    from service.documents.samples import sample_context

    kinds = ["rectification-notice", "delisting-notice", "supplement-notice"]
    serial = {k: _text(render(k, sample_context(k), "pdf")) for k in kinds}

    inside, worst = [0], [0]
    counter = threading.Lock()
    real_write = weasyprint.HTML.render

    def watched(self, *args, **kwargs):
        assert html_render.WEASYPRINT_LOCK.locked(), "WeasyPrint entered without the lock"
        with counter:
            inside[0] += 1
            worst[0] = max(worst[0], inside[0])
        try:
            return real_write(self, *args, **kwargs)
        finally:
            with counter:
                inside[0] -= 1

    monkeypatch.setattr(weasyprint.HTML, "render", watched)
    jobs = kinds * 4
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda k: _text(render(k, sample_context(k), "pdf")), jobs))
    assert got == [serial[k] for k in jobs]
    assert worst[0] == 1
