"""``/api/v1/party-days``: each branch's monthly 主题党日 (JH-6), XLSX import/template/export, and the
compliance view per month and per 党委."""
from __future__ import annotations

import datetime as dt

from flask import request

from ..db import get_session
from ..errors import Invalid
from ..http import require_user
from ..usecases import district_partyday as partyday
from .common import blueprint, first_upload, int_arg, json_object, organisation_arg, xlsx_response

bp = blueprint("party_days", "/party-days")


def _year() -> int | None:
    return int_arg("year", minimum=2000, maximum=2100)


@bp.get("")
def listing():
    return {"items": partyday.listing(get_session(), require_user(), organisation_id=organisation_arg(), year=_year())}


@bp.post("")
def save():
    return partyday.save(get_session(), require_user(), json_object()), 201


@bp.get("/<int:day_id>")
def get(day_id: int):
    return partyday.get(get_session(), require_user(), day_id)


@bp.patch("/<int:day_id>")
def update(day_id: int):
    return partyday.update(get_session(), require_user(), day_id, json_object())


@bp.delete("/<int:day_id>")
def delete(day_id: int):
    partyday.delete(get_session(), require_user(), day_id)
    return "", 204


@bp.post("/import")
def import_xlsx():
    return partyday.import_xlsx(get_session(), require_user(), first_upload())


@bp.get("/template.xlsx")
def template():
    require_user()
    return xlsx_response(partyday.template(), "party-day-template.xlsx")


@bp.get("/export.xlsx")
def export():
    items = partyday.listing(get_session(), require_user(), organisation_id=organisation_arg(), year=_year())
    return xlsx_response(partyday.export_xlsx(items), "party-days.xlsx")


@bp.get("/compliance")
def compliance():
    """``?year=&months=7,8,9&organisation_id=``: per branch and month, per 党委, totals."""
    raw = request.args.get("months") or ""
    try:
        months = [int(m) for m in raw.split(",") if m.strip()] or None
    except ValueError:
        raise Invalid("月份应为逗号分隔的数字，如 7,8,9。", field="months") from None
    return partyday.compliance(get_session(), require_user(), _year() or dt.date.today().year, months,
                               organisation_id=organisation_arg())
