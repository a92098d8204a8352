"""One DOCX per certificate, from the kind's docxtpl template in ``templates_docx/``.

The batch and the documents registry fill the same template per kind through the same
renderer, :func:`service.documents.docx_render.render_docx`; without images it takes the
compiled-template path (about 0.15 ms for either kind, CPU time).  Only the view differs,
and with it how the verify link appears:

* documents (``compose.honor_certificate`` / ``compose.party_card``, one document at a time):
  the link as a QR image (``qr_png``), which goes through docxtpl's image path (~60 ms).
* the batch (:func:`render_docx` here, tens of thousands of files): the values of the
  certificate PDF (:func:`~service.certificates.engine.display_values`) and the link written
  as text — a QR image per file would cost more than the whole document.
"""
from __future__ import annotations

from service.documents.docx_render import render_docx as render_view
from service.documents.safety import clean

from .engine import display_values

#: the 党员证 table, labels as in the documents' view (four characters fit the label column);
#: the issuer and date follow the table, as in the template
_CARD_ROWS = (("姓　　名", "name"), ("所在支部", "branch_name"), ("所属党组织", "organisation_path"),
              ("入党时间", "joined_on"), ("证件编号", "number"))


def certificate_view(kind: str, context: dict) -> dict:
    """The template view of one batch certificate: the PDF's wording, the verify link as text."""
    values = display_values(kind, context)
    values.setdefault("number", str(context["number"]))
    url = context["verify_url"]
    if kind == "party-card":
        view = {"heading": "中国共产党党员证",
                "fields": [[label, values.get(key, "")] for label, key in _CARD_ROWS]
                + ([["校验码", str(context["check_code"])]] if context.get("check_code") else [])
                + [["核验网址", url]],
                "qr": "", "issuer": values.get("issuer", ""),
                "date": "发证日期：" + values.get("issued_on", "")}
    else:
        view = {"heading": "荣誉证书", "recipient": values.get("parent_org", "") + values.get("branch_name", ""),
                "text": values.get("body", "").lstrip("\u3000"),  # the template indents it
                "issuer": values.get("issuer", ""),
                "date": values.get("issued_on", ""), "qr": "",
                "number_line": "编号：" + values["number"]
                + (f"　校验码：{context['check_code']}" if context.get("check_code") else ""),
                "verify_line": "核验：" + url}
    return clean(dict(view, kind=kind, layout=kind))


def render_docx(kind: str, context: dict) -> bytes:
    """One certificate as a DOCX (same wording as the PDF, verify link as text)."""
    return render_view(kind, certificate_view(kind, context))
