"""Demo data: a committee tree with branches in all eight domains, an account for
every role, and a few submissions, so a fresh install has something to look at.

Idempotent: running it twice changes nothing the second time.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import auth
from .models import Organisation, Submission, User

# (name, kind, code, domain, members, secretary, directly_under, children)
TREE = [
    ("市直机关工委", "committee", "01", None, None, None, False, [
        ("市财政局机关党委", "party_committee", "01", "organ", None, "王建国", False, [
            ("市财政局预算科党支部", "branch", None, "organ", 12, "李秀英", False, []),
            ("市财政局国库科党支部", "branch", None, "organ", 9, "张伟", False, []),
            ("市财政局综合党支部", "branch", None, "organ", 6, "刘洋", False, []),
        ]),
        ("市卫生健康委机关党委", "party_committee", "02", "health", None, "陈静", False, [
            ("市人民医院党总支", "general_branch", None, "health", None, "杨帆", False, [
                ("市人民医院内科党支部", "branch", None, "health", 23, "赵敏", False, []),
                ("市人民医院外科党支部", "branch", None, "health", 18, "黄磊", False, []),
            ]),
        ]),
        ("市档案馆党支部", "branch", "03", "organ", 8, "周婷", True, []),
    ]),
    ("静海区委", "committee", "12", None, None, None, False, [
        ("大邱庄镇党委", "party_committee", "01", "rural", None, "吴刚", False, [
            ("大邱庄村党支部", "branch", None, "rural", 41, "郑海", False, []),
            ("尧舜度假村党支部", "branch", None, "rural", 15, "孙丽", False, []),
        ]),
        ("静海镇党委", "party_committee", "02", "community", None, "马超", False, [
            ("城关社区党支部", "branch", None, "community", 27, "胡静", False, []),
            ("光明社区党支部", "branch", None, "community", 19, "朱红", False, []),
        ]),
        ("区国资委党委", "party_committee", "03", "soe", None, "高峰", False, [
            ("区供水公司党支部", "branch", None, "soe", 14, "林涛", False, []),
            ("区公交集团党支部", "branch", None, "soe", 22, "何平", False, []),
        ]),
        ("区两新组织党委", "party_committee", "04", "nonpublic", None, "罗斌", False, [
            ("静海科技园联合党支部", "branch", None, "nonpublic", 11, "梁燕", False, []),
            ("区律师行业党支部", "branch", None, "nonpublic", 7, "宋佳", False, []),
        ]),
        ("区政务服务中心党委", "party_committee", "05", "service", None, "谢军", False, [
            ("政务服务大厅党支部", "branch", None, "service", 16, "韩冰", False, []),
        ]),
        ("区教育系统党委", "party_committee", "06", "school", None, "唐亮", False, [
            ("静海一中党支部", "branch", None, "school", 35, "冯雪", False, []),
            ("实验小学党支部", "branch", None, "school", 21, "邓超", False, []),
        ]),
        ("区卫生健康系统党委", "party_committee", "07", "health", None, "曹颖", False, [
            ("区医院党支部", "branch", None, "health", 29, "许晴", False, []),
        ]),
        ("区直机关工委", "party_committee", "08", "organ", None, "彭博", False, [
            ("区委办公室党支部", "branch", None, "organ", 13, "曾珺", False, []),
        ]),
    ]),
]

# (username, display name, role, organisation name)
ACCOUNTS = [
    ("admin", "系统管理员", "admin", "市直机关工委"),
    ("gongwei", "工委组织部审核员", "reviewer", "市直机关工委"),
    ("quwei", "区委组织部审核员", "reviewer", "静海区委"),
    ("yusuan", "预算科党支部", "branch", "市财政局预算科党支部"),
    ("guoku", "国库科党支部", "branch", "市财政局国库科党支部"),
    ("dangan", "档案馆党支部", "branch", "市档案馆党支部"),
    ("chengguan", "城关社区党支部", "branch", "城关社区党支部"),
]


def _add_tree(session: Session, nodes, parent: Organisation | None, by_name: dict) -> None:
    for name, kind, code, domain, members, secretary, direct, children in nodes:
        org = session.execute(
            select(Organisation).where(Organisation.name == name,
                                       Organisation.parent_id == (parent.id if parent else None))
        ).scalar_one_or_none()
        if org is None:
            org = Organisation(name=name, kind=kind, code=code, domain=domain, member_count=members,
                               secretary=secretary, directly_under=direct, parent=parent)
            if kind == "branch":
                org.contact_person = secretary
                org.contact_phone = "022-6888" + f"{len(by_name):04d}"
            session.add(org)
            session.flush()
        by_name[name] = org
        _add_tree(session, children, org, by_name)


def load_demo(session: Session, password: str = "wuhao2025", with_records: bool = True) -> dict:
    """Organisations and accounts; with ``with_records`` also submissions, checks, a grading
    round and creation cycles (the batch of 党员证 is ``demo_records.party_cards``)."""
    by_name: dict[str, Organisation] = {}
    _add_tree(session, TREE, None, by_name)
    token = None
    for username, display, role, org_name in ACCOUNTS:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            user = User(username=username, display_name=display, role=role,
                        organisation_id=by_name[org_name].id, password_hash=auth.hash_password(password))
            session.add(user)
            session.flush()
            if username == "gongwei":
                token = auth.new_api_token(user)
    created = _demo_submissions(session, by_name) if with_records else 0
    records = {}
    if with_records:
        from . import demo_records

        records = {
            "checked": demo_records.check_submissions(session),
            "assessments": demo_records.grading_round(session),
            "cycles": demo_records.creation_cycles(session),
        }
        records["documents"] = demo_records.certificates_and_notices(session)
    return {
        "organisations": session.scalar(select(func.count()).select_from(Organisation)),
        "users": session.scalar(select(func.count()).select_from(User)),
        "submissions": session.scalar(select(func.count()).select_from(Submission)),
        "created_submissions": created,
        "records": records,
        "accounts": [(u, r, o) for u, _d, r, o in ACCOUNTS],
        "token": token,
    }


def _demo_submissions(session: Session, by_name: dict) -> int:
    """Filled demo forms, made from the blank templates, through the real intake path."""
    try:
        from .demo_forms import demo_files
    except ModuleNotFoundError:
        return 0
    from flask import current_app

    from .intake import receive
    from .storage import current_store

    created = 0
    last_form: dict[int, int] = {}  # organisation id -> its latest form submission
    for org_name, filename, data in demo_files():
        org = by_name[org_name]
        existing = session.execute(
            select(Submission).where(Submission.organisation_id == org.id,
                                     Submission.original_name == filename)
        ).scalar_one_or_none()
        if existing is None:
            existing = receive(session, current_store(), None, org.id, filename, data,
                               max_bytes=current_app.config["WUHAO_MAX_UPLOAD_BYTES"],
                               attached_to_id=last_form.get(org.id) if filename.endswith("汇报材料.docx") else None)
            created += 1
        if existing.form not in ("report", "unknown"):
            last_form[org.id] = existing.id
    return created
