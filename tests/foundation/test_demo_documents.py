"""`wuhao demo` gives every document kind a demo record, and each renders in both formats."""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from sqlalchemy import select

KINDS = ["supplement-notice", "acceptance-form", "rectification-notice", "rectification-taskbook",
         "rectification-ledger", "commendation-decision", "honor-certificate", "delisting-notice",
         "party-card", "quarterly-report", "blank-form"]


# The full demo (with a batch) is rendered from once, on SQLite; test_server loads it on both.
pytestmark = [pytest.mark.slow,  # the full demo (records, batch) and every kind rendered
              pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]


@pytest.fixture
def full_demo(app):
    from service.config import settings_of
    from service.db import session_scope
    from service.demo import load_demo
    from service.demo_records import party_cards

    with app.app_context(), session_scope(app.config["DATABASE_URL"]) as session:
        summary = load_demo(session)
    party_cards(settings_of(app), members=6)
    return summary


def test_demo_records_cover_every_kind(app, full_demo, db):
    from service.documents.contexts import demo_record
    from service.models import Certificate

    assert full_demo["records"]["assessments"] > 0 and full_demo["records"]["cycles"] == 4
    with db() as s:
        for kind in KINDS:
            assert demo_record(kind, s) is not None, kind
        statuses = {c.kind: set() for c in s.execute(select(Certificate)).scalars()}
        for c in s.execute(select(Certificate)).scalars():
            statuses[c.kind].add(c.status)
    assert statuses["honor-certificate"] == {"valid", "revoked"}
    assert statuses["party-card"] == {"valid"}


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_every_kind_renders_from_the_demo_data(app, full_demo, tmp_path, fmt):
    from service.documents.cli import render_cmd

    env = {"WUHAO_DATA_DIR": str(app.config["WUHAO_DATA_DIR"]), "DATABASE_URL": app.config["DATABASE_URL"]}
    for kind in KINDS:
        out = tmp_path / f"{kind}.{fmt}"
        result = CliRunner().invoke(render_cmd, [kind, "--demo", "--format", fmt, "-o", str(out)], env=env)
        assert result.exit_code == 0, (kind, result.output)
        assert "内置示例数据" not in result.output, f"{kind} fell back to the built-in sample"
        head = out.read_bytes()[:4]
        assert head == (b"PK\x03\x04" if fmt == "docx" else b"%PDF"), kind


def test_demo_ledger_is_in_a_real_years_state(app, full_demo, db):
    """Some rectifications closed, some open, one overdue; the 整改任务书 issued from the ledger rows."""
    import datetime as dt

    from service.models import Document, RectificationItem, RectificationNote

    assert full_demo["records"]["ledger_rows"] == 4
    today = dt.date.today()
    from service.auth import subtree_ids
    from service.models import Organisation

    with db() as s:
        district = subtree_ids(s, s.execute(select(Organisation.id).where(Organisation.name == "静海区委")).scalar_one())
        # the grading round's rows (the visit's and the inspections' have deadlines of their own since a3fd71e:
        # 90 days after the day found, which by December have run out for an August visit)
        rows = list(s.execute(select(RectificationItem).where(RectificationItem.organisation_id.in_(district),
                                                              RectificationItem.assessment_id.is_not(None))).scalars())
        closed = [r for r in rows if r.closed_on]
        overdue = [r for r in rows if r.closed_on is None and r.due_on and r.due_on < today]
        running = [r for r in rows if r.closed_on is None and r.due_on and r.due_on >= today]
        assert len(closed) == 2 and len(overdue) == 1 and len(running) == 1, (closed, overdue, running)
        assert s.scalar(select(RectificationNote.id).where(RectificationNote.evidence_sha256.is_not(None)).limit(1))
        assert s.scalar(select(Document.id).where(Document.kind == "rectification-taskbook").limit(1))


