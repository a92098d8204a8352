"""Document pages: the issued documents, and a notice from preview to issue."""
from __future__ import annotations

import secrets

from flask import flash, redirect, render_template, request, url_for

from ..auth import REVIEWERS
from ..db import get_session
from ..http import settings, store
from ..errors import Invalid
from ..usecases import documents, notices
from ..usecases.listing import Column, ListSpec
from .helpers import blueprint, form_int, page
from .lists import list_page

bp = blueprint("documents", "/documents")
notices_bp = blueprint("notices", "/notices")


DOCUMENTS = ListSpec(
    columns=(Column("kind_name", "文书"), Column("number", "文号"), Column("organisation_name", "收文单位"),
             Column("issued_at", "签发时间", "datetime"), Column("status_name", "状态"),
             Column("format_names", "格式", sortable=False)),
    search=("kind_name", "number", "organisation_name"), filters=("kind", "organisation", "year", "status"),
    default_sort="issued_at", default_desc=True, filename="文书")


@bp.get("")
@page()
def documents_list(user):
    """Each issue once, with its PDF and DOCX side by side."""
    return list_page("documents.html", documents.issues(get_session(), user), DOCUMENTS, user=user)


def _payload(values, record_id) -> dict:
    """The notice asked for: kind, record, and the reviewer's reason and days."""
    payload = {"kind": values.get("kind", ""), "record_id": record_id}
    if values.get("reason"):
        payload["reason"] = values["reason"][:300]
    for key in ("days", "year", "quarter"):  # checked by the use case (a 422 naming the field)
        if values.get(key, "").strip():
            payload[key] = values[key].strip()[:10]
    if values.get("deadline", "").strip():
        payload["deadline"] = values["deadline"].strip()[:10]
    return payload


@notices_bp.get("/new")
@page(*REVIEWERS)
def notice_new(user):
    """Preview: the notice as it will read, with a placeholder for the number."""
    record_id = request.args.get("record_id", "")
    if request.args.get("kind", "rectification-notice") not in notices.RECORDS or not record_id.isdigit() \
            or len(record_id) > 9:
        raise Invalid("请从评分记录或材料页面进入。")
    payload = _payload(request.args, int(record_id))
    payload["kind"] = payload["kind"] or "rectification-notice"
    if payload["kind"] == "rectification-taskbook" and not payload.get("deadline") and not payload.get("days"):
        payload["days"] = str(settings().rectify_days)  # the default 整改时限, never the issue date
    shown = notices.preview(get_session(), user, settings().data_dir, payload)
    return render_template("notice.html", user=user, **shown, reason=payload.get("reason", ""),
                           choices={k: payload.get(k, "") for k in ("days", "year", "quarter", "deadline")},
                           days=payload.get("days", ""), issue_key=secrets.token_urlsafe(18))


@notices_bp.post("")
@page(*REVIEWERS)
def notice_issue(user):
    """Signing takes a number for good: only with the preview's ticked confirmation. The preview's own key
    makes a double click or a resent form the same signing (the first issue's number, not a second)."""
    payload = _payload(request.form, form_int("record_id", "记录"))
    if request.form.get("confirm") != "1":
        flash("请核对预览并勾选“确认签发”。", "error")
        return redirect(url_for("notices.notice_new", **{k: v for k, v in payload.items() if v}))
    docs = notices.issue(get_session(), store(), user, settings().data_dir, payload,
                         idempotency_key=request.form.get("issue_key", "")[:100] or None)
    flash(f"已签发{documents.kind_name(docs[0].kind)}，文号 {docs[0].number}。", "ok")
    return redirect(url_for("notices.notice_done", doc_id=docs[0].id))


@notices_bp.get("/<int:doc_id>")
@page()
def notice_done(user, doc_id: int):
    db = get_session()
    doc = documents.load(db, user, doc_id)
    return render_template("notice_done.html", user=user, doc=documents.as_dict(doc),
                           files=[documents.as_dict(d) for d in documents.same_issue(db, doc)])
