"""Blank templates of the three forms, built from forms.yaml (labels, options, score items).

Run ``python -m parsers.blank_forms`` to (re)write templates_docx/forms/*.docx and, when
LibreOffice is installed, the PDF print of each (templates_docx/forms/*.pdf).
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from .forms import domain_labels, field_spec, honor_labels, score_dimensions, short_name, title_of
from .legacy import soffice_path

ROOT = Path(__file__).resolve().parent.parent
FORMS_DIR = ROOT / "templates_docx" / "forms"
FILENAMES = {kind: f"{short_name(kind)}.docx" for kind in ("declaration", "acceptance", "brand")}
BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
BOOL_WORDS = {"has_office": ("有", "无"), "has_equipment": ("有", "无"), "has_activity_room": ("有", "无"),
              "directly_under": ("是", "否")}
LAYOUT = {
    "declaration": [["branch_name"], ["parent_org"], ["secretary", "member_count"],
                    ["contact_person", "contact_phone"], ["domain"], ["directly_under", "declared_on"],
                    ["prior_honor"], ["has_office", "has_equipment"], ["has_activity_room"], ["plan_summary"]],
    "acceptance": [["branch_name"], ["parent_org"], ["secretary", "member_count"],
                   ["contact_person", "contact_phone"], ["domain"], ["creation_started_on", "applied_on"]],
    "brand": [["branch_name"], ["parent_org"], ["community", "secretary"], ["member_count", "established_on"],
              ["contact_person", "contact_phone"], ["brand_name"], ["brand_summary"], ["applied_on"]],
}
TALL = {"plan_summary": 8, "brand_summary": 8}


def _font(run, name: str, size: float, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = name
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _write(cell, text: str, bold: bool = False, center: bool = False, lines: int = 1) -> None:
    cell.text = ""
    par = cell.paragraphs[0]
    if center:
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if text:
        _font(par.add_run(text), BODY_FONT, 12, bold)
    for _ in range(lines - 1):
        cell.add_paragraph("")


def _options(kind: str, key: str, ftype: str) -> str:
    if ftype == "domain":
        return "  ".join("□" + v for v in domain_labels().values())
    if ftype == "honor":
        return "  ".join("□" + v for v in honor_labels().values())
    if ftype == "bool":
        yes, no = BOOL_WORDS.get(key, ("是", "否"))
        return f"□{yes}  □{no}"
    return ""


def build(kind: str) -> Document:
    spec = field_spec(kind)
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Cm(3.7), Cm(3.5), Cm(2.8), Cm(2.6)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(title_of(kind)), TITLE_FONT, 22)
    table = doc.add_table(rows=0, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row_keys in LAYOUT[kind]:
        row = table.add_row()
        if len(row_keys) == 1:
            key = row_keys[0]
            _write(row.cells[0], spec[key]["label"], bold=True, center=True)
            value = row.cells[1].merge(row.cells[3])
            _write(value, _options(kind, key, spec[key]["type"]), lines=TALL.get(key, 1))
        else:
            for j, key in enumerate(row_keys):
                _write(row.cells[2 * j], spec[key]["label"], bold=True, center=True)
                _write(row.cells[2 * j + 1], _options(kind, key, spec[key]["type"]))
    if kind == "acceptance":
        doc.add_paragraph("")
        scores = doc.add_table(rows=1, cols=3)
        scores.style = "Table Grid"
        scores.alignment = WD_TABLE_ALIGNMENT.CENTER
        for j, h in enumerate(["考核项目", "分值", "自评得分"]):
            _write(scores.rows[0].cells[j], h, bold=True, center=True)
        for label in score_dimensions().values():
            row = scores.add_row()
            _write(row.cells[0], label, center=True)
            _write(row.cells[1], "20", center=True)
            _write(row.cells[2], "")
        row = scores.add_row()
        _write(row.cells[0], spec["self_score_total"]["label"], bold=True, center=True)
        _write(row.cells[1], "100", center=True)
        _write(row.cells[2], "")
    doc.add_paragraph("")
    sign = doc.add_paragraph()
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _font(sign.add_run("党组织（盖章）            年    月    日"), BODY_FONT, 12)
    note = doc.add_paragraph()
    _font(note.add_run("填表说明：所属领域、已获荣誉等选项请在相应“□”内打“√”；本表一式两份。"), BODY_FONT, 10.5)
    return doc


def write_all(outdir: Path = FORMS_DIR) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind, name in FILENAMES.items():
        path = outdir / name
        doc = build(kind)
        doc.core_properties.title = title_of(kind)
        doc.core_properties.author = "wuhao"
        doc.save(path)
        paths.append(path)
    return paths


def path_for(kind: str) -> Path:
    """The committed blank template of a form kind (for the download endpoint)."""
    return FORMS_DIR / FILENAMES[kind]


def write_pdfs(docx_paths: list[Path]) -> None:
    """Print the blank forms to PDF with LibreOffice (one run for all of them)."""
    soffice = soffice_path()
    if not soffice or not docx_paths:
        return
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                        "--convert-to", "pdf", "--outdir", str(docx_paths[0].parent),
                        *map(str, docx_paths)], check=True, capture_output=True, timeout=300)


if __name__ == "__main__":
    written = write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else FORMS_DIR)
    write_pdfs(written)
    for p in written:
        print(p, p.with_suffix(".pdf") if p.with_suffix(".pdf").exists() else "")
