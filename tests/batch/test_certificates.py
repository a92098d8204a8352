"""The certificate PDF engine: text, size, subsetting, pixels of single vs merged pages, DOCX."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from service.certificates import CertificateError, engine_for, render_pdf
from service.certificates.docx import render_docx

CARD = {"number": "12010007", "name": "欧阳䶮", "branch_name": "大邱庄村党支部",
        "organisation_path": "静海区委 / 大邱庄镇党委", "joined_on": "1998-07-01",
        "issued_on": "2025-06-28", "issuer": "中共静海区委组织部",
        "verify_url": "http://127.0.0.1:8000/verify/12010007"}
HONOR = {"number": "WH20250003", "branch_name": "市财政局预算科党支部", "parent_org": "市财政局机关党委",
         "title": "市直机关五好党支部", "term": "2025—2029", "issuer": "中共市直机关工委",
         "issued_on": "2025-06-28", "verify_url": "http://127.0.0.1:8000/verify/WH20250003"}


def test_static_design_cache_is_written_through_the_store(tmp_path, monkeypatch):
    """The cache folder comes from the caller (the settings), never from the environment."""
    from service.certificates import static
    from service.certificates.engine import CertificateEngine

    monkeypatch.setattr(static, "_memory", {})  # this process may hold the form already

    cache = tmp_path / "cache"
    first = CertificateEngine("party-card", cache).write([engine_for("party-card", cache).prepare(CARD)])
    names = sorted(p.suffix for p in cache.iterdir() if p.is_file())
    assert names == [".pdf", ".pickle"]
    assert not [p for p in cache.rglob(".tmp-*")]
    again = CertificateEngine("party-card", cache).write([engine_for("party-card", cache).prepare(CARD)])
    assert again == first


@pytest.mark.slow
def test_static_form_is_the_same_bytes_in_every_process(tmp_path):
    """Two worker processes that load one stored design must splice the same objects, or a
    certificate's bytes depend on which process drew it (CI saw this: pikepdf gives a
    dictionary's keys as a set, in hash-seed order)."""
    from service.certificates import static

    source = static.weasyprint_pdf("<p style='font-family:Noto Serif CJK SC'>党员证 <b>发证机关</b></p>")
    pdf = tmp_path / "design.pdf"
    pdf.write_bytes(source)
    code = ("import hashlib, pickle, sys; from pathlib import Path; from service.certificates.static import "
            "extract_form; print(hashlib.sha256(pickle.dumps(extract_form(Path(sys.argv[1]).read_bytes()))).hexdigest())")
    root = Path(__file__).resolve().parents[2]
    digests = {subprocess.run([sys.executable, "-c", code, str(pdf)], cwd=root, capture_output=True, text=True,
                              check=True, env=dict(os.environ, PYTHONHASHSEED=str(seed))).stdout
               for seed in (1, 2, 3)}
    assert len(digests) == 1, digests


def _text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return doc.pages[0].extract_text()


def test_party_card_text_is_extractable_and_small():
    pdf = render_pdf("party-card", CARD)
    text = _text(pdf)
    for expected in ("中国共产党党员证", "欧阳䶮", "大邱庄村党支部", "1998年7月1日", "2025年6月28日", "12010007",
                     "中共静海区委组织部"):
        assert expected in text
    assert len(pdf) <= 60 * 1024
    doc = pikepdf.open(io.BytesIO(pdf))
    page = doc.pages[0]
    w, h = float(page.mediabox[2]), float(page.mediabox[3])
    assert round(w / 72 * 25.4) == 130 and round(h / 72 * 25.4) == 90
    # every embedded font is a subset (tagged) and small
    for obj in doc.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
            name = str(obj.FontName)
            assert name[7] == "+", name
            ff = obj.get("/FontFile2") or obj.get("/FontFile3")
            assert len(ff.read_raw_bytes()) < 20 * 1024


def test_honor_certificate_is_a4_landscape_with_body_text():
    pdf = render_pdf("honor-certificate", HONOR)
    text = _text(pdf).replace("\n", "")
    assert "荣誉证书" in text.replace(" ", "")
    assert "市直机关五好党支部" in text and "2025—2029" in text and "WH20250003" in text
    doc = pikepdf.open(io.BytesIO(pdf))
    assert round(float(doc.pages[0].mediabox[2]) / 72 * 25.4) == 297


def test_missing_fields_are_refused():
    with pytest.raises(CertificateError, match="name"):
        render_pdf("party-card", dict(CARD, name=""))
    with pytest.raises(CertificateError):
        render_pdf("diploma", CARD)


