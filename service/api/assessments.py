"""Scores of the assessment group (against the domain's rubric) and grading rounds (JH-2, JH-3)."""
from __future__ import annotations

import datetime as dt
import os
import tempfile
import uuid
from pathlib import Path

from flask import current_app, request
from sqlalchemy import select

from .. import audit, auth
from ..config import settings_of
from ..db import get_session
from ..errors import ApiError
from ..models import Assessment, Finding, Organisation, RectificationItem
from . import bp
from .common import filter_by_organisation_arg, int_arg, json_object, opt_date, opt_int, opt_number, year_value
from .organisations import load_organisation
from .serialize import iso

REVIEWERS = ("reviewer", "admin")
SCORE_KEYS = ("leadership", "members", "mechanism", "performance", "reputation")


def rubric_for(year: int):
    from ..checks.rubric import RubricError, load_rubric

    try:
        return load_rubric(year, settings_of(current_app).rubric_dir)
    except FileNotFoundError:
        raise ApiError("not_found", f"没有 {year} 年或更早年份的评分标准。", 404) from None
    except RubricError as exc:
        raise ApiError("rubric_invalid", str(exc), 500) from None


@bp.get("/rubrics")
def list_rubrics():
    auth.require_user()
    from ..checks.rubric import available_years

    return {"years": available_years(settings_of(current_app).rubric_dir)}


@bp.get("/rubrics/<int:year>")
def get_rubric(year: int):
    auth.require_user()
    year = year_value(year)
    rubric = rubric_for(year)
    domain = request.args.get("domain")
    if domain:
        if domain not in rubric.domains:
            raise ApiError("not_found", "该评分标准没有这个领域。", 404)
        return rubric.domain(domain)
    return rubric.to_dict()


