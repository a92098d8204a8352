"""In-app messages (站内消息): one row per person told, added to the caller's transaction.

The events that tell people (a return, a notice issued, a finished batch, a deadline coming up)
call :func:`post`; a ``dedupe`` key makes telling the same thing twice a no-op (the daily
reminder runs again and again). Reading, counting and mailing are in ``service.usecases.messages``.
"""
from __future__ import annotations

from datetime import timezone
from typing import Iterable, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import BatchJob, Message, User, utcnow
from .vocabulary import cn_date

#: a scan's OCR runs as a batch job too; it tells nobody (its submission's page shows the result)
OCR_KIND = "ocr"


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


def batch_news(job: BatchJob) -> dict:
    """What a finished batch tells people, on the to-do list and in a message: title, body, link."""
    done = job.state == "done"
    finished = job.finished_at
    if finished is not None and finished.tzinfo is None:  # SQLite keeps no zone: the moment is UTC
        finished = finished.replace(tzinfo=timezone.utc)
    return {"title": f"批量制证{'已完成' if done else '失败'}：{job.roster_name or '名册'}",
            "body": f"共{job.total}张，完成{job.done}张" + (f"，失败{job.failed}张。" if job.failed else "。")
            + (f"（{cn_date(finished)}）" if finished is not None else ""),
            "link": f"/batches/{job.id}"}


def batch_dedupe(job_id: int) -> str:
    """The one key of a finished batch's message: ``batch:`` + its link, as the daily job
    (``usecases.messages.remind``) writes it for a to-do item, so nobody is told twice."""
    return f"batch:/batches/{job_id}"


def batch_finished(session: Session, job_id: int) -> int:
    """Tell the person who started a batch that it finished (or failed), at once, in the transaction
    that finished it: the worker's completion paths call this (``service.batch``), the daily
    ``wuhao remind`` then finds it told (same dedupe key) and tells the others who see the job."""
    job = session.get(BatchJob, job_id, populate_existing=True)
    if job is None or job.kind == OCR_KIND or job.state not in ("done", "failed") or job.created_by_id is None:
        return 0
    news = batch_news(job)
    active = session.execute(select(User.id).where(User.id == job.created_by_id, User.active.is_(True))).scalars()
    return post(session, active, "batch", news["title"], news["body"], news["link"], dedupe=batch_dedupe(job.id))