def test_qr_code_points_to_verify_url():
    page = engine_for("party-card").prepare(dict(CARD, verify_url="http://example.test/verify/12010007"))
    import zlib

    content = zlib.decompress(page.content).decode("latin-1")
    assert "/IM true" in content and "BI" in content
    import segno

    qr = segno.make("http://example.test/verify/12010007", error="m", micro=False, mask=0, boost_error=False)
    n = len(qr.matrix)
    assert f"/W {n} /H {n}" in content
    rows = "".join((sum((1 if v else 0) << (n - 1 - j) for j, v in enumerate(r)) << ((-n) % 8))
                   .to_bytes((n + 7) // 8, "big").hex() for r in qr.matrix)
    assert rows in content  # the very modules segno makes for this URL


@pytest.mark.parametrize("url", ["x", "http://127.0.0.1:8000/verify/01030001", "https://dangjian.example.gov.cn"
                                 "/verify/WH20250017", "http://a/" + "z" * 150, "a" * 13, "a" * 14])
def test_fast_qr_encoder_matches_segno(url):
    import segno

    from service.certificates.qr import qr_rows

    n, rows = qr_rows(url)
    ref = segno.make(url, error="m", micro=False, mask=0, boost_error=False, mode="byte")
    assert n == len(ref.matrix)
    assert rows == [sum((1 if v else 0) << (n - 1 - j) for j, v in enumerate(r)) for r in ref.matrix]


def test_overprint_has_no_static_design_and_shifts():
    pdf = render_pdf("party-card", CARD, overprint=True, offset_mm=(1.5, -2.0))
    text = _text(pdf)
    assert "欧阳䶮" in text and "中国共产党党员证" not in text
    doc = pikepdf.open(io.BytesIO(pdf))
    content = doc.pages[0].Contents.read_bytes().decode("latin-1")
    assert "/Tpl" not in content
    assert content.startswith("q 1 0 0 1 4.25 5.67 cm")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm missing")
def test_merged_volume_pages_are_pixel_identical_to_single_certificates(tmp_path):
    eng = engine_for("party-card")
    people = ["王建国", "李秀英", "欧阳䶮", "司马相如", "张伟"]
    contexts = [dict(CARD, number=f"1201{i + 1:04d}", name=n, branch_name=b)
                for i, (n, b) in enumerate(zip(people, ["大邱庄村党支部", "尧舜度假村党支部", "城关社区党支部",
                                                        "光明社区党支部", "区医院党支部"]))]
    merged = eng.write([eng.prepare(c) for c in contexts])
    (tmp_path / "merged.pdf").write_bytes(merged)
    for i, c in enumerate(contexts, start=1):
        (tmp_path / f"s{i}.pdf").write_bytes(render_pdf("party-card", c))
        a = subprocess.run(["pdftoppm", "-r", "120", "-gray", "-f", str(i), "-l", str(i),
                            str(tmp_path / "merged.pdf")], capture_output=True, check=True).stdout
        b = subprocess.run(["pdftoppm", "-r", "120", "-gray", str(tmp_path / f"s{i}.pdf")],
                           capture_output=True, check=True).stdout
        assert a == b, f"page {i} differs"
    # and the names really are different pixels (the comparison can fail)
    a = subprocess.run(["pdftoppm", "-r", "120", "-gray", str(tmp_path / "s1.pdf")], capture_output=True).stdout
    b = subprocess.run(["pdftoppm", "-r", "120", "-gray", str(tmp_path / "s2.pdf")], capture_output=True).stdout
    assert a != b
    # fonts embedded once per volume
    def type0(pdf):
        doc = pikepdf.open(io.BytesIO(pdf))
        return len(doc.pages), [o for o in doc.objects
                                if isinstance(o, pikepdf.Dictionary) and o.get("/Subtype") == "/Type0"]

    pages, fonts = type0(merged)
    single_pages, single_fonts = type0(render_pdf("party-card", contexts[0]))
    assert pages == 5 and single_pages == 1
    assert len(fonts) == len(single_fonts) == 4  # 2 in the static design, 2 for the variable text


def test_docx_escapes_user_text_and_is_a_valid_package():
    data = render_docx("party-card", dict(CARD, name="<w:t>&</w:t>\x01", branch_name='"x" & y'))
    zf = zipfile.ZipFile(io.BytesIO(data))
    assert zf.testzip() is None
    xml = zf.read("word/document.xml").decode()
    assert "&lt;w:t&gt;&amp;&lt;/w:t&gt;" in xml and "\x01" not in xml
    import docx

    doc = docx.Document(io.BytesIO(data))
    cells = [c.text for row in doc.tables[0].rows for c in row.cells]
    assert "<w:t>&</w:t>" in cells and "12010007" in cells
    honor = docx.Document(io.BytesIO(render_docx("honor-certificate", HONOR)))
    assert any("市直机关五好党支部" in p.text for p in honor.paragraphs)
