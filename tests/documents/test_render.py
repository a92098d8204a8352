"""Rendering from plain contexts: GB/T 9704 numbers in the DOCX, same text in DOCX and PDF,
embedded subset fonts, rare characters, safety, LibreOffice, golden images."""
from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from service.documents import compose, fonts, layout as L
from service.documents.registry import CERTIFICATE_KINDS, KINDS, render
from service.documents.samples import sample_context, sample_kinds

from .helpers import (W, char_counts, docx_blocks, docx_text, drawn_glyphs, embedded_fonts, pdf_text,
                      run_props, squash, variants)

OFFICIAL = ["supplement-notice", "rectification-notice", "rectification-taskbook", "commendation-decision",
            "delisting-notice", "quarterly-report", "acceptance-form", "brand-naming-decision"]
PDF_KINDS = OFFICIAL + ["rectification-ledger"]
GOLDEN_DIR = Path(__file__).parent / "golden"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "documents"
RARE = "䶮𠮷堃珺"


def _pdf(kind, ctx):
    if kind in CERTIFICATE_KINDS:  # our WeasyPrint template (the batch engine has its own tests)
        from service.documents.html_render import render_pdf

        return render_pdf(compose.compose(kind, ctx))
    return render(kind, ctx, "pdf")


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("documents")


@pytest.fixture(scope="module")
def docx_files(out_dir):
    files = {}
    for kind in sample_kinds():
        data = render(kind, sample_context(kind), "docx")
        path = out_dir / f"{kind}.docx"
        path.write_bytes(data)
        files[kind] = path
    return files


@pytest.fixture(scope="module")
def pdf_files(out_dir):
    files = {}
    for kind in PDF_KINDS + list(CERTIFICATE_KINDS):
        path = out_dir / f"{kind}.pdf"
        path.write_bytes(_pdf(kind, sample_context(kind)))
        files[kind] = path
    return files


# --------------------------------------------------------------------------- DOCX layout

def _mm(emu) -> float:
    return emu / 36000


@pytest.mark.parametrize("kind", OFFICIAL)
def test_docx_follows_gbt9704(docx_files, kind):
    check_docx_geometry(docx_files[kind], kind)


def check_docx_geometry(path, kind):
    """The GB/T 9704 numbers of a rendered DOCX (whatever the template's styling)."""
    from docx import Document

    doc = Document(str(path))
    sec = doc.sections[0]
    assert abs(_mm(sec.page_width) - 210) <= 1 and abs(_mm(sec.page_height) - 297) <= 1
    assert abs(_mm(sec.top_margin) - 37) <= 1 and abs(_mm(sec.bottom_margin) - 35) <= 1
    assert abs(_mm(sec.left_margin) - 28) <= 1 and abs(_mm(sec.right_margin) - 26) <= 1
    grid = sec._sectPr.find(W + "docGrid")
    pitch = int(grid.get(W + "linePitch")) / 20
    assert abs(pitch * L.LINES_PER_PAGE - L.mm_to_pt(225)) < 3  # 22 lines fill the 225 mm type area
    if grid.get(W + "type") == "linesAndChars":
        char_pitch = 16 + int(grid.get(W + "charSpace")) / 4096
    else:  # fixed character spacing in the default run properties (LibreOffice honours it too)
        assert grid.get(W + "type") == "lines"
        spacing = doc.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}spacing")
        char_pitch = 16 + int(spacing.get(W + "val")) / 20
    # exactly 28 characters of 16 pt fit the 156 mm line
    assert char_pitch * L.CHARS_PER_LINE <= L.mm_to_pt(156) < char_pitch * (L.CHARS_PER_LINE + 1)
    view = compose.compose(kind, sample_context(kind))
    blocks = view["blocks"] + view.get("appendix", [])
    found = {"title": False, "body": False, "h1": False}
    for p in doc.paragraphs:
        for r in p.runs:
            if not r.text.strip():
                continue
            props = run_props(r)
            if r.text in view["title_lines"] and "".join(view["title_lines"]) == view["title"]:
                assert props == {"size": 22.0, "east_asia": "方正小标宋简体"}
                assert p.alignment == 1  # centred
                found["title"] = True
            elif any(b["t"] == "p" and b["text"] == r.text for b in blocks):
                assert props == {"size": 16.0, "east_asia": "仿宋_GB2312"}
                ind = p._p.pPr.find(W + "ind")
                assert ind.get(W + "firstLineChars") == "200"  # two-character indent
                found["body"] = True
            elif any(b["t"] == "h1" and b["text"] == r.text for b in blocks):
                assert props == {"size": 16.0, "east_asia": "黑体"}
                found["h1"] = True
            elif any(b["t"] == "h2" and b["text"] == r.text for b in blocks):
                assert props == {"size": 16.0, "east_asia": "楷体_GB2312"}
    if not any(b["t"] == "h1" for b in blocks):
        found.pop("h1")
    assert all(found.values()), found
    # page numbers: — 1 — in 4号 宋体, odd pages right, even pages left
    assert doc.settings.odd_and_even_pages_header_footer
    for footer, side in ((sec.footer, "right"), (sec.even_page_footer, "left")):
        p = footer._element.find(W + "p")
        assert p.find(f"{W}pPr/{W}jc").get(W + "val") == side
        texts = "".join(t.text for t in p.iter(W + "t"))
        assert texts.startswith("— ") and texts.endswith(" —")
        assert p.find(W + "fldSimple").get(W + "instr").strip() == "PAGE"
        sizes = {s.get(W + "val") for s in p.iter(W + "sz")}
        assert sizes == {"28"}
        assert {f.get(W + "eastAsia") for f in p.iter(W + "rFonts")} == {"宋体"}


