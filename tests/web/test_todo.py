"""Issue 15, 待办 and reminders: each role's start page is its to-do list built from the records,
with countdowns and overdue items in red; in-app messages with unread counts made by the events;
the daily reminder job, and its e-mail through a real SMTP server on 127.0.0.1."""
from __future__ import annotations

import datetime as dt
import io
import re
import threading

import pytest
from sqlalchemy import select, update

from tests.conftest import QUICK_ON_SQLITE, bearer
from tests.samples import declaration_docx
from tests.web.conftest import BRANCH_A, login, upload


def _csrf(c) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', c.get("/forms").get_data(as_text=True)).group(1)


def returned_with_notice(client, demo, days: int = 10) -> int:
    """A branch's 申报表 with too few members, asked for 补正 with a 补正通知 due in ``days``."""
    tokens = demo["tokens"]
    sub = upload(client, tokens["yusuan"], declaration_docx(members=5), "申报表.docx").get_json()["id"]
    h = bearer(tokens["gongwei"])
    assert client.post(f"/api/v1/submissions/{sub}/check", json={}, headers=h).status_code == 200
    for decision, comment in (("claim", None), ("supplement", "党员人数不足7人，请核实后补正。")):
        body = {"decision": decision, **({"comment": comment} if comment else {})}
        resp = client.post(f"/api/v1/submissions/{sub}/decisions", json=body, headers=h)
        assert resp.status_code == 200, resp.get_json()
    notice = client.post("/api/v1/notices", json={"kind": "supplement-notice", "record_id": sub, "days": days},
                         headers=h)
    assert notice.status_code == 201, notice.get_json()
    return sub


def test_branch_sees_its_todo_with_a_countdown_and_a_fix_takes_it_off(app, demo):
    c = app.test_client()
    sub = returned_with_notice(c, demo, days=10)
    login(c, "yusuan", demo["password"])
    page = c.get("/").get_data(as_text=True)
    assert 'id="todo"' in page and f'href="/submissions/{sub}"' in page
    assert "需补正" in page and "还剩10天" in page and "党员人数不足7人" in page
    todo = c.get("/api/v1/todo").get_json()
    item = next(i for i in todo["items"] if i["kind"] == "returned")
    assert item["days_left"] == 10 and item["due"] == (dt.date.today() + dt.timedelta(days=10)).isoformat()
    # the events told the branch: the 补正 decision and the notice, unread in the header
    assert re.search(r'id="unread-badge"[^>]*>2<', page), page[:3000]
    # the branch uploads the corrected form: the item leaves the list
    assert upload(c, demo["tokens"]["yusuan"], declaration_docx(members=12), "申报表（补正）.docx").status_code == 201
    after = c.get("/api/v1/todo").get_json()["items"]
    assert not any(i["kind"] == "returned" for i in after)
    assert f'href="/submissions/{sub}"' not in c.get("/").get_data(as_text=True)


def test_overdue_rectification_is_red_for_the_branch_and_on_the_reviewers_list(app, demo):
    c = app.test_client()
    org = demo["orgs"][BRANCH_A]
    past = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    made = c.post("/api/v1/ledger", json={"organisation_id": org, "category": "组织生活", "problem": "三会一课记录不全",
                                          "due_on": past}, headers=bearer(demo["tokens"]["gongwei"]))
    assert made.status_code == 201, made.get_json()
    login(c, "yusuan", demo["password"])
    page = c.get("/").get_data(as_text=True)
    assert re.search(r'class="todo-item overdue"[^>]*>\s*<div class="todo-main">\s*<a href="/ledger/\d+">整改事项：三会一课记录不全', page)
    assert "已逾期3天" in page and "有 1 项已逾期" in page
    r = app.test_client()
    login(r, "gongwei", demo["password"])
    items = r.get("/api/v1/todo").get_json()["items"]
    assert any(i["kind"] == "rectification" and i["overdue"] and "三会一课" in i["title"] for i in items)
    # another committee's reviewer does not see it
    items = app.test_client().get("/api/v1/todo", headers=bearer(demo["tokens"]["quwei"])).get_json()["items"]
    assert not any("三会一课" in i["title"] for i in items)


