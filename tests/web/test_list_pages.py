"""The list pages brought onto the list component after the first round (issue 15): the batches and
the audit log search, filter, sort, page and export exactly what they show; the audit log names every
action, object and code of a detail in Chinese (raw ``community``/``contact`` reached the page)."""
from __future__ import annotations

import html as html_lib
import io
import re

from openpyxl import load_workbook

from service.usecases import audit_log
from tests.conftest import QUICK_ON_SQLITE
from tests.web.conftest import login


def _text(page: str) -> str:
    """The visible text of a page, roughly (markup, scripts and styles dropped)."""
    body = re.sub(r"(?s)<(script|style|head)\b.*?</\1>", " ", page)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", body))


def _xlsx(resp) -> list[tuple]:
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(load_workbook(io.BytesIO(resp.data)).active.iter_rows(values_only=True))


def test_batches_page_is_a_list_that_searches_filters_and_exports(client, seeded):
    a, b = seeded["objects"]["A"]["job"], seeded["objects"]["B"]["job"]
    login(client, "gongwei", seeded["password"])
    page = client.get("/batches").get_data(as_text=True)
    shown = [int(i) for i in re.findall(r'data-batch-id="(\d+)"', page)]
    assert a in shown and b not in shown  # the other subtree's job is not listed
    assert 'name="q"' in page and "导出Excel" in page and 'aria-label="分页"' not in page
    assert [int(i) for i in re.findall(r'data-batch-id="(\d+)"', client.get(
        "/batches", query_string={"status": "queued", "q": "名册"}).get_data(as_text=True))] == [a]
    assert not re.findall(r'data-batch-id="(\d+)"', client.get(
        "/batches", query_string={"status": "done"}).get_data(as_text=True))
    rows = _xlsx(client.get("/batches", query_string={"status": "queued", "export": "xlsx"}))
    assert rows[0][:5] == ("编号", "证书类型", "名册", "组织", "状态")
    assert [int(r[0]) for r in rows[1:]] == [a] and rows[1][4] == "排队中"
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d", rows[1][6])
    focused = client.get("/batches", query_string={"job": a}).get_data(as_text=True)
    assert re.search(rf'data-batch-id="{a}"[^>]*id="current-batch"', focused)


def test_audit_page_is_a_list_in_plain_chinese(client, seeded):
    login(client, "admin", seeded["password"])
    page = client.get("/audit").get_data(as_text=True)
    text = _text(page)
    assert "导出Excel" in page and "确定挂点联系" in text and "挂点包保" in text
    assert "backward" not in text and "leader_assign" not in text and "其他操作" not in text
    only = client.get("/audit", query_string={"action": "leader_assign"}).get_data(as_text=True)
    assert set(re.findall(r'data-label="操作">([^<]+)<', only)) == {"确定挂点联系"}
    rows = _xlsx(client.get("/audit", query_string={"action": "leader_assign", "export": "xlsx"}))
    assert rows[0] == ("时间", "用户", "组织", "操作", "对象", "详情")
    assert len(rows) == 3 and {r[3] for r in rows[1:]} == {"确定挂点联系"} and all("挂点包保" in r[5] for r in rows[1:])
    newest_first = re.findall(r'data-label="时间">([^<]+)<', page)
    assert newest_first and newest_first == sorted(newest_first, key=_moment, reverse=True)


def _moment(text: str) -> tuple:
    return tuple(int(n) for n in re.findall(r"\d+", text))


def test_audit_details_name_their_codes():
    text = audit_log.detail_text({"domain": "community", "kind": "contact", "year": 2026, "grade": "good",
                                  "field": "branch_name", "rank": "county_leader", "role": "reviewer",
                                  "stage": "no_such_stage"})
    assert re.search(r"[A-Za-z]", text) is None, text
    assert "社区" in text and "创建联系点" in text and "好" in text


