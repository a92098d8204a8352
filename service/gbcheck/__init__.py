"""`wuhao lint`: measure any 公文 (DOCX or PDF) against GB/T 9704-2012, clause by clause.

``lint(data, name)`` returns ``{"file": name, "problems": [...]}`` or, for a file that cannot be
checked, ``{"file": name, "problems": [], "error": {"code", "message"}}`` — never an exception.
A PDF is measured from its laid-out pages (``layout`` + ``pages``); a DOCX from its own settings
(``docx``), and with ``layout=True`` also from a LibreOffice conversion (``convert``) for what
only exists after layout (lines that reach the margin, the 落款's page, the 版记's place, 页码).
Rules, clauses and wording live in ``rules.yaml``; the standard's numbers in ``standard.py``.
"""
from __future__ import annotations

from .check import inspect, lint, lint_path
from .pictures import annotated

__all__ = ["annotated", "inspect", "lint", "lint_path"]