def test_docx_number_and_date_format(docx_files):
    text = docx_text(docx_files["commendation-decision"].read_bytes())
    assert "市直工委〔2025〕21号" in text and "第" not in text.split("号")[0]
    assert "2025年6月28日" in text and "2025年06月" not in text
    assert "中共市直机关工作委员会文件" in text  # 发文机关标志
    assert "抄送：市委组织部。" in text and "2025年6月28日印发" in text  # 版记


def test_certificates_and_ledger_have_their_own_page_sizes(docx_files):
    from docx import Document

    for kind, (w, h) in {"honor-certificate": L.HONOR_CERT_SIZE_MM, "party-card": L.PARTY_CARD_SIZE_MM,
                         "rectification-ledger": (297, 210)}.items():
        sec = Document(str(docx_files[kind])).sections[0]
        assert abs(_mm(sec.page_width) - w) <= 1 and abs(_mm(sec.page_height) - h) <= 1, kind
    card = Document(str(docx_files["party-card"]))
    assert "12010001" in docx_text(docx_files["party-card"].read_bytes())
    assert len(card.inline_shapes) == 1  # the QR code


@pytest.mark.slow
def test_libreoffice_opens_every_docx(docx_files, out_dir):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    lo = out_dir / "lo"
    lo.mkdir(exist_ok=True)
    profile = out_dir / "lo-profile"
    cmd = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
           "--outdir", str(lo), *map(str, docx_files.values())]
    subprocess.run(cmd, check=True, capture_output=True, timeout=240, env=_lo_env(out_dir))
    import pdfplumber

    for kind in docx_files:
        pdf = lo / f"{kind}.pdf"
        assert pdf.exists(), f"LibreOffice did not convert {kind}"
        with pdfplumber.open(pdf) as p:
            assert len(p.pages) >= 1
            text = squash("".join(pg.extract_text() or "" for pg in p.pages))
        view = compose.compose(kind, sample_context(kind))
        heading = view.get("title") or view["heading"]
        assert squash(heading) in text, kind
    ARTIFACTS.mkdir(parents=True, exist_ok=True)  # for a reviewer (tests/artifacts is not committed)
    for pdf in lo.glob("*.pdf"):
        shutil.copy(pdf, ARTIFACTS / f"libreoffice-{pdf.name}")



@pytest.mark.slow
def test_a_certificate_docx_with_its_qr_code_is_one_page_in_libreoffice(out_dir):
    """A 党员证 of a branch three levels down, with its check code, and a 荣誉证书: each DOCX (QR code as an
    image) stays on its one card or sheet; the verify link is in the QR code, as on the PDF, not a second
    wrapped line of text that pushed the QR code and the issuer onto a page of their own."""
    import pdfplumber

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    lo = out_dir / "lo-cards"
    lo.mkdir(exist_ok=True)
    card = dict(sample_context("party-card"), check_code="YU7RKN",
                organisation_path="市直机关工委 / 市财政局机关党委 / 市财政局预算科党支部")
    honor = dict(sample_context("honor-certificate"), check_code="RVQRHG")
    paths = []
    for kind, ctx in (("party-card", card), ("honor-certificate", honor)):
        (lo / f"{kind}.docx").write_bytes(render(kind, ctx, "docx"))
        paths.append(str(lo / f"{kind}.docx"))
    cmd = [soffice, f"-env:UserInstallation=file://{out_dir / 'lo-profile-cards'}", "--headless", "--convert-to",
           "pdf", "--outdir", str(lo), *paths]
    subprocess.run(cmd, check=True, capture_output=True, timeout=240, env=_lo_env(out_dir))
    pages = {}
    for kind in ("party-card", "honor-certificate"):
        with pdfplumber.open(lo / f"{kind}.pdf") as pdf:
            pages[kind] = (len(pdf.pages), squash(pdf.pages[0].extract_text() or ""))
    assert {k: n for k, (n, _text) in pages.items()} == {"party-card": 1, "honor-certificate": 1}, pages
    assert "YU7RKN" in pages["party-card"][1] and "中共静海区委组织部" in pages["party-card"][1], pages

# --------------------------------------------------------------------------- PDF

@pytest.mark.parametrize("kind", PDF_KINDS)
def test_pdf_and_docx_carry_the_same_text(docx_files, pdf_files, kind):
    d = docx_files[kind].read_bytes()
    p = pdf_files[kind].read_bytes()
    assert char_counts(docx_text(d)) == char_counts(pdf_text(p))
    flat = squash(pdf_text(p))
    for k, text in docx_blocks(d):
        if k == "p" and text.strip():
            assert squash(text) in flat, text


@pytest.mark.parametrize("kind", PDF_KINDS)
def test_pdf_is_a4_zh_cn_with_subset_fonts(pdf_files, kind):
    import pikepdf

    data = pdf_files[kind].read_bytes()
    pdf = pikepdf.open(io.BytesIO(data))
    assert str(pdf.Root.Lang) == "zh-CN"
    w, h = (float(x) for x in pdf.pages[0].MediaBox[2:])
    if kind == "rectification-ledger":
        w, h = h, w
    assert abs(w - L.mm_to_pt(210)) < 1 and abs(h - L.mm_to_pt(297)) < 1
    fonts_ = embedded_fonts(data)
    assert fonts_
    for f in fonts_:
        assert f["has_file"], f["name"]
        tag, _, _rest = f["name"].lstrip("/").partition("+")
        assert len(tag) == 6 and tag.isupper(), f["name"]  # subset tag
        assert len(f["program"].getGlyphOrder()) < 600  # a subset, not a 65 000-glyph face
    # the 季度通报 carries three charts (issue 12 added the party-day one); a full font would be megabytes
    assert len(data) < (200_000 if kind == "quarterly-report" else 80_000)


