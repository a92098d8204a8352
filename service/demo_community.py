"""Demo data of the street (SQ-1 … SQ-3): the units of 静海街道 that should have a party organisation
(always, with the tree), and with the records: brands at every stage, a 共建对子, 精品示范点, 新发展党员
and 五个好 grades, made through the use cases as the street's clerks would.

Idempotent: a second run finds the street's records and adds nothing.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .demo_forms import brand_form, brand_materials_docx
from .intake import accept, read
from .models import Brand, Organisation, StreetUnit, User
from .usecases import brands, community, pairs

STREET = "静海街道党工委"
# (name, category, required, party organisation, set up, 阵地, 经费)
UNITS = [
    ("城东社区", "community", True, "城东社区党委", "2024-05-10", "2024-06-01", "2025-03-01"),
    ("向阳社区", "community", True, "向阳社区党支部", "2023-11-20", "2024-09-15", None),
    ("幸福社区", "community", True, "幸福社区党支部", "2024-02-18", "2025-04-08", "2025-04-08"),
    ("静海街道社区卫生服务中心", "unit", True, "静海街道社区卫生服务中心党支部", "2023-06-30", None, None),
    ("明德物业公司", "unit", True, "明德物业公司党支部", "2025-08-01", None, None),
    ("鑫源商贸有限公司", "unit", True, None, None, None, None),
    ("个体工商户联合会（党员不足3名）", "unit", False, None, None, None, None),
]


def _day(text):
    return dt.date.fromisoformat(text) if text else None


def street_units(session: Session) -> int:
    """The street's two kinds of organisations: which should have one, which have one."""
    street = session.execute(select(Organisation).where(Organisation.name == STREET)).scalar_one_or_none()
    if street is None:
        return 0
    names = {o.name: o.id for o in session.execute(select(Organisation)).scalars()}
    added = 0
    for name, category, required, org, set_up, venue, funds in UNITS:
        if session.execute(select(StreetUnit.id).where(StreetUnit.street_id == street.id,
                                                       StreetUnit.name == name)).scalar_one_or_none():
            continue
        session.add(StreetUnit(street_id=street.id, name=name, category=category, required=required,
                               organisation_id=names.get(org) if org else None, set_up_on=_day(set_up),
                               venue_on=_day(venue), funds_on=_day(funds), note=""))
        added += 1
    session.flush()
    return added


def _user(session: Session, username: str) -> User:
    return session.execute(select(User).where(User.username == username)).scalar_one()


def _org(session: Session, name: str) -> Organisation:
    return session.execute(select(Organisation).where(Organisation.name == name)).scalar_one()


def _upload(session: Session, settings, store, org: Organisation, filename: str, data: bytes) -> int:
    return accept(session, store, None, org.id, read(settings, filename, data)).id


SCORES = {"theme": 18.5, "mechanism": 18, "service": 23, "leading": 18, "materials": 14}


