"""Context builders: one per kind, from the database to the kind's plain context.

``build_context(kind, session, record_id, options=None) -> dict`` reads, never writes.  The
number (发文字号 / certificate number) is added by :mod:`issue` when a document is issued.
``demo_record(kind, session)`` picks the first record a kind can be rendered from.

Records per kind (the ``--id`` of ``wuhao render``):
  supplement-notice        Submission         rectification-ledger    Organisation (subtree)
  acceptance-form          Assessment         commendation-decision   Organisation (committee)
  rectification-notice     Assessment         honor-certificate       CreationCycle (titled)
  rectification-taskbook   Assessment         delisting-notice        CreationCycle (ended)
  party-card               Certificate        quarterly-report        Organisation (committee)
  brand-naming-decision    Organisation (街道党工委)
  blank-form               form name (file stem in templates_docx/forms/)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from decimal import Decimal
from urllib.parse import quote

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..checks.findings import label, load_config
from ..checks.rubric import load_rubric
from ..models import (
    Assessment,
    Brand,
    BrandScore,
    Certificate,
    CreationCycle,
    Extraction,
    Finding,
    Organisation,
    RectificationItem,
    Submission,
)
from ..vocabulary import DEFAULT_PUBLIC_URL, FORM_TITLES, cn_date
from ..certificates.checkcode import check_code, verify_link
from ..config import DEFAULT_RECTIFY_DAYS
from ..config import load as load_settings
from .compose import DOMAIN_NAMES, ContextError
from .district_stats import (QuarterRecords, assessed_by, grading_round_in_force, last_ended_quarter,
                             quarter_bounds)
from .programmes import programme_for
from .registry import blank_forms, kind_info

FORM_LABELS = FORM_TITLES
RULE_TEXTS = {
    "SZ-3.1": "届期内经检查发现问题的限期整改，整改不到位的撤销称号",
    "SZ-3.3": "党支部撤销、合并、改组或人员变动较大，或党员人数少于7人的，自然摘牌",
    "SZ-3.4": "党支部成员有违法、严重违纪或造成重大事故，或经查实的投诉造成不良影响的，无条件摘牌",
}
TITLED_STATES = ("commended", "in_term", "rectifying")
ENDED_STATES = ("delisted", "revoked")


class RecordNotFound(LookupError):
    pass


def _today(options: dict) -> dt.date:
    d = options.get("as_of")
    if isinstance(d, str):
        return dt.date.fromisoformat(d)
    return d or dt.date.today()


def _iso(d) -> str | None:
    return d.isoformat() if d else None


def _get(session: Session, model, record_id):
    try:
        rid = int(record_id)
    except (TypeError, ValueError):
        raise RecordNotFound(f"记录编号应为整数：{record_id!r}") from None
    row = session.get(model, rid)
    if row is None:
        raise RecordNotFound(f"没有编号为 {rid} 的{model.__name__}记录")
    return row


def ancestors(session: Session, org: Organisation) -> list[Organisation]:
    """The organisation's chain from the root down to itself."""
    chain = [org]
    seen = {org.id}
    while chain[0].parent_id is not None and chain[0].parent_id not in seen:
        parent = session.get(Organisation, chain[0].parent_id)
        if parent is None:
            break
        seen.add(parent.id)
        chain.insert(0, parent)
    return chain


#: organisation kinds that issue 公文 of their own: the 工委/区委, and a 街道党工委 for its area (SQ-3)
ISSUING_KINDS = ("committee", "street")


def committee_of(session: Session, org: Organisation) -> Organisation:
    """The issuing organ's organisation: the nearest 街道党工委 or 工委/区委 above (or at) ``org``."""
    chain = ancestors(session, org)
    for o in reversed(chain):
        if o.kind in ISSUING_KINDS:
            return o
    return chain[0]


def issuer_name(committee: Organisation) -> str:
    name = committee.name
    return name if name.startswith("中共") else f"中共{name}"


def doc_prefix(committee: Organisation) -> str:
    """机关代字: $WUHAO_DOC_PREFIX, else the committee's short name (市直机关工委 → 市直工委)."""
    env = os.environ.get("WUHAO_DOC_PREFIX")
    if env:
        return env
    name = committee.name.removeprefix("中共")
    return name.replace("机关工委", "工委")


