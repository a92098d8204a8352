"""The three lists of a branch (JH-5, 问题清单、任务清单、责任清单), built from its 整改工作台账 rows.

A row is one problem (问题清单: category, problem, where it came from), the task that answers it (任务清单:
measure, target, deadline, status) and who answers for it (责任清单: 责任领导, 责任人, deadline, status).
For a 党委 the lists of every branch below it, branch by branch: the 整改任务书 annex; for a year, the
list the branch secretary's 述职 (必述必评必考) reports on, with each row's status.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import auth
from ..models import Organisation, RectificationItem, User
from ..vocabulary import BRANCH_LISTS
from . import ledger, sheets
from .serialize import iso


def _opened(it: RectificationItem) -> Optional[dt.date]:
    return it.opened_on or (it.created_at.date() if it.created_at else None)


def _defaulted_text(it: RectificationItem) -> str:
    """What of a row opened from a visit or an inspection was filled by default (the print says so under the
    责任清单), e.g. 整改时限按发现问题之日起90天默认确定，责任人默认为党支部书记; '' when nothing was."""
    d = ledger.defaulted(it)
    parts = ([f"整改时限按发现问题之日起{d['due_on']}天默认确定"] if "due_on" in d else []) + \
        (["责任人默认为党支部书记"] if d.get("owner") else [])
    return "，".join(parts)


def _row(i: int, it: RectificationItem, today: dt.date) -> dict:
    code, name = ledger.status_of(it, today)
    return {"seq": i, "item_id": it.id, "category": it.category, "problem": it.problem, "measure": it.measure,
            "target": it.target, "leader": it.leader, "owner": it.owner, "due_on": iso(it.due_on),
            "opened_on": iso(_opened(it)), "closed_on": iso(it.closed_on), "status": code, "status_name": name,
            "defaulted": _defaulted_text(it)}


def lists(db: Session, actor: User, organisation_id: int, year: Optional[int] = None,
          today: Optional[dt.date] = None) -> dict:
    """The three lists of the branch ``organisation_id``, or of each branch under it. With ``year``: the rows
    open at some time in that year (opened by its end, not closed before its start), as the 述职 reports."""
    org = auth.load_visible(db, actor, Organisation, organisation_id, "未找到该组织。", organisation_of=lambda o: o.id)
    today = today or dt.date.today()
    ids = auth.subtree_ids(db, org.id)
    visible = auth.visible_org_ids(db, actor)
    if visible is not None:
        ids &= visible
    branches = {o.id: o for o in db.execute(select(Organisation).where(Organisation.id.in_(ids),
                                                                        Organisation.kind == "branch")).scalars()}
    items = list(db.execute(select(RectificationItem).where(RectificationItem.organisation_id.in_(branches))
                            .order_by(RectificationItem.id)).scalars()) if branches else []
    if year:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        items = [it for it in items if (_opened(it) or start) <= end and not (it.closed_on and it.closed_on < start)]
    out = []
    for bid in sorted(branches, key=lambda i: branches[i].name):
        rows = [_row(i, it, today) for i, it in enumerate((x for x in items if x.organisation_id == bid), 1)]
        if not rows and branches[bid].id != org.id:
            continue
        out.append({"organisation_id": bid, "branch_name": branches[bid].name, "secretary": branches[bid].secretary or "",
                    "rows": rows, "closed": sum(1 for r in rows if r["status"] == "closed"),
                    "overdue": sum(1 for r in rows if r["status"] == "overdue")})
    return {"organisation_id": org.id, "organisation_name": org.name, "year": year, "as_of": iso(today),
            "list_names": dict(BRANCH_LISTS), "branches": out}


HEADERS = {
    "problems": ["党支部", "序号", "问题类别", "具体问题", "立项日期"],
    "tasks": ["党支部", "序号", "整改措施", "整改目标", "整改时限", "状态"],
    "duties": ["党支部", "序号", "具体问题", "责任领导", "责任人", "整改时限", "状态"],
}


def _cells(kind: str, branch_name: str, r: dict) -> list:
    due = sheets.cn(dt.date.fromisoformat(r["due_on"])) if r["due_on"] else ""
    opened = sheets.cn(dt.date.fromisoformat(r["opened_on"])) if r["opened_on"] else ""
    return {"problems": [branch_name, r["seq"], r["category"], r["problem"], opened],
            "tasks": [branch_name, r["seq"], r["measure"], r["target"], due, r["status_name"]],
            "duties": [branch_name, r["seq"], r["problem"], r["leader"], r["owner"], due, r["status_name"]]}[kind]


def table_rows(kind: str, data: dict) -> list[list]:
    return [_cells(kind, b["branch_name"], r) for b in data["branches"] for r in b["rows"]]


def flat_rows(data: dict) -> list[dict]:
    """The rows of every branch as one list, each with its branch (the list page searches and filters them)."""
    return [{**r, "organisation_id": b["organisation_id"], "organisation_name": b["branch_name"],
             "branch_name": b["branch_name"]} for b in data["branches"] for r in b["rows"]]


def rows_xlsx(rows: list[dict]) -> bytes:
    """The three lists of ``rows`` (:func:`flat_rows`, some of them) as one workbook, one sheet each."""
    return sheets.workbook_of([(BRANCH_LISTS[k], HEADERS[k], [_cells(k, r["branch_name"], r) for r in rows])
                               for k in HEADERS])


def lists_xlsx(data: dict) -> bytes:
    """The three lists as one workbook, one sheet each (through ``service.exports``)."""
    return sheets.workbook_of([(BRANCH_LISTS[k], HEADERS[k], table_rows(k, data)) for k in HEADERS])
