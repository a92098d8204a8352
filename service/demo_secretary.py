"""Demo 书记项目 and training (JH-5) for ``wuhao demo``: each 党委 of 静海区委 with its secretary's 2025 project at
a different stage (0 to 4 of the four outputs done, the done ones with an evidence file), 12 training topics
and 25 classes with their enrolments and sign-ins, held from January to the end of the last ended quarter (so that
the 季度通报 of that quarter, which counts the secretaries trained in its year, and the training pages of the current
year find them), a few branch secretaries left untrained so the "not yet trained" page and the 季度通报 have names
to show. Everything goes through the use cases; ``wuhao demo`` runs this before it issues the 季度通报."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .auth import subtree_ids
from .demo_district import last_ended_quarter
from .models import DistrictPerson, Organisation, SecretaryProject, User
from .storage import FileStore
from .usecases import district_people, district_projects, district_training
from .vocabulary import PROJECT_OUTPUTS

YEAR = 2025
TITLES = ["“党建+产业”助力村集体经济增收", "网格党建提升社区治理效能", "国企党建与生产经营深度融合",
          "“两新”组织党建全覆盖攻坚", "“一窗通办”党员先锋岗", "“红色物业”联建共治", "党建引领乡村振兴示范片",
          "“党员中心户”联系服务群众"]
TOPICS = ["习近平新时代中国特色社会主义思想", "党章党规党纪", "党支部工作条例", "“三会一课”规范化",
          "主题党日组织实施", "发展党员工作流程", "党费收缴使用管理", "整改工作台账和三个清单",
          "基层治理与为民服务", "意识形态工作", "党务公开与档案管理", "“五好党支部”创建标准"]
PLACES = ["区委党校第一教室", "区委党校报告厅", "大邱庄镇党群服务中心", "静海镇党群服务中心"]


def _quarter_end(year: int, quarter: int) -> dt.date:
    return (dt.date(year, 3 * quarter, 1) + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)


def _org(session: Session, name: str) -> Organisation:
    return session.execute(select(Organisation).where(Organisation.name == name)).scalar_one()


def records(session: Session, store: FileStore, today: dt.date | None = None) -> dict:
    if session.scalar(select(func.count()).select_from(SecretaryProject)):
        return {}
    quwei = session.execute(select(User).where(User.username == "quwei")).scalar_one()
    return {"projects": projects(session, store, quwei), **training(session, quwei, today or dt.date.today())}


def projects(session: Session, store: FileStore, actor: User) -> int:
    committees = list(session.execute(select(Organisation).where(
        Organisation.parent_id == actor.organisation_id, Organisation.kind == "party_committee")
        .order_by(Organisation.id)).scalars())
    people = {p.name: p.id for p in session.execute(select(DistrictPerson).where(
        DistrictPerson.rank == "committee_secretary")).scalars()}
    kinds = list(PROJECT_OUTPUTS)
    for i, c in enumerate(committees):
        name = c.secretary or f"{c.name}书记"
        if name not in people:
            people[name] = district_people.create_person(session, actor, {
                "name": name, "rank": "committee_secretary", "title": f"{c.name}书记"})["id"]
        done = (4 - i) % 5  # 4, 3, 2, 1, 0, 4, 3, … outputs done
        milestones = {k: {"status": "done" if n < done else ("in_progress" if n == done else "planned"),
                          "done_on": dt.date(YEAR, 4 + 2 * n, 20).isoformat() if n < done else None,
                          "note": f"{PROJECT_OUTPUTS[k]}：已按计划推进" if n <= done else ""}
                      for n, k in enumerate(kinds)}
        p = district_projects.create(session, actor, {
            "organisation_id": c.id, "year": YEAR, "title": TITLES[i % len(TITLES)], "person_id": people[name],
            "summary": f"{c.name}书记领办，围绕“五好党支部”创建中的突出问题推进。", "milestones": milestones})
        for n, k in enumerate(kinds[:done]):
            text = f"{c.name}书记项目“{PROJECT_OUTPUTS[k]}”佐证材料（{YEAR}年）".encode("utf-8")
            district_projects.attach(session, store, actor, p["id"], k, (f"{PROJECT_OUTPUTS[k]}佐证材料.txt", text))
    return len(committees)


def training(session: Session, actor: User, today: dt.date) -> dict:
    """12 topics, 25 classes (two a topic, the first topic thrice) spread from 10 January of the last ended
    quarter's year to that quarter's end (all held, so sign-ins are allowed); every branch secretary of the 区委
    enrolled once, all but about one in eight signed in."""
    year, quarter = last_ended_quarter(today)
    first = dt.date(year, 1, 10)
    span = (_quarter_end(year, quarter) - first).days
    topics = [district_training.create_topic(session, actor, {"name": t}) for t in TOPICS]
    classes = []
    for n in range(25):
        topic = topics[n % 12] if n < 24 else topics[0]
        day = first + dt.timedelta(days=(n * span) // 24)
        classes.append(district_training.create_class(session, actor, {
            "topic_id": topic["id"], "held_on": day.isoformat(), "place": PLACES[n % len(PLACES)],
            "capacity": 40}))
    ids = subtree_ids(session, actor.organisation_id)
    branches = list(session.execute(select(Organisation).where(
        Organisation.kind == "branch", Organisation.id.in_(ids)).order_by(Organisation.id)).scalars())
    signed = 0
    for i, b in enumerate(branches):
        c = classes[i % len(classes)]
        district_training.enrol(session, actor, c["id"], {"organisation_ids": [b.id]})
        if i % 8 != 5:
            district_training.mark(session, actor, c["id"], {"organisation_id": b.id, "attended": True})
            signed += 1
    return {"topics": len(topics), "classes": len(classes), "enrolments": len(branches), "trained": signed}
