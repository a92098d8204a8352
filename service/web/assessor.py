"""The assessor's page for one branch (report evidence, rubric, plan, copied passages, scores) and the
archive download."""
from __future__ import annotations

import datetime as dt
import io

from flask import render_template, request, send_file

from ..auth import REVIEWERS
from ..db import get_session
from ..http import settings, store
from ..usecases import archive, assessor
from ..usecases.validate import year_value
from .helpers import blueprint, page

bp = blueprint("assessor", "/organisations")


@bp.get("/<int:org_id>/assessor")
@page(*REVIEWERS)
def assessor_page(user, org_id: int):
    year = year_value(request.args.get("year") or dt.date.today().year)
    data = assessor.view(get_session(), user, org_id, year, settings().rubric_dir)
    return render_template("assessor.html", user=user, v=data)


@bp.get("/<int:org_id>/archive.zip")
@page()
def archive_download(user, org_id: int):
    name, data, _summary = archive.packet(get_session(), store(), user, org_id)
    return send_file(io.BytesIO(data), mimetype="application/zip", as_attachment=True, download_name=name)
