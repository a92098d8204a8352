"""The organisation picker searches the tree (issue 15): a view of a few dozen organisations is one list
filtered in the page; a larger one lists its upper levels and asks ``/api/v1/organisations/search`` (the
caller's view only, path labels) for the rest — in the browser on the users page, and without JavaScript
the plain list still picks and saves."""
from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from service.models import Inspection, LeaderAssignment, Organisation, PartyDay, User
from service.usecases.organisations import PICKER_ALL
from tests.conftest import SQLITE_ONLY, bearer
from tests.web.conftest import browser_login, browser_page, login

MANY = PICKER_ALL + 60
DEEP = "静海镇第237网格党支部"
#: the branch that sorts last of 静海镇's: past the branches a branch picker lists before a search
LAST = "静海镇第9网格党支部"


def _grow(db, n: int = MANY) -> None:
    """``n`` branches under 静海镇党委 (subtree B): the view of 静海区委 and of the admin grows past the list."""
    with db() as s:
        parent = s.execute(select(Organisation.id).where(Organisation.name == "静海镇党委")).scalar_one()
        s.add_all(Organisation(name=f"静海镇第{i}网格党支部", kind="branch", domain="community", parent_id=parent)
                  for i in range(1, n + 1))
        s.commit()


def _select(page: str, select_id: str) -> str:
    return re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.S).group(1)


def _options(page: str, select_id: str) -> list[str]:
    return re.findall(r'<option value="(\d*)"', _select(page, select_id))


def test_search_is_scoped_ranked_and_checked(client, demo):
    quwei, admin = bearer(demo["tokens"]["quwei"]), bearer(demo["tokens"]["admin"])
    found = client.get("/api/v1/organisations/search", query_string={"q": "城关"}, headers=quwei).get_json()
    assert found["items"][0]["name"] == "城关社区党支部" and found["more"] is False
    assert found["items"][0]["path"] == "静海区委 › 静海镇党委 › 城关社区党支部"
    # another subtree is not searched: 市直机关工委's branches are not in 静海区委's view
    assert client.get("/api/v1/organisations/search", query_string={"q": "财政局"}, headers=quwei).get_json() == \
        {"items": [], "more": False}
    assert client.get("/api/v1/organisations/search", query_string={"q": "财政局"},
                      headers=admin).get_json()["items"]
    # a parent's name finds what is under it; ``limit`` caps and says there is more
    under = client.get("/api/v1/organisations/search", query_string={"q": "静海镇党委", "limit": "2"},
                       headers=quwei).get_json()
    assert under["items"][0]["name"] == "静海镇党委" and len(under["items"]) == 2 and under["more"] is True
    for bad in ({"limit": "0"}, {"limit": "101"}, {"limit": "x"}, {"q": "党" * 51}):
        r = client.get("/api/v1/organisations/search", query_string=bad, headers=quwei)
        assert r.status_code == 422 and ("条数" in r.get_json()["error"]["message"] or "查找内容" in r.get_json()["error"]["message"]), bad
    assert client.get("/api/v1/organisations/search", query_string={"q": "城关"}).status_code == 401


def test_a_large_view_lists_its_upper_levels_and_saves_a_searched_one(client, demo, db):
    login(client, "admin", demo["password"])
    small = client.get("/admin/users").get_data(as_text=True)
    assert "data-search" not in small and len(_options(small, "new-user-org")) > 30  # every organisation
    _grow(db)
    page = client.get("/admin/users").get_data(as_text=True)
    assert 'data-search="/api/v1/organisations/search"' in page
    shown = _options(page, "new-user-org")
    assert shown[0] == "" and 10 < len(shown) < 30  # 请选择 and the two upper levels of the tree, whole
    listed = _select(page, "new-user-org")
    assert "静海区委 › 静海镇党委<" in listed and "城关社区党支部" not in listed and DEEP not in listed
    assert "其他组织请输入名称查找" in page
    # a branch found by the search is saved like any listed one (the server checks the view, not the list)
    with db() as s:
        deep = s.execute(select(Organisation.id).where(Organisation.name == DEEP)).scalar_one()
        target = s.execute(select(User.id).where(User.username == "chengguan")).scalar_one()
    user_page = client.get(f"/admin/users/{target}").get_data(as_text=True)
    assert len(_options(user_page, "user-org")) == len(shown)  # the upper levels and its own organisation
    assert "静海区委 › 静海镇党委 › 城关社区党支部</option>" in _select(user_page, "user-org")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', user_page).group(1)
    r = client.post(f"/admin/users/{target}", data={"csrf_token": csrf, "action": "update", "user_id": str(target),
                                                    "role": "branch", "active": "1", "organisation_id": str(deep)})
    assert r.status_code == 302
    again = _select(client.get(f"/admin/users/{target}").get_data(as_text=True), "user-org")
    assert re.search(rf'<option value="{deep}" selected>静海区委 › 静海镇党委 › {DEEP}</option>', again)


