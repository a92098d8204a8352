"""Configuration from environment variables, with safe embedded defaults.

Everything the service needs to run on one machine has a default: SQLite under the
data directory, files beside it, in-process batch workers. A deployment overrides
any of it with environment variables (or a mapping passed to ``create_app``).
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULT_MAX_UPLOAD_MB = 20


def _data_dir(env: dict[str, str]) -> Path:
    return Path(env.get("WUHAO_DATA_DIR") or Path.cwd() / "var").resolve()


def _secret_key(data_dir: Path, env: dict[str, str]) -> str:
    """SECRET_KEY from the environment, else a random key kept in the data dir.

    Never a constant in the code: a fresh install gets its own key, and restarts
    keep sessions valid because the key is stored with mode 0600.
    """
    if env.get("SECRET_KEY"):
        return env["SECRET_KEY"]
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def load(overrides: dict | None = None, env: dict[str, str] | None = None) -> dict:
    """Return the Flask config mapping for this process."""
    env = dict(os.environ if env is None else env)
    overrides = dict(overrides or {})
    data_dir = Path(overrides.pop("WUHAO_DATA_DIR", None) or _data_dir(env)).resolve()
    max_mb = float(env.get("WUHAO_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB))
    cfg = {
        "WUHAO_DATA_DIR": data_dir,
        "DATABASE_URL": env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'wuhao.db'}",
        "MAX_CONTENT_LENGTH": int(max_mb * 1024 * 1024),
        "WUHAO_MAX_UPLOAD_BYTES": int(max_mb * 1024 * 1024),
        "WUHAO_PUBLIC_URL": env.get("WUHAO_PUBLIC_URL", "http://127.0.0.1:8000"),
        "WUHAO_BATCH_EXECUTOR": env.get("WUHAO_BATCH_EXECUTOR", "local"),
        "WUHAO_CELERY_BROKER": env.get("WUHAO_CELERY_BROKER", "redis://127.0.0.1:6379/0"),
        "WUHAO_FONT_DIR": env.get("WUHAO_FONT_DIR") or str(data_dir / "fonts"),
        "WUHAO_RUBRIC_DIR": env.get("WUHAO_RUBRIC_DIR") or str(data_dir / "rubrics"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get("WUHAO_SECURE_COOKIES", "0") == "1",
        "JSON_AS_ASCII": False,
    }
    cfg.update(overrides)
    cfg["WUHAO_DATA_DIR"] = Path(cfg["WUHAO_DATA_DIR"])
    if "SECRET_KEY" not in cfg:
        cfg["SECRET_KEY"] = _secret_key(cfg["WUHAO_DATA_DIR"], env)
    return cfg
