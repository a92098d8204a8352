"""Bounded work (issue 16, items 1 and 3): limits checked before the work, budgets while it runs,
and the sandbox's hard stops (time, memory) around it."""
from __future__ import annotations

import os
import struct
import threading
import time
import zlib

import pytest

import parsers
from parsers import limits, sandbox
from parsers.api import parse_document
from tests import hostile

MAX = 20 * 1024 * 1024


def _codes(data: bytes, name: str) -> list[str]:
    return [e["code"] for e in parsers.parse_bytes(data, name, max_bytes=MAX).errors]


@pytest.mark.parametrize("name, code", [
    ("tj_1m_chars.pdf", "too_large"),
    ("q_Q_20MB.pdf", "too_large"),
    ("pages_100000.pdf", "too_large"),
    ("pages_100000_count_1.pdf", "too_large"),
    ("xobject_10M_glyphs.pdf", "too_large"),
    ("arrays_200000_deep.pdf", "too_large"),
    ("nodes_2M.docx", "zip_bomb"),
    ("entities.docx", "xml_entities"),
])
def test_hostile_files_are_refused_by_a_limit(name, code):
    assert _codes(hostile.HOSTILE[name](), name) == [code]


def test_the_page_count_comes_from_the_page_tree_before_any_page_is_loaded():
    r = parsers.parse_bytes(hostile.many_pages(100_000), "p.pdf", max_bytes=MAX)
    assert r.errors[0]["message"] == "PDF 共 100000 页，超过 200 页的处理上限。"
    # a tree whose /Count lies is measured by its references
    r = parsers.parse_bytes(hostile.many_pages(100_000, count=1), "p.pdf", max_bytes=MAX)
    assert "100000" in r.errors[0]["message"]
    assert _codes(hostile.many_pages(limits.MAX_PAGES), "p.pdf") == []


def test_a_45_mb_document_xml_is_refused_from_its_declared_size():
    r = parsers.parse_bytes(hostile.docx_big_xml(45), "big.docx", max_bytes=MAX)
    assert [e["code"] for e in r.errors] == ["too_large"]
    assert "document.xml" in r.errors[0]["message"]


def test_glyphs_are_counted_while_they_are_built(monkeypatch):
    """MAX_CHARS stops the interpreter at glyph MAX_CHARS + 1, not after the page is read."""
    monkeypatch.setattr(limits, "MAX_CHARS", 500)
    data = hostile.build_pdf([((595, 842), 0)], [b"BT /F1 1 Tf 10 10 Td (" + b"A" * 3000 + b") Tj ET"])
    budget = limits.Budget()
    with limits.using(budget):
        result, doc = parse_document(data, "a.pdf", max_bytes=MAX)
    assert [e["code"] for e in result.errors] == ["too_large"] and doc is None
    assert budget.chars == 501


def test_paths_and_operands_are_counted(monkeypatch):
    monkeypatch.setattr(limits, "MAX_PATHS", 50)
    ops = b"\n".join(b"%d 10 4 4 re S" % (10 + i * 5) for i in range(60))
    data = hostile.build_pdf([((595, 842), 0)], [b"BT /F1 12 Tf 72 700 Td (grid) Tj ET\n" + ops])
    assert _codes(data, "a.pdf") == ["too_large"]


def test_content_streams_inflate_with_a_cap():
    assert limits.inflate_capped(zlib.compress(b" " * 5000), 4999) is None
    assert limits.inflate_capped(zlib.compress(b" " * 5000), 5000) == b" " * 5000
    assert limits.inflate_capped(zlib.compress(b"abc")[:-3], 100) == b"abc"  # a corrupt tail keeps the head


def test_render_scale_caps_pixels_and_sides():
    for side in (595, 14400, 200000):
        s = limits.render_scale(side, side, 1.5)
        assert (side * s) ** 2 <= limits.MAX_RENDER_PIXELS * 1.0001 and side * s <= limits.MAX_RENDER_SIDE
    assert limits.render_scale(595, 842, 1.5) == 1.5


