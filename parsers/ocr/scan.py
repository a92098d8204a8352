"""Scanned PDF or image -> Doc: load pages, clean them, find tables and checkboxes, OCR, lay out.

Cost bounds (``Limits``): at most ``max_pages`` pages, each decoded to at most ``max_pixels``
and worked on at ``dpi``; pages are OCRed while the ``time_budget`` lasts (the first page
always). An A4 page at 200 dpi is 3.9 Mpx; the models' peak is about 1 GB.
"""
from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass, field
from typing import Callable

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image

from ..errors import CORRUPT_AS, ParseError, corrupt_message
from ..forms import printed_kou_neighbours
from ..model import Doc
from ..pdfium_access import LOCK as PDFIUM_LOCK
from ..safety import image_kind
from . import engine
from .grid import find_checkboxes, find_lines, find_tables, ink_mask, line_ink
from .layout import build_page, line_chars, map_locs
from .prepare import box_back, prepare

Image.MAX_IMAGE_PIXELS = None  # we check the size ourselves, before decoding

A4_WIDTH_IN = 8.27


@dataclass(frozen=True)
class Limits:
    """What one document's OCR may cost."""
    dpi: int = 200
    max_pages: int = 10
    max_pixels: int = 16_000_000  # per page, after decoding (a 12 Mpx phone photo fits)
    max_decoded_pixels: int = 100_000_000  # larger images are refused before decoding
    time_budget: float = 120.0  # seconds per document; pages after it are skipped


@dataclass
class ScanFacts:
    """What the image says besides the text: seals, straightening, what OCR cost."""
    pages: int = 0
    read_pages: int = 0
    seals: list = field(default_factory=list)  # [{"page", "bbox"}] in page points
    angles: list = field(default_factory=list)
    photo: list = field(default_factory=list)
    seconds: float = 0.0
    sizes: list = field(default_factory=list)  # [{"n", "width", "height"}] of the pages read, in points

    def to_dict(self) -> dict:
        return {"pages": self.pages, "read_pages": self.read_pages, "seals": self.seals,
                "sealed": bool(self.seals), "deskew_degrees": self.angles, "photo": self.photo,
                "ocr_seconds": round(self.seconds, 2), "page_sizes": self.sizes}


@dataclass
class Page:
    bgr: np.ndarray
    pt_per_px: float  # of this image, for provenance on the uploaded page
    scale: float  # image pixel -> working pixel (before straightening)


def _pdf_pages(data: bytes, limits: Limits) -> tuple[list[Page], int]:
    pages = []
    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except Exception:
            raise ParseError("corrupt_file", detail="pdfium cannot open") from None
        try:
            total = len(pdf)
            for i in range(min(total, limits.max_pages)):
                page = pdf[i]
                try:
                    w, h = page.get_size()
                    scale = limits.dpi / 72.0
                    if w * h * scale * scale > limits.max_pixels:
                        scale = (limits.max_pixels / (w * h)) ** 0.5
                    bitmap = page.render(scale=scale, grayscale=False)
                    try:
                        rgb = bitmap.to_numpy()[:, :, :3].copy()  # BGR(A) as pdfium writes it
                    finally:
                        bitmap.close()
                finally:
                    page.close()
                pages.append(Page(rgb, 1.0 / scale, limits.dpi / 72.0 / scale))
        finally:
            pdf.close()
    return pages, total


def _damaged(ext: str) -> ParseError:
    """A broken image: named as a document, it is 'not a real Word/PDF file'; else a damaged image."""
    if ext in CORRUPT_AS:
        return ParseError("corrupt_file", corrupt_message(ext))
    return ParseError("corrupt_file", "图片文件已损坏或格式不完整，无法读取。请重新扫描或拍照后上传。")


