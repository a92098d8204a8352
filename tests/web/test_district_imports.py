"""XLSX import of the leaders' visits (挂点走访) and of 督导 inspections (issue 12): the template comes back in
through the API and the page, every bad row is named by row and column and nothing is written, a good sheet
writes its visits and inspections and opens the ledger rows it asks for."""
from __future__ import annotations

import datetime as dt
import html as html_lib
import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from service.db import session_scope
from service.models import Inspection, LeaderVisit, RectificationItem
from tests.conftest import QUICK_ON_SQLITE, bearer
from tests.samples import upload_file, xlsx_bytes

pytestmark = QUICK_ON_SQLITE


def _counts(app, org_id: int) -> tuple[int, int, int]:
    with session_scope(app.config["DATABASE_URL"]) as s:
        return tuple(s.scalar(select(func.count()).select_from(m).where(m.organisation_id == org_id))
                     for m in (LeaderVisit, Inspection, RectificationItem))


def _secretary(app, org_id: int) -> str:
    from service.models import Organisation

    with session_scope(app.config["DATABASE_URL"]) as s:
        return s.get(Organisation, org_id).secretary


def _page_report(client, resp, count: int, what: str) -> list[tuple]:
    """A rejected import on its page: the errors said once (a table, no flashed copy of them), and the
    report it links read back with openpyxl: 行号, 列, 原因, one row per error."""
    import re

    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and f"{what}未导入：共 {count} 处错误" in html
    reasons = re.findall(r'<td data-label="原因">([^<]+)</td>', html)
    assert len(reasons) == count and all(html.count(reason) == 1 for reason in reasons), reasons
    assert 'class="flash error"' not in html
    link = re.search(r'id="error-report"', html) and re.search(r'href="(/imports/reports/[0-9a-f]{64}\.xlsx[^"]*)"', html)
    got = client.get(link.group(1).replace("&amp;", "&"))
    assert got.status_code == 200 and "_%E9%94%99%E8%AF%AF%E6%8A%A5%E5%91%8A.xlsx" in got.headers["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(got.data)).active.iter_rows(values_only=True))
    assert rows[0] == ("行号", "列", "原因") and len(rows) == count + 1 and all(r[2] for r in rows[1:]), rows
    assert [r[2] for r in rows[1:]] == [html_lib.unescape(reason) for reason in reasons]
    return rows


def test_visits_import_all_or_nothing_with_row_and_column(app, client, seeded):
    from tests.web.conftest import csrf_of, login

    h = bearer(seeded["tokens"]["quwei"])
    org = seeded["objects"]["B"]["org"]
    template = client.get("/api/v1/assignments/visits/template.xlsx", headers=h)
    assert template.status_code == 200
    headers = [c.value for c in load_workbook(io.BytesIO(template.data)).active[1]]
    assert headers[:4] == ["领导姓名", "党支部", "走访日期", "发现的问题"]
    before = _counts(app, org)
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    bad = xlsx_bytes([headers,
                 ["王志强", "城关社区党支部", "2026-07-20", "台账不全", "回访", "三会一课记录不全", "2026-10-31"],
                 ["王志强", "预算科党支部", "2026-07-21", "台账不全", "", "", ""],       # another's branch
                 ["李四", "城关社区党支部", future, "", "", "", ""],                     # unknown, future, empty
                 ["王志强", "城关社区党支部", "2025-07-20", "台账不全", "", "", ""],       # no 挂点 in 2025
                 ["王志强", "城关社区党支部", "2026-07-22", "", "", "党费未收", "2026-07-01"]])  # due before visit
    r = upload_file(client, h, "/api/v1/assignments/visits/import", bad)
    assert r.status_code == 422, r.get_json()
    where = [(p["row"], p["column"]) for p in r.get_json()["error"]["detail"]["problems"]]
    assert where == [(3, "B"), (4, "A"), (4, "C"), (4, "D"), (5, "B"), (6, "G")], where
    messages = " ".join(p["message"] for p in r.get_json()["error"]["detail"]["problems"])
    assert "第5行B列“党支部”：王志强2025年未挂点城关社区党支部" in messages
    assert _counts(app, org) == before  # nothing written, not even the good first row
    good = xlsx_bytes([headers,
                  ["王志强", "城关社区党支部", "2026年7月20日", "台账不全", "回访", "三会一课记录不全\n党费未按月收缴",
                   "2026-10-31"],
                  ["王志强", "城关社区党支部", dt.date(2026, 8, 3), "已整改", "", "", None]])
    r = upload_file(client, h, "/api/v1/assignments/visits/import", good)
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {"rows": 2, "created": 2, "ledger_items": 2}
    assert _counts(app, org) == (before[0] + 2, before[1], before[2] + 2)
    visits = client.get(f"/api/v1/assignments/visits?organisation_id={org}", headers=h).get_json()["items"]
    july = next(v for v in visits if v["visited_on"] == "2026-07-20")
    assert (july["found"], july["follow_up"], len(july["ledger_item_ids"])) == ("台账不全", "回访", 2)
    item = client.get(f"/api/v1/ledger/{july['ledger_item_ids'][1]}", headers=h).get_json()
    assert (item["problem"], item["due_on"], item["opened_on"]) == ("党费未按月收缴", "2026-10-31", "2026-07-20")
    # no 责任人 in the sheet: the branch secretary, and the 备注 says it was defaulted (the 整改时限 was given)
    secretary = _secretary(app, org)
    assert secretary and item["owner"] == secretary and item["leader"] == "王志强", item
    assert f"责任人未填写，默认为党支部书记{secretary}" in item["note"] and "整改时限未填写" not in item["note"]
    # the page: the same use case, every problem once in a table (行号, 列, 原因) and in the XLSX report
    login(client, "quwei", seeded["password"])
    r = client.post("/leaders", data={"csrf_token": csrf_of(client), "action": "import_visits", "year": "2026",
                                      "file": (io.BytesIO(bad), "走访.xlsx")},
                    content_type="multipart/form-data", follow_redirects=True)
    report = _page_report(client, r, 6, "走访记录")
    assert report[1] == (3, "B列“党支部”", "“预算科党支部”不是您管辖范围内的党支部"), report
    assert [(row, column[0]) for row, column, _reason in report[1:]] == where
    assert report[-1][:2] == (6, "G列“整改时限”") and "/api/v1/assignments/visits/template.xlsx" in r.get_data(as_text=True)
    r = client.post("/leaders", data={"csrf_token": csrf_of(client), "action": "import_visits", "year": "2026",
                                      "file": (io.BytesIO(good), "走访.xlsx")},
                    content_type="multipart/form-data", follow_redirects=True)
    assert "已导入走访记录 2 行" in r.get_data(as_text=True)
    assert _counts(app, org)[0] == before[0] + 4


def test_inspections_import_all_or_nothing_with_row_and_column(app, client, seeded):
    from tests.web.conftest import csrf_of, login

    h = bearer(seeded["tokens"]["quwei"])
    objs = seeded["objects"]["B"]
    org = objs["org"]
    group = client.get(f"/api/v1/supervision-groups/{objs['group']}", headers=h).get_json()
    template = client.get("/api/v1/inspections/template.xlsx", headers=h)
    assert template.status_code == 200
    headers = [c.value for c in load_workbook(io.BytesIO(template.data)).active[1]]
    assert headers == ["督导组", "党支部", "检查方式", "检查日期", "检查情况", "发现的问题", "列入整改工作台账",
                       "整改时限", "责任人"]
    before = _counts(app, org)
    item = group["checklist"][0]
    bad = xlsx_bytes([headers,
                 [group["name"], "城关社区党支部", "实地检查", "2026-08-12", f"{item}：是", "记录不全", "是"],
                 ["第十督导组", "城关社区党支部", "走访", "2026-08-12", "", "", ""],         # no such group, kind
                 [group["name"], "城关社区党支部", "随机抽查", "2026-08-12", "党费是否按月收缴：否", "", "是"],
                 [group["name"], "城关社区党支部", "", "8月12日", f"{item}是", "", ""],        # date, answer line
                 [group["name"], "城关社区党支部", "", "2026-08-12", "", "记录不全", "是", "2026-08-01"]])  # due before
    r = upload_file(client, h, "/api/v1/inspections/import", bad)
    assert r.status_code == 422, r.get_json()
    problems = r.get_json()["error"]["detail"]["problems"]
    assert [(p["row"], p["column"]) for p in problems] == [(3, "A"), (3, "C"), (4, "E"), (4, "G"), (5, "D"),
                                                           (6, "H")], problems
    assert "第4行E列“检查情况”：“党费是否按月收缴”不是该督导组督导清单中的检查项" in " ".join(
        p["message"] for p in problems)
    assert _counts(app, org) == before
    good = xlsx_bytes([headers,
                  [group["name"], "城关社区党支部", "实地检查", "2026-08-12", f"{item}：9月未开展",
                   "主题党日未按时开展\n三会一课记录不全", "是", None, "王强"],
                  [group["name"], "城关社区党支部", "定点监测", "2026年9月3日", "", "党费台账未更新", "否", "2026-12-31"]])
    r = upload_file(client, h, "/api/v1/inspections/import", good)
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {"rows": 2, "created": 2, "ledger_items": 2}
    assert _counts(app, org) == (before[0], before[1] + 2, before[2] + 2)
    items = client.get(f"/api/v1/inspections?organisation_id={org}", headers=h).get_json()["items"]
    field = next(i for i in items if i["inspected_on"] == "2026-08-12")
    assert (field["kind"], field["answers"]) == ("field", {item: "9月未开展"})
    assert all(f["ledger_item_id"] for f in field["findings"])
    # the sheet's 责任人, and no 整改时限: 90 days (Settings.rectify_days) after the inspection, said in the 备注
    row = client.get(f"/api/v1/ledger/{field['findings'][0]['ledger_item_id']}", headers=h).get_json()
    assert (row["owner"], row["due_on"]) == ("王强", "2026-11-10"), row
    assert "整改时限未填写，按发现问题之日起90天默认定为2026年11月10日" in row["note"] and "责任人未填写" not in row["note"]
    monitor = next(i for i in items if i["inspected_on"] == "2026-09-03")
    assert monitor["kind"] == "monitor" and monitor["findings"][0]["ledger_item_id"] is None
    assert monitor["findings"][0]["due_on"] == "2026-12-31"  # kept for when it is opened
    # a reviewer of the other subtree cannot name this branch
    r = upload_file(client, bearer(seeded["tokens"]["gongwei"]), "/api/v1/inspections/import", good)
    assert r.status_code == 422
    # the page
    login(client, "quwei", seeded["password"])
    r = client.post("/supervision", data={"csrf_token": csrf_of(client), "action": "import_inspections",
                                          "file": (io.BytesIO(bad), "检查.xlsx")},
                    content_type="multipart/form-data", follow_redirects=True)
    report = _page_report(client, r, 6, "督导检查记录")
    assert report[1] == (3, "A列“督导组”", "“第十督导组”不是已设立的督导组"), report
    assert [(row, column[0]) for row, column, _reason in report[1:]] == [(p["row"], p["column"]) for p in problems]
    assert report[-2][:2] == (5, "D列“检查日期”") and report[-1][:2] == (6, "H列“整改时限”")
    assert "/api/v1/inspections/template.xlsx" in r.get_data(as_text=True)
    r = client.post("/supervision", data={"csrf_token": csrf_of(client), "action": "import_inspections",
                                          "file": (io.BytesIO(good), "检查.xlsx")},
                    content_type="multipart/form-data", follow_redirects=True)
    assert "已导入督导检查记录 2 行" in r.get_data(as_text=True)
    assert _counts(app, org)[1] == before[1] + 4


def test_a_bad_date_cell_is_explained_in_chinese_dates(app, client, seeded):
    """A refused date cell says what a date looks like as people write it (2026年9月8日), not as ISO text."""
    import re

    from tests.web.conftest import csrf_of, login

    h = bearer(seeded["tokens"]["quwei"])
    headers = [c.value for c in load_workbook(io.BytesIO(
        client.get("/api/v1/party-days/template.xlsx", headers=h).data)).active[1]]
    row = ["城关社区党支部", "2026/13/45", "", "7", "6", "", "是", ""][:len(headers)]
    login(client, "quwei", seeded["password"])
    r = client.post("/party-days", data={"csrf_token": csrf_of(client), "action": "import", "year": "2026",
                                         "file": (io.BytesIO(xlsx_bytes([headers, row])), "主题党日.xlsx")},
                    content_type="multipart/form-data", follow_redirects=True)
    reasons = re.findall(r'<td data-label="原因">([^<]+)</td>', r.get_data(as_text=True))
    assert any("应为日期（如2026年9月8日）" in html_lib.unescape(reason) for reason in reasons), reasons
    assert not [reason for reason in reasons if re.search(r"\d{4}-\d{2}-\d{2}", reason)], reasons
