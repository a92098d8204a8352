"""Fixtures: the generated corpus (DOCX + PDF made by LibreOffice), cached across runs."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from . import corpus

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
    h.update((HERE / "corpus.py").read_bytes())
    return h.hexdigest()[:16]


HELDOUT_PREFIX = "heldout_"


def _build(request) -> tuple[Path, list]:
    """Both corpora in one directory, converted by one LibreOffice call, cached across runs."""
    cache = getattr(request.config, "cache", None)  # absent under -p no:cacheprovider
    if cache is not None:
        base = Path(cache.mkdir("wuhao-parsers-corpus"))
    else:
        base = request.getfixturevalue("tmp_path_factory").mktemp("wuhao-parsers-corpus")
    outdir = base / _fingerprint()
    manifest = outdir / "manifest.json"
    if manifest.exists() and (outdir / "done").exists():
        return outdir, [corpus.Case(**c) for c in json.loads(manifest.read_text(encoding="utf-8"))]
    for old in base.iterdir():
        shutil.rmtree(old, ignore_errors=True)
    cases = corpus.build_corpus(outdir)
    # a second corpus from another seed, never looked at while tuning the readers
    cases += corpus.build_corpus(outdir, per_kind=12, reports=4, seed=90210, prefix=HELDOUT_PREFIX, templates=1)
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
    return directory, [c for c in cases if not c.name.startswith(HELDOUT_PREFIX)]


@pytest.fixture(scope="session")
def heldout_corpus(all_corpora) -> tuple[Path, list]:
    directory, cases = all_corpora
    return directory, [c for c in cases if c.name.startswith(HELDOUT_PREFIX)]