def _data_dir() -> str | None:
    try:
        return str(current_app.config["WUHAO_DATA_DIR"])
    except (RuntimeError, KeyError):
        return os.environ.get("WUHAO_DATA_DIR") or os.path.join(os.getcwd(), "var")


def _rubric_dir():
    """The app's admin rubric directory (Settings.rubric_dir); None outside an app: built-in only."""
    try:
        return current_app.extensions["wuhao"].rubric_dir
    except (RuntimeError, KeyError):
        return None


def prefix_of(committee: Organisation) -> str:
    """The default 机关代字; a 公文 takes its issuing organ's own (service/register.py) when it is signed."""
    return doc_prefix(committee)


def parent_name(session: Session, org: Organisation) -> str:
    if org.parent_id is None:
        return ""
    parent = session.get(Organisation, org.parent_id)
    return parent.name if parent else ""


def subtree(session: Session, root_id: int) -> list[Organisation]:
    orgs = session.execute(select(Organisation)).scalars().all()
    children: dict[int | None, list[Organisation]] = {}
    for o in orgs:
        children.setdefault(o.parent_id, []).append(o)
    out, stack, seen = [], [root_id], set()
    by_id = {o.id: o for o in orgs}
    while stack:
        oid = stack.pop()
        if oid in seen or oid not in by_id:
            continue
        seen.add(oid)
        out.append(by_id[oid])
        stack.extend(c.id for c in sorted(children.get(oid, []), key=lambda c: -c.id))
    return out


def _common(session: Session, org: Organisation) -> dict:
    committee = committee_of(session, org)
    return {
        "branch_name": org.name,
        "parent_org": parent_name(session, org),
        "secretary": org.secretary or "",
        "domain": org.domain,
        "domain_label": DOMAIN_NAMES.get(org.domain or "", ""),
        "member_count": org.member_count,
        "issuer": issuer_name(committee),
        "doc_prefix": prefix_of(committee),
        "organisation_id": org.id,
        "programme": programme_for(committee.name),
    }


def public_url() -> str:
    try:
        return current_app.config["WUHAO_PUBLIC_URL"].rstrip("/")
    except (RuntimeError, KeyError):
        return os.environ.get("WUHAO_PUBLIC_URL", DEFAULT_PUBLIC_URL).rstrip("/")


def verify_key() -> str:
    """The key of the certificates' check codes (the app's settings; outside an app, the environment's)."""
    try:
        return current_app.config["WUHAO_VERIFY_KEY"]
    except (RuntimeError, KeyError):
        return load_settings().verify_key


def verify_url(number: str) -> str:
    """The /verify link of a certificate, with its check code (what the QR holds)."""
    return verify_link(public_url(), number, verify_key())


def link_certificate(ctx: dict, number: str) -> dict:
    """Put a certificate's verify link and the check code printed beside its number into ``ctx``."""
    ctx["verify_url"] = verify_url(number)
    ctx["check_code"] = check_code(number, verify_key())
    return ctx


# --------------------------------------------------------------------------- builders

def _supplement_notice(session, record_id, options):
    sub = _get(session, Submission, record_id)
    org = session.get(Organisation, sub.organisation_id)
    ctx = _common(session, org)
    findings = session.execute(
        select(Finding).where(Finding.submission_id == sub.id, Finding.severity == "error",
                              Finding.superseded_at.is_(None))
        .order_by(Finding.id)).scalars().all()
    missing = [{"field": f.field, "message": f.message, "clause": f.clause} for f in findings]
    if not missing:
        ext = session.execute(select(Extraction).where(Extraction.submission_id == sub.id)
                              .order_by(Extraction.id.desc())).scalars().first()
        if ext is not None:
            cfg = load_config()
            missing = [{"field": k, "message": f"表单缺少必填项“{label(cfg, k)}”。",
                        "clause": "SZ-4"} for k in (ext.missing or [])]
    if not missing:
        raise ContextError("该材料没有缺项或错误，无需补正通知。")
    today = _today(options)
    committee = committee_of(session, org)
    ctx.update({
        "year": today.year,
        "submission": {"form_label": FORM_LABELS.get(sub.form, "申报材料"),
                       "original_name": sub.original_name,
                       "uploaded_on": _iso(sub.uploaded_at.date() if sub.uploaded_at else None)},
        "missing": missing,
        "deadline": _iso(today + dt.timedelta(days=int(options.get("days", 10)))),
        "issued_on": _iso(today),
        "contact": {"person": committee.contact_person or "", "phone": committee.contact_phone or ""},
        "subject": ("submission", sub.id),
    })
    return ctx


