"""Demo records for the later stages, made through the same code paths a clerk uses:
checked submissions, a 2025 grading round of the district (with its 相对后进 list and
ledger rows), creation cycles (one branch in its term, one delisted), a small batch
of 党员证 — so that every document kind has a demo record to render from — and a stamped
scan of a filled declaration, read by OCR as an uploaded scan is.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .auth import subtree_ids
from .batch.sample import sample_members
from .batch import ocr
from .batch.worker import work
from .db import session_scope
from .demo_forms import SCAN_NAME, SCAN_ORG, scan_jpeg
from .models import (Assessment, CreationCycle, DistrictPerson, Document, Finding, IssuingOrgan, LeaderAssignment,
                     Organisation, RectificationItem, RectificationNote, Submission, User)
from .storage import current_store, store_for
from .usecases import admin, assessments, batches, cycles, documents, grading, ledger, review, submissions
from .vocabulary import DIMENSIONS, DOMAINS



def _user(session: Session, username: str) -> User:
    return session.execute(select(User).where(User.username == username)).scalar_one()


def _org(session: Session, name: str) -> Organisation:
    return session.execute(select(Organisation).where(Organisation.name == name)).scalar_one()


def check_submissions(session: Session) -> int:
    """Run the checks on every demo submission that has not been checked yet."""
    return sum(submissions.check_unchecked(session, _user(session, who)) for who in ("gongwei", "quwei"))


def score_sheet(branches: list[Organisation]) -> bytes:
    """A 2025 district score sheet: deterministic, varied scores (some downgrades, a laggard per domain)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["支部名称", "所属领域", *DIMENSIONS.values(), "总分", "群众满意率"])
    for org in branches:
        seed = int(hashlib.sha256(org.name.encode()).hexdigest(), 16)
        dims = [round(14 + ((seed >> (8 * i)) % 60) / 10, 1) for i in range(5)]
        satisfaction = 85 + (seed >> 48) % 15
        writer.writerow([org.name, DOMAINS[org.domain], *dims, round(sum(dims), 1), f"{satisfaction}%"])
    return out.getvalue().encode("utf-8")


def grading_round(session: Session) -> int:
    if session.scalar(select(func.count()).select_from(Assessment)):
        return 0
    reviewer = _user(session, "quwei")
    ids = subtree_ids(session, reviewer.organisation_id)
    branches = list(session.execute(select(Organisation).where(Organisation.kind == "branch",
                                                               Organisation.id.in_(ids))
                                    .order_by(Organisation.id)).scalars())
    result = grading.run_round(session, reviewer, score_sheet(branches), "2025年度分类定级评分表.csv", 2025)
    return result["stored"]


# (branch, [(event, as_of, facts)]) — real transitions through the lifecycle rules.
CYCLES = [
    ("市档案馆党支部", [
        ("declare", "2024-03-12", {"prior_honor": "target_advanced", "prior_honor_year": 2023,
                                   "has_office": True, "has_equipment": True, "has_activity_room": True}),
        ("start_creation", "2024-03-20", {"plan_summary": "围绕“三会一课”规范化开展创建"}),
        ("apply_acceptance", "2025-03-25", {"report_char_count": 2480}),
        ("start_assessment", "2025-04-10", {}),
        ("commend", "2025-06-28", {"assessment_score": 97}),
        ("award_plaque", "2025-07-01", {}),
    ]),
    ("市人民医院外科党支部", [
        ("declare", "2024-03-15", {"prior_honor": "unit_five_good",
                                   "has_office": True, "has_equipment": True, "has_activity_room": True}),
        ("start_creation", "2024-03-25", {"plan_summary": "以“支部创五好、党员认五岗”为载体"}),
        ("apply_acceptance", "2025-03-28", {"report_char_count": 2390}),
        ("start_assessment", "2025-04-12", {}),
        ("commend", "2025-06-28", {"assessment_score": 96.5}),
        ("award_plaque", "2025-07-01", {}),
        ("delist", "2026-09-30", {"reorganised": True}),
    ]),
]


_TERM = [("start_creation", "2024-03-22", {"plan_summary": "对标“五个好”逐项制定创建措施"}),
         ("apply_acceptance", "2025-03-26", {"report_char_count": 2450}),
         ("start_assessment", "2025-04-15", {}),
         ("commend", "2025-06-28", {"assessment_score": 96.5}),
         ("award_plaque", "2025-07-01", {})]
