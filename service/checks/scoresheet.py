"""Map a scores table (header row + data rows, as read from .xlsx/.csv) to ranking rows.
Pure: the reading itself is in cli.py."""
from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

from .completeness import SCORE_KEYS
from .findings import finding, load_config

_NUM = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*(分|%|％)?\s*$")


def _norm(text: Any) -> str:
    return re.sub(r"[\s　:：()（）]", "", str(text or "")).lower()


def domain_code(value: Any, config: Mapping[str, Any]) -> str | None:
    text = _norm(value)
    if not text:
        return None
    for code, name in config["domains"].items():
        if text in (code, _norm(name)):
            return code
    for alias, code in config["domain_aliases"].items():
        if text == _norm(alias):
            return code
    return None


def _number(value: Any) -> float | int | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    m = _NUM.match(str(value))
    if not m:
        raise ValueError(str(value))
    text = m.group(1)
    return int(text) if re.fullmatch(r"[-+]?\d+", text) else float(text)


def rows_from_table(header: Sequence[Any], data: Sequence[Sequence[Any]],
                    config: Mapping[str, Any] | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """-> (rows for ranking.rank, findings about the table). Blank rows are skipped."""
    cfg = config or load_config()
    cols: dict[str, int] = {}
    for i, h in enumerate(header):
        for key, names in cfg["score_columns"].items():
            if key not in cols and _norm(h) in {_norm(n) for n in names}:
                cols[key] = i
    problems: list[dict[str, Any]] = []
    for key in ("branch_name", "domain", "total"):
        if key not in cols:
            names = [n for n in cfg["score_columns"][key] if re.search(r"[\u4e00-\u9fff]", n)]  # not the codes
            problems.append(finding("missing_column", key, label=names[0],
                                    aliases="、".join(f"“{n}”" for n in names[1:2])))
    if problems:
        return [], problems
    rows: list[dict[str, Any]] = []
    for r, raw in enumerate(data, 2):
        cell = lambda k: raw[cols[k]] if k in cols and cols[k] < len(raw) else None  # noqa: E731
        if all(v is None or str(v).strip() == "" for v in raw):
            continue
        row: dict[str, Any] = {"branch_name": str(cell("branch_name") or f"第{r}行").strip(), "row": r}
        raw_domain = cell("domain")
        row["domain"] = domain_code(raw_domain, cfg) or (str(raw_domain).strip() if raw_domain else None)
        try:
            row["total"] = _number(cell("total"))
            dims = {k: _number(cell(k)) for k in SCORE_KEYS if k in cols}
            row["dimensions"] = {k: v for k, v in dims.items() if v is not None}
            sat = _number(cell("satisfaction")) if "satisfaction" in cols else None
            if sat is not None:
                row["satisfaction"] = sat
        except ValueError as exc:
            problems.append(finding("invalid_value", "total", label=f"第{r}行的分数", value=str(exc),
                                    detail="应为数字"))
            row["total"] = None
        rows.append(row)
    return rows, problems
