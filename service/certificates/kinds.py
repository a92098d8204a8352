"""The two certificate kinds: page size, static design (HTML for WeasyPrint) and field layout.

Coordinates are millimetres from the top-left corner of the page; ``y`` is the text
baseline.  A field's text is shrunk down to ``min_size`` to fit ``width``; a field with
``lines > 1`` then wraps character by character (CJK) inside its box.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field

from service.documents.fonts import css_font_stack, resolve_font


@dataclass(frozen=True)
class Field:
    key: str
    x: float
    y: float
    role: str = "song"
    size: float = 10.0
    align: str = "left"          # left | center | right (x is the anchor)
    width: float = 50.0          # available width in mm
    min_size: float = 6.0
    lines: int = 1
    leading: float = 1.45        # line height as a multiple of the size
    color: tuple[float, float, float] = (0.0, 0.0, 0.0)
    template: str = "{}"         # wording around the value, e.g. "{}："


@dataclass(frozen=True)
class QrBox:
    x: float
    y: float
    size: float


@dataclass(frozen=True)
class KindSpec:
    kind: str
    title: str
    width_mm: float
    height_mm: float
    fields: tuple[Field, ...]
    qr: QrBox
    required: tuple[str, ...]
    static_html: str = field(repr=False, default="")
    static_roles: tuple[str, ...] = ("title", "song")


RED = (0.78, 0.06, 0.09)

_PARTY_CARD_FIELDS = (
    Field("name", 34, 31.5, role="kai", size=13, width=56, min_size=8),
    Field("branch_name", 34, 40.5, size=9.5, width=56, min_size=6.5, lines=2, leading=1.25),
    Field("organisation_path", 34, 51.5, size=8, width=56, min_size=6, lines=2, leading=1.25),
    Field("joined_on", 34, 62.5, size=9.5, width=56),
    Field("issued_on", 34, 70.5, size=9.5, width=56),
    Field("issuer", 34, 78.5, size=9.5, width=56, min_size=6.5),
    Field("number", 110, 66.5, role="song", size=10.5, align="center", width=30, min_size=7, color=RED),
    # /verify answers only for the number with this code (service/certificates/checkcode.py)
    Field("check_code", 110, 72.5, role="song", size=8, align="center", width=30, min_size=6, color=RED,
          template="校验码 {}"),
)

_HONOR_FIELDS = (
    Field("branch_name", 40, 92, role="kai", size=22, width=217, min_size=14, template="{}："),
    Field("body", 40, 108, role="kai", size=19, width=217, min_size=14, lines=3, leading=1.75),
    Field("parent_org", 148.5, 78, role="song", size=13, align="center", width=200, min_size=9,
          template="（{}）"),
    Field("issuer", 222, 160, role="song", size=17, align="center", width=110, min_size=10),
    Field("issued_on", 222, 172, role="song", size=16, align="center", width=80),
    Field("number", 40.5, 187, role="song", size=11, width=60, min_size=8, color=RED),
    Field("check_code", 100, 187, role="song", size=11, width=38, min_size=8, color=RED, template="校验码：{}"),
)

_PAGE_CSS = """
@page { size: %(w)smm %(h)smm; margin: 0; }
html, body { margin: 0; padding: 0; }
body { width: %(w)smm; height: %(h)smm; position: relative; background: #fff; }
div, span { position: absolute; white-space: nowrap; }
.t { font-family: %(title)s; font-weight: %(title_w)s; }
.s { font-family: %(song)s; }
"""

_PARTY_CARD_BODY = """
<div style="left:3mm; top:3mm; width:124mm; height:84mm; border:0.8mm solid #c8101a;"></div>
<div style="left:4.6mm; top:4.6mm; width:120.8mm; height:80.8mm; border:0.25mm solid #c8101a;"></div>
<div class="t" style="left:0; width:130mm; top:8mm; text-align:center; font-size:17pt; color:#c8101a; letter-spacing:1.5pt;">中国共产党党员证</div>
<div style="left:20mm; width:90mm; top:19.2mm; border-top:0.3mm solid #c8101a;"></div>
<div class="s" style="left:12mm; top:27.5mm; font-size:9.5pt;">姓　　名</div>
<div class="s" style="left:12mm; top:36.5mm; font-size:9.5pt;">所在支部</div>
<div class="s" style="left:12mm; top:47.5mm; font-size:9.5pt;">所属党组织</div>
<div class="s" style="left:12mm; top:58.5mm; font-size:9.5pt;">入党时间</div>
<div class="s" style="left:12mm; top:66.5mm; font-size:9.5pt;">发证日期</div>
<div class="s" style="left:12mm; top:74.5mm; font-size:9.5pt;">发证机关</div>
<div style="left:33mm; width:58mm; top:33mm; border-top:0.15mm solid #999;"></div>
<div style="left:33mm; width:58mm; top:56.5mm; border-top:0.15mm solid #999;"></div>
<div style="left:33mm; width:58mm; top:64mm; border-top:0.15mm solid #999;"></div>
<div style="left:33mm; width:58mm; top:72mm; border-top:0.15mm solid #999;"></div>
<div style="left:33mm; width:58mm; top:80mm; border-top:0.15mm solid #999;"></div>
<div style="left:97mm; top:25mm; width:26mm; height:26mm; border:0.15mm solid #c8101a;"></div>
<div class="s" style="left:95mm; width:30mm; top:53.5mm; text-align:center; font-size:7pt; color:#555;">扫码核验真伪</div>
<div class="s" style="left:95mm; width:30mm; top:59mm; text-align:center; font-size:8pt; color:#c8101a;">证件编号</div>
<div class="s" style="left:6mm; width:118mm; top:82.2mm; text-align:center; font-size:5.5pt; color:#777;">本证由所在党组织登记造册，遗失请及时报告</div>
"""

_HONOR_BODY = """
<div style="left:8mm; top:8mm; width:277mm; height:190mm; border:2.2mm solid #c8101a;"></div>
<div style="left:13mm; top:13mm; width:269.4mm; height:182.4mm; border:0.5mm solid #d4a017;"></div>
<div style="left:15.5mm; top:15.5mm; width:264.4mm; height:177.4mm; border:0.3mm solid #c8101a;"></div>
<div class="t" style="left:0; width:297mm; top:32mm; text-align:center; font-size:50pt; color:#c8101a; letter-spacing:18pt;">荣誉证书</div>
<div style="left:108mm; width:81mm; top:62mm; border-top:0.6mm solid #d4a017;"></div>
<div class="s" style="left:34mm; width:40mm; top:174.6mm; text-align:center; font-size:8pt; color:#555;">扫码核验</div>
<div class="s" style="left:30mm; top:182.6mm; font-size:11pt; color:#333;">编号</div>
<div class="s" style="left:140mm; width:17mm; top:186mm; text-align:center; font-size:8pt; color:#999;">★</div>
"""


def _static_html(spec_body: str, w: float, h: float) -> str:
    css = _PAGE_CSS % {"w": w, "h": h, "title": css_font_stack("title"), "song": css_font_stack("song"),
                       "title_w": resolve_font("title").weight}
    return ("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><style>"
            + css + "</style></head><body>" + spec_body + "</body></html>")


HONOR_BODY_TEXT = ("　　你支部在“五好党支部”创建活动中成绩突出，经考核验收，被评为“{title}”，"
                   "荣誉称号有效期为{term}。特发此证，以资鼓励。")

SPECS: dict[str, KindSpec] = {
    "party-card": KindSpec(
        kind="party-card", title="党员证", width_mm=130, height_mm=90,
        fields=_PARTY_CARD_FIELDS, qr=QrBox(98, 26, 24),
        required=("number", "name", "branch_name", "verify_url"),
    ),
    "honor-certificate": KindSpec(
        kind="honor-certificate", title="荣誉证书", width_mm=297, height_mm=210,
        fields=_HONOR_FIELDS, qr=QrBox(42, 150, 24),
        required=("number", "branch_name", "title", "term", "verify_url"),
    ),
}

_BODIES = {"party-card": _PARTY_CARD_BODY, "honor-certificate": _HONOR_BODY}


def static_html(kind: str) -> str:
    spec = SPECS[kind]
    return _static_html(_BODIES[kind], spec.width_mm, spec.height_mm)


def escape(text: str) -> str:
    return html.escape(text, quote=True)
