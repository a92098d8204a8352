"""The OCR models: one RapidOCR (PP-OCRv4 detection + recognition, ONNX) per process.

The models ship inside the ``rapidocr-onnxruntime`` wheel (about 15 MB); nothing is downloaded.
Loading takes about a second and 300 MB, so it happens once, on first use (``engine()``), and
every caller shares it. Calls are serialised by a lock: two pages at once on a 2-core machine
are not faster than one after the other, and they would double the peak memory.

Detection runs on a copy whose longer side is ``DET_SIDE`` pixels (an A4 page at 200 dpi is
2339 px high; at 1280 px a 10.5 pt character is still 15 px tall, enough for the detector and
3.3× fewer pixels). Recognition runs on crops of the full-resolution page, six crops of
similar width per call (larger batches pad more and measured no faster); the direction
classifier is never run (scans are deskewed, pages upright). RapidOCR pads every batch to at
least 320 px (PaddleOCR's default input width, 6.7 characters), so a batch of short labels and
有/无 choices costs as much as six long lines; padded to ``REC_MIN_WIDTH`` (200 px, about four
characters) the recogniser's CPU falls by a fifth: 279 crops of 7 scans, 11.6 s → 9.0 s under
load, the same texts but for ASCII and full-width punctuation (normalised later). Narrower
(96 px: 7.5 s) drops the 。 that ends a line whose crop stops at it (提升。 read 提升), which cost
one field of the scan corpus (96.07% → 95.71%).

The ONNX sessions are our own (``_session``): RapidOCR's leave onnxruntime's intra-op threads
spinning between operators, which on this 2-core machine shared by other workers burnt a
third of the CPU time of a page. Measured with the machine under load (load average 11–17), CPU
time (user+sys) per page, median: bench_ocr's 9 scans 2.55 s spinning → 1.81 s (accuracy the
same, 115/120 fields); the test corpus' 21 stamped scans 1.73 s, 96.07% of fields.
"""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort
import rapidocr_onnxruntime
from rapidocr_onnxruntime import RapidOCR

DET_SIDE = 1280
MIN_SCORE = 0.5
REC_BATCH = 6
REC_MIN_WIDTH = 200  # px at the recogniser's 48 px height: about four characters (RapidOCR pads to 320)
SPIN = False  # onnxruntime's worker threads busy-wait between ops unless told not to
MODELS = Path(rapidocr_onnxruntime.__file__).resolve().parent / "models"

_lock = threading.Lock()
_engine = None
_loads = 0  # models loaded by this process: 1 after the first page, whatever the pages after it
log = logging.getLogger("parsers.ocr")


class OcrUnavailable(RuntimeError):
    """The OCR models do not load (a broken install): the scan is answered like one without text."""


def threads() -> int:
    """Threads per model call: the cores, at most 4 (more only adds contention)."""
    return max(1, min(os.cpu_count() or 1, 4))


def engine():
    """The process's RapidOCR instance (created on first use)."""
    global _engine, _loads
    if _engine is None:
        with _lock:
            if _engine is None:
                n = threads()
                try:
                    eng = RapidOCR(intra_op_num_threads=n, inter_op_num_threads=1)
                    eng.text_det.infer.session = _session("ch_PP-OCRv4_det_infer.onnx", n)
                    eng.text_rec.session.session = _session("ch_PP-OCRv4_rec_infer.onnx", n)
                except Exception as exc:  # a model file missing or unreadable
                    raise OcrUnavailable(str(exc)) from None
                eng.text_det.limit_type = "max"  # we resize ourselves (DET_SIDE)
                eng.text_rec.rec_batch_num = REC_BATCH
                eng.text_rec.rec_image_shape = [3, 48, REC_MIN_WIDTH]
                _engine = eng
                _loads += 1
    return _engine


def _session(model: str, n: int) -> ort.InferenceSession:
    """The model's session with our options: ``n`` threads that sleep when idle (spinning
    threads burn a core each between the small recognition batches, and on a machine shared
    with other workers they only take CPU from them)."""
    opts = ort.SessionOptions()
    opts.log_severity_level = 4
    opts.enable_cpu_mem_arena = False
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.intra_op_num_threads = n
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    if not SPIN:
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(MODELS / model), sess_options=opts, providers=["CPUExecutionProvider"])


def loaded() -> bool:
    return _engine is not None


def loads() -> int:
    """How many times this process loaded the models (a worker must report 1: about 1 s and
    300 MB each time, so a second load means a page paid for what the first one had)."""
    return _loads


def detect(gray: np.ndarray) -> list[list[float]]:
    """Text line boxes [x0, y0, x1, y1] in the pixels of ``gray``."""
    eng = engine()
    h, w = gray.shape[:2]
    scale = min(1.0, DET_SIDE / float(max(h, w)))
    small = cv2.resize(gray, (max(int(w * scale), 32), max(int(h * scale), 32)), interpolation=cv2.INTER_AREA)
    bgr = cv2.cvtColor(small, cv2.COLOR_GRAY2BGR)
    with _lock:
        boxes, _ = eng.text_det(bgr)
    out = []
    if boxes is None:
        return out
    for quad in boxes:
        q = np.asarray(quad, dtype=np.float32) / scale
        out.append([float(q[:, 0].min()), float(q[:, 1].min()), float(q[:, 0].max()), float(q[:, 1].max())])
    return out


def recognise(crops: list[np.ndarray]) -> list[tuple[str, float]]:
    """(text, confidence) for each grey crop of one text line."""
    if not crops:
        return []
    eng = engine()
    imgs = [cv2.cvtColor(c, cv2.COLOR_GRAY2BGR) for c in crops]
    with _lock:
        res, _ = eng.text_rec(imgs)
    return [(str(t), float(s)) for t, s in res]
