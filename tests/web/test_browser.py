"""Browser tests: Playwright for Python driving Debian's chromium against a real server.

Run on SQLite only (the API and authorisation tests cover both databases). Every page the
flows pass through is saved under tests/artifacts/screenshots/.
"""
from __future__ import annotations

import re

import pytest

from tests.conftest import SQLITE_ONLY
from tests.web.conftest import BRANCH_A, PHONE, browser_login, browser_page

pytestmark = [pytest.mark.browser, SQLITE_ONLY]  # Debian's chromium through Playwright


def _files(tmp_path, members: int | None = None):
    from service.demo_forms import demo_files, report_docx
    from tests.samples import declaration_docx

    if members is None:
        form = next(d for org, name, d in demo_files() if org == BRANCH_A)
    else:
        form = declaration_docx(branch=BRANCH_A, members=members)
    form_path = tmp_path / "预算科党支部创建申报表.docx"
    form_path.write_bytes(form)
    report_path = tmp_path / "预算科党支部汇报材料.docx"
    report_path.write_bytes(report_docx())
    return form_path, report_path


DROP_JS = """([files]) => {
  const dt = new DataTransfer();
  for (const [name, b64] of files) {
    const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
    dt.items.add(new File([bytes], name, {type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}));
  }
  const zone = document.getElementById("dropzone");
  for (const type of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(type, {dataTransfer: dt, bubbles: true, cancelable: true}));
  }
}"""


def _upload_as_branch(page, base, tmp_path, members: int | None = None, drop: bool = False) -> int:
    import base64

    form_path, report_path = _files(tmp_path, members)
    page.goto(f"{base}/upload")
    if drop:  # drag and drop both files onto the drop zone
        files = [[p.name, base64.b64encode(p.read_bytes()).decode()] for p in (form_path, report_path)]
        page.evaluate(DROP_JS, [files])
    else:
        page.set_input_files("#file-input", [str(form_path), str(report_path)])
    assert page.locator("#filelist li").count() == 2
    page.click("#upload-button")
    page.wait_for_url(re.compile(r"/submissions/\d+"))
    return int(re.search(r"/submissions/(\d+)", page.url).group(1))


def test_branch_uploads_form_and_report_and_sees_fields_and_findings(browser, site, tmp_path, shots):
    base = site["base"]
    with browser_page(browser) as page:
        browser_login(page, base, "yusuan", site["password"])
        shots(page, "branch-01-home")
        page.goto(f"{base}/forms")
        links = page.locator("a[download]")
        assert links.count() == 6  # each of the three forms as DOCX and as PDF
        with page.expect_download() as dl:
            links.first.click()
        assert dl.value.suggested_filename.endswith(".docx")
        with page.expect_download() as dl:
            links.nth(1).click()
        assert dl.value.suggested_filename.endswith(".pdf")
        shots(page, "branch-02-forms")
        page.goto(f"{base}/upload")
        shots(page, "branch-03-upload")
        sub_id = _upload_as_branch(page, base, tmp_path, members=6, drop=True)  # 6: under SZ-3.3's 7
        # the extracted fields, next to the preview with their sources highlighted
        row = page.locator('tr.field-row[data-field="branch_name"]')
        assert "市财政局预算科党支部" in row.locator("td.value").inner_text()
        assert page.locator('tr.field-row[data-field="member_count"] td.value').inner_text().strip() == "6"
        assert page.locator("#preview .src").count() >= 10
        row.hover()
        active = page.locator('#preview [data-fields~="branch_name"].active')
        assert active.count() == 1 and "市财政局预算科党支部" in active.inner_text()
        assert "汇报材料" in page.locator("#fields").inner_text()
        shots(page, "branch-04-submission-fields")
        # findings in plain Chinese, with the rule and the clause
        page.click("#run-check")
        page.wait_for_load_state("networkidle")
        findings = page.locator("#findings li")
        assert findings.count() >= 1
        members = page.locator("#findings li", has_text="7")
        assert members.count() >= 1, page.locator("#findings").inner_text()
        text = members.first.inner_text()
        # what is wrong, what to do, and the rule in words (never its code)
        assert re.search(r"[\u4e00-\u9fff]", text) and "依据：《" in text and "关于自然摘牌的规定" in text
        assert "请" in text and "SZ-" not in text and "too_few_members" not in text
        shots(page, "branch-05-findings")
        page.goto(f"{base}/lifecycle")
        assert "创建进度" in page.content()
        shots(page, "branch-06-lifecycle")
        # the same page on a phone
        with browser_page(browser, PHONE) as phone:
            browser_login(phone, base, "yusuan", site["password"])
            phone.goto(f"{base}/submissions/{sub_id}")
            assert phone.locator("#field-table").is_visible()
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"] + 2, width
            shots(phone, "branch-07-submission-phone")


