"""Scores of the assessment group against the domain's rubric (JH-2), and the rubrics themselves."""
from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit, auth
from ..checks.findings import has_errors
from ..checks.grading import grade
from ..checks.rubric import RubricError, available_years, load_rubric, parse_rubric, score_items
from ..errors import Broken, Invalid, NotFound
from ..models import Assessment, Finding, User
from .cycles import load_organisation
from .serialize import finding, iso
from .validate import opt_date, opt_int, opt_number, year_value



def rubric_for(year: int, rubric_dir: Path | None = None):
    """The rubric in force for ``year``; ``rubric_dir``: the admin's rubric files over the built-in ones."""
    try:
        return load_rubric(year, rubric_dir)
    except FileNotFoundError:
        raise NotFound(f"没有 {year} 年或更早年份的评分标准。") from None
    except RubricError as exc:
        raise Broken(str(exc), "rubric_invalid") from None


def rubric_years(rubric_dir: Path | None = None) -> list[int]:
    return available_years(rubric_dir)


def rubric(year: int, domain: str | None = None, rubric_dir: Path | None = None) -> dict:
    """A year's rubric, or one domain's part of it."""
    found = rubric_for(year_value(year), rubric_dir)
    if domain is None:
        return found.to_dict()
    if domain not in found.domains:
        raise NotFound("该评分标准没有这个领域。")
    return found.domain(domain)


def save_rubric(db: Session, actor: User, directory: Path, year: int, data: bytes) -> dict:
    """Validate a rubric file (YAML) and put it in force for ``year``.

    It is written to the admin rubric directory (``directory``: $WUHAO_RUBRIC_DIR, by
    default $WUHAO_DATA_DIR/rubrics), which is layered over the built-in rubrics."""
    auth.require_role(actor, "admin")
    year = year_value(year)
    if not data:
        raise Invalid("请提供评分标准 YAML 文件。")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("评分标准文件须为 UTF-8 编码。") from None
    try:
        parsed = parse_rubric(text, f"{year}.yaml")
    except RubricError as exc:
        raise Invalid("评分标准有错误，未启用。", "rubric_invalid",
                      detail={"problems": str(exc).splitlines()[1:]}) from None
    if parsed.year != year:
        raise Invalid(f"文件中的 year 为 {parsed.year}，与 {year} 不符。", "rubric_invalid")
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".rubric-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, directory / f"{year}.yaml")
    audit.record(db, actor, "rubric_update", "rubric", year, {"year": year, "title": parsed.title})
    return {"year": year, "title": parsed.title, "domains": sorted(parsed.domains)}


def assessment_dict(a: Assessment, findings: list[Finding] | None = None) -> dict:
    out = {"id": a.id, "organisation_id": a.organisation_id,
           "organisation_name": a.organisation.name if a.organisation else None, "year": a.year,
           "domain": a.domain, "rubric": a.rubric, "total": a.total, "scores": a.scores or {},
           "items": a.items or {}, "satisfaction_rate": a.satisfaction_rate, "grade": a.grade,
           "backward": a.backward, "assessed_on": iso(a.assessed_on), "entered_by_id": a.entered_by_id,
           "created_at": iso(a.created_at)}
    if findings is not None:
        out["findings"] = [finding(f) for f in findings]
    return out


def listing(db: Session, actor: User, *, year: int | None = None, domain: str | None = None,
            organisation_id: int | None = None, limit: int = 200) -> list[dict]:
    query = auth.filter_visible(select(Assessment).order_by(Assessment.id.desc()), Assessment.organisation_id,
                                db, actor, organisation_id)
    if year is not None:
        query = query.where(Assessment.year == year)
    if domain:
        query = query.where(Assessment.domain == domain)
    return [assessment_dict(a) for a in db.execute(query.limit(limit)).scalars()]


def load(db: Session, actor: User, assessment_id: int) -> Assessment:
    return auth.load_visible(db, actor, Assessment, assessment_id, "未找到该评分记录。")


