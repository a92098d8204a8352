"""书记项目 and branch secretaries' training (issue 12, JH-5) through the API and the pages: progress x/4 from
the milestones, evidence stored and downloaded, the import names row and column (and the page offers the
error report), who has not been trained shows in Chinese and exports."""
from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from tests.conftest import bearer
from tests.samples import upload_file, xlsx_bytes
from tests.web.conftest import csrf_of, login


def test_project_progress_evidence_and_import(client, seeded):
    h = bearer(seeded["tokens"]["quwei"])
    objs = seeded["objects"]["B"]
    pid = objs["project"]
    p = client.get(f"/api/v1/secretary-projects/{pid}", headers=h).get_json()
    assert (p["progress"], p["status"]) == ("1/4", "in_progress")
    assert [m["kind_name"] for m in p["milestones"]] == ["解决一个问题", "形成一个报告", "创造一条经验", "打造一个标杆"]
    # evidence: kept, listed, downloaded as uploaded; an empty file and an unknown output are refused
    up = upload_file(client, h, f"/api/v1/secretary-projects/{pid}/milestones/report/evidence", b"%PDF-1.4 report",
                 "调研报告.pdf")
    assert up.status_code == 201 and up.get_json()["milestones"][1]["evidence"][0]["name"] == "调研报告.pdf"
    got = client.get(f"/api/v1/secretary-projects/{pid}/milestones/report/evidence/0", headers=h)
    assert got.status_code == 200 and got.data == b"%PDF-1.4 report"
    assert upload_file(client, h, f"/api/v1/secretary-projects/{pid}/milestones/report/evidence", b"").status_code == 422
    assert upload_file(client, h, f"/api/v1/secretary-projects/{pid}/milestones/x/evidence", b"a").status_code == 404
    # a done output takes today's date when none is given; all four done is 已完成
    done = client.patch(f"/api/v1/secretary-projects/{pid}", headers=h, json={"milestones": {
        k: {"status": "done"} for k in ("report", "experience", "benchmark")}}).get_json()
    assert (done["progress"], done["status_name"]) == ("4/4", "已完成") and all(m["done_on"] for m in done["milestones"])
    again = client.post("/api/v1/secretary-projects", headers=h, json={
        "organisation_id": objs["committee"], "year": 2026, "title": "第二个"})
    assert again.status_code == 409
    assert client.get("/api/v1/secretary-projects?status=done", headers=h).get_json()["items"][0]["id"] == pid
    # the import: row and column of each problem, nothing written; then a correct sheet updates the project
    header = [c.value for c in load_workbook(io.BytesIO(client.get("/api/v1/secretary-projects/template.xlsx",
                                                                   headers=h).data)).active[1]]
    bad = upload_file(client, h, "/api/v1/secretary-projects/import", xlsx_bytes([
        header, ["没有这个党委", 2026, "x"], ["静海镇党委", 2026, "网格党建", "", "", "差不多"]]))
    assert bad.status_code == 422
    assert [(p["row"], p["column"]) for p in bad.get_json()["error"]["detail"]["problems"]] == [(2, "A"), (3, "F")]
    ok = upload_file(client, h, "/api/v1/secretary-projects/import", xlsx_bytes([
        header, ["静海镇党委", 2026, "网格党建", "马超", "", "已完成", "推进中", "", ""]]))
    assert ok.get_json() == {"rows": 1, "created": 0, "updated": 1}, ok.get_json()
    p = client.get(f"/api/v1/secretary-projects/{pid}", headers=h).get_json()
    assert (p["title"], p["progress"], p["milestones"][1]["status"]) == ("网格党建", "1/4", "in_progress")
    sheet = load_workbook(io.BytesIO(client.get("/api/v1/secretary-projects/export.xlsx", headers=h).data)).active
    assert [c.value for c in sheet[2]][:3] == ["静海镇党委", 2026, "网格党建"]


def test_pages_in_chinese_with_error_report(client, seeded):
    login(client, "quwei", seeded["password"])
    objs = seeded["objects"]["B"]
    pages = {"/secretary-projects": ["书记项目", "静海镇党委", "党建引领基层治理", "1/4"],
             f"/secretary-projects/{objs['project']}": ["解决一个问题", "打造一个标杆", "佐证材料"],
             "/training?year=2026": ["党支部书记培训", "党支部工作条例", "覆盖率"],
             f"/training/classes/{objs['class']}": ["城关社区党支部", "已签到", "导入签到表"],
             "/training/untrained?year=2026": ["尚未参加培训", "光明社区党支部", "朱红"]}
    for url, words in pages.items():
        html = client.get(url).get_data(as_text=True)
        for w in words:
            assert w in html, (url, w)
        body = html[html.index("<main"):] if "<main" in html else html
        assert not re.search(r">[^<]*\b(?:in_progress|planned|None|True|False)\b[^<]*<", body), url
    assert "城关社区党支部" not in client.get("/training/untrained?year=2026").get_data(as_text=True)
    export = client.get("/training/untrained?year=2026&export=xlsx")
    assert export.status_code == 200 and "光明社区党支部" in {c.value for c in load_workbook(
        io.BytesIO(export.data)).active["B"]}
    r = client.post(f"/training/classes/{objs['class']}", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(client), "action": "import",
        "file": (io.BytesIO(xlsx_bytes([["党支部", "姓名", "是否签到"], ["光明社区党支部", "张三", "是"]])), "签到.xlsx")})
    html = r.get_data(as_text=True)
    assert '<td data-label="列">B列“姓名”</td>' in html and "下载错误报告" in html
    reasons = re.findall(r'<td data-label="原因">([^<]+)</td>', html)
    assert reasons and all(html.count(reason) == 1 for reason in reasons)  # said once: the table, no flash besides
    report = re.search(r'href="(/imports/reports/[0-9a-f]{64}\.xlsx[^"]*)"', html).group(1).replace("&amp;", "&")
    rows = list(load_workbook(io.BytesIO(client.get(report).data)).active.values)
    assert rows[0] == ("行号", "列", "原因") and rows[1][:2] == (2, "B列“姓名”") and rows[1][2]
