"""The image steps of OCR on drawn pages (no model, well under a second each), and the hooks:
which files are OCRed and which are not."""
from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

import parsers
from parsers.ocr import needs_ocr, parse_with_ocr, read_scan
from parsers.ocr.grid import find_checkboxes, find_lines, find_tables, ink_mask, line_ink
from parsers.ocr.prepare import box_back, prepare, red_mask, seal_boxes, skew_angle

ROOT = Path(__file__).resolve().parents[3]
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
DPI = 200


@lru_cache(maxsize=1)
def _drawn_form() -> tuple[np.ndarray, dict]:
    """A white A4 page at 200 dpi with a 3x2 ruled table, two checkboxes (one ticked), the
    character 国 (an enclosure a checkbox finder must not take) and a red seal over the table."""
    W, H = 1654, 2339
    img = Image.new("RGB", (W, H), "white")
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 30)
    x0, y0, x1, cols, row_h = 200, 300, 1450, [200, 600, 1450], 80
    for k in range(4):
        d.line([(x0, y0 + k * row_h), (x1, y0 + k * row_h)], fill="black", width=2)
    for x in cols:
        d.line([(x, y0), (x, y0 + 3 * row_h)], fill="black", width=2)
    d.text((230, 320), "支部名称", fill="black", font=font)
    d.text((630, 320), "市财政局第一党支部", fill="black", font=font)
    d.text((230, 400), "所属领域", fill="black", font=font)
    boxes = {"empty": (630, 405, 656, 431), "ticked": (800, 405, 826, 431)}
    for b in boxes.values():
        d.rectangle(b, outline="black", width=2)
    d.line([(805, 418), (812, 426), (822, 408)], fill="black", width=3)
    d.text((660, 400), "农村", fill="black", font=font)
    d.text((830, 400), "国有企业", fill="black", font=font)
    d.text((230, 480), "国", fill="black", font=font)
    # a seal: red ring and star over the table's right part, printed like ink (multiplied)
    seal = (1000, 250, 1300, 550)
    ink = Image.new("L", (W, H), 0)
    di = ImageDraw.Draw(ink)
    di.ellipse(seal, outline=255, width=10)
    di.regular_polygon((1150, 400, 50), 5, fill=255)
    a = np.asarray(ink, dtype=np.float32)[..., None] / 255 * 0.9
    rgb = np.asarray(img, dtype=np.float32) * ((1 - a) + a * np.array([215, 35, 45]) / 255)
    bgr = rgb.astype(np.uint8)[:, :, ::-1].copy()
    return bgr, {"boxes": boxes, "seal": seal, "table": (x0, y0, x1, y0 + 3 * row_h)}


def drawn_form() -> tuple[np.ndarray, dict]:
    bgr, truth = _drawn_form()
    return bgr.copy(), truth


@lru_cache(maxsize=1)
def prepared():
    return prepare(drawn_form()[0], DPI)


def test_rulings_become_cells_grouped_in_one_table():
    truth = drawn_form()[1]
    prep = prepared()
    tables = find_tables(find_lines(line_ink(prep.gray), DPI), DPI)
    assert len(tables) == 1
    bbox, cells = tables[0]
    assert len(cells) == 6
    x0, y0, x1, y1 = truth["table"]
    assert abs(bbox[0] - x0) < 6 and abs(bbox[1] - y0) < 6 and abs(bbox[2] - x1) < 6 and abs(bbox[3] - y1) < 6


def test_checkboxes_are_read_from_pixels_and_enclosed_characters_are_not_boxes():
    truth = drawn_form()[1]
    prep = prepared()
    found = find_checkboxes(ink_mask(prep.gray), find_lines(line_ink(prep.gray), DPI), DPI)
    by_x = sorted(found, key=lambda c: c.box[0])
    assert [c.checked for c in by_x] == [False, True]
    for c, name in zip(by_x, ("empty", "ticked")):
        assert abs(int(c.box[0]) - truth["boxes"][name][0]) <= 3
    # 国 in the label column and in 国有企业 are text, not boxes
    assert all(c.box[0] > 600 for c in found)


