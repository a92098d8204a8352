"""待办: each role's to-do list, built from the records every time (nothing to keep in step).

A branch: its returned submissions and those asked for 补正 (with the 补正通知's deadline), until
a newer file of the same form is uploaded; its open 整改 rows with their 整改时限; the programme's
windows that concern its cycle (预报 in March of even years, 验收 by 31 March of odd years, the
annual review by 30 November, a 限期整改 deadline). A reviewer or admin: what awaits a decision
(submissions, and 党建品牌 registrations waiting at its level; a unit sees its returned ones),
整改 rows overdue or due soon in its view, batches finished lately, the same windows.

Each item: ``kind``, ``title``, ``detail``, ``link``, ``due`` (a date or None) with ``days_left``,
``overdue`` and ``countdown`` (还剩N天 / 今天到期 / 已逾期N天); overdue first, then by date.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import auth, inbox
from ..checks.calendar import acceptance_deadline, annual_report_deadline
from ..checks.findings import load_config
from ..checks.lifecycle import state_name
from ..models import BatchJob, Brand, CreationCycle, Document, RectificationItem, Submission, User
from ..vocabulary import FORM_NAMES, cn_date
from .cycles import current_cycle
from .review import AWAITING, brand_files

RETURNED = ("returned", "needs_work")
LOOKAHEAD_DAYS = 60        # a window or deadline this close is on the list
BATCH_DAYS = 7             # finished batches stay on the list this long
MAX_ROWS = 30              # 整改 rows listed one by one for a reviewer


def countdown(due: Optional[dt.date], today: dt.date) -> dict:
    if due is None:
        return {"due": None, "due_text": "", "days_left": None, "overdue": False, "countdown": ""}
    days = (due - today).days
    text = "今天到期" if days == 0 else (f"还剩{days}天" if days > 0 else f"已逾期{-days}天")
    return {"due": due.isoformat(), "due_text": cn_date(due), "days_left": days, "overdue": days < 0,
            "countdown": text}


def _item(kind: str, title: str, link: str, today: dt.date, due: Optional[dt.date] = None, detail: str = "",
          action: str = "") -> dict:
    return {"kind": kind, "title": title, "detail": detail, "link": link, "action": action,
            **countdown(due, today)}


def _date(value) -> Optional[dt.date]:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


# --- the programme's windows -----------------------------------------------------------------

def windows(today: dt.date, cycle: Optional[CreationCycle], *, reviewer: bool) -> list[dict]:
    """预报 (March, even years), 验收 (by 31 March, odd years), annual review (by 30 November):
    the ones open now or opening within ``LOOKAHEAD_DAYS`` that concern this cycle (a reviewer: all)."""
    cfg = load_config()
    out = []
    state = cycle.state if cycle else None
    link = "/lifecycle"
    # 预报: 1–31 March of an even year
    if reviewer or state in (None, "expired", "delisted", "revoked"):
        year = today.year + (today.year % 2) if not (today.year % 2 == 0 and today.month <= 3) else today.year
        opens, closes = dt.date(year, 3, 1), dt.date(year, 3, 31)
        if today < opens and (opens - today).days <= LOOKAHEAD_DAYS:
            out.append(_item("window", f"{year}年预报申报将于{cn_date(opens)}开始", link, today, opens,
                             "预报申报只在偶数年3月受理" + ("，请提醒支部提前准备申报表。" if reviewer else "，请提前准备申报表。")))
        elif opens <= today <= closes:
            out.append(_item("window", f"{year}年预报申报截止", link, today, closes,
                             "受理各支部的预报申报。" if reviewer else "请在截止前上传申报表。", "/upload"))
    # 验收: by 31 March of an odd year, for a branch in its creation year
    if reviewer or state == "creating":
        year = today.year if today.year % 2 == 1 else today.year + 1
        due = acceptance_deadline(year, cfg)
        if today <= due and (due - today).days <= LOOKAHEAD_DAYS + 30:
            out.append(_item("window", f"{year}年验收申请截止", link, today, due,
                             "受理验收申请和汇报材料。" if reviewer else "请提交验收申请表和约2500字的汇报材料。",
                             "" if reviewer else "/upload"))
    # annual review: the year's report by 30 November, for a branch holding the title
    if reviewer or state in ("commended", "in_term", "rectifying"):
        due = annual_report_deadline(today.year, cfg)
        if today <= due and (due - today).days <= LOOKAHEAD_DAYS + 30:
            out.append(_item("window", f"{today.year}年度考核报告截止", link, today, due,
                             "收齐届期内支部的年度考核报告。" if reviewer else "请上传本年度工作报告。",
                             "" if reviewer else "/upload"))
    if cycle is not None and state == "rectifying" and (cycle.facts or {}).get("rectify_deadline"):
        due = _date(cycle.facts["rectify_deadline"])
        if due:
            out.append(_item("deadline", "限期整改完成", link, today, due, "整改期满后由上级复核。"))
    return out


# --- a branch ---------------------------------------------------------------------------------

def _fixed(db: Session, sub: Submission) -> bool:
    """A newer file of the same form uploaded after the decision answers the return."""
    newer = db.scalar(select(func.count()).select_from(Submission).where(
        Submission.organisation_id == sub.organisation_id, Submission.form == sub.form, Submission.id > sub.id))
    return bool(newer)


def _supplement_deadlines(db: Session, sub_ids: list[int]) -> dict[int, dt.date]:
    if not sub_ids:
        return {}
    rows = db.execute(select(Document).where(Document.kind == "supplement-notice", Document.subject_type == "submission",
                                             Document.subject_id.in_(sub_ids), Document.status == "issued")
                      .order_by(Document.id)).scalars()
    out = {}
    for d in rows:
        due = _date((d.context or {}).get("deadline"))
        if due:
            out[d.subject_id] = due
    return out


def branch_items(db: Session, actor: User, today: dt.date) -> list[dict]:
    org_id = actor.organisation_id
    items = []
    returned = list(db.execute(select(Submission).where(Submission.organisation_id == org_id,
                                                        Submission.status.in_(RETURNED), Submission.form != "report")
                               .order_by(Submission.id)).scalars())
    returned = [s for s in returned if not _fixed(db, s)]
    dues = _supplement_deadlines(db, [s.id for s in returned])
    for s in returned:
        what = "需补正" if s.status == "needs_work" else "被退回"
        form = FORM_NAMES.get(s.form, "材料")
        items.append(_item("returned", f"{form}“{s.original_name}”{what}", f"/submissions/{s.id}", today,
                           dues.get(s.id), f"审核意见：{s.review_comment}" if s.review_comment else
                           "请按审核意见修改后重新上传。", "/upload"))
    for row in db.execute(select(RectificationItem).where(RectificationItem.organisation_id == org_id,
                                                          RectificationItem.closed_on.is_(None))
                          .order_by(RectificationItem.due_on, RectificationItem.id)).scalars():
        items.append(_item("rectification", f"整改事项：{row.problem}", f"/ledger/{row.id}", today, row.due_on,
                           f"{row.category}。" + (f"整改措施：{row.measure}" if row.measure else "请填写整改措施并报告进展。")))
    for b in db.execute(select(Brand).where(Brand.organisation_id == org_id, Brand.stage == "returned")
                        .order_by(Brand.id)).scalars():
        items.append(_item("brand", f"党建品牌“{b.name}”登记被退回", f"/community/brands/{b.id}", today, None,
                           "请按审核意见修改后重新登记申报。"))
    items += windows(today, current_cycle(db, org_id), reviewer=False)
    return items


# --- a reviewer or an admin -------------------------------------------------------------------

def reviewer_items(db: Session, actor: User, today: dt.date, remind_days: int = 7) -> list[dict]:
    items = []
    waiting = auth.filter_visible(select(func.count()).select_from(Submission).where(
        Submission.status.in_(AWAITING), Submission.form != "report",
        Submission.id.not_in(brand_files())), Submission.organisation_id, db, actor)
    count = db.scalar(waiting) or 0
    if count:
        items.append(_item("queue", f"{count}份材料待审核", "/queue", today, None, "按提交先后逐份审核。"))
    # a 党建品牌 registration waits for one level at a time: the level it waits at decides (an admin sees all)
    brands = select(Brand).where(Brand.stage == "forwarding").order_by(Brand.registered_on, Brand.id)
    if actor.role != "admin":
        brands = brands.where(Brand.level_id == actor.organisation_id)
    for b in db.execute(brands.limit(MAX_ROWS)).scalars():
        items.append(_item("brand", f"党建品牌“{b.name}”登记待审核", f"/community/brands/{b.id}", today, None,
                           f"{cn_date(b.registered_on)}登记申报，请审核后同意上报或退回。"))
    soon = today + dt.timedelta(days=remind_days)
    rows = auth.filter_visible(select(RectificationItem).where(RectificationItem.closed_on.is_(None),
                                                               RectificationItem.due_on.is_not(None),
                                                               RectificationItem.due_on <= soon)
                               .order_by(RectificationItem.due_on).limit(MAX_ROWS),
                               RectificationItem.organisation_id, db, actor)
    for row in db.execute(rows).scalars():
        items.append(_item("rectification", f"{row.organisation.name}：{row.problem}", f"/ledger/{row.id}", today,
                           row.due_on, "整改逾期未销号，请督促。" if row.due_on < today else "整改时限将到，请跟进。"))
    since = dt.datetime.combine(today - dt.timedelta(days=BATCH_DAYS), dt.time(), tzinfo=dt.timezone.utc)
    jobs = select(BatchJob).where(BatchJob.state.in_(("done", "failed")), BatchJob.finished_at.is_not(None),
                                  BatchJob.kind != inbox.OCR_KIND,
                                  BatchJob.finished_at >= since).order_by(BatchJob.id.desc()).limit(10)
    if actor.role != "admin":
        visible = auth.visible_org_ids(db, actor)
        jobs = jobs.where((BatchJob.organisation_id.in_(visible)) | (BatchJob.created_by_id == actor.id))
    for job in db.execute(jobs).scalars():
        news = inbox.batch_news(job)
        items.append(_item("batch", news["title"], news["link"], today, None, news["body"]))
    items += windows(today, None, reviewer=True)
    return items


def _order(item: dict) -> tuple:
    if item["due"] is None:
        return (1, "9999-12-31", item["title"])
    return (0, item["due"], item["title"])


def todo(db: Session, actor: User, today: Optional[dt.date] = None, remind_days: int = 7) -> dict:
    """The caller's to-do list and how many items are overdue."""
    today = today or dt.date.today()
    items = branch_items(db, actor, today) if actor.role == "branch" else reviewer_items(db, actor, today, remind_days)
    items.sort(key=_order)
    return {"today": today.isoformat(), "today_text": cn_date(today), "items": items,
            "overdue": sum(1 for i in items if i["overdue"])}


