"""Certificate PDF (and DOCX) engine for 党员证 and 荣誉证书."""
from .engine import (CertificateEngine, CertificateError, Page, display_values, engine_for,
                     format_date, render_pdf, verify_url)
from .kinds import SPECS

KINDS = tuple(SPECS)

__all__ = ["CertificateEngine", "CertificateError", "KINDS", "Page", "SPECS", "display_values",
           "engine_for", "format_date", "render_pdf", "verify_url"]
