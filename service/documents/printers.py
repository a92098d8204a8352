"""套打 (overprint) calibration: an x/y offset in millimetres kept per printer.

Stored as JSON in ``$WUHAO_DATA_DIR/printers.json``: ``{"printer name": {"x_mm": 1.5, "y_mm": -0.5}}``.
A positive x moves the text right, a positive y moves it down.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

MAX_OFFSET_MM = 20.0


def _path(data_dir: str | os.PathLike | None = None) -> Path:
    base = data_dir or os.environ.get("WUHAO_DATA_DIR") or Path.cwd() / "var"
    return Path(base) / "printers.json"


def load_all(data_dir=None) -> dict[str, dict[str, float]]:
    p = _path(data_dir)
    if not p.exists():
        return {}
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): {"x_mm": float(v.get("x_mm", 0)), "y_mm": float(v.get("y_mm", 0))}
            for k, v in data.items() if isinstance(v, dict)}


def offset_for(printer: str, data_dir=None) -> tuple[float, float]:
    entry = load_all(data_dir).get(printer)
    if entry is None:
        raise KeyError(f"打印机“{printer}”尚未校准")
    return entry["x_mm"], entry["y_mm"]


def parse_offset(text: str) -> tuple[float, float]:
    try:
        x, y = (float(p) for p in text.replace("，", ",").split(","))
    except ValueError:
        raise ValueError("偏移量应写作 x,y（毫米），例如 1.5,-0.5") from None
    if abs(x) > MAX_OFFSET_MM or abs(y) > MAX_OFFSET_MM:
        raise ValueError(f"偏移量不得超过 ±{MAX_OFFSET_MM:g} 毫米")
    return x, y


def save_offset(printer: str, offset: tuple[float, float], data_dir=None) -> None:
    if not printer.strip():
        raise ValueError("打印机名称不能为空")
    x, y = offset
    if abs(x) > MAX_OFFSET_MM or abs(y) > MAX_OFFSET_MM:
        raise ValueError(f"偏移量不得超过 ±{MAX_OFFSET_MM:g} 毫米")
    p = _path(data_dir)
    p.parent.mkdir(parents=True, exist_ok=True)
    data = load_all(data_dir)
    data[printer.strip()] = {"x_mm": float(x), "y_mm": float(y)}
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=".printers-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
    os.replace(tmp, p)
