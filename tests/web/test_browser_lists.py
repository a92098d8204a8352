"""In the browser: a reviewer filters the queue, exports exactly that to Excel (read back with openpyxl)
and approves two submissions in bulk; on a phone the queue collapses to cards and the first Tab reaches
the skip link."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.samples import declaration_docx
from tests.conftest import SQLITE_ONLY
from tests.web.conftest import BRANCH_A, PHONE, browser_login, browser_page, upload

pytestmark = [pytest.mark.browser, SQLITE_ONLY]

SECOND_A = "市财政局国库科党支部"


@pytest.fixture
def queued(app, site):
    client = app.test_client()
    ids = {}
    for branch, user in ((BRANCH_A, "yusuan"), (BRANCH_A, "yusuan"), (SECOND_A, "guoku")):
        resp = upload(client, site["tokens"][user], declaration_docx(branch=branch), f"{branch}.docx")
        assert resp.status_code == 201, resp.get_json()
        ids.setdefault(branch, []).append(resp.get_json()["id"])
    return ids


def test_reviewer_filters_exports_and_approves_two_in_bulk(browser, site, queued, shots):
    base = site["base"]
    with browser_page(browser) as page:
        page.on("dialog", lambda d: d.accept())  # the confirmation before a bulk decision
        browser_login(page, base, "gongwei", site["password"])
        page.goto(f"{base}/queue")
        assert not page.locator(".list-controls select[name=sort]").is_visible()  # the headings sort here
        # ... and say so before they are clicked: ↕ on each, ▲/▼ on the sorted one instead
        marks = page.locator("#queue thead a.sort").evaluate_all(
            "as => as.map(a => [a.textContent.trim(), getComputedStyle(a, '::after').content])")
        assert marks and all("↕" in after for text, after in marks if not text.endswith(("▲", "▼"))), marks
        page.select_option("select[name=organisation]", label=BRANCH_A)
        page.fill("input[name=q]", "预算科")
        page.click(".list-controls button[type=submit]")
        page.wait_for_load_state("networkidle")
        shown = [int(x) for x in page.locator("#queue tbody tr").evaluate_all("rs => rs.map(r => r.dataset.id)")]
        assert sorted(shown) == sorted(queued[BRANCH_A])
        shots(page, "reviewer-queue-filtered")
        with page.expect_download() as dl:
            page.click("a.export")
        sheet = load_workbook(io.BytesIO(open(dl.value.path(), "rb").read())).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:2] == ("编号", "支部")
        assert [int(r[0]) for r in rows[1:]] == shown and {r[1] for r in rows[1:]} == {BRANCH_A}
        assert dl.value.suggested_filename.endswith(".xlsx")
        # tick both and approve them in one go
        for sub_id in shown:
            page.check(f'#queue input[name=ids][value="{sub_id}"]')
        page.click("#bulk-approve")
        page.wait_for_load_state("networkidle")
        assert "2 份材料已通过" in page.locator(".flash[role=status]").first.inner_text()
        page.goto(f"{base}/queue?status=approved")
        approved = [int(x) for x in page.locator("#queue tbody tr").evaluate_all("rs => rs.map(r => r.dataset.id)")]
        assert sorted(approved) == sorted(shown)
        shots(page, "reviewer-queue-approved")


def test_the_queue_on_a_phone_is_cards_sorted_by_a_choice_and_the_first_tab_skips_to_the_content(
        browser, site, queued, shots):
    base = site["base"]
    with browser_page(browser, PHONE) as page:
        browser_login(page, base, "gongwei", site["password"])
        page.goto(f"{base}/queue")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        row = page.locator("#queue tbody tr").first
        assert row.evaluate("r => getComputedStyle(r).display") == "block"  # a card, not a table row
        assert "支部：" in row.inner_text() or "支部" in row.inner_text()
        # the headings (the sort links) are hidden on a phone: the list controls offer 排序 and 顺序 instead,
        # chosen with the keyboard and sent with 查询
        assert page.locator("#queue thead").bounding_box()["x"] < -1000  # moved off the screen
        sort, order = page.locator(".list-controls select[name=sort]"), page.locator(".list-controls select[name=desc]")
        assert sort.is_visible() and order.is_visible()
        assert [t.strip()[:2] for t in page.locator(".list-controls label.list-sort").all_inner_texts()] == ["排序", "顺序"]
        sort.select_option(label="按编号")
        order.focus()
        page.keyboard.press("ArrowDown")  # 升序 → 降序
        assert order.input_value() == "1"
        page.locator(".list-controls button[type=submit]").focus()
        page.keyboard.press("Enter")
        page.wait_for_url("**/queue?*sort=id*")
        shown = [int(x) for x in page.locator("#queue tbody tr").evaluate_all("rs => rs.map(r => r.dataset.id)")]
        mine = [i for ids in queued.values() for i in ids]
        assert set(mine) <= set(shown) and shown == sorted(shown, reverse=True), shown
        assert (sort.input_value(), order.input_value()) == ("id", "1")
        shots(page, "reviewer-queue-phone-sorted")
        # 升序 again
        order.select_option(label="升序")
        page.locator(".list-controls button[type=submit]").click()
        page.wait_for_url("**/queue?*sort=id*")
        shown = [int(x) for x in page.locator("#queue tbody tr").evaluate_all("rs => rs.map(r => r.dataset.id)")]
        assert shown == sorted(shown), shown
        page.goto(f"{base}/queue")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#content"
        shots(page, "reviewer-queue-phone")


def test_a_card_on_a_phone_leaves_out_empty_cells_and_the_tree_indent(browser, site, shots):
    """The organisations list as cards: an empty 代码 or 党员 was a blank labelled line (the page ran to
    10,000 px on a phone), and a branch's name was pushed right by the tree's indent."""
    base = site["base"]
    with browser_page(browser, PHONE) as page:
        browser_login(page, base, "admin", site["password"])
        page.goto(f"{base}/admin/organisations")
        cells = page.locator("table.grid.stack tbody td[data-label]")
        shown = cells.evaluate_all("""tds => tds.map(td => [td.textContent.trim() === '' && td.children.length === 0,
                                                          getComputedStyle(td).display, getComputedStyle(td).paddingLeft])""")
        empty = [d for blank, d, _ in shown if blank]
        assert empty and set(empty) == {"none"}, shown[:12]
        assert {d for blank, d, _ in shown if not blank} == {"block"}
        first = page.locator("table.grid.stack tbody tr").nth(2).locator("td")  # a branch, two levels down
        assert first.nth(0).evaluate("td => getComputedStyle(td).paddingLeft") == \
            first.nth(1).evaluate("td => getComputedStyle(td).paddingLeft")  # no tree indent in a card
        # a value that wraps continues under itself, not under its label (上级组织 of a deep branch)
        lefts = page.locator('table.grid.stack td[data-label="上级组织"]').evaluate_all("""tds => tds.map(td => {
            const r = document.createRange(); r.selectNodeContents(td);
            return Array.from(r.getClientRects()).filter(x => x.width > 0).map(x => Math.round(x.left)); })""")
        wrapped = [ls for ls in lefts if len(set(ls)) > 1 or len(ls) > 1]
        assert wrapped and all(max(ls) - min(ls) <= 1 for ls in wrapped), wrapped[:3]
        shots(page, "admin-organisations-phone")


def test_the_community_targets_card_is_cards_on_a_phone(browser, site):
    """The SQ-1 card on the dashboard was a six-column table squeezed into a phone: 目标 one character a line
    and the trend cut off at the card's edge."""
    base = site["base"]
    with browser_page(browser, PHONE) as page:
        browser_login(page, base, "quwei", site["password"])
        page.goto(f"{base}/dashboard")
        rows = page.locator("#targets-table tbody tr")
        assert rows.count() == 6 and rows.first.evaluate("r => getComputedStyle(r).display") == "block"
        assert "目标" in rows.first.locator("td").first.evaluate("td => getComputedStyle(td, '::before').content")
        card = page.locator("#community-targets")
        assert card.evaluate("c => c.scrollWidth <= c.clientWidth"), "the card scrolls sideways"