def test_reviewer_todo_counts_the_queue_and_finished_batches(app, demo, db):
    from tests.web.conftest import _queued_batch
    from service.models import BatchJob

    c = app.test_client()
    assert upload(c, demo["tokens"]["yusuan"], declaration_docx(), "申报表.docx").status_code == 201
    job = _queued_batch(app, BRANCH_A, reviewer_org=demo["orgs"]["市直机关工委"])
    with db() as s:
        s.execute(update(BatchJob).where(BatchJob.id == job).values(state="done", total=3, done=3,
                                                                    finished_at=dt.datetime.now(dt.timezone.utc)))
        s.commit()
    items = c.get("/api/v1/todo", headers=bearer(demo["tokens"]["gongwei"])).get_json()["items"]
    assert any(i["kind"] == "queue" and i["title"] == "1份材料待审核" for i in items)
    assert any(i["kind"] == "batch" and i["link"] == f"/batches/{job}" and "已完成" in i["title"] for i in items)
    other = c.get("/api/v1/todo", headers=bearer(demo["tokens"]["quwei"])).get_json()["items"]
    assert not any(i["kind"] == "batch" for i in other) and not any(i["kind"] == "queue" for i in other)
    login(c, "gongwei", demo["password"])
    assert "1份材料待审核" in c.get("/").get_data(as_text=True)


@pytest.mark.parametrize("today,state,reviewer,title,due", [
    ("2026-02-10", None, False, "2026年预报申报将于2026年3月1日开始", "2026-03-01"),
    ("2026-03-15", None, False, "2026年预报申报截止", "2026-03-31"),
    ("2026-03-15", "creating", False, None, None),  # a branch already creating: no 预报 window
    ("2027-02-01", "creating", False, "2027年验收申请截止", "2027-03-31"),
    ("2026-10-15", "in_term", False, "2026年度考核报告截止", "2026-11-30"),
    ("2026-10-15", None, True, "2026年度考核报告截止", "2026-11-30"),
    ("2026-06-15", "in_term", False, None, None),  # nothing near in June
])
def test_programme_windows(today, state, reviewer, title, due):
    from service.models import CreationCycle
    from service.usecases.todo import windows

    cycle = CreationCycle(state=state, facts={}) if state else None
    found = windows(dt.date.fromisoformat(today), cycle, reviewer=reviewer)
    if title is None:
        assert found == [], found
    else:
        item = next(i for i in found if i["title"] == title)
        assert item["due"] == due and item["countdown"] == f"还剩{(dt.date.fromisoformat(due) - dt.date.fromisoformat(today)).days}天"


def test_creation_progress_after_the_application_is_accepted(app, demo):
    c = app.test_client()
    sub = upload(c, demo["tokens"]["yusuan"], declaration_docx(), "申报表.docx").get_json()["id"]
    h = bearer(demo["tokens"]["gongwei"])
    for decision in ("claim", "approve"):
        assert c.post(f"/api/v1/submissions/{sub}/decisions", json={"decision": decision}, headers=h).status_code == 200
    login(c, "yusuan", demo["password"])
    page = c.get(f"/organisations/{demo['orgs'][BRANCH_A]}").get_data(as_text=True)
    state = re.search(r'id="cycle-state">([^<]+)<', page).group(1)
    assert state == "预报申报已通过审核" and "等待上级登记预报" in page
    assert '<li aria-current="step"><strong>预报（当前）</strong>' in page
    assert "预报申报已通过审核" in c.get("/").get_data(as_text=True)


def test_creation_progress_marks_the_forecast_step_while_the_application_is_asked_to_change(app, demo):
    """A 申报表 asked for 补正 (or returned, or waiting) left the ten stages unmarked, as if nothing had begun:
    the branch is at 预报, and the page says so beside the state in words."""
    c = app.test_client()
    returned_with_notice(c, demo)
    login(c, "yusuan", demo["password"])
    page = c.get(f"/organisations/{demo['orgs'][BRANCH_A]}").get_data(as_text=True)
    assert re.search(r'id="cycle-state">([^<]+)<', page).group(1) == "预报申报需补正"
    assert page.count('aria-current="step"') == 1 and '<li aria-current="step"><strong>预报（当前）</strong>' in page


