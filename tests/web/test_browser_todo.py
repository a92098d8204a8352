"""Browser tests of issue 15's 待办 and admin pages (Debian's chromium through Playwright, SQLite):
a branch sees its to-do with a countdown, fixes a returned submission and sees it leave the list;
an admin changes a rubric item in the editor and the next grading uses it; 修改密码 in the page."""
from __future__ import annotations

import re

import pytest

from tests.conftest import SQLITE_ONLY, bearer
from tests.samples import declaration_docx
from tests.web.conftest import BRANCH_A, OFFICE, PHONE, browser_login, browser_page, upload

pytestmark = [pytest.mark.browser, SQLITE_ONLY]


def _supplement(app, site, days: int = 10) -> int:
    """A reviewer asks the branch for 补正 on its 申报表 (too few members) with a 补正通知 due in ``days``."""
    c = app.test_client()
    tokens = site["tokens"]
    sub = upload(c, tokens["yusuan"], declaration_docx(branch=BRANCH_A, members=5), "预算科申报表.docx").get_json()["id"]
    h = bearer(tokens["gongwei"])
    assert c.post(f"/api/v1/submissions/{sub}/check", json={}, headers=h).status_code == 200
    assert c.post(f"/api/v1/submissions/{sub}/decisions", json={"decision": "claim"}, headers=h).status_code == 200
    assert c.post(f"/api/v1/submissions/{sub}/decisions", json={"decision": "supplement",
                                                                  "comment": "党员人数不足7人，请核实后补正。"},
                  headers=h).status_code == 200
    assert c.post("/api/v1/notices", json={"kind": "supplement-notice", "record_id": sub, "days": days},
                  headers=h).status_code == 201
    return sub


@pytest.mark.parametrize("viewport", [OFFICE, PHONE], ids=["desktop", "phone"])
def test_branch_sees_its_todo_with_a_countdown_fixes_and_it_leaves(app, browser, site, tmp_path, shots, viewport):
    base = site["base"]
    sub = _supplement(app, site, days=10)
    with browser_page(browser, viewport) as page:
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        browser_login(page, base, "yusuan", site["password"])
        assert page.url.rstrip("/") == base  # the start page is 待办
        item = page.locator(f'#todo li:has(a[href="/submissions/{sub}"])')
        assert item.count() == 1
        assert "还剩10天" in item.locator(".countdown").inner_text()
        assert "党员人数不足7人" in item.inner_text()
        assert page.locator("#unread-badge").text_content() == "2"
        shots(page, f"todo-branch-01-returned-{viewport['width']}")
        # fix it: 去办理 leads to the upload page; the corrected form goes up
        item.locator("a.button", has_text="去办理").click()
        page.wait_for_url(re.compile(r"/upload"))
        fixed = tmp_path / "预算科申报表（补正）.docx"
        fixed.write_bytes(declaration_docx(branch=BRANCH_A, members=12))
        page.set_input_files("#file-input", [str(fixed)])
        page.click("#upload-button")
        page.wait_for_url(re.compile(r"/submissions/\d+"))
        page.goto(base + "/")
        assert page.locator(f'#todo a[href="/submissions/{sub}"]').count() == 0
        shots(page, f"todo-branch-02-fixed-{viewport['width']}")
        # the messages: opening one marks it read
        if page.locator(".menu-toggle").is_visible():  # a phone: the menu opens first
            page.click(".menu-toggle")
        page.click("#messages-link")
        page.locator("#messages form button").first.click()
        page.wait_for_load_state("networkidle")
        assert page.locator("#unread-badge").text_content() == "1"
        assert not [e for e in errors if "Content Security Policy" in e], errors


