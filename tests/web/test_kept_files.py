"""Issue 15, a chosen file survives a refused form: a browser cannot fill a file input again, so a form with a
file refused after the file arrived names the file (已选择：…，无需重新选择) and keeps it in the file store; the
corrected post without a file records it (the same bytes, one stored copy). Only the session that chose the file
can use the page's token, for an hour."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import re

import pytest
from sqlalchemy import select

from service.db import session_scope
from service.models import ModelSite, NewMember, PairActivity, ProjectMilestone, RectificationNote, Submission
from service.web import kept_files
from tests.conftest import DEMO_PASSWORD, SQLITE_ONLY, bearer
from tests.web.conftest import csrf_of, login
from tests.web.test_refused_brand_forms import _brand_at, _org_id
from tests.web.test_refused_forms import _fill, web  # noqa: F401 (web: the forms' ids, a fixture)

pytestmark = SQLITE_ONLY

TODAY = dt.date.today().isoformat()

#: form -> (who, the brand's stage first or None, page, fields refused with the file, the field corrected and its
#: value, the record's model and how to find it)
FORMS = {
    "精品示范点": ("jiedao", None, "/community/records", {
        "action": "site", "organisation_id": "{xiangyang}", "name": "向阳驿站", "criteria": ["venue"],
        "recognised_on": "2099-05-01"}, ("recognised_on", TODAY), ModelSite, ModelSite.name == "向阳驿站"),
    "新发展党员": ("jiedao", None, "/community/records", {
        "action": "member", "organisation_id": "{xiangyang}", "name": "周小平", "admitted_on": "2099-05-01"},
        ("admitted_on", TODAY), NewMember, NewMember.name == "周小平"),
    "共建活动": ("jiedao", "paired", "/community/brands/{brand}", {
        "action": "activity", "pair_id": "{pair}", "held_on": "2099-01-02", "title": "楼栋认领"},
        ("held_on", TODAY), PairActivity, PairActivity.title == "楼栋认领"),
    "整改进展": ("quwei", None, "/ledger/{row}", {
        "action": "note", "written_on": "2099-01-05", "body": "已重新布置党员活动室"},
        ("written_on", TODAY), RectificationNote, RectificationNote.body == "已重新布置党员活动室"),
}


def _ledger_row(app, demo) -> int:
    made = app.test_client().post("/api/v1/ledger", headers=bearer(demo["tokens"]["quwei"]), json={
        "organisation_id": demo["orgs"]["城关社区党支部"], "category": "标准化建设", "problem": "活动阵地不规范",
        "opened_on": "2026-01-05", "due_on": "2026-03-31"})
    assert made.status_code == 201, made.get_json()
    return made.get_json()["id"]


def _setup(web, demo, form: str):
    app, ids = web
    who, stage, url, fields, fix, model, where = FORMS[form]
    ids = {**ids, "xingfu": _org_id(app, "幸福社区党支部")}
    if stage:
        _brand_at(app, ids, stage)
    if "{row}" in url:
        ids["row"] = _ledger_row(app, demo)
    fields = {k: _fill(v, ids) for k, v in fields.items()}
    return app, who, _fill(url, ids), fields, fix, model, where


def _client(app, who):
    client = app.test_client()
    login(client, who, DEMO_PASSWORD)
    return client, csrf_of(client)


def _records(app, model, where) -> list:
    with session_scope(app.config["DATABASE_URL"]) as s:
        return [(r.evidence_sha256, r.evidence_name) for r in s.execute(select(model).where(where)).scalars()]


def _copies(data_dir, data: bytes) -> int:
    """How many files of the store hold ``data`` (its scratch folders aside)."""
    return sum(1 for p in (data_dir / "files").rglob("*")
               if p.is_file() and ".scratch" not in p.parts and p.read_bytes() == data)


def _kept_token(text: str) -> str:
    found = re.findall(r'name="file:kept" value="([^"]+)"', text)
    assert len(found) == 1, found  # in the form posted only
    return found[0]


@pytest.mark.parametrize("form", list(FORMS))
def test_a_file_chosen_in_a_refused_form_is_used_by_the_corrected_post(web, demo, data_dir, form):
    app, who, url, fields, (key, value), model, where = _setup(web, demo, form)
    data, name = f"%PDF-1.4 {form}的佐证".encode(), f"{form}佐证.pdf"
    client, csrf = _client(app, who)
    refused = client.post(url, data={"csrf_token": csrf, **fields, "file": (io.BytesIO(data), name)})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200, (refused.status_code, text[:300])
    assert f"已选择：<strong>{name}</strong>（{len(data)} 字节），无需重新选择" in text, text[-2000:]
    assert "重新选择<input type=\"file\"" in text and f'name="file:drop" value="{_kept_token(text)}">不使用此文件' in text
    token = _kept_token(text)
    assert _records(app, model, where) == []
    assert _copies(data_dir, data) == 1  # kept in the store once

    # another session (the same account signed in elsewhere) cannot use the token
    other, other_csrf = _client(app, who)
    stolen = other.post(url, data={"csrf_token": other_csrf, **fields, key: value, "file:kept": token})
    assert stolen.status_code == 200 and kept_files.UNUSABLE in stolen.get_data(as_text=True)
    assert _records(app, model, where) == []

    done = client.post(url, data={"csrf_token": csrf, **fields, key: value, "file:kept": token})
    assert done.status_code == 302, done.get_data(as_text=True)[-1500:]
    assert _records(app, model, where) == [(hashlib.sha256(data).hexdigest(), name)]
    assert _copies(data_dir, data) == 1


def test_a_made_up_or_stale_token_attaches_nothing(web, demo, monkeypatch):
    """A token naming a file's digest without the app's signature, or one older than an hour, is refused in
    Chinese next to the file input and the typed fields stay."""
    app, who, url, fields, (key, value), model, where = _setup(web, demo, "整改进展")
    client, csrf = _client(app, who)
    data = b"%PDF-1.4 stale"
    refused = client.post(url, data={"csrf_token": csrf, **fields, "file": (io.BytesIO(data), "进展.pdf")})
    token = _kept_token(refused.get_data(as_text=True))
    sha = hashlib.sha256(data).hexdigest()
    for forged in (sha, token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")):
        resp = client.post(url, data={"csrf_token": csrf, **fields, key: value, "file:kept": forged})
        text = resp.get_data(as_text=True)
        assert resp.status_code == 200 and f'id="refused-file">{kept_files.UNUSABLE}' in text
        assert ">已重新布置党员活动室</textarea>" in text
    monkeypatch.setattr(kept_files, "MAX_AGE", -1)  # every token older than allowed
    resp = client.post(url, data={"csrf_token": csrf, **fields, key: value, "file:kept": token})
    assert resp.status_code == 200 and kept_files.EXPIRED in resp.get_data(as_text=True)
    assert _records(app, model, where) == []


def test_not_using_the_kept_file(web, demo):
    """不使用此文件: the corrected post records the progress without the file."""
    app, who, url, fields, (key, value), model, where = _setup(web, demo, "整改进展")
    client, csrf = _client(app, who)
    refused = client.post(url, data={"csrf_token": csrf, **fields, "file": (io.BytesIO(b"%PDF-1.4 no"), "进展.pdf")})
    token = _kept_token(refused.get_data(as_text=True))
    done = client.post(url, data={"csrf_token": csrf, **fields, key: value, "file:kept": token, "file:drop": token})
    assert done.status_code == 302
    assert _records(app, model, where) == [(None, "")]


def test_a_project_output_keeps_the_file_its_full_list_refused(web, data_dir):
    """书记项目: an output that already has ten files refuses the eleventh; its form (not the other outputs')
    names it, and once the output has room the file goes in without being chosen again."""
    app, ids = web
    fake = {"sha256": "0" * 64, "name": "旧材料.pdf", "size": 1, "added_on": TODAY}
    with session_scope(app.config["DATABASE_URL"]) as s:
        m = s.execute(select(ProjectMilestone).where(ProjectMilestone.project_id == ids["project"],
                                                     ProjectMilestone.kind == "report")).scalar_one()
        m.evidence = [fake] * 10
    client, csrf = _client(app, "quwei")
    url, data = f"/secretary-projects/{ids['project']}", b"%PDF-1.4 report"
    refused = client.post(url, data={"csrf_token": csrf, "action": "evidence", "kind": "report",
                                     "file": (io.BytesIO(data), "调研报告.pdf")})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "已有10份佐证材料" in text
    token = _kept_token(text)
    assert re.search(r'name="kind" value="report">\s*<div class="kept-file"', text), text[-3000:]
    with session_scope(app.config["DATABASE_URL"]) as s:
        s.execute(select(ProjectMilestone).where(ProjectMilestone.project_id == ids["project"],
                                                 ProjectMilestone.kind == "report")).scalar_one().evidence = [fake]
    done = client.post(url, data={"csrf_token": csrf, "action": "evidence", "kind": "report", "file:kept": token})
    assert done.status_code == 302
    with session_scope(app.config["DATABASE_URL"]) as s:
        files = s.execute(select(ProjectMilestone).where(ProjectMilestone.project_id == ids["project"],
                                                         ProjectMilestone.kind == "report")).scalar_one().evidence
    assert [(f["sha256"], f["name"]) for f in files[1:]] == [(hashlib.sha256(data).hexdigest(), "调研报告.pdf")]
    assert _copies(data_dir, data) == 1


def test_the_upload_page_keeps_the_readable_files_of_a_refused_upload(app, demo, data_dir):
    """上传材料 without JavaScript: one unreadable file refuses the whole upload; the page names it and keeps the
    readable one, which the next post uploads without choosing it again (another session cannot)."""
    from tests.samples import declaration_docx

    form = declaration_docx(members=9)
    client, csrf = _client(app, "yusuan")
    refused = client.post("/upload", content_type="multipart/form-data", data={"csrf_token": csrf, "file": [
        (io.BytesIO(form), "申报表.docx"), (io.BytesIO(b"just text"), "说明.txt")]})
    text = refused.get_data(as_text=True)
    assert refused.status_code in (415, 422) and "未上传：" in text and "说明.txt" in text, text[-1500:]
    assert f"已选择：<strong>申报表.docx</strong>（{len(form) / 1024:.1f} KB），无需重新选择" in text
    assert "已选择：<strong>说明.txt" not in text
    token = _kept_token(text)
    other, other_csrf = _client(app, "yusuan")
    stolen = other.post("/upload", data={"csrf_token": other_csrf, "file:kept": token})
    assert stolen.status_code == 422 and kept_files.UNUSABLE in stolen.get_data(as_text=True)
    with session_scope(app.config["DATABASE_URL"]) as s:
        assert s.execute(select(Submission.id)).first() is None
    done = client.post("/upload", data={"csrf_token": csrf, "file:kept": token})
    assert done.status_code == 302 and "/submissions/" in done.headers["Location"], done.get_data(as_text=True)[-800:]
    with session_scope(app.config["DATABASE_URL"]) as s:
        subs = s.execute(select(Submission.sha256, Submission.original_name)).all()
    assert [tuple(r) for r in subs] == [(hashlib.sha256(form).hexdigest(), "申报表.docx")]
    assert _copies(data_dir, form) == 1


@pytest.mark.browser
def test_a_phone_reports_progress_without_choosing_the_file_again(browser, site, app, tmp_path, shots):
    """At 390×844: a progress report dated after today is refused; the page names the chosen photo, fits the
    screen, and the report dated today is saved with it without choosing it again."""
    from tests.web.conftest import PHONE, browser_login, browser_page

    row = _ledger_row(app, site)
    photo = tmp_path / "活动室照片.pdf"
    photo.write_bytes(b"%PDF-1.4 photo of the room")
    with browser_page(browser, PHONE) as page:
        browser_login(page, site["base"], "quwei", site["password"])
        page.goto(f"{site['base']}/ledger/{row}")
        page.fill("textarea[name=body]", "已重新布置党员活动室")
        page.fill("input[name=written_on]", "2099-01-05")
        page.set_input_files("input[name=file]", str(photo))
        page.click("#add-note")
        page.wait_for_load_state("networkidle")
        kept = page.locator(".kept-file-name")
        assert kept.inner_text() == f"佐证材料已选择：{photo.name}（{len(photo.read_bytes())} 字节），无需重新选择"
        assert page.locator("text=进展日期不能晚于今天").count() >= 1
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"] + 2, width
        assert kept.bounding_box()["x"] + kept.bounding_box()["width"] <= PHONE["width"]
        shots(page, "kept-file-phone")
        page.fill("input[name=written_on]", TODAY)
        page.click("#add-note")
        page.wait_for_load_state("networkidle")
        link = page.locator("#notes a", has_text=photo.name)
        assert link.count() == 1, page.content()[-1500:]
    with session_scope(app.config["DATABASE_URL"]) as s:
        note = s.execute(select(RectificationNote).where(RectificationNote.item_id == row)).scalar_one()
        assert note.evidence_sha256 == hashlib.sha256(photo.read_bytes()).hexdigest()
