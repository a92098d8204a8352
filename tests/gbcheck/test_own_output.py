"""Our own documents must pass `wuhao lint` (issue 14).  Each kind is rendered from its sample
context (no database) in both formats.  Kinds that still fail are marked xfail(strict=True) with
the rules they break as of the checker's landing; when the documents' renderers are fixed the
test XPASSes, fails, and the mark must go — the list only shrinks.
"""
from __future__ import annotations

import pytest

from service.documents.registry import render
from service.documents.samples import sample_context
from service.gbcheck import lint

KINDS = ["supplement-notice", "acceptance-form", "rectification-notice", "rectification-taskbook",
         "rectification-ledger", "commendation-decision", "delisting-notice", "quarterly-report"]

_PDF_COMMON = "body-font (Noto Serif CJK serves 仿宋), page-number-vertical (12.8 mm), date-position, signature-position"
KNOWN = {
    ("supplement-notice", "pdf"): _PDF_COMMON + ", heading-font, imprint-rule-weight, line-not-flush, signature-alone, "
                                                "title-break",
    ("acceptance-form", "pdf"): "body-font, page-number-vertical, title-break",
    ("rectification-notice", "pdf"): _PDF_COMMON + ", heading-font, imprint-rule-weight, line-not-flush, masthead-position",
    ("rectification-taskbook", "pdf"): _PDF_COMMON + ", imprint-rule-weight, line-not-flush, signature-alone",
    ("commendation-decision", "pdf"): _PDF_COMMON + ", imprint-position, imprint-rule-weight, line-not-flush, "
                                                    "masthead-position, outside-type-area, signature-alone, title-break",
    ("delisting-notice", "pdf"): _PDF_COMMON + ", imprint-rule-weight, line-not-flush, masthead-position",
    ("quarterly-report", "pdf"): _PDF_COMMON + ", line-not-flush, masthead-position, title-break",
    ("acceptance-form", "docx"): "body-font (黑体 考核组意见), paragraph-indent",
    **{(k, "docx"): "imprint-rule-weight (0.18 mm), imprint-rule-width (146 mm)"
       for k in ("supplement-notice", "rectification-notice", "rectification-taskbook", "commendation-decision",
                 "delisting-notice", "quarterly-report")},
}


def _cases():
    for kind in KINDS:
        for fmt in ("pdf", "docx"):
            reason = KNOWN.get((kind, fmt))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(kind, fmt, id=f"{kind}-{fmt}", marks=marks)


@pytest.mark.slow
@pytest.mark.parametrize("kind,fmt", list(_cases()))
def test_our_document_passes_lint(kind, fmt):
    result = lint(render(kind, sample_context(kind), fmt), f"{kind}.{fmt}")
    assert "error" not in result, result["error"]
    assert [p["message"] for p in result["problems"]] == []
