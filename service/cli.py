"""The ``wuhao`` command line.

``wuhao init`` / ``demo`` / ``serve`` / ``token`` live here; each stage's own commands
(``parse``, ``check``, ``rank``, ``render``, ``fonts``, ``batch``, ``sample-roster``,
``worker``) come from its module. Each command is one unit of work (``session_scope``
commits), over the same use cases as the API and the pages.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from pathlib import Path

import click
from sqlalchemy import select
from sqlalchemy.engine import make_url
from waitress import serve as waitress_serve

from parsers.cli import parse_command

from . import config as config_mod
from . import parsing, serving
from . import create_app
from .batch.celery_app import celery_init
from .batch.cli import export_outputs, follow, sample_roster, worker
from .batch.state import KIND_TITLES
from .checks.cli import check_command, rank_command
from .db import session_scope
from .demo import is_empty, load_demo
from .demo_records import party_cards, scanned_form
from .documents.cli import fonts_cmd, render_cmd
from .documents.qr import loopback_warning
from .gbcheck.cli import lint
from .errors import DomainError
from .migrate import upgrade
from .models import User
from .usecases import batches, daily, documents, messages, users
from .vocabulary import ROLES


def _app():
    return create_app()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """五好党支部创建管理服务 (wuhao)."""


@main.command()
def init() -> None:
    """Create or upgrade the database to the newest schema."""
    cfg = config_mod.load()
    cfg.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(cfg.database_url)
    click.echo(f"数据库已就绪：{_safe_url(cfg.database_url)}")


@main.command()
@click.option("--password", default="wuhao2025", show_default=True, help="Password of every demo account.")
@click.option("--no-batch", is_flag=True, help="Skip the small demo batch of 党员证.")
@click.option("--if-empty", is_flag=True, help="Load only into an empty database (./dev.sh start): never touch real data.")
@click.option("--token", "with_token", is_flag=True, help="Also issue and print an API token for the demo reviewer.")
def demo(password: str, no_batch: bool, if_empty: bool, with_token: bool) -> None:
    """Load the demo organisation tree, accounts and submissions (idempotent)."""
    cfg = config_mod.load()
    upgrade(cfg.database_url)
    app = _app()
    if if_empty:
        with session_scope(cfg.database_url) as session:
            empty = is_empty(session)
        if not empty:
            click.echo("数据库中已有数据，未加载演示数据。请用已有账户登录（演示账户的密码默认为 wuhao2025）。")
            return
    with app.app_context(), session_scope(cfg.database_url) as session:
        summary = load_demo(session, password=password, with_token=with_token)
    click.echo(f"演示数据：{summary['organisations']} 个组织，{summary['users']} 个账户，"
               f"{summary['submissions']} 份材料。")
    rec = summary.get("records") or {}
    if any(rec.values()):
        click.echo(f"新增：审核 {rec.get('checked', 0)} 份材料，2025 年度分类定级 {rec.get('assessments', 0)} 个支部，"
                   f"创建周期 {rec.get('cycles', 0)} 个，印发文书 {rec.get('documents', 0)} 份。")
    if rec.get("community"):
        c = rec["community"]
        click.echo(f"社区党建（静海街道）：命名决定 {c.get('named', '')}，党建品牌各阶段俱全，共建对子、精品示范点、新发展党员已录入。")
    if rec.get("district"):
        d = rec["district"]
        click.echo(f"区委抓党建（静海区委）：人员 {d['people']} 名，挂点包保和创建联系点 {d['assignments']} 个，走访 {d['visits']} 次，"
                   f"督导组 {d['groups']} 个、督导检查 {d['inspections']} 次，主题党日 {d['party_days']} 条（{d['from_year']}年起逐月至今）。")
        if d.get("two_books"):
            b = d["two_books"]
            click.echo(f"两册一证：党员 {b['members']} 名，手册发放登记 {b['handbooks']} 条，党员纪实 {b['records']} 条，"
                       f"抽查 {b['spot_checks']} 次（党员证批次登记的党员另见党员名册）。")
    if rec.get("secretary"):
        d = rec["secretary"]
        click.echo(f"书记抓党建（静海区委）：书记项目 {d['projects']} 个，培训专题 {d['topics']} 个、培训班 {d['classes']} 期，"
                   f"支部书记已培训 {d['trained']} 人（共报名 {d['enrolments']} 人）。")
    if not no_batch:
        job_id = party_cards(config_mod.settings_of(app))
        click.echo(f"演示党员证批次：任务 {job_id}")
    click.echo(f"演示盖章扫描件（OCR 识别）：材料 {scanned_form(config_mod.settings_of(app))}")
    with session_scope(cfg.database_url) as session:  # the daily reminder, once: deadlines become messages
        told = messages.remind(session, cfg)
    click.echo(f"站内提醒：{told['messages']} 条（每日运行 wuhao remind 生成）")
    click.echo(f"登录：在浏览器打开 http://{cfg.host}:{cfg.port}/ ，用下列演示账户登录（密码均为 {password}）：")
    for username, role, org in summary["accounts"]:
        click.echo(f"  {username:<12} {ROLES.get(role, role):\u3000<3} {org}")  # 审核员, not reviewer
    if summary.get("token"):
        click.echo(f"审核员 API 令牌（仅显示一次）：{summary['token']}")
    else:
        click.echo("需要 API 令牌时运行：wuhao token 用户名")


@main.command()
@click.option("--host", default=None, help="Address to listen on (default $WUHAO_HOST or 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default $WUHAO_PORT or 8000).")
@click.option("--threads", default=8, show_default=True, type=int)
def serve(host: str | None, port: int | None, threads: int) -> None:
    """Run the production server (waitress)."""
    cfg = config_mod.load()
    host, port = host or cfg.host, port or cfg.port
    upgrade(cfg.database_url)
    app = _app()
    click.echo(f"wuhao 正在 http://{host}:{port}/ 提供服务（数据目录 {cfg.data_dir}）")
    serving.json_errors(cfg.max_upload_bytes / 2**20, config_mod.MAX_UPLOAD_FILES)
    parsing.sandbox(cfg).warm()  # the parsing workers start now, not on the first upload
    warning = loopback_warning(cfg.public_url)
    if warning:
        click.secho(warning, fg="red", bold=True, err=True)
    if cfg.daily_in_process:  # the daily jobs (term expiry) at WUHAO_DAILY_AT, inside this process
        daily.DailyScheduler(cfg).start()
    serving.settle_gc()  # what start-up made is never garbage: the collector stops walking it
    waitress_serve(app, host=host, port=port, threads=threads, max_request_body_size=app.config["MAX_CONTENT_LENGTH"] + 1024 * 1024)


@main.command()
@click.option("--as-of", default=None, help="核查日期 YYYY-MM-DD（默认今天）")
def expire(as_of: str | None) -> None:
    """Daily job: mark every 荣誉证书 past its term's end 已失效 (run it from cron or a timer)."""
    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise click.ClickException("核查日期应为 YYYY-MM-DD。") from None
    with session_scope(config_mod.load().database_url) as session:
        numbers = documents.expire_certificates(session, day)
    click.echo(f"已失效 {len(numbers)} 张荣誉证书" + (f"：{'、'.join(numbers)}" if numbers else ""))


