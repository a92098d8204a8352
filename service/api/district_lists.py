"""``/api/v1/branch-lists/<org>``: the 问题清单、任务清单、责任清单 of a branch (or of each branch under a 党委),
from its 整改工作台账 rows; ``?year=`` the 述职 list of that year. JSON or XLSX."""
from __future__ import annotations

from ..db import get_session
from ..http import require_user
from ..usecases import district_lists
from .common import blueprint, int_arg, xlsx_response

bp = blueprint("branch_lists", "/branch-lists")


def _data(org_id: int) -> dict:
    return district_lists.lists(get_session(), require_user(), org_id, year=int_arg("year", minimum=2000, maximum=2100))


@bp.get("/<int:org_id>")
def get(org_id: int):
    return _data(org_id)


@bp.get("/<int:org_id>.xlsx")
def export(org_id: int):
    return xlsx_response(district_lists.lists_xlsx(_data(org_id)), f"branch-lists-{org_id}.xlsx")
