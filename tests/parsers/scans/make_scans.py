"""Scans made the way real ones are: fill a form, print it, stamp it, scan it (or photograph it).

Reproducible from a seed, generated at test time (no image blobs in the repository):
1. forms filled by the text corpus' generator (``tests/parsers/corpus.py``: its layouts, label
   synonyms, date/count styles and checkbox glyphs) and the committed blank forms in
   ``templates_docx/forms/`` (via ``corpus.make_from_template``), plus a few labels no synonym
   list has (``UNSEEN_LABELS``);
2. DOCX -> PDF with LibreOffice, rasterised at 200 dpi with pdfium ("print");
3. a red seal (ring, star, the organisation's name on the arc) over the signature area, and on
   some forms a second one over a filled field ("stamp"), blended like ink (black text under
   the red stays black);
4. "scan": tilt (±3°), blur, paper tint, noise, JPEG compression; or "photo": a perspective
   warp onto a darker background, an uneven shadow, more blur and stronger JPEG.

Run ``python -m tests.parsers.scans.make_scans OUTDIR`` to write a set to look at.
"""
from __future__ import annotations

import io
import json
import math
import random
import re
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import cv2
import numpy as np
import pdfplumber
import pypdfium2 as pdfium
from docx import Document
from PIL import Image, ImageDraw, ImageFont

from .. import corpus
from ..conftest import convert_all

DPI = 200
SEAL_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
# Checkbox glyphs that print as boxes with the fonts of a Debian machine. Wingdings, Wingdings 2,
# Word's legacy form fields and the MS Gothic ☒/☐ of content controls print as letters, empty
# tofu or nothing when the font is missing (a text layer keeps their code; an image does not),
# so scans of those would test the fonts, not OCR.
SCAN_CHECK_STYLES = ("ballot", "black", "sqrt", "cells")
# Labels that are in no synonym list (issue 17: "labels no list foresaw").
UNSEEN_LABELS = {
    "declared_on": "填写日期", "member_count": "在册党员", "secretary": "书记姓名",
    "applied_on": "提交日期", "contact_phone": "手机号码",
}


@dataclass
class ScanCase:
    name: str
    kind: str
    source: str  # "corpus" | "template"
    expected: dict
    absent: list = field(default_factory=list)
    effects: dict = field(default_factory=dict)  # what was done to the image
    pages: int = 1


