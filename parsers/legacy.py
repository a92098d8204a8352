"""Word 97 (.doc) -> .docx through LibreOffice, when it is installed."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import ParseError, wrong_content

TIMEOUT = 120


def soffice_path() -> str | None:
    override = os.environ.get("WUHAO_SOFFICE")
    if override is not None:
        return override or None  # WUHAO_SOFFICE="" disables conversion
    return shutil.which("soffice") or shutil.which("libreoffice")


WORD_STREAM = "WordDocument".encode("utf-16-le")


ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def convert_doc(data: bytes, ext: str = "") -> bytes:
    """.doc bytes -> .docx bytes; ``ext`` (the upload's extension) names what a bad file is not."""
    if ENCRYPTED_PACKAGE in data:
        # a password-protected .docx is an OLE2 container holding the encrypted package
        raise ParseError("unsupported_type", "Word 文档设置了打开密码（已加密），无法读取。请取消密码后重新上传。")
    if WORD_STREAM not in data:
        # an OLE2 container without a WordDocument stream: Excel 97, Outlook .msg, garbage
        raise wrong_content(ext)
    soffice = soffice_path()
    if not soffice:
        raise ParseError("legacy_doc")
    with tempfile.TemporaryDirectory(prefix="wuhao-doc-") as tmp:
        src = Path(tmp) / "input.doc"
        src.write_bytes(data)
        profile = Path(tmp) / "profile"
        cmd = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--infilter=MS Word 97", "--convert-to", "docx:MS Word 2007 XML", "--outdir", tmp, str(src)]
        try:
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=TIMEOUT,
                           check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            raise ParseError("doc_conversion_failed", detail=repr(exc)) from None
        out = Path(tmp) / "input.docx"
        if not out.exists() or out.stat().st_size == 0:
            raise ParseError("doc_conversion_failed")
        return out.read_bytes()
