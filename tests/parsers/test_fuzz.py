"""Mutated DOCX / PDF bytes: only clean errors come out (no exception, known codes)."""
from __future__ import annotations

import io
import json
import logging
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import parsers
from parsers.errors import MESSAGES

pytestmark = pytest.mark.slow  # hypothesis fuzzing of the readers

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


class _Unexpected(logging.Handler):
    """parse_bytes logs on the 'parsers' logger when its last-resort handler fires."""

    def emit(self, record):
        raise AssertionError(f"unexpected exception inside the parser: {record.getMessage()}\n{record.exc_text or ''}")


_handler = _Unexpected(level=logging.ERROR)


def _check(data: bytes, name: str) -> None:
    logger = logging.getLogger("parsers")
    logger.addHandler(_handler)
    try:
        result = parsers.parse_bytes(data, name)  # must not raise, nor hit the catch-all
    finally:
        logger.removeHandler(_handler)
    d = result.to_dict()
    assert set(d) == {"file", "form", "fields", "missing", "errors", "provenance"}
    for e in result.errors:
        assert e["code"] in MESSAGES and e["message"]
    json.dumps(result.to_full_dict(), ensure_ascii=False)


mutation = st.tuples(st.sampled_from(["flip", "truncate", "insert", "delete", "zero"]),
                     st.floats(min_value=0, max_value=1), st.integers(min_value=1, max_value=64),
                     st.binary(min_size=1, max_size=16))


def _mutate(data: bytes, muts) -> bytes:
    b = bytearray(data)
    for kind, where, size, junk in muts:
        if not b:
            break
        i = int(where * (len(b) - 1))
        if kind == "flip":
            for k in range(i, min(i + size, len(b))):
                b[k] ^= 0xFF
        elif kind == "truncate":
            del b[i:]
        elif kind == "insert":
            b[i:i] = junk
        elif kind == "delete":
            del b[i:i + size]
        else:
            b[i:i + size] = bytes(min(size, len(b) - i))
    return bytes(b)


def _document_xml(data: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")


def _rezip(data: bytes, xml: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info.filename, xml if info.filename == "word/document.xml" else src.read(info.filename))
    return out.getvalue()


def test_fuzz_docx_bytes(generated_corpus):
    directory, _ = generated_corpus
    seed = (directory / "acceptance_03.docx").read_bytes()

    @FUZZ
    @given(st.lists(mutation, min_size=1, max_size=4))
    def run(muts):
        _check(_mutate(seed, muts), "f.docx")

    run()


def test_fuzz_docx_xml_inside_a_valid_zip(generated_corpus):
    """Mutate the XML itself (the zip stays valid), to reach the table/paragraph readers."""
    directory, _ = generated_corpus
    seed = (directory / "declaration_03.docx").read_bytes()
    xml = _document_xml(seed)

    @FUZZ
    @given(st.lists(mutation, min_size=1, max_size=3))
    def run(muts):
        _check(_rezip(seed, _mutate(xml, muts)), "x.docx")

    run()


def test_fuzz_pdf_bytes(generated_corpus):
    directory, _ = generated_corpus
    seed = (directory / "brand_03.pdf").read_bytes()

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.lists(mutation, min_size=1, max_size=4))
    def run(muts):
        _check(_mutate(seed, muts), "f.pdf")

    run()


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.binary(max_size=2048), st.sampled_from([b"", b"%PDF-1.7\n", b"PK\x03\x04",
                                                  bytes.fromhex("d0cf11e0a1b11ae1")]))
def test_fuzz_random_bytes(data, prefix):
    _check(prefix + data, "r.bin")


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
span_values = st.sampled_from(["1", "2", "3", "0", "-1", "63", "64", "999999999", "x", ""])
cell_xml = st.builds(
    lambda span, vm, text, wrap: (
        ("<w:sdt><w:sdtContent>" if wrap else "")
        + f'<w:tc><w:tcPr><w:gridSpan w:val="{span}"/>{vm}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>'
        + ("</w:sdtContent></w:sdt>" if wrap else "")),
    span_values,
    st.sampled_from(["", '<w:vMerge w:val="restart"/>', "<w:vMerge/>", '<w:vMerge w:val="continue"/>']),
    st.sampled_from(["支部名称", "市财政局第一党支部", "☑社区 □农村", "二〇二四年三月", "", "&lt;b&gt;"]),
    st.booleans(),
)
row_xml = st.builds(lambda before, cells: f'<w:tr><w:trPr><w:gridBefore w:val="{before}"/></w:trPr>{"".join(cells)}</w:tr>',
                    span_values, st.lists(cell_xml, max_size=8))
table_xml = st.builds(lambda rows: f"<w:tbl>{''.join(rows)}</w:tbl>", st.lists(row_xml, max_size=12))


def test_fuzz_table_structures(generated_corpus):
    """Odd grids (spans of 0, -1 or a billion, vMerge without a start, wrappers) stay clean and fast."""
    directory, _ = generated_corpus
    seed = (directory / "declaration_01.docx").read_bytes()

    @FUZZ
    @given(st.lists(table_xml, min_size=1, max_size=3), st.booleans())
    def run(tables, title):
        body = ("<w:p><w:r><w:t>市直机关“五好党支部”创建申报表</w:t></w:r></w:p>" if title else "") + "".join(tables)
        xml = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'
        _check(_rezip(seed, xml.encode()), "t.docx")

    run()


def test_fuzz_pdf_geometry(generated_corpus):
    """Valid PDFs whose drawing numbers are mangled: odd coordinates reach the table/line code."""
    import re

    import pikepdf

    directory, _ = generated_corpus
    src = pikepdf.open(directory / "acceptance_01.pdf")
    content = src.pages[0].Contents.read_bytes() if not isinstance(src.pages[0].Contents, pikepdf.Array) \
        else b"".join(s.read_bytes() for s in src.pages[0].Contents)
    numbers = list(re.finditer(rb"(?<![A-Za-z/#])-?\d+(?:\.\d+)?", content))
    replacement = st.sampled_from([b"0", b"-1", b"1e9", b"99999", b"0.0001", b"-5000", b"3"])

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.lists(st.tuples(st.integers(min_value=0, max_value=len(numbers) - 1), replacement), min_size=1,
                    max_size=40))
    def run(edits):
        buf = bytearray(content)
        for idx, rep in sorted(set(edits), key=lambda e: -numbers[e[0]].start()):
            m = numbers[idx]
            buf[m.start():m.end()] = rep
        pdf = pikepdf.open(directory / "acceptance_01.pdf")
        pdf.pages[0].Contents = pikepdf.Stream(pdf, bytes(buf))
        out = io.BytesIO()
        pdf.save(out)
        _check(out.getvalue(), "g.pdf")

    run()