def test_page_numbers_and_grid_in_pdf(pdf_files):
    import pdfplumber

    with pdfplumber.open(pdf_files["commendation-decision"]) as pdf:
        assert len(pdf.pages) >= 2
        first, second = (pg.extract_text() for pg in pdf.pages[:2])
        assert "— 1 —" in first and "— 2 —" in second
        odd = [w for w in pdf.pages[0].extract_words() if w["text"] == "1"][-1]
        even = [w for w in pdf.pages[1].extract_words() if w["text"] == "2"][-1]
        assert odd["x0"] > pdf.pages[0].width / 2 > even["x0"]  # outer side
        body = [c for c in pdf.pages[0].chars if abs(c["size"] - 16) < 0.1]
        assert body
        # lines of body text sit on the 28.95 pt pitch
        tops = sorted({round(c["top"], 1) for c in body})
        gaps = [round(b - a, 1) for a, b in zip(tops, tops[1:]) if b - a < 40]
        assert gaps and all(abs(g - L.LINE_PITCH_PT) < 0.6 for g in gaps), gaps
        title = [c for c in pdf.pages[0].chars if abs(c["size"] - 22) < 0.1]
        assert title
        left = min(c["x0"] for c in body)
        assert abs(left - L.mm_to_pt(28)) < 2  # 订口 28 mm
        top = min(c["top"] for c in pdf.pages[1].chars)
        assert abs(top - L.mm_to_pt(37)) < 12  # the first line starts at the 37 mm 天头


def test_rare_characters_render_as_real_glyphs():
    ctx = sample_context("supplement-notice")
    ctx["branch_name"] = f"{RARE}党支部"
    ctx["contact"] = {"person": "吉𠮷", "phone": "1"}
    for fmt in ("pdf",):
        data = render("supplement-notice", ctx, fmt)
        text = pdf_text(data)
        for ch in RARE:
            assert ch in text
        glyphs = drawn_glyphs(data)
        for ch in RARE + "补正通知":
            assert glyphs.get(ch) and all(ok for _f, ok in glyphs[ch]), (ch, glyphs.get(ch))
    assert fonts.missing_glyphs(RARE, "body") == []
    assert fonts.missing_glyphs(RARE, "title") == []


def test_the_glyph_check_catches_a_missing_glyph():
    # U+2FFFD is unassigned: no face has it, so it can only be drawn as .notdef
    ctx = sample_context("supplement-notice")
    ctx["branch_name"] = "\U0002fffd党支部"
    glyphs = drawn_glyphs(render("supplement-notice", ctx, "pdf"))
    assert not all(ok for _f, ok in glyphs.get("\U0002fffd", [("none", False)]))
    assert fonts.missing_glyphs("\U0002fffd", "body") == ["\U0002fffd"]


def test_user_text_is_rendered_literally():
    evil = "<script>alert(1)</script>{{ 7*7 }}{% if true %}X{% endif %}<img src=\"file:///etc/passwd\">"
    ctx = sample_context("rectification-notice")
    ctx["branch_name"] = evil
    d = docx_text(render("rectification-notice", ctx, "docx"))
    assert f"{evil}：" in d and "49" not in d
    p = squash(pdf_text(render("rectification-notice", ctx, "pdf")))
    assert squash(evil) in p and "root:" not in p
    # control characters that would corrupt the DOCX or split paragraphs are dropped
    ctx["branch_name"] = "党\x00支\x07部\x0c"
    assert "党支部：" in docx_text(render("rectification-notice", ctx, "docx"))


def test_weasyprint_fetches_only_what_we_named(tmp_path):
    from weasyprint import HTML

    from service.documents.safety import FetchRefused, make_url_fetcher

    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    fetcher = make_url_fetcher(set())
    for url in (secret.as_uri(), "http://127.0.0.1:9/x.png", "https://example.org/a.css", "ftp://x/y"):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)
    # a template that tried anyway: nothing is fetched, the PDF is still made
    html = (f'<html><head><link rel="stylesheet" href="{secret.as_uri()}"></head><body>'
            f'<img src="http://127.0.0.1:9/x.png"><iframe src="{secret.as_uri()}"></iframe>'
            f'<object data="{secret.as_uri()}"></object>正文</body></html>')
    data = HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()
    assert "TOP-SECRET" not in pdf_text(data)
    assert secret.as_uri() in fetcher.refused and "http://127.0.0.1:9/x.png" in fetcher.refused
    # our own data: images and listed font files are served
    png = "data:image/png;base64,iVBORw0KGgo="
    assert fetcher.fetch(png).read() == b"\x89PNG\r\n\x1a\n"
    allowed = make_url_fetcher({str(secret)})
    assert allowed.fetch(secret.as_uri()).read() == b"TOP-SECRET"


def test_overprint_prints_only_variable_text_at_an_offset():
    import pdfplumber

    from service.documents.html_render import render_pdf

    view = compose.compose("honor-certificate", sample_context("honor-certificate"))
    full = render_pdf(view)
    plain = render_pdf(view, overprint=True)
    moved = render_pdf(view, overprint=True, offset_mm=(5, 3))
    assert "荣誉证书" in pdf_text(full) and "荣誉证书" not in pdf_text(plain)
    assert "市财政局预算科党支部" in pdf_text(plain)

    def first(data, ch):
        with pdfplumber.open(io.BytesIO(data)) as p:
            c = next(c for c in p.pages[0].chars if c["text"] == ch)
            return c["x0"], c["top"]

    (x0, y0), (x1, y1) = first(plain, "市"), first(moved, "市")
    assert abs((x1 - x0) - L.mm_to_pt(5)) < 0.5 and abs((y1 - y0) - L.mm_to_pt(3)) < 0.5


