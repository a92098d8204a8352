"""Imports that explain themselves: a template for each (名册, 评分表, 组织名单) and, for a rejected import,
every error on the page and in an XLSX report with a reason column (a roster with 204 bad rows: 204, not 5)."""
from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import Workbook, load_workbook

from tests.web.conftest import csrf_of, login


@pytest.mark.parametrize("name,first", [("roster", "姓名"), ("honor-roster", "支部名称"), ("scores", "支部名称"),
                                        ("organisations", "组织名称")])
def test_every_import_has_a_template(client, demo, name, first):
    login(client, "gongwei", demo["password"])
    resp = client.get(f"/imports/{name}-template.xlsx")
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(resp.data)).active
    header = [c.value for c in ws[1]]
    assert header[0] == first and ws.max_row == 2  # the header and one example


def test_the_roster_template_is_a_roster_the_batch_reads(client, demo):
    """Its columns are the batch's; its example row (张三) is refused as the example it is — an unedited template
    numbered a 党员证 for 张三 — and the row a clerk writes over it is read."""
    from service.batch.roster import parse_roster

    login(client, "gongwei", demo["password"])
    data = client.get("/imports/roster-template.xlsx").data
    roster = parse_roster(data, "名册.xlsx", "party-card")
    assert not roster.rows and [(e.row, e.reason) for e in roster.errors] == [(2, "第2行是模板示例，请删除或改成实际内容")]
    wb = load_workbook(io.BytesIO(data))
    wb.active["A2"], wb.active["C2"] = "李秀英", "120101198805056622"
    out = io.BytesIO()
    wb.save(out)
    roster = parse_roster(out.getvalue(), "名册.xlsx", "party-card")
    assert not roster.errors and [r.values["name"] for r in roster.rows] == ["李秀英"]


def test_a_rejected_roster_lists_every_error_and_offers_the_report(client, demo):
    login(client, "gongwei", demo["password"])
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["姓名", "所在支部", "入党时间"])
    for i in range(204):
        w.writerow(["", "市财政局预算科党支部", "2015-07-01"])  # no name: 204 bad rows
    resp = client.post("/batches", data={"csrf_token": csrf_of(client), "kind": "party-card",
                                         "roster": (io.BytesIO(out.getvalue().encode("utf-8")), "名册.csv")},
                       content_type="multipart/form-data")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "共 204 处错误" in page and page.count('<td data-label="原因">') == 204
    link = re.search(r'id="error-report"', page) and re.search(r'href="(/imports/reports/[0-9a-f]{64}\.xlsx[^"]*)"', page)
    report = client.get(link.group(1).replace("&amp;", "&"))
    assert report.status_code == 200
    rows = list(load_workbook(io.BytesIO(report.data)).active.iter_rows(values_only=True))
    assert rows[0] == ("行号", "列", "原因") and len(rows) == 205 and all(r[2] for r in rows[1:])
    # another session cannot fetch it
    other = client.application.test_client()
    login(other, "quwei", demo["password"])
    assert other.get(link.group(1).replace("&amp;", "&")).status_code == 404


def test_a_rejected_organisation_sheet_has_a_report(client, demo):
    login(client, "admin", demo["password"])
    wb = Workbook()
    wb.active.append(["组织名称", "上级组织", "类型"])
    wb.active.append(["新支部", "没有这个党委", "党支部"])
    wb.active.append(["", "市直机关工委", "党支部"])
    data = io.BytesIO()
    wb.save(data)
    resp = client.post("/admin/organisations", data={"csrf_token": csrf_of(client),
                                                     "file": (io.BytesIO(data.getvalue()), "orgs.xlsx")},
                       content_type="multipart/form-data")
    page = resp.get_data(as_text=True)
    assert "共 2 处错误" in page
    link = re.search(r'href="(/imports/reports/[0-9a-f]{64}\.xlsx[^"]*)"', page).group(1).replace("&amp;", "&")
    rows = list(load_workbook(io.BytesIO(client.get(link).data)).active.iter_rows(values_only=True))
    assert sorted(r[0] for r in rows[1:]) == [2, 3] and any("没有这个党委" in r[2] for r in rows[1:])


