"""Community party building (SQ-1 … SQ-3): ``/api/v1/brands`` (党建品牌 from 培育项目 to 命名 and 跟踪督查),
``/api/v1/pairs`` (共建对子), ``/api/v1/community`` (street units, 精品示范点, 新发展党员, 五个好, the
three-year targets)."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, request

from ..auth import MAX_ID
from ..db import get_session
from ..http import require_user, store
from ..usecases import brands, community, community_targets, pairs
from .common import blueprint, int_arg, json_object

brands_bp = blueprint("brands", "/brands")
pairs_bp = blueprint("pairs", "/pairs")
bp = blueprint("community", "/community")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _form_payload() -> tuple[dict, tuple[str, bytes] | None]:
    """JSON, or multipart fields with an optional ``file`` (the evidence)."""
    if request.is_json:
        return json_object(), None
    payload = {k: v for k, v in request.form.items()}
    if "criteria" in request.form:
        payload["criteria"] = ",".join(request.form.getlist("criteria"))
    f = request.files.get("file")
    return payload, ((f.filename or "", f.read()) if f else None)


def _download(sha: str, name: str) -> Response:
    resp = Response(store().read_bytes(sha), mimetype="application/octet-stream")
    resp.headers["Content-Disposition"] = f"attachment; filename=\"evidence\"; filename*=UTF-8''{quote(name)}"
    return resp


# --- 党建品牌 -----------------------------------------------------------------------------------

@brands_bp.get("")
def brand_list():
    return {"items": brands.listing(get_session(), require_user(), stage=request.args.get("stage") or None,
                                    street_id=int_arg("street_id", minimum=1, maximum=MAX_ID))}


@brands_bp.post("")
def brand_create():
    return brands.create(get_session(), require_user(), json_object()), 201


@brands_bp.get("/<int:brand_id>")
def brand_get(brand_id: int):
    return brands.get(get_session(), require_user(), brand_id)


@brands_bp.post("/<int:brand_id>/registration")
def brand_register(brand_id: int):
    """登记: ``{"form_submission_id", "materials_submission_id"}`` (files uploaded through /submissions)."""
    return brands.register(get_session(), require_user(), brand_id, json_object())


@brands_bp.post("/<int:brand_id>/decisions")
def brand_decide(brand_id: int):
    """The awaited level: ``{"decision": "approve"|"return", "comment"}``."""
    return brands.decide(get_session(), require_user(), brand_id, json_object())


@brands_bp.post("/<int:brand_id>/scores")
def brand_score(brand_id: int):
    """One reviewer's 考核评比 scores: ``{"scores": {item: points}, "comment"}``."""
    return brands.score(get_session(), require_user(), brand_id, json_object())


@brands_bp.get("/ranking")
def brand_ranking():
    return brands.ranking(get_session(), require_user(), int_arg("street_id", minimum=1, maximum=MAX_ID),
                          int_arg("year", minimum=2000, maximum=2100))


@brands_bp.post("/naming")
def brand_naming():
    """命名: ``{"street_id", "brand_ids": [...], "issued_on"}`` → the numbered decision."""
    return brands.name_brands(get_session(), store(), require_user(), json_object()), 201


@brands_bp.post("/<int:brand_id>/follow-ups")
def brand_follow_up(brand_id: int):
    """跟踪督查: ``{"year", "keep": true, "comment"}`` or ``{"keep": false, "reason"}``."""
    return brands.follow_up(get_session(), require_user(), brand_id, json_object())


@brands_bp.post("/<int:brand_id>/pairs")
def pair_create(brand_id: int):
    """共建对子: ``{"partner_id", "plan", "started_on"}``."""
    return pairs.create(get_session(), require_user(), brand_id, json_object()), 201


# --- 共建对子 -----------------------------------------------------------------------------------

@pairs_bp.get("")
def pair_list():
    return {"items": pairs.listing(get_session(), require_user())}


@pairs_bp.get("/export.xlsx")
def pair_export():
    data = pairs.export_xlsx(get_session(), require_user())
    resp = Response(data, mimetype=XLSX)
    resp.headers["Content-Disposition"] = "attachment; filename=\"pairs.xlsx\"; filename*=UTF-8''" + quote(
        "共建对子.xlsx")
    return resp


@pairs_bp.get("/<int:pair_id>")
def pair_get(pair_id: int):
    return pairs.get(get_session(), require_user(), pair_id)


@pairs_bp.post("/<int:pair_id>/activities")
def pair_activity(pair_id: int):
    """An activity: JSON ``{"held_on", "title"}`` or multipart with ``file`` (evidence)."""
    payload, upload = _form_payload()
    return pairs.add_activity(get_session(), store(), require_user(), pair_id, payload, upload), 201


@pairs_bp.get("/<int:pair_id>/activities/<int:activity_id>/evidence")
def pair_evidence(pair_id: int, activity_id: int):
    return _download(*pairs.evidence(get_session(), require_user(), pair_id, activity_id))


@pairs_bp.put("/<int:pair_id>/results")
def pair_result(pair_id: int):
    """年度成效: ``{"year", "result"}``."""
    return pairs.set_result(get_session(), require_user(), pair_id, json_object())


# --- street units, sites, members, 五个好, targets --------------------------------------------

@bp.get("/units")
def unit_list():
    return {"items": community.units(get_session(), require_user(),
                                      int_arg("street_id", minimum=1, maximum=MAX_ID))}


@bp.post("/units")
def unit_create():
    return community.create_unit(get_session(), require_user(), json_object()), 201


@bp.patch("/units/<int:unit_id>")
def unit_update(unit_id: int):
    return community.update_unit(get_session(), require_user(), unit_id, json_object())


@bp.get("/sites")
def site_list():
    return {"items": community.sites(get_session(), require_user())}


@bp.post("/sites")
def site_create():
    """A 精品示范点: multipart ``organisation_id``, ``name``, ``criteria`` (keys), ``recognised_on``, ``file``."""
    payload, upload = _form_payload()
    return community.add_site(get_session(), store(), require_user(), payload, upload), 201


@bp.get("/members")
def member_list():
    return {"items": community.members(get_session(), require_user())}


@bp.post("/members")
def member_create():
    """A 新发展党员: multipart ``organisation_id``, ``name``, ``admitted_on``, ``file``."""
    payload, upload = _form_payload()
    return community.add_member(get_session(), store(), require_user(), payload, upload), 201


@bp.get("/sites/<int:record_id>/evidence")
def site_evidence(record_id: int):
    return _download(*community.evidence_of(get_session(), require_user(), "sites", record_id))


@bp.get("/members/<int:record_id>/evidence")
def member_evidence(record_id: int):
    return _download(*community.evidence_of(get_session(), require_user(), "members", record_id))


@bp.post("/assessments")
def five_good():
    """五个好: ``{"organisation_id", "year", "scores": {five dimensions}}``; a miss opens ledger rows."""
    return community.grade_community(get_session(), require_user(), json_object()), 201


@bp.get("/targets")
def targets():
    """SQ-1: ``{"card": null}`` for an account without communities in view."""
    return {"card": community_targets.card(get_session(), require_user())}


@bp.get("/targets/<key>")
def target_records(key: str):
    return community_targets.records(get_session(), require_user(), key)
