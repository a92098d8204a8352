"""Content-addressed file store under ``$WUHAO_DATA_DIR/files``.

A file is named by the sha256 of its bytes (``files/ab/cd/abcd…``); nothing a user
sends is ever used as a path. Writes go to a temporary file in the same folder,
are fsync'ed and then renamed, so a reader never sees half a file.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO

from flask import current_app

_SHA = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1024 * 1024


class FileStore:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        if not _SHA.match(sha256 or ""):
            raise ValueError("not a sha256 digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()

    def put_bytes(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path_for(digest)
        if not target.exists():
            self._write(target, lambda fh: fh.write(data))
        return digest

    def put_stream(self, stream: BinaryIO) -> tuple[str, int]:
        """Store a stream; return (sha256, size). Hashes while writing."""
        self.root.mkdir(parents=True, exist_ok=True)
        hasher = hashlib.sha256()
        size = 0
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
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

    def _write(self, target: Path, writer) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                writer(fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise


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