def test_printer_offsets_are_kept_per_printer(tmp_path):
    from service.documents import printers

    printers.save_offset("证书打印机A", (1.5, -0.5), tmp_path)
    printers.save_offset("B", printers.parse_offset("0,2"), tmp_path)
    assert printers.offset_for("证书打印机A", tmp_path) == (1.5, -0.5)
    assert printers.offset_for("B", tmp_path) == (0.0, 2.0)
    with pytest.raises(KeyError):
        printers.offset_for("C", tmp_path)
    with pytest.raises(ValueError):
        printers.parse_offset("99,0")


def test_ledger_xlsx_has_the_ledger_columns_and_escapes_formulas():
    from openpyxl import load_workbook

    ctx = sample_context("rectification-ledger")
    ctx["rows"][0]["note"] = "=HYPERLINK(\"http://x\")"
    wb = load_workbook(io.BytesIO(render("rectification-ledger", ctx, "xlsx")))
    ws = wb.active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "静海区委相对后进党支部整改工作台账"
    assert list(rows[2]) == compose.LEDGER_HEADERS
    assert rows[3][:3] == ("1", "区律师行业党支部", "组织生活") and rows[4][10] == "2025年8月28日"
    assert ws.cell(row=4, column=12).data_type == "s" and rows[3][11].startswith("'=")


def test_dates_and_numbers_follow_gbt9704():
    from service.numbering import format_doc_number

    assert compose.cn_date("2025-06-08") == "2025年6月8日"
    assert compose.cn_date("2025-12-31") == "2025年12月31日"
    assert format_doc_number("市直工委", 2025, 6) == "市直工委〔2025〕6号"


def test_unknown_kind_and_format_are_refused():
    from service.documents.registry import UnknownKind, UnsupportedFormat

    with pytest.raises(UnknownKind):
        render("no-such-kind", {}, "pdf")
    with pytest.raises(UnsupportedFormat):
        render("supplement-notice", sample_context("supplement-notice"), "xlsx")
    with pytest.raises(compose.ContextError):
        render("supplement-notice", {"branch_name": "x", "missing": []}, "docx")
    assert set(KINDS) == {"supplement-notice", "acceptance-form", "rectification-notice",
                          "rectification-taskbook", "rectification-ledger", "commendation-decision",
                          "honor-certificate", "delisting-notice", "party-card", "quarterly-report",
                          "brand-naming-decision", "blank-form"}


# --------------------------------------------------------------------------- golden images

GOLDEN = [("supplement-notice", 1), ("commendation-decision", 1), ("rectification-ledger", 1)]


def _png(pdf_path: Path, page: int, out: Path) -> Path:
    subprocess.run(["pdftoppm", "-r", "40", "-gray", "-png", "-singlefile", "-f", str(page), "-l", str(page),
                    str(pdf_path), str(out)], check=True, timeout=60)
    return out.with_suffix(".png")


@pytest.mark.slow
@pytest.mark.parametrize("kind,page", GOLDEN)
def test_pages_match_the_golden_images(pdf_files, out_dir, kind, page):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is not installed")
    from PIL import Image, ImageChops

    png = _png(pdf_files[kind], page, out_dir / f"{kind}-{page}")
    golden = GOLDEN_DIR / f"{kind}-{page}.png"
    if os.environ.get("WUHAO_UPDATE_GOLDEN") or not golden.exists():
        if not os.environ.get("WUHAO_UPDATE_GOLDEN"):
            pytest.fail(f"missing golden image {golden} (run with WUHAO_UPDATE_GOLDEN=1)")
        GOLDEN_DIR.mkdir(exist_ok=True)
        shutil.copy(png, golden)
    a, b = Image.open(png).convert("L"), Image.open(golden).convert("L")
    assert a.size == b.size
    diff = ImageChops.difference(a, b)
    changed = sum(diff.point(lambda v: 255 if v > 64 else 0).histogram()[255:]) / (a.size[0] * a.size[1])
    assert changed < 0.01, f"{kind} page {page}: {changed:.2%} of the pixels changed"


@pytest.mark.parametrize("kind", ["rectification-notice", "commendation-decision"])
def test_pdf_draws_each_role_with_its_face(kind):
    """Body in the FangSong face, title in the 小标宋 face, 一、 in 黑体, （一） in 楷体, page numbers in 宋体."""
    import pdfplumber

    from service.documents.html_render import plan_for

    ctx = sample_context(kind)
    view = compose.compose(kind, ctx)
    plan = plan_for(view)
    face_of = {role: str(plan.stacks[role]).split(",")[0].strip('" ') for role in fonts.ROLES}
    data = render(kind, ctx, "pdf")
    blocks = view["blocks"] + view.get("appendix", [])
    samples = {"title": view["title"][:4], "body": next(b["text"] for b in blocks if b["t"] == "p")[:6],
               "hei": next(b["text"] for b in blocks if b["t"] == "h1")[2:6]}
    if any(b["t"] == "h2" for b in blocks):
        samples["kai"] = next(b["text"] for b in blocks if b["t"] == "h2")[3:7]
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        chars = [c for page in pdf.pages for c in page.chars]
    text = "".join(c["text"] for c in chars)
    for role, sample in samples.items():
        at = text.index(sample)
        names = {chars[i]["fontname"].split("+")[-1] for i in range(at, at + len(sample))}
        assert names == {face_of[role]}, (role, sample, names, face_of)
        # embedded under the face's own PostScript name (subset prefix + name), not an alias
        face = fonts.resolve_font(role)
        assert names == {fonts.postscript_name(face.path, face.index)}
    digits = [c for c in chars if c["text"] == "—" and abs(c["size"] - L.PAGE_NUMBER_PT) < 0.1]
    assert digits and {c["fontname"].split("+")[-1] for c in digits} == {face_of["song"]}


