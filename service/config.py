"""Configuration: one frozen :class:`Settings`, read once from the environment.

Everything the service needs to run on one machine has a default: SQLite under the data
directory, files beside it, in-process batch workers. A deployment overrides any of it with
the environment variables in :data:`VARIABLES` (each one is in the README's configuration
table; a test checks that), or a mapping passed to ``create_app``/``load`` under the same names.

This is the only module that reads the environment. ``create_app`` keeps the result in
``app.extensions["wuhao"]`` (see :func:`settings_of`); workers and CLI commands call
:func:`load` once and pass the object on.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit, urlunsplit

from .vocabulary import DEFAULT_PUBLIC_URL

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MAX_UPLOAD_MB = 20
MAX_UPLOAD_FILES = 10  # files in one upload (a form and its report are two)
MULTIPART_SLACK = 1024 * 1024  # multipart headers and boundaries around the files
DEFAULT_CELERY_BROKER = "redis://127.0.0.1:6379/0"
DEFAULT_CELERY_QUEUE = "wuhao-batch"
DEFAULT_RECTIFY_DAYS = 90        # 整改时限 after a 整改任务书 when the reviewer sets none
DEFAULT_LEASE_SECONDS = 30.0
DEFAULT_VERIFY_PER_MINUTE = 20   # /verify look-ups per client address and minute
EXTENSION = "wuhao"

#: every variable :func:`load` reads (the README's configuration table lists each of them)
VARIABLES = (
    "WUHAO_DATA_DIR", "DATABASE_URL", "SECRET_KEY", "WUHAO_MAX_UPLOAD_MB", "WUHAO_PUBLIC_URL",
    "WUHAO_SECURE_COOKIES", "WUHAO_HOST", "WUHAO_PORT",
    "WUHAO_BATCH_EXECUTOR", "WUHAO_BATCH_WORKERS", "WUHAO_BATCH_LEASE_SECONDS", "WUHAO_BATCH_DIE_AFTER_CHUNKS",
    "WUHAO_CELERY_BROKER", "WUHAO_CELERY_BACKEND",
    "WUHAO_CELERY_QUEUE", "WUHAO_PROGRESS",
    "WUHAO_FONT_DIR", "WUHAO_RUBRIC_DIR", "WUHAO_CERT_CACHE", "WUHAO_CERT_PREFIX", "WUHAO_DOC_PREFIX",
    "WUHAO_DOCX_TEMPLATES", "WUHAO_FORMS_DIR", "WUHAO_HB_PREPROCESS", "WUHAO_SOFFICE",
    "WUHAO_RECTIFY_DAYS", "WUHAO_VERIFY_KEY", "WUHAO_VERIFY_PER_MINUTE", "WUHAO_DAILY_AT", "WUHAO_DAILY_IN_PROCESS",
    "WUHAO_PARSE_TIMEOUT", "WUHAO_PARSE_MEMORY_MB", "WUHAO_PARSE_WORKERS", "WUHAO_PARSE_HEAVY_WORKERS",
    "WUHAO_PARSE_GATE", "WUHAO_PARSE_GATE_PREFIX",
    "WUHAO_SESSION_MINUTES", "WUHAO_SESSION_HOURS", "WUHAO_TOKEN_DAYS", "WUHAO_REDIS_URL",
    "WUHAO_SMTP_HOST", "WUHAO_SMTP_PORT", "WUHAO_SMTP_SENDER", "WUHAO_SMTP_TLS", "WUHAO_SMTP_USER",
    "WUHAO_SMTP_PASSWORD", "WUHAO_REMIND_DAYS",
)
SMTP_TLS_MODES = ("none", "starttls", "ssl")


@dataclass(frozen=True)
class Settings:
    """The whole configuration of one process; built by :func:`load`, never changed after."""

    data_dir: Path
    database_url: str
    secret_key: str
    max_upload_bytes: int
    public_url: str
    secure_cookies: bool
    host: str
    port: int
    batch_executor: str             # "local" (threads in this process) or "celery"
    batch_workers: int | None       # local batch worker processes; None: one per CPU
    # a batch worker's lease on a chunk, renewed every third of it by its heartbeat; a worker
    # silent for this long is taken for dead and its chunk taken over (30 s: a loaded machine
    # stalls threads for seconds, and a takeover costs the chunk's drawing, never a number)
    batch_lease_seconds: float
    batch_die_after_chunks: int | None  # test hook: a worker dies (SIGKILL) before committing chunk N + 1
    celery_broker: str
    celery_backend: str
    celery_queue: str
    progress: bool                  # `wuhao batch` draws its progress bar even off a terminal
    font_dir: Path
    rubric_dir: Path                # an admin's rubric files, layered over the built-in ones
    cert_cache: Path                # certificate engine's per-font object cache
    cert_prefix: str                # 荣誉证书 number prefix
    doc_prefix: str | None          # 机关代字; None: derived from the committee's name
    docx_templates: Path
    forms_dir: Path                 # the blank forms offered for download
    hb_preprocess: bool             # HarfBuzz subset preprocessing (faster repeat subsets, slower start)
    soffice: str | None             # LibreOffice binary; None: look it up on PATH; "": no conversion
    rectify_days: int = DEFAULT_RECTIFY_DAYS          # default 整改时限 after a 整改任务书 is set (the reviewer may set another)
    parse_timeout: float = 4.0      # seconds per parse / page image in the sandbox (parsers.sandbox)
    parse_memory_mb: int = 1024     # address space of a sandbox worker
    parse_workers: int = 3          # sandbox worker processes of the light lane (small files first)
    parse_heavy_workers: int = 1    # and of the heavy lane (large files, small ones that were slow)
    parse_gate: str | None = None   # tests only: a FIFO each parse waits on before it starts
    parse_gate_prefix: str | None = None  # tests only: the gate holds only files named with this prefix
    verify_key: str = ""            # keys the check codes printed on certificates (default: secret_key)
    verify_per_minute: int = DEFAULT_VERIFY_PER_MINUTE  # /verify look-ups per client address and minute
    daily_at: str = "02:00"         # local time of the daily jobs (term expiry), in-process and Celery beat
    daily_in_process: bool = True   # `wuhao serve` runs the daily jobs itself (a thread)
    session_minutes: int = 30       # a signed-in browser idle this long must sign in again
    session_hours: int = 12         # and after this long in any case
    token_days: int = 90            # default lifetime of a new API token
    redis_url: str | None = None    # the login throttle's store; None: the database
    smtp_host: str | None = None    # reminders by e-mail too; None: in-app messages only
    smtp_port: int = 25
    smtp_sender: str = "wuhao@localhost"
    smtp_tls: str = "none"          # "none", "starttls" or "ssl"
    smtp_user: str | None = None
    smtp_password: str | None = None
    remind_days: int = 7            # the daily reminder speaks of deadlines this many days ahead

    def flask_config(self) -> dict[str, Any]:
        """The keys Flask and the request handlers read from ``app.config``."""
        return {
            "SECRET_KEY": self.secret_key,
            "DATABASE_URL": self.database_url,
            "WUHAO_DATA_DIR": self.data_dir,
            # the limit is per file (checked by the upload); the request may carry MAX_UPLOAD_FILES
            "MAX_CONTENT_LENGTH": self.max_upload_bytes * MAX_UPLOAD_FILES + MULTIPART_SLACK,
            "WUHAO_MAX_UPLOAD_BYTES": self.max_upload_bytes,
            "WUHAO_PUBLIC_URL": self.public_url,
            "WUHAO_VERIFY_KEY": self.verify_key or self.secret_key,
            "WUHAO_BATCH_EXECUTOR": self.batch_executor,
            "WUHAO_BATCH_WORKERS": self.batch_workers,
            "WUHAO_CELERY_BROKER": self.celery_broker,
            "WUHAO_FONT_DIR": str(self.font_dir),
            "WUHAO_RUBRIC_DIR": str(self.rubric_dir),
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.secure_cookies,
            "REMEMBER_COOKIE_SECURE": self.secure_cookies,
            "JSON_AS_ASCII": False,
        }

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _secret_key(data_dir: Path) -> str:
    """A random key kept in the data dir (mode 0600), made on first use.

    Never a constant in the code: a fresh install gets its own key, and restarts keep
    sessions valid because the key is stored.
    """
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _served_at(host: str, port: int) -> str:
    """The public address when none is set: the default's, at the host and port the server listens on.

    Certificates printed by a service started with WUHAO_PORT=8131 pointed their QR codes at port 8000.
    A wildcard host (0.0.0.0) names no address a phone can reach, so the default's host stays."""
    default = urlsplit(DEFAULT_PUBLIC_URL)
    name = default.hostname if host in ("", "0.0.0.0", "::") else host
    if ":" in name:  # an IPv6 literal
        name = f"[{name}]"
    return urlunsplit((default.scheme, f"{name}:{port}", default.path, "", ""))


