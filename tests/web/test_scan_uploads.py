"""Scans and photos through the upload path (issue 17): answered at once with 识别中, OCRed by
the batch executors' worker loop, then fields with page + box on the preview; every failure
ends in a Chinese message and a stable code, never a submission left 识别中.

The OCR is completed deterministically: the test runs ``worker.work`` on the job in-process,
which either does the unit or waits until the local OCR process the upload started has done it.
"""
from __future__ import annotations

import datetime as dt
import io
import json

import cv2
import pytest
from sqlalchemy import select, update

from parsers.result import ParseResult
from service import intake
from service.batch import ocr, state, worker
from service.config import settings_of
from service.db import session_scope
from service.models import AuditLog, BatchChunk, BatchJob, Extraction, Submission, User
from service.storage import store_for
from tests.conftest import DEMO_PASSWORD, QUICK_ON_SQLITE, bearer
from tests.parsers.scans.test_ocr_quick import drawn_form
from tests.web.conftest import login, upload


def _png() -> bytes:
    ok, buf = cv2.imencode(".png", drawn_form()[0])
    assert ok
    return buf.tobytes()


def _finish(app, sub_id: int) -> dict:
    settings = settings_of(app)
    with session_scope(settings.database_url) as s:
        job_id = ocr.job_of(s, sub_id).id
    worker.work(settings, job_id)
    with session_scope(settings.database_url) as s:
        job = s.get(BatchJob, job_id)
        assert job.state == "done"
    return job_id


def _stored_scan(app, org_name: str, name: str, data: bytes) -> int:
    """A scan accepted as an upload would be, its OCR job created but not started."""
    settings = settings_of(app)
    with session_scope(settings.database_url) as s:
        user = s.execute(select(User).where(User.username == "yusuan")).scalar_one()
        received = intake.Received(name, data, ParseResult(file=name, media_type="png"), scan=True)
        sub = intake.accept(s, store_for(settings.data_dir), user, user.organisation_id, received)
        return sub.id


@QUICK_ON_SQLITE
def test_a_photo_is_answered_at_once_and_damaged_pixels_end_unreadable(app, client, demo):
    token = demo["tokens"]["yusuan"]
    bad = b"\xff\xd8\xff\xe0" + b"\x00JFIF" + bytes(range(256)) * 20  # JPEG magic, broken body
    resp = upload(client, token, bad, "照片.jpg")
    assert resp.status_code == 201, resp.get_json()
    sub = resp.get_json()
    assert (sub["status"], sub["status_name"], sub["media_type"]) == ("recognising", "识别中", "jpeg")
    got = client.get(f"/api/v1/submissions/{sub['id']}", headers=bearer(token)).get_json()
    assert got["ocr"]["state"] in ("queued", "running", "done")
    _finish(app, sub["id"])
    got = client.get(f"/api/v1/submissions/{sub['id']}", headers=bearer(token)).get_json()
    assert (got["status"], got["status_name"]) == ("unreadable", "识别失败")
    assert [e["code"] for e in got["extraction"]["errors"]] == ["corrupt_file"]
    assert "图片文件已损坏" in got["extraction"]["errors"][0]["message"]
    login(client, "yusuan", DEMO_PASSWORD)
    page = client.get(f"/submissions/{sub['id']}").get_data(as_text=True)
    assert 'id="ocr-error"' in page and "图片文件已损坏" in page and "ocr-progress" not in page
    with session_scope(app.config["DATABASE_URL"]) as s:
        actions = [a.action for a in s.execute(select(AuditLog).where(AuditLog.object_id == sub["id"],
                                                                     AuditLog.object_type == "submission"))
                   .scalars()]
    assert actions == ["upload", "ocr"]
    # a scan's OCR job is no certificate batch
    assert all(j["kind"] != "ocr" for j in client.get("/api/v1/batches", headers=bearer(demo["tokens"]["gongwei"]))
               .get_json()["items"])


def test_a_scan_whose_worker_died_ends_interrupted_after_its_lease(app, demo):
    settings = settings_of(app)
    sub_id = _stored_scan(app, "", "扫描件.png", _png())
    with session_scope(settings.database_url) as s:
        job_id = ocr.job_of(s, sub_id).id
        assert s.get(Submission, sub_id).status == "recognising"
    unit = state.claim(settings, job_id, "dead-worker")  # a worker took it and was killed
    assert unit is not None
    with session_scope(settings.database_url) as s:
        s.execute(update(BatchChunk).where(BatchChunk.id == unit.chunk_id)
                  .values(lease_until=state.utcnow() - dt.timedelta(seconds=1)))
    worker.work(settings, job_id)  # takes the unit over: the scan is not OCRed a second time
    with session_scope(settings.database_url) as s:
        sub = s.get(Submission, sub_id)
        ext = s.execute(select(Extraction).where(Extraction.submission_id == sub_id)).scalar_one()
        assert sub.status == "unreadable"
        assert [e["code"] for e in ext.errors] == ["ocr_interrupted"]
        assert "识别中断" in ext.errors[0]["message"]
        assert s.get(BatchJob, job_id).state == "done"