def test_a_full_body_line_holds_28_characters():
    """GB/T 9704: 28 characters of 3号 FangSong per line (22 lines per page)."""
    ctx = sample_context("rectification-notice")
    ctx["reason"] = ("经检查发现党支部组织生活制度落实不到位党员教育管理存在薄弱环节支部班子建设需要加强"
                     "群众满意程度有待提高各项工作记录不够完整规范")
    lines = pdf_text(render("rectification-notice", ctx, "pdf")).split("\n")
    first = next(i for i, line in enumerate(lines) if line.startswith("经检查"))
    assert len(lines[first]) == L.CHARS_PER_LINE - 2  # after the two-character indent
    assert len(lines[first + 1]) == L.CHARS_PER_LINE


def test_every_kind_has_an_authored_template_and_no_two_are_byte_identical():
    from service.documents.docx_render import template_dir
    from service.vocabulary import DOCX_TEMPLATES

    KIND_TEMPLATES = {k: v for k, v in DOCX_TEMPLATES.items() if v}
    assert set(KIND_TEMPLATES) == {k for k in KINDS if k != "blank-form"}
    files = sorted(template_dir().glob("*.docx")) + sorted((template_dir() / "forms").glob("*.docx"))
    assert {p.name for p in template_dir().glob("*.docx")} == set(KIND_TEMPLATES.values())
    digests = {}
    for p in files:
        digests.setdefault(hashlib.sha256(p.read_bytes()).hexdigest(), []).append(p.name)
    assert [names for names in digests.values() if len(names) > 1] == []


def _restyle(src: Path, dst: Path, title_colour: str) -> None:
    """What a clerk does in Word: the title's runs get a colour (the XML edited inside the zip)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                xml = data.decode("utf-8")
                marker = "{{ line }}"
                at = xml.index(marker)
                run = xml.rindex("<w:r>", 0, at)
                rpr_end = xml.index("</w:rPr>", run)
                xml = xml[:rpr_end] + f'<w:color w:val="{title_colour}"/>' + xml[rpr_end:]
                data = xml.encode("utf-8")
            zout.writestr(item, data)


def test_a_restyled_template_still_renders_to_the_standard(tmp_path, monkeypatch):
    from docx import Document

    from service.documents.docx_render import template_dir

    restyled = tmp_path / "templates"
    shutil.copytree(template_dir(), restyled)
    _restyle(template_dir() / "official.docx", restyled / "official.docx", "1F4E79")
    assert (restyled / "official.docx").read_bytes() != (template_dir() / "official.docx").read_bytes()
    monkeypatch.setenv("WUHAO_DOCX_TEMPLATES", str(restyled))
    kind = "commendation-decision"
    out = tmp_path / f"{kind}.docx"
    out.write_bytes(render(kind, sample_context(kind), "docx"))
    check_docx_geometry(out, kind)
    lines = compose.compose(kind, sample_context(kind))["title_lines"]
    colours = {r.font.color.rgb for p in Document(str(out)).paragraphs for r in p.runs if r.text in lines}
    assert [str(c) for c in colours] == ["1F4E79"]


@pytest.mark.slow
def test_every_pdf_page_rendered_to_png_for_review(pdf_files, out_dir):
    """Every page of every PDF as a PNG under tests/artifacts/documents/; none is blank."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is not installed")
    from PIL import Image

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for kind, pdf in pdf_files.items():
        shutil.copy(pdf, ARTIFACTS / pdf.name)
        for stale in ARTIFACTS.glob(f"{kind}-*.png"):
            stale.unlink()
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(ARTIFACTS / kind)], check=True, timeout=120)
        pages = sorted(ARTIFACTS.glob(f"{kind}-*.png"))
        assert pages, kind
        for png in pages:
            ink = Image.open(png).convert("L").point(lambda v: 255 if v < 128 else 0).histogram()[255]
            assert ink > 200, f"{png.name} looks blank"


# --------------------------------------------------------------------------- GB/T 9704 geometry (issue 14)

def _mm_of(pt: float) -> float:
    return pt / L.mm_to_pt(1)


def test_pdf_head_geometry_follows_gbt9704(pdf_files):
    """版头 (7.2): mark 35 mm under the type area, 字号 空二行 under it, red rule 4 mm under the
    字号, title 空二行 under the rule; page-number dash 7 mm under the type area; 版记 rules."""
    import pdfplumber

    with pdfplumber.open(pdf_files["commendation-decision"]) as pdf:
        first, last = pdf.pages[0], pdf.pages[-1]
        mark = [c for c in first.chars if c["size"] > 25]
        number = [c for c in first.chars if "〔" in c["text"]][0]
        number_line = [c for c in first.chars if abs(c["top"] - number["top"]) < 1]
        title = [c for c in first.chars if abs(c["size"] - 22) < 0.1]
        rule = [r for r in first.rects if _mm_of(r["x1"] - r["x0"]) > 150][0]
        assert abs(_mm_of(min(c["top"] for c in mark)) - (37 + 35)) < 2.5  # advance box; ink: below
        assert all(c["non_stroking_color"] == (0.0, 1.0, 1.0, 0.0) for c in mark)  # print red, CMYK
        two_lines = 2 * _mm_of(L.LINE_PITCH_PT)
        gap = _mm_of(min(c["top"] for c in number_line) - max(c["bottom"] for c in mark))
        assert abs(gap - two_lines) < 1.5, gap
        assert abs(_mm_of(rule["top"] - max(c["bottom"] for c in number_line)) - 4) < 1
        assert abs(_mm_of(rule["x1"] - rule["x0"]) - 156) < 0.5
        assert abs(_mm_of(min(c["top"] for c in title) - rule["bottom"]) - two_lines) < 1.5
        dash = [c for c in first.chars if c["text"] == "—" and abs(c["size"] - L.PAGE_NUMBER_PT) < 0.1][0]
        assert abs(_mm_of((dash["top"] + dash["bottom"]) / 2) - (297 - 35) - 7) < 1
        # 版记 at the foot of the last page: three full-width rules, the last on the type area's edge
        rules = sorted((r for r in last.rects if _mm_of(r["x1"] - r["x0"]) > 155), key=lambda r: r["top"])
        edges = sorted({round(_mm_of(e["top"]), 1) for e in last.edges if e["orientation"] == "h"
                        and _mm_of(e["x1"] - e["x0"]) > 155})
        assert rules and abs(_mm_of(max(r["bottom"] for r in rules)) - (297 - 35)) < 0.6, edges
        assert len(edges) >= 3


