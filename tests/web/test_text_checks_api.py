"""Issue 18 through the API: a second branch's report that reuses a third of another's is flagged."""
from __future__ import annotations

import io
import random

from docx import Document

from tests.checks import textcorpus as tc
from tests.conftest import QUICK_ON_SQLITE, bearer
from tests.web.conftest import BRANCH_A, BRANCH_B, upload

pytestmark = QUICK_ON_SQLITE  # the database is not this module's subject: PostgreSQL in the slow tier


def _report_docx(title: str, text: str) -> bytes:
    doc = Document()
    doc.add_paragraph(title)
    for line in text.splitlines():
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_report_reusing_a_third_of_another_is_flagged(client, demo):
    rng = random.Random(21)
    first = tc.varied_report(rng, BRANCH_A, (12, 16))
    own = tc.varied_report(rng, BRANCH_B, (12, 16))
    second = tc.copied(first, own, 0.34, rng)
    assert second.copied_share >= 0.3
    a = upload(client, demo["tokens"]["yusuan"], _report_docx(f"{BRANCH_A}创建工作汇报", first.text), "汇报材料.docx")
    assert a.status_code == 201, a.get_json()
    b = upload(client, demo["tokens"]["chengguan"], _report_docx(f"{BRANCH_B}创建工作汇报", second.text),
               "汇报材料.docx")
    assert b.status_code == 201, b.get_json()
    assert b.get_json()["form"] == "report"
    checked = client.post(f"/api/v1/submissions/{b.get_json()['id']}/check",
                          headers=bearer(demo["tokens"]["chengguan"]), json={})
    assert checked.status_code == 200, checked.get_json()
    copied = [f for f in checked.get_json()["findings"] if f["rule"] == "report_copied"]
    assert len(copied) == 1 and BRANCH_A in copied[0]["message"]
    assert str(a.get_json()["id"]) in copied[0]["message"]
    # the first branch is told as well: the check compares with every stored text, older or newer
    own_check = client.post(f"/api/v1/submissions/{a.get_json()['id']}/check",
                            headers=bearer(demo["tokens"]["yusuan"]), json={})
    assert own_check.status_code == 200
    assert [BRANCH_B in f["message"] for f in own_check.get_json()["findings"] if f["rule"] == "report_copied"] == [True]
    # an unrelated report shares nothing (and a branch's own earlier reports never count)
    third = tc.varied_report(rng, "第三党支部", (12, 16))
    c = upload(client, demo["tokens"]["yusuan"], _report_docx("第三党支部创建工作汇报", third.text), "汇报2.docx")
    c_check = client.post(f"/api/v1/submissions/{c.get_json()['id']}/check",
                          headers=bearer(demo["tokens"]["yusuan"]), json={})
    assert [f for f in c_check.get_json()["findings"] if f["rule"] == "report_copied"] == []


def test_review_page_shows_shared_passages_side_by_side(client, demo):
    from tests.web.conftest import login

    rng = random.Random(22)
    first = tc.varied_report(rng, BRANCH_A, (12, 16))
    second = tc.copied(first, tc.varied_report(rng, BRANCH_B, (12, 16)), 0.4, rng)
    upload(client, demo["tokens"]["yusuan"], _report_docx(f"{BRANCH_A}创建工作汇报", first.text), "汇报材料.docx")
    b = upload(client, demo["tokens"]["chengguan"], _report_docx(f"{BRANCH_B}创建工作汇报", second.text), "汇报.docx")
    sub_id = b.get_json()["id"]
    login(client, "admin", demo["password"])
    html = client.get(f"/submissions/{sub_id}").get_data(as_text=True)
    assert 'id="shared-passages"' in html and BRANCH_A in html and "side-by-side" in html
    client.post("/logout")
    login(client, "quwei", demo["password"])  # reviewer of B's subtree: A's text is not theirs to read
    html = client.get(f"/submissions/{sub_id}").get_data(as_text=True)
    assert 'id="shared-passages"' in html and "只显示相同比例" in html and "side-by-side" not in html
