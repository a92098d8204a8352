"""The rubric editor: an admin changes a year's 评定标准 in a form, one domain at a time, instead of
uploading YAML. The edit becomes the same YAML file an upload would be and goes through the same
validation (``assessments.save_rubric`` → ``checks.rubric.parse_rubric``): every rule that refuses a
file refuses an edit, with the same messages."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from .. import auth
from ..errors import Invalid
from ..models import User
from ..vocabulary import DOMAIN_CODES, DOMAINS
from .assessments import rubric_for, save_rubric
from .validate import year_value


def view(actor: User, directory: Path, year: int, domain: str | None) -> dict:
    """What the editor shows: the rubric in force for ``year`` and one domain's items."""
    auth.require_role(actor, "admin")
    year = year_value(year)
    rubric = rubric_for(year, directory)
    domain = domain if domain in DOMAIN_CODES else DOMAIN_CODES[0]
    spec = rubric.domains.get(domain, {})
    return {"year": year, "source_year": rubric.year, "title": rubric.title, "domain": domain,
            "domains": [(code, DOMAINS[code]) for code in DOMAIN_CODES],
            "dimensions": rubric.dimensions, "grades": rubric.grades, "satisfaction_cap": rubric.satisfaction_cap,
            "items": {d["key"]: spec.get("items", {}).get(d["key"], []) for d in rubric.dimensions},
            "emphasis": spec.get("emphasis") or ""}


def _number(raw: Any, what: str) -> int | float | str:
    """A number typed into the form; left as text when it is none, so the rubric's own check names it."""
    text = str(raw if raw is not None else "").strip()
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() else value


def _clean_items(items: list[dict]) -> list[dict]:
    out = []
    for it in items:
        if it.get("delete") or not any(str(it.get(k) or "").strip() for k in ("id", "text", "points")):
            continue
        deductions = []
        for d in it.get("deductions") or []:
            if d.get("delete") or not str(d.get("text") or "").strip():
                continue
            if d.get("zero"):
                deductions.append({"text": str(d["text"]).strip(), "zero": True})
            else:
                deductions.append({"text": str(d["text"]).strip(), "per": _number(d.get("per"), "每次扣分")})
        row = {"id": str(it.get("id") or "").strip(), "text": str(it.get("text") or "").strip(),
               "points": _number(it.get("points"), "分值")}
        if deductions:
            row["deductions"] = deductions
        out.append(row)
    return out


def document(rubric, year: int, domain: str, args: dict) -> dict:
    """The whole rubric as the YAML file holds it, with the form's changes in."""
    dims = [{"key": str(d.get("key") or "").strip(), "name": str(d.get("name") or "").strip(),
             "max": _number(d.get("max"), "满分")} for d in args.get("dimensions") or rubric.dimensions
            if not d.get("delete")]
    grades = []
    for g in args.get("grades") or rubric.grades:
        if g.get("delete") or not any(str(g.get(k) or "").strip() for k in ("key", "name", "min_total")):
            continue
        row = {"key": str(g.get("key") or "").strip(), "name": str(g.get("name") or "").strip(),
               "min_total": _number(g.get("min_total"), "最低总分")}
        if str(g.get("dimension_min_percent") or "").strip():
            row["dimension_min_percent"] = _number(g["dimension_min_percent"], "各维度最低百分比")
        grades.append(row)
    domains = copy.deepcopy(rubric.domains)
    spec = domains.setdefault(domain, {"name": DOMAINS[domain]})
    if "items" in args:
        spec["items"] = {dim: _clean_items(rows) for dim, rows in args["items"].items()}
    if args.get("emphasis") is not None:
        if str(args["emphasis"]).strip():
            spec["emphasis"] = str(args["emphasis"]).strip()
        else:
            spec.pop("emphasis", None)
    out: dict[str, Any] = {"year": year, "title": str(args.get("title") or rubric.title).strip(),
                           "dimensions": dims, "grades": grades}
    if rubric.satisfaction_cap:
        out["satisfaction_cap"] = rubric.satisfaction_cap
    out["domains"] = {code: {k: v for k, v in s.items() if v is not None} for code, s in domains.items()}
    return out


def save(db: Session, actor: User, directory: Path, args: dict) -> dict:
    """``{"year", "source_year", "domain", "title", "dimensions", "grades", "items": {dim: [...]}, "emphasis"}``
    → the rubric for ``year`` with these changes, validated like an uploaded file and put in force."""
    auth.require_role(actor, "admin")
    year = year_value(args.get("year"))
    domain = args.get("domain")
    if domain not in DOMAIN_CODES:
        raise Invalid("请选择领域。", field="domain")
    source = rubric_for(year_value(args.get("source_year") or year), directory)
    text = yaml.safe_dump(document(source, year, domain, args), allow_unicode=True, sort_keys=False, width=1000)
    header = f"# {year}年评定标准（由管理员在“评分标准”页面编辑保存）\n"
    return save_rubric(db, actor, directory, year, (header + text).encode("utf-8"))
