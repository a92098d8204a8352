"""XLSX for the district's records: a downloadable template, rows read with errors naming row and column,
an export. Every cell written goes through ``service.exports.safe_row``.

A column is ``Column(key, header, kind, required, aliases)``; ``kind`` is one of ``str int date bool list``.
Reading is all or nothing: :func:`read` collects every problem of every row and raises one ``Invalid``
whose ``detail["problems"]`` lists ``{"row", "column", "header", "message"}`` (row as Excel numbers it,
column as its letter), the message saying 第3行C列“日期”：…
"""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..errors import Invalid
from ..exports import example_check, safe_row, template_examples
from .validate import is_phone

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 20000
YES = ("是", "√", "已收", "已缴", "有", "yes", "true", "1", "y")
NO = ("否", "×", "未收", "未缴", "无", "no", "false", "0", "n", "")
_DATE = re.compile(r"^\s*(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?\s*$")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "str"
    required: bool = False
    aliases: tuple = field(default_factory=tuple)
    max_len: int = 300


def _norm(text) -> str:
    return "".join(str(text or "").split()).replace("：", "").replace(":", "").replace("*", "")


def parse_date(value) -> dt.date:
    """A cell's date: an Excel date, ISO, 2026年9月8日, 2026.9.8 or 2026/9/8."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    m = _DATE.match(str(value))
    if not m:
        raise ValueError(value)
    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def _parse(col: Column, value):
    if col.kind == "int":
        if isinstance(value, bool):
            raise ValueError(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        text = str(value).replace("人", "").replace("名", "").strip()
        if not text.isdigit():
            raise ValueError(value)
        return int(text)
    if col.kind == "date":
        return parse_date(value)
    if col.kind == "bool":
        text = _norm(value).lower()
        if text in YES:
            return True
        if text in NO:
            return False
        raise ValueError(value)
    if col.kind == "list":
        return [p for p in re.split(r"[、，,；;\s]+", str(value)) if p]
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))  # a number typed into a cell: 13800000000.0 is 13800000000
    if len(text) > col.max_len or (col.kind == "phone" and not is_phone(text)):
        raise ValueError(value)
    return text


KIND_HINTS = {"int": "应为整数", "date": "应为日期（如2026年9月8日）", "bool": "应填“是”或“否”",
              "str": "过长", "list": "无法识别", "phone": "应为电话号码（如022-68883456或13800000000）"}


def problem(row: int, col_index: int | None, header: str, message: str) -> dict:
    letter = get_column_letter(col_index + 1) if col_index is not None else ""
    where = f"第{row}行" + (f"{letter}列“{header}”" if letter else "")
    return {"row": row, "column": letter, "header": header, "message": f"{where}：{message}"}


def one_by_name(problems: list[dict], r: dict, key: str, header: str, by_name: dict[str, list],
                what: str = "不是您管辖范围内的党支部"):
    """The one record a row names in column ``key`` (``by_name``: name -> records, e.g.
    ``auth.visible_branches_by_name``), or None with the row's problem added: a name held by two records
    (two subtrees may each hold a "第一党支部") is refused, not matched to either."""
    found = by_name.get(r[key], [])
    if len(found) == 1:
        return found[0]
    problems.append(problem(r["row"], r["_cols"].get(key), header, f"“{r[key]}”" + ("有重名" if found else what)))
    return None


def fail(problems: list[dict], what: str) -> None:
    if problems:
        shown = "；".join(p["message"] for p in problems[:10])
        more = f"等{len(problems)}处" if len(problems) > 10 else ""
        raise Invalid(f"{what}有{len(problems)}处问题，未导入任何内容：{shown}{more}。", "import_failed",
                      detail={"problems": problems})


def read(data: bytes, columns: list[Column], what: str, problems: list | None = None) -> list[dict]:
    """The rows of the first sheet as ``{key: value, "row": n, "_cols": {key: column index}}``. Cell problems
    raise at once, unless the caller passes ``problems`` to collect them with its own (rows with a bad cell
    are then left out)."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise Invalid(f"无法读取该文件：请上传 .xlsx 格式的{what}（可先下载模板）。", "invalid_file") from None
    try:
        raw = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True, max_row=MAX_ROWS + 1)]
    finally:
        wb.close()
    header_at = next((i for i, r in enumerate(raw) if any(v not in (None, "") for v in r)), None)
    if header_at is None:
        raise Invalid(f"{what}是空表。", "invalid_file")
    header = [_norm(h) for h in raw[header_at]]
    cols: dict[str, int] = {}
    for c in columns:
        names = {_norm(c.header), *(_norm(a) for a in c.aliases)}
        for i, h in enumerate(header):
            if h in names:
                cols[c.key] = i
                break
    missing = [c.header for c in columns if c.required and c.key not in cols]
    if missing:
        raise Invalid(f"{what}表头缺少" + "、".join(f"“{m}”" for m in missing) + "列（请使用模板）。", "invalid_file")
    collect = problems is not None
    rows, problems = [], problems if collect else []
    example_refusal = example_check()
    for n, values in enumerate(raw[header_at + 1:], header_at + 2):
        before = len(problems)
        if not any(v not in (None, "") for v in values):
            continue
        example = example_refusal(n, values)  # a template's example row left in
        if example:
            problems.append({"row": n, "column": "", "header": "", "message": example, "reason": example})
            continue
        out: dict = {"row": n, "_cols": cols}
        for c in columns:
            i = cols.get(c.key)
            value = values[i] if i is not None and i < len(values) else None
            if value is None or (isinstance(value, str) and not value.strip()):
                if c.required:
                    problems.append(problem(n, i, c.header, "不能为空"))
                out[c.key] = [] if c.kind == "list" else (False if c.kind == "bool" else None)
                continue
            try:
                out[c.key] = _parse(c, value)
            except (ValueError, TypeError):
                problems.append(problem(n, i, c.header, f"“{str(value)[:40]}”{KIND_HINTS[c.kind]}"))
        if len(problems) == before:
            rows.append(out)
    if not collect:
        fail(problems, what)
    return rows


def workbook(headers: list[str], rows: list[list], title: str = "Sheet1") -> bytes:
    return workbook_of([(title, headers, rows)])


def workbook_of(parts: list[tuple[str, list[str], list[list]]]) -> bytes:
    """One sheet per ``(title, headers, rows)``; every cell through ``safe_row``."""
    wb = Workbook()
    for n, (title, headers, rows) in enumerate(parts):
        ws = wb.active if n == 0 else wb.create_sheet()
        ws.title = title[:31]
        ws.append(safe_row(headers))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r in rows:
            ws.append(safe_row(r))
        for i, h in enumerate(headers, 1):
            ws.column_dimensions[get_column_letter(i)].width = max(10, 2 * len(str(h)) + 4)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def dated_examples(rows_on) -> None:
    """Register example rows that carry the day the template was made (``rows_on(day)``): those of the last
    :data:`EXAMPLE_DAYS` days are refused."""
    template_examples(lambda: [row for back in range(EXAMPLE_DAYS)
                               for row in rows_on(dt.date.today() - dt.timedelta(days=back))])


#: how far back a template with a dated example row may have been downloaded
EXAMPLE_DAYS = 120


def template(columns: list[Column], example: list | None = None, title: str = "模板") -> bytes:
    """The import template: the headers (required ones marked ＊ in a note row is avoided: the header is
    the column name itself) and one example row."""
    return workbook([c.header for c in columns], [example] if example else [], title)


def cn(d: dt.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""