def test_reviewer_corrects_a_field_issues_a_notice_and_downloads_the_pdf(browser, site, tmp_path, shots):
    base = site["base"]
    with browser_page(browser) as page:
        browser_login(page, base, "yusuan", site["password"])
        sub_id = _upload_as_branch(page, base, tmp_path)
        page.context.clear_cookies()
        browser_login(page, base, "gongwei", site["password"])
        assert page.locator("#todo").inner_text().count("份材料待审核") == 1  # the start page is 待办
        page.goto(f"{base}/queue")
        assert page.locator(f'#queue a[href="/submissions/{sub_id}"]').count() >= 1
        shots(page, "reviewer-01-queue")
        page.goto(f"{base}/submissions/{sub_id}")
        row = page.locator('tr.field-row[data-field="member_count"]')
        row.locator('input[name="value"]').fill("6")
        row.locator('button[type="submit"]').click()
        page.wait_for_load_state("networkidle")
        value = page.locator('tr.field-row[data-field="member_count"] td.value').inner_text()
        assert value.startswith("6") and "原值：12" in value
        shots(page, "reviewer-02-corrected")
        # the assessment group's scores against the domain's rubric
        org_id = site["orgs"][BRANCH_A]
        page.goto(f"{base}/scores?organisation_id={org_id}&year=2025")
        for key, score in {"leadership": 15, "members": 18, "mechanism": 18, "performance": 17,
                           "reputation": 17}.items():
            page.fill(f'input[name="score:{key}"]', str(score))
        page.fill('input[name="satisfaction_rate"]', "95")
        shots(page, "reviewer-03-scores")
        page.click("#save-scores")
        page.wait_for_load_state("networkidle")
        saved = page.locator("#saved").inner_text()
        assert "总分 85" in saved and "一般" in saved  # 85 is 较好, but 15 < 80% of 20: one grade lower
        # preview, then issue (which numbers it), then download the PDF
        page.click("#notice-link")
        page.wait_for_load_state("networkidle")
        preview = page.locator("#notice-preview").inner_text()
        assert "限期整改通知书" in preview and "签发时编号" in preview and BRANCH_A in preview
        shots(page, "reviewer-04-notice-preview")
        assert re.search(r"〔\d{4}〕[1-9]\d*号", page.locator("#expected-number").inner_text())
        page.check("#confirm-issue")
        page.click("#issue-button", timeout=120_000)  # signing renders the PDF and the DOCX: slow on a busy machine
        page.wait_for_load_state("networkidle")
        number = page.locator("#doc-number").inner_text()
        assert re.fullmatch(r".+〔\d{4}〕[1-9]\d*号", number), number
        shots(page, "reviewer-05-notice-issued")
        with page.expect_download() as dl:
            page.click("#download-pdf")
        path = dl.value.path()
        data = open(path, "rb").read()
        assert data.startswith(b"%PDF") and len(data) > 5000
        # the branch sees the notice addressed to it
        page.context.clear_cookies()
        browser_login(page, base, "yusuan", site["password"])
        page.goto(f"{base}/documents")
        assert number in page.content()
        shots(page, "branch-08-documents")
        page.context.clear_cookies()
        browser_login(page, base, "gongwei", site["password"])
        page.goto(f"{base}/audit")
        audit = page.locator("#audit-table").inner_text()
        for action in ("更正字段", "录入评分", "上传材料", "登录"):
            assert action in audit, action
        shots(page, "reviewer-06-audit")
        page.goto(f"{base}/dashboard")
        assert page.locator("#chart-grades svg").count() == 1
        assert page.locator("#community-targets").count() == 0  # the 工委 has no community (issue 13)
        shots(page, "reviewer-07-dashboard")