def _rubric_rows(year: int, domain: str | None) -> tuple[list[dict], dict]:
    admin_dir = _rubric_dir()
    try:
        rubric = load_rubric(year, admin_dir)
    except FileNotFoundError:
        rubric = load_rubric(None, admin_dir)
    d = rubric.domain(domain)
    rows = []
    for dim in d["dimensions"]:
        items = []
        for it in d["items"].get(dim["key"], []) or []:
            items.append({"id": it.get("id"), "text": it.get("text", ""), "points": it.get("points"),
                          "deductions": [{"text": x.get("text", ""), "per": x.get("per"),
                                          "zero": bool(x.get("zero"))} for x in it.get("deductions") or []]})
        rows.append({"key": dim["key"], "name": dim["name"], "max": dim["max"], "items": items})
    grades = {g["key"]: g["name"] for g in d["grades"]}
    return rows, grades


def _item_scores(rubric: list[dict], marks) -> dict:
    """Per-item scores from the assessment group's deductions (checks.rubric.score_items rules):
    {item id: score}; empty when the assessment was entered as dimension totals only."""
    if not isinstance(marks, dict):
        return {}
    out = {}
    for dim in rubric:
        for it in dim["items"]:
            got = Decimal(str(it["points"] or 0))
            for idx, count in (marks.get(it["id"]) or {}).items():
                try:
                    rule = it["deductions"][int(idx)]
                    count = int(count)
                except (ValueError, IndexError, TypeError):
                    continue
                if count <= 0:
                    continue
                if rule.get("zero"):
                    got = Decimal(0)
                elif rule.get("per") is not None:
                    got -= Decimal(str(rule["per"])) * count
            got = max(got, Decimal(0))
            out[it["id"]] = int(got) if got == got.to_integral_value() else float(got)
    return out


def _assessment(session, record_id):
    a = _get(session, Assessment, record_id)
    org = session.get(Organisation, a.organisation_id)
    return a, org


def _blank_acceptance_form(session, record_id, options):
    """The form the assessment group fills in: the branch and its domain's rubric, no scores."""
    org = _get(session, Organisation, record_id)
    if org.kind != "branch":
        raise ContextError("验收意见表针对党支部，请选择一个党支部。")
    ctx = _common(session, org)
    today = _today(options)
    year = int(options.get("year") or today.year)
    rubric, _grades = _rubric_rows(year, org.domain)
    ctx.update({"year": year, "rubric": rubric, "scores": {}, "item_scores": {}, "total": None,
                "satisfaction_rate": None, "grade": "", "assessed_on": None,
                "group_members": list(options.get("group_members") or []), "opinion": "",
                "issued_on": _iso(today), "subject": ("organisation", org.id)})
    return ctx


def _acceptance_form(session, record_id, options):
    if options.get("subject") == "organisation":
        return _blank_acceptance_form(session, record_id, options)
    a, org = _assessment(session, record_id)
    ctx = _common(session, org)
    rubric, grades = _rubric_rows(a.year, a.domain or org.domain)
    item_scores = _item_scores(rubric, (a.items or {}).get("marks"))
    ctx.update({
        "year": a.year, "domain": a.domain or org.domain,
        "domain_label": DOMAIN_NAMES.get(a.domain or org.domain or "", ""),
        "rubric": rubric, "scores": a.scores or {}, "item_scores": item_scores,
        "total": a.total, "satisfaction_rate": a.satisfaction_rate,
        "grade": (a.items or {}).get("grade_name") or grades.get(a.grade or "", a.grade or ""),
        "assessed_on": _iso(a.assessed_on),
        "group_members": list(options.get("group_members") or []), "opinion": options.get("opinion") or "",
        "issued_on": _iso(_today(options)),
        "subject": ("assessment", a.id),
    })
    return ctx


