"""The ``wuhao`` command line.

``wuhao init`` / ``demo`` / ``serve`` / ``token`` live here; each later stage adds
its own commands (``parse``, ``check``, ``rank``, ``render``, ``fonts``, ``batch``,
``sample-roster``, ``worker``) from its own module.
"""
from __future__ import annotations

import click

from . import config as config_mod
from .plugins import optional_import


def _app(ctx: click.Context | None = None):
    from . import create_app

    return create_app()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """五好党支部创建管理服务 (wuhao)."""


@main.command()
def init() -> None:
    """Create or upgrade the database to the newest schema."""
    from .migrate import upgrade

    cfg = config_mod.load()
    cfg.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(cfg.database_url)
    click.echo(f"数据库已就绪：{_safe_url(cfg.database_url)}")


@main.command()
@click.option("--password", default="wuhao2025", show_default=True, help="Password of every demo account.")
@click.option("--no-batch", is_flag=True, help="Skip the small demo batch of 党员证.")
def demo(password: str, no_batch: bool) -> None:
    """Load the demo organisation tree, accounts and submissions (idempotent)."""
    from .db import session_scope
    from .demo import load_demo
    from .migrate import upgrade

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
        from .batch.jobs import Settings
        from .demo_records import party_cards

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
    from waitress import serve as waitress_serve

    from .migrate import upgrade

    cfg = config_mod.load()
    host, port = host or cfg.host, port or cfg.port
    upgrade(cfg.database_url)
    app = _app()
    click.echo(f"wuhao 正在 http://{host}:{port}/ 提供服务（数据目录 {cfg.data_dir}）")
    waitress_serve(app, host=host, port=port, threads=threads, max_request_body_size=app.config["MAX_CONTENT_LENGTH"] + 1024 * 1024)


@main.command()
@click.argument("username")
def token(username: str) -> None:
    """Issue a new API token for USERNAME (the old one stops working)."""
    from sqlalchemy import select

    from . import audit, auth
    from .db import session_scope
    from .models import User

    cfg = config_mod.load()
    with session_scope(cfg.database_url) as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            raise click.ClickException(f"没有用户 {username}")
        value = auth.new_api_token(user)
        audit.record(session, user, "token_issued", "user", user.id)
    click.echo(value)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


# Commands contributed by the later stages, registered when their modules exist.
_CONTRIBUTED = [
    ("parsers.cli", ("parse",)),
    ("service.checks.cli", ("check", "rank")),
    ("service.documents.cli", ("render", "fonts")),
    ("service.batch.cli", ("batch", "sample_roster", "worker")),
    ("service.gbcheck.cli", ("lint",)),
]


def _register_contributed() -> None:
    for module, names in _CONTRIBUTED:
        mod = optional_import(module)
        if mod is None:
            continue
        for name in names:
            for attr in (name, f"{name}_cmd", f"{name}_command"):
                cmd = getattr(mod, attr, None)
                if isinstance(cmd, click.Command):
                    main.add_command(cmd, name=name.replace("_", "-"))
                    break


_register_contributed()
