"""Turn a scanned or photographed page into a clean, upright, white page.

Steps, each cheap next to OCR (about 0.1 s for an A4 page at 200 dpi):
- ``find_page``: a phone photo shows the sheet on a darker desk; its four corners give a
  perspective transform to an upright A4 page at the working resolution;
- ``flatten``: the background (paper tint, a shadow across the sheet) is estimated by a wide
  morphological closing and divided out, so ink is dark and paper is white everywhere;
- ``seals``: red ink (hue near 0°, saturated) is found, seals are the round red blobs at least
  12 mm across; the working image is the red channel, in which red ink is as light as paper,
  so black text under a seal stays and the seal's own text is not read as a field value;
- ``skew_angle``: the angle (±5°) whose row profile of the ink is sharpest (table rulings and
  text lines both give sharp peaks), found coarse then fine on a small copy.

Every step keeps a 3×3 matrix from the original pixels to the working pixels, so boxes found on
the working image map back onto the page the user uploaded.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

A4_MM = (210.0, 297.0)
MAX_SKEW = 5.0  # degrees: a scanner tilts a sheet by a few degrees, not more


@dataclass
class Prepared:
    gray: np.ndarray  # flattened, upright, seal-free working image (uint8, paper = 255)
    to_work: np.ndarray  # 3x3: original pixel -> working pixel
    seals: list = field(default_factory=list)  # boxes [x0, y0, x1, y1] in working pixels
    angle: float = 0.0
    photo: bool = False


def _order_corners(pts: np.ndarray) -> np.ndarray:
    s = pts.sum(axis=1)
    d = np.diff(pts, axis=1).ravel()
    return np.float32([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]])


def find_page(bgr: np.ndarray) -> np.ndarray | None:
    """The sheet's four corners (TL, TR, BR, BL) in a photo, or None for a flat scan.

    The sheet is the largest bright convex quadrilateral covering 35–97% of the picture; a
    scan (paper to the edges) has none.
    """
    h, w = bgr.shape[:2]
    scale = 800.0 / max(h, w)
    small = cv2.resize(bgr, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA)
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    gray = cv2.GaussianBlur(gray, (5, 5), 0)
    _, mask = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    c = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(c)
    total = small.shape[0] * small.shape[1]
    if not 0.35 * total <= area <= 0.97 * total:
        return None
    hull = cv2.convexHull(c)
    approx = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
    if len(approx) != 4:
        return None
    pts = approx.reshape(4, 2).astype(np.float32) / scale
    # a page edge, not the picture's edge: at least one side must lie inside the frame
    margin = 0.01 * max(h, w)
    inside = (pts[:, 0] > margin) & (pts[:, 0] < w - margin) & (pts[:, 1] > margin) & (pts[:, 1] < h - margin)
    if not inside.any():
        return None
    return _order_corners(pts)


def flatten(gray: np.ndarray, dpi: float) -> np.ndarray:
    """Divide out the background (tint, shadows): paper 255, ink dark."""
    k = max(int(dpi * 0.12) | 1, 9)  # wider than a stroke, narrower than a shadow's slope
    small = cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    bg = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k // 4 * 2 + 1,) * 2))
    bg = cv2.medianBlur(bg, 5)
    bg = cv2.resize(bg, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    out = cv2.divide(gray, np.maximum(bg, 1), scale=255)
    # stretch: paper grain and faint residue (a seal's trace in the red channel) go white
    v = np.arange(256, dtype=np.float32)
    lut = np.clip(np.where(v < 150, v, 150 + (v - 150) * 105.0 / 55.0), 0, 255).astype(np.uint8)
    return cv2.LUT(out, lut)


def red_mask(bgr: np.ndarray) -> np.ndarray:
    """Pixels of red ink (a seal): red hue, saturated enough, not near black."""
    hsv = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV)
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    return (((h <= 12) | (h >= 160)) & (s >= 60) & (v >= 70)).astype(np.uint8) * 255


def seal_boxes(mask: np.ndarray, dpi: float) -> list[list[int]]:
    """Round red blobs at least 12 mm across (a seal is 38–45 mm; red ticks are smaller)."""
    k = max(int(dpi * 0.04), 3)
    closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
    min_side = dpi * 12 / 25.4
    out = []
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        if w >= min_side and h >= min_side and 0.6 <= w / h <= 1.6 and area >= 0.04 * w * h:
            out.append([int(x), int(y), int(x + w), int(y + h)])
    return out


def skew_angle(gray: np.ndarray) -> float:
    """The rotation (degrees, counter-clockwise positive as cv2) that makes rows sharpest."""
    scale = 900.0 / max(gray.shape)
    ink = cv2.resize((gray < 170).astype(np.float32), None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    if ink.sum() < 50:
        return 0.0
    h, w = ink.shape
    centre = (w / 2, h / 2)

    def sharpness(a: float) -> float:
        m = cv2.getRotationMatrix2D(centre, a, 1.0)
        rot = cv2.warpAffine(ink, m, (w, h), flags=cv2.INTER_LINEAR)
        prof = rot.sum(axis=1)
        return float(np.square(np.diff(prof)).sum())

    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 1e-6, 0.5), key=sharpness)
    fine = max(np.arange(best - 0.5, best + 0.5 + 1e-6, 0.1), key=sharpness)
    finer = max(np.arange(fine - 0.1, fine + 0.1 + 1e-6, 0.025), key=sharpness)
    return round(float(finer), 3)


def prepare(bgr: np.ndarray, dpi: float) -> Prepared:
    """Straighten, flatten, find and remove seals, deskew. ``dpi`` is the working resolution."""
    to_work = np.eye(3)
    photo = False
    corners = find_page(bgr)
    if corners is not None:
        tl, tr, br, bl = corners
        portrait = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) >= (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl))
        wmm, hmm = A4_MM if portrait else A4_MM[::-1]
        W, H = int(round(wmm / 25.4 * dpi)), int(round(hmm / 25.4 * dpi))
        m = cv2.getPerspectiveTransform(corners, np.float32([[0, 0], [W, 0], [W, H], [0, H]]))
        bgr = cv2.warpPerspective(bgr, m, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        to_work = m @ to_work
        photo = True
    # The red channel: red ink reflects red light like paper does, so a seal vanishes from it,
    # while black (and blue) ink stays dark, also where the seal covers it.
    gray = flatten(np.ascontiguousarray(bgr[:, :, 2]), dpi)
    seals = seal_boxes(red_mask(bgr), dpi)
    angle = skew_angle(gray)
    if abs(angle) >= 0.05:
        h, w = gray.shape
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        gray = cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
        m3 = np.vstack([m, [0, 0, 1]])
        to_work = m3 @ to_work
        seals = [_box_through(m3, b) for b in seals]
    return Prepared(gray=gray, to_work=to_work, seals=seals, angle=angle, photo=photo)


def _box_through(m: np.ndarray, box) -> list[int]:
    x0, y0, x1, y1 = box
    pts = np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]]).reshape(-1, 1, 2)
    out = cv2.perspectiveTransform(pts, m).reshape(-1, 2)
    return [int(out[:, 0].min()), int(out[:, 1].min()), int(out[:, 0].max()), int(out[:, 1].max())]


def box_back(to_work: np.ndarray, box) -> list[float]:
    """A working-pixel box mapped back to the original image (axis-aligned hull)."""
    inv = np.linalg.inv(to_work)
    x0, y0, x1, y1 = box
    pts = np.float64([[x0, y0], [x1, y0], [x1, y1], [x0, y1]]).reshape(-1, 1, 2)
    out = cv2.perspectiveTransform(pts, inv).reshape(-1, 2)
    return [float(out[:, 0].min()), float(out[:, 1].min()), float(out[:, 0].max()), float(out[:, 1].max())]