def test_messages_api_counts_and_marks_read_only_ones_own(app, demo):
    c = app.test_client()
    returned_with_notice(c, demo)
    h = bearer(demo["tokens"]["yusuan"])
    listing = c.get("/api/v1/messages", headers=h).get_json()
    assert listing["unread"] == 2 and {m["kind"] for m in listing["items"]} == {"supplement", "notice"}
    notice = next(m for m in listing["items"] if m["kind"] == "notice")
    assert notice["link"].startswith("/notices/") and "办理期限" in notice["body"]
    # the home page's 未读消息 open where they point, as on /messages (they were plain text there)
    login(c, "yusuan", demo["password"])
    home = c.get("/").get_data(as_text=True)
    assert len(re.findall(r'action="/messages/\d+/open"', home[home.index("未读消息"):])) == 2
    # 只看未读 and 全部标为已读 on one line (a <p> holding the form was split by the parser, the button alone below)
    assert re.search(r'<div class="message-actions"><a [^>]+>只看未读</a>\s*<form [^>]+>\s*<input [^>]+><button [^>]+>全部标为已读', c.get("/messages").get_data(as_text=True))
    # another user can neither see nor mark them
    assert c.get("/api/v1/messages", headers=bearer(demo["tokens"]["chengguan"])).get_json()["items"] == []
    other = c.post("/api/v1/messages/read", json={"ids": [notice["id"]]}, headers=bearer(demo["tokens"]["chengguan"]))
    assert other.get_json()["marked"] == 0
    assert c.post("/api/v1/messages/read", json={"ids": [notice["id"]]}, headers=h).get_json()["unread"] == 1
    assert c.post("/api/v1/messages/read", json={"all": True}, headers=h).get_json()["unread"] == 0
    assert c.get("/api/v1/messages?unread=1", headers=h).get_json()["items"] == []
    # the page: opening a message goes where it points
    login(c, "yusuan", demo["password"])
    page = c.get("/messages").get_data(as_text=True)
    mid = re.search(r'action="/messages/(\d+)/open"', page).group(1)
    resp = c.post(f"/messages/{mid}/open", data={"csrf_token": _csrf(c)})
    assert resp.status_code == 302 and resp.headers["Location"].startswith(("/notices/", "/submissions/"))


class _Inbox:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""

    def __init__(self):
        self.mails: list = []
        self.event = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.mails.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        self.event.set()
        return "250 OK"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    from tests.web.conftest import free_port

    handler = _Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


@QUICK_ON_SQLITE
def test_daily_reminder_tells_once_and_mails_through_smtp(app, demo, db, smtp_server):
    import dataclasses
    from email import message_from_string
    from email.header import decode_header, make_header

    from service import config
    from service.models import Message, User
    from service.usecases import messages

    controller, handler = smtp_server
    org = demo["orgs"][BRANCH_A]
    soon = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    c = app.test_client()
    assert c.post("/api/v1/ledger", json={"organisation_id": org, "category": "制度执行", "problem": "主题党日未固定",
                                          "due_on": soon}, headers=bearer(demo["tokens"]["gongwei"])).status_code == 201
    assert c.post("/account", data={}).status_code == 400  # (no session: CSRF)
    login(c, "yusuan", demo["password"])
    assert c.post("/account", data={"action": "email", "email": "yusuan@example.org",
                                    "csrf_token": _csrf(c)}).status_code == 302
    settings = dataclasses.replace(config.settings_of(app), smtp_host="127.0.0.1", smtp_port=controller.port,
                                   smtp_sender="wuhao@example.org", remind_days=7)
    with db() as s:
        first = messages.remind(s, settings)
        s.commit()
    assert first["messages"] >= 2 and first["mailed"] >= 1  # yusuan and the reviewers over it
    with db() as s:
        again = messages.remind(s, settings)
        s.commit()
        uid = s.execute(select(User.id).where(User.username == "yusuan")).scalar_one()
        mine = list(s.execute(select(Message).where(Message.user_id == uid)).scalars())
    assert again == {"messages": 0, "mailed": 0}  # told once
    assert [m.title for m in mine] == ["即将到期：整改事项：主题党日未固定"] and mine[0].emailed_at is not None
    assert handler.event.wait(10)
    rcpt, raw = handler.mails[0]
    mail = message_from_string(raw)
    assert rcpt == ["yusuan@example.org"] and mail["From"] == "wuhao@example.org"
    assert "主题党日未固定" in str(make_header(decode_header(mail["Subject"])))
    body = mail.get_payload(decode=True).decode("utf-8")
    assert "还剩5天" in body and "/ledger/" in body
    # without SMTP nothing is mailed and the messages stay unmailed for later
    with db() as s:
        assert messages.send_pending(s, dataclasses.replace(settings, smtp_host=None)) == 0


