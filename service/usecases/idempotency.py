"""``Idempotency-Key``: what the first request with a client's key produced, for its retries.

A retry with the same key and the same request gets the first answer; the same key with another
request is refused (409). Uploads keep their own, race-safe claim (``submissions``); document issues
use these helpers.
"""
from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Conflict, Invalid
from ..models import IdempotencyKey, User

MAX_KEY = 200


def fingerprint(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


def _row(db: Session, actor: User, scope: str, key: str) -> IdempotencyKey | None:
    if not isinstance(key, str) or not 0 < len(key) <= MAX_KEY:
        raise Invalid(f"Idempotency-Key 应为 1–{MAX_KEY} 个字符。", field="Idempotency-Key")
    return db.execute(select(IdempotencyKey).where(
        IdempotencyKey.user_id == actor.id, IdempotencyKey.scope == scope, IdempotencyKey.key == key)
    ).scalar_one_or_none()


def replay(db: Session, actor: User, scope: str, key: str, print_: str) -> dict | None:
    """The first request's result for this key, or None; another request under the key is a 409."""
    row = _row(db, actor, scope, key)
    if row is None:
        return None
    if row.fingerprint != print_:
        raise Conflict("该 Idempotency-Key 已用于另一次请求，请换一个新的键。", "idempotency_key_reused")
    return row.result or {}


def remember(db: Session, actor: User, scope: str, key: str, print_: str, result: dict) -> None:
    db.add(IdempotencyKey(user_id=actor.id, scope=scope, key=key, fingerprint=print_, result=result))
    db.flush()
