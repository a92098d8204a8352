"""DOCX -> PDF with LibreOffice, for the geometry that exists only after layout."""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from parsers.legacy import soffice_path

TIMEOUT = 90
"""Seconds: LibreOffice lays out a 20-page 公文 in 3–8 s on one core; 90 s bounds a hostile file."""


def to_pdf(data: bytes) -> bytes | None:
    """The PDF LibreOffice makes of a DOCX, or None (no LibreOffice, timeout, failure)."""
    soffice = soffice_path()
    if not soffice:
        return None
    with tempfile.TemporaryDirectory(prefix="wuhao-lint-") as tmp:
        src = Path(tmp) / "input.docx"
        src.write_bytes(data)
        profile = Path(tmp) / "profile"
        cmd = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--convert-to", "pdf:writer_pdf_Export", "--outdir", tmp, str(src)]
        try:
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=TIMEOUT, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        out = Path(tmp) / "input.pdf"
        if not out.exists() or out.stat().st_size == 0:
            return None
        return out.read_bytes()