def test_organisations_page_is_a_list_in_tree_order(client, demo):
    login(client, "admin", demo["password"])
    page = client.get("/admin/organisations").get_data(as_text=True)
    ids = [int(i) for i in re.findall(r'<tr data-id="(\d+)"', page)]
    orgs = demo["orgs"]
    assert ids.index(orgs["静海区委"]) < ids.index(orgs["静海镇党委"]) < ids.index(orgs["城关社区党支部"])  # parents first
    assert "导出Excel" in page and 'name="q"' in page
    found = client.get("/admin/organisations", query_string={"q": "城关"}).get_data(as_text=True)
    assert [int(i) for i in re.findall(r'<tr data-id="(\d+)"', found)] == [orgs["城关社区党支部"]]
    rows = _xlsx(client.get("/admin/organisations", query_string={"kind": "street", "export": "xlsx"}))
    assert rows[0] == ("名称", "类型", "领域", "代码", "党员", "书记", "上级组织")
    assert len(rows) > 1 and {r[1] for r in rows[1:]} == {"街道党工委"}
    by_members = client.get("/admin/organisations", query_string={"sort": "member_count", "desc": "1"})
    assert by_members.status_code == 200 and "padding-left" not in by_members.get_data(as_text=True)


def test_messages_page_is_a_list(client, demo, db):
    from sqlalchemy import select

    from service import inbox
    from service.models import Message, User

    with db() as s:
        uid = s.execute(select(User.id).where(User.username == "yusuan")).scalar_one()
        for i in range(3):
            inbox.post(s, [uid], "deadline" if i else "batch", f"提醒{i}号", f"内容{i}", "/")
        s.execute(Message.__table__.update().where(Message.title == "提醒0号").values(read_at=Message.created_at))
        s.commit()
    login(client, "yusuan", demo["password"])
    page = client.get("/messages").get_data(as_text=True)
    assert re.findall(r"提醒\d号", page) == ["提醒2号", "提醒1号", "提醒0号"] and "导出Excel" in page
    unread = client.get("/messages", query_string={"status": "unread"}).get_data(as_text=True)
    assert re.findall(r"提醒\d号", unread) == ["提醒2号", "提醒1号"]
    old_link = client.get("/messages", query_string={"unread": "1"})
    assert old_link.status_code == 302 and "status=unread" in old_link.headers["Location"]
    assert re.findall(r"提醒\d号", client.get("/messages", query_string={"q": "内容1"}).get_data(as_text=True)) == ["提醒1号"]
    rows = _xlsx(client.get("/messages", query_string={"kind": "deadline", "export": "xlsx"}))
    assert rows[0] == ("时间", "类别", "标题", "内容", "状态")
    assert [(r[1], r[2], r[4]) for r in rows[1:]] == [("期限提醒", "提醒2号", "未读"), ("期限提醒", "提醒1号", "未读")]


def test_a_targets_records_are_a_list(client, demo):
    login(client, "jiedao", demo["password"])
    page = client.get("/community/targets/coverage").get_data(as_text=True)
    assert "导出Excel" in page and "鑫源商贸有限公司" in page
    missing = client.get("/community/targets/coverage", query_string={"status": "not_counted"}).get_data(as_text=True)
    counted = client.get("/community/targets/coverage", query_string={"status": "counted"}).get_data(as_text=True)
    assert "鑫源商贸有限公司" in missing and "鑫源商贸有限公司" not in counted
    rows = _xlsx(client.get("/community/targets/coverage", query_string={"status": "counted", "export": "xlsx"}))
    assert rows[0] == ("名称", "类别", "党组织", "情况", "日期", "是否计入")
    assert len(rows) == 6 and {r[5] for r in rows[1:]} == {"计入"}  # 5 of the 6 units that should have one
    by_date = client.get("/community/targets/coverage", query_string={"sort": "date", "desc": "1"})
    assert by_date.status_code == 200


