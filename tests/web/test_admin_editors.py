"""Issue 15, admin without files: the rubric editor (same validation as the YAML, the next grading
uses the edit); 修改密码 is in tests/web/test_accounts.py."""
from __future__ import annotations

import re

from service.auth import hash_password
from service.models import User
from tests.conftest import QUICK_ON_SQLITE, bearer
from tests.web.conftest import BRANCH_A, login


def _csrf(c) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', c.get("/forms").get_data(as_text=True)).group(1)


def _form(page: str) -> dict:
    """Every named input, textarea and selected option of the editor form, as the browser would post it."""
    form = re.search(r'<form method="post" id="rubric-editor">(.*?)</form>', page, re.S).group(1)
    data = {}
    for m in re.finditer(r'<input ([^>]*)>', form):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', m.group(1)))
        if "name" not in attrs or (attrs.get("type") == "checkbox" and "checked" not in m.group(1)):
            continue
        data[attrs["name"]] = attrs.get("value", "")
    for m in re.finditer(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[m.group(1)] = m.group(2)
    for m in re.finditer(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', m.group(2)) or re.search(r'<option value="([^"]*)"', m.group(2))
        data[m.group(1)] = chosen.group(1)
    return data


def _index_of(data: dict, dim: str, item_id: str) -> int:
    return next(int(k.split("-")[2]) for k, v in data.items() if k.startswith(f"item-{dim}-") and k.endswith("-id")
                and v == item_id)


