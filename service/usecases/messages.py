"""站内消息: one's messages and unread count, marking read; the daily reminder job that tells people
of deadlines coming up and of finished batches, and mails what is new to those with an address
when an SMTP server is configured."""
from __future__ import annotations

import datetime as dt
import logging
import smtplib

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .. import auth, inbox, mailer
from ..config import Settings
from ..errors import Invalid, NotFound
from ..models import Message, User, utcnow
from ..vocabulary import cn_datetime
from . import todo
from .validate import opt_int

log = logging.getLogger(__name__)
PAGE = 20
KIND_NAMES = {"returned": "退回", "supplement": "补正", "notice": "文书", "batch": "批量制证", "deadline": "期限提醒"}


def view(m: Message) -> dict:
    return {"id": m.id, "kind": m.kind, "kind_name": KIND_NAMES.get(m.kind, "通知"), "title": m.title,
            "body": m.body, "link": m.link, "read": m.read_at is not None,
            "created_at": m.created_at.isoformat() if m.created_at else None,
            "created_text": cn_datetime(m.created_at)}


def unread_count(db: Session, actor: User) -> int:
    return db.scalar(select(func.count()).select_from(Message).where(Message.user_id == actor.id,
                                                                     Message.read_at.is_(None))) or 0


def listing(db: Session, actor: User, args: dict | None = None) -> dict:
    """``{"unread": bool, "page": n}`` → a page of one's messages, newest first."""
    args = args or {}
    page = opt_int(args, "page", minimum=1, maximum=10_000) or 1
    query = select(Message).where(Message.user_id == actor.id)
    if args.get("unread"):
        query = query.where(Message.read_at.is_(None))
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.execute(query.order_by(Message.id.desc()).offset((page - 1) * PAGE).limit(PAGE)).scalars()
    return {"items": [view(m) for m in rows], "total": total, "page": page,
            "pages": max(1, -(-total // PAGE)), "unread": unread_count(db, actor)}


def rows(db: Session, actor: User, limit: int = 1000) -> list[dict]:
    """One's newest ``limit`` messages as list rows (``service.usecases.listing``): each with its
    read state as a status (未读/已读) and its kind, the filters of the messages page."""
    items = db.execute(select(Message).where(Message.user_id == actor.id)
                       .order_by(Message.id.desc()).limit(limit)).scalars()
    return [{**view(m), "status": "read" if m.read_at is not None else "unread",
             "status_name": "已读" if m.read_at is not None else "未读"} for m in items]


def mark_read(db: Session, actor: User, args: dict) -> dict:
    """``{"ids": [..]}`` or ``{"all": true}``: mark one's messages read."""
    query = update(Message).where(Message.user_id == actor.id, Message.read_at.is_(None))
    if args.get("all") is not True:
        ids = args.get("ids")
        if not isinstance(ids, list) or not ids or len(ids) > 500 or not all(
                isinstance(i, int) and not isinstance(i, bool) and 1 <= i <= auth.MAX_ID for i in ids):
            raise Invalid("请列出要标为已读的消息编号（ids），或写 all: true 表示全部。", field="ids")
        query = query.where(Message.id.in_(ids[:500]))
    changed = db.execute(query.values(read_at=utcnow())).rowcount or 0
    return {"marked": changed, "unread": unread_count(db, actor)}


def open_message(db: Session, actor: User, message_id: int) -> Message:
    """One's own message, marked read (another's is not found)."""
    m = db.get(Message, message_id)
    if m is None or m.user_id != actor.id:
        raise NotFound("未找到该消息。")
    if m.read_at is None:
        m.read_at = utcnow()
    return m


# --- events ---------------------------------------------------------------------------------

def tell_branch(db: Session, organisation_id: int, kind: str, title: str, body: str, link: str,
                dedupe: str | None = None) -> int:
    """Tell every account of an organisation."""
    return inbox.post(db, inbox.branch_users(db, organisation_id), kind, title, body, link, dedupe)


def remind(db: Session, settings: Settings, today: dt.date | None = None) -> dict:
    """The daily job: each active user's to-do items due within ``remind_days`` (or overdue) and
    batches finished lately become messages, once each; then what is unmailed goes out by e-mail."""
    today = today or dt.date.today()
    told = 0
    for user in db.execute(select(User).where(User.active.is_(True)).order_by(User.id)).scalars():
        for item in todo.todo(db, user, today, settings.remind_days)["items"]:
            if item["kind"] == "batch":
                told += inbox.post(db, [user.id], "batch", item["title"], item["detail"], item["link"],
                                   dedupe=f"batch:{item['link']}")
                continue
            if item["days_left"] is None or item["days_left"] > settings.remind_days:
                continue
            when = "已逾期" if item["overdue"] else "即将到期"
            told += inbox.post(db, [user.id], "deadline", f"{when}：{item['title']}",
                               f"{item['countdown']}（{item['due_text']}）。{item['detail']}", item["link"],
                               dedupe=f"deadline:{item['link']}:{item['title']}:{item['due']}:{when}")
    mailed = send_pending(db, settings)
    return {"messages": told, "mailed": mailed}


def send_pending(db: Session, settings: Settings, limit: int = 500) -> int:
    """Mail the messages not yet mailed to users with an address (nothing without SMTP)."""
    if not mailer.configured(settings):
        return 0
    rows = db.execute(select(Message, User.email).join(User, User.id == Message.user_id)
                      .where(Message.emailed_at.is_(None), User.email.is_not(None), User.email != "")
                      .order_by(Message.id).limit(limit)).all()
    if not rows:
        return 0
    base = settings.public_url
    mails = [(email, f"【五好党支部】{m.title}",
              f"{m.title}\n\n{m.body}\n\n" + (f"查看：{base}{m.link}\n" if m.link else "") +
              "\n此邮件由五好党支部创建管理系统自动发送，请勿直接回复。") for m, email in rows]
    try:
        sent = mailer.send(settings, mails)
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("reminder mail not sent (%s); kept for the next run", exc)
        return 0
    now = utcnow()
    for m, _email in rows:
        m.emailed_at = now
    return sent