_DECLARE = {"prior_honor": "unit_five_good", "has_office": True, "has_equipment": True, "has_activity_room": True}
# the district's own cycles (区委组织部): one branch in its term, one delisted unconditionally with its ground
DISTRICT_CYCLES = [
    ("区供水公司党支部", [("declare", "2024-03-18", _DECLARE), *_TERM]),
    ("光明社区党支部", [("declare", "2024-03-19", _DECLARE), *_TERM,
                      ("delist", "2026-08-15", {"verified_complaint": "群众投诉社区党支部违规收取费用，经区纪委查实"})]),
]


def creation_cycles(session: Session) -> int:
    if session.scalar(select(func.count()).select_from(CreationCycle)):
        return 0
    store = current_store()
    for username, name, steps in ([("gongwei", n, s) for n, s in CYCLES]
                                  + [("quwei", n, s) for n, s in DISTRICT_CYCLES]):
        reviewer = _user(session, username)
        org = _org(session, name)
        for event, as_of, facts in steps:
            cycle = cycles.move(session, reviewer, org.id, event, dt.date.fromisoformat(as_of), facts)
            if event == "award_plaque":
                # the 荣誉证书 goes with the plaque: once the title ends, none can be issued
                documents.issue(session, store, reviewer, "honor-certificate", cycle.id, formats=("pdf",),
                                options={})
        session.flush()
    return len(CYCLES) + len(DISTRICT_CYCLES)


def certificates_and_notices(session: Session) -> int:
    """The 荣誉证书 were issued with the plaques (creation_cycles); the 摘牌 already revoked the ended
    branch's certificate, and its 摘牌通知 follows here: /verify then has a valid and a revoked number."""
    if session.scalar(select(func.count()).select_from(Document).where(Document.kind == "delisting-notice")):
        return 0
    store = current_store()
    all_cycles = list(session.execute(select(CreationCycle).order_by(CreationCycle.id)).scalars())
    issued = session.scalar(select(func.count()).select_from(Document).where(Document.kind == "honor-certificate"))
    district = set(subtree_ids(session, _org(session, "静海区委").id))
    for cycle in all_cycles:
        if cycle.state in ("delisted", "revoked"):
            reviewer = _user(session, "quwei" if cycle.organisation_id in district else "gongwei")
            documents.issue(session, store, reviewer, "delisting-notice", cycle.id, formats=("pdf", "docx"),
                            options={})
            issued += 1
    return issued


#: the 区委's issuing organ as its 组织部 writes it (an admin's setting, as on the 发文机关 page)
DISTRICT_ORGAN = {"mark": "中共静海区委组织部文件", "prefix": "静组发", "signature": "中共静海区委组织部"}


def issuing_organs(session: Session) -> int:
    """The 区委's issuing organ is its 组织部 (发文机关标志, 机关代字, 署名), set before any of its 公文."""
    committee = _org(session, "静海区委")
    organ = session.execute(select(IssuingOrgan).where(IssuingOrgan.organisation_id == committee.id)
                            ).scalar_one_or_none()
    if organ is not None and organ.signature == DISTRICT_ORGAN["signature"]:
        return 0
    admin.set_organs(session, _user(session, "admin"), {"organs": {str(committee.id): DISTRICT_ORGAN}})
    return 1


def _with_errors(session: Session, root: str) -> int | None:
    """The first form submission under ``root`` whose latest check found an error (the record of a supplement notice)."""
    ids = subtree_ids(session, _org(session, root).id)
    return session.scalar(select(Submission.id).join(Finding, Finding.submission_id == Submission.id).where(
        Submission.organisation_id.in_(ids), Submission.form.not_in(("report", "unknown")),
        Finding.severity == "error", Finding.superseded_at.is_(None)).order_by(Submission.id).limit(1))


