"""Fonts and reference documents for the checker's tests (made once per session)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import built_once

from . import makedocs


@pytest.fixture(scope="session")
def fonts():
    """Subsetting the CJK faces is 4 s of CPU: done once per run, for every xdist worker."""
    def build(directory):
        return {key: str(path) for key, path in makedocs.make_fonts(directory).items()}
    return {key: Path(path) for key, path in built_once("gbcheck-fonts", build).items()}


@pytest.fixture(scope="session")
def make_pdf(fonts):
    cache: dict = {}

    def make(**changes) -> bytes:
        key = tuple(sorted(changes.items()))
        if key not in cache:
            cache[key] = makedocs.pdf(makedocs.Spec(**changes), fonts)
        return cache[key]
    return make


@pytest.fixture(scope="session")
def make_docx():
    def make(**changes) -> bytes:
        return makedocs.docx(makedocs.DocxSpec(**changes))
    return make
