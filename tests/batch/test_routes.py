"""HTTP API of batches on both databases (SQLite is the embedded default)."""
from __future__ import annotations

import hashlib
import io
import re
import time

import pytest

from service.batch import sample
from tests.conftest import bearer


def login(client, username: str, password: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = client.post("/login", data={"username": username, "password": password, "csrf_token": csrf})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]


def _csv(rows, encoding="utf-8") -> bytes:
    import csv

    buf = io.StringIO()
    w = csv.DictWriter(buf, list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode(encoding)


def _finished(client, token: str, job_id: int) -> dict:
    """The job's status once it left queued/running (the API reports it; 240 s bound a hang)."""
    deadline = time.monotonic() + 240
    while True:
        st = client.get(f"/api/v1/batches/{job_id}", headers=bearer(token)).get_json()
        if st["state"] not in ("queued", "running") or time.monotonic() > deadline:
            return st
        time.sleep(0.3)


@pytest.mark.slow
def test_batch_api_end_to_end(app, client, demo):
    token = demo["tokens"]["quwei"]  # 区委组织部: sees the 静海区委 subtree only
    branches = ["大邱庄村党支部", "城关社区党支部", "区医院党支部"]
    rows = sample.sample_members(120, seed=5, branches=branches)

    bad = rows[:3] + [dict(rows[3], 所在支部="市财政局预算科党支部"), dict(rows[4], 姓名="")]
    r = client.post("/api/v1/batches", headers=bearer(token), content_type="multipart/form-data",
                    data={"kind": "party-card", "roster": (io.BytesIO(_csv(bad, "gb18030")), "名册.csv")})
    assert r.status_code == 422
    errors = r.get_json()["error"]["detail"]["errors"]
    # a branch outside the issuing organ's subtree is refused with its row number (issue 11)
    assert [(e["row"], e["reason"]) for e in errors] == [(5, "支部不在本机关管辖范围内：市财政局预算科党支部"),
                                                         (6, "缺少姓名")]

    r = client.post("/api/v1/batches", headers=bearer(demo["tokens"]["yusuan"]),
                    content_type="multipart/form-data",
                    data={"kind": "party-card", "roster": (io.BytesIO(_csv(rows)), "名册.csv")})
    assert r.status_code == 403

    r = client.post("/api/v1/batches", headers=bearer(token), content_type="multipart/form-data",
                    data={"kind": "party-card", "outputs": "merged,register,pdf,docx,zip", "chunk_size": "40",
                          "roster": (io.BytesIO(_csv(rows)), "名册.csv")})
    assert r.status_code == 202, r.get_json()
    job = r.get_json()
    assert job["total"] == 120 and job["state"] in ("queued", "running")
    st = _finished(client, token, job["id"])
    assert st["state"] == "done", st
    assert st["done"] == 120 and st["rate_per_second"] > 0 and st["eta_seconds"] is None
    kinds = [o["kind"] for o in st["outputs"]]
    assert kinds.count("merged") == 1 and "register" in kinds and kinds.count("zip") == 3
    for o in st["outputs"]:
        d = client.get(f"/api/v1/batches/{job['id']}/outputs/{o['index']}", headers=bearer(token))
        assert d.status_code == 200
        assert hashlib.sha256(d.data).hexdigest() == o["sha256"] == d.headers["X-Content-SHA256"]

    # one certificate, both formats
    from sqlalchemy import select

    from service.db import session_scope
    from service.models import Certificate

    with session_scope(app.config["DATABASE_URL"]) as s:
        number = s.execute(select(Certificate.number).where(Certificate.job_id == job["id"])).scalars().first()
    assert number.startswith("12")
    pdf = client.get(f"/api/v1/batches/{job['id']}/certificates/{number}.pdf", headers=bearer(token))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    docx = client.get(f"/api/v1/batches/{job['id']}/certificates/{number}.docx", headers=bearer(token))
    assert docx.status_code == 200 and docx.data[:2] == b"PK"

    # resubmission is idempotent; cancelling a finished job is refused
    r = client.post("/api/v1/batches", headers=bearer(token), content_type="multipart/form-data",
                    data={"kind": "party-card", "outputs": "merged,register,pdf,docx,zip", "chunk_size": "40",
                          "roster": (io.BytesIO(_csv(rows)), "名册.csv")})
    assert r.status_code == 200 and r.get_json()["id"] == job["id"] and r.get_json()["created"] is False
    assert client.post(f"/api/v1/batches/{job['id']}/cancel", headers=bearer(token)).status_code == 409

    listing = client.get("/api/v1/batches", headers=bearer(token)).get_json()["items"]
    assert [j["id"] for j in listing] == [job["id"]]
    other = client.get(f"/api/v1/batches/{job['id']}", headers=bearer(demo["tokens"]["gongwei"]))
    assert other.status_code == 404  # another committee's reviewer cannot see it
    page = client.get(f"/batches/{job['id']}", headers=bearer(token))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'role="progressbar"' in html and "已完成" in html
    assert "取消任务" not in html  # a finished job offers no cancel button
    assert "五好党支部创建管理" in html  # the page extends base.html
    index = client.get("/batches", headers=bearer(token))
    assert index.status_code == 200 and 'name="roster"' in index.get_data(as_text=True)
    assert client.post(f"/api/v1/batches/{job['id']}/resume", headers=bearer(token)).status_code == 409

    # the same roster with other outputs: a new job printing the numbers already issued
    r = client.post("/api/v1/batches", headers=bearer(token), content_type="multipart/form-data",
                    data={"kind": "party-card", "outputs": "register", "chunk_size": "40",
                          "roster": (io.BytesIO(_csv(rows)), "名册.csv")})
    assert r.status_code == 202 and r.get_json()["numbers_from"] == job["id"]
    reprint = r.get_json()["id"]
    st = _finished(client, token, reprint)
    assert st["state"] == "done" and [o["kind"] for o in st["outputs"]] == ["register"]
    with session_scope(app.config["DATABASE_URL"]) as s:
        assert len(s.execute(select(Certificate.number)).scalars().all()) == 120


@pytest.mark.slow  # the resumed job runs in worker processes
def test_an_unfinished_job_offers_cancel_and_stops(app, client, demo):
    from service.config import settings_of
    from service.batch.state import create_job
    from service.db import session_scope
    from service.storage import store_for

    token = demo["tokens"]["quwei"]
    rows = sample.sample_members(5, seed=6, branches=["城关社区党支部"])
    with session_scope(app.config["DATABASE_URL"]) as s:  # queued, no worker started
        job, _ = create_job(s, store_for(settings_of(app).data_dir), _csv(rows), "名册.csv", "party-card",
                            {}, organisation_id=demo["orgs"]["静海区委"])
        job_id = job.id
    html = client.get(f"/batches/{job_id}", headers=bearer(token)).get_data(as_text=True)
    assert "取消任务" in html and "排队中" in html
    login(client, "quwei", demo["password"])
    page = client.get(f"/batches/{job_id}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post(f"/batches/{job_id}/cancel", data={"csrf_token": csrf})
    assert r.status_code in (302, 303)
    html = client.get(f"/batches/{job_id}").get_data(as_text=True)
    assert "已取消" in html and "取消任务" not in html
    assert client.post(f"/api/v1/batches/{job_id}/cancel", headers=bearer(token)).status_code == 409
    r = client.post(f"/api/v1/batches/{job_id}/resume", headers=bearer(token))  # runs from where it stopped
    assert r.status_code == 200 and r.get_json()["state"] == "queued"
    st = _finished(client, token, job_id)
    assert st["state"] == "done" and st["done"] == 5, st
