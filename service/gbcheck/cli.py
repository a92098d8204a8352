"""``wuhao lint FILE... [--json] [--layout]``: GB/T 9704-2012 problems of any 公文, DOCX or PDF."""
from __future__ import annotations

import json

import click

from .check import lint_path


def _where(p: dict) -> str:
    if p.get("page"):
        return f"第 {p['page']} 页"
    if p.get("paragraph"):
        return f"第 {p['paragraph']} 段"
    return "全文"


@click.command("lint")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="One JSON line per file: {file, problems: [...]}.")
@click.option("--layout", is_flag=True,
              help="Also lay DOCX files out with LibreOffice (line ends, the 落款's page, 版记 place, 页码).")
def lint(files: tuple[str, ...], as_json: bool, layout: bool) -> None:
    """Check FILES against GB/T 9704-2012; exit 1 when any file has a problem or cannot be read."""
    bad = False
    for path in files:
        result = lint_path(path, layout_docx=layout)
        bad = bad or bool(result["problems"]) or "error" in result
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False))
            continue
        if "error" in result:
            click.echo(f"{path}：无法检查（{result['error']['code']}）：{result['error']['message']}")
            continue
        if not result["problems"]:
            click.echo(f"{path}：未发现不符合 GB/T 9704-2012 的问题。")
            continue
        click.echo(f"{path}：{len(result['problems'])} 个问题")
        for p in result["problems"]:
            click.echo(f"  {_where(p)}  {p['message']}（{p['clause']}）")
    raise SystemExit(1 if bad else 0)
