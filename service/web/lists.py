"""A list page: the rows a use case returns, searched, filtered, sorted and paged as the URL asks,
drawn with the ``_list.html`` macros, and ``?export=xlsx`` writes exactly those rows and columns.

    spec = ListSpec(columns=(Column("id", "编号", "int"), Column("organisation_name", "支部"), …),
                    search=("organisation_name", …), filters=("status", "organisation"), filename="工作队列")
    return list_page("queue.html", rows, spec, user=user)

In the template: ``{% from "_list.html" import list_controls, list_head, list_pager %}``, then
``{{ list_controls(lst) }}`` (search box, filters, 导出Excel), ``{{ list_head(lst) }}`` (sortable headings),
a row per ``lst.rows`` and ``{{ list_pager(lst) }}``.

Two lists on one page: the second is made with ``listed(rows, spec, prefix="p_")`` (its URL parameters are
``p_q``, ``p_sort``, ``p_page``, ``p_export``…) and handed to ``list_page(..., others=(second,))`` so its
export is answered too; every link and form of one list keeps the other list's parameters.
"""
from __future__ import annotations

import io
from typing import Callable
from urllib.parse import quote

from flask import Response, g, render_template, request, url_for
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from .. import wording
from ..exports import safe_row
from ..usecases.listing import ListSpec, arg_keys, parse_args, run

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(data: bytes, filename: str, mimetype: str) -> Response:
    """A download with a Chinese file name (RFC 5987) and an ASCII fallback."""
    ascii_name = "download" + (filename[filename.rfind("."):] if "." in filename else "")
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename={ascii_name}; filename*=UTF-8''{quote(filename)}"})


def xlsx_of(spec: ListSpec, rows: list[dict]) -> bytes:
    """The rows as a sheet: the list's headings, each cell as the page shows it (never a formula)."""
    wb = Workbook()
    ws = wb.active
    ws.title = spec.filename[:31]
    ws.append([c.label for c in spec.columns])
    for row in rows:
        ws.append(safe_row([wording.cell(row.get(c.key), c.kind) for c in spec.columns]))
    for i, c in enumerate(spec.columns, start=1):
        width = max([len(str(c.label))] + [len(str(wording.cell(r.get(c.key), c.kind))) for r in rows[:200]])
        ws.column_dimensions[get_column_letter(i)].width = min(60, 4 + 2 * width)
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def listed(rows: list[dict], spec: ListSpec, extra: dict | None = None, prefix: str = "") -> dict:
    """The list as the request asks for it (``lst`` in the templates); ``extra``: query parameters the
    page itself keeps (an organisation, a year), carried by every link of the list; ``prefix``: the start
    of this list's parameter names when the page has another list."""
    lst = run(rows, spec, parse_args(request.args, spec, prefix))
    lst["extra"] = {k: v for k, v in (extra or {}).items() if v not in (None, "")}
    lst["prefix"] = prefix
    lst["keys"] = arg_keys(spec, prefix)
    g.setdefault("lists", []).append(lst)
    return lst


def kept(lst: dict) -> dict:
    """The query parameters a link or form of ``lst`` keeps: the page's own (``extra``) and the other
    lists' on the page (their search, sort and page stay as they are), never an export."""
    others = set().union(*(o["keys"] for o in g.get("lists", []) if o is not lst))
    carried = {k: v for k, v in request.args.items()
               if k in others and k not in lst["keys"] and not k.endswith("export") and v != ""}
    return {**carried, **lst["extra"]}


def list_url(lst: dict, clear: bool = False, **changes) -> str:
    """This page's address with the list's arguments changed (``clear``: none of them)."""
    query = {} if clear else lst["args"].query(**changes)
    return url_for(request.endpoint, **(request.view_args or {}), **{**kept(lst), **query})


def exported(lst: dict) -> Response | None:
    """With ``?export=xlsx`` (``?p_export=xlsx`` for the list ``p_``) the list's matching rows as an Excel file."""
    if request.args.get(lst["prefix"] + "export") != "xlsx":
        return None
    spec = lst["spec"]
    return attachment(xlsx_of(spec, lst["matching"]), f"{spec.filename}.xlsx", XLSX)


def list_page(template: str, rows: list[dict], spec: ListSpec, extra: dict | None = None, *,
              shown: Callable[[list[dict]], None] | None = None, others: tuple[dict, ...] = (), **context):
    """Render ``template`` with ``lst``; with ``?export=xlsx`` the matching rows as an Excel file instead
    (or another list's, made with ``listed(..., prefix=…)`` and passed in ``others``).
    ``shown(rows)`` may complete the rows of the page shown (what only the page draws, read for them alone)."""
    lst = listed(rows, spec, extra)
    for one in (lst, *others):
        response = exported(one)
        if response is not None:
            return response
    if shown is not None:
        shown(lst["rows"])
    return render_template(template, lst=lst, **context)
