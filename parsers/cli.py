"""`wuhao parse FILE... --json`: one JSON object per line per file, in order.

Exit status 0 when every file was read, 2 when any could not be. ``service.cli`` mounts
``parse_command`` on the ``wuhao`` group; ``python -m parsers parse ...`` works standalone.
"""
from __future__ import annotations

import json
import sys

import click

from .api import parse_path
from .ocr import parse_with_ocr


def run(files, as_json: bool, out=None) -> int:
    out = out or sys.stdout
    status = 0
    for f in files:
        result = parse_path(f, parse_with_ocr)  # scans and photos: OCR, as an upload's worker does
        if result.errors:
            status = 2
        if as_json:
            out.write(json.dumps(cli_dict(result), ensure_ascii=False, separators=(",", ":")) + "\n")
        else:
            out.write(_human(result) + "\n")
        out.flush()
    return status


def cli_dict(result) -> dict:
    """The six-key contract plus ``pairs`` (every label/value read, known form or not) and
    ``warnings``: for an unknown form the pairs are all there is to say; a scan adds ``scan``
    (pages, seals = 盖章, deskew, OCR time)."""
    return {**result.to_dict(), "pairs": result.pairs, "warnings": result.warnings,
            **({"scan": result.scan} if result.scan else {})}


def _human(result) -> str:
    lines = [f"{result.file}: {result.form}"]
    for e in result.errors:
        lines.append(f"  错误 [{e['code']}] {e['message']}")
    for k, v in result.fields.items():
        conf = result.provenance.get(k, {}).get("confidence")
        lines.append(f"  {k} = {v}" + (f"  ({conf})" if conf is not None else ""))
    if result.missing:
        lines.append("  缺少: " + ", ".join(result.missing))
    for w in result.warnings:
        lines.append(f"  提示 [{w['code']}] {w['message']}")
    if not result.fields:
        for p in result.pairs:
            lines.append(f"  {p['label']}：{p['value']}")
    return "\n".join(lines)


@click.command("parse")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="one JSON object per line per file")
def parse_command(files, as_json):
    """Read filled forms / reports (DOCX, PDF, DOC; scans and photos by OCR) into canonical fields."""
    sys.exit(run(files, as_json))


@click.group()
def main_group():
    """wuhao parsers"""


main_group.add_command(parse_command)


def main(argv=None) -> None:
    main_group.main(args=argv, prog_name="wuhao")


if __name__ == "__main__":
    main()
