"""``/api/v1/admin``: each committee's issuing organ (发文机关标志, 机关代字, 署名), the fonts report."""
from __future__ import annotations

from ..db import get_session
from ..http import require_user
from ..usecases import admin
from .common import blueprint, json_object

bp = blueprint("admin", "/admin")


@bp.get("/numbering")
def get_numbering():
    return admin.numbering(get_session(), require_user())


@bp.put("/numbering")
def put_numbering():
    """``{"organs": {"<committee id>": {"mark", "prefix", "signature"}}}`` — how 公文 are signed."""
    user = require_user()
    return admin.set_organs(get_session(), user, json_object())


@bp.get("/fonts")
def fonts():
    return admin.fonts(require_user())