def test_ordinary_files_stay_far_below_the_limits():
    data = hostile.text_pdf([f"Line {i}: the quick brown fox" for i in range(40)])
    budget = limits.Budget()
    with limits.using(budget):
        result, doc = parse_document(data, "a.pdf", max_bytes=MAX)
    assert doc is not None and "Line 39" in doc.full_text
    assert budget.chars < limits.MAX_CHARS / 50 and budget.tokens < limits.MAX_CONTENT_TOKENS / 50


# --- the sandbox ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def box():
    sb = sandbox.Sandbox(workers=2)
    yield sb
    sb.close()


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def test_sandbox_parses_and_returns_the_document_model(box):
    data = hostile.text_pdf(["Hello sandbox", "second line"])
    reply = box.parse(data, "a.pdf", max_bytes=MAX)
    direct, doc = parse_document(data, "a.pdf", max_bytes=MAX)
    assert reply["result"] == direct.to_full_dict()
    assert sandbox.doc_from_dict(reply["doc"]).blocks == doc.blocks
    assert reply["pages"] == [{"n": 1, "width": 595.0, "height": 842.0}]
    assert 0 < reply["peak_rss"] < 1024 ** 3


def test_sandbox_refuses_hostile_files_with_their_codes(box):
    for name in ("tj_1m_chars.pdf", "q_Q_20MB.pdf", "entities.docx"):
        reply = box.parse(hostile.HOSTILE[name](), name, max_bytes=MAX)
        assert [e["code"] for e in reply["result"]["errors"]] in (["too_large"], ["xml_entities"])


def test_a_parse_that_does_not_finish_is_killed_and_reported(box, tmp_path):
    """The worker blocks on a FIFO nobody writes to: only the kill can end the call."""
    gate = tmp_path / "gate"
    os.mkfifo(gate)
    started = box.stats["started"]
    reply = box.parse(hostile.text_pdf(["x"]), "slow.pdf", max_bytes=MAX, timeout=0.5, gate=str(gate))
    assert reply["result"]["errors"] == [{"code": "parse_timeout", "message": parsers.ERROR_MESSAGES["parse_timeout"]}]
    assert box.stats["timeouts"] >= 1
    again = box.parse(hostile.text_pdf(["after"]), "a.pdf", max_bytes=MAX)  # a fresh worker answers
    assert again["result"]["errors"] == []
    assert box.stats["started"] > started


