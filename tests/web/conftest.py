"""Fixtures for the web tests: seeded objects in two subtrees, logged-in clients, a real server, a browser."""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import re
import shutil
import socket
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

from service import config
from service.db import dispose_all
from tests.conftest import (IN_CI, bearer, built_once, demo_accounts, new_pg_template, pg_url_for, run_dir,
                            template_of)
from tests.samples import declaration_docx

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
#: the browser tests' two screens: an office monitor and a phone
OFFICE = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

# Subtree A is 市直机关工委 (gongwei), subtree B is 静海区委 (quwei).
BRANCH_A, BRANCH_B = "市财政局预算科党支部", "城关社区党支部"
LOW_SCORES = {"leadership": 15, "members": 18, "mechanism": 18, "performance": 17, "reputation": 17}


def title_steps(today: dt.date) -> list[tuple[str, str, dict]]:
    """A 工委 branch's records from 预报 to 授牌 in the last biennial round whose 授牌 day lies before `today`,
    so that its title is in its 4-year term today (SZ-3.1), whatever the day: 预报 in March of the even year
    (SZ-2.1), 验收 applied for by 31 March of the odd year after a year of creation (SZ-2.2, 2.3), 表彰 before
    七一 and 授牌 on 1 July (SZ-2.4). The term ends on 28 June four years on, after the next round's 授牌 day."""
    year = today.year if today.year % 2 else today.year - 1
    if dt.date(year, 7, 1) >= today:
        year -= 2
    return [
        ("declare", f"{year - 1}-03-12", {"member_count": 12, "prior_honor": "target_advanced",
                                          "prior_honor_year": year - 2, "has_office": True, "has_equipment": True,
                                          "has_activity_room": True}),
        ("start_creation", f"{year - 1}-03-20", {"plan_summary": "围绕“三会一课”规范化开展创建"}),
        ("apply_acceptance", f"{year}-03-25", {"report_char_count": 2480}),
        ("start_assessment", f"{year}-04-10", {}),
        ("commend", f"{year}-06-28", {"assessment_score": 97}),
        ("award_plaque", f"{year}-07-01", {}),
    ]


def cn_day(day: dt.date) -> str:
    """A date as the pages write it: 2026年9月30日."""
    return f"{day.year}年{day.month}月{day.day}日"


def upload(client, token: str, data: bytes, name: str, **form):
    payload = {"file": (io.BytesIO(data), name), **form}
    return client.post("/api/v1/submissions", data=payload, headers=bearer(token),
                       content_type="multipart/form-data")


def login(client, username: str, password: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = client.post("/login", data={"username": username, "password": password, "csrf_token": csrf})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]


def csrf_of(client) -> str:
    page = client.get("/forms").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


#: template (file or database name) -> (its data directory, the ids of the seeded objects)
SEEDED: dict[str, tuple[Path, dict]] = {}


@pytest.fixture
def seeded(request, database_url, app, demo, data_dir):
    """One submission, one assessment (with findings) and one issued notice in each subtree.

    They are made once per run and backend through the API (``_seed``) into a template that
    ``database_url`` copies, with its data directory copied here: 1 s of uploads, checks and
    PDF rendering per test before."""
    backend = request.node.callspec.params["database_url"]
    files, objs = SEEDED[str(request.getfixturevalue(template_of(request, backend)))]
    shutil.copytree(files, data_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".scratch"))
    return {**demo, "objects": objs}


def _seed_template(url: str, files: Path) -> dict:
    """The seeded objects made through the API of an app on ``url`` whose data is ``files``."""
    from service import create_app
    files.mkdir()
    app = create_app({"DATABASE_URL": url, "WUHAO_DATA_DIR": files, "SECRET_KEY": "test-secret", "TESTING": True})
    objs = _seed(app, app.test_client(), demo_accounts(app))
    dispose_all()
    return objs


@pytest.fixture(scope="session")
def sqlite_seeded_template(sqlite_demo_template):
    """Built once per run for every worker (``built_once``), its data directory next to it."""
    def build(base):
        path = base / "wuhao.db"
        shutil.copy(sqlite_demo_template, path)
        return {"path": str(path), "objects": _seed_template(f"sqlite:///{path}", base / "data")}
    built = built_once("sqlite-seeded-template", build)
    SEEDED[built["path"]] = (Path(built["path"]).parent / "data", built["objects"])
    return Path(built["path"])