def _items_of(session, assessment_id=None, org_ids=None):
    q = select(RectificationItem)
    if assessment_id is not None:
        q = q.where(RectificationItem.assessment_id == assessment_id)
    if org_ids is not None:
        q = q.where(RectificationItem.organisation_id.in_(org_ids))
    return session.execute(q.order_by(RectificationItem.organisation_id, RectificationItem.id)).scalars().all()


def _item_dict(it: RectificationItem, branch_name: str = "") -> dict:
    return {"branch_name": branch_name, "category": it.category, "problem": it.problem,
            "measure": it.measure, "target": it.target, "leader": it.leader, "owner": it.owner,
            "due_on": _iso(it.due_on), "progress": it.progress, "closed_on": _iso(it.closed_on),
            "note": it.note}


def _rectification_notice(session, record_id, options):
    a, org = _assessment(session, record_id)
    ctx = _common(session, org)
    findings = session.execute(select(Finding).where(Finding.assessment_id == a.id)
                               .order_by(Finding.id)).scalars().all()
    found = [{"message": f.message, "clause": f.clause} for f in findings if f.severity != "info"]
    items = _items_of(session, assessment_id=a.id)
    if not found:
        found = [{"message": f"{it.category}：{it.problem}", "clause": ""} for it in items]
    if not found:
        raise ContextError("该考核没有发现问题，无需限期整改通知书。")
    today = _today(options)
    due = max([it.due_on for it in items if it.due_on] or [today + dt.timedelta(days=90)])
    if a.backward:
        reason = f"在{a.year}年度党支部分类定级中，你支部被确定为相对后进党支部"
        tie = str((a.items or {}).get("tie_reason") or "").strip().rstrip("。；")
        if tie:  # tied at the cut after every tie-breaker: the reviewer's confirmation, and why
            reason += f"（你支部得分与其他党支部并列，经审核确认列入，理由：{tie}）"
    else:
        reason = f"在{a.year}年度考核检查中发现"
    ctx.update({"year": today.year, "reason": options.get("reason") or reason, "findings": found,
                "backward": bool(a.backward),
                "deadline": _iso(due), "issued_on": _iso(today), "subject": ("assessment", a.id)})
    return ctx


def taskbook_deadline(items: list, today: dt.date, options: dict) -> dt.date:
    """The 整改任务书's deadline: the reviewer's ``deadline``, else the latest row's 整改时限, else
    ``days`` (the caller passes ``Settings.rectify_days``; default 90) after the issue date — never the
    issue date itself."""
    raw = options.get("deadline")
    if not raw:
        # rows already past their 整改时限 do not set it: a task book issued in December 2026 read
        # "须于2025年12月31日前完成"
        dues = [it.due_on for it in items if it.due_on and it.due_on > today]
        return max(dues) if dues else today + dt.timedelta(days=int(options.get("days") or DEFAULT_RECTIFY_DAYS))
    try:
        due = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
    except ValueError:
        raise ContextError("整改时限应为 YYYY-MM-DD 格式的日期。") from None
    if due <= today:
        raise ContextError(f"整改时限{due.year}年{due.month}月{due.day}日应晚于下达日期。")
    return due


def task_due(own: dt.date | None, book_due: dt.date, today: dt.date) -> dt.date:
    """A task book row's 整改时限: its own, when it falls after the issue date and not after the book's
    整改期限; else the book's.  The book says 全部整改任务须于(book)前完成, so no row may read later, and
    a row already past due (an open ledger row carried into this book: the demo book of 2026年12月
    listed 2025年12月31日 and 2026年1月18日 under 须于2026年12月17日) is due with the book."""
    return own if own is not None and today < own <= book_due else book_due


