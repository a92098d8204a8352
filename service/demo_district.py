"""Demo records of the district's management layer (issue 12) for ``wuhao demo``, dated from the clock so that a
clerk opening the district pages (which default to the current year) finds them in use, and the 季度通报 of the
last ended quarter counts them: 静海区委's leaders with their 挂点包保 / 创建联系点 of that quarter's year and of
the current year, for the branches whose grading in force is 相对后进 (their latest: its 整改 runs on); a visit
and a 督导组 inspection in that quarter that opened ledger rows, a later random check; two 督导组 with check
lists; party days of the second half of the 2025 round's year and of every month from January of that quarter's
year to the last month whose 8th has come (most on the 8th, some on another day with a reason, a few missing);
and the 两册一证 of two branches (members, both registers, 党费 and party-day 纪实, a 抽查 that opened a ledger
row). Everything goes through the use cases; the ledger rows opened here await their 整改时限 (the demo
ledger's own year: tests/foundation/test_demo_documents.py).
"""
from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .auth import subtree_ids
from .checks.district import standing
from .models import Assessment, DistrictPerson, Organisation, PartyDay, SpotCheck, User
from .usecases import (district_handbooks, district_members, district_partyday, district_people,
                       district_supervision)

YEAR = 2025  # the demo's grading round (demo_records.grading_round): its half-year of 纪实 and party days
PEOPLE = [("王志强", "district_leader", "区委副书记"), ("李卫东", "district_leader", "区委常委、组织部部长"),
          ("张建华", "district_leader", "副区长"), ("赵国庆", "county_leader", "区委组织部副部长"),
          ("孙明", "county_leader", "区农业农村委主任"), ("吴刚", "committee_secretary", "大邱庄镇党委书记"),
          ("马超", "committee_secretary", "静海镇党委书记")]
CHECKLIST = ["是否每月8日开展主题党日", "三会一课记录是否完整", "党费是否按月收缴", "问题清单、任务清单、责任清单是否公开"]
GROUPS = [("第一督导组", "刘明", ["刘明", "陈亮", "周洁"], ["大邱庄镇党委", "静海镇党委"]),
          ("第二督导组", "黄伟", ["黄伟", "许芳"], ["区国资委党委", "区两新组织党委", "区政务服务中心党委"])]
TOPICS = {1: "学习贯彻全会精神", 2: "开展“新春送温暖”走访", 3: "学雷锋志愿服务", 4: "清明祭英烈",
          5: "重温劳模精神", 6: "学习党史", 7: "学习贯彻七一重要讲话精神", 8: "开展“我为群众办实事”志愿服务", 9: "重温入党誓词",
          10: "学习党章党规", 11: "警示教育", 12: "组织生活会会前学习"}


def _user(session: Session, username: str) -> User:
    return session.execute(select(User).where(User.username == username)).scalar_one()


def _org(session: Session, name: str) -> Organisation:
    return session.execute(select(Organisation).where(Organisation.name == name)).scalar_one()


def last_ended_quarter(today: dt.date) -> tuple[int, int]:
    """(year, quarter) of the latest quarter ended by ``today`` (as the 季度通报 reports it)."""
    q = (today.month - 1) // 3 + 1
    if (today + dt.timedelta(days=1)).month != today.month and today.month % 3 == 0:
        return today.year, q
    return (today.year, q - 1) if q > 1 else (today.year - 1, 4)


def _in_quarter(year: int, quarter: int, month: int, day: int) -> dt.date:
    """A day in the quarter's ``month``-th month (1..3)."""
    return dt.date(year, 3 * quarter - 3 + month, day)


def people_listed(session: Session) -> int:
    """How many people the 人员 list of /leaders shows 区委组织部 (quwei)."""
    return len(district_people.people(session, _user(session, "quwei")))