def progress(db: Session, actor: User, org_id: int) -> dict:
    """The 创建进度 of a branch in words, also before a cycle is recorded: the 预报申报表 on its way
    (待审核, 退回, 通过) says where the branch stands instead of 未开始."""
    cycle = current_cycle(db, org_id)
    if cycle is not None:
        return {"stage": cycle.state, "stage_name": state_name(cycle.state), "note": ""}
    decl = db.execute(select(Submission).where(Submission.organisation_id == org_id, Submission.form == "declaration")
                      .order_by(Submission.id.desc())).scalars().first()
    if decl is None:
        return {"stage": None, "stage_name": "未开始", "note": "尚未上传预报申报表（创建申报表）。"}
    # the branch is at 预报 from its first 申报表 on: the page marks that step, returned or not
    notes = {"approved": ("forecast", "预报申报已通过审核", "申报表已通过审核，等待上级登记预报后进入创建。"),
             "returned": ("forecast", "预报申报被退回", "申报表被退回，请按审核意见修改后重新上传。"),
             "needs_work": ("forecast", "预报申报需补正", "申报表需要补正，请按补正通知修改后重新上传。")}
    stage, name, note = notes.get(decl.status, ("forecast", "预报申报审核中", "申报表已提交，正在审核。"))
    return {"stage": stage, "stage_name": name, "note": note, "submission_id": decl.id}