def _rectification_taskbook(session, record_id, options):
    a, org = _assessment(session, record_id)
    ctx = _common(session, org)
    rows = _items_of(session, assessment_id=a.id)
    # the branch's open rows from elsewhere (a 督导 inspection, a leader's visit) are its tasks too
    rows += [it for it in _items_of(session, org_ids=[org.id])
             if it.assessment_id is None and it.closed_on is None]
    rubric, grades = _rubric_rows(a.year, a.domain or org.domain)
    today = _today(options)
    due = taskbook_deadline(rows, today, options)
    items = [dict(_item_dict(it), due_on=_iso(task_due(it.due_on, due, today))) for it in rows]
    if not items and a.backward:
        items = [dict(row, due_on=_iso(due)) for row in gap_rows(rubric, a.scores or {}, org.secretary or "")]
    if not items:
        raise ContextError("该考核没有整改事项（整改工作台账为空），无法生成整改任务书。")
    ctx.update({"year": a.year, "total": a.total,
                "grade": (a.items or {}).get("grade_name") or grades.get(a.grade or "", a.grade or ""),
                "items": items, "deadline": _iso(due),
                "issued_on": _iso(today), "subject": ("assessment", a.id)})
    return ctx


def gap_rows(rubric: list, scores: dict, owner: str) -> list[dict]:
    """One task per dimension scored under 80% of its maximum (JH-3 任务清单), for a branch without rows."""
    out = []
    for dim in rubric:
        score = scores.get(dim["key"])
        if score is not None and float(score) < 0.8 * float(dim["max"]):
            out.append({"category": dim["name"], "measure": "对照标准细则逐项查找差距，制定整改措施",
                        "problem": f"“{dim['name']}”得分{float(score):g}分（满分{dim['max']}分），未达到80%",
                        "target": f"达到{0.8 * float(dim['max']):g}分以上", "leader": "",
                        "owner": owner, "due_on": None})
    return out


def _rectification_ledger(session, record_id, options):
    root = _get(session, Organisation, record_id)
    orgs = subtree(session, root.id)
    names = {o.id: o.name for o in orgs}
    items = _items_of(session, org_ids=list(names))
    today = _today(options)
    committee = committee_of(session, root)
    return {"organisation": root.name, "year": int(options.get("year") or today.year),
            "as_of": _iso(today), "issuer": issuer_name(committee), "doc_prefix": prefix_of(committee),
            "organisation_id": root.id,
            "rows": [_item_dict(it, names.get(it.organisation_id, "")) for it in items],
            "subject": ("organisation", root.id)}


def _commendation_decision(session, record_id, options):
    root = _get(session, Organisation, record_id)
    orgs = {o.id: o for o in subtree(session, root.id)}
    cycles = session.execute(select(CreationCycle).where(
        CreationCycle.organisation_id.in_(list(orgs)), CreationCycle.commended_on.is_not(None))
        .order_by(CreationCycle.organisation_id)).scalars().all()
    if not cycles:
        raise ContextError(f"{root.name}下没有已表彰的党支部。")
    year = int(options.get("year") or max(c.commended_on.year for c in cycles))
    chosen = [c for c in cycles if c.commended_on.year == year]
    if not chosen:
        raise ContextError(f"{year}年没有表彰记录。")
    term_start = min(c.term_starts_on or c.commended_on for c in chosen)
    term_end = max(c.term_ends_on or c.commended_on.replace(year=c.commended_on.year + 4) for c in chosen)
    committee = committee_of(session, root)
    return {"year": year, "issuer": issuer_name(committee), "doc_prefix": prefix_of(committee),
            "programme": programme_for(committee.name),
            "organisation_id": root.id, "term": f"{term_start.year}—{term_end.year}",
            "branches": [{"name": orgs[c.organisation_id].name,
                          "parent_org": parent_name(session, orgs[c.organisation_id]) or None}
                         for c in chosen],
            "issued_on": _iso(max(c.commended_on for c in chosen)),
            "copy_to": options.get("copy_to") or "", "subject": ("organisation", root.id)}