@QUICK_ON_SQLITE
def test_a_failed_job_is_shown_failed_not_pending(app, client, demo):
    settings = settings_of(app)
    sub_id = _stored_scan(app, "", "扫描件.png", _png())
    with session_scope(settings.database_url) as s:
        job = ocr.job_of(s, sub_id)
        job.state = "failed"
    got = client.get(f"/api/v1/submissions/{sub_id}", headers=bearer(demo["tokens"]["yusuan"])).get_json()
    assert got["ocr"]["failed"] and not got["ocr"]["active"]
    assert "意外错误" in got["ocr"]["message"]
    login(client, "yusuan", DEMO_PASSWORD)
    page = client.get(f"/submissions/{sub_id}").get_data(as_text=True)
    assert 'id="ocr-error"' in page and 'data-state="failed"' in page


@QUICK_ON_SQLITE
def test_the_upload_page_accepts_images(client, demo):
    login(client, "yusuan", DEMO_PASSWORD)
    page = client.get("/upload").get_data(as_text=True)
    assert ".jpg" in page and ".png" in page and "扫描件" in page


@pytest.mark.slow
def test_a_scanned_page_is_read_with_pairs_boxes_and_the_seal(app, client, demo):
    token = demo["tokens"]["yusuan"]
    resp = upload(client, token, _png(), "扫描件.png")
    assert resp.status_code == 201
    sid = resp.get_json()["id"]
    login(client, "yusuan", DEMO_PASSWORD)
    page = client.get(f"/submissions/{sid}").get_data(as_text=True)
    assert 'id="ocr-progress"' in page and "识别中" in page and 'id="preview-pending"' in page
    _finish(app, sid)
    got = client.get(f"/api/v1/submissions/{sid}", headers=bearer(token)).get_json()
    assert got["status"] == "extracted" and got["ocr"]["percent"] == 100 and got["ocr"]["total"] == 1
    scan = got["extraction"]["scan"]
    assert scan["sealed"] and scan["pages"] == 1 and "model_sha256" not in scan
    pairs = {p["label"]: p for p in got["extraction"]["pairs"]}
    assert "市财政局第一党支部" in json.dumps(got["extraction"]["pairs"], ensure_ascii=False)
    assert all(p["provenance"]["page"] == 1 and len(p["provenance"]["bbox"]) == 4 for p in pairs.values())
    preview = client.get(f"/api/v1/submissions/{sid}/preview", headers=bearer(token)).get_json()
    assert preview["pages"] and abs(preview["pages"][0]["width"] - 595.4) < 2  # 1654 px at 200 dpi
    png = client.get(f"/api/v1/submissions/{sid}/pages/1.png", headers=bearer(token))
    assert png.status_code == 200 and png.data[:8] == b"\x89PNG\r\n\x1a\n"
    page = client.get(f"/submissions/{sid}").get_data(as_text=True)
    assert "发现红色印章（已盖章）" in page and "ocr-progress" not in page


@QUICK_ON_SQLITE
def test_parser_warnings_are_stored_and_shown_in_chinese(app, client, demo):
    from service.demo_forms import DECLARATION, _form
    from service.vocabulary import FORM_TITLES

    rows = [(label, "" if label == "联系电话" else value) for label, value in DECLARATION]
    resp = upload(client, demo["tokens"]["yusuan"], _form(FORM_TITLES["declaration"], rows), "申报表.docx")
    assert resp.status_code == 201, resp.get_json()
    sub = resp.get_json()
    assert sub["status"] == "extracted"
    assert [(w["code"], w["field"]) for w in sub["extraction"]["warnings"]] == [("missing_optional", "contact_phone")]
    login(client, "yusuan", DEMO_PASSWORD)
    page = client.get(f"/submissions/{sub['id']}").get_data(as_text=True)
    assert 'id="warnings"' in page and "表单印有“联系电话”一栏，但未填写。" in page
    assert "missing_optional" not in page


@QUICK_ON_SQLITE
def test_an_image_only_pdf_is_a_scan_and_a_pdf_without_text_or_images_is_refused(app, client, demo):
    from PIL import Image

    from tests import hostile

    token = demo["tokens"]["yusuan"]
    buf = io.BytesIO()
    Image.fromarray(drawn_form()[0][:, :, ::-1]).save(buf, "PDF", resolution=200.0)
    resp = upload(client, token, buf.getvalue(), "盖章扫描件.pdf")
    assert resp.status_code == 201, resp.get_json()
    sub = resp.get_json()
    assert (sub["status"], sub["media_type"]) == ("recognising", "pdf")
    with session_scope(app.config["DATABASE_URL"]) as s:  # no need to OCR it here
        state.cancel(s, ocr.job_of(s, sub["id"]).id)
    drawing = hostile.build_pdf([((595, 842), 0)], [b"10 10 m 500 800 l S"])
    resp = upload(client, token, drawing, "只有线条.pdf")
    assert resp.status_code == 422
    assert resp.get_json()["error"]["code"] == "no_text_layer"
