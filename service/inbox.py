"""In-app messages (站内消息): one row per person told, added to the caller's transaction.

The events that tell people (a return, a notice issued, a finished batch, a deadline coming up)
call :func:`post`; a ``dedupe`` key makes telling the same thing twice a no-op (the daily
reminder runs again and again). Reading, counting and mailing are in ``service.usecases.messages``.
"""
from __future__ import annotations

from typing import Iterable, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Message, User, utcnow


def branch_users(session: Session, organisation_id: int) -> list[int]:
    """The active accounts of an organisation (the people a branch's news is for)."""
    return list(session.execute(select(User.id).where(User.organisation_id == organisation_id,
                                                      User.active.is_(True))).scalars())


def post(session: Session, user_ids: Iterable[int], kind: str, title: str, body: str = "", link: str = "",
         dedupe: Optional[str] = None) -> int:
    """Tell each user once; the number of messages added."""
    ids = sorted(set(user_ids))
    if not ids:
        return 0
    if dedupe:
        told = set(session.execute(select(Message.user_id).where(Message.user_id.in_(ids),
                                                                 Message.dedupe == dedupe)).scalars())
        ids = [i for i in ids if i not in told]
    now = utcnow()
    for uid in ids:
        session.add(Message(user_id=uid, kind=kind, title=title[:200], body=body, link=link[:300],
                            dedupe=dedupe, created_at=now))
    session.flush()
    return len(ids)