def records(session: Session, today: dt.date | None = None) -> dict:
    if session.scalar(select(func.count()).select_from(DistrictPerson)):
        return {}
    today = today or dt.date.today()
    q_year, quarter = last_ended_quarter(today)
    years = sorted({q_year, today.year})
    quwei, admin = _user(session, "quwei"), _user(session, "admin")
    people = {n: district_people.create_person(session, quwei, {"name": n, "rank": r, "title": t})
              for n, r, t in PEOPLE}
    graded = standing(session.execute(select(Assessment).where(Assessment.year <= q_year)).scalars())
    rural = sorted(a.organisation_id for a in graded.values() if a.backward and a.domain == "rural")
    visits, assignments, first = 0, 0, {}
    for year in years:
        for org_id in rural:
            a = district_people.assign(session, quwei, {"person_id": people["王志强"]["id"], "organisation_id": org_id,
                                                        "year": year, "assigned_on": min(dt.date(year, 1, 10), today).isoformat()})
            first.setdefault(year, a)
            assignments += 1
        for name, branch in (("赵国庆", "大邱庄村党支部"), ("孙明", "静海一中党支部")):
            district_people.assign(session, quwei, {"person_id": people[name]["id"], "kind": "contact",
                                                    "organisation_id": _org(session, branch).id, "year": year,
                                                    "assigned_on": min(dt.date(year, 1, 10), today).isoformat()})
            assignments += 1
    if q_year in first:
        district_people.add_visit(session, quwei, first[q_year]["id"], {
            "visited_on": _in_quarter(q_year, quarter, 2, 15).isoformat(),
            "found": "支部班子成员分工不明确，主题党日未固定在8日", "follow_up": "约谈支部书记，明确班子分工",
            "open_rows": [{"category": "挂点走访", "problem": "支部班子成员分工不明确", "measure": "重新明确班子分工"}]})
        visits += 1
    committee = _org(session, "静海区委").id
    groups = []
    for name, leader, members, committees in GROUPS:
        groups.append(district_supervision.create_group(session, admin, {
            "name": name, "leader": leader, "members": members, "checklist": CHECKLIST, "organisation_id": committee,
            "committee_ids": [_org(session, c).id for c in committees]}))
    inspected = 0
    if rural:
        district_supervision.record(session, quwei, {
            "group_id": groups[0]["id"], "organisation_id": rural[0], "kind": "field",
            "inspected_on": _in_quarter(q_year, quarter, 3, 18).isoformat(),
            "answers": {CHECKLIST[0]: "上月未在8日开展", CHECKLIST[1]: "基本完整", CHECKLIST[2]: "是"},
            "findings": [{"text": "上月主题党日未在8日开展且未说明原因", "category": "制度执行", "open_ledger": True},
                         {"text": "问题清单未在村务公开栏公开"}]})
        inspected += 1
    district_supervision.record(session, quwei, {
        "group_id": groups[1]["id"], "organisation_id": _org(session, "区公交集团党支部").id, "kind": "random",
        "inspected_on": max(_in_quarter(q_year, quarter, 1, 12), today - dt.timedelta(days=20)).isoformat(),
        "answers": {CHECKLIST[0]: "是", CHECKLIST[2]: "是"}, "findings": []})
    inspected += 1
    return {"people": len(people), "assignments": assignments, "visits": visits, "groups": len(groups),
            "inspections": inspected, "party_days": party_days(session, quwei, q_year, today),
            "from_year": q_year, "two_books": two_books(session)}


def _moved(year: int, month: int) -> tuple[int, str]:
    """The day a branch held the month's 主题党日 after the 8th, and the reason it gave (one the calendar bears out)."""
    eighth = dt.date(year, month, 8)
    if eighth.weekday() >= 5:  # a Saturday or Sunday: the Monday after
        day = 8 + 7 - eighth.weekday()
        return day, f"8日恰逢周{'六日'[eighth.weekday() - 5]}，顺延至{day}日"
    return 9, "8日全体党员参加上级集中培训，顺延一天"