def test_a_parse_over_the_memory_limit_is_stopped():
    """A worker allowed its own size plus 8 MB cannot inflate 15 MB of content (under the
    16 MB content limit): RLIMIT_AS turns the allocation into ``parse_memory``."""
    probe = sandbox.Sandbox(workers=1)
    probe.parse(hostile.text_pdf(["x"]), "a.pdf", max_bytes=MAX)
    size = sandbox._status_bytes(probe._idle[0].pid, "VmSize")
    probe.close()
    tight = sandbox.Sandbox(workers=1, memory_mb=size // 2**20 + 8)
    try:
        data = hostile.build_pdf_raw_stream(_flate_stream(b"%" * (15 << 20)))
        reply = tight.parse(data, "fat.pdf", max_bytes=MAX)
        assert [e["code"] for e in reply["result"]["errors"]] == ["parse_memory"]
        again = tight.parse(hostile.text_pdf(["after"]), "a.pdf", max_bytes=MAX)
        assert again["result"]["errors"] == []
    finally:
        tight.close()


def _flate_stream(raw: bytes) -> bytes:
    body = zlib.compress(raw, 9)
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream"


@pytest.mark.parametrize("points", [14400, 200000])
def test_page_images_of_huge_pages_are_capped(box, points):
    png = box.render_page(hostile.big_page(points), 1)
    w, h = _png_size(png)
    assert w * h <= limits.MAX_RENDER_PIXELS and max(w, h) <= limits.MAX_RENDER_SIDE
    assert box.render_page(hostile.big_page(points), 2) is None


def test_page_image_of_a_broken_file_is_a_clean_error(box):
    with pytest.raises(parsers.ParseError) as err:
        box.render_page(b"%PDF-1.4 garbage", 1)
    assert err.value.code in {"corrupt_file", "parse_failed"}


# --- lanes: slow files never hold every worker ------------------------------------------------

def _padded_pdf(text: str) -> bytes:
    """A text PDF over ``LIGHT_BYTES`` (an unreferenced stream of zeros): a heavy-lane file."""
    n = sandbox.LIGHT_BYTES + (1 << 19)
    pad = b"<< /Length %d >>\nstream\n" % n + b"0" * n + b"\nendstream"
    return hostile.build_pdf([((595, 842), 0)], [b"BT /F1 12 Tf 72 760 Td (" + text.encode() + b") Tj ET"],
                             extra=[pad])


def test_a_small_file_slower_than_the_light_budget_is_read_again_in_the_heavy_lane():
    """200 lines (12,000 glyphs) take far more than the 50 ms light budget anywhere: the light
    worker's own alarm stops it (no kill, the worker stays) and the heavy lane reads it whole."""
    box = sandbox.Sandbox(workers=1, heavy_workers=1, light_seconds=0.05)
    try:
        data = hostile.text_pdf([f"Line {i}: the quick brown fox jumps over the lazy dog 0123456789"
                                 for i in range(200)])
        reply = box.parse(data, "slow.pdf", max_bytes=MAX, timeout=120)
        assert reply["result"]["errors"] == [] and "Line 199" in str(reply["doc"])
        assert (box.stats["demoted"], box.stats["heavy"], box.stats["timeouts"]) == (1, 1, 0)
        light = box.light._idle[0].pid
        box.light_seconds = 30  # a one-line file on a loaded machine may take more than 50 ms
        quick = box.parse(hostile.text_pdf(["quick"]), "a.pdf", max_bytes=MAX, timeout=120)
        assert quick["result"]["errors"] == [] and box.stats["heavy"] == 1  # read in the light lane
        assert box.light._idle[0].pid == light  # by the same worker
    finally:
        box.close()


def test_a_full_heavy_lane_answers_busy_at_once_and_the_light_lane_goes_on(tmp_path):
    gate = tmp_path / "gate"
    os.mkfifo(gate)
    box = sandbox.Sandbox(workers=1, heavy_workers=1, heavy_queue=0)
    out: dict = {}
    held = threading.Thread(target=lambda: out.update(
        box.parse(_padded_pdf("held"), "held.pdf", max_bytes=MAX, timeout=120, gate=str(gate))))
    held.start()
    try:
        with open(gate, "wb") as writer:  # returns once the held parse waits on the gate
            started = time.monotonic()
            busy = box.parse(_padded_pdf("next"), "next.pdf", max_bytes=MAX, timeout=120)
            assert [e["code"] for e in busy["result"]["errors"]] == ["parse_busy"]
            assert time.monotonic() - started < 10  # at once, not after the 120 s budget
            light = box.parse(hostile.text_pdf(["light"]), "a.pdf", max_bytes=MAX, timeout=120)
            assert light["result"]["errors"] == []
            assert held.is_alive()
            writer.write(b"1")
        held.join(120)
        assert out["result"]["errors"] == [] and box.stats["busy"] == 1
    finally:
        box.close()


def test_a_tail_label_is_sought_only_among_tails_short_enough_to_be_one():
    """A line of 5,000 words tried every word boundary as a label, each try normalising the
    whole tail: quadratic (a one-page PDF of 80 lines took 14 s)."""
    from parsers import pairs

    tried = []
    part = "word " * 5000 + "  党员人数"
    assert pairs._split_tail_label(part, lambda t: tried.append(t) or t.strip() == "党员人数") == (
        "word " * 5000, "  党员人数")
    assert len(tried) <= pairs.MAX_TAIL_VISIBLE
    assert all(len(t.split()) <= pairs.MAX_TAIL_VISIBLE for t in tried)