def test_batch_runs_with_a_visible_progress_bar(browser, site, tmp_path, shots):
    from service.batch.sample import sample_members, write_roster

    base = site["base"]
    roster = tmp_path / "党员名册.csv"
    write_roster(sample_members(24, branches=["市财政局预算科党支部", "市财政局国库科党支部", "市档案馆党支部"]),
                 str(roster))
    with browser_page(browser) as page:
        browser_login(page, base, "gongwei", site["password"])
        page.goto(f"{base}/batches")
        shots(page, "reviewer-08-batches")
        page.set_input_files('input[name="roster"]', str(roster))
        page.click("#start-batch")
        assert page.locator("#preview-total").inner_text() == "24"  # nothing numbered before the confirmation
        page.check("#confirm-batch")
        page.click("#confirm-start")
        page.wait_for_url(re.compile(r"/batches\?job=\d+"))
        bar = page.locator("#current-batch .progress")
        assert bar.is_visible()
        assert bar.get_attribute("role") == "progressbar"
        shots(page, "reviewer-09-batch-running")
        page.wait_for_selector('#current-batch[data-state="done"]', timeout=180_000)
        assert bar.get_attribute("aria-valuenow") == "100"
        assert "24/24" in page.locator("#current-batch .progress-text").inner_text()
        assert page.locator("#current-batch .outputs a").count() >= 1
        shots(page, "reviewer-10-batch-done")


def test_branch_cannot_open_another_branchs_submission(browser, site, tmp_path, shots):
    base = site["base"]
    with browser_page(browser) as page:
        browser_login(page, base, "yusuan", site["password"])
        sub_id = _upload_as_branch(page, base, tmp_path)
        page.context.clear_cookies()
        for other in ("guoku", "chengguan", "quwei"):
            browser_login(page, base, other, site["password"])
            resp = page.goto(f"{base}/submissions/{sub_id}")
            assert resp.status == 404, other
            assert "未找到" in page.content() and "市财政局预算科党支部" not in page.content()
            api = page.request.get(f"{base}/api/v1/submissions/{sub_id}/file")
            assert api.status == 404
            page.context.clear_cookies()
        browser_login(page, base, "guoku", site["password"])
        page.goto(f"{base}/submissions/{sub_id}")
        shots(page, "branch-09-other-branch-404")


def test_reviewer_runs_a_grading_round_and_sees_laggards_per_domain(browser, site, tmp_path, shots):
    from openpyxl import Workbook

    wb = Workbook()
    for row in (["支部名称", "领域", "总分", "领导班子好", "党员队伍好", "工作机制好", "工作业绩好", "群众反映好", "群众满意率"],
                ["大邱庄村党支部", "农村", 93, 19, 19, 18, 19, 18, 96],
                ["尧舜度假村党支部", "农村", 71, 15, 14, 14, 14, 14, 92],
                ["城关社区党支部", "社区", 88, 18, 18, 17, 18, 17, 85],
                ["光明社区党支部", "社区", 82, 17, 17, 16, 16, 16, 93],
                ["区供水公司党支部", "国有企业", 90, 17, 19, 18, 18, 18, 95],
                ["区公交集团党支部", "国有企业", 84, 17, 17, 17, 17, 16, 91]):
        wb.active.append(row)
    sheet = tmp_path / "2025年评分表.xlsx"
    wb.save(sheet)
    base = site["base"]
    with browser_page(browser) as page:
        browser_login(page, base, "quwei", site["password"])
        page.goto(f"{base}/grading")
        page.set_input_files('input[name="file"]', str(sheet))
        page.fill('input[name="year"]', "2025")
        page.click("#run-grading")
        page.wait_for_load_state("networkidle")
        laggards = page.locator("#laggards").inner_text()
        assert "尧舜度假村党支部" in laggards and "光明社区党支部" in laggards and "区公交集团党支部" in laggards
        assert "降档" in page.locator("#grading-result").inner_text()  # 区供水公司: 90 but 17 < 18
        shots(page, "reviewer-11-grading-result")
        page.locator("tr", has_text="尧舜度假村党支部").locator("a", has_text="发限期整改通知书").click()
        page.wait_for_load_state("networkidle")
        preview = page.locator("#notice-preview").inner_text()
        assert "相对后进党支部" in preview and "尧舜度假村党支部" in preview
        shots(page, "reviewer-14-laggard-notice-preview")
        page.goto(f"{base}/dashboard?year=2025")
        assert page.locator("#chart-backward svg").count() == 1
        shots(page, "reviewer-12-dashboard-after-grading")
        page.goto(f"{base}/organisations/{site['orgs']['尧舜度假村党支部']}")
        assert "相对后进" in page.content()
        shots(page, "reviewer-13-organisation")


