"""The ``wuhao`` command line.

``wuhao init`` / ``demo`` / ``serve`` / ``token`` live here; each stage's own commands
(``parse``, ``check``, ``rank``, ``render``, ``fonts``, ``batch``, ``sample-roster``,
``worker``) come from its module. Each command is one unit of work (``session_scope``
commits), over the same use cases as the API and the pages.
"""
from __future__ import annotations

import click
from sqlalchemy import select
from sqlalchemy.engine import make_url
from waitress import serve as waitress_serve

from parsers.cli import parse_command

from . import config as config_mod
from . import parsing, serving
from . import create_app
from .batch.cli import batch, sample_roster, worker
from .batch.jobs import Settings
from .checks.cli import check_command, rank_command
from .db import session_scope
from .demo import load_demo
from .demo_records import party_cards
from .documents.cli import fonts_cmd, render_cmd
from .documents.qr import loopback_warning
from .gbcheck.cli import lint
from .errors import DomainError
from .migrate import upgrade
from .models import User
from .usecases import users


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
def demo(password: str, no_batch: bool) -> None:
    """Load the demo organisation tree, accounts and submissions (idempotent)."""
    cfg = config_mod.load()
    upgrade(cfg.database_url)
    app = _app()
    with app.app_context(), session_scope(cfg.database_url) as session:
        summary = load_demo(session, password=password)
    click.echo(f"演示数据：{summary['organisations']} 个组织，{summary['users']} 个账户，"
               f"{summary['submissions']} 份材料。")
    rec = summary.get("records") or {}
    if any(rec.values()):
        click.echo(f"新增：审核 {rec.get('checked', 0)} 份材料，2025 年度分类定级 {rec.get('assessments', 0)} 个支部，"
                   f"创建周期 {rec.get('cycles', 0)} 个，印发文书 {rec.get('documents', 0)} 份。")
    if not no_batch:
        job_id = party_cards(Settings.from_config(app.config))
        click.echo(f"演示党员证批次：任务 {job_id}")
    click.echo(f"演示账户（密码均为 {password}）：")
    for username, role, org in summary["accounts"]:
        click.echo(f"  {username:<12} {role:<9} {org}")
    if summary.get("token"):
        click.echo(f"审核员 API 令牌（仅显示一次）：{summary['token']}")


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
    waitress_serve(app, host=host, port=port, threads=threads, max_request_body_size=app.config["MAX_CONTENT_LENGTH"] + 1024 * 1024)


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


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


for command, name in ((parse_command, "parse"), (check_command, "check"), (rank_command, "rank"), (render_cmd, "render"),
                      (fonts_cmd, "fonts"), (batch, "batch"), (sample_roster, "sample-roster"), (worker, "worker"), (lint, "lint")):
    main.add_command(command, name=name)