@pytest.mark.browser
@SQLITE_ONLY
def test_admin_finds_a_branch_in_the_tree_on_the_users_page(browser, app, demo, db, live_server, shots):
    _grow(db)
    base, password = live_server, demo["password"]
    with browser_page(browser) as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
        browser_login(page, base, "admin", password)
        page.goto(f"{base}/admin/users")
        picker = page.locator("form#new-user")
        upper = page.locator("#new-user-org option").count()
        assert 10 < upper < 30
        with page.expect_response(lambda r: "/api/v1/organisations/search" in r.url and "237" in r.url):
            page.fill('#new-user input.picker-filter', "第237网格")
        expect(page.locator("#new-user-org option")).to_have_count(1)
        assert page.locator("#new-user-org option").inner_text() == f"静海区委 › 静海镇党委 › {DEEP}"
        assert "找到 1 个组织" in page.locator("#new-user-org-status").inner_text()
        shots(page, "admin-users-picker-search")
        picker.locator("input[name=username]").fill("wangge237")
        picker.locator("input[name=password]").fill("wangge-pass-237")
        picker.locator("select[name=role]").select_option("branch")
        picker.locator("button[value=create]").click()
        page.wait_for_load_state("networkidle")
        assert "已新建用户 wangge237" in page.content()
        assert page.locator("#user-org option:checked").inner_text() == f"静海区委 › 静海镇党委 › {DEEP}"
        # clearing the search brings the upper levels back; a word found nowhere says so
        page.fill("form#edit-user input.picker-filter", "没有这样的组织")
        expect(page.locator("#user-org option")).to_have_count(0)
        assert "没有名称含“没有这样的组织”的组织" in page.locator("#user-org-status").inner_text()
        page.fill("form#edit-user input.picker-filter", "")
        assert page.locator("#user-org option").count() == upper  # the upper levels and the chosen one
        assert page.locator("#user-org option:checked").inner_text().endswith(DEEP)
        assert not errors, errors
    # without JavaScript: the plain list of the upper levels picks and saves
    ctx = browser.new_context(java_script_enabled=False, locale="zh-CN")
    try:
        page = ctx.new_page()
        browser_login(page, base, "admin", password)
        page.goto(f"{base}/admin/users")
        page.fill("form#new-user input[name=username]", "zhenwei")
        page.fill("form#new-user input[name=password]", "zhenwei-pass-1")
        page.select_option("#new-user-org", label="静海区委 › 静海镇党委")
        page.click("form#new-user button[value=create]")
        page.wait_for_load_state("networkidle")
        assert "已新建用户 zhenwei" in page.content()
        assert page.locator("#user-org option:checked").inner_text() == "静海区委 › 静海镇党委"
    finally:
        ctx.close()


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@SQLITE_ONLY
def test_the_district_forms_pick_a_live_branch_found_by_the_search(client, demo, db):
    """落实挂点, 记录督导检查 and 主题党日 offer branches only, through the picker: a small view lists every live
    branch; a large one lists some and the search (``kind=branch&live=1``) finds the rest, which the forms save."""
    quwei, admin = bearer(demo["tokens"]["quwei"]), bearer(demo["tokens"]["admin"])
    person = client.post("/api/v1/people", json={"name": "赵挂点", "rank": "district_leader"}, headers=quwei)
    assert person.status_code == 201, person.get_json()
    group = client.post("/api/v1/supervision-groups", headers=admin, json={
        "name": "第九督导组", "organisation_id": demo["orgs"]["静海区委"], "checklist": ["是否每月8日开展主题党日"]})
    assert group.status_code == 201, group.get_json()
    gid = group.get_json()["id"]
    login(client, "quwei", demo["password"])
    small = client.get("/leaders").get_data(as_text=True)
    assert "data-search" not in small and 0 < len(_options(small, "assign-org")) < len(_branch_ids(db))
    assert set(_options(small, "assign-org")) <= set(_branch_ids(db))  # branches of 静海区委's view, no 党委
    assert "静海区委 › 静海镇党委 › 城关社区党支部</option>" in _select(small, "assign-org")

    _grow(db)
    with db() as s:
        deep = s.execute(select(Organisation.id).where(Organisation.name == LAST)).scalar_one()
        gone = s.execute(select(Organisation).where(Organisation.name == "静海镇第238网格党支部")).scalar_one()
        gone.dissolved_on = datetime.date(2026, 1, 1)
        s.commit()
        gone = gone.id
    # the search for a branch form: branches only, not the dissolved one, the kind checked
    url = "/api/v1/organisations/search"
    found = client.get(url, query_string={"q": "第9网格", "kind": "branch", "live": "1", "limit": "100"},
                       headers=quwei).get_json()["items"]
    assert deep in {o["id"] for o in found} and gone not in {o["id"] for o in found}
    assert {o["kind"] for o in found} == {"branch"}
    assert gone in {o["id"] for o in client.get(url, query_string={"q": "第238", "kind": "branch"},
                                                 headers=quwei).get_json()["items"]}
    assert [o["name"] for o in client.get(url, query_string={"q": "静海镇党委", "kind": "branch", "limit": "3"},
                                          headers=quwei).get_json()["items"]] != ["静海镇党委"]
    assert all(o["kind"] == "branch" for o in client.get(url, query_string={"q": "静海镇党委", "kind": "branch"},
                                                         headers=quwei).get_json()["items"])
    for bad in ({"kind": "村"}, {"live": "yes"}):
        assert client.get(url, query_string=bad, headers=quwei).status_code == 422, bad

    # 落实挂点
    page = client.get("/leaders").get_data(as_text=True)
    assert 'data-search="/api/v1/organisations/search?kind=branch&amp;live=1"' in page
    shown = _options(page, "assign-org")
    assert shown[0] == "" and 1 < len(shown) <= PICKER_ALL + 1 and str(deep) not in shown
    assert set(shown[1:]) <= set(_branch_ids(db)) and str(gone) not in _branch_ids(db)
    assert "其他党支部请输入名称查找" in page
    r = client.post("/leaders", data={"csrf_token": _csrf(page), "action": "assign", "year": "2026",
                                      "person_id": str(person.get_json()["id"]), "organisation_id": str(deep),
                                      "kind": "backward"})
    assert r.status_code == 302
    assert "已落实挂点" in client.get(r.headers["Location"]).get_data(as_text=True)
    # 记录督导检查
    page = client.get("/supervision").get_data(as_text=True)
    assert str(deep) not in _options(page, f"inspect-org-{gid}")
    r = client.post("/supervision", data={"csrf_token": _csrf(page), "action": "inspect", "group_id": str(gid),
                                          "organisation_id": str(deep), "kind": "field", "findings": "台账不全"})
    assert r.status_code == 302
    assert "已记录督导检查" in client.get(r.headers["Location"]).get_data(as_text=True)
    # 主题党日
    page = client.get("/party-days?year=2026").get_data(as_text=True)
    assert str(deep) not in _options(page, "party-day-org")
    r = client.post("/party-days", data={"csrf_token": _csrf(page), "year": "2026", "organisation_id": str(deep),
                                         "held_on": "2026-07-08", "topic": "学习党章", "attended": "9"})
    assert r.status_code == 302
    assert "已保存主题党日记录" in client.get(r.headers["Location"]).get_data(as_text=True)
    with db() as s:
        assert s.scalar(select(LeaderAssignment.organisation_id).where(
            LeaderAssignment.person_id == person.get_json()["id"])) == deep
        assert s.scalar(select(Inspection.organisation_id).where(Inspection.group_id == gid)) == deep
        assert s.scalar(select(PartyDay.attended).where(PartyDay.organisation_id == deep)) == 9


