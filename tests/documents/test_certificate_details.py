"""Certificates and charts (issue 14): QR quiet zone, loopback public URL warning, chart labels."""
from __future__ import annotations

import io

import pytest

from service.documents.charts import LABEL_PX, bar_chart_png, wrap_label
from service.documents.qr import QUIET_MODULES, loopback_warning, qr_png
from service.documents.registry import render
from service.documents.samples import sample_context

MM = 72 / 25.4


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://localhost:8000/", "http://0.0.0.0:8000",
                                 "http://[::1]/", "http://wuhao.localhost"])
def test_a_loopback_public_url_gets_a_loud_warning(url):
    warning = loopback_warning(url)
    assert warning and url in warning and "WUHAO_PUBLIC_URL" in warning


@pytest.mark.parametrize("url", ["https://wuhao.example.gov.cn", "http://10.1.2.3:8000", "http://192.168.1.5"])
def test_a_reachable_public_url_is_quiet(url):
    assert loopback_warning(url) is None


def test_the_qr_png_has_a_four_module_quiet_zone():
    from PIL import Image

    img = Image.open(io.BytesIO(qr_png("http://wuhao.example.gov.cn/verify/12010001", scale=1))).convert("L")
    dark = [(x, y) for y in range(img.height) for x in range(img.width) if img.getpixel((x, y)) < 128]
    assert min(x for x, _ in dark) == QUIET_MODULES == min(y for _, y in dark) >= 4


def test_the_party_card_qr_code_keeps_four_white_modules_inside_its_box():
    """The batch engine's 党员证 (what the issue measured at 3.2 modules): render, rasterise, measure."""
    import pypdfium2 as pdfium

    from service.certificates.kinds import SPECS
    from service.certificates.qr import qr_rows

    ctx = sample_context("party-card")
    n, _bits = qr_rows(ctx["verify_url"])
    box = SPECS["party-card"].qr
    pdf = pdfium.PdfDocument(render("party-card", ctx, "pdf"))
    scale = 1200 / 72
    img = pdf[0].render(scale=scale).to_pil().convert("L")
    px = scale * MM  # pixels per mm
    x0, y0, size = (round(v * px) for v in (box.x, box.y, box.size))
    dark = [(x, y) for y in range(y0, y0 + size) for x in range(x0, x0 + size) if img.getpixel((x, y)) < 100]
    left = min(x for x, _ in dark) - x0
    top = min(y for _, y in dark) - y0
    module = size / (n + 2 * QUIET_MODULES)
    assert left / module >= 3.8 and top / module >= 3.8, (left / module, top / module)


def test_chart_labels_are_at_least_9_pt_and_stay_in_their_column():
    from PIL import Image

    width_px, printed_mm = 1500, 150
    assert LABEL_PX / (width_px / printed_mm) * 72 / 25.4 >= 9  # px → mm → pt
    labels = ["农村", "非公企业（社会组织）", "窗口单位和服务行业", "机关（事业单位）"]
    lines = wrap_label("窗口单位和服务行业", 160, lambda t: len(t) * LABEL_PX)
    assert len(lines) == 2 and all(len(t) * LABEL_PX <= 160 for t in lines) and lines[1].endswith("…")
    assert wrap_label("农村", 160, lambda t: len(t) * LABEL_PX) == ["农村"]
    png = bar_chart_png(labels, [("已考核", [1, 2, 3, 4]), ("整改已销号", [0, 1, 2, 3])])
    assert Image.open(io.BytesIO(png)).size == (width_px, 620)


def test_a_batch_party_card_without_an_issuer_names_the_committee():
    """发证机关 blank in the batch (no --issuer): the root committee's organisation department."""
    from service.certificates.engine import display_values

    ctx = dict(sample_context("party-card"), issuer="", organisation_path="静海区委 / 大邱庄镇党委 / 大邱庄村党支部")
    assert display_values("party-card", ctx)["issuer"].endswith("中共静海区委组织部")
    ctx["issuer"] = "中共某某组织部"
    assert "中共某某组织部" in display_values("party-card", ctx)["issuer"]


@pytest.mark.parametrize("kind", ["party-card", "honor-certificate"])
def test_a_certificate_docx_says_what_its_pdf_says(kind):
    """The DOCX takes the certificate engine's wording (the PDF's), with the QR code as an image."""
    import docx

    from service.certificates.engine import display_values

    from .helpers import docx_text, pdf_text, squash

    ctx = sample_context(kind)
    data = render(kind, ctx, "docx")
    pdf, words = squash(pdf_text(render(kind, ctx, "pdf"))), squash(docx_text(data))
    for value in display_values(kind, ctx).values():
        if value:
            assert squash(value) in pdf and squash(value) in words, value
    for label in (["姓名", "所在支部", "所属党组织", "入党时间", "证件编号"] if kind == "party-card" else ["荣誉证书"]):
        assert label in pdf and label in words.replace("　", ""), label
    assert len(docx.Document(io.BytesIO(data)).inline_shapes) == 1  # the QR code
