"""The assessor's page and the archive packet (issue 18)."""
from __future__ import annotations

import io
import random
import zipfile

import pikepdf
import pdfplumber

from tests.checks import textcorpus as tc
from tests.conftest import bearer
from tests.samples import declaration_docx
from tests.web.conftest import BRANCH_A, login, upload
from tests.web.test_text_checks_api import _report_docx


def _seed(client, demo):
    token = demo["tokens"]["yusuan"]
    rng = random.Random(31)
    report = tc.report("held", rng, headings=True)
    text = "\n".join(ln for ln in report.text.splitlines()[1:]
                     if not any(s in ln for s in tc.POOLS["held"]["reputation"] + tc.HEADINGS["reputation"]))
    r = upload(client, token, declaration_docx(), "申报表.docx")
    assert r.status_code == 201
    r = upload(client, token, _report_docx(f"{BRANCH_A}创建工作汇报", text + "\n" + "".join(tc.POOLS["held"]["members"])),
               "汇报材料.docx")
    assert r.status_code == 201 and r.get_json()["form"] == "report"
    return demo["orgs"][BRANCH_A]


def test_assessor_view_links_rubric_items_to_report_sentences(client, demo):
    org = _seed(client, demo)
    resp = client.get(f"/api/v1/organisations/{org}/assessor?year=2025", headers=bearer(demo["tokens"]["gongwei"]))
    assert resp.status_code == 200, resp.get_json()
    v = resp.get_json()
    dims = {d["key"]: d for d in v["dimensions"]}
    assert dims["reputation"]["sentences"] == 0 and dims["members"]["sentences"] > 0 and dims["members"]["facts"] > 0
    marked = {s["anchor"] for s in v["segments"] if s["dimensions"]}
    linked = [it for it in v["items"] if it["anchor"]]
    assert linked and all(it["anchor"] in marked for it in linked)
    assert v["plan"]["parts"] and all(p["found"] for p in v["plan"]["parts"].values())
    # a branch may not read the assessor's view
    assert client.get(f"/api/v1/organisations/{org}/assessor", headers=bearer(demo["tokens"]["yusuan"])).status_code == 403


def test_assessor_page_in_chinese(client, demo):
    org = _seed(client, demo)
    login(client, "gongwei", demo["password"])
    page = client.get(f"/organisations/{org}/assessor?year=2025")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "群众反映好" in html and "未写到" in html and "创建工作方案的四个部分" in html
    assert "reputation" not in html.replace('dim-reputation', '')


def test_archive_packet_lists_every_file_and_links_resolve(client, demo):
    org = _seed(client, demo)
    resp = client.get(f"/api/v1/organisations/{org}/archive.zip", headers=bearer(demo["tokens"]["yusuan"]))
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    zf = zipfile.ZipFile(io.BytesIO(resp.data))
    names = set(zf.namelist())
    assert "目录.pdf" in names
    files = names - {"目录.pdf"}
    assert any(n.startswith("材料/") and n.endswith("申报表.docx") for n in files)
    assert {"记录/" in n for n in files} == {True, False}
    index = zf.read("目录.pdf")
    links = set()
    for page in pikepdf.open(io.BytesIO(index)).pages:
        for annot in page.get("/Annots", []):
            action = annot.get("/A")
            if action is not None and action.get("/S") == "/Launch":
                links.add(str(action.F.UF))
    assert links == files, (links ^ files)
    with pdfplumber.open(io.BytesIO(index)) as pdf:
        text = "".join(p.extract_text() or "" for p in pdf.pages)
    assert "创建档案目录" in text and f"共 {len(files)} 件" in text
    for n in range(1, len(files) + 1):
        assert str(n) in text
    # another subtree's branch cannot take it
    other = client.get(f"/api/v1/organisations/{org}/archive.zip", headers=bearer(demo["tokens"]["chengguan"]))
    assert other.status_code == 404