def test_admin_pages_and_api_docs(browser, site, shots):
    base = site["base"]
    with browser_page(browser) as page:
        browser_login(page, base, "admin", site["password"])
        for path, name, must in (("/admin/users", "admin-01-users", "新建用户"),
                                 ("/admin/organisations", "admin-02-organisations", "从 XLSX 导入"),
                                 ("/admin/rubrics", "admin-03-rubrics", "评分标准"),
                                 ("/admin/numbering", "admin-04-numbering", "机关代字"),
                                 ("/admin/fonts", "admin-05-fonts", "字体报告"),
                                 ("/api/v1/docs", "api-docs", "openapi.json")):
            resp = page.goto(base + path)
            assert resp.status == 200, path
            assert must in page.content(), path
            shots(page, name)
        page.goto(f"{base}/login")
        page.context.clear_cookies()
        page.goto(f"{base}/login")
        shots(page, "login")


def test_pdf_submission_preview_boxes_follow_the_fields(browser, site, tmp_path, shots):
    from tests.web.test_preview import pdf_form

    path = tmp_path / "预算科党支部创建申报表.pdf"
    path.write_bytes(pdf_form())
    base = site["base"]
    with browser_page(browser) as page:
        browser_login(page, base, "yusuan", site["password"])
        page.goto(f"{base}/upload")
        page.set_input_files("#file-input", [str(path)])
        page.click("#upload-button")
        page.wait_for_url(re.compile(r"/submissions/\d+"))
        page.wait_for_load_state("networkidle")
        img = page.locator(".pdf-page img").first
        assert img.evaluate("i => i.complete && i.naturalWidth > 0")
        page.locator('tr.field-row[data-field="member_count"]').hover()
        box = page.locator('.pdf-page .box.active[data-fields="member_count"]')
        assert box.count() == 1 and box.bounding_box()["width"] > 10
        shots(page, "branch-10-pdf-preview")


