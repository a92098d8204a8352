"""Grading rounds (JH-2, JH-3): a district's score sheet ranked, one assessment per branch, the laggards' ledger rows."""
from __future__ import annotations

import datetime as dt
import os
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit, auth
from ..checks.scorefile import rank_file
from ..checks.rubric import RubricError
from ..errors import Broken, Invalid, NotFound, Unsupported
from ..models import Assessment, Finding, Organisation, RectificationItem, User
from .assessments import assessment_dict
from .validate import year_value


def run_round(db: Session, actor: User, data: bytes, filename: str, year: int) -> dict:
    """Rank a score sheet (service.checks), store one Assessment per known branch in the caller's view."""
    auth.require_role(actor, *auth.REVIEWERS)
    year = year_value(year)
    suffix = Path(filename or "").suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise Unsupported("评分表只支持 .xlsx 或 .csv 文件。")
    fd, tmp = tempfile.mkstemp(suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            result = rank_file(Path(tmp), year)
        except RubricError as exc:
            raise Broken(str(exc), "rubric_invalid") from None
        except FileNotFoundError:
            raise NotFound(f"没有 {year} 年或更早年份的评分标准。") from None
        except Exception:
            raise Invalid("无法读取该评分表，请检查文件格式。", "invalid_file") from None
    finally:
        os.unlink(tmp)
    visible = auth.visible_org_ids(db, actor)
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
                         entered_by_id=actor.id)
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
    audit.record(db, actor, "grading_round", "grading_round", None,
                 {"round": round_id, "year": year, "file": filename[:200], "rows": len(result["branches"]),
                  "stored": len(stored), "laggards": [l["branch_name"] for l in result["laggards"]],
                  "unmatched": unmatched})
    return {"round": round_id, "year": year, "branches": result["branches"], "domains": result["domains"],
            "laggards": result["laggards"], "findings": result["findings"], "stored": len(stored),
            "unmatched": unmatched}


def get_round(db: Session, actor: User, round_id: str) -> dict:
    """The assessments stored by one grading round, as visible to the caller."""
    rows = [a for a in db.execute(auth.filter_visible(select(Assessment).order_by(Assessment.id),
                                                      Assessment.organisation_id, db, actor)).scalars()
            if (a.items or {}).get("round") == round_id]
    if not rows:
        raise NotFound("未找到该评定批次。")
    return {"round": round_id, "items": [assessment_dict(a) for a in rows]}
