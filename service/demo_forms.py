"""Filled demo forms and a report, written the way a branch office would fill them."""
from __future__ import annotations

import io
import math
import random
from typing import Iterator

import numpy as np
from docx import Document
from docx.shared import Pt
from PIL import Image, ImageDraw, ImageFont

from .vocabulary import DIMENSIONS, DOMAINS, FORM_TITLES


def _domain_row(ticked: str) -> tuple[str, str]:
    """The 所属领域 row as the printed form has it: every domain with a box, one ticked."""
    return ("所属领域", " ".join(("☑" if code == ticked else "□") + name for code, name in DOMAINS.items()))


DECLARATION = [
    ("支部名称", "市财政局预算科党支部"),
    ("上级党组织", "市财政局机关党委"),
    _domain_row("organ"),
    ("支部书记", "李秀英"),
    ("党员人数", "12人"),
    ("联系人", "王芳"),
    ("联系电话", "022-68881234"),
    ("申报日期", "2026年3月16日"),
    ("已获荣誉", "☑本机关党委“五好党支部” □党建目标管理先进党支部 □无"),
    ("是否工委直属", "□是 ☑否"),
    ("专门办公场地", "☑有 □无"),
    ("办公设备", "☑有 □无"),
    ("规范的党员活动室", "☑有 □无"),
    ("创建工作方案概要", "指导思想：以习近平新时代中国特色社会主义思想为指导，坚持党建引领。目标任务：力争年底前创成“五好党支部”。具体措施：每月8日开展主题党日，落实“三会一课”制度。工作要求：支部书记为第一责任人，确保创建取得实效。"),
]

ACCEPTANCE = [
    ("支部名称", "市人民医院内科党支部"),
    ("上级党组织", "市人民医院党总支"),
    _domain_row("health"),
    ("支部书记", "赵敏"),
    ("党员人数", "二十三人"),
    ("联系人", "钱丽"),
    ("联系电话", "022-68885678"),
    ("创建开始时间", "2024年3月12日"),
    ("申请日期", "2025.03.18"),
    ("自评总分", "97.5"),
]

SCORES = [(name, "19.5") for name in DIMENSIONS.values()]

REPORT_SECTIONS = [
    ("一、强化政治引领，建强支部班子",
     "支部坚持把政治建设摆在首位，认真落实“三会一课”制度，固定每月8号为党员活动日，"
     "班子成员带头讲党课、带头学理论、带头解难题。"),
    ("二、严格组织生活，建好党员队伍",
     "支部推行“两册一证”管理，为每名党员建立学习档案，开展“支部创五好、党员认五岗”活动，"
     "党员在医疗服务一线亮身份、作表率。"),
    ("三、完善工作机制，提升服务质量",
     "支部建立问题清单、任务清单、责任清单，实行季度通报，针对群众反映集中的问题逐项整改、按期销号。"),
    ("四、群众满意度持续提升",
     "通过走访座谈和满意度测评，群众满意率保持在百分之九十五以上，支部的凝聚力和战斗力明显增强。"),
]


def _save(doc: Document) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _form(title: str, rows: list[tuple[str, str]], scores: list[tuple[str, str]] | None = None) -> bytes:
    doc = Document()
    heading = doc.add_paragraph()
    run = heading.add_run(title)
    run.font.size = Pt(18)
    run.bold = True
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for i, (label, value) in enumerate(rows):
        table.cell(i, 0).text = label
        table.cell(i, 1).text = value
    if scores:
        doc.add_paragraph("五个好自评得分")
        grid = doc.add_table(rows=2, cols=len(scores))
        grid.style = "Table Grid"
        for i, (label, value) in enumerate(scores):
            grid.cell(0, i).text = label
            grid.cell(1, i).text = value
    return _save(doc)


def report_docx(repeat: int = 11) -> bytes:
    """A 汇报材料 of about 2,500 characters."""
    doc = Document()
    doc.add_paragraph("市人民医院内科党支部创建“五好党支部”工作汇报材料")
    for heading, body in REPORT_SECTIONS:
        doc.add_paragraph(heading)
        for _ in range(repeat):
            doc.add_paragraph(body)
    return _save(doc)


# An incomplete declaration: no member count, facilities not ticked — a 补正通知 case.
INCOMPLETE_DECLARATION = [
    ("支部名称", "市财政局国库科党支部"),
    ("上级党组织", "市财政局机关党委"),
    _domain_row("organ"),
    ("支部书记", "张伟"),
    ("党员人数", ""),
    ("申报日期", "2026年3月20日"),
    ("已获荣誉", "□本机关党委“五好党支部” ☑党建目标管理先进党支部 □无"),
    ("专门办公场地", "☑有 □无"),
    ("办公设备", "□有 □无"),
    ("规范的党员活动室", "□有 □无"),
]