def records(session: Session, settings, store) -> dict:
    """Brands at every stage, a pair, sites, members and 五个好 grades (once)."""
    street = session.execute(select(Organisation).where(Organisation.name == STREET)).scalar_one_or_none()
    if street is None or session.scalar(select(func.count(Brand.id)).where(Brand.street_id == street.id)):
        return {}
    wangge, shequ, jiedao = _user(session, "wangge"), _user(session, "shequ"), _user(session, "jiedao")
    quwei, admin = _user(session, "quwei"), _user(session, "admin")
    grid = _org(session, "城东社区第一网格党支部")
    stages = {}

    def registered(unit: Organisation, name: str, actor: User) -> dict:
        b = brands.create(session, actor, {"organisation_id": unit.id, "name": name, "started_on": "2025-03-01"})
        form = _upload(session, settings, store, unit, f"{name}申报登记表.docx",
                       brand_form(unit.name, name, parent=unit.parent.name if unit.parent else ""))
        mats = _upload(session, settings, store, unit, f"{name}综合材料.docx", brand_materials_docx(unit.name, name))
        return brands.register(session, actor, b["id"], {"form_submission_id": form, "materials_submission_id": mats})

    # named, with a pair: 城东 grid branch's 红色管家 (returned once by the street, then approved)
    b = registered(grid, "红色管家", wangge)
    brands.decide(session, shequ, b["id"], {"decision": "approve", "comment": "特色鲜明，同意上报。"})
    brands.decide(session, jiedao, b["id"], {"decision": "return", "comment": "综合材料请补充服务成效的具体数据。"})
    brands.register(session, wangge, b["id"], {"form_submission_id": b["form_submission_id"],
                                                "materials_submission_id": b["materials_submission_id"]})
    brands.decide(session, shequ, b["id"], {"decision": "approve", "comment": "已补充，同意上报。"})
    brands.decide(session, jiedao, b["id"], {"decision": "approve", "comment": "同意进入考核评比。"})
    for reviewer, bonus in ((jiedao, 0), (quwei, 1), (admin, -1)):
        brands.score(session, reviewer, b["id"], {"scores": {**SCORES, "service": SCORES["service"] + bonus}})
    # 向阳 community's brand: scored too, named in the same decision
    xiangyang = _org(session, "向阳社区党支部")
    b2 = registered(xiangyang, "邻里守望", jiedao)
    brands.decide(session, jiedao, b2["id"], {"decision": "approve", "comment": "同意进入考核评比。"})
    for reviewer in (jiedao, quwei, admin):
        brands.score(session, reviewer, b2["id"], {"scores": {**SCORES, "theme": 17}})
    named = brands.name_brands(session, store, jiedao, {"street_id": street.id, "brand_ids": [b["id"], b2["id"]],
                                                         "formats": ["pdf", "docx"]})
    stages["named"] = named["number"]
    # 五个好: 幸福 misses it (ledger rows) and becomes the 后进 partner of 红色管家; 城东 and 向阳 reach it
    year = dt.date.today().year
    community.grade_community(session, jiedao, {"organisation_id": _org(session, "幸福社区党支部").id, "year": year,
                                                "scores": {"leadership": 15, "members": 14, "mechanism": 13,
                                                           "performance": 14, "reputation": 16}})
    for name in ("城东社区党委", "向阳社区党支部"):
        community.grade_community(session, jiedao, {"organisation_id": _org(session, name).id, "year": year,
                                                    "scores": {"leadership": 19, "members": 18.5, "mechanism": 19,
                                                               "performance": 18.5, "reputation": 19}})
    pair = pairs.create(session, jiedao, b["id"], {"partner_id": _org(session, "幸福社区党支部").id,
                                                   "plan": "每季度联合开展一次主题党日，网格党员结对帮带，帮助建立居民议事会。",
                                                   "started_on": (dt.date.today() - dt.timedelta(days=60)).isoformat()})
    pairs.add_activity(session, store, jiedao, pair["id"],
                       {"held_on": (dt.date.today() - dt.timedelta(days=30)).isoformat(),
                        "title": "联合主题党日：楼栋认领与为老服务"}, ("活动签到表.pdf", b"%PDF-1.4 demo sign-in sheet"))
    pairs.set_result(session, jiedao, pair["id"], {"year": year, "result": "帮助建立居民议事会，开展服务8次。"})
    stages["pair"] = pair["id"]
    # a brand named, then revoked at the yearly follow-up — counts no more
    second = _org(session, "城东社区第二网格党支部")
    b3 = registered(second, "夕阳红驿站", jiedao)
    brands.decide(session, shequ, b3["id"], {"decision": "approve", "comment": "同意上报。"})
    brands.decide(session, jiedao, b3["id"], {"decision": "approve", "comment": "同意进入考核评比。"})
    for reviewer in (jiedao, quwei, admin):
        brands.score(session, reviewer, b3["id"], {"scores": SCORES})
    brands.name_brands(session, store, jiedao, {"street_id": street.id, "brand_ids": [b3["id"]]})
    brands.follow_up(session, jiedao, b3["id"], {"keep": False, "reason": "驿站停止运行半年以上，服务活动中断。"})
    # waiting at the street, returned, and still a 培育项目
    b4 = registered(_org(session, "幸福社区党支部"), "幸福议事厅", jiedao)
    brands.decide(session, jiedao, b4["id"], {"decision": "approve", "comment": "同意进入考核评比。"})
    brands.score(session, jiedao, b4["id"], {"scores": {**SCORES, "materials": 10}})
    b5 = registered(_org(session, "明德物业公司党支部"), "红色物业", jiedao)
    brands.decide(session, jiedao, b5["id"], {"decision": "return", "comment": "请补充物业服务与社区治理结合的做法。"})
    b6 = registered(_org(session, "静海街道社区卫生服务中心党支部"), "健康守门人", jiedao)
    brands.create(session, wangge, {"name": "网格夜话", "summary": "夜间网格议事。"})
    stages.update(forwarding=b6["id"], returned=b5["id"], assessing=b4["id"], revoked=b3["id"])
    # 精品示范点 and 新发展党员
    for name, org, criteria, day in (
            ("城东社区党群服务中心", "城东社区党委", ["venue", "system", "activity", "effect"], "2025-06-20"),
            ("向阳社区邻里驿站", "向阳社区党支部", ["venue", "system", "activity", "effect"], "2026-03-15"),
            ("幸福社区党员活动室", "幸福社区党支部", ["venue", "system"], "2026-05-10")):
        community.add_site(session, store, jiedao, {"organisation_id": _org(session, org).id, "name": name,
                                                    "criteria": criteria, "recognised_on": day},
                           (f"{name}认定材料.pdf", f"%PDF-1.4 {name}".encode()))
    people = ["陶然", "贺新", "顾晓", "毛宁", "龚瑞", "邵阳", "钟灵", "谭亮", "陆敏", "汪洋", "范琳", "金鑫"]
    units = ["城东社区第一网格党支部", "城东社区第二网格党支部", "向阳社区党支部", "幸福社区党支部"]
    for i, person in enumerate(people):
        day = dt.date(2025, 1, 1) + dt.timedelta(days=45 * i)
        if day > dt.date.today():
            break
        community.add_member(session, store, jiedao, {"organisation_id": _org(session, units[i % 4]).id,
                                                      "name": person, "admitted_on": day.isoformat()},
                             (f"{person}支部大会决议.pdf", f"%PDF-1.4 {person}".encode()))
    return stages
