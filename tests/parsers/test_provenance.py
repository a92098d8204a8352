"""Provenance points at the place the value was read from."""
from __future__ import annotations

import re

import pdfplumber
from docx import Document
from docx.oxml.ns import qn

import parsers
from parsers.forms import field_spec

_WS = re.compile(r"\s+")


def _squash(s):
    return _WS.sub("", str(s))


def _str_fields(result):
    spec = field_spec(result.form)
    return {k: v for k, v in result.fields.items() if spec[k]["type"] == "str"}


def test_docx_provenance_addresses_the_value_cell_or_paragraph(generated_corpus):
    directory, cases = generated_corpus
    checked = 0
    for case in [c for c in cases if c.kind != "report"]:
        path = directory / f"{case.name}.docx"
        result = parsers.parse_path(path)
        doc = Document(str(path))
        for key, value in _str_fields(result).items():
            prov = result.provenance[key]
            assert prov["source"] == "docx" and 0 < prov["confidence"] <= 1
            if "table" in prov:
                el = doc.tables[prov["table"]].cell(prov["row"], prov["cell"])._tc
            else:
                el = doc.paragraphs[prov["paragraph"]]._p
            text = "".join(t.text or "" for t in el.iter(qn("w:t")))  # content controls included
            # the value (or, for a "label：" paragraph, the next paragraph) holds the value text
            assert _squash(value)[:6] in _squash(text), (case.name, key, value, text)
            checked += 1
    assert checked > 300


def test_pdf_provenance_bbox_holds_the_value(generated_corpus):
    directory, cases = generated_corpus
    checked = 0
    for case in [c for c in cases if c.kind != "report"][::3]:
        path = directory / f"{case.name}.pdf"
        result = parsers.parse_path(path)
        with pdfplumber.open(path) as pdf:
            for key, value in _str_fields(result).items():
                prov = result.provenance[key]
                assert prov["source"] == "pdf" and prov["page"] >= 1
                x0, top, x1, bottom = prov["bbox"]
                assert x0 < x1 and top < bottom
                page = pdf.pages[prov["page"] - 1]
                text = page.crop((x0 - 1, top - 1, x1 + 1, bottom + 1)).extract_text()
                assert _squash(value)[:4] in _squash(text), (case.name, key, value, text)
                checked += 1
    assert checked > 80
