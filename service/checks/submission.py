"""check_submission: every rule that applies to one submission (a form plus its report).

Pure: the caller supplies the parsed fields, the organisation's facts, the "as of" date,
and optionally the configuration and rubric; nothing here reads files or the database
except the packaged YAML (rules, config, rubric), which is cached.
"""
from __future__ import annotations

import datetime as _dt
import re
from typing import Any, Mapping, Sequence

from . import calendar as cal
from .completeness import SCORE_KEYS, check_completeness, is_blank
from .dimensions import check_report_dimensions
from .eligibility import (FACILITIES, as_bool, as_date, as_int, as_number, check_delisting,
                          check_facilities, check_members, check_prior_honor, check_report_length,
                          check_score)
from .findings import finding, has_errors, label, load_config
from .grading import grade as grade_scores
from .plan import check_plan
from .rubric import Rubric, available_years, load_rubric

FORM_KINDS = ("declaration", "acceptance", "brand", "report")
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def rubric_for(year: int | None, directory: Any = None) -> Rubric:
    """The rubric in force for `year` (`directory`: an admin's rubrics over the built-in ones);
    a year before the first file gets the earliest file."""
    try:
        return load_rubric(year, directory)
    except FileNotFoundError:
        years = available_years(directory)
        if not years:
            raise
        return load_rubric(years[0], directory)


def _merged(fields: Mapping[str, Any], org: Mapping[str, Any] | None) -> dict[str, Any]:
    """Form fields, with gaps filled from the organisation record (`org`)."""
    out = dict(fields)
    for key, value in (org or {}).items():
        if key == "facts":
            continue
        if is_blank(out.get(key)) and not is_blank(value):
            out[key] = value
    return out


_NAME_ASIDE = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
_NAME_NOISE = re.compile(r"[\s\u3000“”\"'、，,.。·-]")


def _name_key(name: str) -> str:
    """中共市财政局预算科支部委员会（机关） and 市财政局预算科党支部 give the same key."""
    key = _NAME_NOISE.sub("", _NAME_ASIDE.sub("", str(name)))
    key = re.sub(r"^(中共|中国共产党)", "", key)
    return key.replace("支部委员会", "支部").replace("党支部", "支部")


def check_own_branch(form_name: Any, record_name: Any) -> list[dict[str, Any]]:
    """The form names the branch it is for; a form of another branch uploaded under this one's account
    (a clerk's wrong file) must not pass unseen.  The same branch written shorter or longer
    (预算科党支部 for 市财政局预算科党支部, with or without 中共) is the same branch."""
    if is_blank(form_name) or is_blank(record_name):
        return []
    a, b = _name_key(form_name), _name_key(record_name)
    if not a or not b or a == b or a.endswith(b) or b.endswith(a):
        return []
    return [finding("other_branch", "branch_name", value=str(form_name).strip(), record=str(record_name).strip())]


