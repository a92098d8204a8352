"""``wuhao batch``, ``wuhao sample-roster`` and ``wuhao worker``."""
from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import click

from service.documents.qr import loopback_warning


def _settings():
    from service import config as config_mod

    from .jobs import Settings

    cfg = config_mod.load()
    cfg.data_dir.mkdir(parents=True, exist_ok=True)
    return Settings.from_config(cfg.flask_config()), cfg


def _link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if dst.exists():
        dst.unlink()
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def _bar(done: int, total: int, rate: float, eta, width: int = 30) -> str:
    frac = done / total if total else 1.0
    fill = int(width * frac)
    eta_s = "--" if eta is None else f"{eta:.0f}s"
    return f"\r[{'#' * fill}{'.' * (width - fill)}] {done}/{total} {frac:6.1%} {rate:7.1f}/s ETA {eta_s} "


def export_outputs(settings, job_id: int, out_dir: Path) -> list[Path]:
    """Write the job's files into ``out_dir`` (hard links into the file store when possible)."""
    from service.db import session_scope
    from service.models import BatchJob

    from .jobs import certificate_files, _safe_name

    store = settings.store
    written = []
    with session_scope(settings.database_url) as s:
        job = s.get(BatchJob, job_id)
        outputs = list(job.outputs or [])
    for o in outputs:
        sub = {"merged": "merged", "register": "", "zip": "zip"}.get(o["kind"], o["kind"])
        dst = out_dir / sub / o["name"] if sub else out_dir / o["name"]
        _link_or_copy(store.path_for(o["sha256"]), dst)
        written.append(dst)
    for number, files in sorted(certificate_files(settings, job_id).items()):
        for fmt, sha in files.items():
            dst = out_dir / fmt / f"{_safe_name(number)}.{fmt}"
            _link_or_copy(store.path_for(sha), dst)
            written.append(dst)
    return written


@click.command("batch")
@click.argument("roster", type=click.Path(exists=True, dir_okay=False))
@click.option("--kind", type=click.Choice(["party-card", "honor-certificate"]), required=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True, help="输出目录")
@click.option("--outputs", default="merged,register,pdf,zip", show_default=True,
              help="merged,register,pdf,docx,zip 的组合")
@click.option("--executor", type=click.Choice(["local", "celery"]), default="local", show_default=True)
@click.option("--workers", type=int, default=None, help="本机工作进程数（默认 CPU 核数）")
@click.option("--chunk-size", type=int, default=None)
@click.option("--volume-size", type=int, default=None, help="合并打印 PDF 每册页数")
@click.option("--issued-on", default=None, help="发证日期 YYYY-MM-DD")
@click.option("--issuer", default=None, help="发证机关")
@click.option("--year", type=int, default=None)
@click.option("--overprint", is_flag=True, help="套打：只打印可变内容")
@click.option("--offset-mm", nargs=2, type=float, default=None, help="套打偏移 x y（毫米，向右、向下为正）")
def batch(roster, kind, out_dir, outputs, executor, workers, chunk_size, volume_size, issued_on, issuer,
          year, overprint, offset_mm):
    """批量生成证书：ROSTER 为 XLSX 或 CSV 名册。"""
    from . import executors, jobs
    from .roster import RosterError

    settings, _cfg = _settings()
    warning = loopback_warning(settings.public_url)
    if warning:
        click.secho(warning, fg="red", bold=True, err=True)
    options = {"outputs": outputs, "chunk_size": chunk_size, "volume_size": volume_size,
               "issued_on": issued_on, "issuer": issuer, "year": year, "overprint": overprint,
               "offset_mm": list(offset_mm) if offset_mm else None}
    data = Path(roster).read_bytes()
    try:
        job_id, created = jobs.submit(settings, data, Path(roster).name, kind, options, executor=executor)
    except RosterError as exc:
        click.echo(f"名册有 {len(exc.errors)} 处错误，未生成任何证书：", err=True)
        for e in exc.errors:
            click.echo(f"  第{e.row}行：{e.reason}", err=True)
        sys.exit(2)
    except ValueError as exc:
        raise click.UsageError(str(exc))
    click.echo(f"任务 #{job_id}{'（新建）' if created else '（已存在，继续）'}", err=True)
    st = jobs.job_status(settings, job_id)
    runner = None
    if st["state"] in ("queued", "running"):
        if executor == "celery":
            executors.dispatch_celery(settings, job_id)
        else:
            runner = executors.run_local(settings, job_id, workers, wait=False)
    while True:
        st = jobs.job_status(settings, job_id)
        if sys.stderr.isatty() or os.environ.get("WUHAO_PROGRESS") == "1":
            click.echo(_bar(st["done"], st["total"], st["rate_per_second"], st["eta_seconds"]), err=True, nl=False)
        if st["state"] not in ("queued", "running"):
            break
        if runner is not None and not runner.is_alive():
            st = jobs.job_status(settings, job_id)
            break
        time.sleep(0.5)
    if runner is not None:
        runner.join()
        st = jobs.job_status(settings, job_id)
    click.echo("", err=True)
    if st["state"] != "done":
        click.echo(f"任务 #{job_id} 状态：{st['state']}", err=True)
        for e in st["errors"]:
            click.echo(str(e.get("error", e))[:500], err=True)
        sys.exit(1)
    written = export_outputs(settings, job_id, Path(out_dir))
    click.echo(f"完成：{st['done']} 份，{len(written)} 个文件写入 {out_dir}（用时 {st['elapsed_seconds']} 秒）")


@click.command("sample-roster")
@click.option("--members", type=int, default=None, help="党员人数（党员证名册）")
@click.option("--branches", "branch_roster", is_flag=True, help="改为生成党支部名册（荣誉证书）")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="FILE.xlsx 或 FILE.csv")
@click.option("--encoding", type=click.Choice(["utf-8", "gb18030"]), default="utf-8", show_default=True)
@click.option("--seed", type=int, default=2025, show_default=True)
def sample_roster(members, branch_roster, output, encoding, seed):
    """生成演示名册（覆盖演示数据中的各党支部）。"""
    from .sample import sample_branch_rows, sample_members, write_roster

    if branch_roster:
        rows = sample_branch_rows()
    else:
        rows = sample_members(members or 100, seed=seed)
    write_roster(rows, output, encoding=encoding)
    click.echo(f"已写入 {len(rows)} 行：{output}")


@click.command("worker")
@click.option("--concurrency", "-c", type=int, default=None, help="并发进程数（默认 CPU 核数）")
@click.option("--loglevel", default="INFO", show_default=True)
def worker(concurrency, loglevel):
    """启动一个 Celery 批量任务工作进程（共享数据库与文件存储）。"""
    settings, cfg = _settings()
    os.environ.setdefault("DATABASE_URL", settings.database_url)
    os.environ.setdefault("WUHAO_DATA_DIR", settings.data_dir)
    from .celery_app import app, queue_name

    argv = ["worker", f"--loglevel={loglevel}", "-Q", queue_name(),
            f"--hostname=wuhao@{os.uname().nodename}.{os.getpid()}"]
    if concurrency:
        argv.append(f"--concurrency={concurrency}")
    app.worker_main(argv)
