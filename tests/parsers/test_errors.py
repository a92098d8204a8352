"""Bad input: a stable code and a Chinese message, never a traceback."""
from __future__ import annotations

import io
import os
import re
import shutil
import zipfile
from pathlib import Path

import pikepdf
import pytest

import parsers
from parsers.errors import MESSAGES
from parsers.blank_forms import path_for

CODES = set(MESSAGES)
CJK = re.compile(r"[\u4e00-\u9fff]")


def _only(result, code):
    assert result.errors and [e["code"] for e in result.errors] == [code], result.errors
    assert all(CJK.search(e["message"]) for e in result.errors)
    assert set(result.to_dict()) == {"file", "form", "fields", "missing", "errors", "provenance"}
    assert not result.ok


def _docx_bytes(generated_corpus, name="declaration_00"):
    directory, _ = generated_corpus
    return (directory / f"{name}.docx").read_bytes()


def _replace_member(data: bytes, name: str, content: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, content if info.filename == name else src.read(info.filename))
    return out.getvalue()


def test_not_a_document_is_sniffed_not_trusted_by_extension():
    _only(parsers.parse_bytes(b"hello, this is plain text", "notes.txt"), "unsupported_type")
    _only(parsers.parse_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "scan.png"), "unsupported_type")


@pytest.mark.parametrize("name,what", [("form.docx", "Word"), ("form.DOC", "Word"), ("scan.pdf", "PDF")])
def test_right_name_damaged_content_says_damaged(name, what):
    """Random bytes named .docx are a damaged Word file, not a file type we do not take."""
    for data in (os.urandom(4000), b"hello, this is plain text", b"\x89PNG\r\n\x1a\n" + b"\0" * 100):
        r = parsers.parse_bytes(data, name)
        _only(r, "corrupt_file")
        assert f"文件已损坏或不是真正的 {what} 文件" in r.errors[0]["message"]


def test_docx_named_pdf_is_still_read(generated_corpus):
    r = parsers.parse_bytes(_docx_bytes(generated_corpus), "upload.pdf")
    assert r.ok and r.media_type == "docx" and r.form == "declaration"


def test_plain_zip_is_not_a_docx():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "x")
    _only(parsers.parse_bytes(buf.getvalue(), "a.docx"), "corrupt_file")
    _only(parsers.parse_bytes(buf.getvalue(), "a.zip"), "unsupported_type")


def test_too_large():
    _only(parsers.parse_bytes(b"%PDF-1.4\n" + b"0" * 2000, "big.pdf", max_bytes=1000), "too_large")


def test_empty_bytes_and_blank_templates_are_empty_forms():
    _only(parsers.parse_bytes(b"", "x.docx"), "empty_form")
    for kind in ("declaration", "acceptance", "brand"):
        r = parsers.parse_path(path_for(kind))
        _only(r, "empty_form")
        assert r.form == kind


def test_docx_without_text_is_empty(tmp_path):
    from docx import Document
    Document().save(tmp_path / "e.docx")
    _only(parsers.parse_path(tmp_path / "e.docx"), "empty_form")