def _brand_naming_decision(session, record_id, options):
    """The street's naming decision: the brands it named in the year (SQ-3), best score first."""
    street = _get(session, Organisation, record_id)
    named = session.execute(select(Brand).where(Brand.street_id == street.id, Brand.named_on.is_not(None))
                            .order_by(Brand.id)).scalars().all()
    if not named:
        raise ContextError(f"{street.name}尚未命名党建品牌。")
    year = int(options.get("year") or max(b.named_on.year for b in named))
    only = set(options.get("brand_ids") or [])  # one decision's brands (several decisions in a year)
    chosen = [b for b in named if b.named_on.year == year and (not only or b.id in only)]
    if not chosen:
        raise ContextError(f"{year}年没有命名的党建品牌。")
    rows = []
    for b in chosen:
        totals = list(session.execute(select(BrandScore.total).where(
            BrandScore.brand_id == b.id, BrandScore.year == (b.year or year))).scalars())
        unit = session.get(Organisation, b.organisation_id)
        rows.append({"name": b.name, "unit": unit.name if unit else "",
                     "score": round(sum(totals) / len(totals), 2) if totals else None})
    rows.sort(key=lambda r: (-(r["score"] or 0), r["name"]))
    committee = committee_of(session, street)
    return {"year": year, "issuer": issuer_name(committee), "doc_prefix": prefix_of(committee),
            "programme": programme_for(committee.name), "organisation_id": street.id,
            "brands": rows, "issued_on": _iso(max(b.named_on for b in chosen)),
            "copy_to": options.get("copy_to") or "", "subject": ("organisation", street.id)}


def _cycle(session, record_id):
    c = _get(session, CreationCycle, record_id)
    return c, session.get(Organisation, c.organisation_id)


def _term(c: CreationCycle) -> str:
    start = c.term_starts_on or c.commended_on
    end = c.term_ends_on or (start.replace(year=start.year + 4) if start else None)
    return f"{start.year}—{end.year}" if start and end else ""


#: creation-cycle states that hold the title: 表彰 and 届期内 (service/checks/lifecycle.yaml)
HONOUR_STATES = ("commended", "in_term")


def _honor_certificate(session, record_id, options):
    c, org = _cycle(session, record_id)
    if c.commended_on is None:
        raise ContextError("该党支部尚未被表彰，不能颁发荣誉证书。")
    if c.state not in HONOUR_STATES:
        # a revoked or delisted branch was once issued WH20270002 and /verify called it 有效
        raise ContextError("该党支部的“五好党支部”称号已撤销、摘牌或期满，不能颁发荣誉证书。")
    ctx = _common(session, org)
    ctx.update({"title": ctx["programme"]["honour"].strip("“”"), "term": _term(c), "issued_on": _iso(c.commended_on),
                "year": c.commended_on.year, "subject": ("cycle", c.id)})
    cert = session.execute(select(Certificate).where(
        Certificate.kind == "honor-certificate", Certificate.organisation_id == org.id,
        Certificate.status == "valid").order_by(Certificate.id.desc())).scalars().first()
    if cert is not None:
        ctx["number"] = cert.number
        link_certificate(ctx, cert.number)
    return ctx


def _delisting_notice(session, record_id, options):
    c, org = _cycle(session, record_id)
    if c.state not in ENDED_STATES and not options.get("reason"):
        raise ContextError("该创建周期尚未摘牌或撤销，不能生成摘牌通知。")
    ctx = _common(session, org)
    reason = (options.get("reason") or c.end_reason or "").strip()
    reason = re.sub(r"^符合(自然|无条件)摘牌情形：", "", reason)
    m = re.search(r"SZ-3\.\d", c.end_reason or "")
    rule = options.get("rule") or (m.group(0) if m else ("SZ-3.1" if c.state == "revoked" else "SZ-3.3"))
    kind = {"SZ-3.4": "unconditional", "SZ-3.1": "revoked"}.get(rule, "natural")
    reason = re.sub(r"（SZ-3\.\d）", "", reason).strip().rstrip("。；")
    cert = session.execute(select(Certificate).where(
        Certificate.kind == "honor-certificate", Certificate.organisation_id == org.id)
        .order_by(Certificate.id.desc())).scalars().first()
    today = _today(options)
    ctx.update({"year": today.year, "commended_on": _iso(c.commended_on), "term": _term(c),
                "certificate_number": cert.number if cert else "", "delisting_kind": kind,
                "rule": rule, "rule_text": RULE_TEXTS.get(rule, ""), "reason": reason or "经核实存在摘牌情形",
                "effective_on": _iso(c.ended_on or today), "issued_on": _iso(today),
                "subject": ("cycle", c.id)})
    return ctx


