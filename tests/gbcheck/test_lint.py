"""`wuhao lint` on documents made to be right and documents made to be wrong, one fault each."""
from __future__ import annotations

import io
import json
import random

import pikepdf
import pytest
from click.testing import CliRunner

from service.cli import main
from service.gbcheck import lint


def rules_of(result: dict) -> set[str]:
    assert "error" not in result, result.get("error")
    return {p["rule"] for p in result["problems"]}


def test_reference_pdf_has_no_problem(make_pdf):
    result = lint(make_pdf(), "ref.pdf")
    assert result["problems"] == [] and "error" not in result


def test_reference_docx_has_no_problem(make_docx):
    result = lint(make_docx(), "ref.docx")
    assert result["problems"] == [] and "error" not in result


PDF_FAULTS = [
    ({"top": 25.4}, "margin-top", "5.2.1", 2),
    ({"left": 31.8}, "margin-left", "5.2.1", None),
    ({"body_face": "SongSerif"}, "body-font", "7.3.3", 1),
    ({"date": "2026年06月01日"}, "date-padded", "7.3.5.4", 2),
    ({"date": "二〇二六年十二月一日"}, "date-numerals", "7.3.5.4", 2),
    ({"doc_number": "某市委〔2026〕第3号"}, "doc-number-di", "7.2.5", 1),
    ({"doc_number": "某市委[2026]03号"}, "doc-number-bracket", "7.2.5", 1),
    ({"doc_number": "某市委[2026]03号"}, "doc-number-zero", "7.2.5", 1),
    ({"signature_alone": True}, "signature-alone", "7.3.5.5", 3),
    ({"imprint_rules": (0.35, 0.25, 0)}, "imprint-rule-missing", "7.4.1", 2),
    ({"imprint_rules": (0.35, 0.18, 0.35)}, "imprint-rule-weight", "7.4.1", 2),
    ({"page_number": "-{n}-"}, "page-number-form", "7.5", 1),
    ({"page_number": "第{n}页"}, "page-number-form", "7.5", 1),
    ({"page_number": ""}, "page-number-missing", "7.5", 1),
    ({"page_number_drop": 12.7}, "page-number-vertical", "7.5", 1),
    ({"attachment_colon": ":"}, "attachment-colon", "7.3.4", 2),
    ({"heading3_face": "SongSerif"}, "heading-font", "7.3.3", 1),
    ({"pitch": 225 / 20}, "lines-per-page", "5.2.3", 1),
    ({"title": ("关于开展党支部标准化规范化建", "设专项检查工作的通知")}, "title-break", "7.3.1", 1),
    ({"title": ("关于开展党支部标准化规范化建设专项检查（", "工作）的通知")}, "title-break", "7.3.1", 1),
    ({"title": ("关于印发《市直机关党支部工作规则》", "的通知")}, "title-balance", "7.3.1", 1),
    ({"title": ("关于开展党支部标准化规范化", "建设专项检查的", "通知及有关事项的补充说明")}, "title-balance", "7.3.1", 1),
]


@pytest.mark.parametrize("changes,rule,clause,page", PDF_FAULTS, ids=[f"{r}-{i}" for i, (_c, r, _x, _p) in
                                                                    enumerate(PDF_FAULTS)])
def test_wrong_pdf_is_flagged(make_pdf, changes, rule, clause, page):
    result = lint(make_pdf(**changes), "wrong.pdf")
    hits = [p for p in result["problems"] if p["rule"] == rule]
    assert hits, result["problems"]
    assert hits[0]["clause"] == f"GB/T 9704-2012 {clause}"
    if page is not None:
        assert hits[0]["page"] == page
    assert hits[0]["box"] and len(hits[0]["box"]) == 4
    assert any("\u4e00" <= ch <= "\u9fff" for ch in hits[0]["message"])


def test_signature_alone_names_only_that(make_pdf):
    """The 落款 moved to its own page: that page is flagged, nothing else about the layout changes."""
    assert rules_of(lint(make_pdf(signature_alone=True), "x.pdf")) == {"signature-alone"}


DOCX_FAULTS = [
    ({"top_mm": 25.4}, "margin-top"),
    ({"left_mm": 31.8}, "margin-left"),
    ({"body_face": "宋体"}, "body-font"),
    ({"date": "2026年06月01日"}, "date-padded"),
    ({"doc_number": "某市委〔2026〕第3号"}, "doc-number-di"),
    ({"imprint_rules": (8, 6, 0)}, "imprint-rule-missing"),
    ({"imprint_rules": (8, 4, 8)}, "imprint-rule-weight"),
    ({"page_number": ("- ", " -")}, "page-number-form"),
    ({"grid_char_space": 0}, "chars-per-line"),
    ({"attachment_colon": ":"}, "attachment-colon"),
    ({"heading3_face": "宋体"}, "heading-font"),
    ({"title": ("关于开展党支部标准化规范化建", "设专项检查工作的通知")}, "title-break"),
    ({"title": ("关于印发《市直机关党支部工作规则》", "的通知")}, "title-balance"),
]


@pytest.mark.parametrize("changes,rule", DOCX_FAULTS, ids=[r for _c, r in DOCX_FAULTS])
def test_wrong_docx_is_flagged(make_docx, changes, rule):
    assert rule in rules_of(lint(make_docx(**changes), "wrong.docx"))