def test_demo_ledger_names_real_leaders(app, full_demo, db):
    """The 责任领导 the 整改任务书 and the three lists print is a person or an office, never the placeholder
    包保区级领导: the leader in charge of a rural 相对后进 branch by name, else the secretary of the 党委 above."""
    from service.models import DistrictPerson, LeaderAssignment, Organisation, RectificationItem

    with db() as s:
        rows = list(s.execute(select(RectificationItem).where(RectificationItem.assessment_id.is_not(None),
                                                              RectificationItem.measure != "")).scalars())
        assert len(rows) >= 4
        assert not [r.leader for r in rows if r.leader == "包保区级领导" or not r.leader]
        by_branch = dict(s.execute(select(LeaderAssignment.organisation_id, DistrictPerson.name)
                                   .join(DistrictPerson, DistrictPerson.id == LeaderAssignment.person_id)
                                   .where(LeaderAssignment.kind == "backward")).all())
        in_charge = [r for r in rows if r.organisation_id in by_branch]
        assert in_charge and all(r.leader == by_branch[r.organisation_id] for r in in_charge)
        for r in rows:
            if r.organisation_id not in by_branch and r.leader.endswith("书记"):
                parent = s.get(Organisation, s.get(Organisation, r.organisation_id).parent_id)
                assert r.leader in (f"{parent.name}书记", "机关党委书记"), r.leader


NUMBERED = ["supplement-notice", "rectification-notice", "rectification-taskbook", "commendation-decision",
            "delisting-notice", "quarterly-report"]


def test_demo_issues_every_numbered_kind_from_both_organs(app, full_demo, db):
    """`wuhao demo` issues at least one 公文 of every kind for both the 工委 and the 区委 (its 组织部 as the
    issuing organ); numbers never repeat within an organ and year; no rule code or field key in any text;
    a 区委 document never names the 市直 办法."""
    import re

    from service.documents.contexts import committee_of
    from service.models import Document, IssuingOrgan, Organisation, RegisterEntry
    from service.storage import store_for
    from tests.documents.helpers import docx_text

    store = store_for(app.config["WUHAO_DATA_DIR"])
    with db() as s:
        organ = s.execute(select(IssuingOrgan).join(Organisation, Organisation.id == IssuingOrgan.organisation_id)
                          .where(Organisation.name == "静海区委")).scalar_one()
        assert organ.signature == "中共静海区委组织部" and organ.mark == "中共静海区委组织部文件"
        kinds: dict[str, set] = {"市直机关工委": set(), "静海区委": set()}
        for doc in s.execute(select(Document).where(Document.status == "issued")).scalars():
            if doc.kind not in NUMBERED or doc.organisation_id is None:
                continue
            committee = committee_of(s, s.get(Organisation, doc.organisation_id)).name
            kinds.setdefault(committee, set()).add(doc.kind)
            assert doc.number, (doc.kind, doc.id)
            if doc.format == "docx":
                text = docx_text(store.read_bytes(doc.sha256))
                assert not re.search(r"\b(SZ|JH|SQ)-\d", text), (doc.kind, text[:200])
                assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), (doc.kind, text[:200])
                if committee == "静海区委":
                    assert "市直机关“五好党支部”创建管理办法" not in text and "中共静海区委组织部" in text, doc.kind
        assert kinds["市直机关工委"] >= set(NUMBERED) and kinds["静海区委"] >= set(NUMBERED), kinds
        entries = [(e.organ_id, e.year, e.number) for e in s.execute(select(RegisterEntry)).scalars()]
        assert len(entries) == len(set(entries)) and len({(o, n) for o, _y, n in entries}) == len(entries)


