"""The document preview: each value's source block is marked, for DOCX (cell/paragraph) and PDF (page/box)."""
from __future__ import annotations

from tests.conftest import QUICK_ON_SQLITE, bearer
from tests.samples import declaration_docx
from tests.web.conftest import upload

pytestmark = QUICK_ON_SQLITE  # the database is not this module's subject: PostgreSQL in the slow tier

ROWS = [("支部名称", "市财政局预算科党支部"), ("上级党组织", "市财政局机关党委"), ("支部书记", "李秀英"),
        ("党员人数", "12人"), ("联系人", "王芳"), ("联系电话", "022-68881234"), ("申报日期", "2026年3月15日")]


def pdf_form(branch: str = "市财政局预算科党支部") -> bytes:
    return _pdf(branch)


def _pdf(branch: str = "市财政局预算科党支部") -> bytes:
    from weasyprint import HTML

    rows = [(a, branch if a == "支部名称" else b) for a, b in ROWS]
    cells = "".join(f"<tr><td style='padding:8px'>{a}</td><td style='padding:8px'>{b}</td></tr>" for a, b in rows)
    return HTML(string="<html><body style='font-family:Noto Sans CJK SC'><h1>市直机关“五好党支部”创建申报表</h1>"
                       f"<table border=1 style='border-collapse:collapse;width:100%'>{cells}</table></body></html>"
                ).write_pdf()


def _sources(preview: dict) -> dict[str, str]:
    out = {}
    for block in preview["blocks"]:
        if block["type"] == "p":
            for f in block["fields"]:
                out[f] = block["text"]
        else:
            for row in block["rows"]:
                for cell in row:
                    for f in cell["fields"]:
                        out[f] = cell["text"]
    return out


def test_preview_marks_the_source_of_each_value(client, demo):
    token = demo["tokens"]["yusuan"]
    for name, data in (("申报表.docx", declaration_docx()), ("申报表.pdf", _pdf())):
        sub = upload(client, token, data, name).get_json()
        assert sub["form"] == "declaration", sub
        preview = client.get(f"/api/v1/submissions/{sub['id']}/preview", headers=bearer(token)).get_json()
        sources = _sources(preview)
        assert sources["branch_name"] == "市财政局预算科党支部", name
        assert sources["member_count"] == "12人", name
        assert sources["declared_on"] == "2026年3月15日", name
        # a label is never marked as a source, and each value has exactly one block
        labels = {a for a, _ in ROWS}
        assert not labels & set(sources.values()), name
        marked = [f for b in preview["blocks"] if b["type"] == "table" for r in b["rows"] for c in r
                  for f in c["fields"]]
        assert len(marked) == len(set(marked)), name
    other = client.get(f"/api/v1/submissions/{sub['id']}/preview", headers=bearer(demo["tokens"]["guoku"]))
    assert other.status_code == 404


def test_pdf_preview_has_page_images_with_source_boxes(client, demo):
    token = demo["tokens"]["yusuan"]
    sub = upload(client, token, _pdf(), "申报表.pdf").get_json()
    preview = client.get(f"/api/v1/submissions/{sub['id']}/preview", headers=bearer(token)).get_json()
    assert len(preview["pages"]) == 1
    boxes = {b["field"]: b for b in preview["boxes"]}
    assert set(boxes) >= {"branch_name", "member_count", "declared_on"}
    for b in boxes.values():
        assert 0 <= b["left"] < 100 and 0 <= b["top"] < 100 and 0 < b["width"] <= 100 and 0 < b["height"] < 50
    assert boxes["branch_name"]["top"] < boxes["declared_on"]["top"]  # the table reads top to bottom
    png = client.get(f"/api/v1/submissions/{sub['id']}/pages/1.png", headers=bearer(token))
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    assert client.get(f"/api/v1/submissions/{sub['id']}/pages/2.png", headers=bearer(token)).status_code == 404
    assert client.get(f"/api/v1/submissions/{sub['id']}/pages/1.png",
                      headers=bearer(demo["tokens"]["guoku"])).status_code == 404
    docx = upload(client, token, declaration_docx(), "申报表.docx").get_json()
    assert client.get(f"/api/v1/submissions/{docx['id']}/pages/1.png", headers=bearer(token)).status_code == 404