def official_documents(session: Session) -> dict:
    """At least one 公文 of every numbered kind from each organ (市直机关工委 and 中共静海区委组织部), issued through
    the documents use case so each takes its number from its organ's register: every kind the registry numbers
    from the register (the delisting notices come with certificates_and_notices)."""
    if session.scalar(select(func.count()).select_from(Document).where(Document.kind == "quarterly-report")):
        return {}
    store = current_store()
    done: dict = {}
    gongwei, quwei = _user(session, "gongwei"), _user(session, "quwei")

    def issue(user, kind, record_id, **options):
        if record_id is None:
            return
        # DOCX only: cheap to draw (a PDF is a WeasyPrint run; `wuhao demo` stays quick), PDF on demand
        documents.issue(session, store, user, kind, record_id, formats=("docx",), options=options)
        done[(user.username, kind)] = done.get((user.username, kind), 0) + 1

    # 工委: the assessment group scored a branch 82 with 群众反映好 at 9 of 20: graded down to 一般, so a
    # rectification notice and a task book follow
    weak = _org(session, "市财政局综合党支部")
    row, _ = assessments.record_scores(session, gongwei, weak.id, {
        "year": 2025, "scores": {"leadership": 19, "members": 18, "mechanism": 18, "performance": 18, "reputation": 9},
        "satisfaction_rate": 82, "assessed_on": "2025-11-20"})
    item = ledger.create(session, gongwei, {
        "organisation_id": weak.id, "assessment_id": row.id, "category": "群众反映",
        "problem": "群众反映好得分9分，群众满意率82%", "measure": "开展“我为群众办实事”，逐户回访服务对象",
        "target": "群众满意率达到90%以上", "leader": "机关党委书记", "owner": weak.secretary or "",
        "due_on": "2026-03-31", "opened_on": "2025-12-01"})
    issue(gongwei, "supplement-notice", _with_errors(session, "市直机关工委"))
    issue(gongwei, "rectification-notice", row.id, days=60)
    issue(gongwei, "rectification-taskbook", row.id)
    text = "回访服务对象46户，满意率93%"
    ledger.add_note(session, store, gongwei, item["id"], text, ("回访记录.txt", text.encode("utf-8")),
                    dt.date(2026, 3, 12))
    ledger.close(session, gongwei, item["id"], dt.date(2026, 3, 20), "回访全部完成，满意率93%")
    issue(gongwei, "commendation-decision", _org(session, "市直机关工委").id, year=2025)
    issue(gongwei, "quarterly-report", _org(session, "市直机关工委").id)
    # 区委: the grading round's 相对后进 (its 整改任务书 came with the ledger year)
    laggard = session.scalar(select(Assessment.id).where(
        Assessment.backward.is_(True), Assessment.organisation_id.in_(subtree_ids(session, quwei.organisation_id)))
        .order_by(Assessment.id).limit(1))
    issue(quwei, "supplement-notice", _with_errors(session, "静海区委"))
    issue(quwei, "rectification-notice", laggard, days=60)
    issue(quwei, "commendation-decision", _org(session, "静海区委").id, year=2025)
    issue(quwei, "quarterly-report", _org(session, "静海区委").id)
    return {f"{u}:{k}": n for (u, k), n in done.items()}


# How a real year leaves the 整改工作台账 of the 2025 相对后进 branches (JH-3, JH-5): the rows are planned
# in July, progress is reported with evidence, the first rows are closed, one is past its deadline.
LEDGER_PLANS = [  # (measure, target, due_on, [(note date, note)], closed_on)
    ("调整充实支部班子，书记每季度讲一次党课", "班子配齐配强，组织生活规范", "2025-12-31",
     [("2025-09-15", "已调整支部委员2名，7、8、9月主题党日按时开展"), ("2025-12-10", "书记讲党课2次，记录齐全")],
     "2025-12-20"),
    ("每月8日固定主题党日，建立考勤台账", "主题党日全年开展12次以上", "2026-03-31",
     [("2025-10-20", "已建立考勤台账，10月主题党日到会率92%")], "2026-03-25"),
    ("制定党员积分管理办法，逐一谈心谈话", "党员日常管理全覆盖", "2026-06-30",
     [("2025-11-05", "已完成谈心谈话18人次")], None),
    ("完善议事规则和工作制度并上墙公示", "制度健全、执行规范", "2027-03-31",
     [("2026-04-12", "议事规则已修订，待党委审核")], None),
]


def ledger_plans(today: dt.date) -> list[tuple]:
    """LEDGER_PLANS as loaded on ``today``: the row still running keeps its 整改时限 at least 90 days ahead
    (2027-03-31 while that is so), so a demo loaded on any day shows a real year's state: two rows closed, one
    past its 整改时限 (2026-06-30), one running."""
    *others, (measure, target, due, notes, closed) = LEDGER_PLANS
    ahead = max(dt.date.fromisoformat(due), today + dt.timedelta(days=90))
    return [*others, (measure, target, ahead.isoformat(), notes, closed)]


