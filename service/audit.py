"""The append-only audit log: who did what to which object, and when."""
from __future__ import annotations

from typing import Any, Optional

from sqlalchemy.orm import Session

from .models import AuditLog


def record(
    session: Session,
    user: Any,
    action: str,
    object_type: Optional[str] = None,
    object_id: Optional[int] = None,
    detail: Optional[dict] = None,
    organisation_id: Optional[int] = None,
) -> AuditLog:
    """Add one audit row to the session (committed with the change it records)."""
    user_id = getattr(user, "id", user)
    if organisation_id is None and user is not None and not isinstance(user, int):
        organisation_id = getattr(user, "organisation_id", None)
    row = AuditLog(
        user_id=user_id,
        organisation_id=organisation_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail or {},
    )
    session.add(row)
    return row
