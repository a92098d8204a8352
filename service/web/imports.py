"""Imports from spreadsheets: a template for each (名册, 评分表, 组织名单) and, for a rejected import, the
full error report (XLSX: 行号, 列, 原因 — every error, not the first five).

A rejected import's page lists every error and links its report; the report is kept in the file store
(content-addressed) and only its maker's session may fetch it.
"""
from __future__ import annotations

import io
import re
from typing import Any, Callable

from flask import abort, flash, request, session, url_for
from openpyxl import Workbook
from openpyxl.styles import Font

from .. import vocabulary
from ..batch.roster import EXAMPLE_ROWS, HEADER_SYNONYMS, REQUIRED
from ..db import get_session
from ..errors import DomainError
from ..exports import safe_row
from ..http import store
from ..usecases.grading import SCORE_EXAMPLE
from ..usecases.organisations import IMPORT_COLUMNS, IMPORT_EXAMPLE
from .helpers import blueprint, page
from .lists import XLSX, attachment

bp = blueprint("imports", "/imports")

_DIMENSIONS = list(vocabulary.DIMENSIONS.values())
#: template name -> (file name, sheet title, header, example row, note)
TEMPLATES = {
    "roster": ("党员名册模板.xlsx", "党员名册",
               [HEADER_SYNONYMS["party-card"][k][0] for k in HEADER_SYNONYMS["party-card"]],
               EXAMPLE_ROWS[0],
               "姓名、所在支部为必填；入党时间写成 2015-07-01 或 2015年7月1日。"),
    "honor-roster": ("受表彰党支部名单模板.xlsx", "受表彰党支部",
                     [HEADER_SYNONYMS["honor-certificate"][k][0] for k in HEADER_SYNONYMS["honor-certificate"]],
                     EXAMPLE_ROWS[1],
                     "支部名称为必填。"),
    "scores": ("评分表模板.xlsx", "评分表", ["支部名称", "领域", "总分", *_DIMENSIONS, "群众满意率"],
               SCORE_EXAMPLE,
               "每个党支部一行；领域写机关、农村、社区等；群众满意率为百分数。"),
    "organisations": ("组织名单模板.xlsx", "组织名单", [names[0] for names in IMPORT_COLUMNS.values()],
                      IMPORT_EXAMPLE,
                      "组织名称、上级组织、类型为必填；上级组织须已存在或在本表中位于其上方。"),
}
MAX_REPORTS = 10


@bp.get("/<name>-template.xlsx")
@page()
def template(user, name: str):
    """A blank sheet with the columns an import reads, one example row and a note."""
    if name not in TEMPLATES:
        abort(404)
    filename, title, header, example, note = TEMPLATES[name]
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.append(safe_row(example))
    notes = wb.create_sheet("填写说明")
    notes.append(["说明"])
    notes.append([note])
    notes.append(["第2行是示例，导入前请删除或改成实际内容。"])
    out = io.BytesIO()
    wb.save(out)
    return attachment(out.getvalue(), filename, XLSX)


def template_url(name: str) -> str:
    return url_for("imports.template", name=name)


_ROW = re.compile(r"^第(\d+)行([：:]?)(.*)$", re.S)


def as_rows(errors) -> list[dict]:
    """Errors of any import as rows {row, column, reason}: dicts with row/reason, a sheet's problems
    (row, column letter, header, message “第N行B列“…”：…”: the column as B列“…”, the reason without the
    place, which has its own columns), or texts “第N行：…”."""
    out = []
    for e in errors or []:
        if isinstance(e, dict) and e.get("header") is not None and not e.get("reason"):
            message = str(e.get("message") or "")
            letter, header = e.get("column") or "", e["header"]
            where = f"第{e.get('row')}行" + (f"{letter}列“{header}”" if letter else "")
            reason = message[len(where):].lstrip("：:").strip() if message.startswith(where) else message
            out.append({"row": e.get("row"), "column": f"{letter}列“{header}”" if letter else header,
                        "reason": reason or message})
        elif isinstance(e, dict):
            out.append({"row": e.get("row"), "column": e.get("column") or e.get("branch_name") or "",
                        "reason": e.get("reason") or e.get("message") or ""})
        else:
            m = _ROW.match(str(e))
            out.append({"row": int(m.group(1)) if m else None, "column": "",  # “第N行：…” less its place
                        "reason": (m.group(3) if m and m.group(2) else str(e)).strip()})
    return out


def error_report(rows: list[dict], title: str) -> str:
    """Keep the full report of a rejected import; returns the address its maker downloads it from."""
    wb = Workbook()
    ws = wb.active
    ws.title = "错误报告"
    ws.append(["行号", "列", "原因"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append(safe_row([r.get("row"), r.get("column") or "", r.get("reason") or ""]))
    ws.column_dimensions["C"].width = 80
    out = io.BytesIO()
    wb.save(out)
    sha = store().put_bytes(out.getvalue())
    kept = [k for k in session.get("import_reports", []) if k != sha][-(MAX_REPORTS - 1):] + [sha]
    session["import_reports"] = kept
    return url_for("imports.report", sha=sha, title=title)


def run_import(use_case: Callable[[], Any], title: str) -> tuple[Any, list[dict], str]:
    """Run an import for a page: (result, [], "") when it went in; when refused with rows to fix, nothing
    written and (None, its error rows, the address of its XLSX report) for ``import_errors`` to show — no
    flashed message besides, so each error is said once; a refusal without rows (no file, not a sheet) is
    flashed as it is. ``title`` names the report file (``<title>_错误报告.xlsx``)."""
    savepoint = get_session().begin_nested()
    try:
        result = use_case()
    except DomainError as exc:
        savepoint.rollback()
        rows = as_rows((exc.detail or {}).get("problems"))
        if not rows:
            flash("未导入：" + exc.message, "error")
            return None, [], ""
        return None, rows, error_report(rows, title)
    savepoint.commit()
    return result, [], ""


@bp.get("/reports/<sha>.xlsx")
@page()
def report(user, sha: str):
    """A rejected import's report, for the session that made it."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha) or sha not in session.get("import_reports", []):
        abort(404)
    title = re.sub(r"[^\w\u4e00-\u9fff-]", "", request.args.get("title", ""))[:40]
    return attachment(store().read_bytes(sha), f"{title or '导入'}_错误报告.xlsx", XLSX)