# The district's own incomplete declaration (a 补正通知 from the 区委组织部).
INCOMPLETE_DISTRICT_DECLARATION = [
    ("支部名称", "尧舜度假村党支部"),
    ("上级党组织", "大邱庄镇党委"),
    _domain_row("rural"),
    ("支部书记", "孙丽"),
    ("党员人数", ""),
    ("申报日期", "2026年3月16日"),
    ("已获荣誉", "□本机关党委“五好党支部” □党建目标管理先进党支部 ☑无"),
    ("专门办公场地", "☑有 □无"),
    ("办公设备", "☑有 □无"),
    ("规范的党员活动室", "□有 □无"),
]


def demo_files() -> Iterator[tuple[str, str, bytes]]:
    """(organisation name, file name, bytes) for each demo upload."""
    yield ("市财政局预算科党支部", "预算科党支部创建申报表.docx",
           _form(FORM_TITLES["declaration"], DECLARATION))
    yield ("市人民医院内科党支部", "内科党支部验收申请表.docx",
           _form(FORM_TITLES["acceptance"], ACCEPTANCE, SCORES))
    yield ("市人民医院内科党支部", "内科党支部汇报材料.docx", report_docx())
    yield ("市财政局国库科党支部", "国库科党支部创建申报表.docx",
           _form(FORM_TITLES["declaration"], INCOMPLETE_DECLARATION))
    yield ("尧舜度假村党支部", "尧舜度假村党支部创建申报表.docx",
           _form(FORM_TITLES["declaration"], INCOMPLETE_DISTRICT_DECLARATION))


# A stamped scan of a filled declaration (issue 17): 市档案馆党支部 printed the form, signed and
# stamped it and scanned it; the demo uploads it as a JPEG and the OCR worker reads it.
SCAN_ORG = "市档案馆党支部"
SCAN_NAME = "档案馆党支部创建申报表（盖章扫描件）.jpg"
SCAN_DECLARATION = [
    ("支部名称", "市档案馆党支部"),
    ("上级党组织", "中共市直机关工作委员会"),
    _domain_row("organ"),
    ("支部书记", "周婷"),
    ("党员人数", "8人"),
    ("联系人", "孙丽"),
    ("联系电话", "022-68883456"),
    ("申报日期", "2026年3月18日"),
    ("已获荣誉", "□本机关党委“五好党支部” □党建目标管理先进党支部 ☑无"),
    ("是否工委直属", "☑是 □否"),
    ("专门办公场地", "☑有 □无"),
    ("办公设备", "☑有 □无"),
    ("规范的党员活动室", "☑有 □无"),
    ("创建工作方案概要", "以“五个好”为目标，落实“三会一课”制度，每月开展主题党日，把档案服务窗口建成党员先锋岗。"),
]
#: what reading the scan must give (the fields of SCAN_DECLARATION as the parsers name them)
SCAN_DECLARATION_FIELDS = {
    "branch_name": "市档案馆党支部", "parent_org": "中共市直机关工作委员会", "domain": "organ", "secretary": "周婷",
    "member_count": 8, "contact_person": "孙丽", "contact_phone": "022-68883456", "declared_on": "2026-03-18",
    "prior_honor": "none", "directly_under": True, "has_office": True, "has_equipment": True,
    "has_activity_room": True,
    "plan_summary": "以“五个好”为目标，落实“三会一课”制度，每月开展主题党日，把档案服务窗口建成党员先锋岗。",
}
SCAN_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SCAN_DPI = 200


def _draw_value(draw, font, left: int, y: int, right: int, text: str, line_h: int) -> int:
    """Draw a cell's text from (left, y), wrapping at ``right``; □/☑ as printed boxes (a ticked
    one marked with a pen). Returns the y below the last line."""
    size, x = font.size, left
    for i, ch in enumerate(text):
        w = size if ch in "□☑" else size // 2 if ch == " " else int(draw.textlength(ch, font=font))
        if ch in "□☑":  # a box and its choice stay on one line
            choice = text[i + 1:].split(" ")[0]
            if x + w + draw.textlength(choice, font=font) > right:
                x, y = left, y + line_h
        if x + w > right:
            x, y = left, y + line_h
        if ch in "□☑":
            box = (x + 4, y + 9, x + size - 4, y + size + 1)
            draw.rectangle(box, outline="black", width=2)
            if ch == "☑":
                draw.line([(box[0] + 5, box[1] + 12), (box[0] + 11, box[3] - 5), (box[2] - 3, box[1] + 3)],
                          fill="black", width=3)
        elif ch != " ":
            draw.text((x, y), ch, fill="black", font=font)
        x += w
    return y + line_h


