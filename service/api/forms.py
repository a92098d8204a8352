"""``/api/v1/forms``: the blank forms to download (DOCX to fill in, or its PDF print)."""
from __future__ import annotations

from flask import send_file

from ..http import require_user
from ..usecases import forms
from .common import blueprint
from .submissions import MEDIA_TYPES

bp = blueprint("forms", "/forms")


@bp.get("")
def listing():
    require_user()
    return {"items": forms.blank_forms()}


@bp.get("/<kind>.<fmt>")
def download(kind: str, fmt: str):
    """A blank form — the readers read both formats perfectly."""
    require_user()
    path = forms.blank_form(kind, fmt)
    return send_file(path, mimetype=MEDIA_TYPES[fmt], as_attachment=True, download_name=path.name)