def _branch_ids(db) -> list[str]:
    with db() as s:
        return [str(i) for i in s.execute(select(Organisation.id).where(Organisation.kind == "branch",
                                                                          Organisation.dissolved_on.is_(None))).scalars()]


@pytest.mark.browser
@SQLITE_ONLY
def test_a_district_clerk_finds_a_branch_to_assign_in_the_browser(browser, app, demo, db, live_server):
    """落实挂点 on a view past the list: typing asks the search for live branches only, and the one found is
    assigned."""
    _grow(db)
    assert app.test_client().post("/api/v1/people", headers=bearer(demo["tokens"]["quwei"]),
                                  json={"name": "赵挂点", "rank": "district_leader"}).status_code == 201
    with browser_page(browser) as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
        browser_login(page, live_server, "quwei", demo["password"])
        page.goto(f"{live_server}/leaders")
        with page.expect_response(lambda r: "/api/v1/organisations/search?kind=branch&live=1&limit=50&q=" in r.url):
            page.fill("#assign-form input.picker-filter", "第9网格")
        # "找到 …": the status the search's answer writes (the page's own already says "共 … 个党支部")
        expect(page.locator("#assign-org-status")).to_contain_text("找到")
        labels = page.locator("#assign-org option").all_inner_texts()
        assert f"静海区委 › 静海镇党委 › {LAST}" in labels and all(t.endswith("党支部") for t in labels), labels
        page.select_option("#assign-org", label=f"静海区委 › 静海镇党委 › {LAST}")
        page.click("#assign-form button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "已落实挂点" in page.content()
        assert not errors, errors
    with db() as s:
        last = s.execute(select(Organisation.id).where(Organisation.name == LAST)).scalar_one()
        assert s.scalar(select(LeaderAssignment.organisation_id)) == last
