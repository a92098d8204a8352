"""``/api/v1/register`` (the 发文 register, JSON or XLSX) and ``POST /api/v1/documents/<id>/withdraw`` (作废)."""
from __future__ import annotations

from flask import Blueprint, Response

from ..db import get_session
from ..http import require_user
from ..usecases import register
from .common import int_arg, json_object

# The register has two representations, /register and /register.xlsx; withdrawal acts on a document.
bp = Blueprint("api_register", __name__, url_prefix="/api/v1")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rows() -> list[dict]:
    return register.rows(get_session(), require_user(), year=int_arg("year", minimum=2000, maximum=2100))


@bp.get("/register")
def listing():
    return {"items": _rows()}


@bp.get("/register.xlsx")
def export():
    return Response(register.as_xlsx(_rows()), mimetype=XLSX,
                    headers={"Content-Disposition": "attachment; filename=register.xlsx"})


@bp.post("/documents/<int:doc_id>/withdraw")
def withdraw(doc_id: int):
    """``{"reason": "…"}`` — the document is 作废; its number stays used."""
    return register.withdraw(get_session(), require_user(), doc_id, json_object())
