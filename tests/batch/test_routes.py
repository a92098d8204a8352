"""HTTP API of batches on both databases (SQLite is the embedded default)."""
from __future__ import annotations

import hashlib
import io
import time

import pytest

from service.batch import sample
from tests.conftest import bearer


def _csv(rows, encoding="utf-8") -> bytes:
    import csv

    buf = io.StringIO()
    w = csv.DictWriter(buf, list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode(encoding)


@pytest.mark.slow
def test_batch_api_end_to_end(app, client, demo):
    app.config["WUHAO_BATCH_WORKERS"] = 2
    token = demo["tokens"]["quwei"]  # 区委组织部: sees the 静海区委 subtree only
    branches = ["大邱庄村党支部", "城关社区党支部", "区医院党支部"]
    rows = sample.sample_members(120, seed=5, branches=branches)

    bad = rows[:3] + [dict(rows[3], 所在支部="市财政局预算科党支部"), dict(rows[4], 姓名="")]
    r = client.post("/api/v1/batches", headers=bearer(token), content_type="multipart/form-data",
                    data={"kind": "party-card", "roster": (io.BytesIO(_csv(bad, "gb18030")), "名册.csv")})
    assert r.status_code == 422
    errors = r.get_json()["error"]["detail"]["errors"]
    # a branch outside the reviewer's subtree is unknown to them
    assert [(e["row"], e["reason"]) for e in errors] == [(5, "未知的支部：市财政局预算科党支部"), (6, "缺少姓名")]

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
    deadline = time.time() + 120
    while time.time() < deadline:
        st = client.get(f"/api/v1/batches/{job['id']}", headers=bearer(token)).get_json()
        if st["state"] not in ("queued", "running"):
            break
        time.sleep(0.3)
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
    assert page.status_code == 200 and 'role="progressbar"' in page.get_data(as_text=True)
    index = client.get("/batches", headers=bearer(token))
    assert index.status_code == 200 and 'name="roster"' in index.get_data(as_text=True)
