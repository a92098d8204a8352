"""Small real documents built on the fly for the tests that need an upload."""
from __future__ import annotations

import io

from docx import Document
from openpyxl import Workbook


def declaration_docx(branch: str = "市财政局预算科党支部", members: int = 12) -> bytes:
    """A filled 创建申报表 in the common two-column layout."""
    doc = Document()
    doc.add_heading('市直机关"五好党支部"创建申报表', level=1)
    rows = [
        ("支部名称", branch),
        ("上级党组织", "市财政局机关党委"),
        ("所属领域", "□农村 □社区 ☑机关（事业单位） □国有企业 □非公企业（社会组织） □窗口单位和服务行业 □学校 □医疗卫生单位"),
        ("支部书记", "李秀英"),
        ("党员人数", f"{members}人"),
        ("联系人", "王芳"),
        ("联系电话", "022-68881234"),
        ("申报日期", "2026年3月15日"),
        ("荣誉情况", "☑本机关党委“五好党支部” □党建目标管理先进党支部 □无"),
        ("是否工委直属", "□是 ☑否"),
        ("专门办公场地", "☑有 □无"),
        ("办公设备", "☑有 □无"),
        ("规范的党员活动室", "☑有 □无"),
        ("创建工作方案摘要", "指导思想：以习近平新时代中国特色社会主义思想为指导，坚持党建引领。目标任务：力争年底前创成“五好党支部”。具体措施：每月8日开展主题党日，落实“三会一课”制度。工作要求：支部书记为第一责任人，确保创建取得实效。"),
    ]
    table = doc.add_table(rows=len(rows), cols=2)
    for i, (label, value) in enumerate(rows):
        table.cell(i, 0).text = label
        table.cell(i, 1).text = value
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def xlsx_bytes(rows: list[list]) -> bytes:
    """A one-sheet workbook of ``rows`` (the first is the header), as a clerk's import sheet."""
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload_file(client, headers: dict, url: str, data: bytes, name: str = "sheet.xlsx"):
    """POST ``data`` as the form's ``file`` (an import sheet, an evidence file) to the API."""
    return client.post(url, headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), name)})
