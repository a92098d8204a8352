"""The service's only door to untrusted files: parse, preview and page images, each in the
sandbox (``parsers.sandbox``: worker processes with a memory limit and a kill on timeout) and
each cached by the file's sha256, so that a preview or the review page never reads a file twice
(the preview used to re-parse on every view: 12.8 s and 1.15 GB each time for a 45 MB
``document.xml``).

Cache entries live under ``$WUHAO_DATA_DIR/cache/parsed`` and ``cache/pages``, named by the
file's hash and a fingerprint of the parsers' code and data (a parser change invalidates them),
written atomically. A parse that ran out of time or found the workers busy is not cached: it
may succeed later; every other result, refusals included, is.

Nothing here touches the database: callers release their transaction before calling
(``service.db.release``) so that no lock is held while a file is read.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import parsers
from parsers import sandbox as sandbox_mod
from parsers.errors import ParseError
from parsers.model import Doc
from parsers.result import ParseResult

from .config import Settings

TRANSIENT = {"parse_timeout", "parse_busy", "parse_failed"}
PAGE_SCALE = 1.5
MAX_PREVIEW_PAGES = sandbox_mod.MAX_PREVIEW_PAGES


def _fingerprint() -> str:
    """sha256 of the parsers package's code and data files: the cache key's version."""
    root = Path(parsers.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".yaml") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


FINGERPRINT = _fingerprint()


def sandbox(settings: Settings) -> sandbox_mod.Sandbox:
    return sandbox_mod.default(settings.parse_workers, settings.parse_memory_mb, settings.parse_heavy_workers)


def _entry_path(settings: Settings, sha: str) -> Path:
    return settings.data_dir / "cache" / "parsed" / sha[:2] / f"{sha}-{FINGERPRINT}.json"


def _page_path(settings: Settings, sha: str, page: int) -> Path:
    return settings.data_dir / "cache" / "pages" / sha[:2] / f"{sha}-{FINGERPRINT}-{page}.png"


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _load(path: Path) -> dict | None:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def read(settings: Settings, data: bytes, filename: str, *, sha: str | None = None) -> dict:
    """``{"result": ParseResult.to_full_dict(), "doc": the model for the preview | None,
    "pages": PDF page sizes}`` of ``data``, from the cache or from one sandboxed parse."""
    sha = sha or hashlib.sha256(data).hexdigest()
    path = _entry_path(settings, sha)
    entry = _load(path)
    if entry is None:
        gate = settings.parse_gate
        if gate and settings.parse_gate_prefix is not None and not filename.startswith(settings.parse_gate_prefix):
            gate = None
        reply = sandbox(settings).parse(data, filename, max_bytes=settings.max_upload_bytes,
                                        timeout=settings.parse_timeout, gate=gate)
        entry = {"result": reply["result"], "doc": reply["doc"], "pages": reply["pages"]}
        if not any(e["code"] in TRANSIENT for e in entry["result"]["errors"]):
            _write_atomic(path, json.dumps(entry, ensure_ascii=False).encode())
    entry["result"] = {**entry["result"], "file": filename}
    return entry


def result_of(entry: dict) -> ParseResult:
    """The ``ParseResult`` of a ``read`` entry."""
    return ParseResult(**entry["result"])


def document(settings: Settings, sha: str, read_bytes) -> tuple[Doc | None, list[dict], dict | None]:
    """(document model, PDF page sizes, the error that kept the model from being read) of a
    stored file; ``read_bytes()`` is called only when the cache has no entry."""
    entry = _load(_entry_path(settings, sha))
    if entry is None:
        entry = read(settings, read_bytes(), "", sha=sha)
    doc = sandbox_mod.doc_from_dict(entry["doc"]) if entry.get("doc") else None
    errors = entry["result"]["errors"]
    return doc, entry.get("pages") or [], (errors[0] if doc is None and errors else None)


def stored_model(read_bytes) -> tuple[Doc, list[dict]]:
    """(document model, page sizes) that OCR wrote into the file store for a scan's preview
    (``service.batch.ocr``); ``read_bytes()`` gives the stored JSON."""
    entry = json.loads(read_bytes())
    return sandbox_mod.doc_from_dict(entry["doc"]), entry.get("pages") or []


def page_image(settings: Settings, sha: str, page: int, read_bytes) -> bytes | None:
    """Page ``page`` of a stored PDF as a PNG (capped in pixels), None when there is no such
    page; ``ParseError`` (``parse_timeout`` …) when it cannot be drawn within the budget."""
    if not 1 <= page <= MAX_PREVIEW_PAGES:
        return None
    path = _page_path(settings, sha, page)
    try:
        return path.read_bytes()
    except OSError:
        pass
    png = sandbox(settings).render_page(read_bytes(), page, scale=PAGE_SCALE, timeout=settings.parse_timeout)
    if png is not None:
        _write_atomic(path, png)
    return png


__all__ = ["read", "result_of", "document", "stored_model", "page_image", "ParseError", "FINGERPRINT"]
