"""The document kinds and the one entry point that renders any of them.

``render(kind, context, fmt)`` → bytes.  ``context`` is the kind's plain data (see
``samples.py`` for one of each); :func:`compose.compose` words it into a view, then the DOCX
renderer (docxtpl) or the PDF renderer (WeasyPrint) lays it out.  The PDFs of the two
certificate kinds are drawn by the batch certificate engine
(``service.certificates.render_pdf``) when it is installed.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from ..certificates import render_pdf as certificate_engine
from ..certificates.docx import certificate_view
from ..certificates.engine import CertificateError
from ..exports import safe_row
from ..vocabulary import DOCUMENT_KINDS
from . import compose as C
from . import layout as L
from .docx_render import render_docx
from .html_render import render_pdf, tables_tightened
from .qr import qr_png

ROOT = Path(__file__).resolve().parents[2]

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "doc": "application/msword",
}


@dataclass(frozen=True)
class Kind:
    name: str
    formats: tuple[str, ...]
    #: the record a document is about (``--id``)
    subject: str
    #: numbered with a 发文字号 (official documents) or a certificate number
    numbering: str | None = None

    @property
    def label(self) -> str:
        """The kind's Chinese name (the vocabulary's)."""
        return DOCUMENT_KINDS[self.name]


KINDS: dict[str, Kind] = {k.name: k for k in [
    Kind("supplement-notice", ("docx", "pdf"), "submission", "doc"),
    Kind("acceptance-form", ("docx", "pdf"), "assessment"),
    Kind("rectification-notice", ("docx", "pdf"), "assessment", "doc"),
    Kind("rectification-taskbook", ("docx", "pdf"), "assessment", "doc"),
    Kind("rectification-ledger", ("docx", "pdf", "xlsx"), "organisation"),
    Kind("commendation-decision", ("docx", "pdf"), "organisation", "doc"),
    Kind("honor-certificate", ("docx", "pdf"), "cycle", "certificate"),
    Kind("delisting-notice", ("docx", "pdf"), "cycle", "doc"),
    Kind("party-card", ("docx", "pdf"), "certificate", "certificate"),
    Kind("quarterly-report", ("docx", "pdf"), "organisation", "doc"),
    Kind("brand-naming-decision", ("docx", "pdf"), "organisation", "doc"),
    Kind("blank-form", ("docx", "xlsx", "pdf", "doc", "xls"), "form"),
]}

CERTIFICATE_KINDS = ("honor-certificate", "party-card")


class UnknownKind(ValueError):
    pass


class UnsupportedFormat(ValueError):
    pass


def kind_info(kind: str) -> Kind:
    try:
        return KINDS[kind]
    except KeyError:
        raise UnknownKind(f"未知的文书种类：{kind}（可用：{'、'.join(KINDS)}）") from None


def render(kind: str, context: dict, fmt: str, *, overprint: bool = False,
           offset_mm: tuple[float, float] = (0.0, 0.0)) -> bytes:
    """Render one document of ``kind`` from its plain context."""
    info = kind_info(kind)
    if fmt not in info.formats:
        raise UnsupportedFormat(f"{info.label}不提供 {fmt} 格式（可用：{'、'.join(info.formats)}）")
    if kind == "blank-form":
        return blank_form(context["form"], fmt)
    if fmt == "pdf" and kind in CERTIFICATE_KINDS:
        return certificate_pdf(kind, context, overprint=overprint, offset_mm=offset_mm)
    if fmt == "xlsx":
        return ledger_xlsx(context)
    if fmt == "docx" and kind in CERTIFICATE_KINDS:
        return certificate_docx(kind, context)
    view = C.compose(kind, context)
    if fmt == "docx":
        return render_docx(kind, docx_view(view))

    return render_pdf(view)


def docx_view(view: dict) -> dict:
    """The view for the DOCX: tables as close as the PDF lays them (its page breaks follow)."""
    if tables_tightened(view):
        pitch = L.TABLE_LINE_PT * L.TIGHT_TABLE_FACTOR * L.TWIPS_PER_PT
        return dict(view, table_line_twips=round(pitch))
    return view


def certificate_docx(kind: str, context: dict) -> bytes:
    """A certificate's DOCX in the wording of its PDF (the certificate engine's values, as the
    batch prints them), with the QR code as an image."""
    try:
        view = certificate_view(kind, C.clean(context))
    except CertificateError as exc:
        raise C.ContextError(str(exc)) from exc
    url = context.get("verify_url") or ""
    if url:
        view["qr_png"] = qr_png(url)
        # the QR code carries the link, as on the PDF card: its text, wrapped over two lines of the 党员证's
        # table, pushed the QR code and the issuer onto a second page (the batch has no QR: it keeps the text)
        if "fields" in view:
            view["fields"] = [row for row in view["fields"] if row[0] != "核验网址"]
    return render_docx(kind, view)


def certificate_pdf(kind: str, context: dict, *, overprint: bool = False,
                    offset_mm: tuple[float, float] = (0.0, 0.0)) -> bytes:
    """Certificates: drawn by the batch certificate engine (the same PDF a batch prints)."""
    try:
        return certificate_engine(kind, C.clean(context), overprint=overprint, offset_mm=tuple(offset_mm))
    except ValueError as exc:  # the engine's CertificateError: a context it cannot print
        raise C.ContextError(str(exc)) from exc


# --------------------------------------------------------------------------- XLSX ledger

def ledger_xlsx(context: dict) -> bytes:
    """整改工作台账 as a spreadsheet: same columns and rows as the DOCX/PDF ledger."""
    ctx = C.clean(context)
    view = C.rectification_ledger(ctx)
    wb = Workbook()
    ws = wb.active
    ws.title = "整改工作台账"
    ncol = len(C.LEDGER_HEADERS)
    ws.append(safe_row([view["title"]]))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    ws.append(safe_row([view["blocks"][0]["text"]]))
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncol)
    ws.append(C.LEDGER_HEADERS)
    for row in C.ledger_rows(ctx):
        ws.append(safe_row(row))
    ws["A1"].font = Font(name="方正小标宋简体", size=18)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws["A2"].alignment = Alignment(horizontal="center")
    thin = Side(style="thin")
    widths = [6, 20, 12, 30, 30, 24, 10, 10, 14, 24, 14, 12]
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[chr(64 + i)].width = w
    for r in ws.iter_rows(min_row=3, max_row=ws.max_row):
        for c in r:
            c.border = Border(top=thin, bottom=thin, left=thin, right=thin)
            c.alignment = Alignment(wrap_text=True, vertical="center")
            c.font = Font(name="黑体" if c.row == 3 else "仿宋_GB2312", size=11)
    ws.freeze_panes = "A4"
    ws.print_options.horizontalCentered = True
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = "3:3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- blank forms

def forms_dir() -> Path:
    return Path(os.environ.get("WUHAO_FORMS_DIR") or ROOT / "templates_docx" / "forms")


def blank_forms() -> dict[str, Path]:
    """Available blank forms: stem → file (one format per stem, preferring .docx)."""
    out: dict[str, Path] = {}
    d = forms_dir()
    if d.is_dir():
        order = {"docx": 0, "xlsx": 1, "pdf": 2, "doc": 3, "xls": 4}
        for p in sorted(d.iterdir()):
            ext = p.suffix.lower().lstrip(".")
            if p.is_file() and ext in order and not p.name.startswith((".", "~$")):
                cur = out.get(p.stem)
                if cur is None or order[ext] < order[cur.suffix.lower().lstrip(".")]:
                    out[p.stem] = p
    return out


def blank_form_path(form: str, fmt: str | None = None) -> Path:
    d = forms_dir()
    if fmt:
        candidate = d / f"{form}.{fmt}"
        if _inside(candidate, d) and candidate.is_file():
            return candidate
    found = blank_forms().get(form)
    if found is None or (fmt and found.suffix.lower() != f".{fmt}"):
        raise FileNotFoundError(f"没有名为“{form}”的空白表格（{fmt or '任意格式'}）")
    return found


def _inside(path: Path, directory: Path) -> bool:
    try:
        path.resolve().relative_to(directory.resolve())
        return True
    except ValueError:
        return False


def blank_form(form: str, fmt: str) -> bytes:
    return blank_form_path(form, fmt).read_bytes()