def test_inspections_and_the_three_lists_search_filter_and_export_what_they_show(client, seeded):
    """The 督导检查 records and a branch's three lists are lists: filtered by 督导组/方式/党委/年度/问题处理 and
    by 党支部/状态, sorted, exported as shown (the three lists as their three sheets), printed whole."""
    from tests.web.conftest import csrf_of

    o = seeded["objects"]["B"]
    login(client, "quwei", seeded["password"])
    page = client.get("/supervision").get_data(as_text=True)
    assert all(f'name="{n}"' in page for n in ("q", "group", "kind", "committee", "year", "status"))
    assert "有问题尚未列入台账" in _text(page)
    heading = ("日期", "督导组", "方式", "党支部", "所属党委", "检查情况", "发现的问题", "问题处理")
    rows = _xlsx(client.get("/supervision", query_string={"status": "open", "q": "记录不全", "export": "xlsx"}))
    assert rows[0] == heading and len(rows) == 2, rows
    assert rows[1][1:4] == (f"督导组{seeded['orgs']['静海区委']}", "实地检查", "城关社区党支部")
    assert rows[1][6:] == ("记录不全", "有问题尚未列入台账")
    assert rows[1][4] and re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", rows[1][0])
    assert _xlsx(client.get("/supervision", query_string={"status": "listed", "export": "xlsx"})) == [heading]
    client.post("/supervision", data={"csrf_token": csrf_of(client), "action": "open",
                                      "inspection_id": str(o["inspection"]), "index": "0"})
    rows = _xlsx(client.get("/supervision", query_string={"status": "listed", "sort": "branch_name",
                                                          "export": "xlsx"}))
    assert [r[3] for r in rows[1:]] == ["城关社区党支部"] and rows[1][7] == "问题均已列入台账"
    assert client.get("/supervision", query_string={"sort": "answers_text"}).status_code == 422

    url = f"/branch-lists/{o['org']}"
    page = client.get(url, query_string={"status": "open"}).get_data(as_text=True)
    assert 'class="list-controls"' in page and "三会一课记录不全" in page and 'id="print-view"' in page
    book = load_workbook(io.BytesIO(client.get(url, query_string={"q": "三会一课", "export": "xlsx"}).data))
    assert book.sheetnames == ["问题清单", "任务清单", "责任清单"]
    problems = list(book["问题清单"].iter_rows(values_only=True))
    assert problems[0] == ("党支部", "序号", "问题类别", "具体问题", "立项日期")
    assert [r[3] for r in problems[1:]] == ["三会一课记录不全"] and problems[1][2] == "组织生活"
    assert book["责任清单"].max_row == book["任务清单"].max_row == 2
    none = load_workbook(io.BytesIO(client.get(url, query_string={"q": "没有这样的问题", "export": "xlsx"}).data))
    assert [none[s].max_row for s in none.sheetnames] == [1, 1, 1]
    assert "没有符合条件的事项" in client.get(url, query_string={"q": "没有这样的问题"}).get_data(as_text=True)
    # the print view: every matching row on one page, no search box or pager
    printed = client.get(url, query_string={"print": "1", "per_page": "1"}).get_data(as_text=True)
    assert 'class="list-controls"' not in printed and 'aria-label="分页"' not in printed
    assert "三会一课记录不全" in printed and "data-print" in printed


def test_a_list_with_a_prefix_reads_and_writes_only_its_own_arguments():
    """Two lists on one page: the second's arguments are p_q, p_sort, p_page…; neither reads the other's,
    and its links write its own names (the unprefixed list keeps today's plain names)."""
    import pytest

    from service.errors import Invalid
    from service.usecases.listing import Column, ListSpec, arg_keys, parse_args, run

    spec = ListSpec(columns=(Column("name", "姓名"), Column("n", "次数", "int")), search=("name",), filters=("kind",))
    raw = {"q": "甲", "sort": "n", "page": "2", "p_q": "乙", "p_sort": "n", "p_desc": "1", "p_kind": "x"}
    plain, own = parse_args(raw, spec), parse_args(raw, spec, "p_")
    assert (plain.q, plain.sort, plain.desc, plain.page, plain.filters) == ("甲", "n", False, 2, {})
    assert (own.q, own.sort, own.desc, own.page, own.filters) == ("乙", "n", True, 1, {"kind": "x"})
    assert own.query(page=3) == {"p_q": "乙", "p_kind": "x", "p_sort": "n", "p_desc": "1", "p_page": 3}
    assert own.query(desc=None, export="xlsx") == {"p_q": "乙", "p_kind": "x", "p_sort": "n", "p_export": "xlsx"}
    assert plain.query(page=None) == {"q": "甲", "sort": "n"}
    assert arg_keys(spec, "p_") == {"p_q", "p_sort", "p_desc", "p_page", "p_per_page", "p_export", "p_kind"}
    rows = [{"name": "乙一", "n": 1, "kind": "x"}, {"name": "乙二", "n": 2, "kind": "x"}, {"name": "甲", "n": 3}]
    assert [r["name"] for r in run(rows, spec, own)["rows"]] == ["乙二", "乙一"]
    with pytest.raises(Invalid) as bad:
        parse_args({"page": "1", "p_page": "x"}, spec, "p_")
    assert bad.value.detail["field"] == "p_page"


def _people(page: str) -> list[str]:
    table = page[page.index('id="people"'):]
    return re.findall(r'data-label="姓名"><a href="/leaders/\d+">([^<]+)</a>', table[:table.index("</table>")])


