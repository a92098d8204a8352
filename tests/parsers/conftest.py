"""Fixtures: the generated corpus (DOCX + PDF made by LibreOffice), cached across runs."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.conftest import shared_build_dir

from . import corpus, wordings

HERE = Path(__file__).resolve().parent
REAL_FORMS = HERE.parents[2] / "shared" / "corpus" / "real-forms"
if not REAL_FORMS.exists():
    REAL_FORMS = Path("/work/shared/corpus/real-forms")


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_all(paths: list[Path], outdir: Path, fmt: str = "pdf") -> None:
    """One LibreOffice invocation for all files, with a private profile."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is required to build the PDF corpus")
    with tempfile.TemporaryDirectory(prefix="wuhao-lo-") as profile:
        cmd = [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--convert-to", fmt, "--outdir", str(outdir), *map(str, paths)]
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=900, check=False)


def _fingerprint() -> str:
    h = hashlib.sha256()
    for name in ("corpus.py", "wordings.py"):
        h.update((HERE / name).read_bytes())
    h.update((HERE.parents[1] / "parsers" / "synonyms.yaml").read_bytes())  # wordings are the unlisted ones
    return h.hexdigest()[:16]


HELDOUT_PREFIX = "heldout_"
UNSEEN_PREFIX = "unseen_"
UNSEEN_HELDOUT_PREFIX = "unseenheldout_"


def _build(request) -> tuple[Path, list]:
    """Both corpora in one directory, converted by one LibreOffice call, cached across runs."""
    with shared_build_dir(request, "wuhao-parsers-corpus") as base:
        return _build_in(base)


def _build_in(base: Path) -> tuple[Path, list]:
    outdir = base / _fingerprint()
    manifest = outdir / "manifest.json"
    if manifest.exists() and (outdir / "done").exists():
        return outdir, [corpus.Case(**c) for c in json.loads(manifest.read_text(encoding="utf-8"))]
    for old in base.iterdir():
        shutil.rmtree(old, ignore_errors=True)
    cases = corpus.build_corpus(outdir)
    # a second corpus from another seed, never looked at while tuning the readers
    cases += corpus.build_corpus(outdir, per_kind=12, reports=4, seed=90210, prefix=HELDOUT_PREFIX, templates=1)
    # every label a wording no list has: one corpus to tune on, one held out (never tuned on)
    cases += corpus.build_corpus(outdir, per_kind=14, reports=0, seed=4242, prefix=UNSEEN_PREFIX, templates=0,
                                 wordings=wordings.TUNING)
    cases += corpus.build_corpus(outdir, per_kind=14, reports=0, seed=7171, prefix=UNSEEN_HELDOUT_PREFIX,
                                 templates=0, wordings=wordings.HELDOUT)
    corpus.write_manifest(outdir, cases)
    convert_all([outdir / f"{c.name}.docx" for c in cases], outdir)
    missing = [c.name for c in cases if not (outdir / f"{c.name}.pdf").exists()]
    assert not missing, f"LibreOffice did not convert: {missing}"
    (outdir / "done").write_text("ok")
    return outdir, cases


@pytest.fixture(scope="session")
def all_corpora(request) -> tuple[Path, list]:
    return _build(request)


@pytest.fixture(scope="session")
def generated_corpus(all_corpora) -> tuple[Path, list]:
    """(directory, cases): every case has NAME.docx and NAME.pdf in the directory."""
    directory, cases = all_corpora
    return directory, [c for c in cases if not c.name.startswith((HELDOUT_PREFIX, UNSEEN_PREFIX, UNSEEN_HELDOUT_PREFIX))]


@pytest.fixture(scope="session")
def heldout_corpus(all_corpora) -> tuple[Path, list]:
    directory, cases = all_corpora
    return directory, [c for c in cases if c.name.startswith(HELDOUT_PREFIX)]


@pytest.fixture(scope="session")
def unseen_corpus(all_corpora) -> tuple[Path, list]:
    """Forms whose labels are wordings no list has (the tuning split)."""
    directory, cases = all_corpora
    return directory, [c for c in cases if c.name.startswith(UNSEEN_PREFIX)]


@pytest.fixture(scope="session")
def unseen_heldout_corpus(all_corpora) -> tuple[Path, list]:
    """Forms whose labels are held-out wordings no list has: never looked at while tuning."""
    directory, cases = all_corpora
    return directory, [c for c in cases if c.name.startswith(UNSEEN_HELDOUT_PREFIX)]
