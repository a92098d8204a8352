"""The list component on the queue: search, filters, sort, paging, an Excel export of exactly the rows
shown, and the bulk actions (批量审核, 批量发通知 with its confirmation, 批量下载 as ZIP)."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import load_workbook

from tests.conftest import QUICK_ON_SQLITE
from tests.samples import declaration_docx
from tests.web.conftest import BRANCH_A, csrf_of, login, upload

SECOND_A = "市财政局国库科党支部"


@pytest.fixture
def queued(client, demo):
    tokens, orgs = demo["tokens"], demo["orgs"]
    ids = []
    for branch, user in ((BRANCH_A, "yusuan"), (SECOND_A, "guoku"), (BRANCH_A, "yusuan")):
        resp = upload(client, tokens[user], declaration_docx(branch=branch), f"{branch}申报表.docx")
        assert resp.status_code == 201, resp.get_json()
        ids.append(resp.get_json()["id"])
    login(client, "gongwei", demo["password"])
    return {"ids": ids, "orgs": orgs}


def _rows(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-id="(\d+)"', html)]


def test_queue_searches_filters_sorts_pages_and_exports_what_it_shows(client, queued):
    ids, orgs = queued["ids"], queued["orgs"]
    assert set(ids) <= set(_rows(client.get("/queue").get_data(as_text=True)))
    page = client.get("/queue", query_string={"q": "国库"}).get_data(as_text=True)
    assert _rows(page) == [ids[1]]
    org_a = orgs[BRANCH_A]
    page = client.get("/queue", query_string={"organisation": org_a, "sort": "id"}).get_data(as_text=True)
    assert _rows(page) == sorted([ids[0], ids[2]])
    page = client.get("/queue", query_string={"organisation": org_a, "sort": "id", "desc": "1"}).get_data(as_text=True)
    assert _rows(page) == sorted([ids[0], ids[2]], reverse=True)
    page = client.get("/queue", query_string={"sort": "id", "per_page": 1, "page": 2}).get_data(as_text=True)
    assert _rows(page) == [sorted(ids)[1]] and "下一页" in page and "上一页" in page
    resp = client.get("/queue", query_string={"organisation": org_a, "sort": "id", "export": "xlsx"})
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(resp.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "支部", "领域")
    assert [int(r[0]) for r in rows[1:]] == sorted([ids[0], ids[2]])
    assert all(r[1] == BRANCH_A for r in rows[1:])
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d", rows[1][-1])  # 上传时间 as people read it


@QUICK_ON_SQLITE
@pytest.mark.parametrize("query", [{"page": "x"}, {"per_page": "100000000"}, {"sort": "password_hash"}])
def test_bad_list_arguments_are_a_422_naming_the_field(client, queued, query):
    resp = client.get("/queue", query_string=query)
    assert resp.status_code == 422
    assert "Traceback" not in resp.get_data(as_text=True)


def test_bulk_approve_claim_notify_and_download(client, queued, demo):
    ids = queued["ids"]
    csrf = csrf_of(client)
    resp = client.post("/queue/bulk", data={"csrf_token": csrf, "action": "approve", "ids": [str(ids[0]), str(ids[1])]})
    assert resp.status_code == 302
    page = client.get("/queue", query_string={"status": "approved"}).get_data(as_text=True)
    assert sorted(_rows(page)) == sorted(ids[:2])
    # the approved ones cannot be approved again: reported, the third still goes through
    client.post("/queue/bulk", data={"csrf_token": csrf, "action": "approve", "ids": [str(ids[0]), str(ids[2])]})
    page = client.get("/queue", query_string={"status": "approved"}).get_data(as_text=True)
    assert sorted(_rows(page)) == sorted(ids)
    assert "不能作此决定" in page
    # numbered notices only with the confirmation: a form with too few members, checked
    tokens = demo["tokens"]
    short = upload(client, tokens["yusuan"], declaration_docx(members=5), "五人.docx").get_json()["id"]
    assert client.post(f"/api/v1/submissions/{short}/check", json={},
                       headers={"Authorization": f"Bearer {tokens['gongwei']}"}).status_code == 200
    unconfirmed = client.post("/queue/bulk", data={"csrf_token": csrf, "action": "notify", "ids": [str(short)],
                                                   "reason": "党员人数不足七人"}).get_data(as_text=True)
    # sent back for the confirmation: the material still ticked, the 补正事由 as typed
    assert "请勾选“确认签发”" in unconfirmed and 'value="党员人数不足七人"' in unconfirmed
    assert f'name="ids" value="{short}" aria-label="选择材料 {short}" checked>' in unconfirmed
    docs = client.get("/api/v1/documents", headers={"Authorization": f"Bearer {demo['tokens']['gongwei']}"}).get_json()
    before = len(docs["items"] if isinstance(docs, dict) else docs)
    resp = client.post("/queue/bulk", data={"csrf_token": csrf, "action": "notify", "confirm": "1",
                                            "ids": [str(short)]}, follow_redirects=True)
    assert "1 份补正通知" in resp.get_data(as_text=True), re.findall(r'class="flash[^>]*>([^<]*)', resp.get_data(as_text=True))
    docs = client.get("/api/v1/documents", headers={"Authorization": f"Bearer {demo['tokens']['gongwei']}"}).get_json()
    assert len(docs["items"] if isinstance(docs, dict) else docs) == before + 2  # PDF and DOCX of one 补正通知
    resp = client.post("/queue/bulk", data={"csrf_token": csrf, "action": "download", "ids": [str(i) for i in ids]})
    assert resp.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(resp.data)).namelist()
    assert len(names) == 3 and all(n.endswith(".docx") for n in names)


def test_bulk_download_of_a_submission_outside_the_view_is_a_404(client, queued, demo):
    from tests.web.conftest import BRANCH_B

    other = upload(client, demo["tokens"]["chengguan"], declaration_docx(branch=BRANCH_B), "b.docx").get_json()["id"]
    resp = client.post("/queue/bulk", data={"csrf_token": csrf_of(client), "action": "download",
                                            "ids": [str(queued["ids"][0]), str(other)]})
    assert resp.status_code == 404


@QUICK_ON_SQLITE
def test_the_bulk_decision_is_chosen_by_its_button_alone(client, queued):
    """批量审核 offered a choice (开始审核 / 通过) that the server never read: with 开始审核 chosen, 批量通过 still
    approved. The buttons are the choice; every control of the bulk form is one the server reads."""
    import re

    html = client.get("/queue").get_data(as_text=True)
    bulk = html[html.index('action="/queue/bulk"'):html.index("</form>", html.index('action="/queue/bulk"'))]
    names = set(re.findall(r'name="([^"]+)"', bulk))
    assert names <= {"csrf_token", "ids", "action", "reason", "confirm"}, names
    assert 'value="approve"' in bulk and 'value="claim"' in bulk