def _party_card(session, record_id, options):
    cert = _get(session, Certificate, record_id)
    if cert.kind != "party-card":
        raise ContextError("该证书不是党员证。")
    org = session.get(Organisation, cert.organisation_id) if cert.organisation_id else None
    chain = ancestors(session, org) if org else []
    committee = committee_of(session, org) if org else None
    return link_certificate({"number": cert.number, "name": cert.holder_name, "branch_name": org.name if org else "",
            "organisation_path": " / ".join(o.name for o in chain),
            # 入党时间: kept on the certificate by the batch (there is no member table)
            "joined_on": options.get("joined_on") or cert.joined_on,
            "issued_on": _iso(cert.issued_on or _today(options)),
            "issuer": (issuer_name(committee) + "组织部") if committee else "",
            "organisation_id": org.id if org else None,
            "year": (cert.issued_on or _today(options)).year, "subject": ("certificate", cert.id)}, cert.number)


def _quarterly_report(session, record_id, options):
    root = _get(session, Organisation, record_id)
    today = _today(options)
    if today > dt.date.today():  # a quarter that has not ended cannot be reported by dating the report ahead
        raise ContextError(f"核查日期{cn_date(today)}晚于今天，季度通报只能通报已经结束的季度。")
    if options.get("quarter"):
        year, quarter = int(options.get("year") or today.year), int(options["quarter"])
    elif options.get("year"):
        year, quarter = int(options["year"]), 4
        if quarter_bounds(year, 4)[1] > today:
            year, quarter = last_ended_quarter(today)
    else:
        year, quarter = last_ended_quarter(today)
    if not 1 <= quarter <= 4:
        raise ContextError("季度应为1至4。")
    q_start, q_end = quarter_bounds(year, quarter)
    if q_end > today:
        raise ContextError(f"{year}年第{quarter}季度尚未结束（至{q_end.month}月{q_end.day}日），不能通报。")
    as_of = q_end
    orgs = subtree(session, root.id)
    branches = [o for o in orgs if o.kind == "branch"]
    branch_ids = [b.id for b in branches]
    grading_year = grading_round_in_force(session, branch_ids, year, as_of)
    assessments = session.execute(select(Assessment).where(
        Assessment.year == grading_year, Assessment.organisation_id.in_(branch_ids),
        assessed_by(year, as_of))).scalars().all()
    latest: dict[int, Assessment] = {}
    for a in sorted(assessments, key=lambda a: a.id):
        latest[a.organisation_id] = a
    items = [it for it in _items_of(session, org_ids=[b.id for b in branches])
             if _opened_on(it) is None or _opened_on(it) <= as_of]
    district = QuarterRecords(session, branches, year, q_start, q_end)

    def stats(branch_ids: set[int]) -> dict:
        sel = [latest[i] for i in branch_ids if i in latest]
        its = [it for it in items if it.organisation_id in branch_ids]
        closed = [it for it in its if it.closed_on and it.closed_on <= as_of]
        return {"branches": len(branch_ids), "assessed": len(sel),
                "good": sum(1 for a in sel if a.grade in ("good", "好")),
                "backward": sum(1 for a in sel if a.backward),
                "items": len(its), "closed": len(closed),
                "opened_in_quarter": sum(1 for it in its if (_opened_on(it) or q_start) >= q_start),
                "closed_in_quarter": sum(1 for it in closed if it.closed_on >= q_start),
                "open": len(its) - len(closed),
                "overdue": sum(1 for it in its if not (it.closed_on and it.closed_on <= as_of)
                               and it.due_on and it.due_on < as_of),
                **district.stats(branch_ids)}

    def branch_ids_under(org_id: int) -> set[int]:
        return {o.id for o in subtree(session, org_id) if o.kind == "branch"}

    by_committee = []
    for child in sorted((o for o in orgs if o.parent_id == root.id), key=lambda o: o.id):
        ids = branch_ids_under(child.id)
        if ids:
            by_committee.append({"name": child.name, **stats(ids)})
    by_domain = []
    for code, domain_name in DOMAIN_NAMES.items():
        ids = {b.id for b in branches if b.domain == code}
        if ids:
            by_domain.append({"name": domain_name, **stats(ids)})
    committee = committee_of(session, root)
    return {"year": year, "quarter": quarter, "grading_year": grading_year, "as_of": _iso(as_of),
            "quarter_starts_on": _iso(q_start),
            "issuer": issuer_name(committee),
            "doc_prefix": prefix_of(committee), "organisation_id": root.id,
            "totals": stats({b.id for b in branches}), "by_committee": by_committee,
            "by_domain": by_domain, "district": district.facts(), "issued_on": _iso(today),
            "subject": ("organisation", root.id)}