def test_batch_certificates_are_numbered_only_after_a_confirmation(client, demo, db):
    """Issue 15: 开始生成 numbered the certificates at once; now it shows how many it would number and
    nothing is written until 确认 is ticked (the ticked step runs in tests/web/test_browser.py)."""
    from sqlalchemy import func, select

    from service.models import BatchJob

    login(client, "gongwei", demo["password"])
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["姓名", "所在支部", "入党时间"])
    for name in ("李秀英", "王建国", "赵敏"):
        w.writerow([name, "市财政局预算科党支部", "2015-07-01"])
    resp = client.post("/batches", data={"csrf_token": csrf_of(client), "kind": "party-card",
                                         "roster": (io.BytesIO(out.getvalue().encode("utf-8")), "名册.csv")},
                       content_type="multipart/form-data")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'id="batch-preview"' in page
    assert re.search(r'将生成 <strong id="preview-total">3</strong> 张党员证', page)
    numbers = re.search(r"将占用 3 个新编号（(\d{8})至(\d{8})）", page)  # the 党员证 numbers they will take
    assert numbers and int(numbers.group(2)) - int(numbers.group(1)) == 2 and 'id="confirm-batch"' in page
    token = re.search(r'name="roster:kept" value="([^"]+)"', page).group(1)
    with db() as s:
        assert s.execute(select(func.count(BatchJob.id))).scalar_one() == 0
    unticked = client.post("/batches", data={"csrf_token": csrf_of(client), "roster:kept": token,
                                             "kind": "party-card"})
    assert unticked.status_code == 422 and "生成前请勾选确认" in unticked.get_data(as_text=True)
    # a roster this session did not have previewed is not taken on trust
    other = client.post("/batches", data={"csrf_token": csrf_of(client), "roster:kept": "0" * 64, "confirm": "1",
                                          "kind": "party-card"})
    assert other.status_code == 302
    with db() as s:
        assert s.execute(select(func.count(BatchJob.id))).scalar_one() == 0


def _template_rows(data: bytes) -> list[list]:
    return [list(r) for r in load_workbook(io.BytesIO(data)).active.iter_rows(min_row=2, values_only=True)]


def test_every_template_s_example_rows_are_refused_by_the_one_rule():
    """Left in, a template's example row went in as real data (评分表: 预算科 96分; 组织名单, 人员名单, 挂点, 主题党日
    …). Every template registers its rows where the one rule reads them; a row a clerk edits is not refused."""
    from service.exports import example_check
    from service.usecases import (district_handbooks, district_members, district_partyday, district_people,
                                  district_projects, district_supervision, district_training)
    from service.web.imports import TEMPLATES

    files = [district_handbooks.template(), district_members.records_template(), district_partyday.template(),
             district_people.template(), district_people.assignments_template(), district_people.visits_template(),
             district_projects.template(), district_supervision.groups_template(),
             district_supervision.inspections_template(), district_training.sign_in_template()]
    rows = [row for data in files for row in _template_rows(data)]
    rows += [list(example) for _file, _title, _header, example, _note in TEMPLATES.values()]
    refusal = example_check()
    assert len(rows) == 16 and all(refusal(2, row) == "第2行是模板示例，请删除或改成实际内容" for row in rows)
    assert not any(refusal(2, [f"{row[0]}（改）", *row[1:]]) for row in rows)


def test_a_record_equal_to_an_example_below_a_real_row_is_real():
    """Examples left in sit at the top of the sheet, right under the heading; the examples name demo branches and
    members, so the same record further down is a real one (郑海's 主题党日 of 2025年9月8日 in a 党员纪实表's
    eighth row was refused as the template's example)."""
    from service.exports import example_check
    from service.usecases.district_members import RECORD_EXAMPLES

    example = list(RECORD_EXAMPLES[1])
    refusal = example_check()
    assert refusal(2, [None] * len(example)) is None  # a blank row neither is an example nor ends the top
    assert refusal(3, example) == "第3行是模板示例，请删除或改成实际内容"
    assert refusal(4, ["大邱庄村党支部", "王芳", "", *example[3:]]) is None
    assert refusal(8, example) is None


def test_a_template_left_unedited_is_refused_on_each_import_s_page(client, demo):
    """评分表 (grading) and 组织名单 (admin; the district sheets share service.usecases.sheets.read): the example
    row is refused with its reason in the error report, nothing imported."""
    def report_reasons(page: str) -> list:
        link = re.search(r'href="(/imports/reports/[0-9a-f]{64}\.xlsx[^"]*)"', page)
        report = client.get(link.group(1).replace("&amp;", "&"))
        return [r[0:3:2] for r in load_workbook(io.BytesIO(report.data)).active.iter_rows(min_row=2, values_only=True)]

    login(client, "gongwei", demo["password"])
    sheet = client.get("/imports/scores-template.xlsx").data
    page = client.post("/grading", data={"csrf_token": csrf_of(client), "year": "2026",
                                         "file": (io.BytesIO(sheet), "评分表.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert report_reasons(page) == [(2, "第2行是模板示例，请删除或改成实际内容")]
    assert "已保存" not in page and "定级结果" not in page
    login(client, "admin", demo["password"])
    sheet = client.get("/imports/organisations-template.xlsx").data
    page = client.post("/admin/organisations", data={"csrf_token": csrf_of(client), "action": "import",
                                                     "file": (io.BytesIO(sheet), "组织名单.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert report_reasons(page) == [(2, "第2行是模板示例，请删除或改成实际内容")]