@pytest.mark.parametrize("lines", [
    ("关于命名2025年度市直机关", "“五好党支部”的决定"),            # inverted pyramid
    ("市直机关“五好党支部”", "验收意见表（考核评分表）"),          # pyramid
    ("关于进一步加强", "市直机关党支部标准化规范化", "建设工作的通知"),  # diamond
])
def test_balanced_titles_pass(make_pdf, make_docx, lines):
    """梯形 (either way up) and 菱形 titles are what 7.3.1 asks for: no title-balance problem."""
    assert "title-balance" not in rules_of(lint(make_pdf(title=lines), "ok.pdf"))
    assert "title-balance" not in rules_of(lint(make_docx(title=lines), "ok.docx"))


def test_blank_padded_form_line_is_not_a_wrapped_line(make_pdf):
    """A form's signing line spread by blanks to the right edge, then an indented paragraph: no
    line was wrapped, so nothing tells the 订口 (the 验收意见表 was read as 39.1 mm)."""
    padded = "党支部书记：" + "\u3000" * 13 + "年\u3000\u3000月\u3000\u3000日"
    paras = (("p", padded), ("p", "现将有关事项通知如下。"))
    assert "margin-left" not in rules_of(lint(make_pdf(paras=paras), "form.pdf"))


def test_song_body_and_its_headings_are_one_fault(make_pdf, make_docx):
    """7.3.3 puts the 1. and （1） headings in the body's face: a Song body with Song 1. headings is
    one body-font problem, not one more per heading; a 1. heading in Song beside a 仿宋 body is its
    own (the fault rows above)."""
    for result in (lint(make_pdf(body_face="SongSerif"), "x.pdf"), lint(make_docx(body_face="宋体"), "x.docx")):
        found = [p["rule"] for p in result["problems"] if p["rule"].endswith("-font")]
        assert found == ["body-font"], result["problems"]


def test_song_body_docx_names_the_face(make_docx):
    result = lint(make_docx(body_face="宋体"), "x.docx")
    hit = next(p for p in result["problems"] if p["rule"] == "body-font")
    assert "宋体" in hit["message"] and hit["paragraph"] and hit["page"] is None


@pytest.mark.slow
def test_docx_signature_alone_after_layout(make_docx):
    """Only LibreOffice's layout shows the 落款 pushed onto a page of its own."""
    data = make_docx(signature_on_new_page=True)
    assert "signature-alone" not in rules_of(lint(data, "x.docx"))
    laid = lint(data, "x.docx", layout_docx=True)
    hits = [p for p in laid["problems"] if p["rule"] == "signature-alone"]
    assert hits and hits[0]["page"] >= 2


def _encrypted(pdf: bytes) -> bytes:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        doc.save(out, encryption=pikepdf.Encryption(owner="o", user="u"))
    return out.getvalue()


@pytest.mark.parametrize("name,code", [
    ("truncated.pdf", "corrupt_file"), ("encrypted.pdf", "encrypted"), ("noise.bin", "unsupported_type"),
    ("empty.pdf", "unsupported_type"), ("broken.docx", "corrupt_file"),
])
def test_unreadable_files_give_a_code_and_chinese(make_pdf, name, code):
    ref = make_pdf()
    data = {"truncated.pdf": ref[: len(ref) // 3], "encrypted.pdf": _encrypted(ref), "noise.bin": b"\x00\x01" * 500,
            "empty.pdf": b"", "broken.docx": b"PK\x03\x04word/" + b"\x00" * 200}[name]
    result = lint(data, name)
    assert result["error"]["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result["error"]["message"])
    assert result["problems"] == []


def test_cli_json_lines_and_exit_codes(tmp_path, make_pdf):
    good, bad = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good.write_bytes(make_pdf())
    bad.write_bytes(make_pdf(date="2026年06月01日"))
    runner = CliRunner()
    ok = runner.invoke(main, ["lint", str(good), "--json"])
    assert ok.exit_code == 0, ok.output
    line = json.loads(ok.output)
    assert line["file"] == str(good) and line["problems"] == []
    both = runner.invoke(main, ["lint", str(good), str(bad), "--json"])
    assert both.exit_code == 1
    lines = [json.loads(x) for x in both.output.splitlines()]
    assert [x["file"] for x in lines] == [str(good), str(bad)]
    assert {"rule", "clause", "page", "message"} <= set(lines[1]["problems"][0])
    text = runner.invoke(main, ["lint", str(bad)])
    assert text.exit_code == 1 and "不编虚位" in text.output and "7.3.5.4" in text.output
    missing = runner.invoke(main, ["lint", str(tmp_path / "none.pdf")])
    assert missing.exit_code == 1 and "找不到文件" in missing.output and "Traceback" not in missing.output


@pytest.mark.parametrize("seed", range(12))
def test_mangled_files_never_raise(make_pdf, make_docx, seed):
    """Bytes flipped anywhere in a real PDF or DOCX: a result or a coded error, never an exception."""
    rnd = random.Random(seed)
    for original in (make_pdf(), make_docx()):
        data = bytearray(original)
        for _ in range(rnd.randint(1, 40)):
            data[rnd.randrange(len(data))] = rnd.randrange(256)
        result = lint(bytes(data), "mangled")
        assert isinstance(result["problems"], list)
        assert "error" not in result or result["error"]["code"] in {
            "corrupt_file", "unsupported_type", "no_text_layer", "encrypted", "zip_bomb", "xml_entities"}