def _image_pages(data: bytes, limits: Limits, ext: str = "") -> tuple[list[Page], int]:
    try:
        img = Image.open(io.BytesIO(data))
        w, h = img.size
    except Exception:
        raise _damaged(ext) from None
    if w * h > limits.max_decoded_pixels:
        raise ParseError("too_large", f"图片尺寸过大（{w}×{h} 像素），请缩小后上传。")
    frames = getattr(img, "n_frames", 1)
    pages = []
    for k in range(min(frames, limits.max_pages)):
        try:
            img.seek(k)
            if img.format == "JPEG" and w * h > limits.max_pixels:
                img.draft("RGB", (int(w * (limits.max_pixels / (w * h)) ** 0.5), h))
            rgb = np.asarray(img.convert("RGB"))
        except Exception:
            raise _damaged(ext) from None
        iw, ih = rgb.shape[1], rgb.shape[0]
        dpi = img.info.get("dpi", (0, 0))[0] if isinstance(img.info.get("dpi"), tuple) else 0
        dpi = float(dpi) * iw / w if dpi else 0.0  # draft() may have shrunk it
        if not 50 <= dpi <= 1200:
            dpi = min(iw, ih) / A4_WIDTH_IN  # unknown: the sheet's short side is A4's
        scale = limits.dpi / dpi
        if iw * ih * scale * scale > limits.max_pixels:
            scale = (limits.max_pixels / (iw * ih)) ** 0.5
        pages.append(Page(rgb[:, :, ::-1].copy(), 72.0 / dpi * (w / iw), scale))
    return pages, frames


def load_pages(data: bytes, limits: Limits, ext: str = "") -> tuple[list[Page], int, str]:
    kind = image_kind(data)
    if kind:
        pages, total = _image_pages(data, limits, ext)
        return pages, total, kind
    pages, total = _pdf_pages(data, limits)
    return pages, total, "pdf"


def _cut_points(box, vlines: np.ndarray, checks: list) -> list[tuple[float, float]]:
    """x-ranges inside a text box that belong to no text: vertical rulings and checkboxes."""
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    cuts = []
    if y1 > y0 and x1 > x0:
        band = vlines[max(y0, 0):y1, max(x0, 0):x1]
        if band.size:
            cols = (band > 0).mean(axis=0) > 0.6
            xs = np.flatnonzero(cols)
            if xs.size:
                start = prev = xs[0]
                for x in xs[1:]:
                    if x != prev + 1:
                        cuts.append((x0 + start, x0 + prev + 1))
                        start = x
                    prev = x
                cuts.append((x0 + start, x0 + prev + 1))
    for cb in checks:
        bx0, by0, bx1, by1 = cb.box
        if bx1 > x0 and bx0 < x1 and min(by1, y1) - max(by0, y0) > 0.4 * (by1 - by0):
            cuts.append((bx0 - 1, bx1 + 1))
    return sorted(cuts)


def _gaps(box, ink: np.ndarray) -> list[tuple[float, float]]:
    """Blank stretches wider than 0.6 of the line's height (about one character) inside a detected line: the detector joins
    '支部名称：张三' and '联系电话：…' printed on one line with spaces between; the layout
    needs them apart, as a text PDF has them."""
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    band = ink[max(y0, 0):max(y1, 0), max(x0, 0):max(x1, 0)]
    if band.size == 0:
        return []
    empty = ~(band > 0).any(axis=0)
    min_gap = max(int((y1 - y0) * 0.7), 8)  # about one character: the text-PDF reader's column gap
    out, run = [], None
    for i, e in enumerate(empty):
        if e and run is None:
            run = i
        elif not e and run is not None:
            if i - run >= min_gap and run > 0:
                out.append((x0 + run + 2, x0 + i - 2))
            run = None
    return out


def _stand_up(boxes: list, ink: np.ndarray) -> list:
    """A tall box is a column of characters (a vertical label, one character per line, merged
    down): the recogniser reads lines, so it is cut into one box per character."""
    out = []
    for b in boxes:
        x0, y0, x1, y1 = (int(round(v)) for v in b)
        w, h = x1 - x0, y1 - y0
        if h < 1.6 * w or w <= 0:
            out.append(b)
            continue
        rows = (ink[max(y0, 0):max(y1, 0), max(x0, 0):max(x1, 0)] > 0).any(axis=1)
        start = None
        for i, r in enumerate(list(rows) + [False]):
            if r and start is None:
                start = i
            elif not r and start is not None:
                if i - start >= 0.3 * w:
                    out.append([b[0], y0 + start - 3, b[2], y0 + i + 3])
                start = None
    return out


