"""Browser test of the district clerk's pages (issue 12; Debian's chromium through Playwright, SQLite): a
相对后进 branch without a leader is flagged until one is assigned; a 督导 inspection is recorded and its
finding opened as a ledger row in one click; a party-day sheet with one bad row is refused with its row and
column named, then imported and one record corrected; the three lists are exported and read back."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from tests.conftest import SQLITE_ONLY, bearer
from tests.web.conftest import OFFICE, PHONE, browser_login, browser_page
from tests.samples import xlsx_bytes
from tests.web.test_district import EXTRA, RURAL_PARENT, _grade

pytestmark = [pytest.mark.browser, SQLITE_ONLY]
LAG = "尧舜度假村党支部"


@pytest.fixture
def site(app, database_url, demo, live_server):
    """A grading round of this year naming two rural laggards, two district leaders, a 督导组 over their 党委."""
    c = app.test_client()
    h, admin = bearer(demo["tokens"]["quwei"]), bearer(demo["tokens"]["admin"])
    year = dt.date.today().year
    assert _grade(c, h, admin, demo, year) == sorted([LAG, EXTRA[-1]])
    for name in ("王志强", "李卫东"):
        assert c.post("/api/v1/people", headers=h, json={"name": name, "rank": "district_leader"}).status_code == 201
    first = c.get("/api/v1/people", headers=h).get_json()["items"][0]["id"]
    assert c.post("/api/v1/assignments", headers=h, json={
        "person_id": first, "organisation_id": next(b["organisation_id"] for b in c.get(
            f"/api/v1/assignments?year={year}", headers=h).get_json()["branches"] if b["branch_name"] == EXTRA[-1]),
        "year": year}).status_code == 201
    assert c.post("/api/v1/supervision-groups", headers=admin, json={
        "name": "第一督导组", "leader": "刘明", "members": ["刘明", "陈亮"], "committee_ids": [demo["orgs"][RURAL_PARENT]],
        "checklist": ["是否每月8日开展主题党日"], "organisation_id": demo["orgs"]["静海区委"]}).status_code == 201
    return {"base": live_server, "password": demo["password"], "orgs": demo["orgs"], "year": year}


def _party_month(today: dt.date) -> dt.date:
    """The latest 8th already come (this month's or the last one's)."""
    if today.day >= 8:
        return today.replace(day=8)
    last = today.replace(day=1) - dt.timedelta(days=1)
    return last.replace(day=8)


def test_district_clerk_assigns_inspects_imports_corrects_and_exports(browser, site, tmp_path, shots):
    base, year, lag = site["base"], site["year"], site["orgs"][LAG]
    with browser_page(browser) as page:
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        browser_login(page, base, "quwei", site["password"])
        # 1. the laggard without a leader is flagged; assigning one clears the flag
        page.goto(f"{base}/leaders?year={year}")
        assert LAG in page.locator("#uncovered").inner_text()
        assert page.locator("#coverage tr.flag").count() == 1
        shots(page, "district-01-flagged")
        page.select_option("#assign-form select[name=person_id]", label="李卫东（区级领导）")
        page.fill("#assign-form input.picker-filter", LAG)  # the branch picker narrows to it and picks it
        assert page.locator("#assign-form select[name=organisation_id] option:checked").inner_text().endswith(f" › {LAG}")
        page.click("#assign-form button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "已落实挂点" in page.content()
        assert page.locator("#uncovered").count() == 0 and page.locator("#coverage tr.flag").count() == 0
        assert "李卫东" in page.locator(f'#coverage tr:has(td:text-is("{LAG}"))').inner_text()
        # 2. an inspection, its finding opened as a ledger row in one click, the row opened
        page.goto(f"{base}/supervision")
        group = page.locator('section.card:has(h3:text-is("第一督导组"))')
        group.locator("summary", has_text="记录督导检查").click()
        form = group.locator("form.inspect-form")
        form.locator("input.picker-filter").fill("尧舜")
        assert form.locator("select[name=organisation_id] option:checked").inner_text().endswith(f" › {LAG}")
        form.locator('input[name="answer:0"]').fill("上月未在8日开展")
        form.locator("textarea[name=findings]").fill("上月主题党日未在8日开展且未说明原因")
        form.locator("input[name=open_ledger]").uncheck()
        form.locator("button[type=submit]").click()
        page.wait_for_load_state("networkidle")
        assert "已记录督导检查" in page.content()
        row = page.locator("#inspections tbody tr", has_text=LAG)
        row.locator("button", has_text="列入整改工作台账").click()
        page.wait_for_load_state("networkidle")
        shots(page, "district-02-finding-opened")
        page.locator("#inspections tbody tr", has_text=LAG).locator("a", has_text="已列入整改工作台账").click()
        page.wait_for_url(re.compile(r"/ledger/\d+"))
        assert "上月主题党日未在8日开展且未说明原因" in page.content()
        # 3. a party-day sheet with one bad row: nothing imported, the row and column named
        held = _party_month(dt.date.today())
        header = ["党支部", "开展日期", "主题", "应到人数", "实到人数", "参加人员", "是否收缴党费", "未在8日开展的原因"]
        good = [LAG, held, "学习党章", 15, 12, "孙丽、王强", "是", ""]
        bad_sheet, good_sheet = tmp_path / "主题党日（有错）.xlsx", tmp_path / "主题党日.xlsx"
        bad_sheet.write_bytes(xlsx_bytes([header, good, [EXTRA[0], "九月八日", "学习党章", 20, 18, "", "是", ""]]))
        good_sheet.write_bytes(xlsx_bytes([header, good]))
        page.goto(f"{base}/party-days?year={held.year}")
        page.set_input_files('input[name="file"]', str(bad_sheet))
        page.click('form:has(input[name="file"]) button[type=submit]')
        page.wait_for_load_state("networkidle")
        errors_table = page.locator("#import-error-table tbody tr")
        assert errors_table.count() == 1 and errors_table.first.locator("td").all_inner_texts()[:2] == ["3", "B列“开展日期”"]
        assert page.locator(".flash.error").count() == 0  # said once, in the table
        with page.expect_download() as dl:
            page.click("#error-report")
        report = list(load_workbook(io.BytesIO(dl.value.path().read_bytes())).active.iter_rows(values_only=True))
        assert report[0] == ("行号", "列", "原因") and report[1][:2] == (3, "B列“开展日期”") and report[1][2]
        shots(page, "district-03-import-errors")
        page.set_input_files('input[name="file"]', str(good_sheet))
        page.click('form:has(input[name="file"]) button[type=submit]')
        page.wait_for_load_state("networkidle")
        assert "已导入主题党日记录 1 行" in page.content()
        # 4. that record corrected from the page
        page.locator(f'#by-month tr:has(td:text-is("{LAG}")) a.edit-day').click()
        page.wait_for_load_state("networkidle")
        assert f"修改{LAG}" in page.locator("h2", has_text="修改").inner_text()
        page.fill('#party-day-form input[name="attended"]', "13")
        page.fill('#party-day-form input[name="topic"]', "学习党章（更正）")
        page.click("#party-day-form button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "已保存主题党日记录" in page.content()
        assert "13/15人" in page.locator(f'#by-month tr:has(td:text-is("{LAG}"))').inner_text()
        # 5. the three lists of the branch, searched, exported as shown and read back
        page.goto(f"{base}/branch-lists/{lag}")
        page.fill(".list-controls input[name=q]", "主题党日")
        page.click(".list-controls button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert page.locator("#list-problems tbody tr").count() == 1
        with page.expect_download() as dl:
            page.click("a.export")
        saved = tmp_path / dl.value.suggested_filename
        dl.value.save_as(saved)
        assert saved.suffix == ".xlsx"
        wb = load_workbook(saved)
        assert wb.sheetnames == ["问题清单", "任务清单", "责任清单"]
        problems = [[c.value for c in r] for r in wb["问题清单"].iter_rows(min_row=2)]
        assert [(r[0], r[3]) for r in problems] == [(LAG, "上月主题党日未在8日开展且未说明原因")], problems
        assert wb["责任清单"].max_row == wb["问题清单"].max_row == wb["任务清单"].max_row == 2
        shots(page, "district-04-lists")
        assert not [e for e in errors if "Content Security Policy" in e], errors


@pytest.mark.parametrize("viewport", [OFFICE, PHONE], ids=["office", "phone"])
def test_district_lists_filter_export_and_fit_the_screen(browser, site, tmp_path, shots, viewport):
    """挂点包保, 督导检查 and the three lists at 1366×768 and 390×844: filtered from the page, exported as shown
    (read back with openpyxl), no page wider than the screen; the three lists' print view holds every row."""
    base, year, lag = site["base"], site["year"], site["orgs"][LAG]
    size = "phone" if viewport is PHONE else "office"

    def fits():
        wide, screen = page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
        assert wide <= screen, (page.url, wide, screen)

    def export(link: str = "a.export") -> list[tuple]:
        with page.expect_download() as dl:
            page.click(link)
        saved = tmp_path / f"{size}-{dl.value.suggested_filename}"
        dl.value.save_as(saved)
        return list(load_workbook(saved).worksheets[0].iter_rows(values_only=True))

    with browser_page(browser, viewport) as page:
        browser_login(page, base, "quwei", site["password"])
        page.goto(f"{base}/leaders?year={year}")
        fits()
        assert page.locator("#coverage tbody tr").count() == 2
        page.select_option(".list-controls select[name=status]", label="未落实挂点领导")
        page.click(".list-controls button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert page.locator("#coverage tbody tr").count() == 1 and page.locator("#coverage tr.flag").count() == 1
        assert f"year={year}" in page.url  # the page's year is kept by the list
        fits()
        shots(page, f"district-leaders-uncovered-{size}")
        rows = export()
        assert rows[0] == ("党支部", "所属党委", "包保领导", "整改事项", "已销号", "逾期")
        assert [(r[0], r[1], r[2]) for r in rows[1:]] == [(LAG, RURAL_PARENT, "未落实")]
        if size == "office":  # a sort by a heading, the other way on a second click (a phone shows cards)
            page.goto(f"{base}/leaders?year={year}")
            page.click('#coverage th a.sort:has-text("党支部")')
            page.wait_for_load_state("networkidle")
            page.click('#coverage th a.sort:has-text("党支部")')
            page.wait_for_load_state("networkidle")
            names = page.locator("#coverage tbody tr td:first-child").all_inner_texts()
            assert names == sorted(names, reverse=True) and len(names) == 2, names

        page.goto(f"{base}/supervision")
        fits()
        shots(page, f"district-supervision-{size}")
        inspections = 'form[aria-label="查找督导检查记录"] a.export'  # the 督导组 above are a list of their own
        assert "导出Excel（0条）" in page.locator(inspections).inner_text()
        assert export(inspections) == [("日期", "督导组", "方式", "党支部", "所属党委", "检查情况", "发现的问题", "问题处理")]
        assert export('form[aria-label="查找督导组"] a.export')[0][:2] == ("名称", "组长")

        page.goto(f"{base}/branch-lists/{lag}")
        fits()
        shots(page, f"district-branch-lists-{size}")
        assert page.locator("#list-problems tbody tr").count() == 1  # the grading's own ledger row
        with page.expect_download() as dl:
            page.click("a.export")
        saved = tmp_path / f"{size}-lists.xlsx"
        dl.value.save_as(saved)
        book = load_workbook(saved)
        assert book.sheetnames == ["问题清单", "任务清单", "责任清单"]
        assert next(book["任务清单"].iter_rows(values_only=True)) == ("党支部", "序号", "整改措施", "整改目标", "整改时限", "状态")
        assert [(r[0], r[2]) for r in book["问题清单"].iter_rows(min_row=2, values_only=True)] == [(LAG, "相对后进党支部")]
        page.click("#print-view")
        page.wait_for_load_state("networkidle")
        assert page.locator(".list-controls").count() == 0
        fits()
        page.emulate_media(media="print")
        assert page.locator("header.top").evaluate("e => getComputedStyle(e).display") == "none"
        shots(page, f"district-branch-lists-print-{size}")