def _leader_of(session: Session, branch: Organisation) -> str:
    """The 责任领导 a 整改任务书 names: the district leader in charge of the branch (挂点包保), else the secretary
    of the 党委 above it, by office; never a placeholder such as 包保区级领导."""
    name = session.scalar(
        select(DistrictPerson.name).join(LeaderAssignment, LeaderAssignment.person_id == DistrictPerson.id)
        .where(LeaderAssignment.organisation_id == branch.id, LeaderAssignment.kind == "backward")
        .order_by(LeaderAssignment.year.desc(), LeaderAssignment.id))
    if name:
        return name
    parent = session.get(Organisation, branch.parent_id) if branch.parent_id else None
    return f"{parent.name}书记" if parent else "党支部上级党组织书记"


def ledger_year(session: Session) -> int:
    """Plan, follow and close the grading round's ledger rows through the ledger use cases, then issue the
    整改任务书 of the branch whose row is still running: some rows closed, some open, one overdue (its 整改时限
    2026-06-30 has passed) and one running, whatever the day (:func:`ledger_plans`)."""
    if session.scalar(select(func.count()).select_from(RectificationNote)):
        return 0
    reviewer = _user(session, "quwei")
    store = current_store()
    rows = list(session.execute(select(RectificationItem).order_by(RectificationItem.id)).scalars())
    for row, (measure, target, due, notes, closed) in zip(rows, ledger_plans(dt.date.today())):
        branch = session.get(Organisation, row.organisation_id)
        ledger.update(session, reviewer, row.id, {"measure": measure, "target": target, "due_on": due, "opened_on":
                                                  "2025-07-01", "leader": _leader_of(session, branch),
                                                  "owner": branch.secretary or ""})
        for day, text in notes:
            ledger.add_note(session, store, reviewer, row.id, text,
                            ("佐证材料.txt", text.encode("utf-8")), dt.date.fromisoformat(day))
        if closed:
            ledger.close(session, reviewer, row.id, dt.date.fromisoformat(closed), "经党委核查，整改到位")
    planned = rows[:len(LEDGER_PLANS)]
    if planned and planned[-1].assessment_id:  # the row still open with a deadline ahead
        ledger.issue_taskbook(session, store, reviewer, planned[-1].assessment_id, deadline=None, default_days=90)
    return min(len(rows), len(LEDGER_PLANS))


def party_cards(settings, members: int = 24) -> int:
    """A small 党员证 batch through the real batch use case; done when this returns."""
    rows = sample_members(members, seed=7)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    with session_scope(settings.database_url) as session:
        job = batches.start(session, None, settings=settings, roster=out.getvalue().encode("utf-8"),
                            roster_name="演示党员名册.csv", kind="party-card",
                            options={"outputs": ["merged", "register"]})
    work(settings, job["id"])  # alongside the workers the commit started: returns when the job is finished
    return job["id"]


def scanned_form(settings) -> int:
    """The demo's stamped scan (a JPEG of a filled declaration) uploaded by 市档案馆党支部
    through the real upload use case and read by the OCR worker; done when this returns.
    Returns the submission's id (the one already there on a second run)."""
    with session_scope(settings.database_url) as session:
        org = _org(session, SCAN_ORG)
        found = session.execute(select(Submission.id).where(Submission.organisation_id == org.id,
                                                            Submission.original_name == SCAN_NAME)
                                ).scalar_one_or_none()
        if found is not None:
            return found
        actor = session.execute(select(User).where(User.organisation_id == org.id, User.role == "branch")
                                .order_by(User.id).limit(1)).scalar_one()
        store = store_for(settings.data_dir)
        sub_id = submissions.upload(session, store, settings, actor, [(SCAN_NAME, scan_jpeg())])[0].id
    with session_scope(settings.database_url) as session:
        job_id = ocr.job_of(session, sub_id).id
    work(settings, job_id)  # alongside the OCR process the commit started: returns when it is read
    return sub_id


def returned_form(session: Session) -> int:
    """One branch's 申报表 sent back with the reviewer's comments, so that its 待办 and its messages
    show a returned submission (the demo's other 待办: the ledger rows with their 整改时限)."""
    if session.scalar(select(func.count()).select_from(Submission).where(Submission.status.in_(("returned", "needs_work")))):
        return 0
    reviewer = _user(session, "gongwei")
    sub = session.execute(select(Submission).where(Submission.form == "declaration", Submission.status == "extracted",
                                                   Submission.organisation_id.in_(subtree_ids(session, reviewer.organisation_id)))
                          .order_by(Submission.id)).scalars().first()
    if sub is None:
        return 0
    review.decide(session, reviewer, sub.id, {"decision": "claim"})
    review.decide(session, reviewer, sub.id, {"decision": "return",
                                              "comment": "创建工作方案摘要过于简略，请补充具体措施和时间安排后重新上传。"})
    return 1
