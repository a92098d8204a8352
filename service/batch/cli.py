"""``wuhao sample-roster`` and ``wuhao worker``, and what ``wuhao batch`` (``service.cli``,
over the batch use case) shows and writes: the progress bar and the exported files."""
from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import click

from service import config as config_mod
from service.config import Settings
from service.db import session_scope
from service.models import BatchJob
from service.storage import store_for

from .celery_app import celery_init
from .outputs import safe_name
from .sample import sample_branch_rows, sample_members, write_roster
from .state import ACTIVE, certificate_files, job_status, status

OUTPUT_DIRS = {"merged": "merged", "register": "", "zip": "zip"}


def _settings() -> Settings:
    settings = config_mod.load()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings


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
    eta_s = "--" if eta is None else f"{eta:.0f}秒"
    return f"\r[{'#' * fill}{'.' * (width - fill)}] {done}/{total} {frac:6.1%} {rate:7.1f}份/秒 剩余 {eta_s} "


def export_outputs(settings: Settings, job_id: int, out_dir: Path) -> list[Path]:
    """Write the job's files into ``out_dir`` (hard links into the file store when possible)."""
    store = store_for(settings.data_dir)
    written = []
    with session_scope(settings.database_url) as s:
        outputs = status(s.get(BatchJob, job_id))["outputs"]
        files = certificate_files(s, job_id)
    for o in outputs:
        sub = OUTPUT_DIRS.get(o["kind"], o["kind"])
        dst = out_dir / sub / o["name"] if sub else out_dir / o["name"]
        _link_or_copy(store.path_for(o["sha256"]), dst)
        written.append(dst)
    for number, by_fmt in sorted(files.items()):
        for fmt, sha in by_fmt.items():
            dst = out_dir / fmt / f"{safe_name(number)}.{fmt}"
            _link_or_copy(store.path_for(sha), dst)
            written.append(dst)
    return written


def follow(settings: Settings, job_id: int) -> dict:
    """Wait for the job, drawing a progress bar on a terminal (or with ``WUHAO_PROGRESS=1``);
    return its final status."""
    show = sys.stderr.isatty() or settings.progress
    while True:
        st = job_status(settings, job_id)
        if show:
            click.echo(_bar(st["done"], st["total"], st["rate_per_second"], st["eta_seconds"]), err=True, nl=False)
        if st["state"] not in ACTIVE:
            click.echo("", err=True)
            return st
        time.sleep(0.5)  # progress display only: the workers commit on their own


@click.command("sample-roster")
@click.option("--members", type=int, default=None, help="党员人数（党员证名册）")
@click.option("--branches", "branch_roster", is_flag=True, help="改为生成党支部名册（荣誉证书）")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="FILE.xlsx 或 FILE.csv")
@click.option("--encoding", type=click.Choice(["utf-8", "gb18030"]), default="utf-8", show_default=True)
@click.option("--seed", type=int, default=2025, show_default=True)
def sample_roster(members, branch_roster, output, encoding, seed):
    """生成演示名册（覆盖演示数据中的各党支部）。"""
    rows = sample_branch_rows() if branch_roster else sample_members(members or 100, seed=seed)
    write_roster(rows, output, encoding=encoding)
    click.echo(f"已写入 {len(rows)} 行：{output}")


@click.command("worker")
@click.option("--concurrency", "-c", type=int, default=None, help="并发进程数（默认 CPU 核数）")
@click.option("--loglevel", default="INFO", show_default=True)
@click.option("--beat", is_flag=True, help="同时运行每日任务的定时器（Celery beat，整个集群只开一个）")
def worker(concurrency, loglevel, beat):
    """启动一个 Celery 批量任务工作进程（共享数据库与文件存储）。"""
    settings = _settings()
    app = celery_init(settings)
    argv = ["worker", f"--loglevel={loglevel}", "-Q", settings.celery_queue,
            f"--hostname=wuhao@{os.uname().nodename}.{os.getpid()}"]
    if concurrency:
        argv.append(f"--concurrency={concurrency}")
    if beat:
        argv.append("--beat")
    app.worker_main(argv)
