"""A file `wuhao lint` cannot check: a stable code and a Chinese message (from ``rules.yaml``)."""
from __future__ import annotations

from . import rules


class LintError(Exception):
    def __init__(self, code: str, **values):
        self.code = code
        self.message = rules.error_message(code, **values)
        super().__init__(f"{code}: {self.message}")

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message}