# the substitute faces are a Song and a Hei, not 仿宋: the checker says so, and nothing else
SUBSTITUTE_RULES = {"body-font", "heading-font"}


@pytest.mark.slow
@pytest.mark.parametrize("kind", OFFICIAL + ["rectification-ledger"])
@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_wuhao_lint_finds_nothing_but_the_substitute_faces(kind, fmt):
    """``wuhao lint`` (GB/T 9704 clause by clause, ink positions for the 版头 and 页码) on our own
    output: no problem but the body face, which only a real 仿宋_GB2312 in the font directory fixes
    (no package registry ships a free FangSong with GB 2312 coverage)."""
    from service.gbcheck import lint

    data = render(kind, sample_context(kind), fmt)
    result = lint(data, f"{kind}.{fmt}")
    assert "error" not in result
    others = [(p["rule"], p["message"]) for p in result["problems"] if p["rule"] not in SUBSTITUTE_RULES]
    if kind == "acceptance-form" and fmt == "pdf":  # every text line is a one-line indented paragraph:
        others = [o for o in others if o[0] != "margin-left"]  # the checker cannot see the 订口
    assert others == []


def test_titles_break_between_words_and_balance():
    from service.documents.compose import title_lines

    assert title_lines("关于命名2025年度市直机关“五好党支部”的决定") == ["关于命名2025年度市直机关", "“五好党支部”的决定"]
    assert title_lines("市直机关“五好党支部”验收意见表（考核评分表）") == ["市直机关“五好党支部”", "验收意见表（考核评分表）"]
    for title in ("关于补正《市直机关“五好党支部”验收申请表》材料的通知",
                  "关于2025年第三季度“五好党支部”创建工作进展情况的通报"):
        lines = title_lines(title)
        assert "".join(lines) == title and len(lines) == 2
        assert not any(line.endswith(("五好", "党支")) for line in lines)


def test_body_lines_are_justified_to_the_right_margin():
    """Every line of a paragraph but its last ends at the type area's right edge (±0.5 mm), with
    half-width digits, Latin words and closing marks that may not start a line."""
    import pdfplumber

    from service.documents.html_render import render_pdf

    view = compose.compose("rectification-notice", sample_context("rectification-notice"))
    para = ("截至2025年9月30日，纳入统计的党支部23个，已完成考核18个（完成率78%），评定为“好”等次7个；"
            "联系电话022-12345678，网址https://example.org/verify。整改任务6项，已销号3项，")
    view["blocks"] = [{"t": "p", "text": para * 3}]
    right = L.mm_to_pt(210 - 26)
    with pdfplumber.open(io.BytesIO(render_pdf(view))) as pdf:
        page = pdf.pages[0]
        lines = {}
        for c in page.chars:
            if abs(c["size"] - 16) < 0.1:
                lines.setdefault(round(c["top"]), []).append(c)
    body = [cs for top, cs in sorted(lines.items()) if any(c["text"] == "截" for c in cs)
            or top > min(t for t, cs2 in lines.items() if any(c["text"] == "截" for c in cs2))]
    ends = [max(c["x1"] for c in cs) for cs in body[:-1]]
    assert len(ends) >= 6
    assert all(abs(e - right) < L.mm_to_pt(0.5) for e in ends), [round(_mm_of(right - e), 2) for e in ends]
    starts = ["".join(c["text"] for c in sorted(cs, key=lambda c: c["x0"]))[0] for cs in body[1:]]
    assert not any(s in "，。、；：）》”%" for s in starts), starts


@pytest.mark.parametrize("kind", ["supplement-notice", "commendation-decision", "delisting-notice",
                                  "rectification-notice", "rectification-taskbook", "quarterly-report"])
@pytest.mark.parametrize("length", ["one-line", "long"])
def test_the_signature_never_stands_alone_on_a_page(kind, length):
    """落款 with at least two lines of text (GB/T 9704-2012 7.3.5), for short and 4-page bodies."""
    import pdfplumber

    ctx = sample_context(kind)
    view = compose.compose(kind, ctx)
    text = "这是一段用于检验分页的正文，长度按需要重复。"
    extra = {"one-line": [], "long": [{"t": "p", "text": text * 9} for _ in range(14)]}[length]
    if length == "one-line":
        view["blocks"] = [{"t": "p", "text": "现予通知。"}]
    else:
        view["blocks"] = view["blocks"] + extra
    from service.documents.html_render import render_pdf

    data = render_pdf(view)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            words = page.extract_text() or ""
            if view["date"] in words.replace(" ", ""):
                date_top = max(c["top"] for c in page.chars if abs(c["size"] - 16) < 0.1)
                body_lines = {round(c["top"]) for c in page.chars if abs(c["size"] - 16) < 0.1
                              and c["x0"] < L.mm_to_pt(60) and c["top"] < date_top - 30}
                assert page.page_number == 1 or len(body_lines) >= 2, (page.page_number, body_lines)
                break
        else:
            pytest.fail("no page holds the date")
        if length == "long":
            assert len(pdf.pages) >= 3


def _lo_env(out_dir: Path) -> dict:
    """LibreOffice with the project's fontconfig aliases (仿宋_GB2312 → Noto Serif CJK SC, …)."""
    from service.documents.docx_render import fontconfig_file

    return dict(os.environ, FONTCONFIG_FILE=str(fontconfig_file(out_dir)))


