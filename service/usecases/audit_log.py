"""The audit log for reviewers (their subtree) and admins (everything), as JSON or CSV."""
from __future__ import annotations

import csv
import io
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import auth
from ..exports import safe_row
from ..models import AuditLog, Organisation, User
from .serialize import iso


ACTION_NAMES = {
    "login": "登录", "upload": "上传材料", "upload_rejected": "上传被拒", "correct_field": "更正字段",
    "check": "审核检查", "transition": "状态变更", "transition_refused": "状态变更被拒", "score": "录入评分",
    "grading_round": "分类定级", "issue": "签发文书", "issue_document": "签发文书", "user_create": "新建用户",
    "user_update": "修改用户", "token_issue": "签发令牌", "organisation_create": "新建组织",
    "organisation_update": "修改组织", "organisation_import": "导入组织", "numbering_update": "修改发文机关设置",
    "batch_submit": "提交批量任务", "batch_cancel": "取消批量任务", "batch_resume": "继续批量任务",
    "document_issued": "签发文书", "document_superseded": "文书被替代",
    "certificate_revoked": "撤销证书", "rubric_update": "启用评分标准", "document_withdrawn": "作废文书",
}


def rows(db: Session, actor: User, *, action: str | None = None, organisation_id: int | None = None,
         before_id: int | None = None, limit: int = 100) -> list[dict]:
    """The newest audit rows in the actor's view, with user and organisation names."""
    auth.require_role(actor, *auth.REVIEWERS)
    query = auth.filter_visible(select(AuditLog).order_by(AuditLog.id.desc()), AuditLog.organisation_id, db, actor,
                                organisation_id)
    if action:
        query = query.where(AuditLog.action == action)
    if before_id is not None:
        query = query.where(AuditLog.id < before_id)
    rows = list(db.execute(query.limit(limit)).scalars())
    users = {u.id: u.username for u in db.execute(
        select(User).where(User.id.in_({r.user_id for r in rows if r.user_id}))).scalars()}
    orgs = {o.id: o.name for o in db.execute(
        select(Organisation).where(Organisation.id.in_({r.organisation_id for r in rows if r.organisation_id}))).scalars()}
    return [{"id": r.id, "at": iso(r.at), "user_id": r.user_id, "username": users.get(r.user_id),
             "organisation_id": r.organisation_id, "organisation_name": orgs.get(r.organisation_id),
             "action": r.action, "action_name": ACTION_NAMES.get(r.action, r.action),
             "object_type": r.object_type, "object_id": r.object_id, "detail": r.detail or {}} for r in rows]


def as_csv(items: list[dict]) -> str:
    """The rows as CSV for a spreadsheet (UTF-8 with BOM; formulas defused)."""
    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.writer(buf)
    w.writerow(["编号", "时间", "用户", "组织", "操作", "对象类型", "对象编号", "详情"])
    for r in items:
        w.writerow(safe_row([r["id"], r["at"], r["username"], r["organisation_name"], r["action_name"],
                             r["object_type"] or "", r["object_id"] or "",
                             json.dumps(r["detail"], ensure_ascii=False, default=str)]))
    return buf.getvalue()
