"""Field-level accuracy over the generated corpus, DOCX and the PDF LibreOffice made of each."""
from __future__ import annotations

import pytest

import parsers
from parsers.forms import required_fields

from .scoring import compare, same

pytestmark = pytest.mark.slow  # field accuracy over the generated corpora

THRESHOLD = 0.98


def _accuracy(directory, cases, ext):
    ok = total = 0
    wrong = []
    for case in cases:
        if case.kind == "report":
            continue
        result = parsers.parse_path(directory / f"{case.name}.{ext}")
        assert result.form == case.kind, (case.name, ext, result.form, result.errors)
        assert not result.errors, (case.name, ext, result.errors)
        for key, exp, got in compare(case.expected, result.fields, case.absent):
            total += 1
            if same(exp, got):
                ok += 1
            else:
                wrong.append((case.name, case.layout, key, exp, got))
    return ok, total, wrong


def test_corpus_is_varied_enough(generated_corpus):
    _, cases = generated_corpus
    forms = [c for c in cases if c.kind != "report"]
    assert len(forms) >= 60
    seen = {k: {str(c.variations.get(k)) for c in forms} for k in
            ("layout", "date", "count", "check", "label_style", "colon", "split_runs", "scores", "combo", "cells_row")}
    assert {"grid4", "grid2", "header_rows", "vertical", "paragraphs", "underscores", "title_in_table",
            "template"} <= seen["layout"]
    assert {"ymd_cn", "dot", "slash", "iso", "cn_numeral", "month_only", "dot_pad"} <= seen["date"]
    assert {"plain", "ren", "ming", "cn_ren", "cn_ming"} <= seen["count"]
    assert {"ballot", "sqrt", "black", "xbox", "wingdings", "wingdings2", "cells", "formcheckbox", "sdt",
            "wps_font"} <= seen["check"]
    assert any(c.absent for c in forms) and any(c.variations.get("fullwidth") for c in forms)
    assert any(c.variations.get("sdt_values") for c in forms)
    assert any(c.variations.get("borderless") for c in forms)
    assert any(c.variations.get("two_pages") for c in forms)
    assert {"plain", "spaces", "ideographic"} <= seen["label_style"]
    assert {"full", "half", "none"} <= seen["colon"]
    assert {"True", "False"} <= seen["split_runs"] and "True" in seen["cells_row"] and "True" in seen["combo"]
    assert {"rows", "header", "columns", "inline"} <= seen["scores"]


def test_two_page_forms_really_have_two_pages(generated_corpus):
    import pdfplumber
    directory, cases = generated_corpus
    long = [c for c in cases if c.variations.get("two_pages")]
    assert long
    for case in long:
        with pdfplumber.open(directory / f"{case.name}.pdf") as pdf:
            assert len(pdf.pages) >= 2, case.name


@pytest.mark.parametrize("ext", ["docx", "pdf"])
def test_field_accuracy(generated_corpus, ext, capsys):
    directory, cases = generated_corpus
    ok, total, wrong = _accuracy(directory, cases, ext)
    acc = ok / total
    with capsys.disabled():
        print(f"\n[parsers] {ext}: field-level accuracy {acc:.2%} ({ok}/{total} fields, "
              f"{sum(1 for c in cases if c.kind != 'report')} forms)")
        for w in wrong[:20]:
            print("   wrong:", w)
    assert acc >= THRESHOLD


@pytest.mark.parametrize("ext", ["docx", "pdf"])
def test_field_accuracy_on_a_held_out_seed(heldout_corpus, ext, capsys):
    """Forms from a seed the readers were never tuned on."""
    directory, cases = heldout_corpus
    ok, total, wrong = _accuracy(directory, cases, ext)
    acc = ok / total
    with capsys.disabled():
        print(f"\n[parsers] {ext} (held-out seed): field-level accuracy {acc:.2%} ({ok}/{total} fields, "
              f"{sum(1 for c in cases if c.kind != 'report')} forms)")
        for w in wrong[:20]:
            print("   wrong:", w)
    assert acc >= THRESHOLD


@pytest.mark.parametrize("ext", ["docx", "pdf"])
def test_missing_lists_only_absent_required_fields(generated_corpus, ext):
    directory, cases = generated_corpus
    for case in [c for c in cases if c.kind != "report"][::7]:
        result = parsers.parse_path(directory / f"{case.name}.{ext}")
        req = required_fields(case.kind)
        assert result.missing == [k for k in req if k not in result.fields]
        assert set(req) - set(case.expected) == set(result.missing) - set(case.expected) or not result.missing


@pytest.mark.parametrize("ext", ["docx", "pdf"])
def test_reports(generated_corpus, ext):
    directory, cases = generated_corpus
    reports = [c for c in cases if c.kind == "report"]
    assert reports
    for case in reports:
        result = parsers.parse_path(directory / f"{case.name}.{ext}")
        assert result.form == "report", (case.name, result.errors)
        assert result.fields["title"] == case.expected["title"]
        assert result.fields["char_count"] == case.expected["char_count"]
        assert result.fields["headings"] == case.expected["headings"]
        assert result.missing == []
        assert result.provenance["title"]["source"] == ext


@pytest.mark.parametrize("ext", ["docx", "pdf"])
@pytest.mark.parametrize("split", ["tuning", "heldout"])
def test_field_accuracy_with_unseen_wordings(request, split, ext, capsys):
    """Every label a wording no list has (tests/parsers/wordings.py); the held-out split is
    never looked at while tuning the matcher."""
    fixture = "unseen_corpus" if split == "tuning" else "unseen_heldout_corpus"
    directory, cases = request.getfixturevalue(fixture)
    ok, total, wrong = _accuracy(directory, cases, ext)
    acc = ok / total
    with capsys.disabled():
        print(f"\n[parsers] {ext} (unseen wordings, {split}): field-level accuracy {acc:.2%} ({ok}/{total} fields, "
              f"{len(cases)} forms)")
        for w in wrong[:20]:
            print("   wrong:", w)
    assert acc >= THRESHOLD


@pytest.mark.parametrize("ext", ["docx", "pdf"])
def test_a_printed_but_blank_optional_field_is_a_warning(generated_corpus, ext):
    directory, cases = generated_corpus
    blank = [c for c in cases if "contact_phone" in c.absent and c.layout != "template"]
    filled = [c for c in cases if c.kind != "report" and "contact_phone" in c.expected][:10]
    assert len(blank) >= 5
    hits = 0
    for case in blank:
        result = parsers.parse_path(directory / f"{case.name}.{ext}")
        got = [w for w in result.warnings if w["field"] == "contact_phone"]
        hits += bool(got)
        for w in got:
            assert w["code"] == "missing_optional" and w["message"] == "表单印有“联系电话”一栏，但未填写。"
    assert hits >= len(blank) - 1, (hits, len(blank))
    for case in filled:
        result = parsers.parse_path(directory / f"{case.name}.{ext}")
        assert not [w for w in result.warnings if w["field"] == "contact_phone"], case.name
