"""The 主题党日 page at scale (issue 16: 540 ms of CPU for the admin on 2,000 branches): as many SQL
statements for 50 branches, each under a 党委 and 党总支 of its own with a record a month, as for 5
(each branch's 党委 was looked up with ``session.get``, one statement per 党委), and the month-by-month
cells only for the branches of the page shown."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import event, select

from service.db import engine_for, session_scope
from service.models import Organisation, PartyDay
from tests.conftest import DEMO_PASSWORD
from tests.web.conftest import login


def grow(url: str, start: int, stop: int, year: int, months: list[int]) -> None:
    with session_scope(url) as s:
        top = s.execute(select(Organisation).where(Organisation.parent_id.is_(None))).scalars().first()
        for k in range(start, stop):
            committee = Organisation(name=f"计数第{k}党委", kind="party_committee", parent_id=top.id)
            s.add(committee)
            s.flush()
            general = Organisation(name=f"计数第{k}党总支", kind="general_branch", parent_id=committee.id)
            s.add(general)
            s.flush()
            branch = Organisation(name=f"计数第{k}党支部", kind="branch", domain="organ", parent_id=general.id,
                                  member_count=10)
            s.add(branch)
            s.flush()
            for m in months:
                s.add(PartyDay(organisation_id=branch.id, year=year, month=m, held_on=dt.date(year, m, 8 + k % 2),
                               topic="学习", expected=10, attended=9, reason=""))


def _statements(app, client, path: str) -> tuple[int, str]:
    engine = engine_for(app.config["DATABASE_URL"])
    seen = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        resp = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert resp.status_code == 200
    return len(seen), resp.get_data(as_text=True)


def test_party_days_page_makes_as_many_statements_for_50_branches_as_for_5(app, demo):
    year = dt.date.today().year - 1  # a whole year of months
    url = app.config["DATABASE_URL"]
    grow(url, 0, 5, year, list(range(1, 13)))
    client = app.test_client()
    login(client, "admin", DEMO_PASSWORD)
    path = f"/party-days?year={year}"
    client.get(path)  # the first request of an app pays for its caches
    small, _ = _statements(app, client, path)
    grow(url, 5, 50, year, list(range(1, 13)))
    large, html = _statements(app, client, path)
    assert large == small, (small, large)
    assert "计数第49党委" in html  # the summary per 党委 names every one
    # the grid draws the page's branches only: a cell's edit link per record shown, never 50 x 12
    assert 0 < html.count("#party-day-form\" class=\"edit-day\"") < 50 * 12
