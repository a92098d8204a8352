"""公文格式检查: a clerk drops a DOCX or PDF and sees its GB/T 9704-2012 problems marked on the pages.

Any signed-in account may use it (a branch checks its own drafts, a reviewer what it receives).
Nothing is stored: the file is checked in memory and the page images are sent inline.
"""
from __future__ import annotations

from flask import render_template, request

from ..gbcheck import annotated, inspect
from .helpers import blueprint, page

bp = blueprint("lint", "/lint")

SEVERITY_NAMES = {"error": "不符合", "warning": "请核对"}


@bp.route("", methods=["GET", "POST"])
@page()
def lint_page(user):
    if request.method == "GET":
        return render_template("lint.html", user=user, result=None)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template("lint.html", user=user, result=None, missing=True), 422
    result, pdf = inspect(upload.read(), upload.filename, layout_docx=True)
    pictures = annotated(result, pdf if "error" not in result else None)
    return render_template("lint.html", user=user, result=result, pictures=pictures,
                           severity_names=SEVERITY_NAMES)
