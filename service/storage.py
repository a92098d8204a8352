"""Content-addressed file store under ``$WUHAO_DATA_DIR/files``.

A file is named by the sha256 of its bytes (``files/ab/cd/abcd…``); nothing a user
sends is ever used as a path. Writes go to a temporary file and are then renamed, so a
reader never sees half a file.

Temporary files live in a scratch folder per writing process, ``files/.scratch/<token>/``,
whose ``lock`` the process holds with ``flock`` for its whole life.  The kernel drops that
lock when the process dies, ``kill -9`` included, so :meth:`FileStore.sweep_scratch` can tell
an abandoned scratch folder from a live one without a PID or a clock, and removes it:
after a crash nothing half-written is left in the store.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import BinaryIO

from flask import current_app

_SHA = re.compile(r"^[0-9a-f]{64}$")
_NAME = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,200}$")
_CHUNK = 1024 * 1024
SCRATCH = ".scratch"

#: (scratch root, pid) -> (scratch folder, fd of its held lock); kept for the process's life
_SCRATCH_DIRS: dict[tuple[str, int], tuple[Path, int]] = {}


def scratch_dir(root: Path) -> Path:
    """This process's scratch folder under ``root/.scratch`` (made and locked on first use)."""
    key = (str(root), os.getpid())
    got = _SCRATCH_DIRS.get(key)
    if got is not None:
        return got[0]
    folder = root / SCRATCH / uuid.uuid4().hex
    folder.mkdir(parents=True)
    # lock first, then give the lock its name: a sweeper never finds it unlocked while we live
    fd = os.open(folder / "lock.new", os.O_CREAT | os.O_RDWR, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.replace(folder / "lock.new", folder / "lock")
    _SCRATCH_DIRS[key] = (folder, fd)
    return folder


def sweep_scratch(root: Path) -> int:
    """Remove the scratch folders of dead writers under ``root``; return how many."""
    removed = 0
    base = root / SCRATCH
    if not base.is_dir():
        return 0
    live = {str(folder) for folder, _fd in _SCRATCH_DIRS.values()}
    for folder in base.iterdir():
        if str(folder) in live:
            continue
        try:
            fd = os.open(folder / "lock", os.O_RDWR)
        except (FileNotFoundError, NotADirectoryError):
            continue  # a writer between mkdir and naming its lock
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue  # its writer is alive
        try:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
        finally:
            os.close(fd)
    return removed


def write_atomic(root: Path, target: Path, write, *, durable: bool = True, replace: bool = True) -> None:
    """Write ``target`` (under ``root``) through a scratch file of this process, then rename it
    into place; with ``replace=False`` the first writer wins and later ones leave it as it is."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=scratch_dir(root))
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        if replace:
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)
            except FileExistsError:
                pass
            os.unlink(tmp)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class FileStore:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        if not _SHA.match(sha256 or ""):
            raise ValueError("not a sha256 digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()

    def put_bytes(self, data: bytes, *, durable: bool = True) -> str:
        """Store ``data``; ``durable=False`` skips the fsync of this file (the caller calls
        :meth:`sync` once for many files — a batch chunk writes 500 of them)."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path_for(digest)
        if not target.exists():
            write_atomic(self.root, target, lambda fh: fh.write(data), durable=durable)
        return digest

    def put_stream(self, stream: BinaryIO) -> tuple[str, int]:
        """Store a stream; return (sha256, size). Hashes while writing."""
        self.root.mkdir(parents=True, exist_ok=True)
        hasher = hashlib.sha256()
        size = 0
        fd, tmp = tempfile.mkstemp(dir=scratch_dir(self.root))
        try:
            with os.fdopen(fd, "wb") as fh:
                while chunk := stream.read(_CHUNK):
                    hasher.update(chunk)
                    size += len(chunk)
                    fh.write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            digest = hasher.hexdigest()
            target = self.path_for(digest)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
            return digest, size
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def put_file(self, path: str | os.PathLike) -> str:
        with open(path, "rb") as fh:
            return self.put_stream(fh)[0]

    def read_bytes(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

    def open(self, sha256: str) -> BinaryIO:
        return open(self.path_for(sha256), "rb")

    # -- named entries (caches keyed by their inputs, not by their bytes) ------------------
    def named_path(self, name: str) -> Path:
        if not _NAME.match(name or ""):
            raise ValueError("not a cache entry name")
        return self.root / name

    def put_named(self, name: str, data: bytes) -> bytes:
        """Store a cache entry once: the first writer wins, so concurrent processes that built
        the same entry all go on with the same bytes (returned)."""
        target = self.named_path(name)
        write_atomic(self.root, target, lambda fh: fh.write(data), replace=False)
        return target.read_bytes()

    # -- crash recovery ---------------------------------------------------------------
    def sync(self) -> None:
        """Flush every file written with ``durable=False`` (one ``sync`` for a whole chunk)."""
        os.sync()

    def sweep_scratch(self) -> int:
        """Remove what killed writers left half-written; see the module docstring."""
        return sweep_scratch(self.root)


def store_for(data_dir: str | os.PathLike) -> FileStore:
    return FileStore(Path(data_dir) / "files")


def current_store() -> FileStore:
    """The store of the running Flask app."""
    return store_for(current_app.config["WUHAO_DATA_DIR"])


# Module-level helpers for code that runs inside the app context.
def put_bytes(data: bytes) -> str:
    return current_store().put_bytes(data)


def put_file(path: str | os.PathLike) -> str:
    return current_store().put_file(path)


def path_for(sha256: str) -> Path:
    return current_store().path_for(sha256)


def open_file(sha256: str) -> BinaryIO:
    return current_store().open(sha256)