def findings_of(db: Session, a: Assessment) -> list[Finding]:
    return list(db.execute(select(Finding).where(Finding.assessment_id == a.id).order_by(Finding.id)).scalars())


def get(db: Session, actor: User, assessment_id: int) -> dict:
    a = load(db, actor, assessment_id)
    return assessment_dict(a, findings_of(db, a))


def _marks(raw, domain_rubric: dict) -> dict:
    """{item_id: {deduction_index: count}} validated against the domain's items."""
    if not isinstance(raw, dict):
        raise Invalid("marks 应为 {细则编号: {扣分项序号: 次数}}。", field="marks")
    known = {it["id"]: it for its in domain_rubric["items"].values() for it in its}
    out = {}
    for item_id, counts in raw.items():
        if item_id not in known:
            raise Invalid(f"评分细则中没有 {item_id}。", field="marks")
        if not isinstance(counts, dict):
            raise Invalid("marks 的每一项应为 {扣分项序号: 次数}。", field="marks")
        clean = {}
        for idx, count in counts.items():
            try:
                i = int(idx)
            except (TypeError, ValueError):
                raise Invalid("扣分项序号应为整数。", field="marks") from None
            if not 0 <= i < len(known[item_id].get("deductions") or []):
                raise Invalid(f"{item_id} 没有第 {i} 个扣分项。", field="marks")
            if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 1000:
                raise Invalid("扣分次数应为 0–1000 的整数。", field="marks")
            clean[i] = count
        out[item_id] = clean
    return out


#: a 社区党组织 may be a 党委 or 总支 and is graded like a branch (SQ-2)
COMMUNITY_KINDS = ("party_committee", "general_branch")


def record_scores(db: Session, actor: User, org_id: int, payload: dict,
                  rubric_dir: Path | None = None) -> tuple[Assessment, dict]:
    """Grade one branch from the assessment group's scores and keep it with its findings.

    ``payload``: ``year``, ``scores`` (the five dimensions) or ``marks`` (deductions per
    rubric item), optionally ``total``, ``satisfaction_rate``, ``assessed_on``, ``domain``."""
    auth.require_role(actor, *auth.REVIEWERS)
    org = load_organisation(db, actor, org_id)
    if org.kind != "branch" and not (org.domain == "community" and org.kind in COMMUNITY_KINDS):
        raise Invalid("只能为党支部或社区党组织录入评分。", field="organisation_id")
    year = year_value(payload.get("year", dt.date.today().year))
    domain = payload.get("domain") or org.domain
    rubric = rubric_for(year, rubric_dir)
    if domain not in rubric.domains:
        raise Invalid("该组织没有有效的领域，无法按领域标准评分。", field="domain")
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
            raise Invalid("请提供五个维度的得分 scores 或按细则扣分 marks。", field="scores")
        unknown = set(raw) - set(maxima)
        if unknown:
            raise Invalid(f"未知的维度：{'、'.join(sorted(unknown))}。", field="scores")
        scores = {}
        names = {d["key"]: d["name"] for d in drubric["dimensions"]}  # 党员队伍好, not the 成员 of a 督导组
        for key in maxima:
            scores[key] = opt_number(raw, key, minimum=0, maximum=float(maxima[key]), required=True, name=names[key])
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
                     assessed_on=assessed_on, entered_by_id=actor.id)
    db.add(row)
    db.flush()
    for f in result["findings"]:
        db.add(Finding(organisation_id=org.id, assessment_id=row.id, rule=f["rule"], severity=f["severity"],
                       field=f.get("field"), message=f["message"], clause=f.get("clause") or ""))
    audit.record(db, actor, "score", "assessment", row.id,
                 {"year": year, "domain": domain, "total": total, "scores": scores, "grade": result["grade"],
                  "satisfaction_rate": satisfaction}, organisation_id=org.id)
    result["has_errors"] = has_errors(result["findings"])
    return row, result
