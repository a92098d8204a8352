"""One way to search, filter, sort and page a list of plain rows, for every list page and its export.

A list use case returns its rows as dicts (what the caller may see); :func:`run` applies what the
caller asked for — a search text, filters (status, domain, organisation, year), a sort column and
direction, a page — and returns the page's rows, every matching row (what an export writes) and the
choices each filter offers. The arguments are checked like any other input: a bad one is ``Invalid``
naming its field.

A page with two lists gives the second a ``prefix`` (``p_``): its arguments are then ``p_q``, ``p_page``,
``p_sort``… so the two never read each other's; the unprefixed list keeps the plain names.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..errors import Invalid

#: filter name -> (row key it compares, row key of the label shown for a value, label of the filter)
FILTERS = {
    "status": ("status", "status_name", "状态"),
    "domain": ("domain", "domain_name", "领域"),
    "organisation": ("organisation_id", "organisation_name", "组织"),
    "year": ("year", "year", "年度"),
    "kind": ("kind", "kind_name", "类别"),
    "action": ("action", "action_name", "操作"),
    "committee": ("committee", "committee", "所属党委"),
    "group": ("group_id", "group_name", "督导组"),
}
PER_PAGE = 50
MAX_PER_PAGE = 500
MAX_QUERY = 100


@dataclass(frozen=True)
class Column:
    key: str                  # row key shown (and sorted on, unless ``sort_key``)
    label: str                # column heading, Chinese
    kind: str = "text"        # text | date | datetime | score | int — how a person reads it
    sortable: bool = True
    sort_key: str | None = None


@dataclass(frozen=True)
class ListSpec:
    columns: tuple[Column, ...]
    search: tuple[str, ...] = ()           # row keys the search text looks in
    filters: tuple[str, ...] = ()          # names from FILTERS
    default_sort: str | None = None        # a column key; None keeps the rows' own order
    default_desc: bool = False
    filename: str = "列表"                  # of the Excel export (without .xlsx)

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)


@dataclass
class ListArgs:
    q: str = ""
    filters: dict[str, str] = field(default_factory=dict)
    sort: str | None = None
    desc: bool = False
    page: int = 1
    per_page: int = PER_PAGE
    prefix: str = ""

    def key(self, name: str) -> str:
        """The URL parameter of argument ``name`` (``q``, ``sort``, a filter's name…) for this list."""
        return self.prefix + name

    def query(self, **changes) -> dict[str, Any]:
        """These arguments as URL query parameters, with ``changes`` (None drops one); ``changes`` name
        the arguments without the list's prefix (``page=2`` is ``p_page=2`` for the list ``p_``)."""
        out: dict[str, Any] = {}
        if self.q:
            out["q"] = self.q
        out.update({k: v for k, v in self.filters.items() if v})
        if self.sort:
            out["sort"] = self.sort
            if self.desc:
                out["desc"] = "1"
        if self.page != 1:
            out["page"] = self.page
        if self.per_page != PER_PAGE:
            out["per_page"] = self.per_page
        for k, v in changes.items():
            if v is None or v == "":
                out.pop(k, None)
            else:
                out[k] = v
        return {self.prefix + k: v for k, v in out.items()}


#: the arguments of every list besides its filters (``export`` asks for its Excel file)
ARG_NAMES = ("q", "sort", "desc", "page", "per_page", "export")


def arg_keys(spec: ListSpec, prefix: str = "") -> set[str]:
    """Every URL parameter the list ``prefix`` reads."""
    return {prefix + name for name in (*ARG_NAMES, *spec.filters)}


def _positive(raw: str, key: str, label: str, maximum: int) -> int:
    raw = (raw or "").strip()
    if not raw.isdigit() or len(raw) > 6 or not 1 <= int(raw) <= maximum:
        raise Invalid(f"{label}应为 1 到 {maximum} 之间的整数。", field=key)
    return int(raw)


def parse_args(raw: Mapping[str, str], spec: ListSpec, prefix: str = "") -> ListArgs:
    """The list arguments of a query string (``q``, a filter's name, ``sort``, ``desc``, ``page``, ``per_page``),
    each read as ``prefix`` + its name."""
    def arg(name: str) -> str:
        return raw.get(prefix + name) or ""

    q = arg("q").strip()
    if len(q) > MAX_QUERY:
        raise Invalid(f"搜索内容过长（最多 {MAX_QUERY} 个字）。", field=prefix + "q")
    filters = {}
    for name in spec.filters:
        value = arg(name).strip()
        if len(value) > 64:
            raise Invalid(f"{FILTERS[name][2]}筛选条件无效。", field=prefix + name)
        if value:
            filters[name] = value
    sort = arg("sort") or spec.default_sort
    column = spec.column(sort) if sort else None
    if sort and (column is None or not column.sortable):
        raise Invalid("无法按该列排序。", field=prefix + "sort")
    desc = arg("desc") == "1" if arg("sort") else spec.default_desc
    page = _positive(arg("page") or "1", prefix + "page", "页码", 100000)
    per_page = _positive(arg("per_page") or str(PER_PAGE), prefix + "per_page", "每页条数", MAX_PER_PAGE)
    return ListArgs(q=q, filters=filters, sort=sort, desc=desc, page=page, per_page=per_page, prefix=prefix)


def _sort_value(value):
    if value is None or value == "":
        return (1, 0, "")
    if isinstance(value, bool):
        return (0, int(value), "")
    if isinstance(value, (int, float)):
        return (0, value, "")
    return (0, 0, str(value))


def options(rows: list[dict], name: str) -> list[tuple[str, str]]:
    """(value, label) a filter offers: the values the rows carry, in order of their labels."""
    key, label_key, _ = FILTERS[name]
    seen: dict[str, str] = {}
    for row in rows:
        value = row.get(key)
        if value is None or value == "":
            continue
        seen.setdefault(str(value), str(row.get(label_key) or value))
    reverse = name == "year"
    return sorted(seen.items(), key=lambda kv: kv[1], reverse=reverse)


def run(rows: list[dict], spec: ListSpec, args: ListArgs) -> dict:
    """The rows matching ``args``: ``rows`` (this page), ``matching`` (all pages), counts and filter choices."""
    matching = rows
    for name, value in args.filters.items():
        key = FILTERS[name][0]
        matching = [r for r in matching if str(r.get(key) if r.get(key) is not None else "") == value]
    if args.q:
        needle = args.q.casefold()
        matching = [r for r in matching
                    if any(needle in str(r.get(k) or "").casefold() for k in spec.search)]
    if args.sort:
        column = spec.column(args.sort)
        sort_key = column.sort_key or column.key
        matching = sorted(matching, key=lambda r: _sort_value(r.get(sort_key)), reverse=args.desc)
    total = len(matching)
    pages = max(1, math.ceil(total / args.per_page))
    page = min(args.page, pages)
    start = (page - 1) * args.per_page
    return {
        "rows": matching[start:start + args.per_page], "matching": matching, "total": total,
        "all": len(rows), "page": page, "pages": pages, "args": args, "spec": spec,
        "options": {name: options(rows, name) for name in spec.filters},
        "filter_labels": {name: FILTERS[name][2] for name in spec.filters},
    }
