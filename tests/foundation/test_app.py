"""The walking skeleton over HTTP: upload a DOCX, read it back, with roles."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from tests.conftest import bearer
from tests.samples import declaration_docx


def upload(client, token, data: bytes, name: str = "申报表.docx", **form):
    payload = {"file": (io.BytesIO(data), name), **form}
    return client.post("/api/v1/submissions", data=payload, headers=bearer(token),
                       content_type="multipart/form-data")


def test_healthz(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok"}


def test_upload_and_read_back(client, demo, db):
    from service.models import AuditLog, Extraction

    token = demo["tokens"]["yusuan"]
    data = declaration_docx()
    resp = upload(client, token, data)
    assert resp.status_code == 201, resp.get_json()
    created = resp.get_json()
    assert created["form"] == "declaration"
    assert created["size"] == len(data)

    got = client.get(f"/api/v1/submissions/{created['id']}", headers=bearer(token))
    assert got.status_code == 200
    body = got.get_json()
    assert body["organisation_name"] == "市财政局预算科党支部"
    fields = body["extraction"]["fields"]
    assert fields["branch_name"] == "市财政局预算科党支部"
    assert fields["member_count"] == 12
    assert fields["domain"] == "organ"
    assert body["extraction"]["provenance"]["member_count"]["source"] == "docx"
    labels = {p["label"] for p in body["extraction"]["pairs"]}
    assert {"支部名称", "党员人数"} <= labels  # the generic label/value pairs are kept too
    with db() as s:
        assert s.scalar(select(func.count()).select_from(Extraction)) == 1
        actions = [a.action for a in s.execute(select(AuditLog)).scalars()]
    assert "upload" in actions

    original = client.get(f"/api/v1/submissions/{created['id']}/file", headers=bearer(token))
    assert original.status_code == 200 and original.data == data


def test_file_store_is_content_addressed(client, demo, app):
    token = demo["tokens"]["yusuan"]
    data = declaration_docx()
    first = upload(client, token, data, name="../../etc/passwd.docx").get_json()
    second = upload(client, token, data, name="again.docx").get_json()
    assert first["sha256"] == second["sha256"]
    stored = list((app.config["WUHAO_DATA_DIR"] / "files").rglob(first["sha256"]))
    assert len(stored) == 1
    assert not list(app.config["WUHAO_DATA_DIR"].rglob("passwd*"))


def test_bad_upload_is_refused_and_nothing_half_written(client, demo, db):
    from service.models import AuditLog, Submission

    token = demo["tokens"]["yusuan"]
    resp = upload(client, token, b"%PDF-1.4 this is not really a pdf", name="x.pdf")
    assert resp.status_code in (415, 422)
    err = resp.get_json()["error"]
    assert err["code"] in {"corrupt_file", "unsupported_type"}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err["message"])
    with db() as s:
        assert s.scalar(select(func.count()).select_from(Submission)) == 0
        rejected = s.execute(select(AuditLog).where(AuditLog.action == "upload_rejected")).scalars().all()
    assert len(rejected) == 1


def test_oversized_upload_gives_413_json(app, client, demo):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    resp = upload(client, demo["tokens"]["yusuan"], b"PK" + b"0" * 4096)
    assert resp.status_code == 413
    assert resp.get_json()["error"]["code"] == "too_large"


def test_unauthenticated_gets_401_json(client, demo):
    resp = client.get("/api/v1/submissions")
    assert resp.status_code == 401
    assert resp.get_json()["error"]["code"] == "unauthorized"


def test_branch_cannot_read_another_branch(client, demo):
    created = upload(client, demo["tokens"]["yusuan"], declaration_docx()).get_json()
    other = client.get(f"/api/v1/submissions/{created['id']}", headers=bearer(demo["tokens"]["guoku"]))
    assert other.status_code == 404
    reviewer = client.get(f"/api/v1/submissions/{created['id']}", headers=bearer(demo["tokens"]["gongwei"]))
    assert reviewer.status_code == 200
    district = client.get(f"/api/v1/submissions/{created['id']}", headers=bearer(demo["tokens"]["quwei"]))
    assert district.status_code == 404
    listed = client.get("/api/v1/submissions", headers=bearer(demo["tokens"]["guoku"])).get_json()
    assert listed["items"] == []


def test_reviewer_corrects_a_field_and_original_is_kept(client, demo):
    created = upload(client, demo["tokens"]["yusuan"], declaration_docx(members=12)).get_json()
    url = f"/api/v1/submissions/{created['id']}/fields"
    denied = client.patch(url, json={"fields": {"member_count": 13}}, headers=bearer(demo["tokens"]["yusuan"]))
    assert denied.status_code == 403
    resp = client.patch(url, json={"fields": {"member_count": 13}}, headers=bearer(demo["tokens"]["gongwei"]))
    assert resp.status_code == 200, resp.get_json()
    ext = resp.get_json()["extraction"]
    assert ext["fields"]["member_count"] == 13
    assert ext["original_fields"]["member_count"] == 12
    assert ext["corrections"][0]["old_value"] == 12
    bad = client.patch(url, json={"fields": {"member_count": "很多"}}, headers=bearer(demo["tokens"]["gongwei"]))
    assert bad.status_code == 422


def test_audit_log_is_append_only(app, db):
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from service import audit

    with db() as s:
        audit.record(s, None, "test", "thing", 1)
        s.commit()
        with pytest.raises(DBAPIError):
            s.execute(text("UPDATE audit_log SET action = 'changed'"))
        s.rollback()
        with pytest.raises(DBAPIError):
            s.execute(text("DELETE FROM audit_log"))
        s.rollback()
        assert s.execute(text("SELECT action FROM audit_log")).scalar_one() == "test"


def test_demo_loads_all_eight_domains_and_is_idempotent(app, db):
    from service.db import session_scope
    from service.demo import load_demo
    from service.models import DOMAINS, Organisation, User

    with app.app_context():
        with session_scope(app.config["DATABASE_URL"]) as s:
            first = load_demo(s, with_records=False)
        with session_scope(app.config["DATABASE_URL"]) as s:
            second = load_demo(s, with_records=False)
    assert first["organisations"] == second["organisations"]
    with db() as s:
        branch_domains = set(s.execute(
            select(Organisation.domain).where(Organisation.kind == "branch")).scalars())
        roles = set(s.execute(select(User.role)).scalars())
    assert branch_domains == set(DOMAINS)
    assert roles == {"admin", "reviewer", "branch"}


def test_pages_need_login_and_login_works(client, demo):
    resp = client.get("/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    page = client.get("/login")
    assert "登录" in page.get_data(as_text=True)
    import re

    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    bad = client.post("/login", data={"username": "yusuan", "password": "wrong", "csrf_token": csrf})
    assert bad.status_code == 401 and "用户名或密码错误" in bad.get_data(as_text=True)
    no_csrf = client.post("/login", data={"username": "yusuan", "password": demo["password"]})
    assert no_csrf.status_code == 400
    ok = client.post("/login", data={"username": "yusuan", "password": demo["password"], "csrf_token": csrf})
    assert ok.status_code == 302
    assert 'id="todo' in client.get("/").get_data(as_text=True)  # the start page is the to-do list (待办)


def test_apps_of_one_process_share_url_builders_and_build_their_own_urls(tmp_path):
    """Each rule's URL builders are compiled once per process (``http.SharedBuilderRule``): a second
    app's rules reuse the first's functions, and every app still builds URLs from its own rules."""
    from flask import url_for

    from service import create_app

    def make(name):
        return create_app({"DATABASE_URL": f"sqlite:///{tmp_path / name}.db", "WUHAO_DATA_DIR": tmp_path / name,
                           "SECRET_KEY": name, "TESTING": True, "WUHAO_PUBLIC_URL": f"https://{name}.example.org"})

    one, two = make("one"), make("two")
    rules = lambda app: {r.endpoint: r for r in app.url_map.iter_rules()}  # noqa: E731
    first, second = rules(one), rules(two)
    shared = [e for e in first if e != "static" and first[e]._build.__func__ is second[e]._build.__func__]
    assert len(shared) == len(first) - 1 and first["healthz"] is not second["healthz"]
    built = []
    for app in (one, two):
        with app.test_request_context():
            built.append([url_for(e, **{a: min(getattr(c, "items", [7])) for a, c in first[e]._converters.items()})
                          for e in sorted(first) if e != "static" and not first[e].defaults])
            assert url_for("healthz", q="一 二") == "/healthz?q=%E4%B8%80+%E4%BA%8C"
    assert built[0] == built[1] and "/verify/7" in built[0], built[0][:5]
