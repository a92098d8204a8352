"""``/api/v1/assessments`` (scores against the rubric), ``/api/v1/rubrics``, ``/api/v1/grading-rounds``."""
from __future__ import annotations

import datetime as dt
import json
from flask import request

from ..db import get_session
from ..http import require_user, settings
from ..usecases import assessments, grading
from ..auth import MAX_ID
from ..errors import Invalid
from ..usecases.validate import opt_int
from .common import blueprint, int_arg, json_object, organisation_arg, uploaded

bp = blueprint("assessments", "/assessments")
rubrics_bp = blueprint("rubrics", "/rubrics")
rounds_bp = blueprint("grading_rounds", "/grading-rounds")


@bp.get("")
def listing():
    user = require_user()
    return {"items": assessments.listing(
        get_session(), user, year=int_arg("year", minimum=2000, maximum=2100), domain=request.args.get("domain"),
        organisation_id=organisation_arg(), limit=int_arg("limit", 200, minimum=1, maximum=1000))}


@bp.get("/<int:assessment_id>")
def get(assessment_id: int):
    return assessments.get(get_session(), require_user(), assessment_id)


@bp.post("")
def create():
    user = require_user()
    db = get_session()
    payload = json_object()
    org_id = opt_int(payload, "organisation_id", minimum=1, maximum=MAX_ID, required=True)
    row, result = assessments.record_scores(db, user, org_id, payload, settings().rubric_dir)
    return dict(assessments.get(db, user, row.id), grade_name=result["grade_name"]), 201


@rubrics_bp.get("")
def rubric_years():
    require_user()
    return {"years": assessments.rubric_years(settings().rubric_dir)}


@rubrics_bp.get("/<int:year>")
def rubric(year: int):
    require_user()
    return assessments.rubric(year, request.args.get("domain") or None, settings().rubric_dir)


@rubrics_bp.put("/<int:year>")
def put_rubric(year: int):
    """An admin puts next year's rubric in force: the YAML file as the body (or multipart ``file``)."""
    user = require_user()
    upload = request.files.get("file")
    data = upload.read() if upload is not None else request.get_data(cache=False)
    return assessments.save_rubric(get_session(), user, settings().rubric_dir, year, data)


@rounds_bp.post("")
def create_round():
    user = require_user()
    (name, data), *_rest = uploaded("file", "请选择评分表（表单字段 file，XLSX 或 CSV）。")
    year = request.form.get("year") or dt.date.today().year
    replace = (request.form.get("replace") or "").strip().lower() in ("1", "true", "yes", "on")
    ties = None
    if request.form.get("ties"):  # still tied at the cut: {"<domain>": ["支部名称", …]} the reviewer lists
        try:
            ties = json.loads(request.form["ties"])
        except ValueError:
            raise Invalid("ties 应为 JSON 对象：{\"领域\": [\"支部名称\"]}。", field="ties") from None
    return grading.run_round(get_session(), user, data, name, year, replace=replace, ties=ties,
                             tie_reason=request.form.get("tie_reason")), 201


@rounds_bp.get("/<round_id>")
def get_round(round_id: str):
    return grading.get_round(get_session(), require_user(), round_id)
