"""Click commands `check` and `rank`, for the lead to add to the `wuhao` group:

    from service.checks.cli import check_command, rank_command
    main.add_command(check_command); main.add_command(rank_command)

Thin shells: reading files here, every rule in the pure modules.
"""
from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path
from typing import Any

import click

from parsers import parse_path

from .findings import domain_name, finding, load_config
from .plan import is_plan_title
from .rubric import RubricError
from .scorefile import rank_file
from .submission import check_submission


def _read_one(path: Path) -> dict[str, Any]:
    """A file -> {"file", "form", "fields", "errors"}: JSON (a ParseResult dict or
    {"form", "fields"}) is taken as is; anything else goes through parsers.parse_path."""
    if path.suffix.lower() == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        return {"file": str(path), "form": data.get("form"), "fields": data.get("fields") or {},
                "errors": data.get("errors") or []}
    result = parse_path(path)
    data = result.to_dict() if hasattr(result, "to_dict") else dict(result)
    return {"file": data.get("file", str(path)), "form": data.get("form"),
            "fields": data.get("fields") or {}, "errors": data.get("errors") or []}


def _err_text(e: Any) -> str:
    if isinstance(e, dict):
        return str(e.get("message") or e.get("detail") or e.get("code") or e)
    return str(e)


def check_files(paths: list[Path], as_of: _dt.date | None = None, org: dict | None = None,
                config: dict | None = None) -> dict[str, Any]:
    """Parse the files as one submission and check it. Returns the check_submission dict
    plus "report" (the report's fields or None) and "files"."""
    parsed = [_read_one(p) for p in paths]
    pre: list[dict[str, Any]] = []
    for p in parsed:
        for e in p["errors"]:
            pre.append(finding("parse_error", None, file=Path(p["file"]).name, detail=_err_text(e)))
    reports = [p for p in parsed if p["form"] == "report"]
    # an attached 创建工作方案 reads as prose too: it is the plan, not a second report (SZ-2.2)
    plans = [p for p in reports if is_plan_title(p["fields"].get("title"))]
    reports = [p for p in reports if p not in plans]
    forms = [p for p in parsed if p["form"] not in ("report",) and not (p["errors"] and not p["fields"])]
    unknown = [p for p in forms if p["form"] in (None, "unknown")]
    forms = [p for p in forms if p not in unknown]
    for p in unknown:
        pre.append(finding("submission_files", None, detail=f"无法识别“{Path(p['file']).name}”是哪一种表单"))
    if len(forms) > 1:
        pre.append(finding("submission_files", None,
                           detail="同时提交了" + "、".join(f"{Path(p['file']).name}（{p['form']}）" for p in forms)))
    if len(reports) > 1:
        pre.append(finding("submission_files", "report",
                           detail="汇报材料多于一份：" + "、".join(Path(p["file"]).name for p in reports)))
    if forms:
        main, report = forms[0], (reports[0]["fields"] if reports else None)
    elif reports:
        main, report = reports[0], None
    else:
        main, report = {"form": None, "fields": {}}, None
    plan_text = plans[0]["fields"].get("text") if plans else None
    result = check_submission(main["form"], main["fields"], report, org=org, as_of=as_of, config=config,
                              plan_text=plan_text if isinstance(plan_text, str) else None)
    if pre and main["form"] is None:  # the unreadable files already say why there is no form
        result["findings"] = [f for f in result["findings"] if f["rule"] != "unknown_form"]
    result["findings"] = pre + result["findings"]
    result["eligible"] = result["eligible"] and not any(f["severity"] == "error" for f in pre)
    result["report"] = report
    result["files"] = [p["file"] for p in parsed]
    return result


@click.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Check dates as of this day (default today).")
@click.option("--org", "org_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="JSON of the organisation record and facts.")
def check_command(files: tuple[Path, ...], as_json: bool, as_of: _dt.datetime | None, org_file: Path | None) -> None:
    """Check FILE... as one submission (a form plus its report)."""
    org = json.loads(org_file.read_text(encoding="utf-8")) if org_file else None
    result = check_files(list(files), as_of.date() if as_of else None, org)
    if as_json:
        out = {k: result[k] for k in ("form", "fields", "findings", "eligible", "grade", "report")}
        click.echo(json.dumps(out, ensure_ascii=False, default=str))
        return
    click.echo(f"表单：{result['form']}　结论：{'符合条件' if result['eligible'] else '不符合条件'}"
               + (f"　自评等次：{result['grade']['name']}" if result["grade"] else ""))
    for f in result["findings"]:
        click.echo(f"[{f['severity']}] {f['rule']} {f['field'] or ''} {f['message']}（{f['clause']}）")


@click.command("rank")
@click.argument("scores", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--year", type=int, default=None, help="Rubric year (default: this year).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line.")
def rank_command(scores: Path, year: int | None, as_json: bool) -> None:
    """Grade every branch in SCORES.xlsx/.csv (JH-2) and list the 相对后进 (JH-3)."""
    try:
        result = rank_file(scores, year)
    except RubricError as exc:
        raise click.ClickException(str(exc))
    except ValueError as exc:  # neither .xlsx nor .csv
        raise click.BadParameter(str(exc), param_hint="SCORES") from None
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, default=str))
        return
    cfg = load_config()
    click.echo("支部名称\t领域\t总分\t等次\t相对后进")
    for b in result["branches"]:
        click.echo(f"{b['branch_name']}\t{domain_name(cfg, b['domain'])}\t{b['total']}\t"
                   f"{b['grade_name'] or '—'}{'（降档）' if b.get('downgraded') else ''}"
                   f"{'（满意率封顶）' if b.get('capped') else ''}\t{'是' if b['laggard'] else ''}")
    reasons = [(b["branch_name"], f) for b in result["branches"] for f in b["findings"]
               if f["rule"] in ("dimension_below_grade", "satisfaction_cap", "score_inconsistent", "score_out_of_range")]
    if reasons:
        click.echo("")
        click.echo("降档及其他说明：")
        for name, f in reasons:
            click.echo(f"{name}：{f['message']}（{f['clause']}）")
    click.echo("")
    click.echo("相对后进党支部：")
    for code, d in result["domains"].items():
        click.echo(f"{d['name']}：{d['n']}个支部，比例不低于{d['percent']}%，应确定{d['quota']}个，"
                   f"列入{len(d['laggards'])}个：{'、'.join(d['laggards'])}")
        if d.get("tie_finding"):
            click.echo(f"  {d['tie_finding']['message']}")
    for f in result["findings"]:
        if f["rule"] != "laggard_tie":
            click.echo(f"[{f['severity']}] {f['rule']} {f.get('branch_name', '')} {f['message']}（{f['clause']}）")
