"""The scan corpus (see make_scans.py), built once and cached across runs like the text corpus."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from tests.conftest import shared_build_dir

from .. import corpus
from . import make_scans

HERE = Path(__file__).resolve().parent


def _fingerprint() -> str:
    h = hashlib.sha256()
    for f in (HERE / "make_scans.py", Path(corpus.__file__)):
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


@pytest.fixture(scope="session")
def scan_corpus(request) -> tuple[Path, list]:
    """(directory, cases): each case's scan is directory / case.effects["file"]."""
    with shared_build_dir(request, "wuhao-scan-corpus") as base:
        out = base / _fingerprint()
        if (out / "scans.json").exists():
            return out, make_scans.load_cases(out)
        for old in base.iterdir():
            shutil.rmtree(old, ignore_errors=True)
        return out, make_scans.build_scans(out)
