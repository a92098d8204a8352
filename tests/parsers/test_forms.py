"""forms.yaml is the single source: kinds, fields, types, required keys; the blank templates."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import yaml

import parsers
from parsers import forms
from parsers.blank_forms import FILENAMES, build, path_for
from parsers.errors import WARNINGS
from parsers.normalize import norm_label

TYPES = {"str", "int", "date", "bool", "domain", "honor", "scores", "number", "list"}


def test_kinds_and_specs():
    assert forms.FORM_KINDS == ("declaration", "acceptance", "brand", "report")
    for kind in forms.FORM_KINDS:
        spec = forms.field_spec(kind)
        assert spec and all(v["type"] in TYPES for v in spec.values())
        assert forms.required_fields(kind) == [k for k, v in spec.items() if v["required"]]
    assert forms.required_fields("unknown") == []
    assert forms.field_spec("acceptance")["self_scores"]["type"] == "scores"
    assert forms.field_spec("declaration")["prior_honor"]["type"] == "honor"
    assert list(forms.score_dimensions()) == ["leadership", "members", "mechanism", "performance", "reputation"]
    assert list(forms.domain_labels()) == ["rural", "community", "organ", "soe", "nonpublic", "service", "school",
                                           "health"]
    assert set(forms.field_spec("report")) == {"title", "char_count", "headings", "text"}


def test_synonyms_do_not_map_one_label_to_two_keys_in_a_kind():
    import yaml
    syn = yaml.safe_load((forms.HERE / "synonyms.yaml").read_text(encoding="utf-8"))
    for kind in ("declaration", "acceptance", "brand"):
        table = dict(syn["common"])
        table.update(syn.get(kind, {}))
        seen = {}
        for key, labels in table.items():
            for lab in labels:
                n = norm_label(lab)
                assert seen.setdefault(n, key) == key, (kind, lab, key, seen[n])


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
@pytest.mark.parametrize("kind", ["declaration", "acceptance", "brand"])
def test_blank_templates_are_read_perfectly(kind, fmt):
    """Both the DOCX and its committed PDF (LibreOffice's print of it) read as their kind."""
    result = parsers.parse_path(path_for(kind).with_suffix(f".{fmt}"))
    assert result.form == kind
    assert result.fields == {}
    assert [e["code"] for e in result.errors] == ["empty_form"]
    assert result.missing == forms.required_fields(kind)
    found = {forms.match_label(p["label"], kind)[0] for p in result.pairs if forms.match_label(p["label"], kind)}
    expected = set(forms.field_spec(kind)) - {"self_scores"}
    if kind == "acceptance":
        expected |= {f"self_scores.{d}" for d in forms.score_dimensions()}
    assert expected <= found, expected - found


@pytest.mark.parametrize("kind", ["declaration", "acceptance", "brand"])
def test_committed_templates_match_the_generator(kind, tmp_path):
    """templates_docx/forms/ is what parsers.blank_forms builds from forms.yaml today."""
    build(kind).save(tmp_path / "fresh.docx")
    fresh = zipfile.ZipFile(tmp_path / "fresh.docx").read("word/document.xml")
    committed = zipfile.ZipFile(path_for(kind)).read("word/document.xml")
    assert fresh == committed, "run: python -m parsers.blank_forms"
    assert path_for(kind).name == FILENAMES[kind]


def test_missing_optional_wording_is_the_checks_rule():
    """The parser's warning and the checks' rule of the same code say the same thing."""
    rules = yaml.safe_load((Path(__file__).resolve().parents[2] / "service" / "checks" / "rules.yaml")
                           .read_text(encoding="utf-8"))["rules"]
    assert rules["missing_optional"]["message"] == WARNINGS["missing_optional"]
    assert rules["missing_optional"]["severity"] == "warning"
