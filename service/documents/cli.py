"""``wuhao fonts`` and ``wuhao render`` (registered in the ``wuhao`` group by service.cli)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .. import config as config_mod
from ..db import session_scope
from ..migrate import upgrade
from ..storage import store_for
from . import fonts
from .compose import ContextError
from .contexts import RecordNotFound, build_context, demo_record, verify_url
from .issue import IssueError, issue
from .printers import offset_for, parse_offset, save_offset
from .registry import KINDS, kind_info, render
from .samples import sample_context

KIND_NAMES = list(KINDS)
DRAFT_NUMBER = "样张"


@click.command("fonts")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable report.")
def fonts_cmd(as_json: bool) -> None:
    """Report which face serves each font role; warn on substitutes."""
    rows = fonts.font_report()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        click.echo(fonts.format_report(rows))
    if any(r["status"] == "missing" for r in rows):
        sys.exit(2)


def _options(year, quarter, as_of, reason) -> dict:
    out = {}
    if year:
        out["year"] = year
    if quarter:
        out["quarter"] = quarter
    if as_of:
        out["as_of"] = as_of
    if reason:
        out["reason"] = reason
    return out


@click.command("render")
@click.argument("kind", type=click.Choice(KIND_NAMES))
@click.option("--id", "record_id", help="The record the document is about (a form name for blank-form).")
@click.option("--demo", is_flag=True,
              help="Preview from the first suitable demo record instead of --id (a draft: not numbered or stored).")
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf", "xlsx"]), default="pdf", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--draft", is_flag=True, help="Render only: no number, nothing stored or audited.")
@click.option("--overprint", is_flag=True, help="套打: only the variable text of a certificate (PDF).")
@click.option("--printer", help="Printer whose calibrated offset to use (or to save with --offset).")
@click.option("--offset", help="Overprint offset x,y in millimetres.")
@click.option("--year", type=int)
@click.option("--quarter", type=click.IntRange(1, 4))
@click.option("--as-of", "as_of", help="Date of the document (YYYY-MM-DD), default today.")
@click.option("--reason", help="Reason text (限期整改 / 摘牌) when the record lacks one.")
@click.option("--of-organisation", "of_org", is_flag=True,
              help="acceptance-form: --id is a branch; a blank scoring form with its domain's rubric.")
def render_cmd(kind, record_id, demo, fmt, output, draft, overprint, printer, offset, year, quarter,
               as_of, reason, of_org) -> None:
    """Render (and issue) a KIND document about --id, or --demo."""
    info = kind_info(kind)
    if fmt not in info.formats:
        raise click.UsageError(f"{info.label}不提供 {fmt} 格式（可用：{'、'.join(info.formats)}）")
    if bool(demo) == bool(record_id):
        raise click.UsageError("请给出 --id ID 或 --demo（二选一）")
    cfg = config_mod.load()
    offset_mm = (0.0, 0.0)
    if overprint:
        if kind not in ("honor-certificate", "party-card") or fmt != "pdf":
            raise click.UsageError("套打只适用于荣誉证书和党员证的 PDF")
        try:
            if offset:
                offset_mm = parse_offset(offset)
                if printer:
                    save_offset(printer, offset_mm, cfg.data_dir)
                    click.echo(f"已保存打印机“{printer}”的偏移量 {offset_mm[0]:g},{offset_mm[1]:g} 毫米")
            elif printer:
                offset_mm = offset_for(printer, cfg.data_dir)
        except (KeyError, ValueError) as exc:
            raise click.ClickException(str(exc.args[0] if exc.args else exc)) from None
    options = _options(year, quarter, as_of, reason)
    if of_org:
        if kind != "acceptance-form":
            raise click.UsageError("--of-organisation 只适用于 acceptance-form")
        options["subject"] = "organisation"
    upgrade(cfg.database_url)
    store = store_for(cfg.data_dir)
    try:
        with session_scope(cfg.database_url) as session:
            if demo:
                record_id = demo_record(kind, session)
                if record_id is None:
                    if kind == "blank-form":
                        raise click.ClickException("没有可用的空白表格（templates_docx/forms/ 为空）")
                    click.echo("数据库中没有可用的演示记录，使用内置示例数据（草稿：不编号、不入库）。", err=True)
                    data = render(kind, sample_context(kind), fmt, overprint=overprint, offset_mm=offset_mm)
                    output.write_bytes(data)
                    click.echo(f"{info.label}（示例）→ {output}（{len(data)} 字节）")
                    return
            if draft or demo or overprint or kind == "blank-form":
                ctx = build_context(kind, session, record_id, options)
                if overprint and not ctx.get("number"):
                    raise click.ClickException("该证书尚未印发编号，请先印发再套打。")
                if kind in ("honor-certificate", "party-card") and not ctx.get("number"):
                    # A preview of a certificate not yet issued: a sample number that
                    # /verify reports as unknown, never one taken from the sequence.

                    ctx["number"] = DRAFT_NUMBER
                    ctx["verify_url"] = verify_url(DRAFT_NUMBER)
                data = render(kind, ctx, fmt, overprint=overprint, offset_mm=offset_mm)
                output.write_bytes(data)
                what = "套打" if overprint else (info.label if kind == "blank-form" else "草稿")
                click.echo(f"{info.label}（{what}）→ {output}（{len(data)} 字节）")
                return
            docs = issue(session, kind, record_id, formats=(fmt,), options=options, store=store)
            doc = docs[0]
            output.write_bytes(store.read_bytes(doc.sha256))
            click.echo(f"已印发{info.label} {doc.number or ''}（文书编号 {doc.id}，sha256 {doc.sha256[:12]}…）"
                       f"→ {output}（{doc.size} 字节）")
    except (ContextError, RecordNotFound, IssueError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from None