@main.command()
@click.option("--as-of", default=None, help="核查日期 YYYY-MM-DD（默认今天）")
def remind(as_of: str | None) -> None:
    """Daily job: deadlines coming up and finished batches become 站内消息 (once each); with
    WUHAO_SMTP_HOST set, new messages are also mailed to users who gave an address."""
    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise click.ClickException("核查日期应为 YYYY-MM-DD。") from None
    cfg = config_mod.load()
    with session_scope(cfg.database_url) as session:
        out = messages.remind(session, cfg, day)
    click.echo(f"新消息 {out['messages']} 条，发出邮件 {out['mailed']} 封")


@main.command()
@click.argument("username")
def token(username: str) -> None:
    """Issue a new API token for USERNAME (the old one stops working)."""
    cfg = config_mod.load()
    with session_scope(cfg.database_url) as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            raise click.ClickException(f"没有用户 {username}")
        try:
            _user, value = users.issue_token(session, user)
        except DomainError as exc:
            raise click.ClickException(exc.message) from None
    click.echo(value)


@main.command("batch")
@click.argument("roster", type=click.Path(exists=True, dir_okay=False))
@click.option("--kind", type=click.Choice(list(KIND_TITLES)), required=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True, help="输出目录")
@click.option("--outputs", default="merged,register,pdf,zip", show_default=True,
              help="merged,register,pdf,docx,zip 的组合")
@click.option("--executor", type=click.Choice(list(batches.EXECUTORS)), default="local", show_default=True)
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
    """批量生成证书：ROSTER 为 XLSX 或 CSV 名册（同一名册换输出：沿用已发编号）。"""
    settings = config_mod.load()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if workers:
        settings = dataclasses.replace(settings, batch_workers=workers)
    warning = loopback_warning(settings.public_url)
    if warning:
        click.secho(warning, fg="red", bold=True, err=True)
    options = {"outputs": outputs, "chunk_size": chunk_size, "volume_size": volume_size,
               "issued_on": issued_on, "issuer": issuer, "year": year, "overprint": overprint,
               "offset_mm": list(offset_mm) if offset_mm else None}
    try:
        with session_scope(settings.database_url) as session:  # the workers start on this commit
            st = batches.start(session, None, settings=settings, roster=Path(roster).read_bytes(),
                               roster_name=Path(roster).name, kind=kind, options=options, executor=executor,
                               celery=celery_init(settings) if executor == "celery" else None)
    except DomainError as exc:
        click.echo(exc.message + ("：" if exc.detail and exc.detail.get("errors") else ""), err=True)
        for e in (exc.detail or {}).get("errors", []):
            click.echo(f"  第{e['row']}行：{e['reason']}", err=True)
        sys.exit(2)
    note = "（新建）" if st["created"] else "（已存在，继续）"
    if st["numbers_from"]:
        note += f"，沿用任务 #{st['numbers_from']} 的编号"
    click.echo(f"任务 #{st['id']}{note}", err=True)
    st = follow(settings, st["id"])
    if st["state"] != "done":
        click.echo(f"任务 #{st['id']}：{st['state_name']}", err=True)
        sys.exit(1)
    written = export_outputs(settings, st["id"], Path(out_dir))
    click.echo(f"完成：{st['done']} 份，{len(written)} 个文件写入 {out_dir}（用时 {st['elapsed_seconds']} 秒）")


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


for command, name in ((parse_command, "parse"), (check_command, "check"), (rank_command, "rank"), (render_cmd, "render"),
                      (fonts_cmd, "fonts"), (sample_roster, "sample-roster"), (worker, "worker"), (lint, "lint")):
    main.add_command(command, name=name)
