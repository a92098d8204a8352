"""Admin settings: numbering prefixes (发文机关代字) per committee, the fonts report."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from .. import audit, auth
from ..db import get_session
from ..errors import ApiError
from ..models import NumberSequence, Organisation
from . import bp
from .common import json_object


def default_prefix(committee: Organisation) -> str:
    try:
        from ..documents.contexts import doc_prefix

        return doc_prefix(committee)
    except ImportError:
        return committee.name


def _settings_path() -> Path:
    return Path(current_app.config["WUHAO_DATA_DIR"]) / "numbering.json"


def numbering_prefixes() -> dict[str, str]:
    """{committee organisation id (str): prefix}; committees without an entry use a default."""
    path = _settings_path()
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stored = {}
    return {str(k): str(v) for k, v in stored.items()} if isinstance(stored, dict) else {}


def top_committee(db, org_id: int) -> Organisation:
    org = db.get(Organisation, org_id)
    while org is not None and org.parent_id is not None:
        org = db.get(Organisation, org.parent_id)
    return org


def prefix_for(db, org_id: int) -> str | None:
    """The admin's configured 机关代字 for the organisation's committee, if any."""
    committee = top_committee(db, org_id)
    if committee is None:
        return None
    return numbering_prefixes().get(str(committee.id))


def _write(data: dict) -> None:
    path = _settings_path()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".numbering-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
    os.replace(tmp, path)


def numbering_view(db) -> dict:
    committees = list(db.execute(select(Organisation).where(Organisation.parent_id.is_(None))
                                 .order_by(Organisation.id)).scalars())
    stored = numbering_prefixes()
    counters = [{"kind": n.kind, "year": n.year, "scope": n.scope, "last_value": n.last_value}
                for n in db.execute(select(NumberSequence).order_by(NumberSequence.kind, NumberSequence.year,
                                                                      NumberSequence.scope)).scalars()]
    return {"prefixes": [{"organisation_id": c.id, "organisation_name": c.name,
                          "prefix": stored.get(str(c.id)) or default_prefix(c),
                          "configured": str(c.id) in stored} for c in committees],
            "counters": counters}


@bp.get("/admin/numbering")
def get_numbering():
    auth.require_user("admin")
    return numbering_view(get_session())


@bp.put("/admin/numbering")
def put_numbering():
    """``{"prefixes": {"<committee id>": "市直工委"}}`` — the 机关代字 of 发文字号."""
    user = auth.require_user("admin")
    db = get_session()
    payload = json_object()
    prefixes = payload.get("prefixes")
    if not isinstance(prefixes, dict) or not prefixes:
        raise ApiError("invalid", '请求体应为 {"prefixes": {"组织编号": "机关代字"}}。', 422)
    current = numbering_prefixes()
    for key, value in prefixes.items():
        if not str(key).isdigit():
            raise ApiError("invalid", "组织编号应为整数。", 422)
        org = db.get(Organisation, int(key))
        if org is None or org.parent_id is not None:
            raise ApiError("not_found", "只能为顶层组织（工委/区委）设置机关代字。", 404)
        if not isinstance(value, str) or not value.strip() or len(value.strip()) > 20 \
                or any(ch in value for ch in "〔〕[]{}<>\n\r"):
            raise ApiError("invalid", "机关代字应为 1–20 个字符，且不含括号。", 422)
        current[str(org.id)] = value.strip()
    _write(current)
    audit.record(db, user, "numbering_update", "settings", None, {"prefixes": prefixes})
    db.commit()
    return numbering_view(db)


@bp.get("/admin/fonts")
def fonts_report():
    auth.require_user("admin")
    try:
        from ..documents.fonts import font_dir, font_report
    except ImportError:
        raise ApiError("unavailable", "字体模块不可用。", 503) from None
    return {"font_dir": str(font_dir()), "items": font_report()}