def test_overdue_items_are_red(app, browser, site, shots):
    import datetime as dt

    c = app.test_client()
    past = (dt.date.today() - dt.timedelta(days=4)).isoformat()
    assert c.post("/api/v1/ledger", json={"organisation_id": site["orgs"][BRANCH_A], "category": "组织生活",
                                          "problem": "三会一课记录不全", "due_on": past},
                  headers=bearer(site["tokens"]["gongwei"])).status_code == 201
    with browser_page(browser) as page:
        browser_login(page, site["base"], "yusuan", site["password"])
        item = page.locator("#todo li.overdue")
        assert item.count() == 1 and "已逾期4天" in item.inner_text()
        color = item.locator(".countdown").evaluate("e => getComputedStyle(e).color")
        assert color == "rgb(183, 28, 28)", color
        shots(page, "todo-branch-03-overdue")


def test_admin_changes_a_rubric_item_and_the_next_grading_uses_it(app, browser, site, shots):
    base = site["base"]
    with browser_page(browser) as page:
        browser_login(page, base, "admin", site["password"])
        page.goto(f"{base}/admin/rubrics")
        page.click("#rubric-edit-link")
        page.fill('input[name="year"]', "2026")
        page.select_option('select[name="domain"]', "organ")
        page.click("form[method=get] button[type=submit]")
        page.wait_for_load_state("networkidle")
        row = page.locator('#rubric-editor tr.rubric-item[data-item="L3"]')
        row.locator("input[name$='-0-text']").fill("缺一次扣2分")
        row.locator("input[name$='-0-per']").fill("2")
        shots(page, "admin-rubric-editor")
        page.click("#rubric-save")
        page.wait_for_load_state("networkidle")
        assert "已保存并启用 2026 年评分标准" in page.locator("main").inner_text()
        # a reviewer grades with the edited item: 2 marks on L3 cost 4 points
        page.context.clear_cookies()
        browser_login(page, base, "gongwei", site["password"])
        page.goto(f"{base}/scores?organisation_id={site['orgs'][BRANCH_A]}&year=2026")
        page.check('input[name="mode"][value="items"]')
        page.locator("#score-form details summary").click()
        label = page.locator("#score-form label", has_text="缺一次扣2分")
        assert label.count() == 1
        label.locator("input").fill("2")
        page.click("#score-form button[type=submit]")
        page.wait_for_load_state("networkidle")
        saved = page.locator("#saved").inner_text()
        assert "总分" in saved
        total = app.test_client().get("/api/v1/assessments", headers=bearer(site["tokens"]["gongwei"])).get_json()
        latest = max(total["items"], key=lambda a: a["id"])
        assert latest["year"] == 2026 and latest["scores"]["leadership"] == 16
        shots(page, "admin-rubric-next-grading")


def test_everyone_changes_their_password_in_the_page(app, browser, site, shots):
    base = site["base"]
    with browser_page(browser) as page:
        browser_login(page, base, "chengguan", site["password"])
        page.click("a.who")
        page.fill('input[name="current_password"]', site["password"])
        page.fill('input[name="new_password"]', "12345678")
        page.fill('input[name="confirm_password"]', "12345678")
        page.click("#password button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "太常见" in page.locator("#err-new").inner_text()
        page.fill('input[name="current_password"]', site["password"])
        page.fill('input[name="new_password"]', "Chengguan-2026!")
        page.fill('input[name="confirm_password"]', "Chengguan-2026!")
        page.click("#password button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "密码已修改" in page.locator("main").inner_text()
        shots(page, "account-password-changed")
        page.context.clear_cookies()
        browser_login(page, base, "chengguan", "Chengguan-2026!")


def test_pages_warn_before_the_session_times_out(app, browser, site):
    import dataclasses

    from service import config

    # a one-minute session: the two-minute warning is due at once
    app.extensions[config.EXTENSION] = dataclasses.replace(config.settings_of(app), session_minutes=1)
    with browser_page(browser) as page:
        browser_login(page, site["base"], "yusuan", site["password"])
        notice = page.locator("#session-notice")
        notice.wait_for(state="visible", timeout=10_000)
        assert "自动退出" in notice.inner_text()