def _opened_on(it: RectificationItem) -> dt.date | None:
    return it.opened_on or (it.created_at.date() if it.created_at else None)


def _blank_form(session, record_id, options):
    forms = blank_forms()
    if str(record_id) not in forms:
        raise RecordNotFound(f"没有名为“{record_id}”的空白表格（可用：{'、'.join(forms) or '无'}）")
    return {"form": str(record_id), "subject": ("form", None)}


BUILDERS = {
    "supplement-notice": _supplement_notice,
    "acceptance-form": _acceptance_form,
    "rectification-notice": _rectification_notice,
    "rectification-taskbook": _rectification_taskbook,
    "rectification-ledger": _rectification_ledger,
    "commendation-decision": _commendation_decision,
    "brand-naming-decision": _brand_naming_decision,
    "honor-certificate": _honor_certificate,
    "delisting-notice": _delisting_notice,
    "party-card": _party_card,
    "quarterly-report": _quarterly_report,
    "blank-form": _blank_form,
}


def build_context(kind: str, session: Session, record_id, options: dict | None = None) -> dict:
    """The plain context of a ``kind`` document about record ``record_id``."""
    kind_info(kind)
    return BUILDERS[kind](session, record_id, dict(options or {}))


# --------------------------------------------------------------------------- demo records

def demo_record(kind: str, session: Session):
    """The first record a ``kind`` document can be rendered from, or ``None``."""
    kind_info(kind)
    if kind == "blank-form":
        forms = blank_forms()
        return next(iter(forms), None)
    candidates = _candidates(kind, session)
    for rid in candidates:
        try:
            build_context(kind, session, rid)
            return rid
        except (ContextError, RecordNotFound):
            continue
    return None


def _candidates(kind: str, session: Session) -> list:
    def ids(q):
        return list(session.execute(q.limit(200)).scalars())

    if kind == "supplement-notice":
        return ids(select(Finding.submission_id).where(Finding.submission_id.is_not(None),
                                                       Finding.severity == "error", Finding.superseded_at.is_(None))
                   .distinct().order_by(Finding.submission_id)) + \
            ids(select(Submission.id).order_by(Submission.id))
    if kind == "acceptance-form":
        return ids(select(Assessment.id).order_by(Assessment.id))
    if kind in ("rectification-notice", "rectification-taskbook"):
        return ids(select(RectificationItem.assessment_id).where(RectificationItem.assessment_id.is_not(None))
                   .distinct().order_by(RectificationItem.assessment_id)) + \
            ids(select(Assessment.id).where(Assessment.backward.is_(True)).order_by(Assessment.id))
    if kind in ("rectification-ledger", "commendation-decision", "quarterly-report"):
        return ids(select(Organisation.id).where(Organisation.kind == "committee").order_by(Organisation.id))
    if kind == "brand-naming-decision":
        return ids(select(Brand.street_id).where(Brand.named_on.is_not(None)).distinct().order_by(Brand.street_id))
    if kind == "honor-certificate":
        return ids(select(CreationCycle.id).where(CreationCycle.commended_on.is_not(None))
                   .order_by(CreationCycle.id))
    if kind == "delisting-notice":
        return ids(select(CreationCycle.id).where(CreationCycle.state.in_(ENDED_STATES))
                   .order_by(CreationCycle.id))
    if kind == "party-card":
        return ids(select(Certificate.id).where(Certificate.kind == "party-card").order_by(Certificate.id))
    return []
