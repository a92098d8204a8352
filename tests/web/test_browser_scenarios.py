"""Issue 11's closing scenarios once more in the browser (Playwright, Debian's chromium): a 工委 branch
表彰 → 授牌 → 荣誉证书 (preview with its number, confirmation) → 自然摘牌 with its ground (confirmation page)
→ /verify (number + check code, from the QR link) shows 已撤销; and a 区委 rural branch's 相对后进 record
→ 限期整改通知书 → 整改任务书 → ledger update → 销号 → a 季度通报 that counts the closure."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.conftest import SQLITE_ONLY, bearer
from tests.web.conftest import browser_login, browser_page, cn_day, title_steps

pytestmark = [pytest.mark.browser, pytest.mark.slow, SQLITE_ONLY]



def _sign(page) -> str:
    """On a preview: tick the confirmation, sign, and return the number the flash names."""
    expected = page.locator("#expected-number").inner_text().strip()
    page.check("#confirm-issue")
    page.click("#issue-button", timeout=120_000)  # signing renders the PDF and the DOCX: 19 s seen on a busy machine
    page.wait_for_load_state()
    assert expected in page.content()
    return expected


def test_municipal_branch_title_to_verify_in_the_browser(app, browser, site, shots):
    base, org = site["base"], site["orgs"]["市财政局预算科党支部"]
    client = app.test_client()
    today = dt.date.today()
    # the records up to 表彰 (the forms' facts), as the API test walks them, in the last round before today:
    # a fixed 2025 round's term ended on 28 June 2029 and /verify then answered 已失效
    *steps, (_, awarded_on, _) = title_steps(today)
    for event, as_of, facts in steps:
        r = client.post(f"/api/v1/organisations/{org}/cycle/transitions", headers=bearer(site["tokens"]["gongwei"]),
                        json={"event": event, "as_of": as_of, "facts": facts})
        assert r.status_code == 200, r.get_json()
    with browser_page(browser) as page:
        browser_login(page, base, "gongwei", site["password"])
        page.goto(f"{base}/organisations/{org}")
        page.select_option("select[name=event]", "award_plaque")
        page.fill("input[name=as_of]", awarded_on)
        page.click("#run-event")
        page.wait_for_load_state()
        assert "状态已更新" in page.content() and page.locator("#cycle-state").inner_text() == "届期内"
        page.click("#document-offers >> text=发荣誉证书")
        number = _sign(page)
        assert re.fullmatch(r"WH\d{8}", number), number
        shots(page, "titles-01-certificate")
        from service.certificates.checkcode import check_code
        code = check_code(number, app.config["WUHAO_VERIFY_KEY"])
        page.goto(f"{base}/verify/{number}?code={code}")  # the QR's link
        assert page.locator(".status").inner_text() == "有效"
        page.goto(f"{base}/organisations/{org}")
        page.select_option("select[name=event]", "delist")
        page.fill("input[name=as_of]", today.isoformat())  # 摘牌 today, in the term
        page.select_option("#ground", "reorganised")
        page.click("#run-event")
        page.wait_for_load_state()
        assert page.locator("#transition-confirm").is_visible() and number in page.content()
        shots(page, "titles-02-confirm-delisting")
        page.check("#confirm-transition")
        page.click("#confirm-button")
        page.wait_for_load_state()
        assert page.locator("#cycle-state").inner_text() == "摘牌"
        page.click("#document-offers >> text=发摘牌通知")
        assert _sign(page).startswith("市直工委〔")
        page.goto(f"{base}/verify")
        page.fill("input[name=number]", number)
        page.fill("input[name=code]", code.lower())
        page.click("#verify-search button")
        page.wait_for_load_state()
        assert page.locator(".status").inner_text() == "已撤销" and f"{cn_day(today)}起" in page.content()
        shots(page, "titles-03-verify-revoked")


def test_rural_branch_notice_taskbook_closure_and_quarterly_report_in_the_browser(app, browser, site, shots):
    import io

    base, org = site["base"], site["orgs"]["尧舜度假村党支部"]
    district = site["orgs"]["静海区委"]
    h = bearer(site["tokens"]["quwei"])
    client = app.test_client()
    today = dt.date.today()
    q = (today.month - 1) // 3  # the last quarter that has ended (the current one has not)
    year, quarter = (today.year, q) if q else (today.year - 1, 4)
    q_start = dt.date(year, 3 * quarter - 2, 1)
    q_end = (dt.date(year, 3 * quarter, 28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    csv = ("支部名称,领域,班子,队伍,机制,业绩,反映,总分\n大邱庄村党支部,农村,19,19,19,19,19,95\n"
           "尧舜度假村党支部,农村,12,15,14,14,15,70\n").encode("utf-8")
    r = client.post("/api/v1/grading-rounds", headers=h, content_type="multipart/form-data",
                    data={"year": str(year), "file": (io.BytesIO(csv), "s.csv")})
    assert r.status_code == 201, r.get_json()
    row = client.get(f"/api/v1/ledger?organisation_id={org}", headers=h).get_json()["items"][0]
    # the row was opened when the round was held, at the start of that quarter
    assert client.patch(f"/api/v1/ledger/{row['id']}", headers=h,
                        json={"opened_on": q_start.isoformat()}).status_code == 200
    with browser_page(browser) as page:
        browser_login(page, base, "quwei", site["password"])
        page.goto(f"{base}/organisations/{org}")
        page.click("text=发限期整改通知书")
        assert "〔" in _sign(page)
        page.goto(f"{base}/ledger?organisation_id={org}")
        page.locator("#ledger-rows tbody a").first.click()
        page.fill("input[name=measure]", "调整充实支部班子，每月8日固定主题党日")
        page.fill("input[name=due_on]", (today + dt.timedelta(days=120)).isoformat())
        page.click("#save-item")
        page.wait_for_load_state()
        assert "已保存" in page.content()
        page.fill("textarea[name=body]", "已调整班子，主题党日按时开展")
        page.fill("input[name=written_on]", (q_end - dt.timedelta(days=10)).isoformat())
        page.click("#add-note")
        page.wait_for_load_state()
        page.goto(f"{base}/organisations/{org}")
        page.click("text=发整改任务书")
        _sign(page)
        page.goto(f"{base}/ledger?organisation_id={org}")
        page.locator("#ledger-rows tbody a").first.click()
        page.fill("input[name=closed_on]", (q_end - dt.timedelta(days=3)).isoformat())
        page.click("#close-item")
        page.wait_for_load_state()
        assert page.locator("#item-status").inner_text() == "已销号"
        page.goto(f"{base}/organisations/{district}")
        page.click("#document-offers >> text=发季度通报")
        page.fill("input[name=year]", str(year))
        page.select_option("select[name=quarter]", str(quarter))
        page.click("text=更新预览")
        page.wait_for_load_state()
        text = page.locator("#notice-preview").inner_text()
        assert "已销号1项" in text and "本季度新增整改任务1项，销号1项" in text, text
        _sign(page)
        shots(page, "scenario-quarterly-report")
