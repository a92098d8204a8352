"""Admin settings: the 机关代字 of 发文字号 per top committee, the fonts report.

The prefixes live in ``numbering.json`` in the data directory (``data_dir``), written
atomically; a committee without an entry uses the default derived from its name.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit, auth
from ..documents.contexts import doc_prefix
from ..documents.fonts import font_dir, font_report
from ..errors import Invalid, NotFound
from ..models import NumberSequence, Organisation, User

BAD_PREFIX_CHARS = "〔〕[]{}<>\n\r"


def _path(data_dir: Path) -> Path:
    return Path(data_dir) / "numbering.json"


def numbering_prefixes(data_dir: Path) -> dict[str, str]:
    """{committee organisation id (str): prefix}; committees without an entry use a default."""
    try:
        stored = json.loads(_path(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stored = {}
    return {str(k): str(v) for k, v in stored.items()} if isinstance(stored, dict) else {}


def top_committee(db: Session, org_id: int) -> Organisation | None:
    org = db.get(Organisation, org_id)
    while org is not None and org.parent_id is not None:
        org = db.get(Organisation, org.parent_id)
    return org


def prefix_for(db: Session, data_dir: Path, org_id: int) -> str | None:
    """The admin's configured 机关代字 for the organisation's committee, if any."""
    committee = top_committee(db, org_id)
    return None if committee is None else numbering_prefixes(data_dir).get(str(committee.id))


def numbering(db: Session, actor: User, data_dir: Path) -> dict:
    auth.require_role(actor, "admin")
    committees = list(db.execute(select(Organisation).where(Organisation.parent_id.is_(None))
                                 .order_by(Organisation.id)).scalars())
    stored = numbering_prefixes(data_dir)
    counters = [{"kind": n.kind, "year": n.year, "scope": n.scope, "last_value": n.last_value}
                for n in db.execute(select(NumberSequence).order_by(NumberSequence.kind, NumberSequence.year,
                                                                      NumberSequence.scope)).scalars()]
    return {"prefixes": [{"organisation_id": c.id, "organisation_name": c.name,
                          "prefix": stored.get(str(c.id)) or doc_prefix(c),
                          "configured": str(c.id) in stored} for c in committees],
            "counters": counters}


def set_prefixes(db: Session, actor: User, data_dir: Path, prefixes: dict) -> dict:
    """``{"<committee id>": "市直工委"}``: all valid or none written."""
    auth.require_role(actor, "admin")
    if not isinstance(prefixes, dict) or not prefixes:
        raise Invalid('请求体应为 {"prefixes": {"组织编号": "机关代字"}}。')
    current = numbering_prefixes(data_dir)
    changes = {}
    for key, value in prefixes.items():
        if not str(key).isdigit() or len(str(key)) > 10:
            raise Invalid("组织编号应为整数。")
        org = db.get(Organisation, int(key))
        if org is None or org.parent_id is not None:
            raise NotFound("只能为顶层组织（工委/区委）设置机关代字。")
        if not isinstance(value, str) or not value.strip() or len(value.strip()) > 20 \
                or any(ch in value for ch in BAD_PREFIX_CHARS):
            raise Invalid(f"{org.name} 的机关代字应为 1–20 个字符，且不含括号。")
        if current.get(str(org.id)) != value.strip():
            current[str(org.id)] = changes[str(org.id)] = value.strip()
    if changes:
        _write(data_dir, current)
        audit.record(db, actor, "numbering_update", "settings", None, {"prefixes": changes})
    return numbering(db, actor, data_dir)


def _write(data_dir: Path, data: dict) -> None:
    path = _path(data_dir)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".numbering-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
    os.replace(tmp, path)


def fonts(actor: User) -> dict:
    auth.require_role(actor, "admin")
    return {"font_dir": str(font_dir()), "items": font_report()}
