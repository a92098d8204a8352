"""Which GB/T 9704 role a font name belongs to (仿宋, 宋体, 黑体, 楷体, 小标宋).

Only names are compared: a file says which face it used by its font names (PDF BaseFont, the
embedded font's name table, DOCX rFonts).  The name lists are data in ``rules.yaml``.
"""
from __future__ import annotations

import re

from . import rules

_SUBSET = re.compile(r"^[A-Z]{6}\+")
_BOLD = re.compile(r"bold|heavy|black|semibold|demibold|w[6-9]\b|粗|重", re.IGNORECASE)
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
"""Han characters: only their face is judged (digits and punctuation often come from another font)."""


def strip_subset(name: str) -> str:
    return _SUBSET.sub("", name or "")


def role(name: str) -> str:
    """``fangsong``, ``song``, ``hei``, ``kai``, ``xiaobiaosong``, ``latin`` or ``unknown``."""
    key = strip_subset(name).lower().replace("-", " ").replace("_", " ")
    compact = key.replace(" ", "")
    for role_name, needles in rules.data()["font_roles"].items():
        for needle in needles:
            n = needle.lower().replace("-", " ").replace("_", " ")
            if n in key or n.replace(" ", "") in compact:
                return role_name
    return "unknown"


def is_bold(name: str) -> bool:
    return bool(_BOLD.search(strip_subset(name)))


def role_name(code: str) -> str:
    return rules.data()["role_names"].get(code, code)


def fits_title(role_code: str, bold: bool) -> bool:
    """小标宋, or a bold Song face: 方正小标宋 is a heavy Song design and the free substitutes
    (Noto Serif CJK SC Bold, Source Han Serif Heavy) are what a deployment without it uses."""
    return role_code == "xiaobiaosong" or (role_code == "song" and bold)


def same_as_body(level: int, face: str, body_faults: set[str]) -> bool:
    """7.3.3 sets 第三层 "1." and 第四层 "（1）" in the body's 仿宋: such a heading in the face already
    reported as the body's is one fault (the face), not one more per heading — a Song substitute
    serving 仿宋 gave 1 body-font plus 2 heading-font problems on one notice.  A heading in a face
    other than the body's is still its own fault."""
    return "fangsong" in rules.data()["heading_levels"][level]["roles"] and face in body_faults
