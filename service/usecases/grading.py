"""Grading rounds (JH-2, JH-3): a district's score sheet ranked, one assessment per branch, the laggards' ledger rows."""
from __future__ import annotations

import datetime as dt
import os
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .. import audit, auth
from ..checks.grading import satisfaction_percent
from ..checks.scoresheet import rows_from_table
from ..checks.scorefile import rank_rows, read_table
from ..checks.rubric import RubricError
from ..errors import Broken, Conflict, Invalid, NotFound, Unsupported
from ..exports import example_check, template_examples
from ..models import Assessment, Finding, Organisation, RectificationItem, User
from .assessments import assessment_dict
from .validate import year_value


#: the 评分表 template's example row (支部名称, 领域, 总分, the five dimensions, 群众满意率): left in, 预算科 was
#: graded 96; refused by the one rule of every import (service.exports.example_refusal)
SCORE_EXAMPLE = template_examples([["市财政局预算科党支部", "机关", 96, 20, 19, 19, 19, 19, 98]])[0]


def _read_sheet(data: bytes, filename: str) -> tuple[list[dict], list[dict]]:
    """Rows of an uploaded score sheet (read via a temporary file: openpyxl wants a path); a template's
    example row left in is refused (its rows, as :func:`_match` lists the rows it cannot place)."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise Unsupported("评分表只支持 .xlsx 或 .csv 文件。")
    fd, tmp = tempfile.mkstemp(suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            header, table = read_table(Path(tmp))
            parsed = rows_from_table(header, table)
        except Exception:
            raise Invalid("无法读取该评分表，请检查文件格式。", "invalid_file") from None
    finally:
        os.unlink(tmp)
    example_refusal = example_check()
    examples = [{"row": n, "branch_name": "", "reason": why} for n, why in
                ((n, example_refusal(n, raw)) for n, raw in enumerate(table, 2)) if why]
    if examples:
        raise Invalid("评分表" + "；".join(e["reason"] for e in examples) + "。", "unmatched_rows",
                      detail={"rows": examples})
    return parsed


def _match(db: Session, actor: User, rows: list[dict]) -> tuple[dict[int, Organisation], list[dict]]:
    """Each row's branch among the existing branches in the caller's subtree: -> ({row index: branch},
    [{"row", "branch_name", "reason"}] for the rows that match none or several)."""
    branches = auth.visible_branches_by_name(db, actor)
    matched, unmatched = {}, []
    for i, row in enumerate(rows):
        orgs = branches.get(row["branch_name"], [])
        if len(orgs) == 1:
            matched[i] = orgs[0]
        else:
            reason = "名称对应多个党支部" if orgs else "不是您管辖范围内的党支部"
            unmatched.append({"row": row.get("row"), "branch_name": row["branch_name"], "reason": reason})
    return matched, unmatched


def _unmatched_message(unmatched: list[dict]) -> str:
    shown = "；".join(f"第{u['row']}行“{u['branch_name']}”（{u['reason']}）" for u in unmatched[:20])
    more = f"等{len(unmatched)}行" if len(unmatched) > 20 else ""
    return f"评分表中有{len(unmatched)}行无法对应到现有党支部，请更正或删除后重新定级：{shown}{more}。"


def _still_tied(result: dict) -> dict:
    """Per domain whose tie-breakers still left branches tied at the cut (more listed than the quota):
    ``{domain: {"name", "quota", "cut_score", "fixed": [below the cut], "candidates": [tied at it], "need"}}``."""
    out = {}
    for dom, info in result["domains"].items():
        if not info.get("ties_at_cut") or info.get("cut_score") is None:
            continue
        cut = float(info["cut_score"])
        listed = [b for b in result["branches"] if b.get("domain") == dom and b.get("laggard")]
        candidates = [b["branch_name"] for b in listed if float(b["total"]) == cut]
        fixed = [b["branch_name"] for b in listed if float(b["total"]) != cut]
        out[dom] = {"name": info["name"], "quota": info["quota"], "cut_score": info["cut_score"],
                    "fixed": fixed, "candidates": candidates, "need": max(info["quota"] - len(fixed), 0)}
    return out


def _apply_tie_choice(result: dict, ties: dict, choice, reason) -> None:
    """The reviewer's choice among the still-tied branches: the others leave the 相对后进 list; the chosen
    keep it with the reason, which their records (and the 限期整改通知书) state."""
    if not isinstance(choice, dict) or set(ties) - set(choice):
        names = "、".join(t["name"] for d, t in ties.items() if not isinstance(choice, dict) or d not in choice)
        raise Conflict(f"{names}领域依次比较排序规则后仍有党支部得分并列，请确认列入相对后进的党支部并写明理由。",
                       "laggard_ties", detail={"ties": ties})
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not 2 <= len(reason) <= 300:
        raise Invalid("请写明确认列入的理由（2–300 字）。", field="tie_reason", detail={"ties": ties})
    picked_all = set()
    for dom, t in ties.items():
        picked = choice[dom]
        if not isinstance(picked, list) or len(set(picked)) != t["need"] or not set(picked) <= set(t["candidates"]):
            raise Invalid(f"{t['name']}领域应从并列的{len(t['candidates'])}个党支部中选定{t['need']}个。",
                          field=f"ties.{dom}", detail={"ties": ties})
        picked_all |= {(dom, n) for n in picked}
    for b in result["branches"]:
        t = ties.get(b.get("domain"))
        if t is None or b["branch_name"] not in t["candidates"]:
            continue
        if (b["domain"], b["branch_name"]) in picked_all:
            b["tie_reason"] = reason
        else:
            b["laggard"] = False
            b["position"] = None
            b["findings"] = [f for f in b.get("findings") or [] if f["rule"] != "laggard"]
    result["laggards"] = [l for l in result["laggards"] if l["domain"] not in ties
                          or (l["domain"], l["branch_name"]) in picked_all
                          or l["branch_name"] in ties[l["domain"]]["fixed"]]
    for dom, t in ties.items():
        result["domains"][dom]["laggards"] = t["fixed"] + sorted(choice[dom])
        result["domains"][dom]["tie_reason"] = reason


def run_round(db: Session, actor: User, data: bytes, filename: str, year: int, replace: bool = False,
              ties: dict | None = None, tie_reason: str | None = None) -> dict:
    """Rank a score sheet (service.checks) over the existing branches of the caller's subtree and store one
    Assessment per branch. A row naming no such branch blocks the whole round (ranking it would move the
    5%/10% quota: 14 stray rows once decided a district's 相对后进); a branch already scored for the year
    is refused unless ``replace`` (then its record is overwritten in place, keeping what refers to it)."""
    auth.require_role(actor, *auth.REVIEWERS)
    year = year_value(year)
    rows, problems = _read_sheet(data, filename)
    matched, unmatched = _match(db, actor, rows)
    if unmatched:
        raise Invalid(_unmatched_message(unmatched), "unmatched_rows", detail={"rows": unmatched})
    existing: dict[int, Assessment] = {}
    if matched:
        for a in db.execute(select(Assessment).where(
                Assessment.year == year,
                Assessment.organisation_id.in_({o.id for o in matched.values()})).order_by(Assessment.id)).scalars():
            existing[a.organisation_id] = a
    if existing and not replace:
        names = sorted({o.name for o in matched.values() if o.id in existing})
        raise Conflict(f"以下党支部已有{year}年度评分：{'、'.join(names)}。请选择替换原评分，或保留原评分（不保存本次定级）。",
                       "scores_exist", detail={"branches": names})
    try:
        result = rank_rows(rows, problems, year)
    except RubricError as exc:
        raise Broken(str(exc), "rubric_invalid") from None
    except FileNotFoundError:
        raise NotFound(f"没有 {year} 年或更早年份的评分标准。") from None
    still = _still_tied(result)
    if still:  # tie-breakers could not decide: the reviewer confirms who is listed, and why
        _apply_tie_choice(result, still, ties, tie_reason)
    round_id = uuid.uuid4().hex[:12]
    stored, replaced = [], []
    for i, b in enumerate(result["branches"]):
        if b.get("grade") is None:
            continue
        org = matched[i]
        sheet_row = rows[i]  # the graded entry keeps no scores: the sheet's row has the five and the 满意率
        satisfaction = sheet_row.get("satisfaction")
        if satisfaction is not None:
            satisfaction = round(float(satisfaction_percent(satisfaction)), 1)
        values = dict(year=year, domain=b["domain"], rubric=str(year), total=float(b["total"]),
                      scores=dict(sheet_row.get("dimensions") or {}), satisfaction_rate=satisfaction,
                      items={"round": round_id, "source": "scoresheet", "file": filename[:200],
                             "grade_name": b.get("grade_name"), "downgraded": b.get("downgraded", False),
                             "capped": b.get("capped", False), "position": b.get("position"),
                             **({"tie_reason": b["tie_reason"]} if b.get("tie_reason") else {})},
                      grade=b["grade"], backward=bool(b["laggard"]), assessed_on=dt.date.today(),
                      entered_by_id=actor.id)
        row = existing.get(org.id)
        if row is None:
            row = Assessment(organisation_id=org.id, **values)
            db.add(row)
        else:
            for key, value in values.items():
                setattr(row, key, value)
            db.execute(delete(Finding).where(Finding.assessment_id == row.id))
            replaced.append(org.name)
        db.flush()
        has_ledger = db.scalar(select(RectificationItem.id).where(RectificationItem.assessment_id == row.id).limit(1))
        for f in b.get("findings") or []:
            db.add(Finding(organisation_id=org.id, assessment_id=row.id, rule=f["rule"], severity=f["severity"],
                           field=f.get("field"), message=f["message"], clause=f.get("clause") or ""))
            if f["rule"] == "laggard" and has_ledger is None:
                # JH-3: every 相对后进 branch gets a row in the 整改工作台账 (filled in later).
                db.add(RectificationItem(organisation_id=org.id, assessment_id=row.id, category="相对后进党支部",
                                         problem=f["message"], note=f"{year}年度分类定级"))
        b["assessment_id"] = row.id
        b["organisation_id"] = org.id
        stored.append(row.id)
    audit.record(db, actor, "grading_round", "grading_round", None,
                 {"round": round_id, "year": year, "file": filename[:200], "rows": len(result["branches"]),
                  "stored": len(stored), "laggards": [l["branch_name"] for l in result["laggards"]],
                  "replaced": replaced, **({"ties": ties, "tie_reason": tie_reason} if still else {})})
    return {"round": round_id, "year": year, "branches": result["branches"], "domains": result["domains"],
            "laggards": result["laggards"], "findings": result["findings"], "stored": len(stored),
            "replaced": replaced, "unmatched": []}


def get_round(db: Session, actor: User, round_id: str) -> dict:
    """The assessments stored by one grading round, as visible to the caller."""
    rows = [a for a in db.execute(auth.filter_visible(select(Assessment).order_by(Assessment.id),
                                                      Assessment.organisation_id, db, actor)).scalars()
            if (a.items or {}).get("round") == round_id]
    if not rows:
        raise NotFound("未找到该评定批次。")
    return {"round": round_id, "items": [assessment_dict(a) for a in rows]}
