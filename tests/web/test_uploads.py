"""Uploads (issue 16, item 8): all or nothing, empty files refused, the limit per file, waitress's
own 413 in the JSON error shape, and ``Idempotency-Key``."""
from __future__ import annotations

import http.client
import io
import json
import urllib.parse
import zipfile

import pytest
from sqlalchemy import func, select

from tests.conftest import QUICK_ON_SQLITE, bearer
from tests.foundation.test_server import served  # noqa: F401  (the fixture: a real `wuhao serve`)
from tests.samples import declaration_docx


def _post(client, token, files, headers=None, **form):
    data = {"file": [(io.BytesIO(d), n) for n, d in files], **form}
    return client.post("/api/v1/submissions", data=data, headers={**bearer(token), **(headers or {})},
                       content_type="multipart/form-data")


def _count(app, model_name="Submission", **where):
    from service import models
    from service.db import session_factory

    model = getattr(models, model_name)
    with session_factory(app.config["DATABASE_URL"])() as s:
        q = select(func.count()).select_from(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return s.execute(q).scalar_one()


def test_one_bad_file_stores_none_and_each_bad_file_is_named(app, client, demo):
    token = demo["tokens"]["yusuan"]
    files = [("申报表.docx", declaration_docx()), ("坏文件.pdf", b"%PDF-1.4 this is not a pdf"),
             ("空白.docx", b""), ("汇报材料.txt", b"plain text")]
    resp = _post(client, token, files)
    assert resp.status_code == 422, resp.get_json()
    err = resp.get_json()["error"]
    assert err["code"] == "invalid_files"
    assert "本次上传的文件均未保存" in err["message"]
    named = {f["name"]: f["code"] for f in err["detail"]["files"]}
    assert named == {"坏文件.pdf": "corrupt_file", "空白.docx": "empty_file", "汇报材料.txt": "unsupported_type"}
    for name in named:
        assert name in err["message"]
    assert _count(app) == 0
    assert _count(app, "Extraction") == 0
    assert _count(app, "AuditLog", action="upload_rejected") == 3  # the refusal keeps its audit rows
    assert _count(app, "AuditLog", action="upload") == 0


@QUICK_ON_SQLITE
@pytest.mark.parametrize("data", [b"", b"   \r\n\t \n"])
def test_empty_and_whitespace_files_are_refused(app, client, demo, data):
    resp = _post(client, demo["tokens"]["yusuan"], [("空.pdf", data)])
    assert resp.status_code == 422
    assert resp.get_json()["error"]["code"] == "empty_file"
    assert _count(app) == 0


def _docx_of_size(size: int) -> bytes:
    """The declaration form padded (a stored member) to exactly ``size`` bytes."""
    base = declaration_docx()

    def build(pad: int) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                dst.writestr(info.filename, src.read(info))
            dst.writestr(zipfile.ZipInfo("customXml/padding.bin"), b"\0" * pad, compress_type=zipfile.ZIP_STORED)
        return out.getvalue()

    first = build(0)
    data = build(size - len(first))
    assert len(data) == size
    return data


@pytest.fixture
def small_limit_app(database_url, data_dir):
    from service import create_app

    return create_app({"DATABASE_URL": database_url, "WUHAO_DATA_DIR": data_dir, "SECRET_KEY": "test-secret",
                       "TESTING": True, "WUHAO_MAX_UPLOAD_MB": "0.25"})


@QUICK_ON_SQLITE
def test_the_limit_is_per_file_and_a_file_of_exactly_the_limit_is_accepted(small_limit_app, demo):
    app = small_limit_app
    limit = app.extensions["wuhao"].max_upload_bytes
    assert limit == 262144
    client = app.test_client()
    token = demo["tokens"]["yusuan"]
    exact = _post(client, token, [("正好.docx", _docx_of_size(limit))])
    assert exact.status_code == 201, exact.get_json()
    over = _post(client, token, [("超出.docx", _docx_of_size(limit + 1))])
    assert over.status_code == 413
    err = over.get_json()["error"]
    assert err["code"] == "too_large" and "超出.docx" in err["message"] and "0.25 MB" in err["message"]
    # two files of exactly the limit fit in one request: the envelope is not the limit
    both = _post(client, token, [("甲.docx", _docx_of_size(limit)), ("乙.docx", _docx_of_size(limit - 7))])
    assert both.status_code == 201, both.get_json()
    assert _count(app) == 3


def test_a_retried_upload_with_the_same_idempotency_key_returns_the_first_result(app, client, demo):
    token = demo["tokens"]["yusuan"]
    files = [("申报表.docx", declaration_docx())]
    first = _post(client, token, files, headers={"Idempotency-Key": "upload-42"})
    again = _post(client, token, files, headers={"Idempotency-Key": "upload-42"})
    assert first.status_code == 201 and again.status_code == 201
    assert again.get_json()["id"] == first.get_json()["id"]
    assert _count(app) == 1
    other = _post(client, token, [("申报表.docx", declaration_docx(members=30))], headers={"Idempotency-Key": "upload-42"})
    assert other.status_code == 409 and other.get_json()["error"]["code"] == "idempotency_key_reused"
    assert _post(client, token, files).status_code == 201  # without a key: a new submission
    assert _count(app) == 2
    # the key is the caller's: another user's same key is another upload
    assert _post(client, demo["tokens"]["guoku"], files, headers={"Idempotency-Key": "upload-42"}).status_code == 201
    assert _count(app) == 3


@pytest.fixture
def tiny_limit(monkeypatch):
    monkeypatch.setenv("WUHAO_MAX_UPLOAD_MB", "0.01")  # 10 KB a file: waitress's cap is about 1.1 MB


@pytest.mark.slow
def test_waitress_own_413_is_in_the_json_error_shape(tiny_limit, served):  # noqa: F811
    """Waitress refuses a body over its cap from the Content-Length alone. Only the headers are sent: a client
    still sending the 3 MB body when waitress answered and closed got a connection reset instead of the answer,
    now and then (the test failed 1 run in 4 under xdist)."""
    url = urllib.parse.urlsplit(served["base"])
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        conn.putrequest("POST", "/api/v1/submissions")
        conn.putheader("Content-Type", "application/octet-stream")
        conn.putheader("Content-Length", str(3 * 1024 * 1024))
        conn.endheaders()
        resp = conn.getresponse()
        assert resp.status == 413
        assert resp.getheader("Content-Type").startswith("application/json")
        payload = json.loads(resp.read())
    finally:
        conn.close()
    assert payload["error"]["code"] == "too_large" and "MB" in payload["error"]["message"]


@QUICK_ON_SQLITE
def test_previews_and_the_review_page_never_parse_again(app, client, demo):
    """The upload's parse is cached by the file's hash: views read the cache, not the file."""
    from service import parsing
    from service.config import settings_of
    from tests.web.conftest import login
    from tests.conftest import DEMO_PASSWORD

    token = demo["tokens"]["yusuan"]
    sub = _post(client, token, [("申报表.docx", declaration_docx(members=21))]).get_json()
    box = parsing.sandbox(settings_of(app))
    calls = box.stats["calls"]
    web = app.test_client()
    login(web, "yusuan", DEMO_PASSWORD)
    for _ in range(3):
        preview = client.get(f"/api/v1/submissions/{sub['id']}/preview", headers=bearer(token)).get_json()
        assert any(b.get("fields") for b in preview["blocks"] if b["type"] == "p") or \
            any(c["fields"] for b in preview["blocks"] if b["type"] == "table" for row in b["rows"] for c in row)
        assert web.get(f"/submissions/{sub['id']}").status_code == 200
    assert box.stats["calls"] == calls