@QUICK_ON_SQLITE
def test_admin_edits_a_rubric_item_and_the_next_grading_uses_it(app, demo):
    from service.checks.rubric import load_rubric

    c = app.test_client()
    login(c, "admin", demo["password"])
    page = c.get("/admin/rubrics/edit?year=2026&domain=organ").get_data(as_text=True)
    assert "沿用的 2025 年标准" in page
    data = _form(page)
    j = _index_of(data, "leadership", "L3")
    assert data[f"ded-leadership-{j}-0-per"] == "0.5"
    data[f"ded-leadership-{j}-0-text"] = "缺一次扣2分"
    data[f"ded-leadership-{j}-0-per"] = "2"
    data["csrf_token"] = _csrf(c)
    resp = c.post("/admin/rubrics/edit", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    rubric = load_rubric(2026, app.config["WUHAO_DATA_DIR"] / "rubrics")
    c1 = next(i for i in rubric.domain("organ")["items"]["leadership"] if i["id"] == "L3")
    assert rubric.year == 2026 and c1["deductions"][0] == {"text": "缺一次扣2分", "per": 2}
    assert load_rubric(2025, app.config["WUHAO_DATA_DIR"] / "rubrics").year == 2025  # 2025 untouched
    # the next grading: 2 marks on L3 now cost 4 points
    marks = {"L3": {"0": 2}}
    resp = c.post("/api/v1/assessments", json={"organisation_id": demo["orgs"][BRANCH_A], "year": 2026,
                                                "marks": marks}, headers=bearer(demo["tokens"]["gongwei"]))
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["scores"]["leadership"] == 16


@QUICK_ON_SQLITE
def test_the_editor_refuses_what_the_yaml_refuses_and_keeps_the_input(app, demo):
    c = app.test_client()
    login(c, "admin", demo["password"])
    data = _form(c.get("/admin/rubrics/edit?year=2026&domain=rural").get_data(as_text=True))
    j = _index_of(data, "leadership", data["item-leadership-0-id"])
    data[f"item-leadership-{j}-points"] = "9"  # the items no longer add up to 20
    data[f"item-leadership-{j}-text"] = "改过的内容"
    data["csrf_token"] = _csrf(c)
    resp = c.post("/admin/rubrics/edit", data=data)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "与该维度满分20分不符" in page and "改过的内容" in page and 'value="9"' in page
    assert not (app.config["WUHAO_DATA_DIR"] / "rubrics" / "2026.yaml").exists()
    # a new item with a deduction larger than its points
    data = _form(c.get("/admin/rubrics/edit?year=2026&domain=rural").get_data(as_text=True))
    n = max(int(k.split("-")[2]) for k in data if k.startswith("item-members-") and k.endswith("-id"))
    data.update({f"item-members-{n}-id": "MX", f"item-members-{n}-text": "新细则", f"item-members-{n}-points": "1",
                 f"ded-members-{n}-0-text": "扣很多", f"ded-members-{n}-0-per": "5", "csrf_token": _csrf(c)})
    page = c.post("/admin/rubrics/edit", data=data).get_data(as_text=True)
    assert "每次扣分5超过细则分值1" in page


def test_admin_adds_edits_moves_and_dissolves_one_organisation(app, demo, db):
    from sqlalchemy import select

    from service.models import Organisation, User

    c = app.test_client()
    login(c, "admin", demo["password"])
    page = c.get("/admin/organisations").get_data(as_text=True)
    assert "静海区委 › 静海镇党委" in page  # the picker names each organisation by its path
    parent = demo["orgs"]["静海镇党委"]
    made = c.post("/admin/organisations", data={"action": "create", "name": "西关社区党支部", "kind": "branch",
                                                 "domain": "community", "member_count": "9", "parent_id": str(parent),
                                                 "csrf_token": _csrf(c)})
    assert made.status_code == 302 and "/admin/organisations/" in made.headers["Location"]
    org_id = int(made.headers["Location"].rsplit("/", 1)[1])
    # the same name under the same parent is refused, the form keeps what was typed
    again = c.post("/admin/organisations", data={"action": "create", "name": "西关社区党支部", "kind": "branch",
                                                  "parent_id": str(parent), "csrf_token": _csrf(c)})
    assert "同一上级组织下已有同名组织" in c.get("/admin/organisations").get_data(as_text=True) or again.status_code == 200
    # edit
    assert c.post(f"/admin/organisations/{org_id}", data={"action": "update", "name": "西关社区党支部", "kind": "branch",
                                                           "domain": "community", "member_count": "11",
                                                           "secretary": "赵敏", "csrf_token": _csrf(c)}).status_code == 302
    # move under the 工委 side: its reviewer sees it at once, the other does not
    new_parent = demo["orgs"]["市财政局机关党委"]
    assert c.post(f"/admin/organisations/{org_id}", data={"action": "move", "parent_id": str(new_parent),
                                                           "csrf_token": _csrf(c)}).status_code == 302
    seen = {o["id"] for o in c.get("/api/v1/organisations", headers=bearer(demo["tokens"]["gongwei"])).get_json()["items"]}
    assert org_id in seen
    seen = {o["id"] for o in c.get("/api/v1/organisations", headers=bearer(demo["tokens"]["quwei"])).get_json()["items"]}
    assert org_id not in seen
    # moving a committee under its own branch is refused
    c.post(f"/admin/organisations/{new_parent}", data={"action": "move", "parent_id": str(org_id), "csrf_token": _csrf(c)})
    # dissolve: needs the confirmation; a parent with live children is refused (the page drawn again, the
    # reason as typed)
    refused = c.post(f"/admin/organisations/{new_parent}", data={"action": "dissolve", "confirm": "1", "reason": "合并",
                                                                  "csrf_token": _csrf(c)})
    assert refused.status_code == 200 and 'value="合并"' in refused.get_data(as_text=True)
    assert "请先移走或撤销其下级组织" in refused.get_data(as_text=True)
    c.post(f"/admin/users", data={"action": "create", "username": "xiguan", "password": "Xiguan-2026!",
                                  "role": "branch", "organisation_id": str(org_id), "csrf_token": _csrf(c)})
    assert c.post(f"/admin/organisations/{org_id}", data={"action": "dissolve", "csrf_token": _csrf(c)}).status_code == 302
    with db() as s:
        assert s.get(Organisation, org_id).dissolved_on is None  # not confirmed
    assert c.post(f"/admin/organisations/{org_id}", data={"action": "dissolve", "confirm": "1", "reason": "社区合并",
                                                           "csrf_token": _csrf(c)}).status_code == 302
    with db() as s:
        org = s.get(Organisation, org_id)
        assert org.dissolved_on is not None and org.secretary == "赵敏" and org.member_count == 11
        assert org.parent_id == new_parent
        assert s.execute(select(User.active).where(User.username == "xiguan")).scalar_one() is False
        assert s.get(Organisation, new_parent).dissolved_on is None
    # no longer offered where a branch is chosen
    c.get("/upload")  # (the flashed message)
    assert f'value="{org_id}"' not in c.get("/upload").get_data(as_text=True)


def test_users_page_searches_pages_and_picks_the_organisation_from_the_tree(app, demo, db):
    c = app.test_client()
    login(c, "admin", demo["password"])
    h = bearer(demo["tokens"]["admin"])
    # 55 accounts: five made through the API, fifty written straight into the database with one
    # password hash between them (a scrypt hash costs 0.15 s of CPU: 55 of them were 8 s per backend)
    for i in range(5):
        assert c.post("/api/v1/users", json={"username": f"clerk{i:02d}", "password": f"Clerk-pass-{i:02d}",
                                             "organisation_id": demo["orgs"][BRANCH_A]}, headers=h).status_code == 201
    shared_hash = hash_password("Clerk-pass-xx")
    with db() as s:
        s.add_all([User(username=f"clerk{i:02d}", display_name=f"clerk{i:02d}", role="branch", active=True,
                        organisation_id=demo["orgs"][BRANCH_A], password_hash=shared_hash) for i in range(5, 55)])
        s.commit()
    page = c.get("/admin/users").get_data(as_text=True)
    assert "第 1/2 页" in page and page.count("/admin/users/") >= 50
    found = c.get("/admin/users?q=clerk0").get_data(as_text=True)
    assert "共 10 条" in found and "clerk05" in found and "clerk15" not in found
    by_org = c.get("/admin/users?q=城关").get_data(as_text=True)  # the organisation's name finds its accounts
    assert "chengguan" in by_org and "yusuan" not in by_org
    assert "静海区委 › 静海镇党委 › 城关社区党支部" in page  # the picker lists paths
    # one user's own page: move to another organisation, reset the password
    uid = int(re.search(r'href="/admin/users/(\d+)">clerk07<', c.get("/admin/users?q=clerk07").get_data(as_text=True)).group(1))
    other = demo["orgs"]["城关社区党支部"]
    resp = c.post(f"/admin/users/{uid}", data={"action": "update", "organisation_id": str(other), "active": "1",
                                               "role": "branch", "password": "", "csrf_token": _csrf(c)})
    assert resp.status_code == 302
    assert c.get("/api/v1/users", headers=h).get_json()["items"][-1]  # still listed
    users = {u["username"]: u for u in c.get("/api/v1/users", headers=h).get_json()["items"]}
    assert users["clerk07"]["organisation_id"] == other


def test_clearing_the_name_of_a_user_or_an_organisation_is_refused_next_to_the_input(app, demo, db):
    """Cleared, the 名称 was read as "leave it": the page said 已保存 and kept the old name."""
    c = app.test_client()
    login(c, "admin", demo["password"])
    org_id = demo["orgs"][BRANCH_A]
    with db() as s:
        uid = s.query(User).filter_by(username="yusuan").one().id
        before = s.get(User, uid).display_name
    resp = c.post(f"/admin/users/{uid}", data={"action": "update", "display_name": "  ", "role": "branch",
                                               "organisation_id": str(org_id), "active": "1", "password": "",
                                               "csrf_token": _csrf(c)})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "已修改用户" not in page
    assert re.search(r'name="display_name" value="\s*"[^>]*aria-invalid="true"', page)
    assert '<span class="field-error" id="refused-display_name">请填写名称。</span>' in page
    resp = c.post(f"/admin/organisations/{org_id}", data={"action": "update", "name": "", "kind": "branch",
                                                           "csrf_token": _csrf(c)})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "已保存" not in page
    assert '<span class="field-error" id="refused-name">请填写名称。</span>' in page
    with db() as s:
        assert s.get(User, uid).display_name == before
        from service.models import Organisation
        assert s.get(Organisation, org_id).name == BRANCH_A
