"""Browser: a branch uploads a stamped scan of each blank form (filled from templates_docx/forms/,
printed to an image, stamped, scanned) and sees 识别中, then the right fields with boxes on the
preview (issue 17).

The OCR runs in the local OCR process the upload starts; it waits on a FIFO
(``WUHAO_PARSE_GATE``) so the test sees the pending page for certain, then lets it through —
no sleeps: the page polls the submission and shows the result, and Playwright waits for it.
"""
from __future__ import annotations

import io
import re
import threading
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from tests.parsers.scans.make_scans import DPI, build_scans, load_cases
from tests.parsers.scoring import compare, same
from tests.conftest import SQLITE_ONLY, open_gate
from tests.web.conftest import browser_login, browser_page

pytestmark = [pytest.mark.slow, pytest.mark.browser, SQLITE_ONLY]  # held on the ``gate`` fixture
MIN_SHARE = 0.9  # fields of one form read right (the corpus figure, >= 95%, is test_scan_accuracy's)


@pytest.fixture(scope="session")
def template_scans(request) -> tuple[Path, list]:
    """One stamped scan per blank form (LibreOffice prints them; cached across runs)."""
    base = Path(request.config.cache.mkdir("wuhao-template-scans")) if getattr(request.config, "cache", None) \
        else request.getfixturevalue("tmp_path_factory").mktemp("wuhao-template-scans")
    out = base / "v1"
    if not (out / "scans.json").exists():
        build_scans(out, seed=2417, per_kind=0, templates=1, unseen=0, photos=0)
    return out, load_cases(out)


def _jpeg(pdf: Path, out: Path) -> Path:
    """The scanned page as the JPEG a scanner or phone would send (200 dpi)."""
    doc = pdfium.PdfDocument(pdf.read_bytes())
    try:
        page = doc[0]
        image = page.render(scale=DPI / 72).to_pil().convert("RGB")
        page.close()
    finally:
        doc.close()
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=88, dpi=(DPI, DPI))
    out.write_bytes(buf.getvalue())
    return out


def _open_gate(gate: Path) -> threading.Thread:
    """Let the held OCR through from a thread (opening the FIFO blocks until the OCR process waits on it)."""
    t = threading.Thread(target=open_gate, args=(gate,), daemon=True)
    t.start()
    return t


@pytest.mark.parametrize("kind", ["declaration", "acceptance", "brand"])
def test_a_stamped_scan_shows_pending_then_fields_with_boxes(browser, site, gate, template_scans, kind, tmp_path,
                                                             shots):
    directory, cases = template_scans
    case = next(c for c in cases if c.kind == kind)
    scan = _jpeg(directory / case.effects["file"], tmp_path / f"{kind}盖章扫描件.jpg")
    base = site["base"]
    with browser_page(browser) as page:
        browser_login(page, base, "yusuan", site["password"])
        page.goto(f"{base}/upload")
        assert ".jpg" in page.locator("#file-input").get_attribute("accept")
        page.set_input_files("#file-input", [str(scan)])
        page.click("#upload-button")
        page.wait_for_url(re.compile(r"/submissions/\d+"))
        sub_id = int(re.search(r"/submissions/(\d+)", page.url).group(1))
        # answered at once: the page says 识别中 and shows the progress while the OCR is held
        assert page.locator("#status").inner_text() == "识别中"
        assert page.locator("#ocr-progress").is_visible()
        assert "识别中" in page.locator("#ocr-progress").inner_text()
        assert page.locator("#preview-pending").is_visible()
        shots(page, f"scan-{kind}-pending")
        opener = _open_gate(gate)
        # the page polls and shows the fields once the OCR process committed them
        page.wait_for_selector("#field-table", timeout=300_000)
        # the reloaded page is still being parsed when its table appears: the preview (boxes, image) comes after it
        page.wait_for_load_state()
        opener.join(5)
        assert page.locator("#status").inner_text() == "待审核"
        assert "已盖章" in page.locator("#scan-facts").inner_text()
        body = page.request.get(f"{base}/api/v1/submissions/{sub_id}").json()
        assert body["extraction"]["form"] == kind
        got = body["extraction"]["fields"]
        pairs = list(compare(case.expected, got, case.absent))
        right = [key for key, exp, value in pairs if same(exp, value)]
        assert len(right) >= MIN_SHARE * len(pairs), [(k, e, v) for k, e, v in pairs if k not in right]
        # the right values on the page, each with a box on the scanned page's image
        name = page.locator('tr.field-row[data-field="branch_name"] td.value').inner_text()
        assert case.expected["branch_name"] in name
        assert page.locator(".pdf-page img").count() == 1
        prov = body["extraction"]["provenance"]
        assert all(prov[key]["page"] == 1 and len(prov[key]["bbox"]) == 4 for key in got)
        assert page.locator(".pdf-page .box.src").count() == len(got)  # one box per field read
        assert page.locator('.pdf-page .box.src[data-fields="branch_name"]').count() == 1
        img = page.request.get(f"{base}/api/v1/submissions/{sub_id}/pages/1.png")
        assert img.ok and img.body()[:8] == b"\x89PNG\r\n\x1a\n"
        page.locator('tr.field-row[data-field="branch_name"]').hover()
        assert "active" in page.locator('.pdf-page .box.src[data-fields="branch_name"]').get_attribute("class")
        shots(page, f"scan-{kind}-read")
