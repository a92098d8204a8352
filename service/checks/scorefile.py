"""Score sheets on disk: read the first sheet of an .xlsx or a .csv and rank it (``wuhao rank``
and the grading round of the pages and the API)."""
from __future__ import annotations

import csv
import datetime as _dt
import io
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from .findings import load_config
from .ranking import rank
from .scoresheet import rows_from_table
from .submission import rubric_for


def read_table(path: Path) -> tuple[list[Any], list[list[Any]]]:
    """Header and rows of the first sheet of an .xlsx, or of a .csv (UTF-8, BOM ok, or GBK)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
        finally:
            wb.close()
    elif path.suffix.lower() == ".csv":
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")
        rows = [r for r in csv.reader(io.StringIO(text))]
    else:
        raise ValueError(f"{path.name}: 只支持 .xlsx 或 .csv")
    while rows and all(v is None or str(v).strip() == "" for v in rows[0]):
        rows.pop(0)
    if not rows:
        return [], []
    return rows[0], rows[1:]


def rank_file(path: Path, year: int | None = None, config: dict | None = None,
              rubric_dir: Path | None = None) -> dict[str, Any]:
    """JH-2 grades and the JH-3 相对后进 of every branch in a score sheet (.xlsx/.csv), with the
    rubric in force for ``year`` (``rubric_dir``: an admin's rubrics over the built-in ones)."""
    cfg = load_config(config)
    header, data = read_table(path)
    rows, problems = rows_from_table(header, data, cfg)
    return rank_rows(rows, problems, year, cfg, rubric_dir)


def rank_rows(rows: list[dict[str, Any]], problems: list[dict[str, Any]], year: int | None,
              config: dict | None = None, rubric_dir: Path | None = None) -> dict[str, Any]:
    """Rank rows already read from a sheet (the grading round matches them to branches first)."""
    cfg = load_config(config)
    result = rank(rows, rubric_for(year or _dt.date.today().year, rubric_dir), cfg)
    result["findings"] = problems + result["findings"]
    return result