def party_days(session: Session, reviewer: User, from_year: int, today: dt.date) -> int:
    """July to December 2025, then every month from January of ``from_year`` to the last one whose 8th has come,
    for every branch under
    the 区委: deterministic by name and month (about one month in sixteen missing, one in eight on another
    day, half of those with a reason)."""
    ids = subtree_ids(session, reviewer.organisation_id)
    branches = list(session.execute(select(Organisation).where(Organisation.kind == "branch",
                                                               Organisation.id.in_(ids)).order_by(Organisation.id))
                    .scalars())
    months = [(YEAR, m) for m in range(7, 13) if YEAR < from_year]  # the 2025 round's half-year (两册一证 纪实)
    months += [(y, m) for y in range(from_year, today.year + 1) for m in range(1, 13) if dt.date(y, m, 8) <= today]
    made = 0
    for b in branches:
        seed = int(hashlib.sha256(b.name.encode()).hexdigest(), 16)
        members = b.member_count or 10
        for year, month in months:
            pick = (seed >> (4 * month + (0 if year == YEAR else year % 7))) % 16
            if pick == 0:
                continue  # missing
            day, reason = (8, "") if pick > 2 else (_moved(year, month) if pick == 2 else (12, ""))
            held = dt.date(year, month, day)
            if held > today:
                held, reason = dt.date(year, month, 8), ""
            attended = members - (seed >> (3 * month)) % max(2, members // 4)
            district_partyday.save(session, reviewer, {
                "organisation_id": b.id, "held_on": held.isoformat(), "topic": TOPICS[month],
                "expected": members, "attended": max(attended, 1), "dues_collected": pick % 5 != 1, "reason": reason})
            made += 1
    return made


# --- 两册一证 纪实 (JH-6) ---------------------------------------------------------------------------

BOOK_BRANCHES = {"大邱庄村党支部": [("郑海", "男", "1996-07"), ("王秀英", "女", "2004-06"), ("刘建国", "男", "1988-05"),
                                   ("张丽", "女", "2015-07"), ("李强", "男", "2019-06")],
                 "区公交集团党支部": [("何平", "男", "2001-07"), ("孙静", "女", "2012-06"), ("赵磊", "男", "2020-07")]}


def two_books(session: Session) -> dict:
    """The 两册一证 of two 区委 branches: members entered by hand (the 党员证 batch adds its own, numbered), the
    《党支部工作手册》 and 《党员学习手册》 registers, 党费 July–September 2025 (one member missing September) and
    attendance of the September party day, and a 抽查 whose problem went to the ledger."""
    if session.scalar(select(func.count()).select_from(SpotCheck)):
        return {}
    quwei = _user(session, "quwei")
    made = {"members": 0, "handbooks": 0, "records": 0}
    for n, (branch, people) in enumerate(BOOK_BRANCHES.items(), start=1):
        org = _org(session, branch)
        district_handbooks.save(session, quwei, {"kind": "branch_manual", "organisation_id": org.id,
                                                 "number": f"JHSC-{YEAR}-{n:03d}", "given_on": f"{YEAR}-03-01",
                                                 "received_by": org.secretary or ""})
        day = session.execute(select(PartyDay).where(PartyDay.organisation_id == org.id, PartyDay.year == YEAR,
                                                     PartyDay.month == 9)).scalar_one_or_none()
        for i, (name, gender, joined) in enumerate(people, start=1):
            m = district_members.create(session, quwei, {"organisation_id": org.id, "name": name, "gender": gender,
                                                         "joined_on": joined})
            district_handbooks.save(session, quwei, {"kind": "study_manual", "member_id": m["id"],
                                                     "number": f"XXSC-{YEAR}-{n}{i:03d}", "given_on": f"{YEAR}-03-01"})
            for month in (7, 8, 9):
                if (n, i, month) == (1, 5, 9):
                    continue  # 李强's September dues: the 抽查 finds them missing
                district_members.save_record(session, quwei, {"member_id": m["id"], "kind": "dues",
                                                              "month": f"{YEAR}-{month:02d}", "amount": 20 + 10 * (i % 3)})
                made["records"] += 1
            if day is not None and i <= max(1, len(people) - 1):
                district_members.save_record(session, quwei, {"member_id": m["id"], "kind": "activity",
                                                              "happened_on": day.held_on.isoformat(),
                                                              "what": f"主题党日：{day.topic}"})
                made["records"] += 1
            made["members"] += 1
            made["handbooks"] += 1
        made["handbooks"] += 1
    district_handbooks.record_check(session, quwei, {
        "organisation_id": _org(session, "大邱庄村党支部").id, "checked_on": f"{YEAR}-10-20", "checker": "刘明",
        "answers": {"branch_manual": True, "study_manuals": True, "cards": False, "records": False},
        "outcome": "fair", "problems": [{"text": "李强9月党费无纪实", "open_ledger": True},
                                        {"text": "部分党员尚未登记党员证编号"}]})
    return {**made, "spot_checks": 1}