@QUICK_ON_SQLITE  # the subject is the page's arguments, not the database
def test_the_people_on_leaders_and_the_groups_on_supervision_are_lists_beside_the_pages_own(client, seeded):
    """/leaders has the coverage (q, sort…) and the people (p_q, p_sort…); /supervision the inspections and
    the 督导组 (g_q, g_sort…): each searches, sorts, pages and exports what it shows, its links keep the other's."""
    from tests.conftest import bearer

    h = bearer(seeded["tokens"]["quwei"])
    for name, rank, title in (("李卫东", "district_leader", "区委副书记"), ("赵县长", "county_leader", "副区长")):
        assert client.post("/api/v1/people", headers=h, json={"name": name, "rank": rank, "title": title}).status_code == 201
    login(client, "quwei", seeded["password"])
    page = client.get("/leaders", query_string={"year": 2026}).get_data(as_text=True)
    assert _people(page) == ["王志强", "李卫东", "赵县长"]
    assert 'name="p_q"' in page and 'name="q"' in page and 'name="p_kind"' in page
    page = client.get("/leaders", query_string={"year": 2026, "p_sort": "name", "p_desc": "1", "q": "城关"}).get_data(
        as_text=True)
    assert _people(page) == sorted(["王志强", "李卫东", "赵县长"], reverse=True)
    # the coverage list's links keep the people's order, and the other way round
    coverage_head = page[page.index('id="coverage"'):page.index('id="people"')]
    link = re.search(r'<a class="sort" href="([^"]+)"', coverage_head).group(1).replace("&amp;", "&")
    assert "p_sort=name" in link and "p_desc=1" in link and "year=2026" in link and "q=%E5%9F%8E%E5%85%B3" in link
    people_head = page[page.index('id="people"'):]
    link = re.search(r'<a class="sort" href="([^"]+)"', people_head).group(1).replace("&amp;", "&")
    assert "q=%E5%9F%8E%E5%85%B3" in link and "p_sort=name" in link
    assert _people(client.get("/leaders", query_string={"p_q": "副区长"}).get_data(as_text=True)) == ["赵县长"]
    assert _people(client.get("/leaders", query_string={"p_kind": "district_leader", "p_per_page": 1, "p_page": 2})
                   .get_data(as_text=True)) == ["李卫东"]
    rows = _xlsx(client.get("/leaders", query_string={"p_kind": "district_leader", "p_sort": "name", "p_export": "xlsx"}))
    assert rows[0] == ("姓名", "类别", "职务", "联系电话", "在任情况"), rows
    assert [r[0] for r in rows[1:]] == ["李卫东", "王志强"] and rows[1][1:3] == ("区级领导", "区委副书记"), rows
    assert {r[4] for r in rows[1:]} == {"在任"}
    assert _xlsx(client.get("/leaders", query_string={"export": "xlsx"}))[0][0] == "党支部"  # the coverage, as before
    assert client.get("/leaders", query_string={"p_sort": "password"}).status_code == 422

    login(client, "admin", seeded["password"])
    names = [f"督导组{seeded['orgs'][c]}" for c in ("市直机关工委", "静海区委")]
    page = client.get("/supervision").get_data(as_text=True)
    assert re.findall(r'<section class="card group"><h3>([^<]+)</h3>', page) == names
    assert 'name="g_q"' in page and 'name="g_sort"' in page and 'name="q"' in page
    page = client.get("/supervision", query_string={"g_sort": "name", "g_desc": "1", "status": "open"}).get_data(
        as_text=True)
    assert re.findall(r'<section class="card group"><h3>([^<]+)</h3>', page) == sorted(names, reverse=True)
    page = client.get("/supervision", query_string={"g_q": names[1]}).get_data(as_text=True)
    assert re.findall(r'<section class="card group"><h3>([^<]+)</h3>', page) == [names[1]]
    assert "有问题尚未列入台账" in _text(page)  # the inspections list is not narrowed by the groups' search
    rows = _xlsx(client.get("/supervision", query_string={"g_q": names[1], "g_export": "xlsx"}))
    assert rows[0] == ("名称", "组长", "成员", "负责督导的党委", "督导清单", "检查记录")
    assert [r[0] for r in rows[1:]] == [names[1]] and rows[1][4] == "是否每月8日开展主题党日" and rows[1][5] == "1"