@pytest.fixture(scope="session")
def pg_seeded_template(pg_admin, pg_demo_template):
    def build(base):
        name = new_pg_template(pg_admin, "wuhao_seeded_tmpl", pg_demo_template)
        return {"name": name, "objects": _seed_template(pg_url_for(name), base / "data")}
    built = built_once("pg-seeded-template", build)
    SEEDED[built["name"]] = (run_dir() / "pg-seeded-template" / "data", built["objects"])
    return built["name"]


def _seed(app, client, demo) -> dict:
    tokens, orgs = demo["tokens"], demo["orgs"]
    objs = {}
    for side, branch, user in (("A", BRANCH_A, "yusuan"), ("B", BRANCH_B, "chengguan")):
        org_id = orgs[branch]
        resp = upload(client, tokens[user], declaration_docx(branch=branch), f"申报表{side}.docx")
        assert resp.status_code == 201, resp.get_json()
        sub = resp.get_json()
        reviewer = "gongwei" if side == "A" else "quwei"
        a = client.post("/api/v1/assessments", json={"organisation_id": org_id, "year": 2025,
                                                     "scores": LOW_SCORES},
                        headers=bearer(tokens[reviewer]))
        assert a.status_code == 201, a.get_json()
        n = client.post("/api/v1/notices", json={"kind": "rectification-notice", "record_id": a.get_json()["id"]},
                        headers=bearer(tokens[reviewer]))
        assert n.status_code == 201, n.get_json()
        item = client.post("/api/v1/ledger", json={"organisation_id": org_id, "assessment_id": a.get_json()["id"],
                                                   "category": "组织生活", "problem": "三会一课记录不全"},
                           headers=bearer(tokens[reviewer]))
        assert item.status_code == 201, item.get_json()
        note = client.post(f"/api/v1/ledger/{item.get_json()['id']}/notes", headers=bearer(tokens[user]),
                           data={"body": "已补齐记录", "file": (io.BytesIO(b"%PDF-1.4 evidence"), "记录.pdf")},
                           content_type="multipart/form-data")
        assert note.status_code == 201, note.get_json()
        from tests.web.test_preview import pdf_form

        pdf = upload(client, tokens[user], pdf_form(branch), f"申报表{side}.pdf")
        assert pdf.status_code == 201, pdf.get_json()
        objs[side] = {"org": org_id, "sub": sub["id"], "assessment": a.get_json()["id"], "pdf": pdf.get_json()["id"],
                      "document": n.get_json()["documents"][0]["id"],
                      "item": item.get_json()["id"], "note": note.get_json()["id"],
                      "job": _queued_batch(app, branch, reviewer_org=orgs["市直机关工委" if side == "A" else "静海区委"]),
                      "user": _user_id(app, user),
                      **_district_objects(client, tokens, org_id, reviewer, user,
                                          orgs["市直机关工委" if side == "A" else "静海区委"]),
                      **_two_books_objects(client, tokens, org_id, reviewer, user)}
    return objs


def _district_objects(client, tokens, org_id: int, reviewer: str, user: str, committee: int) -> dict:
    """A leader with a branch and a visit, a 督导组 with an inspection (one finding not yet in the ledger) and
    a party day, in each subtree (issue 12)."""
    h = bearer(tokens[reviewer])
    person = client.post("/api/v1/people", json={"name": "王志强", "rank": "district_leader"}, headers=h)
    assert person.status_code == 201, person.get_json()
    a = client.post("/api/v1/assignments", json={"person_id": person.get_json()["id"], "organisation_id": org_id,
                                                 "year": 2026}, headers=h)
    assert a.status_code == 201, a.get_json()
    visit = client.post(f"/api/v1/assignments/{a.get_json()['id']}/visits", json={"found": "台账不全"}, headers=h)
    assert visit.status_code == 201, visit.get_json()
    group = client.post("/api/v1/supervision-groups", headers=bearer(tokens["admin"]), json={
        "name": f"督导组{committee}", "organisation_id": committee, "checklist": ["是否每月8日开展主题党日"]})
    assert group.status_code == 201, group.get_json()
    ins = client.post("/api/v1/inspections", headers=h, json={
        "group_id": group.get_json()["id"], "organisation_id": org_id, "findings": [{"text": "记录不全"}]})
    assert ins.status_code == 201, ins.get_json()
    day = client.post("/api/v1/party-days", headers=bearer(tokens[user]), json={"held_on": "2026-07-08", "attended": 8})
    assert day.status_code == 201, day.get_json()
    return {"person": person.get_json()["id"], "assignment": a.get_json()["id"], "visit": visit.get_json()["id"],
            "group": group.get_json()["id"], "inspection": ins.get_json()["id"], "day": day.get_json()["id"],
            **_secretary_objects(client, h, org_id)}


