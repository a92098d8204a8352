"""The blank forms a branch downloads, fills in and uploads again."""
from __future__ import annotations

from pathlib import Path

from parsers.blank_forms import path_for

from ..errors import NotFound
from ..vocabulary import FORM_TITLES

# Form kind -> what the download list says about it. File names and titles come from the
# field contract (parsers.blank_forms / parsers.forms), the single source for the forms.
DESCRIPTIONS = {
    "declaration": f"{FORM_TITLES['declaration']}（SZ-2.1，偶数年3月报送）",
    "acceptance": f"{FORM_TITLES['acceptance']}（SZ-2.3，奇数年3月底前报送，附约2500字汇报材料）",
    "brand": f"社区{FORM_TITLES['brand']}（SQ-3）",
}
FORMATS = ("docx", "pdf")


def blank_forms() -> list[dict]:
    return [{"kind": k, "title": path_for(k).stem, "description": d,
             "url": f"/api/v1/forms/{k}.docx", "pdf_url": f"/api/v1/forms/{k}.pdf"}
            for k, d in DESCRIPTIONS.items()]


def blank_form(kind: str, fmt: str = "docx") -> Path:
    if kind not in DESCRIPTIONS or fmt not in FORMATS:
        raise NotFound("没有这种空白表格。")
    path = path_for(kind).with_suffix(f".{fmt}")
    if not path.is_file():
        raise NotFound("该空白表格暂不可用，请联系管理员。")
    return path
