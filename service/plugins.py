"""Later stages may be missing from an installation: import their modules only if present."""
from __future__ import annotations

import importlib
from types import ModuleType


def optional_import(module: str) -> ModuleType | None:
    """``module`` imported, or ``None`` when it (or a package above it) does not exist.

    A module that exists but fails to import (say, a dependency of its own is missing) still
    raises: only the absence of the stage itself is quiet.
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return None
        raise
