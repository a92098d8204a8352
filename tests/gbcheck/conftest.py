"""Fonts and reference documents for the checker's tests (made once per session)."""
from __future__ import annotations

import pytest

from . import makedocs


@pytest.fixture(scope="session")
def fonts(tmp_path_factory):
    return makedocs.make_fonts(tmp_path_factory.mktemp("gbfonts"))


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