def scan_jpeg(seed: int = 17, domain: str = "organ") -> bytes:
    """The demo's stamped scan: an A4 page at 200 dpi, the declaration filled in (所属领域 ticked
    at ``domain``), a red seal over 党组织（盖章）, tilted by a degree and saved as a JPEG, as a
    scanner would."""
    rng = random.Random(seed)
    W, H = 1654, 2339
    img = Image.new("RGB", (W, H), (250, 249, 245))
    d = ImageDraw.Draw(img)
    title_font = ImageFont.truetype(SCAN_FONT, 46)
    font = ImageFont.truetype(SCAN_FONT, 31)
    title = FORM_TITLES["declaration"]
    d.text(((W - d.textlength(title, font=title_font)) / 2, 180), title, fill="black", font=title_font)
    x0, xs, x1, y = 170, 560, 1484, 320
    line_h = 46
    d.line([(x0, y), (x1, y)], fill="black", width=2)
    rows = [_domain_row(domain) if label == "所属领域" else (label, value) for label, value in SCAN_DECLARATION]
    for label, value in rows:
        bottom = _draw_value(d, font, xs + 20, y + 22, x1 - 20, value, line_h) + 22
        bottom = max(bottom, y + 90)
        d.text((x0 + 20, y + 22), label, fill="black", font=font)
        for x in (x0, xs, x1):
            d.line([(x, y), (x, bottom)], fill="black", width=2)
        d.line([(x0, bottom), (x1, bottom)], fill="black", width=2)
        y = bottom
    d.text((1000, y + 90), "党组织（盖章）", fill="black", font=font)
    d.text((1000, y + 160), "2026年3月18日", fill="black", font=font)
    # the seal: a red ring, a star and the name on the arc, printed over the signature like ink
    cx, cy, r = 1120, y + 120, 150
    ink = Image.new("L", (W, H), 0)
    di = ImageDraw.Draw(ink)
    di.ellipse((cx - r, cy - r, cx + r, cy + r), outline=255, width=9)
    di.regular_polygon((cx, cy, 42), 5, fill=255)
    seal_font = ImageFont.truetype(SCAN_FONT, 30)
    name = "中共市档案馆支部委员会"
    for i, ch in enumerate(name):
        a = math.radians(-150 + 120 * i / (len(name) - 1))
        di.text((cx + (r - 40) * math.cos(a) - 15, cy + (r - 40) * math.sin(a) - 15), ch, fill=255, font=seal_font)
    alpha = np.asarray(ink, dtype=np.float32)[..., None] / 255 * 0.85
    rgb = np.asarray(img, dtype=np.float32) * ((1 - alpha) + alpha * np.array([215, 35, 45]) / 255)
    page = Image.fromarray(rgb.astype(np.uint8)).rotate(rng.uniform(-1.2, 1.2), resample=Image.BICUBIC,
                                                         fillcolor=(250, 249, 245))
    out = io.BytesIO()
    page.save(out, "JPEG", quality=85, dpi=(SCAN_DPI, SCAN_DPI))
    return out.getvalue()
def brand_form(unit: str, brand: str, *, parent: str = "城东社区党委", community: str = "城东社区",
               secretary: str = "白雪", summary: str | None = None, complete: bool = True) -> bytes:
    """A filled 党建品牌创建申报登记表 (``complete=False``: 品牌简介 and 申报日期 left blank)."""
    rows = [("申报单位", unit), ("上级党组织", parent), ("所在社区", community), ("支部书记", secretary),
            ("党员人数", "31人"), ("品牌名称", brand), ("品牌创建时间", "2025年3月1日"),
            ("申报日期", "2026年9月10日" if complete else ""),
            ("品牌简介", (summary or f"“{brand}”以网格为单元，党员认领楼栋，常态化开展邻里互助、矛盾调解和为老服务，"
                                   "形成“党员带头、居民参与、共建共享”的工作机制。") if complete else ""),
            ("联系人", secretary), ("联系电话", "022-68885566")]
    return _form(FORM_TITLES["brand"], rows)


def brand_materials_docx(unit: str, brand: str) -> bytes:
    """The 综合材料 that goes with a brand registration: what was done, with dates and effects."""
    doc = Document()
    doc.add_paragraph(f"{unit}“{brand}”党建品牌创建综合材料")
    for text in ("一、品牌创建背景。社区老年居民多、流动人口多，群众对身边服务需求迫切。",
                 "二、主要做法。党员按网格认领楼栋，每月8日主题党日开展志愿服务，建立居民议事会。",
                 "三、取得成效。一年来开展服务活动48次，调解矛盾纠纷23件，群众满意率达到96%。"):
        doc.add_paragraph(text)
    return _save(doc)