def test_the_seal_is_found_and_gone_from_the_working_image():
    bgr, truth = drawn_form()
    seals = seal_boxes(red_mask(bgr), DPI)
    assert len(seals) == 1
    sx0, sy0, sx1, sy1 = truth["seal"]
    assert abs(seals[0][0] - sx0) < 8 and abs(seals[0][2] - sx1) < 8
    prep = prepared()
    ring = prep.gray[sy0 + 2:sy0 + 8, (sx0 + sx1) // 2 - 5:(sx0 + sx1) // 2 + 5]
    assert ring.min() > 200  # red ink is paper-white in the working image
    # the black rule under the seal stays
    assert prep.gray[300 - 2:300 + 3, 1100].min() < 100


@pytest.mark.parametrize("angle", [-2.7, 1.3])
def test_deskew_finds_the_tilt_and_boxes_map_back(angle):
    bgr, truth = drawn_form()
    h, w = bgr.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    tilted = cv2.warpAffine(bgr, m, (w, h), borderValue=(255, 255, 255))
    assert abs(skew_angle(cv2.cvtColor(tilted, cv2.COLOR_BGR2GRAY)) + angle) < 0.15
    prep = prepare(tilted, DPI)
    bbox, _ = find_tables(find_lines(line_ink(prep.gray), DPI), DPI)[0]
    # the table's box, mapped back, is the hull of the tilted table
    back = box_back(prep.to_work, bbox)
    x0, y0, x1, y1 = truth["table"]
    pts = np.array([m @ np.array([x, y, 1.0]) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))])
    hull = [pts[:, 0].min(), pts[:, 1].min(), pts[:, 0].max(), pts[:, 1].max()]
    assert all(abs(a - b) < 8 for a, b in zip(back, hull)), (back, hull)


def test_a_photo_is_straightened_to_an_a4_page():
    bgr, truth = drawn_form()
    h, w = bgr.shape[:2]
    W, H = int(w * 1.2), int(h * 1.15)
    dst = np.float32([[120, 90], [W - 140, 130], [W - 170, H - 100], [150, H - 120]])
    m = cv2.getPerspectiveTransform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]), dst)
    photo = cv2.warpPerspective(bgr, m, (W, H), borderValue=(70, 90, 60))
    shade = np.linspace(0.65, 1.0, W, dtype=np.float32)[None, :, None]
    photo = (photo.astype(np.float32) * shade).astype(np.uint8)
    prep = prepare(photo, DPI)
    assert prep.photo and prep.gray.shape == (2339, 1654)
    tables = find_tables(find_lines(line_ink(prep.gray), DPI), DPI)
    assert len(tables) == 1 and len(tables[0][1]) == 6
    # the shadow is divided out: paper is white on both sides of the page
    assert prep.gray[1200, 100] > 240 and prep.gray[1200, 1550] > 240


def _image_pdf(img: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(img[:, :, ::-1]).save(buf, "PDF", resolution=200.0)
    return buf.getvalue()


def test_which_files_need_ocr():
    bgr, _ = drawn_form()
    ok, jpg = cv2.imencode(".jpg", bgr)
    assert needs_ocr(jpg.tobytes())
    assert needs_ocr(_image_pdf(bgr))
    text_pdf = (ROOT / "templates_docx/forms/创建申报表.pdf").read_bytes()
    assert not needs_ocr(text_pdf)
    assert not needs_ocr((ROOT / "templates_docx/forms/创建申报表.docx").read_bytes())


def test_without_ocr_a_scan_is_answered_at_once(monkeypatch):
    """parse_bytes (the sandbox's parse, what an upload calls) never OCRs: a scan gets
    no_text_layer at once (milliseconds, against about 2 s of OCR a page) and can be OCRed
    later in a worker. The first steps of OCR are counted rather than timed, so the answer holds
    whatever the machine's load (parsers never raise: a raising stand-in would be swallowed)."""
    from parsers.ocr import engine, scan

    started = []
    monkeypatch.setattr(scan, "prepare", lambda *a, **k: started.append("prepare"))
    monkeypatch.setattr(engine, "engine", lambda *a, **k: started.append("engine"))
    bgr, _ = drawn_form()
    data = _image_pdf(bgr)
    r = parsers.parse_bytes(data, "scan.pdf")
    assert started == []
    assert [e["code"] for e in r.errors] == ["no_text_layer"]
    assert r.scan == {"image_only": True}  # flagged as a scan for the upload path, not OCRed


def test_a_text_pdf_is_never_ocred():
    r = parse_with_ocr((ROOT / "templates_docx/forms/创建申报表.pdf").read_bytes(), "创建申报表.pdf")
    assert r.form == "declaration" and not r.scan and r.media_type == "pdf"


def test_broken_images_are_errors_not_crashes():
    assert read_scan(b"\xff\xd8\xff" + b"\0" * 64, "x.jpg").errors[0]["code"] == "corrupt_file"
    assert read_scan(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "x.png").errors[0]["code"] == "corrupt_file"
    # a decompression bomb: 12000 x 9000 pixels (108 Mpx) is refused before decoding
    buf = io.BytesIO()
    Image.new("1", (12000, 9000)).save(buf, "PNG")
    r = read_scan(buf.getvalue(), "bomb.png")
    assert r.errors[0]["code"] == "too_large"
