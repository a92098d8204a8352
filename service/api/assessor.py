"""``/api/v1/organisations/<id>/assessor`` and ``…/archive.zip``: the assessor's reading of a branch
and its creation archive (issue 18)."""
from __future__ import annotations

import datetime as dt
import io

from flask import request, send_file

from ..db import get_session
from ..http import require_user, settings, store
from ..usecases import archive, assessor
from ..usecases.validate import year_value
from .common import blueprint

bp = blueprint("assessor", "/organisations")


@bp.get("/<int:org_id>/assessor")
def view(org_id: int):
    user = require_user()
    year = year_value(request.args.get("year") or dt.date.today().year)
    return assessor.view(get_session(), user, org_id, year, settings().rubric_dir)


@bp.get("/<int:org_id>/archive.zip")
def archive_zip(org_id: int):
    user = require_user()
    name, data, _summary = archive.packet(get_session(), store(), user, org_id)
    return send_file(io.BytesIO(data), mimetype="application/zip", as_attachment=True, download_name=name)
