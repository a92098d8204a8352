"""The audit log for reviewers (their subtree) and admins (everything), as JSON or CSV."""
from __future__ import annotations

import csv
import io
import json
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import auth
from .. import wording
from ..checks.lifecycle import machine, state_name
from ..exports import safe_row
from ..vocabulary import AUDIT_ACTIONS, AUDIT_OBJECTS, SUBMISSION_STATUSES, code_name, input_name
from .submissions import spec_of
from ..models import AuditLog, Organisation, User
from .serialize import iso


#: action -> name and object type -> name, from the vocabulary (one table for the page, the CSV and archives)
ACTION_NAMES = AUDIT_ACTIONS
OBJECT_NAMES = AUDIT_OBJECTS

#: the keys of an audit row's detail a person reads (others stay in the CSV and the API)
DETAIL_LABELS = {
    "event": "事件", "from": "原状态", "to": "新状态", "decision": "决定", "comment": "意见", "reason": "事由",
    "kind": "种类", "number": "文号", "year": "年度", "field": "字段", "fields": "字段", "old": "原值", "new": "新值",
    "old_value": "原值", "new_value": "新值", "total": "总分", "grade": "等次", "file": "文件", "name": "名称",
    "count": "数量", "role": "角色", "username": "用户名", "title": "标题", "changes": "变更", "findings": "意见",
    "eligible": "符合条件", "as_of": "日期", "ip": "地址", "state": "状态", "errors": "问题", "rows": "行数",
    "created": "新建", "updated": "更新", "progress": "进展", "body": "内容", "closed_on": "销号日期",
}
#: detail keys whose values are codes (named by ``vocabulary.code_name``)
CODE_KEYS = ("domain", "kind", "form", "rank", "role", "stage", "category", "grade", "status", "list", "action")
CODE = re.compile(r"[a-z][a-z0-9_-]*")
DECISION_NAMES = {"claim": "开始审核", "approve": "通过", "return": "退回", "supplement": "需补正"}


FIELD_LABELS = {k: v.get("label", "") for form in ("brand", "acceptance", "declaration")
                for k, v in spec_of(form).items() if v.get("label")}


def _value_text(key: str, value) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "无"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key in ("from", "to", "state") and isinstance(value, str):
        return SUBMISSION_STATUSES.get(value) or state_name(value) or value
    if key == "decision":
        return DECISION_NAMES.get(value, str(value))
    if key == "event" and isinstance(value, str):
        return (machine()["events"].get(value) or {}).get("name", value)
    named = code_name(key, value)
    if named is not None:
        return named
    if key == "field" and isinstance(value, str):
        return FIELD_LABELS.get(value) or input_name(value)
    if key in CODE_KEYS and isinstance(value, str) and CODE.fullmatch(value):
        return "其他"  # a code no table names: never the code itself
    if isinstance(value, float):
        return wording.number(value)
    if isinstance(value, list):
        return f"{len(value)}项"
    if isinstance(value, dict):
        parts = [f"{DETAIL_LABELS.get(k) or FIELD_LABELS.get(k, '')}{'：' if (DETAIL_LABELS.get(k) or FIELD_LABELS.get(k)) else ''}"
                 f"{_value_text(k, v)}" for k, v in value.items() if DETAIL_LABELS.get(k) or FIELD_LABELS.get(k)]
        return "，".join(parts) if parts else f"{len(value)}项"
    text = str(value)
    if len(text) >= 10 and text[4:5] == "-" and text[:4].isdigit():
        return wording.cn_datetime(text) if len(text) > 10 else wording.cn_date(text)
    return text if len(text) <= 80 else text[:80] + "…"


def detail_text(detail: dict) -> str:
    """An audit row's detail as a person reads it: labelled, names for codes, dates in words."""
    parts = []
    for key, value in (detail or {}).items():
        label = DETAIL_LABELS.get(key) or FIELD_LABELS.get(key)
        if label:
            parts.append(f"{label}：{_value_text(key, value)}")
    return "；".join(parts)


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
             "action": r.action, "action_name": ACTION_NAMES.get(r.action, "其他操作"),
             "object_type": r.object_type, "object_name": OBJECT_NAMES.get(r.object_type or "", ""),
             "object_id": r.object_id, "detail": r.detail or {}, "detail_text": detail_text(r.detail or {})}
            for r in rows]


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