def check_submission(form: str | None, fields: Mapping[str, Any],
                     report_fields: Mapping[str, Any] | None = None,
                     org: Mapping[str, Any] | None = None,
                     as_of: _dt.date | str | None = None,
                     config: Mapping[str, Any] | None = None,
                     *, required: Sequence[str] | None = None,
                     rubric: Rubric | None = None,
                     rubric_dir: Any = None, plan_text: str | None = None) -> dict[str, Any]:
    """Check one submission.

    form: "declaration" | "acceptance" | "brand" | "report" (None when unrecognised);
    fields: the form's canonical fields (domain.md section 6), dates as ISO strings;
    report_fields: the 汇报材料's fields ({"title", "char_count"}) or None;
    org: the organisation record ({"directly_under", "member_count", "domain", ...,
         "facts": {"prior_honor_year", "dissolved", "violation", ...}}): its values fill the
         form's gaps for the rules (a gap is still a missing_field) and its facts feed the
         delisting rules;
    as_of: the date the check is made (default today); config: overrides of config.yaml;
    required: explicit required field list (else parsers.forms / fallback);
    rubric: the rubric to grade the self-scores with, else the one in force in `rubric_dir`
    (an admin's rubrics, over the built-in ones) for the year of the application.

    Returns {"form", "fields", "findings", "eligible", "grade"}; `eligible` is true only
    when no finding is an error; `grade` is the JH-2 grade of the self-scores (acceptance)
    or None.
    plan_text: the 创建工作方案 when it came as a file of its own (else the form's plan_summary
    is the plan); the plan must set out its four parts (SZ-2.2), the report the five 好 (SQ-2)."""
    cfg = load_config(config)
    day = cal.parse_date(as_of) if as_of is not None else _dt.date.today()
    out: list[dict[str, Any]] = []
    merged = _merged(fields, org)
    facts = dict((org or {}).get("facts") or {})

    if form not in FORM_KINDS:
        out.append(finding("unknown_form", "form", value=form if form is not None else "未识别"))
        return _result(form, merged, out, None)

    # Completeness is judged on the form as submitted (the 补正通知 lists what the form lacks);
    # the rules below see the form with its gaps filled from the organisation record.
    out += check_completeness(form, fields, cfg, report_fields=report_fields if form == "acceptance" else None,
                              required=required)

    out += check_own_branch(fields.get("branch_name"), (org or {}).get("branch_name"))
    members = as_int("member_count", merged.get("member_count"), cfg, out)
    if form in ("declaration", "acceptance"):
        out += check_members(members, cfg)
        dom = merged.get("domain")
        if not is_blank(dom) and dom not in cfg["domains"]:
            out.append(finding("invalid_value", "domain", label=label(cfg, "domain"), value=dom,
                               detail="应为 " + " ".join(cfg["domains"])))

    grade_result = None
    if form == "declaration":
        declared = as_date("declared_on", merged.get("declared_on"), cfg, out)
        when = declared or day
        out += cal.check_declaration_window(when, cfg)
        if declared:
            out += cal.check_not_future("declared_on", declared, day, cfg)
        directly = as_bool("directly_under", merged.get("directly_under"), cfg, out)
        honor_year = as_int("prior_honor_year",
                            merged.get("prior_honor_year", facts.get("prior_honor_year")), cfg, out)
        out += check_prior_honor(merged.get("prior_honor") or None, directly, when.year, cfg, honor_year)
        out += check_facilities({k: as_bool(k, merged.get(k), cfg, out) for k in FACILITIES}, cfg)
        plan = plan_text if plan_text and plan_text.strip() else merged.get("plan_summary")
        out += check_plan(plan if isinstance(plan, str) else None,
                          field="plan" if plan_text and plan_text.strip() else "plan_summary")

    elif form == "acceptance":
        started = as_date("creation_started_on", merged.get("creation_started_on"), cfg, out)
        applied = as_date("applied_on", merged.get("applied_on"), cfg, out)
        when = applied or day
        out += cal.check_acceptance_window(when, cfg)
        if applied:
            out += cal.check_not_future("applied_on", applied, day, cfg)
        if started:
            out += cal.check_creation_period(started, when, cfg)
        total = as_number("self_score_total", merged.get("self_score_total"), cfg, out)
        out += check_score(total, cfg)
        scores = merged.get("self_scores") if isinstance(merged.get("self_scores"), Mapping) else {}
        dims = {}
        for key in SCORE_KEYS:
            v = as_number(f"self_scores.{key}", scores.get(key), cfg, out)
            if v is not None:
                dims[key] = v
        if total is not None:
            rub = rubric or rubric_for(when.year, rubric_dir)
            g = grade_scores(total, dims, rub.domain(merged.get("domain")),
                             satisfaction=merged.get("satisfaction"), field_prefix="self_scores.")
            for f in g["findings"]:
                if f["field"] == "self_scores.total":
                    f["field"] = "self_score_total"
            out += g["findings"]
            grade_result = {"key": g["grade"], "name": g["grade_name"], "base": g["base_grade"],
                            "base_name": g["base_grade_name"], "downgraded": g["downgraded"],
                            "capped": g["capped"], "rubric_year": rub.year}
        if report_fields:
            count = as_int("report.char_count", report_fields.get("char_count"), cfg, out)
            out += check_report_length(count, cfg)
            out += _dimensions(report_fields.get("text"), merged.get("domain"), rubric or rubric_for(when.year, rubric_dir))

    elif form == "brand":
        for key in ("established_on", "applied_on"):
            d = as_date(key, merged.get(key), cfg, out)
            if d:
                out += cal.check_not_future(key, d, day, cfg)

    elif form == "report":
        count = as_int("char_count", merged.get("char_count"), cfg, out)
        out += check_report_length(count, cfg, field="char_count")
        out += _dimensions(merged.get("text"), merged.get("domain"), rubric or rubric_for(day.year, rubric_dir),
                           prefix="dimensions.")

    if facts:
        out += check_delisting(facts, None, cfg)
    return _result(form, merged, out, grade_result)


def _dimensions(text: Any, domain: Any, rub: Rubric, prefix: str = "report.dimensions.") -> list[dict[str, Any]]:
    """The five 好 in the report text (SQ-2), with the domain's rubric items as vocabulary."""
    if not isinstance(text, str) or not text.strip():
        return []
    names = {d["key"]: d["name"] for d in rub.dimensions}
    findings, _ = check_report_dimensions(text, names, rub.domain(domain if isinstance(domain, str) else None),
                                          field_prefix=prefix)
    return findings


def _result(form: str | None, fields: Mapping[str, Any], findings: list[dict[str, Any]],
            grade_result: dict[str, Any] | None) -> dict[str, Any]:
    findings = sorted(findings, key=lambda f: _SEVERITY_ORDER[f["severity"]])
    return {"form": form, "fields": dict(fields), "findings": findings,
            "eligible": not has_errors(findings), "grade": grade_result}