def test_corrupt_zip(generated_corpus):
    data = _docx_bytes(generated_corpus)
    _only(parsers.parse_bytes(data[: len(data) // 2], "half.docx"), "corrupt_file")
    _only(parsers.parse_bytes(_replace_member(data, "word/document.xml", b"<w:document><oops"), "x.docx"),
          "corrupt_file")


def test_zip_bomb_by_ratio():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<" + b"a" * (30 * 1024 * 1024))
    assert len(buf.getvalue()) < 200_000
    _only(parsers.parse_bytes(buf.getvalue(), "bomb.docx"), "zip_bomb")


def test_zip_bomb_by_entry_count():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("word/document.xml", "<x/>")
        for i in range(1500):
            z.writestr(f"word/media/{i}.bin", b"")
    _only(parsers.parse_bytes(buf.getvalue(), "many.docx"), "zip_bomb")


def test_zip_bomb_with_lying_header(generated_corpus):
    """Declared size small, real stream huge: reading is capped, not trusted."""
    from parsers import safety
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"<" + b"a" * (3 * 1024 * 1024))
    zf = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    with pytest.raises(parsers.ParseError) as exc:
        safety.read_member(zf, "word/document.xml", limit=1024 * 1024)
    assert exc.value.code == "zip_bomb"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&lol3;</w:t></w:r></w:p></w:body></w:document>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>"""


@pytest.mark.parametrize("payload", [BILLION_LAUGHS, XXE, XXE.replace(b"file:///etc/passwd", b"http://127.0.0.1:9/x")])
def test_xml_entity_tricks(generated_corpus, payload):
    data = _replace_member(_docx_bytes(generated_corpus), "word/document.xml", payload)
    r = parsers.parse_bytes(data, "evil.docx")
    _only(r, "xml_entities")
    assert "root:" not in str(r.to_full_dict())


def test_encrypted_pdf(generated_corpus, tmp_path):
    directory, _ = generated_corpus
    src = pikepdf.open(directory / "declaration_00.pdf")
    for i, enc in enumerate([pikepdf.Encryption(owner="o", user="u", R=6),
                             pikepdf.Encryption(owner="o", user="", R=4)]):
        out = tmp_path / f"enc{i}.pdf"
        src.save(out, encryption=enc)
        _only(parsers.parse_path(out), "encrypted_pdf")


def test_pdf_without_text_layer(tmp_path):
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    page = pdf.pages[0]
    # a "scan": an image drawn on the page, no text objects
    img = pikepdf.Stream(pdf, b"\x80" * (8 * 8))
    img.Type, img.Subtype, img.Width, img.Height = pikepdf.Name.XObject, pikepdf.Name.Image, 8, 8
    img.ColorSpace, img.BitsPerComponent = pikepdf.Name.DeviceGray, 8
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=img))
    page.Contents = pikepdf.Stream(pdf, b"q 500 0 0 700 40 60 cm /Im0 Do Q")
    pdf.save(tmp_path / "scan.pdf")
    _only(parsers.parse_path(tmp_path / "scan.pdf"), "no_text_layer")


def test_truncated_pdf(generated_corpus):
    directory, _ = generated_corpus
    data = (directory / "declaration_00.pdf").read_bytes()
    r = parsers.parse_bytes(data[:300], "cut.pdf")
    assert r.errors and r.errors[0]["code"] in {"corrupt_file", "no_text_layer"}


def test_missing_file():
    r = parsers.parse_path("/nonexistent/form.docx")
    assert r.errors[0]["code"] == "corrupt_file" and CJK.search(r.errors[0]["message"])


REAL = Path("/work/shared/corpus/real-forms")
DOCS = sorted(REAL.glob("*.doc"))


@pytest.mark.skipif(not DOCS, reason="no .doc in the real-forms corpus")
def test_doc_without_libreoffice_says_how(monkeypatch):
    monkeypatch.setenv("WUHAO_SOFFICE", "")
    r = parsers.parse_path(DOCS[0])
    _only(r, "legacy_doc")
    assert r.media_type == "doc"
    assert "另存为" in r.errors[0]["message"] and ".docx" in r.errors[0]["message"]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_doc_conversion_failure_is_clean():
    bogus = bytes.fromhex("d0cf11e0a1b11ae1") + os.urandom(2000)
    _only(parsers.parse_bytes(bogus, "bogus.doc"), "corrupt_file")  # OLE2 but no WordDocument
    _only(parsers.parse_bytes(bogus, "bogus.xls"), "unsupported_type")
    if DOCS:
        data = bytearray(DOCS[0].read_bytes())
        data[512:200_000] = b"\xff" * (200_000 - 512)  # the directory survives, the content does not
        r = parsers.parse_bytes(bytes(data), "broken.doc")
        assert r.media_type == "doc"
        assert not r.errors or r.errors[0]["code"] in {"doc_conversion_failed", "empty_form", "corrupt_file"}


def test_error_codes_are_the_stable_set():
    assert CODES == {"unsupported_type", "legacy_doc", "doc_conversion_failed", "encrypted_pdf", "corrupt_file",
                     "zip_bomb", "xml_entities", "no_text_layer", "too_large", "empty_form",
                     "parse_timeout", "parse_memory", "parse_failed", "parse_busy"}
    with pytest.raises(ValueError):
        parsers.ParseError("no_such_code")


def test_password_protected_docx_says_so():
    # the OLE2 directory of an encrypted Office file names an "EncryptedPackage" stream
    fake = bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 500 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 100
    r = parsers.parse_bytes(fake, "secret.docx")
    assert [e["code"] for e in r.errors] == ["unsupported_type"] and "密码" in r.errors[0]["message"]


def test_parsing_from_many_threads(generated_corpus):
    """The service parses uploads on several threads at once."""
    from concurrent.futures import ThreadPoolExecutor

    directory, cases = generated_corpus
    files = [directory / f"{c.name}.{ext}" for c in cases[:24] for ext in ("docx", "pdf")]
    expected = [parsers.parse_path(f).to_dict() for f in files]
    with ThreadPoolExecutor(max_workers=6) as pool:
        got = list(pool.map(lambda f: parsers.parse_path(f).to_dict(), files * 3))
    assert got == expected * 3


def test_pdfium_is_entered_by_one_thread_at_a_time(generated_corpus, monkeypatch):
    """pdfium is not thread-safe (a crash seen in CI): every call holds pdfium_access.LOCK."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import pypdfium2

    from parsers import pdfium_access

    directory, cases = generated_corpus
    pdfs = [(directory / f"{c.name}.pdf").read_bytes() for c in cases[:8]]
    inside, worst = [0], [0]
    counter = threading.Lock()
    real_open = pypdfium2.PdfDocument

    def watched(*args, **kwargs):
        assert pdfium_access.LOCK._is_owned(), "pdfium opened without the lock"
        with counter:
            inside[0] += 1
            worst[0] = max(worst[0], inside[0])
        try:
            return real_open(*args, **kwargs)
        finally:
            with counter:
                inside[0] -= 1

    monkeypatch.setattr(pypdfium2, "PdfDocument", watched)
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda d: (pdfium_access.page_sizes(d, 3), pdfium_access.page_png(d, 1, 0.5, 3),
                                 pdfium_access.symbol_glyphs(d, 1, 842.0)), pdfs * 3))
    assert worst[0] == 1


def test_too_many_pages(tmp_path, monkeypatch):
    from parsers import limits
    pdf = pikepdf.new()
    for _ in range(3):
        pdf.add_blank_page()
    pdf.save(tmp_path / "p.pdf")
    monkeypatch.setattr(limits, "MAX_PAGES", 2)
    _only(parsers.parse_path(tmp_path / "p.pdf"), "too_large")