def _body_lines(pdf_path) -> tuple[int, list[int], float | None, float | None]:
    """Pages, characters per full-width 16 pt line, the last page's lowest full-width rule (mm
    from the page's top edge: the 版记's last rule) and how far above it the 版记's text stands."""
    import pdfplumber

    with pdfplumber.open(pdf_path) as pdf:
        counts = []
        for page in pdf.pages:
            lines: dict[int, str] = {}
            for c in page.chars:
                if abs(c["size"] - 16) < 0.6 and c["text"].strip():
                    lines[round(c["top"])] = lines.get(round(c["top"]), "") + c["text"]
            # lines of full-width characters only (digits and Latin are half-width)
            counts += [len(t) for t in lines.values() if t.isascii() is False and not any(ch.isascii() for ch in t)]
        last = pdf.pages[-1]
        rules = [e["top"] for e in last.edges if e["orientation"] == "h" and _mm_of(e["x1"] - e["x0"]) > 150]
        rule = max(rules) if rules else None
        # the 版记's 4号 text above its last rule: the gap from its lowest baseline down to the rule
        # (LibreOffice set 28.95 pt lines in the 24.85 pt rows: 0.5 mm, the text sat on the rule;
        # the PDF has 2.4 mm)
        gap = min((rule - (float(last.height) - c["matrix"][5]) for c in last.chars if rule is not None
                   and abs(c["size"] - 14) < 0.6 and c["text"].strip() and c["top"] < rule), default=None)
        return len(pdf.pages), counts, (_mm_of(rule) if rules else None), (gap and _mm_of(gap))


@pytest.mark.slow
def test_libreoffice_lays_the_docx_out_like_the_pdf(out_dir):
    """Each official DOCX converted by LibreOffice, for the sample and the short and long bodies:
    the PDF's page count, 28 characters a line (the DOCX's fixed character spacing; never 14, the
    character grid LibreOffice 7.4 doubles), and the 版记's last rule on the type area's bottom
    edge of the last page, where the PDF has it (the table floats, anchored to the page)."""
    from service.documents.docx_render import render_docx
    from service.documents.html_render import render_pdf
    from service.documents.registry import docx_view

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    lo = out_dir / "lo-compare"
    lo.mkdir(exist_ok=True)
    cases, docx_paths = {}, []
    for kind in OFFICIAL:
        for name, view in variants(kind).items():
            case = f"{kind}-{name}"
            (lo / f"{case}.docx").write_bytes(render_docx(kind, docx_view(view)))
            (lo / f"{case}.native.pdf").write_bytes(render_pdf(view))
            cases[case] = bool(view.get("printer") or view.get("copy_to"))
            docx_paths.append(str(lo / f"{case}.docx"))
    cmd = [soffice, f"-env:UserInstallation=file://{out_dir / 'lo-profile-2'}", "--headless", "--convert-to",
           "pdf", "--outdir", str(lo), *docx_paths]
    subprocess.run(cmd, check=True, capture_output=True, timeout=600, env=_lo_env(out_dir))
    report = {}
    for case, has_imprint in cases.items():
        lo_pages, lo_counts, lo_rule, lo_gap = _body_lines(lo / f"{case}.pdf")
        pdf_pages, pdf_counts, pdf_rule, _gap = _body_lines(lo / f"{case}.native.pdf")
        report[case] = (lo_pages, pdf_pages, max(lo_counts, default=0), max(pdf_counts, default=0),
                        lo_rule and round(lo_rule, 1), pdf_rule and round(pdf_rule, 1), has_imprint,
                        lo_gap and round(lo_gap, 1))
    print(report)
    foot = L.PAGE_HEIGHT_MM - L.MARGIN_BOTTOM_MM
    wrong = {}
    for case, (lo_pages, pdf_pages, lo_max, pdf_max, lo_rule, pdf_rule, has_imprint, lo_gap) in report.items():
        if lo_pages != pdf_pages:
            wrong[case] = f"LibreOffice {lo_pages} pages, PDF {pdf_pages}"
        elif not lo_max == pdf_max <= L.CHARS_PER_LINE:
            wrong[case] = f"characters a line: LibreOffice {lo_max}, PDF {pdf_max}"
        elif has_imprint and not (lo_rule and pdf_rule and abs(pdf_rule - foot) < 0.3 and abs(lo_rule - foot) < 0.5):
            wrong[case] = f"版记 last rule at {lo_rule} mm in LibreOffice, {pdf_rule} mm in the PDF (foot: {foot})"
        elif has_imprint and (lo_gap is None or lo_gap < 1.5):
            wrong[case] = f"版记 text {lo_gap} mm above its last rule in LibreOffice (the PDF: 2.4 mm)"
    assert wrong == {}, report
    assert all(report[f"{k}-four-page"][1] >= 4 for k in OFFICIAL), report
    # kinds with a line of full-width characters only fill it with exactly 28 in both
    assert sum(1 for r in report.values() if r[2] == r[3] == L.CHARS_PER_LINE) >= 4, report