def load(overrides: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """The settings of this process: ``overrides`` (same names as the variables), then ``env``
    (default: ``os.environ``), then the defaults."""
    source = {**(os.environ if env is None else env), **{k: v for k, v in (overrides or {}).items()
                                                          if v is not None}}

    def get(name: str, default: Any = None) -> Any:
        value = source.get(name)
        return default if value is None or value == "" else value

    data_dir = Path(get("WUHAO_DATA_DIR", Path.cwd() / "var")).resolve()
    max_mb = float(get("WUHAO_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB))
    broker = str(get("WUHAO_CELERY_BROKER", DEFAULT_CELERY_BROKER))
    workers = get("WUHAO_BATCH_WORKERS")
    die_after = get("WUHAO_BATCH_DIE_AFTER_CHUNKS")
    secret_key = str(get("SECRET_KEY") or _secret_key(data_dir))
    host, port = str(get("WUHAO_HOST", "127.0.0.1")), int(get("WUHAO_PORT", 8000))
    public_url = str(get("WUHAO_PUBLIC_URL", _served_at(host, port))).rstrip("/")
    smtp_tls = str(get("WUHAO_SMTP_TLS", "none")).lower()
    if smtp_tls not in SMTP_TLS_MODES:
        raise ValueError(f"WUHAO_SMTP_TLS must be one of {', '.join(SMTP_TLS_MODES)}, not {smtp_tls!r}")
    return Settings(
        data_dir=data_dir,
        database_url=str(get("DATABASE_URL", f"sqlite:///{data_dir / 'wuhao.db'}")),
        secret_key=secret_key,
        max_upload_bytes=int(max_mb * 1024 * 1024),
        public_url=public_url,
        # Secure cookies whenever the public address is https, unless explicitly turned off
        secure_cookies=_flag(get("WUHAO_SECURE_COOKIES", public_url.startswith("https://"))),
        host=host,
        port=port,
        batch_executor=str(get("WUHAO_BATCH_EXECUTOR", "local")),
        batch_workers=int(workers) if workers is not None else None,
        batch_lease_seconds=float(get("WUHAO_BATCH_LEASE_SECONDS", DEFAULT_LEASE_SECONDS)),
        batch_die_after_chunks=int(die_after) if die_after is not None else None,
        celery_broker=broker,
        celery_backend=str(get("WUHAO_CELERY_BACKEND", broker)),
        celery_queue=str(get("WUHAO_CELERY_QUEUE", DEFAULT_CELERY_QUEUE)),
        progress=_flag(get("WUHAO_PROGRESS", False)),
        font_dir=Path(get("WUHAO_FONT_DIR", data_dir / "fonts")),
        rubric_dir=Path(get("WUHAO_RUBRIC_DIR", data_dir / "rubrics")),
        cert_cache=Path(get("WUHAO_CERT_CACHE", data_dir / "cache" / "certificates")),
        cert_prefix=str(get("WUHAO_CERT_PREFIX", "WH")),
        doc_prefix=get("WUHAO_DOC_PREFIX"),
        docx_templates=Path(get("WUHAO_DOCX_TEMPLATES", ROOT / "templates_docx")),
        forms_dir=Path(get("WUHAO_FORMS_DIR", ROOT / "templates_docx" / "forms")),
        hb_preprocess=_flag(get("WUHAO_HB_PREPROCESS", False)),
        # "" is meaningful here (no conversion), so it is read without the empty-means-default rule
        soffice=None if source.get("WUHAO_SOFFICE") is None else str(source["WUHAO_SOFFICE"]),
        rectify_days=int(get("WUHAO_RECTIFY_DAYS", DEFAULT_RECTIFY_DAYS)),
        parse_timeout=float(get("WUHAO_PARSE_TIMEOUT", 4.0)),
        parse_memory_mb=int(get("WUHAO_PARSE_MEMORY_MB", 1024)),
        parse_workers=int(get("WUHAO_PARSE_WORKERS", 3)),
        parse_heavy_workers=int(get("WUHAO_PARSE_HEAVY_WORKERS", 1)),
        parse_gate=get("WUHAO_PARSE_GATE"),
        parse_gate_prefix=get("WUHAO_PARSE_GATE_PREFIX"),
        verify_key=str(get("WUHAO_VERIFY_KEY") or secret_key),
        verify_per_minute=int(get("WUHAO_VERIFY_PER_MINUTE", DEFAULT_VERIFY_PER_MINUTE)),
        daily_at=str(get("WUHAO_DAILY_AT", "02:00")),
        daily_in_process=_flag(get("WUHAO_DAILY_IN_PROCESS", True)),
        session_minutes=int(get("WUHAO_SESSION_MINUTES", 30)),
        session_hours=int(get("WUHAO_SESSION_HOURS", 12)),
        token_days=int(get("WUHAO_TOKEN_DAYS", 90)),
        redis_url=get("WUHAO_REDIS_URL"),
        smtp_host=get("WUHAO_SMTP_HOST"),
        smtp_port=int(get("WUHAO_SMTP_PORT", 465 if smtp_tls == "ssl" else 25)),
        smtp_sender=str(get("WUHAO_SMTP_SENDER", "wuhao@localhost")),
        smtp_tls=smtp_tls,
        smtp_user=get("WUHAO_SMTP_USER"),
        smtp_password=get("WUHAO_SMTP_PASSWORD"),
        remind_days=int(get("WUHAO_REMIND_DAYS", 7)),
    )


def settings_of(app) -> Settings:
    """The settings ``create_app`` stored on ``app``."""
    return app.extensions[EXTENSION]
