"""ParseResult: what a parse returns (never an exception for bad input)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ParseResult:
    file: str
    form: str = "unknown"
    fields: dict = field(default_factory=dict)
    missing: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    provenance: dict = field(default_factory=dict)
    pairs: list = field(default_factory=list)  # generic label/value pairs (dicts)
    warnings: list = field(default_factory=list)  # {"code", "field", "message"}: read, but worth a look
    media_type: str = ""
    form_confidence: float = 0.0
    scan: dict = field(default_factory=dict)  # scans only: pages, seals (盖章), deskew, OCR time

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict:
        """The CLI/API contract: exactly these six keys."""
        return {"file": self.file, "form": self.form, "fields": self.fields, "missing": self.missing,
                "errors": self.errors, "provenance": self.provenance}

    def to_full_dict(self) -> dict:
        """to_dict() plus the generic pairs, the media type and the kind confidence."""
        return {**self.to_dict(), "pairs": self.pairs, "warnings": self.warnings, "media_type": self.media_type,
                "form_confidence": self.form_confidence, **({"scan": self.scan} if self.scan else {})}
