"""The job's outputs, made by its final unit once every chunk is done.

* merged print volumes: the pages drawn by the chunks, written ``volume_size`` per PDF with
  fonts subset once per volume (the content streams are those of the single PDFs);
* the register (登记造册, XLSX, every cell from the roster through ``safe_cell``);
* one ZIP per branch of the single PDFs / DOCX files.

Every file goes through the store; the list of what was produced is the job's ``outputs``.
"""
from __future__ import annotations

import io
import pickle
import zipfile
from typing import Iterator

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from service.certificates.engine import Page, engine_for
from service.certificates.pdffont import load_font
from service.config import Settings
from service.exports import safe_row
from service.storage import FileStore, store_for

from .rendering import load_rows
from .state import KIND_TITLES

CARD_REGISTER = ("序号", "证件编号", "姓名", "性别", "所在支部", "所属党组织", "入党时间", "发证日期",
                 "名册行号", "文件sha256")
HONOR_REGISTER = ("序号", "证书编号", "支部名称", "上级党组织", "荣誉称号", "届期", "发证日期", "名册行号",
                  "文件sha256")


def safe_name(text: str) -> str:
    """A file name from a roster value: no path separators or characters Windows refuses."""
    return "".join("_" if c in '\\/:*?"<>|\0' else c for c in text).strip() or "未命名"


def _iter_pages(store: FileStore, chunk_outputs: list[dict]) -> Iterator[tuple]:
    for co in chunk_outputs:
        sha = co.get("pages")
        if sha:
            yield from pickle.loads(store.read_bytes(sha))


def build_outputs(settings: Settings, kind: str, opts: dict, chunk_outputs: list[dict]) -> list[dict]:
    """Write the job's files; return ``[{kind, name, sha256, size, …}]``."""
    store = store_for(settings.data_dir)
    rows = load_rows(settings, opts["rows_sha256"])
    outputs = set(opts["outputs"])
    title = KIND_TITLES[kind]
    produced: list[dict] = []
    issued = [entry for co in chunk_outputs for entry in co.get("issued", [])]
    row_by_no = {r["row"]: r for r in rows}

    def add(output_kind: str, name: str, data: bytes, **extra) -> None:
        sha = store.put_bytes(data)
        produced.append({"kind": output_kind, "name": name, "sha256": sha, "size": len(data), **extra})

    if "merged" in outputs:
        engine = engine_for(kind, settings.cert_cache)
        volume = opts["volume_size"]
        total = len(issued)
        page_iter = _iter_pages(store, chunk_outputs)
        for v in range((total + volume - 1) // volume):
            batch = []
            for _ in range(min(volume, total - v * volume)):
                number, content, usage = next(page_iter)
                batch.append(Page(content, {load_font(*k): codes for k, codes in usage.items()}, number))
            data = engine.write(batch, overprint=opts.get("overprint", False), title=f"{title}合并打印 第{v + 1}册")
            add("merged", f"{title}_合并打印_第{v + 1:02d}册.pdf", data, volume=v + 1,
                pages=len(batch), first=batch[0].number, last=batch[-1].number)
            del batch
    pdf_map = {k: v for co in chunk_outputs for k, v in (co.get("pdf") or {}).items()}
    docx_map = {k: v for co in chunk_outputs for k, v in (co.get("docx") or {}).items()}
    if "register" in outputs:
        add("register", f"{title}_登记造册.xlsx", register_xlsx(kind, opts, issued, row_by_no, pdf_map))
    if "zip" in outputs:
        by_branch: dict[str, list] = {}
        for row_no, number, _scope, _serial in issued:
            r = row_by_no[row_no]
            by_branch.setdefault(r["values"].get("branch_name", ""), []).append((number, r))
        for branch, items in by_branch.items():
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
                for number, r in items:
                    who = r["values"].get("name") if kind == "party-card" else branch
                    base = safe_name(f"{number}_{who}")
                    if number in pdf_map:
                        zf.write(store.path_for(pdf_map[number]), f"{base}.pdf")
                    if number in docx_map:
                        zf.write(store.path_for(docx_map[number]), f"{base}.docx")
            add("zip", f"{safe_name(branch)}_{title}.zip", buf.getvalue(), branch=branch, count=len(items))
    return produced


def register_xlsx(kind: str, opts: dict, issued: list, row_by_no: dict, pdf_map: dict) -> bytes:
    """登记造册: one row per certificate in print order (write-only workbook: 33,000 rows in ~2 s)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(f"{KIND_TITLES[kind]}登记")
    ws.column_dimensions["B"].width = 14
    ws.column_dimensions["C"].width = 16
    ws.column_dimensions["E"].width = 30
    bold = Font(bold=True)
    head = []
    for h in CARD_REGISTER if kind == "party-card" else HONOR_REGISTER:
        c = WriteOnlyCell(ws, value=h)
        c.font = bold
        head.append(c)
    ws.append(head)
    for i, (row_no, number, _scope, _serial) in enumerate(issued, start=1):
        r = row_by_no[row_no]
        v = r["values"]
        if kind == "party-card":
            cells = [i, number, v.get("name", ""), v.get("gender", ""), v.get("branch_name", ""),
                     r.get("organisation_path", ""), v.get("joined_on", ""), opts["issued_on"], row_no,
                     pdf_map.get(number, "")]
        else:
            cells = [i, number, v.get("branch_name", ""), v.get("parent_org", ""),
                     v.get("title") or opts.get("title", ""), v.get("term") or opts.get("term", ""),
                     opts["issued_on"], row_no, pdf_map.get(number, "")]
        ws.append(safe_row(cells))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