def _split(box, cuts) -> list[list[float]]:
    x0, y0, x1, y1 = box
    h = y1 - y0
    parts, start = [], x0
    for c0, c1 in cuts:
        if c0 > start:
            parts.append([start, y0, min(c0, x1), y1])
        start = max(start, c1)
    if start < x1:
        parts.append([start, y0, x1, y1])
    return [p for p in parts if p[2] - p[0] >= 0.3 * h]


def _vertical_lines(lines: np.ndarray, dpi: float) -> np.ndarray:
    k = max(int(dpi * 0.07), 8)
    return cv2.morphologyEx(lines, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, k)))


def read_page(gray: np.ndarray, dpi: float) -> tuple[list[dict], list, list]:
    """(characters in working points, tables in working pixels, checkboxes) of a clean page."""
    pt = 72.0 / dpi
    ink = ink_mask(gray)
    lines = find_lines(line_ink(gray), dpi)
    tables = find_tables(lines, dpi)
    checks = find_checkboxes(ink, lines, dpi)
    clean = gray.copy()
    clean[cv2.dilate(lines, np.ones((5, 5), np.uint8)) > 0] = 255
    boxes = engine.detect(clean)
    heights = sorted(b[3] - b[1] for b in boxes)
    if heights:
        # a checkbox is about one character tall; 口 and smaller frames are text
        line_h = heights[len(heights) // 2]
        checks = [c for c in checks if (c.box[3] - c.box[1]) >= 0.5 * line_h]
    for c in checks:
        x0, y0, x1, y1 = c.box
        clean[max(y0 - 2, 0):y1 + 2, max(x0 - 2, 0):x1 + 2] = 255
    vlines = _vertical_lines(lines, dpi)
    ink_clean = ink_mask(clean)
    pieces = []
    H, W = clean.shape
    for k, b in enumerate(_stand_up(boxes, ink_clean)):
        hard = _cut_points(b, vlines, checks)
        for p in _split(b, sorted(hard + _gaps(b, ink_clean))):
            x0, y0, x1, y1 = max(int(p[0]), 0), max(int(p[1]), 0), min(int(np.ceil(p[2])), W), min(int(np.ceil(p[3])), H)
            if x1 - x0 >= 4 and y1 - y0 >= 4:
                pieces.append(([x0, y0, x1, y1], k, hard))
    texts = engine.recognise([clean[y0:y1, x0:x1] for (x0, y0, x1, y1), _, _ in pieces])
    words = []
    for (box, k, hard), (text, score) in zip(pieces, texts):
        text = _tidy(text)
        if score >= engine.MIN_SCORE and text:
            words.append([box, k, text])
    words = _join_padded(words, vlines, checks)
    chars: list[dict] = []
    for (x0, y0, x1, y1), _, text in words:
        pad = (y1 - y0) * 0.15  # the detector's boxes are taller than the ink
        chars.extend(line_chars(text, (x0, y0 + pad, x1, y1 - pad), pt))
    checks = _printed_kou(checks, chars, pt)
    chars.extend(_checkbox_chars(checks, chars, pt))
    return chars, tables, checks


def _printed_kou(checks: list, chars: list[dict], pt: float) -> list:
    """Give back to the text an empty "box" that is the character 口 of a label the forms print
    (窗□单位和服务行业 → 窗口单位和服务行业): flush against a character on each side that the label
    has around its 口.  A frame is the same size as a box (24 x 25 px against 24 x 24 at 200 dpi),
    so only the words around it tell them apart."""
    known = printed_kou_neighbours()
    kept = []
    for c in checks:
        x0, y0, x1, y1 = (v * pt for v in c.box)
        w, cy = x1 - x0, (y0 + y1) / 2
        line = [ch for ch in chars if ch["top"] <= cy <= ch["bottom"]]
        left = [ch for ch in line if -0.3 * w <= x0 - ch["x1"] <= 0.8 * w]
        right = [ch for ch in line if -0.3 * w <= ch["x0"] - x1 <= 0.8 * w]
        lt = max(left, key=lambda ch: ch["x1"])["text"] if left else ""
        rt = min(right, key=lambda ch: ch["x0"])["text"] if right else ""
        if c.checked or not (lt or rt) or (lt, rt) not in known:
            kept.append(c)
            continue
        ref = (left or right)[0]
        chars.append({"text": "口", "x0": x0, "x1": x1, "top": ref["top"], "bottom": ref["bottom"],
                      "size": ref["size"], "fontname": "ocr"})
    return kept


def _join_padded(words: list, vlines: np.ndarray, checks: list) -> list:
    """'工　委　直　属' read as four words: one label spread out with spaces, not four columns.

    A word of one CJK character joins the next word on its line when the gap is under 2.5
    line heights and no ruling or checkbox lies between.
    """
    words = sorted(words, key=lambda w: ((w[0][1] + w[0][3]) / 2, w[0][0]))
    lines: list[list] = []
    for w in words:
        cy, h = (w[0][1] + w[0][3]) / 2, w[0][3] - w[0][1]
        line = next((ln for ln in lines if abs(ln[-1][0][1] + ln[-1][0][3] - 2 * cy) / 2 < 0.5 * h), None)
        if line is None:
            lines.append([w])
        else:
            line.append(w)
    out = []
    for line in lines:
        line.sort(key=lambda w: w[0][0])
        merged = [line[0] + [line[0][2]]]  # the last piece's text rides along
        for w in line[1:]:
            prev = merged[-1]
            (px0, py0, px1, py1), (x0, y0, x1, y1) = prev[0], w[0]
            h = max(py1 - py0, y1 - y0)
            gap_ok = 0 <= x0 - px1 < 2.5 * h
            between = vlines[int(min(py0, y0)):int(max(py1, y1)), int(px1):int(max(x0, px1 + 1))]
            blocked = (between > 0).any() or any(px1 <= c.box[0] and c.box[2] <= x0 and min(c.box[3], y1) > max(c.box[1], y0)
                                                 for c in checks)
            if _padded(prev[3]) and gap_ok and not blocked:
                prev[0] = [px0, min(py0, y0), x1, max(py1, y1)]
                prev[2] += w[2]
                prev[3] = w[2]
            else:
                merged.append(w + [w[2]])
        out.extend(m[:3] for m in merged)
    return out


def _padded(text: str) -> bool:
    """One CJK character alone: a letter of a label spread out with spaces."""
    return len(text) == 1 and bool(_CJK.match(text))


_LOOKALIKES = str.maketrans({"丶": "、"})  # the model's radical for the enumeration comma
_TICK_AS_V = re.compile(r"(?:(?<=^)|(?<=[\s\u4e00-\u9fff）)□]))[Vv✓](?=[\u4e00-\u9fff])")  # √ read as V
_RULE_BITS = "丨|｜"
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _tidy(text: str) -> str:
    """Undo what the recogniser does to print: 丶 for 、, a ruling's stub read as 丨 or |,
    straight quotes for the curly ones of Chinese text (“…”)."""
    text = _TICK_AS_V.sub("√", text.translate(_LOOKALIKES).strip().strip(_RULE_BITS).strip())
    if '"' in text and _CJK.search(text):
        # the model reads an opening “ well and a closing ” mostly as '"'; a quote with no
        # other before it on the line closes one opened on the line above, unless it starts
        # the line, follows a colon, bracket or comma, or has a partner later on the line
        out, state = [], None
        for i, ch in enumerate(text):
            if ch == "“":
                state = True
            elif ch == "”":
                state = False
            elif ch == '"':
                if state is None:
                    opening = i == 0 or text[i - 1] in "：:（(，,、 " or text[i + 1:].count('"') % 2 == 1
                else:
                    opening = not state
                ch, state = ("“", True) if opening else ("”", False)
            out.append(ch)
        text = "".join(out)
    return text


def _checkbox_chars(checks, chars: list[dict], pt: float) -> list[dict]:
    """One ☑/□ per checkbox, on the baseline of the text beside it."""
    out = []
    for c in checks:
        x0, y0, x1, y1 = (v * pt for v in c.box)
        cy = (y0 + y1) / 2
        near = [ch for ch in chars if ch["top"] <= cy <= ch["bottom"] and abs(ch["x0"] - x1) < 40]
        if near:
            ref = min(near, key=lambda ch: abs(ch["x0"] - x1))
            top, bottom, size = ref["top"], ref["bottom"], ref["size"]
        else:
            top, bottom, size = y0, y1, (y1 - y0)
        out.append({"text": "☑" if c.checked else "□", "x0": x0, "x1": x1, "top": top, "bottom": bottom,
                    "size": size, "fontname": "scan-checkbox"})
    return out


def read_scan_doc(data: bytes, limits: Limits | None = None, ext: str = "",
                  progress: Callable[[int, int], None] | None = None) -> tuple[Doc, ScanFacts, str]:
    """The Doc of a scanned PDF or an image, with the facts the image gave (seals, …); ``ext``
    is the uploaded name's extension (for the wording of a damaged file's error);
    ``progress(pages read, pages to read)`` is called before the first page and after each one.

    Raises ParseError (corrupt_file, too_large, no_text_layer when nothing was read).
    """
    limits = limits or Limits()
    started = time.monotonic()
    pages, total, kind = load_pages(data, limits, ext)
    facts = ScanFacts(pages=total)
    doc = Doc(source="pdf")
    texts: list[str] = []
    mappers = {}
    dpi = float(limits.dpi)
    if progress is not None:
        progress(0, len(pages))
    for pno, page in enumerate(pages, start=1):
        if pno > 1 and time.monotonic() - started > limits.time_budget:
            break
        bgr = page.bgr
        facts.sizes.append({"n": pno, "width": round(bgr.shape[1] * page.pt_per_px, 2),
                            "height": round(bgr.shape[0] * page.pt_per_px, 2)})
        if abs(page.scale - 1.0) > 0.02:
            bgr = cv2.resize(bgr, None, fx=page.scale, fy=page.scale,
                             interpolation=cv2.INTER_AREA if page.scale < 1 else cv2.INTER_CUBIC)
        prep = prepare(bgr, dpi)
        to_work = prep.to_work @ np.diag([page.scale, page.scale, 1.0])
        chars, tables, _ = read_page(prep.gray, dpi)
        build_page(doc, texts, pno, (prep.gray.shape[1], prep.gray.shape[0]), dpi, chars, tables)
        mappers[pno] = _mapper(to_work, dpi, page.pt_per_px)
        for s in prep.seals:
            facts.seals.append({"page": pno, "bbox": [round(v, 1) for v in mappers[pno]([v * 72.0 / dpi for v in s])]})
        facts.angles.append(prep.angle)
        facts.photo.append(prep.photo)
        facts.read_pages = pno
        if progress is not None:
            progress(pno, len(pages))
    map_locs(doc, mappers)
    facts.seconds = time.monotonic() - started
    if not "".join(texts).strip():
        raise ParseError("no_text_layer", "扫描件中没有识别出文字：请确认图片清晰、方向正确后重新上传。")
    doc.full_text = "\n".join(texts)
    return doc, facts, kind


def _mapper(to_work: np.ndarray, dpi: float, pt_per_px: float):
    """working points -> points on the uploaded page."""
    px_per_pt = dpi / 72.0

    def m(bbox):
        back = box_back(to_work, [v * px_per_pt for v in bbox])
        return [v * pt_per_px for v in back]
    return m
