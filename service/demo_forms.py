"""Filled demo forms and a report, written the way a branch office would fill them."""
from __future__ import annotations

import io
from typing import Iterator

from docx import Document
from docx.shared import Pt

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


def demo_files() -> Iterator[tuple[str, str, bytes]]:
    """(organisation name, file name, bytes) for each demo upload."""
    yield ("市财政局预算科党支部", "预算科党支部创建申报表.docx",
           _form(FORM_TITLES["declaration"], DECLARATION))
    yield ("市人民医院内科党支部", "内科党支部验收申请表.docx",
           _form(FORM_TITLES["acceptance"], ACCEPTANCE, SCORES))
    yield ("市人民医院内科党支部", "内科党支部汇报材料.docx", report_docx())
    yield ("市财政局国库科党支部", "国库科党支部创建申报表.docx",
           _form(FORM_TITLES["declaration"], INCOMPLETE_DECLARATION))
