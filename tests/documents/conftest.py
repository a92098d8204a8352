"""Fixtures for the document tests: a database scenario with a record for every kind."""
from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture
def scenario(app, demo):
    """Records every document kind can be drawn from; returns their ids by name."""
    from service.db import session_scope
    from service.models import (Assessment, Certificate, CreationCycle, Finding, Organisation,
                                RectificationItem, Submission)

    orgs = demo["orgs"]
    ids: dict[str, int] = {"orgs": orgs}
    with app.app_context(), session_scope(app.config["DATABASE_URL"]) as s:
        sub = Submission(organisation_id=orgs["市财政局预算科党支部"], original_name="验收申请表.docx",
                         media_type="docx", size=1234, sha256="0" * 64, form="acceptance", status="checked",
                         uploaded_at=dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.timezone.utc))
        s.add(sub)
        s.flush()
        s.add_all([
            Finding(submission_id=sub.id, organisation_id=sub.organisation_id, rule="missing_field",
                    severity="error", field="contact_phone", clause="SZ-4",
                    message="表单缺少必填项“联系电话”（contact_phone）。"),
            Finding(submission_id=sub.id, organisation_id=sub.organisation_id, rule="missing_report",
                    severity="error", field="report", clause="SZ-2.3",
                    message="验收申请须附2500字左右的汇报材料，本次提交未见汇报材料。"),
        ])
        ids["submission"] = sub.id

        lawyer = orgs["区律师行业党支部"]
        a = Assessment(organisation_id=lawyer, year=2025, domain="nonpublic", total=71.5,
                       scores={"leadership": 15, "members": 14, "mechanism": 14, "performance": 14.5,
                               "reputation": 14}, grade="average", backward=True,
                       assessed_on=dt.date(2025, 5, 20))
        s.add(a)
        s.flush()
        s.add(Finding(assessment_id=a.id, organisation_id=lawyer, rule="laggard", severity="warning",
                      clause="JH-3", message="在非公企业（社会组织）领域排名后10%，确定为相对后进党支部。"))
        s.add_all([
            RectificationItem(organisation_id=lawyer, assessment_id=a.id, category="组织生活",
                              problem="主题党日活动未固定在每月8日开展", measure="制定年度主题党日计划并公示",
                              target="每月8日按时开展并记录考勤", leader="罗斌", owner="宋佳",
                              due_on=dt.date(2025, 12, 31), progress="已制定计划", opened_on=dt.date(2025, 7, 1)),
            RectificationItem(organisation_id=lawyer, assessment_id=a.id, category="党员管理",
                              problem="党员证未逐一编号登记", measure="组织党员证登记造册", target="登记率100%",
                              leader="罗斌", owner="吉𠮷", due_on=dt.date(2025, 10, 31), progress="已完成",
                              closed_on=dt.date(2025, 9, 20), opened_on=dt.date(2025, 7, 1)),
        ])
        ids["backward_assessment"] = a.id

        hospital = orgs["市人民医院内科党支部"]
        b = Assessment(organisation_id=hospital, year=2025, domain="health", total=96.5,
                       scores={"leadership": 19.5, "members": 19, "mechanism": 19.5, "performance": 19,
                               "reputation": 19.5}, items={"marks": {"L1": {"0": 1}, "L3": {"0": 3}}, "grade_name": "好"},
                       satisfaction_rate=97.0, grade="good",
                       assessed_on=dt.date(2025, 4, 10))
        s.add(b)
        s.flush()
        ids["assessment"] = b.id

        budget = orgs["市财政局预算科党支部"]
        c = CreationCycle(organisation_id=budget, state="in_term", commended_on=dt.date(2025, 6, 28),
                          term_starts_on=dt.date(2025, 7, 1), term_ends_on=dt.date(2029, 6, 30))
        s.add(c)
        general = orgs["市财政局综合党支部"]
        d = CreationCycle(organisation_id=general, state="delisted", commended_on=dt.date(2023, 6, 28),
                          term_starts_on=dt.date(2023, 7, 1), term_ends_on=dt.date(2027, 6, 30),
                          ended_on=dt.date(2025, 8, 1),
                          end_reason="符合自然摘牌情形：党员人数6人，少于7人。（SZ-3.3）")
        s.add(d)
        s.flush()
        ids["titled_cycle"], ids["delisted_cycle"] = c.id, d.id
        s.add(Certificate(kind="honor-certificate", number="WH20230007", holder_name="市财政局综合党支部",
                          organisation_id=general, status="valid", issued_on=dt.date(2023, 6, 28)))
        village = orgs["大邱庄村党支部"]
        card = Certificate(kind="party-card", number="12010001", holder_name="赵䶮", organisation_id=village,
                           status="valid", issued_on=dt.date(2025, 7, 1), joined_on="2001-07-01")
        s.add(card)
        s.flush()
        ids["party_card"] = card.id
        ids["committee"] = orgs["市直机关工委"]
        ids["district"] = orgs["静海区委"]
        ids["hospital_org"] = s.get(Organisation, hospital).id
    return ids