def test_demo_district_records_are_in_the_current_year(app, full_demo, db):
    """Issue 12: the district pages default to the current year and find the demo's records there; the 季度通报
    of the last ended quarter counts the district's records with the numbers the database holds."""
    import datetime as dt

    from sqlalchemy import func

    from service.auth import subtree_ids
    from service.documents.contexts import build_context, last_ended_quarter, quarter_bounds
    from service.models import Inspection, LeaderAssignment, LeaderVisit, Organisation, PartyDay
    from tests.web.conftest import login

    today = dt.date.today()
    year, quarter = last_ended_quarter(today)
    start, end = quarter_bounds(year, quarter)
    client = app.test_client()
    login(client, "quwei", "wuhao2025")
    for url, absent in (("/leaders", "该年度尚无农村相对后进党支部"), ("/supervision", "尚无督导检查记录"),
                        ("/party-days", "没有党支部")):
        html = client.get(url).get_data(as_text=True)
        assert absent not in html, url
    leaders = client.get("/leaders").get_data(as_text=True)
    assert "已落实挂点包保 1 个" in leaders
    # `wuhao demo` logs 人员 N 名 for the rows of the page's 人员 table (it said 7 beside 13 rows)
    people = re.search(r"<h2>人员</h2>.*?<tbody>(.*?)</tbody>", leaders, re.S)
    assert people and full_demo["records"]["district"]["people"] == people.group(1).count("<tr") == 13
    assert f"主题党日开展情况（{today.year}年）" in client.get("/party-days").get_data(as_text=True)
    with app.app_context(), db() as s:
        district = s.execute(select(Organisation.id).where(Organisation.name == "静海区委")).scalar_one()
        ids = [o.id for o in s.execute(select(Organisation).where(
            Organisation.id.in_(subtree_ids(s, district)), Organisation.kind == "branch")).scalars()]
        count = lambda model, col: s.scalar(select(func.count()).select_from(model).where(  # noqa: E731
            model.organisation_id.in_(ids), col >= start, col <= end))
        held, inspections, visits = (count(PartyDay, PartyDay.held_on), count(Inspection, Inspection.inspected_on),
                                     count(LeaderVisit, LeaderVisit.visited_on))
        assert s.scalar(select(func.count()).select_from(LeaderAssignment).where(LeaderAssignment.year == today.year))
        totals = build_context("quarterly-report", s, district, {})["totals"]
    assert held and inspections and visits, (held, inspections, visits)
    assert (totals["party_held"], totals["inspections"], totals["visits"]) == (held, inspections, visits)
    assert totals["backward_assigned"] >= 1 and totals["party_branch_months"] == 3 * len(ids)


def test_demo_quarterly_report_counts_the_demo_training(app, full_demo, db):
    """The 季度通报 `wuhao demo` issues for 静海区委 comes after the district's records of its year, training
    included: its （四）书记培训 prints the secretaries the database holds as trained by the quarter's end
    (the demo issued it before the training records existed, and dated them in another year: 0 trained)."""
    import datetime as dt
    import re

    from service.auth import subtree_ids
    from service.models import Document, Organisation, TrainingClass, TrainingEnrolment
    from service.storage import store_for
    from tests.documents.helpers import docx_text

    store = store_for(app.config["WUHAO_DATA_DIR"])
    with db() as s:
        district = s.execute(select(Organisation.id).where(Organisation.name == "静海区委")).scalar_one()
        doc = s.execute(select(Document).where(Document.kind == "quarterly-report", Document.organisation_id == district,
                                               Document.status == "issued", Document.format == "docx")).scalar_one()
        year, quarter = doc.context["year"], doc.context["quarter"]
        end = (dt.date(year, 3 * quarter, 1) + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
        branches = set(s.execute(select(Organisation.id).where(
            Organisation.id.in_(subtree_ids(s, district)), Organisation.kind == "branch",
            Organisation.dissolved_on.is_(None))).scalars())
        trained = set(s.execute(select(TrainingEnrolment.organisation_id).join(
            TrainingClass, TrainingClass.id == TrainingEnrolment.class_id).where(
            TrainingEnrolment.attended.is_(True), TrainingEnrolment.organisation_id.in_(branches),
            TrainingClass.held_on >= dt.date(year, 1, 1), TrainingClass.held_on <= end)).scalars())
        text = re.sub(r"\s+", "", docx_text(store.read_bytes(doc.sha256)))
    assert 0 < len(trained) < len(branches)
    assert f"本年度已参加培训的党支部书记{len(trained)}人，占党支部书记总数{len(branches)}人的" in text, \
        text[text.find("（四）书记培训"):][:200]
    assert f"尚未培训{len(branches) - len(trained)}人" in text
