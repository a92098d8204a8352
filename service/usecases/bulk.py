"""Bulk actions on submissions a reviewer ticked in a list: 批量审核, 批量发通知, 批量下载.

Each submission is its own step (a savepoint): one that cannot be decided (another state, outside
the view) is reported with its reason and the others still go through. Every step is the same use
case a single decision or notice takes, so the rules and audit rows are the same.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from sqlalchemy.orm import Session

from .. import auth
from ..errors import DomainError, Invalid
from ..models import User
from ..storage import FileStore
from . import notices, review
from .submissions import load

MAX_ITEMS = 200
MAX_ZIP_BYTES = 200 * 1024 * 1024


def _each(db: Session, ids: list[int], step) -> tuple[list, list[tuple[int, str]]]:
    """Run ``step(id)`` for each id in its own savepoint: (results, [(id, reason)])."""
    if not ids:
        raise Invalid("请先勾选材料。", field="ids")
    if len(ids) > MAX_ITEMS:
        raise Invalid(f"每次最多处理 {MAX_ITEMS} 份材料。", field="ids")
    done, failed = [], []
    for item_id in ids:
        savepoint = db.begin_nested()
        try:
            result = step(item_id)
        except DomainError as exc:
            savepoint.rollback()
            failed.append((item_id, exc.message))
            continue
        savepoint.commit()
        done.append(result)
    return done, failed


def decide(db: Session, actor: User, ids: list[int], payload: dict) -> tuple[list[dict], list[tuple[int, str]]]:
    """批量审核: the same decision for each submission. 通过 takes a 待审核 one into review first
    (开始审核, its own audit row), as a reviewer doing it by hand would."""
    auth.require_role(actor, *auth.REVIEWERS)

    def step(sub_id: int) -> dict:
        sub = load(db, actor, sub_id)
        if payload.get("decision") == "approve" and sub.status in review.DECISIONS["claim"][0]:
            review.decide(db, actor, sub_id, {"decision": "claim"})
        return review.decide(db, actor, sub_id, payload)
    return _each(db, ids, step)


def notify(db: Session, store: FileStore, actor: User, data_dir: Path, ids: list[int],
           options: dict) -> tuple[list[dict], list[tuple[int, str]]]:
    """批量发通知: a 补正通知 (numbered, PDF and DOCX) about each submission."""
    auth.require_role(actor, *auth.REVIEWERS)

    def step(sub_id: int) -> dict:
        load(db, actor, sub_id)
        payload = {"kind": "supplement-notice", "record_id": sub_id}
        if options.get("reason"):
            payload["reason"] = options["reason"]
        docs = notices.issue(db, store, actor, data_dir, payload)
        return {"submission_id": sub_id, "number": docs[0].number, "document_ids": [d.id for d in docs]}
    return _each(db, ids, step)


def files_zip(db: Session, store: FileStore, actor: User, ids: list[int]) -> bytes:
    """批量下载: the ticked submissions' files in one ZIP, each as ``<编号>_<支部>_<文件名>``."""
    auth.require_role(actor, *auth.REVIEWERS)
    if not ids:
        raise Invalid("请先勾选材料。", field="ids")
    if len(ids) > MAX_ITEMS:
        raise Invalid(f"每次最多下载 {MAX_ITEMS} 份材料。", field="ids")
    subs = [load(db, actor, i) for i in ids]  # 404 for any outside the view, before a byte is read
    if sum(s.size or 0 for s in subs) > MAX_ZIP_BYTES:
        raise Invalid("勾选的材料合计超过 200 MB，请分批下载。", field="ids")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for s in subs:
            name = f"{s.id}_{s.organisation.name}_{Path(s.original_name).name}"
            zf.writestr(name, store.read_bytes(s.sha256))
    return out.getvalue()