def save_rubric(db, user, year: int, text: str) -> dict:
    """Validate a rubric file (YAML) and put it in force for ``year``.

    It is written to the admin rubric directory ($WUHAO_RUBRIC_DIR, by default
    $WUHAO_DATA_DIR/rubrics), which is layered over the built-in rubrics."""
    from ..checks.rubric import RubricError, parse_rubric

    try:
        parsed = parse_rubric(text, f"{year}.yaml")
    except RubricError as exc:
        raise ApiError("rubric_invalid", "评分标准有错误，未启用。", 422, {"problems": str(exc).splitlines()[1:]}) from None
    if parsed.year != year:
        raise ApiError("rubric_invalid", f"文件中的 year 为 {parsed.year}，与 {year} 不符。", 422)
    directory = Path(current_app.config["WUHAO_RUBRIC_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".rubric-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, directory / f"{year}.yaml")
    audit.record(db, user, "rubric_update", "rubric", year, {"year": year, "title": parsed.title})
    return {"year": year, "title": parsed.title, "domains": sorted(parsed.domains)}


@bp.put("/rubrics/<int:year>")
def put_rubric(year: int):
    """An admin puts next year's rubric in force: the YAML file as the body (or multipart ``file``)."""
    user = auth.require_user("admin")
    year = year_value(year)
    upload = request.files.get("file")
    raw = upload.read() if upload is not None else request.get_data(cache=False)
    if not raw:
        raise ApiError("invalid", "请提供评分标准 YAML 文件。", 422)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError("invalid", "评分标准文件须为 UTF-8 编码。", 422) from None
    db = get_session()
    out = save_rubric(db, user, year, text)
    db.commit()
    return out


def assessment_dict(a: Assessment, findings: list[Finding] | None = None) -> dict:
    out = {"id": a.id, "organisation_id": a.organisation_id,
           "organisation_name": a.organisation.name if a.organisation else None, "year": a.year,
           "domain": a.domain, "rubric": a.rubric, "total": a.total, "scores": a.scores or {},
           "items": a.items or {}, "satisfaction_rate": a.satisfaction_rate, "grade": a.grade,
           "backward": a.backward, "assessed_on": iso(a.assessed_on), "entered_by_id": a.entered_by_id,
           "created_at": iso(a.created_at)}
    if findings is not None:
        out["findings"] = [{"rule": f.rule, "severity": f.severity, "field": f.field, "message": f.message,
                            "clause": f.clause} for f in findings]
    return out


@bp.get("/assessments")
def list_assessments():
    user = auth.require_user()
    db = get_session()
    query = auth.filter_visible(select(Assessment).order_by(Assessment.id.desc()), Assessment.organisation_id,
                                db, user)
    year = int_arg("year", minimum=2000, maximum=2100)
    if year is not None:
        query = query.where(Assessment.year == year)
    if request.args.get("domain"):
        query = query.where(Assessment.domain == request.args["domain"])
    query = filter_by_organisation_arg(query, Assessment.organisation_id, db, user)
    limit = int_arg("limit", 200, minimum=1, maximum=1000)
    return {"items": [assessment_dict(a) for a in db.execute(query.limit(limit)).scalars()]}


def load_assessment(db, user, assessment_id: int) -> Assessment:
    return auth.load_visible(db, user, Assessment, assessment_id, "未找到该评分记录。")


@bp.get("/assessments/<int:assessment_id>")
def get_assessment(assessment_id: int):
    user = auth.require_user()
    db = get_session()
    a = load_assessment(db, user, assessment_id)
    findings = list(db.execute(select(Finding).where(Finding.assessment_id == a.id).order_by(Finding.id)).scalars())
    return assessment_dict(a, findings)


def _marks(raw, domain_rubric: dict) -> dict:
    """{item_id: {deduction_index: count}} validated against the domain's items."""
    if not isinstance(raw, dict):
        raise ApiError("invalid", "marks 应为 {细则编号: {扣分项序号: 次数}}。", 422, {"field": "marks"})
    known = {it["id"]: it for its in domain_rubric["items"].values() for it in its}
    out = {}
    for item_id, counts in raw.items():
        if item_id not in known:
            raise ApiError("invalid", f"评分细则中没有 {item_id}。", 422, {"field": "marks"})
        if not isinstance(counts, dict):
            raise ApiError("invalid", "marks 的每一项应为 {扣分项序号: 次数}。", 422, {"field": "marks"})
        clean = {}
        for idx, count in counts.items():
            try:
                i = int(idx)
            except (TypeError, ValueError):
                raise ApiError("invalid", "扣分项序号应为整数。", 422, {"field": "marks"}) from None
            if not 0 <= i < len(known[item_id].get("deductions") or []):
                raise ApiError("invalid", f"{item_id} 没有第 {i} 个扣分项。", 422, {"field": "marks"})
            if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 1000:
                raise ApiError("invalid", "扣分次数应为 0–1000 的整数。", 422, {"field": "marks"})
            clean[i] = count
        out[item_id] = clean
    return out


def record_scores(db, user, org: Organisation, payload: dict) -> tuple[Assessment, dict]:
    """Grade one branch from the assessment group's scores and keep it with its findings."""
    from ..checks.findings import has_errors
    from ..checks.grading import grade
    from ..checks.rubric import score_items

    year = year_value(payload.get("year", dt.date.today().year))
    domain = payload.get("domain") or org.domain
    rubric = rubric_for(year)
    if domain not in rubric.domains:
        raise ApiError("invalid", "该组织没有有效的领域，无法按领域标准评分。", 422, {"field": "domain"})
    drubric = rubric.domain(domain)
    maxima = {d["key"]: d["max"] for d in drubric["dimensions"]}
    items: dict = {}
    if payload.get("marks") is not None:
        marks = _marks(payload["marks"], drubric)
        scored = score_items(drubric, marks)
        scores = scored["dimensions"]
        items = {"marks": {k: {str(i): c for i, c in v.items()} for k, v in marks.items()}}
    else:
        raw = payload.get("scores")
        if not isinstance(raw, dict):
            raise ApiError("invalid", "请提供五个维度的得分 scores 或按细则扣分 marks。", 422, {"field": "scores"})
        unknown = set(raw) - set(maxima)
        if unknown:
            raise ApiError("invalid", f"未知的维度：{'、'.join(sorted(unknown))}。", 422, {"field": "scores"})
        scores = {}
        for key in maxima:
            scores[key] = opt_number(raw, key, minimum=0, maximum=float(maxima[key]), required=True)
    total = payload.get("total")
    if total is None:
        total = round(sum(float(v) for v in scores.values()), 2)
    else:
        total = opt_number(payload, "total", minimum=0, maximum=1000)
    satisfaction = opt_number(payload, "satisfaction_rate", minimum=0, maximum=100)
    result = grade(total, scores, drubric, satisfaction)
    assessed_on = opt_date(payload, "assessed_on") or dt.date.today()
    if payload.get("cycle_id") is not None:
        opt_int(payload, "cycle_id", minimum=1, maximum=auth.MAX_ID)
    row = Assessment(organisation_id=org.id, year=year, domain=domain, rubric=str(rubric.year), total=float(total),
                     scores=scores, items={**items, "grade_name": result["grade_name"],
                                           "downgraded": result["downgraded"], "capped": result["capped"],
                                           "source": "form"},
                     satisfaction_rate=satisfaction, grade=result["grade"], backward=False,
                     assessed_on=assessed_on, entered_by_id=user.id)
    db.add(row)
    db.flush()
    for f in result["findings"]:
        db.add(Finding(organisation_id=org.id, assessment_id=row.id, rule=f["rule"], severity=f["severity"],
                       field=f.get("field"), message=f["message"], clause=f.get("clause") or ""))
    audit.record(db, user, "score", "assessment", row.id,
                 {"year": year, "domain": domain, "total": total, "scores": scores, "grade": result["grade"],
                  "satisfaction_rate": satisfaction}, organisation_id=org.id)
    result["has_errors"] = has_errors(result["findings"])
    return row, result


@bp.post("/assessments")
def create_assessment():
    user = auth.require_user(*REVIEWERS)
    db = get_session()
    payload = json_object()
    org_id = opt_int(payload, "organisation_id", minimum=1, maximum=auth.MAX_ID, required=True)
    org = load_organisation(db, user, org_id)
    if org.kind != "branch":
        raise ApiError("invalid", "只能为党支部录入评分。", 422, {"field": "organisation_id"})
    row, result = record_scores(db, user, org, payload)
    db.commit()
    out = get_assessment_payload(db, row)
    out["grade_name"] = result["grade_name"]
    return out, 201


def get_assessment_payload(db, a: Assessment) -> dict:
    findings = list(db.execute(select(Finding).where(Finding.assessment_id == a.id).order_by(Finding.id)).scalars())
    return assessment_dict(a, findings)


# --- grading round ---------------------------------------------------------------------------

def run_grading_round(db, user, data: bytes, filename: str, year: int) -> dict:
    """Rank a score sheet (service.checks), store one Assessment per known branch in the caller's view."""
    from ..checks.cli import rank_file
    from ..checks.rubric import RubricError

    suffix = Path(filename or "").suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ApiError("unsupported_type", "评分表只支持 .xlsx 或 .csv 文件。", 415)
    fd, tmp = tempfile.mkstemp(suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            result = rank_file(Path(tmp), year)
        except RubricError as exc:
            raise ApiError("rubric_invalid", str(exc), 500) from None
        except FileNotFoundError:
            raise ApiError("not_found", f"没有 {year} 年或更早年份的评分标准。", 404) from None
        except Exception:
            raise ApiError("invalid_file", "无法读取该评分表，请检查文件格式。", 422) from None
    finally:
        os.unlink(tmp)
    visible = auth.visible_org_ids(db, user)
    query = select(Organisation).where(Organisation.kind == "branch")
    if visible is not None:
        query = query.where(Organisation.id.in_(visible))
    branches: dict[str, list[Organisation]] = {}
    for o in db.execute(query).scalars():
        branches.setdefault(o.name, []).append(o)
    round_id = uuid.uuid4().hex[:12]
    stored, unmatched = [], []
    for b in result["branches"]:
        if b.get("grade") is None:
            continue
        orgs = branches.get(b["branch_name"], [])
        if len(orgs) != 1:
            unmatched.append(b["branch_name"])
            continue
        org = orgs[0]
        row = Assessment(organisation_id=org.id, year=year, domain=b["domain"], rubric=str(year),
                         total=float(b["total"]), scores=b.get("dimensions") or {},
                         items={"round": round_id, "source": "scoresheet", "file": filename[:200],
                                "grade_name": b.get("grade_name"), "downgraded": b.get("downgraded", False),
                                "capped": b.get("capped", False), "position": b.get("position")},
                         grade=b["grade"], backward=bool(b["laggard"]), assessed_on=dt.date.today(),
                         entered_by_id=user.id)
        db.add(row)
        db.flush()
        for f in b.get("findings") or []:
            db.add(Finding(organisation_id=org.id, assessment_id=row.id, rule=f["rule"], severity=f["severity"],
                           field=f.get("field"), message=f["message"], clause=f.get("clause") or ""))
            if f["rule"] == "laggard":
                # JH-3: every 相对后进 branch gets a row in the 整改工作台账 (filled in later).
                db.add(RectificationItem(organisation_id=org.id, assessment_id=row.id, category="相对后进党支部",
                                         problem=f["message"], note=f"{year}年度分类定级"))
        b["assessment_id"] = row.id
        b["organisation_id"] = org.id
        stored.append(row.id)
    audit.record(db, user, "grading_round", "grading_round", None,
                 {"round": round_id, "year": year, "file": filename[:200], "rows": len(result["branches"]),
                  "stored": len(stored), "laggards": [l["branch_name"] for l in result["laggards"]],
                  "unmatched": unmatched})
    return {"round": round_id, "year": year, "branches": result["branches"], "domains": result["domains"],
            "laggards": result["laggards"], "findings": result["findings"], "stored": len(stored),
            "unmatched": unmatched}


@bp.post("/grading-rounds")
def create_grading_round():
    user = auth.require_user(*REVIEWERS)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ApiError("no_file", "请选择评分表（表单字段 file，XLSX 或 CSV）。", 400)
    year = year_value(request.form.get("year") or dt.date.today().year)
    db = get_session()
    out = run_grading_round(db, user, upload.read(), upload.filename, year)
    db.commit()
    return out, 201


@bp.get("/grading-rounds/<round_id>")
def get_grading_round(round_id: str):
    """The assessments stored by one grading round, as visible to the caller."""
    user = auth.require_user()
    db = get_session()
    rows = [a for a in db.execute(auth.filter_visible(select(Assessment).order_by(Assessment.id),
                                                      Assessment.organisation_id, db, user)).scalars()
            if (a.items or {}).get("round") == round_id]
    if not rows:
        raise ApiError("not_found", "未找到该评定批次。", 404)
    return {"round": round_id, "items": [assessment_dict(a) for a in rows]}