@QUICK_ON_SQLITE
def test_an_unreachable_smtp_server_keeps_the_messages_for_the_next_run(app, demo, db):
    import dataclasses

    from service import config, inbox
    from service.models import Message, User
    from service.usecases import messages
    from tests.web.conftest import free_port

    with db() as s:
        user = s.execute(select(User).where(User.username == "yusuan")).scalar_one()
        user.email = "yusuan@example.org"
        inbox.post(s, [user.id], "deadline", "测试", "正文", "/")
        s.commit()
    settings = dataclasses.replace(config.settings_of(app), smtp_host="127.0.0.1", smtp_port=free_port())
    with db() as s:
        assert messages.send_pending(s, settings) == 0
        s.commit()
        assert s.execute(select(Message.emailed_at)).scalar_one() is None


@QUICK_ON_SQLITE
def test_remind_command_runs_in_this_process(app, demo, tmp_path):
    """``wuhao remind`` through click in this process: the quick tier's form of the next test."""
    from click.testing import CliRunner

    from service.cli import main

    env = {"DATABASE_URL": app.config["DATABASE_URL"], "WUHAO_DATA_DIR": str(tmp_path)}
    out = CliRunner().invoke(main, ["remind", "--as-of", "2026-11-20"], env=env, catch_exceptions=False)
    assert out.exit_code == 0, out.output
    assert re.match(r"新消息 \d+ 条，发出邮件 0 封", out.output.strip()), out.output


@pytest.mark.slow  # a Python process (importing the service is 2 to 4 s of CPU); the test above is its quick form
@QUICK_ON_SQLITE
def test_remind_command_runs(app, demo, tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "WUHAO_DATA_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "service", "remind", "--as-of", "2026-11-20"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-1500:]
    assert re.match(r"新消息 \d+ 条，发出邮件 0 封", out.stdout.strip()), out.stdout


def test_a_brand_registration_is_on_the_todo_of_the_level_it_waits_for_and_a_return_on_the_unit_s(app, demo):
    """A 党建品牌 registration waits level by level: it is on the start page of the level it waits at (the
    community showed 眼下没有待办事项 beside a registration waiting for it), and a return is on the unit's."""
    from service.demo_forms import brand_form, brand_materials_docx

    c = app.test_client()
    tokens, grid = demo["tokens"], "城东社区第一网格党支部"
    wangge = bearer(tokens["wangge"])
    bid = c.post("/api/v1/brands", headers=wangge, json={"name": "楼道微课堂"}).get_json()["id"]
    form = upload(c, tokens["wangge"], brand_form(grid, "楼道微课堂"), "登记表.docx").get_json()["id"]
    mats = upload(c, tokens["wangge"], brand_materials_docx(grid, "楼道微课堂"), "综合材料.docx").get_json()["id"]
    r = c.post(f"/api/v1/brands/{bid}/registration", headers=wangge,
               json={"form_submission_id": form, "materials_submission_id": mats})
    assert r.status_code == 200, r.get_json()

    def titles(who: str) -> dict:
        return {i["title"]: i["link"] for i in c.get("/api/v1/todo", headers=bearer(tokens[who])).get_json()["items"]}

    assert titles("shequ").get("党建品牌“楼道微课堂”登记待审核") == f"/community/brands/{bid}"
    assert "党建品牌“楼道微课堂”登记待审核" not in titles("jiedao")  # not its turn yet
    back = c.post(f"/api/v1/brands/{bid}/decisions", headers=bearer(tokens["shequ"]),
                  json={"decision": "return", "comment": "请补充服务成效。"})
    assert back.status_code == 200, back.get_json()
    # nothing left for the community but the programme's windows open today (a reviewer sees them all: in March
    # of an even year 预报申报截止, so a bare 眼下没有待办事项 failed on those days)
    from service.usecases.todo import windows

    open_windows = {w["title"] for w in windows(dt.date.today(), None, reviewer=True)}
    assert set(titles("shequ")) == open_windows
    assert titles("wangge").get("党建品牌“楼道微课堂”登记被退回") == f"/community/brands/{bid}"
    login(c, "shequ", demo["password"])
    home = c.get("/").get_data(as_text=True)
    assert "楼道微课堂" not in home and all(t in home for t in open_windows)
    assert ("眼下没有待办事项" in home) == (not open_windows)
