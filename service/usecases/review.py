"""A reviewer's decision on a submission: 待审核 → 审核中 → 已通过 / 已退回 / 需补正.

Only a reviewer (or admin) in whose view the submission lies decides; a check run by anyone —
the branch's own 按规则审核 included — writes findings, which are advice, never a status
(before, a branch pressing it turned its own submission 符合条件 and it left the queue).
"""
from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from .. import audit, auth, inbox
from ..errors import Conflict, Invalid
from ..models import Brand, Submission, User, utcnow
from ..vocabulary import SUBMISSION_STATUSES
from .serialize import iso
from .submissions import load
from .validate import opt_str

#: decision -> (states it may follow, resulting state, comments required)
DECISIONS = {
    "claim": (("extracted", "needs_work", "returned"), "in_review", False),
    "approve": (("in_review",), "approved", False),
    "return": (("in_review",), "returned", True),
    "supplement": (("in_review",), "needs_work", True),
}
#: what still awaits a reviewer (the queue shows these first)
AWAITING = ("extracted", "in_review")


def brand_files() -> Select:
    """The ids of the 申报登记表 and 综合材料 that a 党建品牌 registration carries.

    The brand's levels review them on the brand, approving or returning the registration
    (``brands.decide``); in the submissions queue they sat as 待审核 for good (the demo's six made
    jiedao's to-do say 12份材料待审核), so the queue and the to-do count leave them out."""
    return select(Brand.form_submission_id).where(Brand.form_submission_id.is_not(None)).union(
        select(Brand.materials_submission_id).where(Brand.materials_submission_id.is_not(None)))


def brand_of(db: Session, submission_id: int) -> Brand | None:
    """The brand whose registration carries this submission, if any."""
    return db.scalars(select(Brand).where(or_(Brand.form_submission_id == submission_id,
                                              Brand.materials_submission_id == submission_id))
                      .order_by(Brand.id).limit(1)).first()


def decide(db: Session, actor: User, submission_id: int, payload: dict) -> dict:
    """``{"decision": "claim|approve|return|supplement", "comment": "…"}``; a return or a 补正 needs comments."""
    auth.require_role(actor, *auth.REVIEWERS)
    sub: Submission = load(db, actor, submission_id)
    decision = payload.get("decision")
    if decision not in DECISIONS:
        raise Invalid("decision 应为 claim（开始审核）、approve（通过）、return（退回）或 supplement（需补正）。",
                      field="decision")
    before, after, needs_comment = DECISIONS[decision]
    comment = opt_str(payload, "comment", max_len=1000)
    if needs_comment and (not comment or len(comment) < 2):
        raise Invalid("退回或要求补正时，请写明审核意见（2–1000 字）。", field="comment")
    if sub.form == "report":
        raise Conflict("工作报告随表单一并审核。")
    if sub.status not in before:
        raise Conflict(f"该材料当前为“{SUBMISSION_STATUSES.get(sub.status, sub.status)}”，不能"
                       f"{'开始审核' if decision == 'claim' else '作此决定'}。")
    old = sub.status
    sub.status = after
    if decision != "claim":
        sub.review_comment = comment or ""
        sub.decided_by_id = actor.id
        sub.decided_at = utcnow()
    audit.record(db, actor, "review_decision", "submission", sub.id,
                 {"decision": decision, "from": old, "to": after, "comment": comment or ""},
                 organisation_id=sub.organisation_id)
    if decision in ("return", "supplement"):  # the branch hears of it at once (站内消息)
        what = "被退回" if decision == "return" else "需要补正"
        inbox.post(db, inbox.branch_users(db, sub.organisation_id), "returned" if decision == "return" else "supplement",
                   f"“{sub.original_name}”{what}", f"审核意见：{comment}。请修改后重新上传。", f"/submissions/{sub.id}",
                   dedupe=f"decision:{sub.id}:{decision}:{sub.decided_at.isoformat()}")
    db.flush()
    return as_dict(sub)


def as_dict(sub: Submission) -> dict:
    return {"id": sub.id, "status": sub.status, "status_name": SUBMISSION_STATUSES.get(sub.status, sub.status),
            "review_comment": sub.review_comment or "", "decided_by_id": sub.decided_by_id,
            "decided_at": iso(sub.decided_at)}