# --- forms ----------------------------------------------------------------------------------
def _pick_form_indices(rng: random.Random, kind: str, count: int) -> list[int]:
    """Corpus indices whose checkbox style prints as a box or a tick."""
    out = []
    i = rng.randrange(0, 7)
    while len(out) < count and i < 400:
        style = corpus.CHECK_STYLES[(3 * i + i // 7) % len(corpus.CHECK_STYLES)]
        two_pages = kind != "acceptance" and i % 10 == 9
        if style in SCAN_CHECK_STYLES and not two_pages:
            out.append(i)
            i += rng.randrange(1, 4)
        else:
            i += 1
    return out


def _rename_labels(path: Path, expected: dict, rng: random.Random) -> list[str]:
    """Swap some labels of a written DOCX for wordings no synonym list has."""
    doc = Document(path)
    changed = []
    wanted = {k: v for k, v in UNSEEN_LABELS.items() if k in expected}
    for key in rng.sample(sorted(wanted), k=min(2, len(wanted))):
        for table in doc.tables:
            for row in table.rows:
                for cell in row.cells:
                    text = cell.text.strip()
                    if text and _label_key(text) == key and key not in changed:
                        for par in cell.paragraphs:
                            for run in par.runs:
                                run.text = ""
                        cell.paragraphs[0].add_run(wanted[key])
                        changed.append(key)
    doc.save(path)
    return changed


def _label_key(text: str) -> str | None:
    t = re.sub(r"[\s\u3000:：]", "", text)
    for key, labels in corpus.LABELS.items():
        if t in labels:
            return key
    return None


def build_forms(outdir: Path, seed: int, per_kind: int, templates: int, unseen: int) -> list[ScanCase]:
    rng = random.Random(seed)
    cases: list[ScanCase] = []
    for kind in ("declaration", "acceptance", "brand"):
        for k in range(templates):
            name = f"scan_template_{kind}_{k}"
            c = corpus.make_from_template(rng, kind, k + 3, outdir / f"{name}.docx")
            cases.append(ScanCase(name, kind, "template", c.expected, c.absent))
        for i in _pick_form_indices(rng, kind, per_kind):
            name = f"scan_{kind}_{i:03d}"
            c = corpus.make_form(rng, kind, i, outdir / f"{name}.docx")
            case = ScanCase(name, kind, "corpus", c.expected, c.absent, {"layout": c.layout,
                                                                          "check": c.variations["check"]})
            cases.append(case)
    # unseen wordings on grid layouts (a table row label is easy to swap)
    grids = [c for c in cases if c.effects.get("layout") in ("grid4", "grid2", "title_in_table")
             or c.source == "template"]
    for c in rng.sample(grids, k=min(unseen, len(grids))):
        c.effects["unseen_labels"] = _rename_labels(outdir / f"{c.name}.docx", c.expected, rng)
    return cases


# --- print ----------------------------------------------------------------------------------
def rasterise(pdf_path: Path, dpi: int = DPI) -> tuple[list[np.ndarray], list[tuple[float, float]]]:
    """RGB page images and page sizes in points."""
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        images, sizes = [], []
        for page in pdf:
            sizes.append(tuple(page.get_size()))
            images.append(np.array(page.render(scale=dpi / 72).to_pil().convert("RGB")))
        return images, sizes
    finally:
        pdf.close()


def text_boxes(pdf_path: Path, needle: str) -> list[tuple[int, tuple]]:
    """(page index, bbox in points) of each line holding needle (pdfplumber's coordinates)."""
    out = []
    with pdfplumber.open(str(pdf_path)) as pdf:
        for i, page in enumerate(pdf.pages):
            for hit in page.search(re.escape(needle)):
                out.append((i, (hit["x0"], hit["top"], hit["x1"], hit["bottom"])))
    return out


# --- stamp ----------------------------------------------------------------------------------
def seal_layer(rng: random.Random, text: str, radius: int) -> np.ndarray:
    """An official seal as an alpha mask (0..1): ring, five-pointed star, text on the arc."""
    size = 2 * radius + 8
    img = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(img)
    c = size / 2
    ring = max(int(radius * 0.07), 3)
    draw.ellipse([c - radius, c - radius, c + radius, c + radius], outline=255, width=ring)
    star_r = radius * 0.32
    pts = []
    for k in range(10):
        r = star_r if k % 2 == 0 else star_r * 0.38
        a = -math.pi / 2 + k * math.pi / 5
        pts.append((c + r * math.cos(a), c + r * math.sin(a)))
    draw.polygon(pts, fill=255)
    font_size = int(radius * 0.26)
    font = ImageFont.truetype(SEAL_FONT, font_size)
    n = len(text)
    span = min(240.0, 22.0 * n)
    for k, ch in enumerate(text):
        ang = -90 - span / 2 + span * (k + 0.5) / n
        glyph = Image.new("L", (font_size + 6, font_size + 6), 0)
        ImageDraw.Draw(glyph).text((3, 0), ch, fill=255, font=font)
        glyph = glyph.rotate(-(ang + 90), resample=Image.BICUBIC, expand=True)
        rr = radius - ring - font_size * 0.62
        x = c + rr * math.cos(math.radians(ang)) - glyph.width / 2
        y = c + rr * math.sin(math.radians(ang)) - glyph.height / 2
        img.paste(255, (int(x), int(y)), glyph)
    alpha = np.asarray(img, dtype=np.float32) / 255.0
    # uneven ink: the pad never prints evenly
    noise = cv2.GaussianBlur(np.random.default_rng(rng.randrange(1 << 30)).random(alpha.shape).astype(np.float32),
                             (0, 0), radius * 0.08)
    noise = (noise - noise.min()) / max(float(noise.max() - noise.min()), 1e-6)
    return alpha * (0.55 + 0.45 * noise)


def stamp(img: np.ndarray, rng: random.Random, centre: tuple[float, float], text: str) -> tuple[int, int, int, int]:
    """Blend a red seal into img (RGB, in place) like ink; returns the seal's box in pixels."""
    radius = int(DPI / 25.4 * rng.uniform(19, 21))  # a 38-42 mm seal
    alpha = seal_layer(rng, text, radius)
    alpha = cv2.warpAffine(alpha, cv2.getRotationMatrix2D((alpha.shape[1] / 2, alpha.shape[0] / 2),
                                                          rng.uniform(-25, 25), 1.0),
                           (alpha.shape[1], alpha.shape[0]))
    h, w = alpha.shape
    x0, y0 = int(centre[0] - w / 2), int(centre[1] - h / 2)
    H, W = img.shape[:2]
    ax0, ay0 = max(0, -x0), max(0, -y0)
    x0c, y0c = max(0, x0), max(0, y0)
    x1c, y1c = min(W, x0 + w), min(H, y0 + h)
    if x1c <= x0c or y1c <= y0c:
        return (0, 0, 0, 0)
    a = alpha[ay0:ay0 + (y1c - y0c), ax0:ax0 + (x1c - x0c)][..., None] * rng.uniform(0.8, 0.95)
    ink = np.array([215, 35, 45], dtype=np.float32) / 255.0
    region = img[y0c:y1c, x0c:x1c].astype(np.float32)
    region *= (1 - a) + a * ink  # multiply blend: black stays black, white turns red
    img[y0c:y1c, x0c:x1c] = np.clip(region, 0, 255).astype(np.uint8)
    return (x0c, y0c, x1c, y1c)


# --- scan / photo ---------------------------------------------------------------------------
def scan_effects(img: np.ndarray, rng: random.Random) -> tuple[np.ndarray, dict]:
    angle = rng.uniform(-3, 3)
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    out = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=(250, 250, 248))
    sigma = rng.uniform(0.5, 1.1)
    out = cv2.GaussianBlur(out, (0, 0), sigma)
    tint = np.array([rng.uniform(0.93, 1.0), rng.uniform(0.93, 1.0), rng.uniform(0.9, 1.0)], dtype=np.float32)
    nrng = np.random.default_rng(rng.randrange(1 << 30))
    noisy = out.astype(np.float32) * tint + nrng.normal(0, rng.uniform(3, 7), out.shape)
    out = np.clip(noisy, 0, 255).astype(np.uint8)
    quality = rng.randrange(45, 80)
    return _jpeg_roundtrip(out, quality), {"mode": "scan", "angle": round(angle, 2), "blur": round(sigma, 2),
                                            "jpeg": quality}


def photo_effects(img: np.ndarray, rng: random.Random) -> tuple[np.ndarray, dict]:
    """A phone photo of the page on a desk: perspective, a darker surround, a shadow."""
    h, w = img.shape[:2]
    W, H = int(w * 1.18), int(h * 1.12)
    j = lambda s: rng.uniform(-s, s)  # noqa: E731
    mx, my = w * 0.07, h * 0.05
    dst = np.float32([[mx + j(40), my + j(30)], [W - mx + j(40), my + j(30) + 25],
                      [W - mx + j(40) - 30, H - my + j(30)], [mx + j(40) + 20, H - my + j(30)]])
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    m = cv2.getPerspectiveTransform(src, dst)
    bg = np.full((H, W, 3), (rng.randrange(60, 110), rng.randrange(70, 120), rng.randrange(80, 140)), np.uint8)
    out = cv2.warpPerspective(img, m, (W, H), dst=bg, borderMode=cv2.BORDER_TRANSPARENT)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    ang = rng.uniform(0, 2 * math.pi)
    ramp = (np.cos(ang) * xx / W + np.sin(ang) * yy / H)
    ramp = (ramp - ramp.min()) / max(float(ramp.max() - ramp.min()), 1e-6)
    shade = 1.0 - rng.uniform(0.25, 0.4) * ramp
    out = np.clip(out.astype(np.float32) * shade[..., None], 0, 255).astype(np.uint8)
    sigma = rng.uniform(0.7, 1.2)
    out = cv2.GaussianBlur(out, (0, 0), sigma)
    quality = rng.randrange(55, 75)
    return _jpeg_roundtrip(out, quality), {"mode": "photo", "blur": round(sigma, 2), "jpeg": quality}


def _jpeg_roundtrip(img: np.ndarray, quality: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", img[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)[:, :, ::-1].copy()


def to_pdf(images: list[np.ndarray], path: Path, dpi: int = DPI) -> None:
    """An image-only PDF, as scanners write them (one JPEG per page)."""
    pil = [Image.fromarray(im) for im in images]
    pil[0].save(path, "PDF", resolution=float(dpi), save_all=True, append_images=pil[1:], quality=85)


def to_jpeg(image: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "JPEG", quality=85, dpi=(DPI, DPI))
    return buf.getvalue()


def seal_text(case: ScanCase) -> str:
    org = str(case.expected.get("parent_org") or case.expected.get("branch_name") or "中共市直机关委员会")
    return org[:14]


def make_scan(case: ScanCase, pdf_path: Path, outdir: Path, rng: random.Random, photo: bool) -> ScanCase:
    pages, _ = rasterise(pdf_path)
    px = DPI / 72
    sign = text_boxes(pdf_path, "盖章") or text_boxes(pdf_path, "年") or []
    seals = []
    if sign:
        pi, box = sign[-1]
        cx = (box[0] + box[2]) / 2 * px + rng.uniform(-40, 60)
        cy = (box[1] + box[3]) / 2 * px + rng.uniform(-30, 30)
    else:
        pi, cx, cy = len(pages) - 1, pages[-1].shape[1] * 0.7, pages[-1].shape[0] * 0.8
    seals.append((pi, stamp(pages[pi], rng, (cx, cy), seal_text(case))))
    if rng.random() < 0.4:  # sometimes a seal lands on a filled field too
        value = next((str(v) for k, v in case.expected.items() if k in ("secretary", "contact_person")
                      and isinstance(v, str)), None)
        hits = text_boxes(pdf_path, value) if value else []
        if hits:
            pi2, box = hits[0]
            seals.append((pi2, stamp(pages[pi2], rng, ((box[0] + box[2]) / 2 * px + rng.uniform(20, 90),
                                                      (box[1] + box[3]) / 2 * px), seal_text(case))))
    out = []
    for im in pages:
        im2, eff = (photo_effects if photo else scan_effects)(im, rng)
        out.append(im2)
    case.effects.update(eff)
    case.effects["seals"] = [{"page": p + 1, "bbox_px": list(b)} for p, b in seals]
    case.pages = len(out)
    if photo and len(out) == 1:
        (outdir / f"{case.name}.jpg").write_bytes(to_jpeg(out[0]))
        case.effects["file"] = f"{case.name}.jpg"
    else:
        to_pdf(out, outdir / f"{case.name}.scan.pdf")
        case.effects["file"] = f"{case.name}.scan.pdf"
    return case


def build_scans(outdir: Path, seed: int = 17170, per_kind: int = 5, templates: int = 2, unseen: int = 5,
                photos: int = 4, convert=None) -> list[ScanCase]:
    """Write DOCX, PDF and the scans into outdir; returns the cases (also in scans.json)."""
    outdir.mkdir(parents=True, exist_ok=True)
    cases = build_forms(outdir, seed, per_kind, templates, unseen)
    (convert or convert_all)([outdir / f"{c.name}.docx" for c in cases], outdir)
    rng = random.Random(seed + 1)
    photo_names = set(c.name for c in rng.sample(cases, k=min(photos, len(cases))))
    for c in cases:
        make_scan(c, outdir / f"{c.name}.pdf", outdir, rng, c.name in photo_names)
    (outdir / "scans.json").write_text(json.dumps([asdict(c) for c in cases], ensure_ascii=False, indent=1),
                                       encoding="utf-8")
    return cases


def load_cases(outdir: Path) -> list[ScanCase]:
    return [ScanCase(**c) for c in json.loads((outdir / "scans.json").read_text(encoding="utf-8"))]


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "scans-out")
    for c in build_scans(target):
        print(c.name, c.effects)
