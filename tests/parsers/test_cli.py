"""The CLI contract: `wuhao parse FILE... --json`."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from parsers.cli import run

ROOT = Path(__file__).resolve().parents[2]
KEYS = ["file", "form", "fields", "missing", "errors", "provenance"]


def test_cli_json_lines_in_order(generated_corpus, tmp_path):
    directory, _ = generated_corpus
    bad = tmp_path / "notes.docx"
    bad.write_text("not a document", encoding="utf-8")
    files = [directory / "acceptance_02.pdf", directory / "declaration_01.docx", bad, directory / "report_00.docx"]
    proc = subprocess.run([sys.executable, "-m", "parsers", "parse", *map(str, files), "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == len(files)
    objs = [json.loads(line) for line in lines]
    assert [o["file"] for o in objs] == [str(f) for f in files]
    for o in objs:
        assert list(o) == KEYS + ["pairs", "warnings"]
    acc, dec, err, rep = objs
    assert acc["form"] == "acceptance" and set(acc["fields"]["self_scores"]) == {
        "leadership", "members", "mechanism", "performance", "reputation"}
    assert acc["errors"] == [] and acc["provenance"]["self_scores"]["source"] == "pdf"
    assert dec["form"] == "declaration" and dec["fields"]["declared_on"][:2] == "20"
    assert err["errors"][0]["code"] == "corrupt_file" and err["form"] == "unknown"
    assert "不是真正的 Word 文件" in err["errors"][0]["message"]
    assert {"label", "value", "provenance"} <= set(dec["pairs"][0])
    assert rep["form"] == "report" and rep["fields"]["char_count"] > 2000
    assert "Traceback" not in proc.stderr


def test_cli_exit_zero_when_all_read(generated_corpus):
    directory, _ = generated_corpus
    out = io.StringIO()
    status = run([str(directory / "brand_00.docx"), str(directory / "brand_00.pdf")], True, out)
    assert status == 0
    assert [json.loads(x)["form"] for x in out.getvalue().splitlines()] == ["brand", "brand"]


def test_cli_human_output(generated_corpus):
    directory, _ = generated_corpus
    out = io.StringIO()
    assert run([str(directory / "brand_00.docx")], False, out) == 0
    assert "branch_name" in out.getvalue()


def test_cli_prints_pairs_of_an_unknown_form(tmp_path):
    """An unknown form says what it holds: its label/value pairs."""
    from docx import Document
    doc = Document()
    doc.add_paragraph("出差审批单")
    t = doc.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "出差人", "王五"
    t.cell(1, 0).text, t.cell(1, 1).text = "出差事由", "参加培训"
    path = tmp_path / "trip.docx"
    doc.save(path)
    out = io.StringIO()
    assert run([str(path)], True, out) == 0
    obj = json.loads(out.getvalue())
    assert obj["form"] == "unknown" and obj["fields"] == {}
    assert [(p["label"], p["value"]) for p in obj["pairs"]] == [("出差人", "王五"), ("出差事由", "参加培训")]
    assert obj["pairs"][0]["provenance"]["source"] == "docx"
    human = io.StringIO()
    run([str(path)], False, human)
    assert "出差人：王五" in human.getvalue()
