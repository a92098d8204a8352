"""The assessor's view of one branch (SZ-2.3 听汇报、查资料): what its report and plan say.

For one branch and year: the newest 汇报材料 with the sentences that speak to each of the five 好,
the domain's rubric items with the evidence that best matches each, the 创建工作方案's four parts,
the passages shared with other branches' texts, and the scores already entered. The page shows it
beside the score form; the 验收意见表 is then issued from the saved assessment.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import auth, intake, textindex
from ..checks.dimensions import DIMENSION_KEYS, map_dimensions
from ..checks.plan import is_plan_title, plan_parts
from ..checks.texts import bigrams, dice
from ..models import Assessment, Submission, User
from .assessments import rubric_for
from .cycles import load_organisation

# An evidence sentence is linked to a rubric item when their character-bigram similarity reaches
# this, or when the sentence carries one of the item's four-character phrases (0.2 is a sentence
# restating the item in its own words: 落实“三会一课”制度 ~ 严格落实“三会一课”制度，全年召开… = 0.33).
ITEM_LINK_SIMILARITY = 0.2


def _newest(session: Session, org_id: int, forms: tuple[str, ...]) -> Optional[Submission]:
    return session.execute(select(Submission).where(Submission.organisation_id == org_id,
                                                    Submission.form.in_(forms))
                           .order_by(Submission.id.desc()).limit(1)).scalar_one_or_none()


def _texts(session: Session, org_id: int) -> tuple[Optional[Submission], Optional[Submission], str]:
    """The newest report, the newest attached/uploaded plan, and the plan text (else the form's summary)."""
    report = plan = None
    for sub in session.execute(select(Submission).where(Submission.organisation_id == org_id,
                                                        Submission.form == "report")
                               .order_by(Submission.id.desc())).scalars():
        title = sub.extractions[-1].fields.get("title") if sub.extractions else None
        if is_plan_title(title):
            plan = plan or sub
        else:
            report = report or sub
    plan_text = textindex.text_of(plan) if plan is not None else ""
    if not plan_text:
        decl = _newest(session, org_id, ("declaration",))
        if decl is not None and decl.extractions:
            summary = intake.effective_fields(decl.extractions[-1]).get("plan_summary")
            plan_text = summary if isinstance(summary, str) else ""
    return report, plan, plan_text


def _segments(text: str, evidence: dict[str, list[dict]]) -> list[dict]:
    """The report cut into runs of text, each with the dimensions its sentence is evidence for."""
    marks: dict[int, dict[str, Any]] = {}
    for key, items in evidence.items():
        for e in items:
            m = marks.setdefault(e["start"], {"end": e["start"] + len(e["sentence"]), "dimensions": []})
            m["dimensions"].append(key)
    out, pos = [], 0
    for start in sorted(marks):
        if start < pos:
            continue
        if start > pos:
            out.append({"text": text[pos:start], "dimensions": []})
        end = marks[start]["end"]
        out.append({"text": text[start:end], "dimensions": marks[start]["dimensions"], "anchor": f"s{start}"})
        pos = end
    if pos < len(text):
        out.append({"text": text[pos:], "dimensions": []})
    return out


def view(session: Session, actor: User, organisation_id: int, year: int,
         rubric_dir: Optional[Path] = None) -> dict[str, Any]:
    """Everything the assessor reads for one branch, as plain data."""
    auth.require_role(actor, *auth.REVIEWERS)
    org = load_organisation(session, actor, organisation_id)
    rubric = rubric_for(year, rubric_dir)
    names = {d["key"]: d["name"] for d in rubric.dimensions}
    domain_rubric = rubric.domain(org.domain) if org.domain in rubric.domains else rubric.domain(None)
    report, plan, plan_text = _texts(session, org.id)
    report_text = textindex.text_of(report) if report is not None else ""
    dims = map_dimensions(report_text, names, domain_rubric) if report_text else {"dimensions": {}, "facts": 0}
    evidence = {k: v["evidence"] for k, v in dims["dimensions"].items()}
    items = []
    for key in DIMENSION_KEYS:
        for it in (domain_rubric.get("items") or {}).get(key, []):
            grams = bigrams(it.get("text", ""))
            best = max(((dice(grams, bigrams(e["sentence"])), e) for e in evidence.get(key, [])),
                       key=lambda p: p[0], default=(0.0, None))
            linked = best[1] if best[0] >= ITEM_LINK_SIMILARITY else None
            items.append({"dimension": key, "dimension_name": names.get(key, key), "id": it.get("id"),
                          "text": it.get("text"), "points": it.get("points"),
                          "evidence": linked["sentence"] if linked else None,
                          "anchor": f"s{linked['start']}" if linked else None})
    copies: list[dict] = []
    if report is not None and report_text:
        _findings, copies = textindex.copies(session, report, report_text)
    assessment = session.execute(select(Assessment).where(Assessment.organisation_id == org.id,
                                                          Assessment.year == year)
                                 .order_by(Assessment.id.desc()).limit(1)).scalar_one_or_none()
    return {
        "organisation": {"id": org.id, "name": org.name, "domain": org.domain},
        "year": year,
        "rubric_title": rubric.title,
        "report": {"id": report.id, "name": report.original_name, "title": (report.extractions[-1].fields or {})
                   .get("title") if report.extractions else None} if report is not None else None,
        "segments": _segments(report_text, evidence) if report_text else [],
        "dimensions": [{"key": k, "name": names.get(k, k), "sentences": len(evidence.get(k, [])),
                        "facts": dims["dimensions"].get(k, {}).get("facts", 0)} for k in DIMENSION_KEYS],
        "items": items,
        "plan": {"id": plan.id if plan is not None else None, "text": plan_text,
                 "parts": plan_parts(plan_text) if plan_text else {}},
        "copies": [{"organisation": c["organisation"], "year": c["year"], "submission_id": c["submission_id"],
                    "percent": round(c["share"] * 100), "passages": c["passages"][:10]} for c in copies[:5]],
        "assessment": {"id": assessment.id, "total": assessment.total, "grade": assessment.grade,
                       "scores": dict(assessment.scores or {})} if assessment is not None else None,
    }