@pytest.mark.slow
def test_a_body_ending_exactly_at_the_foot_of_a_page_keeps_its_signature_company():
    """The hardest case: the text alone fills page 1 to its last line.  Found by bisection on the
    number of one-line paragraphs; then the 落款 must take two lines of text to page 2."""
    import pdfplumber

    from service.documents.html_render import render_pdf

    base = compose.compose("supplement-notice", sample_context("supplement-notice"))

    def view(k: int, signed: bool) -> dict:
        v = dict(base, blocks=base["blocks"] + [{"t": "p", "text": "现予通知。"} for _ in range(k)],
                 copy_to="", printer="", printed_on="")
        return v if signed else dict(v, signature="", date="")

    def pages(v: dict) -> int:
        with pdfplumber.open(io.BytesIO(render_pdf(v))) as pdf:
            return len(pdf.pages)

    lo, hi = 0, 20  # pages(view(lo)) == 1, pages(view(hi)) == 2
    assert pages(view(lo, False)) == 1 and pages(view(hi, False)) == 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if pages(view(mid, False)) == 1 else (lo, mid)
    signed = view(lo, True)  # the text ends on page 1's last line
    with pdfplumber.open(io.BytesIO(render_pdf(signed))) as pdf:
        assert len(pdf.pages) == 2
        second = pdf.pages[1]
        body = {round(c["top"]) for c in second.chars if abs(c["size"] - 16) < 0.1 and c["x0"] < L.mm_to_pt(60)}
        assert len(body) >= 2 and signed["date"] in squash(second.extract_text() or "")


@pytest.mark.parametrize("layout", ["official", "ledger"])
def test_stylesheet_names_only_values_it_is_given(layout):
    """Every value of official.css comes from the layout numbers: a name missing from them fails at once
    instead of WeasyPrint dropping ``margin-top: pt`` with a warning (the 版头 mark once lost its rule so)."""
    import re

    from service.documents.html_render import _layout_css, system_plan

    css = _layout_css(layout, system_plan())
    assert not re.search(r":\s*(pt|mm|px)\b", css), css
    assert "{{" not in css and "None" not in css


def test_no_two_tables_touch_in_the_docx():
    """Word and LibreOffice join two tables with no paragraph between them into one: the 季度通报's party-day
    table by 领域 then ran on under the 单位 table's repeated header row. A gap keeps them apart."""
    import re

    from service.documents.compose import compose
    from service.documents.registry import docx_view
    from service.documents.docx_render import render_docx

    for kind in sample_kinds():
        if kind in CERTIFICATE_KINDS or kind == "blank-form":
            continue
        blocks = compose(kind, sample_context(kind)).get("blocks") or []
        kinds = [b.get("t") for b in blocks]
        assert ("table", "table") not in set(zip(kinds, kinds[1:])), kind
    # a district's report: its 四 holds the party-day tables by 党委 and by 领域 (a 工委's has no 四)
    view = compose("quarterly-report", dict(sample_context("quarterly-report"), issuer="中共静海区委"))
    kinds = [b.get("t") for b in view["blocks"]]
    assert kinds.count("table") >= 4 and ("table", "table") not in set(zip(kinds, kinds[1:]))
    with zipfile.ZipFile(io.BytesIO(render_docx("quarterly-report", docx_view(view)))) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert not re.search(r"</w:tbl>\s*<w:tbl>", xml)


def test_quarterly_report_tables_keep_their_headers_figures_and_rows_together():
    """The district's 季度通报, one view drawn by two renderers: a three-character header (支部数、“好”、完成率) and
    a rate (92.3%) on one line in the PDF — they wrapped as 支部/数 in columns 14.7 mm wide; the DOCX cells padded
    as the PDF's (its rows were 18.5 pt against the PDF's 21.4, LibreOffice ran a page short); every row of a
    small table kept with the next (the 领域 table split across pages 4 and 5 in LibreOffice)."""
    import re

    import pdfplumber

    from service.documents.docx_render import render_docx
    from service.documents.html_render import render_pdf
    from service.documents.registry import docx_view

    view = compose.compose("quarterly-report", dict(sample_context("quarterly-report"), issuer="中共静海区委"))
    tables = [b for b in view["blocks"] if b.get("t") == "table"]
    assert len(tables) == 5 and all(b.get("keep") for b in tables)
    pad_pt = L.mm_to_pt(L.TABLE_PAD_X_MM)
    for b in tables:
        assert sum(b["widths"]) == L.mm_to_twips(L.TYPE_AREA_WIDTH_MM)
        for i, head in enumerate(b["headers"][1:], 1):
            room = b["widths"][i] / 20 - 2 * pad_pt
            assert room >= (len(head) if len(head) <= 3 else 2) * L.TABLE_PT, (head, room)
    with pdfplumber.open(io.BytesIO(render_pdf(view))) as pdf:
        lines = [squash(line) for p in pdf.pages for line in (p.extract_text() or "").splitlines()]
    assert any("支部数已考核“好”后进整改销号逾期完成率" in line for line in lines), lines
    assert any("应开展8日他日未开展参加率" in line for line in lines), lines
    assert not any(re.fullmatch(r"%|数|核|率|”", line) for line in lines), lines
    with zipfile.ZipFile(io.BytesIO(render_docx("quarterly-report", docx_view(view)))) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    y, x = L.mm_to_twips(L.TABLE_PAD_Y_MM), L.mm_to_twips(L.TABLE_PAD_X_MM)
    margins = re.findall(r"<w:tblCellMar>(.*?)</w:tblCellMar>", xml)[:5]  # then the 版记's
    assert len(margins) == 5 and all(f'<w:top w:w="{y}"' in m and f'<w:left w:w="{x}"' in m
                                     and f'<w:bottom w:w="{y}"' in m for m in margins), margins[:1]
    for tbl, b in zip(re.findall(r"<w:tbl>.*?</w:tbl>", xml, re.S), tables):
        rows = re.findall(r"<w:tr>.*?</w:tr>|<w:tr .*?</w:tr>", tbl, re.S)
        kept = ["<w:keepNext/>" in r for r in rows]
        assert len(rows) == len(b["rows"]) + 1 and kept == [True] * len(b["rows"]) + [False], kept
    css = open(Path(__file__).resolve().parents[2] / "service/documents/html/official.css").read()
    assert "padding: {{ table_pad_y_mm }}mm {{ table_pad_x_mm }}mm" in css
