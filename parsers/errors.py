"""Stable error codes with Chinese messages."""
from __future__ import annotations

MESSAGES = {
    "unsupported_type": "文件类型不受支持：请上传 Word（.docx）或带文字层的 PDF 文件。",
    "legacy_doc": "这是旧版 Word 97-2003（.doc）文件，服务器未安装 LibreOffice，无法转换。"
                  "请在 Word 或 WPS 中“另存为” .docx 格式后重新上传。",
    "doc_conversion_failed": "旧版 Word（.doc）文件转换为 .docx 失败，文件可能已损坏。"
                             "请在 Word 或 WPS 中“另存为” .docx 格式后重新上传。",
    "encrypted_pdf": "PDF 文件已加密（设置了密码或权限保护），无法读取。请上传未加密的 PDF。",
    "corrupt_file": "文件已损坏或格式不完整，无法读取。请重新导出后上传。",
    "zip_bomb": "文件解压后体积或条目数量异常（疑似压缩炸弹），已拒绝处理。",
    "xml_entities": "文件内含 XML 实体声明（DOCTYPE/ENTITY），出于安全原因已拒绝处理。",
    "no_text_layer": "PDF 没有文字层（可能是扫描件或图片），无法提取内容。请上传由 Word/WPS 导出的 PDF 或 .docx 原件。",
    "too_large": "文件过大，超过允许的上传大小。",
    "empty_form": "表格内容为空：没有读取到任何已填写的内容。",
    # the sandbox (parsers/sandbox.py): budgets per parse and per page image
    "parse_timeout": "文件解析超时：内容过于复杂，无法在限定时间内读取。请检查文件或另存为 PDF/Word 后重新上传。",
    "parse_memory": "文件解析所需内存超过上限，已停止处理。请检查文件或另存为 PDF/Word 后重新上传。",
    "parse_failed": "文件解析进程意外中止，文件可能已损坏。请重新导出后上传。",
    "parse_busy": "服务器正忙于处理其他文件，请稍后重试。",
}


# What a wrong extension's content is named in corrupt_file messages.
CORRUPT_AS = {".docx": "Word", ".doc": "Word", ".pdf": "PDF"}


def corrupt_message(ext: str) -> str:
    """'文件已损坏或不是真正的 Word 文件…' for bytes that are not what their name says."""
    return f"文件已损坏或不是真正的 {CORRUPT_AS[ext]} 文件，无法读取。请重新导出后上传。"


def wrong_content(ext: str) -> "ParseError":
    """Bytes that are no document we read: damaged when the name promises one, else unsupported."""
    if ext in CORRUPT_AS:
        return ParseError("corrupt_file", corrupt_message(ext))
    return ParseError("unsupported_type")


# Parser warnings: the file was read, one thing deserves a look. The wording is the checks'
# rule of the same code (service/checks/rules.yaml), so both say the same thing.
WARNINGS = {
    "missing_optional": "表单印有“{label}”一栏，但未填写。",
}


def warning(code: str, field: str, **values) -> dict:
    return {"code": code, "field": field, "message": WARNINGS[code].format(**values)}


class ParseError(Exception):
    """A clean, user-facing parsing failure."""

    def __init__(self, code: str, message: str | None = None, detail: str = ""):
        if code not in MESSAGES:
            raise ValueError(f"unknown parse error code: {code}")
        self.code = code
        self.message = message or MESSAGES[code]
        self.detail = detail
        super().__init__(f"{code}: {self.message}")

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message}
