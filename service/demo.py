"""Demo data: a committee tree with branches in all eight domains, an account for
every role, and a few submissions, so a fresh install has something to look at.

Idempotent: running it twice changes nothing the second time.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import auth, demo_community, demo_district, demo_records, demo_secretary
from .demo_forms import demo_files
from .demo_tree import TREE
from .config import settings_of
from .intake import accept, read
from .models import Organisation, Submission, User
from .storage import current_store

# (username, display name, role, organisation name)
ACCOUNTS = [
    ("admin", "系统管理员", "admin", "市直机关工委"),
    ("gongwei", "工委组织部审核员", "reviewer", "市直机关工委"),
    ("quwei", "区委组织部审核员", "reviewer", "静海区委"),
    ("yusuan", "预算科党支部", "branch", "市财政局预算科党支部"),
    ("guoku", "国库科党支部", "branch", "市财政局国库科党支部"),
    ("dangan", "档案馆党支部", "branch", "市档案馆党支部"),
    ("chengguan", "城关社区党支部", "branch", "城关社区党支部"),
    ("jiedao", "街道党工委审核员", "reviewer", "静海街道党工委"),
    ("shequ", "城东社区党委审核员", "reviewer", "城东社区党委"),
    ("wangge", "城东社区第一网格党支部", "branch", "城东社区第一网格党支部"),
]


def _add_tree(session: Session, nodes, parent: Organisation | None, by_name: dict) -> None:
    for node in nodes:
        name, kind, secretary = node["name"], node["kind"], node.get("secretary")
        org = session.execute(
            select(Organisation).where(Organisation.name == name,
                                       Organisation.parent_id == (parent.id if parent else None))
        ).scalar_one_or_none()
        if org is None:
            org = Organisation(name=name, kind=kind, code=node.get("code"), domain=node.get("domain"),
                               member_count=node.get("members"), secretary=secretary,
                               directly_under=node.get("directly_under", False), parent=parent)
            if kind == "branch":
                org.contact_person = secretary
                org.contact_phone = "022-6888" + f"{len(by_name):04d}"
            session.add(org)
            session.flush()
        by_name[name] = org
        _add_tree(session, node.get("children", []), org, by_name)


def is_empty(session: Session) -> bool:
    """Whether the database holds no organisation and no account yet (a fresh install)."""
    return not session.scalar(select(func.count()).select_from(Organisation)) and \
        not session.scalar(select(func.count()).select_from(User))


def load_demo(session: Session, password: str = "wuhao2025", with_records: bool = True,
              with_token: bool = False, password_hash: str | None = None) -> dict:
    """Organisations and accounts; with ``with_records`` also submissions, checks, a grading
    round and creation cycles (the batch of 党员证 is ``demo_records.party_cards``).

    ``password_hash``: the accounts' stored hash instead of one made from ``password`` (the tests'
    templates, whose cheaper hashes sign in faster: each scrypt hash here is 0.1 s of CPU)."""
    by_name: dict[str, Organisation] = {}
    _add_tree(session, TREE, None, by_name)
    token = None
    for username, display, role, org_name in ACCOUNTS:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            user = User(username=username, display_name=display, role=role,
                        organisation_id=by_name[org_name].id,
                        password_hash=password_hash or auth.hash_password(password))
            session.add(user)
            session.flush()
            if username == "gongwei" and with_token:
                token = auth.new_api_token(user)
    demo_community.street_units(session)
    created = _demo_submissions(session, by_name) if with_records else 0
    records = {}
    if with_records:
        records = {
            "organs": demo_records.issuing_organs(session),
            "checked": demo_records.check_submissions(session),
            "assessments": demo_records.grading_round(session),
            "cycles": demo_records.creation_cycles(session),
        }
        # before the documents: the 季度通报 they issue counts the district's records of its quarter
        # (挂点, 督导, party days) and the secretaries trained in its year
        records["district"] = demo_district.records(session)
        records["secretary"] = demo_secretary.records(session, current_store())
        if records["district"]:
            # the log's 人员 are the people /leaders lists: the 党委书记 of the 书记项目 were added after the count
            records["district"]["people"] = demo_district.people_listed(session)
        records["documents"] = demo_records.certificates_and_notices(session)
        records["ledger_rows"] = demo_records.ledger_year(session)
        records["official"] = demo_records.official_documents(session)
        records["community"] = demo_community.records(session, settings_of(current_app), current_store())
        records["returned"] = demo_records.returned_form(session)
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
    created = 0
    last_form: dict[int, int] = {}  # organisation id -> its latest form submission
    for org_name, filename, data in demo_files():
        org = by_name[org_name]
        existing = session.execute(
            select(Submission).where(Submission.organisation_id == org.id,
                                     Submission.original_name == filename)
        ).scalar_one_or_none()
        if existing is None:
            received = read(settings_of(current_app), filename, data)  # the demo's own forms: always readable
            existing = accept(session, current_store(), None, org.id, received,
                              attached_to_id=last_form.get(org.id) if filename.endswith("汇报材料.docx") else None)
            created += 1
        if existing.form not in ("report", "unknown"):
            last_form[org.id] = existing.id
    return created
