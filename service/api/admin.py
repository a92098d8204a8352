"""``/api/v1/admin``: numbering prefixes (发文机关代字) per committee, the fonts report."""
from __future__ import annotations

from ..db import get_session
from ..http import require_user, settings
from ..usecases import admin
from .common import blueprint, json_object

bp = blueprint("admin", "/admin")


@bp.get("/numbering")
def get_numbering():
    return admin.numbering(get_session(), require_user(), settings().data_dir)


@bp.put("/numbering")
def put_numbering():
    """``{"prefixes": {"<committee id>": "市直工委"}}`` — the 机关代字 of 发文字号."""
    user = require_user()
    return admin.set_prefixes(get_session(), user, settings().data_dir,
                              json_object().get("prefixes"))


@bp.get("/fonts")
def fonts():
    return admin.fonts(require_user())
