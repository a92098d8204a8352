"""Readers for filled 五好党支部 forms and reports (DOCX, text PDF, Word 97 via LibreOffice)."""
from .api import parse_bytes, parse_path
from .errors import MESSAGES as ERROR_MESSAGES
from .errors import ParseError
from .result import ParseResult

__all__ = ["parse_bytes", "parse_path", "ParseResult", "ParseError", "ERROR_MESSAGES"]