def test_reviewer_follows_a_rural_branch_ledger_row_to_closure_in_the_browser(browser, site, tmp_path, shots):
    """Issue 11 in the browser: a 区委 rural branch's 相对后进 row planned, followed with evidence, a 整改任务书
    issued from the ledger page and the row closed (销号); the list then shows it 已销号."""
    import urllib.request

    from tests.conftest import bearer

    base, org = site["base"], site["orgs"]["尧舜度假村党支部"]

    csv = ("支部名称,领域,班子,队伍,机制,业绩,反映,总分\n大邱庄村党支部,农村,19,19,19,19,19,95\n"
           "尧舜度假村党支部,农村,12,15,14,14,15,70\n").encode("utf-8")
    boundary = "----wuhaoledger"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"year\"\r\n\r\n2026\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"s.csv\"\r\n"
            "Content-Type: text/csv\r\n\r\n").encode() + csv + f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(f"{base}/api/v1/grading-rounds", data=body, method="POST", headers={
        **bearer(site["tokens"]["quwei"]), "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert urllib.request.urlopen(req).status == 201
    with browser_page(browser) as page:
        browser_login(page, base, "quwei", site["password"])
        page.goto(f"{base}/ledger?organisation_id={org}")
        shots(page, "ledger-01-list")
        page.locator("#ledger-rows tbody a").first.click()  # the heading links sort
        page.fill("input[name=measure]", "调整充实支部班子，每月8日固定主题党日")
        page.fill("input[name=owner]", "孙丽")
        page.fill("input[name=due_on]", "2027-03-31")
        page.click("#save-item")
        page.wait_for_load_state()
        assert "已保存" in page.content()
        evidence = tmp_path / "会议记录.txt"
        evidence.write_text("主题党日签到表", encoding="utf-8")
        page.fill("textarea[name=body]", "已调整班子，主题党日按时开展")
        page.set_input_files("input[name=file]", str(evidence))
        page.click("#add-note")
        page.wait_for_load_state()
        assert page.locator("#notes li").count() == 1 and "会议记录.txt" in page.locator("#notes").inner_text()
        shots(page, "ledger-02-item")
        page.goto(f"{base}/ledger?organisation_id={org}")
        page.check("#confirm-taskbook")
        page.click("#issue-taskbook", timeout=120_000)  # signing renders the PDF and the DOCX: slow on a busy machine
        page.wait_for_load_state()
        assert "已签发整改任务书" in page.content()
        page.locator("#ledger-rows tbody a").first.click()  # the heading links sort
        page.click("#close-item")
        page.wait_for_load_state()
        assert page.locator("#item-status").inner_text() == "已销号"
        page.goto(f"{base}/ledger?organisation_id={org}&status=closed")
        assert page.locator("#ledger-rows tbody tr").count() == 1
        shots(page, "ledger-03-closed")


def test_reviewer_returns_with_comments_then_approves(browser, site, tmp_path, shots):
    """Issue 11: only a reviewer decides; a return carries the comments the branch then reads."""
    base = site["base"]
    with browser_page(browser) as page:
        browser_login(page, base, "yusuan", site["password"])
        sub_id = _upload_as_branch(page, base, tmp_path)
        page.click("#run-check")  # the branch's own check: advice, the status stays 待审核
        page.wait_for_load_state("networkidle")
        assert page.locator("#decision-status").inner_text() == "待审核"
        assert page.locator("#decision-claim").count() == 0
        page.context.clear_cookies()
        browser_login(page, base, "gongwei", site["password"])
        page.goto(f"{base}/submissions/{sub_id}")
        page.click("#decision-claim")
        page.wait_for_load_state("networkidle")
        assert page.locator("#decision-status").inner_text() == "审核中"
        page.fill("#decision-comment", "汇报材料缺少群众满意度测评结果，请补充后重新上报。")
        page.click("#decision-return")
        page.wait_for_load_state("networkidle")
        assert page.locator("#decision-status").inner_text() == "已退回"
        shots(page, "reviewer-06-returned")
        page.click("#decision-claim")
        page.wait_for_load_state("networkidle")
        page.click("#decision-approve")
        page.wait_for_load_state("networkidle")
        assert page.locator("#decision-status").inner_text() == "已通过"
        page.context.clear_cookies()
        browser_login(page, base, "yusuan", site["password"])
        page.goto(f"{base}/submissions/{sub_id}")
        assert page.locator("#decision-status").inner_text() == "已通过"
        shots(page, "branch-06-approved")


def test_a_wide_table_in_the_original_scrolls_inside_its_preview_on_a_phone(browser, site, tmp_path, shots):
    """An uploaded file that is not one of our forms (a 发展党员预审表 with eight columns of long words) is
    previewed as it is; on a phone its table scrolls inside the preview box, the page stays the screen's width."""
    import io

    from docx import Document

    doc = Document()
    doc.add_paragraph("发展党员工作预审表")
    table = doc.add_table(rows=3, cols=8)
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            cell.text = ["姓名", "applicantName", "性别", "genderCode", "民族", "nationality", "出生年月",
                         "dateOfBirthday"][c] + ("" if r == 0 else str(r))
    buf = io.BytesIO()
    doc.save(buf)
    wide = tmp_path / "发展党员工作预审表.docx"
    wide.write_bytes(buf.getvalue())
    base = site["base"]
    with browser_page(browser, PHONE) as phone:
        browser_login(phone, base, "yusuan", site["password"])
        phone.goto(f"{base}/upload")
        phone.set_input_files("#file-input", [str(wide)])
        phone.click("#upload-button")
        phone.wait_for_url(re.compile(r"/submissions/\d+"))
        assert "applicantName" in phone.locator("#preview").inner_text()
        shots(phone, "branch-wide-original-phone")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], width