def _secretary_objects(client, h, org_id: int) -> dict:
    """A 书记项目 of the branch's 党委 and a training class its secretary attended (issue 12, JH-5)."""
    parent = client.get(f"/api/v1/organisations/{org_id}", headers=h).get_json()["parent_id"]
    project = client.post("/api/v1/secretary-projects", headers=h, json={
        "organisation_id": parent, "year": 2026, "title": "党建引领基层治理",
        "milestones": {"problem": {"status": "done", "done_on": "2026-05-20", "note": "已解决"}}})
    assert project.status_code == 201, project.get_json()
    topic = client.post("/api/v1/training/topics", headers=h, json={"name": "党支部工作条例"})
    assert topic.status_code == 201, topic.get_json()
    cls = client.post("/api/v1/training/classes", headers=h, json={
        "topic_id": topic.get_json()["id"], "held_on": "2026-06-10", "place": "党校", "capacity": 30})
    assert cls.status_code == 201, cls.get_json()
    mark = client.post(f"/api/v1/training/classes/{cls.get_json()['id']}/attendance", headers=h,
                       json={"organisation_id": org_id, "attended": True})
    assert mark.status_code == 200, mark.get_json()
    return {"project": project.get_json()["id"], "class": cls.get_json()["id"], "committee": parent,
            "topic": topic.get_json()["id"]}


def _two_books_objects(client, tokens, org_id: int, reviewer: str, user: str) -> dict:
    """A member of the branch and a 抽查 with one problem not yet in the ledger, in each subtree (issue 12, JH-6)."""
    member = client.post("/api/v1/members", json={"name": "郑海", "card_number": f"M{org_id}"},
                         headers=bearer(tokens[user]))
    assert member.status_code == 201, member.get_json()
    check = client.post("/api/v1/spot-checks", headers=bearer(tokens[reviewer]), json={
        "organisation_id": org_id, "checker": "刘明", "outcome": "fair", "problems": [{"text": "纪实不全"}]})
    assert check.status_code == 201, check.get_json()
    return {"member": member.get_json()["id"], "check": check.get_json()["id"]}


def _queued_batch(app, branch: str, reviewer_org: int) -> int:
    """A batch job of the reviewer's committee, left queued (no worker is started)."""
    import tempfile

    from service.batch.sample import sample_members, write_roster
    from service.config import settings_of
    from service.batch.state import create_job
    from service.db import session_scope
    from service.storage import store_for

    with tempfile.NamedTemporaryFile(suffix=".csv") as fh:
        write_roster(sample_members(3, branches=[branch]), fh.name)
        data = open(fh.name, "rb").read()
    with session_scope(app.config["DATABASE_URL"]) as s:
        job, _ = create_job(s, store_for(settings_of(app).data_dir), data, "名册.csv", "party-card", {},
                            organisation_id=reviewer_org)
        return job.id


def _user_id(app, username: str) -> int:
    from sqlalchemy import select

    from service.db import session_scope
    from service.models import User

    with session_scope(app.config["DATABASE_URL"]) as s:
        return s.execute(select(User.id).where(User.username == username)).scalar_one()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server(app):
    """The app on a real HTTP server (werkzeug, threaded) on 127.0.0.1:<free port>."""
    from werkzeug.serving import make_server

    app.extensions[config.EXTENSION] = dataclasses.replace(config.settings_of(app), batch_workers=1)
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(10)


def _chromium_available() -> bool:
    return Path(CHROMIUM).exists() or bool(shutil.which("chromium"))


@pytest.fixture(scope="session")
def browser():
    if not _chromium_available():
        if IN_CI:
            pytest.fail(f"CI=true but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
                               args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def shots():
    """Save a screenshot under tests/artifacts/screenshots/<name>.png; returns the path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, full_page: bool = True) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path
    return take


@pytest.fixture
def site(app, demo, live_server):
    """The live site of a browser test: its address, the demo password, tokens and organisations."""
    return {"base": live_server, "password": demo["password"], "orgs": demo["orgs"], "tokens": demo["tokens"]}


@contextmanager
def browser_page(browser, viewport=OFFICE):
    """A page in a fresh browser context (its own cookies: one user each), in Chinese, that accepts
    downloads; the context is closed when the block ends, failed or not."""
    ctx = browser.new_context(viewport=viewport, locale="zh-CN", accept_downloads=True)
    try:
        yield ctx.new_page()
    finally:
        ctx.close()


def browser_login(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/login" not in page.url, page.content()[:500]


os.environ.setdefault("WUHAO_BATCH_AUTORESUME", "0")
