"""Generated corpus of filled forms in varied layouts, with the fields each one should yield.

Every form is written as DOCX here; the test fixture converts them all to PDF with one
LibreOffice call. Variation axes (cycled so that each appears many times):
- layout: grid4, grid2, header rows (labels on one row, values below), vertical labels (one
  character per line, merged down), paragraphs ``标签：值``, paragraphs ``标签：____值____`` /
  underlined blanks, title inside the table's merged first row;
- labels: synonyms, padding with spaces / U+3000, half- or full-width colons, split over runs;
- dates: 2024年3月15日, 2024.03.15, 2024/3/15, 2024-03-15, 二〇二四年三月十五日, 2024年3月;
- counts: 23, 23人, 23名, 二十三人, 二十三名;
- checkboxes: ☑/□, √/□, ■/□, ☒/☐, Wingdings w:sym glyphs, options in separate cells;
- scores: label|score rows, header row of dimensions with scores below, item|max|self-score
  columns, inline paragraph scores.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

DOMAINS = {
    "rural": "农村", "community": "社区", "organ": "机关（事业单位）", "soe": "国有企业",
    "nonpublic": "非公企业（社会组织）", "service": "窗口单位和服务行业", "school": "学校", "health": "医疗卫生单位",
}
HONORS = {"unit_five_good": "本机关党委/总支“五好党支部”", "target_advanced": "党建目标管理先进党支部", "none": "无"}
DIMS = {"leadership": "领导班子好", "members": "党员队伍好", "mechanism": "工作机制好",
        "performance": "工作业绩好", "reputation": "群众反映好"}
TITLES = {
    "declaration": ["市直机关“五好党支部”创建申报表", "市直机关\"五好党支部\"创建申报表", "“五好党支部”创建申报表"],
    "acceptance": ["市直机关“五好党支部”验收申请表", "市直机关\"五好党支部\"验收申请表", "“五好党支部”验收申请表"],
    "brand": ["党建品牌创建申报登记表", "社区党建品牌创建申报登记表"],
}
LABELS = {  # key -> label variants (synonyms); the first is the form's own label
    "branch_name": ["支部名称", "党支部名称", "党组织名称", "支部名称（全称）"],
    "parent_org": ["上级党组织", "所属党委", "上级党组织名称", "所属党组织"],
    "domain": ["所属领域", "领域类别", "党组织类别"],
    "secretary": ["支部书记", "书记", "党支部书记"],
    "member_count": ["党员人数", "党员数", "党员总数"],
    "contact_person": ["联系人", "经办人"],
    "contact_phone": ["联系电话", "电话", "联系方式"],
    "declared_on": ["申报日期", "填报日期", "申报时间"],
    "prior_honor": ["已获荣誉", "基本条件", "所获荣誉"],
    "directly_under": ["是否工委直属", "工委直属"],
    "has_office": ["专门办公场地", "有无专门办公场地", "专门的办公场地"],
    "has_equipment": ["办公设备", "有无办公设备"],
    "has_activity_room": ["规范的党员活动室", "党员活动室"],
    "plan_summary": ["创建工作方案概要", "创建工作方案", "创建计划"],
    "creation_started_on": ["创建开始时间", "创建起始时间", "开始创建时间"],
    "applied_on": ["申请日期", "填报日期", "申请时间"],
    "self_score_total": ["自评总分", "自评得分合计"],
    "brand_name": ["品牌名称", "党建品牌名称"],
    "community": ["所在社区", "所属社区"],
    "established_on": ["品牌创建时间", "品牌创立时间"],
    "brand_summary": ["品牌简介", "品牌内涵及主要做法", "品牌简介及特色"],
}
BRAND_LABELS = {"branch_name": ["申报单位", "申报党组织", "党组织名称"], "applied_on": ["申报日期", "登记日期"]}

ORGS = ["市财政局", "市教育局", "市人民医院", "市税务局", "市交通运输局", "市第一中学", "幸福路街道", "市自然资源局",
        "市城投集团", "市政务服务中心", "红旗村", "市农业农村局", "华信科技有限公司", "市妇幼保健院", "市统计局"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰海燕晓东文博思远子涵雨轩宇航"
SENTENCES = [
    "坚持以习近平新时代中国特色社会主义思想为指导，全面落实新时代党的建设总要求",
    "严格落实“三会一课”、主题党日、组织生活会和民主评议党员等制度",
    "以“五个好”为目标，建强支部班子，锻造过硬党员队伍",
    "围绕中心工作开展党员先锋岗、志愿服务和结对帮扶活动",
    "建立问题清单、任务清单和责任清单，每季度通报一次进展",
    "规范党员活动室建设，完善党建工作档案，做到有场所、有设备、有制度",
    "推动党建与业务深度融合，以高质量党建引领高质量发展",
    "开展“我为群众办实事”实践活动，群众满意度持续提升",
]
BRANDS = ["红色引擎", "初心驿站", "党群连心桥", "红心服务", "先锋领航", "幸福家园", "红色管家", "银发先锋"]
COMMUNITIES = ["幸福路社区", "光明街社区", "建设路社区", "滨河社区", "文化路社区", "长安社区"]
DATE_STYLES = ["ymd_cn", "dot", "slash", "iso", "cn_numeral", "month_only", "dot_pad"]
COUNT_STYLES = ["plain", "ren", "ming", "cn_ren", "cn_ming"]
CHECK_STYLES = ["ballot", "sqrt", "black", "xbox", "wingdings", "cells", "wingdings2", "formcheckbox", "sdt",
                "wps_font"]
LAYOUTS = ["grid4", "grid2", "header_rows", "vertical", "paragraphs", "underscores", "title_in_table"]
SCORE_STYLES = ["rows", "header", "columns", "inline"]
CN = "〇一二三四五六七八九"


def cn_num(n: int) -> str:
    if n < 10:
        return CN[n] if n else "〇"
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN[tens]) + "十" + (CN[ones] if ones else "")


def render_date(d: date, style: str) -> tuple[str, str]:
    """(text, expected ISO)."""
    iso = d.isoformat()
    if style == "ymd_cn":
        return f"{d.year}年{d.month}月{d.day}日", iso
    if style == "dot":
        return f"{d.year}.{d.month}.{d.day}", iso
    if style == "dot_pad":
        return f"{d.year}.{d.month:02d}.{d.day:02d}", iso
    if style == "slash":
        return f"{d.year}/{d.month}/{d.day}", iso
    if style == "iso":
        return iso, iso
    if style == "cn_numeral":
        year = "".join(CN[int(ch)] for ch in str(d.year))
        return f"{year}年{cn_num(d.month)}月{cn_num(d.day)}日", iso
    if style == "month_only":
        return f"{d.year}年{d.month}月", date(d.year, d.month, 1).isoformat()
    raise ValueError(style)


def render_count(n: int, style: str) -> str:
    return {"plain": str(n), "ren": f"{n}人", "ming": f"{n}名", "cn_ren": f"{cn_num(n)}人",
            "cn_ming": f"{cn_num(n)}名"}[style]


MARKS = {"ballot": ("☑", "□"), "sqrt": ("√", "□"), "black": ("■", "□"), "xbox": ("☒", "☐"),
         "wingdings": (("Wingdings", "F0FE"), ("Wingdings", "F0A8")),
         "wingdings2": (("Wingdings 2", "F052"), ("Wingdings 2", "F0A3")),
         "cells": ("☑", "□"), "formcheckbox": ("FORM", "FORM"), "sdt": ("SDT", "SDT"), "wps_font": ("R", "£")}
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"


@dataclass
class Item:
    key: str
    label: str
    value: object  # str, or a list of (option, checked) for checkbox lists
    long: bool = False


@dataclass
class Case:
    name: str
    kind: str
    layout: str
    expected: dict
    variations: dict = field(default_factory=dict)
    absent: list = field(default_factory=list)  # keys left blank on the form: must not be read


# --- docx helpers ------------------------------------------------------------------------
def _sym(run, font: str, char: str) -> None:
    el = OxmlElement("w:sym")
    el.set(qn("w:font"), font)
    el.set(qn("w:char"), char)
    run._r.append(el)


def _form_checkbox(par, checked: bool) -> None:
    """A Word 97 legacy FORMCHECKBOX field: the state is in w:ffData, no glyph in the text."""
    from docx.oxml import parse_xml
    on = "1" if checked else "0"
    for xml in (f'<w:r xmlns:w="{W_NS}"><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="C"/><w:enabled/>'
                f'<w:calcOnExit w:val="0"/><w:checkBox><w:sizeAuto/><w:default w:val="{on}"/></w:checkBox>'
                f'</w:ffData></w:fldChar></w:r>',
                f'<w:r xmlns:w="{W_NS}"><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r>',
                f'<w:r xmlns:w="{W_NS}"><w:fldChar w:fldCharType="end"/></w:r>'):
        par._p.append(parse_xml(xml))


def _sdt_checkbox(par, checked: bool) -> None:
    """A Word 2010 checkbox content control (☒ / ☐ in MS Gothic)."""
    from docx.oxml import parse_xml
    glyph = "☒" if checked else "☐"
    par._p.append(parse_xml(
        f'<w:sdt xmlns:w="{W_NS}" xmlns:w14="{W14_NS}"><w:sdtPr><w14:checkbox>'
        f'<w14:checked w14:val="{1 if checked else 0}"/><w14:checkedState w14:val="2612" w14:font="MS Gothic"/>'
        f'<w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/></w14:checkbox></w:sdtPr><w:sdtContent>'
        f'<w:r><w:rPr><w:rFonts w:ascii="MS Gothic" w:eastAsia="MS Gothic" w:hAnsi="MS Gothic"/></w:rPr>'
        f'<w:t>{glyph}</w:t></w:r></w:sdtContent></w:sdt>'))


def _sdt_text(par, text: str) -> None:
    """A plain-text content control holding the value."""
    from docx.oxml import parse_xml
    from xml.sax.saxutils import escape
    par._p.append(parse_xml(
        f'<w:sdt xmlns:w="{W_NS}"><w:sdtPr><w:alias w:val="填写内容"/><w:text/></w:sdtPr><w:sdtContent>'
        f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:sdtContent></w:sdt>'))


def write_text(par, text, split_runs: bool = False, underline: bool = False, sdt: bool = False) -> None:
    """Write a str, or a checkbox list [(option, checked, style)], into a paragraph."""
    if isinstance(text, list):
        for i, (opt, checked, style) in enumerate(text):
            if style == "formcheckbox":
                _form_checkbox(par, checked)
                par.add_run(opt + ("  " if i < len(text) - 1 else ""))
                continue
            if style == "sdt":
                _sdt_checkbox(par, checked)
                par.add_run(opt + ("  " if i < len(text) - 1 else ""))
                continue
            if style == "wps_font":  # "R" / "£" set in Wingdings 2, the office trick for ☑ / □
                run = par.add_run("R" if checked else "£")
                run.font.name = "Wingdings 2"
                par.add_run(opt + ("  " if i < len(text) - 1 else ""))
                continue
            mark = MARKS[style][0 if checked else 1]
            if isinstance(mark, tuple):
                _sym(par.add_run(), *mark)
            else:
                par.add_run(mark)
            par.add_run(opt + ("  " if i < len(text) - 1 else ""))
        return
    if sdt and text:
        _sdt_text(par, text)
        return
    if split_runs and len(text) > 1:
        for i, ch in enumerate(text):
            r = par.add_run(ch)
            r.bold = i % 2 == 0
        return
    r = par.add_run(text)
    if underline:
        r.underline = True


SDT_VALUES = {"on": False}
UNSEEN = {"pool": None}  # key -> label wordings to use instead of LABELS (build_corpus(wordings=...))


def set_cell(cell, text, split_runs=False, vertical=False, size=None) -> None:
    cell.text = ""
    par = cell.paragraphs[0]
    if SDT_VALUES["on"] and isinstance(text, str) and not split_runs and not vertical and size is None:
        write_text(par, text, sdt=True)
        return
    if vertical and isinstance(text, str):
        chars = [c for c in text if c.strip()]
        write_text(par, chars[0])
        for ch in chars[1:]:
            write_text(cell.add_paragraph(), ch)
        return
    write_text(par, text, split_runs=split_runs)
    if size:
        for r in par.runs:
            r.font.size = Pt(size)


def pad_label(label: str, style: str) -> str:
    if style == "spaces" and len(label) <= 5:
        return " ".join(label)
    if style == "ideographic" and len(label) <= 4:
        return ("\u3000" * (2 if len(label) == 2 else 1)).join(label) if len(label) == 2 else "\u3000".join(label)
    return label


def colon(style: str) -> str:
    return {"full": "：", "half": ":", "none": ""}[style]


# --- value generation --------------------------------------------------------------------
def person(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def phone(rng) -> str:
    if rng.random() < 0.7:
        return "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))
    return "0371-6" + "".join(rng.choice("0123456789") for _ in range(7))


def rand_date(rng, lo=date(2023, 1, 1), hi=date(2026, 6, 30)) -> date:
    return lo + timedelta(days=rng.randrange((hi - lo).days))


def summary(rng, n=3) -> str:
    return "；".join(rng.sample(SENTENCES, n)) + "。"


def long_text(rng) -> str:
    """A plan long enough to push the form onto a second page (the row splits at the break)."""
    return "；".join(rng.choice(SENTENCES) for _ in range(36)) + "。"


def check_list(options: dict, chosen: str, style: str) -> list:
    return [(label, code == chosen, style) for code, label in options.items()]


def build_items(rng, kind: str, i: int) -> tuple[list[Item], dict, dict, list]:
    """The items (label, rendered value) of one filled form and its expected fields."""
    # strides differ from the layout's (i % 7) so that variations combine with every layout
    date_style = DATE_STYLES[(3 * i + i // 7) % len(DATE_STYLES)]
    date_style2 = DATE_STYLES[(3 * i + i // 7 + 3) % len(DATE_STYLES)]
    count_style = COUNT_STYLES[(2 * i + i // 5) % len(COUNT_STYLES)]
    check_style = CHECK_STYLES[(3 * i + i // 7) % len(CHECK_STYLES)]
    syn = (i + i // 3) % 3  # which synonym to use

    def lab(key):
        unseen = (UNSEEN["pool"] or {}).get(key)
        if unseen:  # a wording no list has (tests/parsers/wordings.py)
            return unseen[(i + len(kind)) % len(unseen)]
        pool = BRAND_LABELS.get(key) if kind == "brand" and key in BRAND_LABELS else LABELS[key]
        return pool[syn % len(pool)]

    org = rng.choice(ORGS)
    exp: dict = {}
    items: list[Item] = []
    branch = f"中共{org}第{cn_num(rng.randint(1, 9))}支部委员会" if rng.random() < 0.3 else f"{org}第{rng.randint(1, 9)}党支部"
    items.append(Item("branch_name", lab("branch_name"), branch))
    exp["branch_name"] = branch
    parent = f"中共{org}机关委员会" if kind != "brand" else f"{rng.choice(['幸福路', '光明', '建设'])}街道党工委"
    items.append(Item("parent_org", lab("parent_org"), parent))
    exp["parent_org"] = parent
    sec = person(rng)
    items.append(Item("secretary", lab("secretary"), sec))
    exp["secretary"] = sec
    n = rng.randint(7, 99)
    count_text = render_count(n, count_style)
    if i % 8 == 6:
        count_text = count_text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    items.append(Item("member_count", "党员人数（人）" if i % 6 == 4 else lab("member_count"), count_text))
    exp["member_count"] = n
    if kind in ("declaration", "acceptance"):
        dom = list(DOMAINS)[i % 8]
        if i % 5 == 4:
            items.append(Item("domain", lab("domain"), DOMAINS[dom]))  # plain text, no boxes
        else:
            items.append(Item("domain", lab("domain"), check_list(DOMAINS, dom, check_style), long=True))
        exp["domain"] = dom
    cp, ph = person(rng), phone(rng)
    combo = i % 6 == 5
    absent = []
    if combo:
        items.append(Item("contact_combo", "联系人及电话", f"{cp} {ph}"))
        exp["contact_person"], exp["contact_phone"] = cp, ph
    elif i % 6 == 2:  # the phone left blank
        items.append(Item("contact_person", lab("contact_person"), cp))
        items.append(Item("contact_phone", lab("contact_phone"), ""))
        exp["contact_person"] = cp
        absent.append("contact_phone")
    else:
        items.append(Item("contact_person", lab("contact_person"), cp))
        items.append(Item("contact_phone", lab("contact_phone"), ph))
        exp["contact_person"], exp["contact_phone"] = cp, ph
    scores_style = None
    if kind == "declaration":
        text, iso = render_date(rand_date(rng), date_style)
        items.append(Item("declared_on", lab("declared_on"), text))
        exp["declared_on"] = iso
        honor = list(HONORS)[i % 3]
        if i % 4 == 3:
            items.append(Item("prior_honor", lab("prior_honor"), HONORS[honor]))
        else:
            opts = {k: v for k, v in HONORS.items() if k != "none"}
            items.append(Item("prior_honor", lab("prior_honor"), check_list(opts, honor, check_style), long=True))
        exp["prior_honor"] = honor
        for key in ("directly_under", "has_office", "has_equipment", "has_activity_room"):
            val = rng.random() < 0.6
            words = [("有", "无"), ("是", "否"), ("具备", "不具备")][(i + len(key)) % 3]
            if key == "directly_under":
                words = ("是", "否")
            if i % 4 == 2:
                items.append(Item(key, lab(key), words[0] if val else words[1]))
            else:
                items.append(Item(key, lab(key), [(words[0], val, check_style), (words[1], not val, check_style)]))
            exp[key] = val
        s = long_text(rng) if i % 10 == 9 else summary(rng, 3)
        items.append(Item("plan_summary", lab("plan_summary"), s, long=True))
        exp["plan_summary"] = s
    elif kind == "acceptance":
        text, iso = render_date(rand_date(rng, hi=date(2025, 3, 1)), date_style)
        items.append(Item("creation_started_on", lab("creation_started_on"), text))
        exp["creation_started_on"] = iso
        text, iso = render_date(rand_date(rng, lo=date(2025, 3, 2)), date_style2)
        items.append(Item("applied_on", lab("applied_on"), text))
        exp["applied_on"] = iso
        scores = {k: rng.choice([16, 16.5, 17, 17.5, 18, 18.5, 19, 19.5, 20]) for k in DIMS}
        total = round(sum(scores.values()), 1)
        exp["self_scores"] = scores
        exp["self_score_total"] = total
        scores_style = SCORE_STYLES[i % len(SCORE_STYLES)]
    else:
        bname = f"“{rng.choice(BRANDS)}”" if rng.random() < 0.5 else rng.choice(BRANDS)
        items.append(Item("brand_name", lab("brand_name"), bname))
        exp["brand_name"] = bname
        comm = rng.choice(COMMUNITIES)
        items.append(Item("community", lab("community"), comm))
        exp["community"] = comm
        text, iso = render_date(rand_date(rng, hi=date(2024, 12, 31)), date_style)
        items.append(Item("established_on", lab("established_on"), text))
        exp["established_on"] = iso
        text, iso = render_date(rand_date(rng, lo=date(2025, 1, 1)), date_style2)
        items.append(Item("applied_on", lab("applied_on"), text))
        exp["applied_on"] = iso
        s = long_text(rng) if i % 10 == 9 else summary(rng, 2)
        items.append(Item("brand_summary", lab("brand_summary"), s, long=True))
        exp["brand_summary"] = s
    # shuffle the order of short items a little (forms differ)
    head, tail = items[:2], items[2:]
    rng.shuffle(tail)
    items = head + tail
    if i % 3 == 0:  # a signature row, as real forms end
        items.append(Item("_noise", "党组织意见", "（盖章）\n年    月    日"))
    variations = {"date": date_style, "count": count_style, "check": check_style, "synonym": syn,
                  "scores": scores_style, "combo": combo, "absent": absent, "fullwidth": i % 8 == 6,
                  "sdt_values": i % 5 == 3, "two_pages": kind != "acceptance" and i % 10 == 9}
    return items, exp, variations, (scores_style, exp.get("self_scores"), exp.get("self_score_total"))


# --- layouts -----------------------------------------------------------------------------
def _grid_table(doc, ncols):
    t = doc.add_table(rows=0, cols=ncols)
    t.style = "Table Grid"
    return t


def add_title(doc, title, split_runs=False):
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    write_text(p, title, split_runs=split_runs)
    for r in p.runs:
        r.font.size = Pt(18)
        r.bold = True


def layout_grid(doc, items, ncols, label_style, colon_style, split_runs, title=None):
    t = _grid_table(doc, ncols)
    if title:
        row = t.add_row()
        merged = row.cells[0].merge(row.cells[ncols - 1])
        set_cell(merged, title, size=16)
    pending = []

    def lab_text(it):
        return pad_label(it.label, label_style) + colon(colon_style)

    def flush():
        if not pending:
            return
        row = t.add_row()
        for k, it in enumerate(pending):
            set_cell(row.cells[2 * k], lab_text(it), split_runs=split_runs)
            set_cell(row.cells[2 * k + 1], it.value)
        pending.clear()

    for it in items:
        if ncols == 4 and (it.long or isinstance(it.value, list) and len(it.value) > 2):
            flush()
            row = t.add_row()
            set_cell(row.cells[0], lab_text(it), split_runs=split_runs)
            merged = row.cells[1].merge(row.cells[3])
            set_cell(merged, it.value)
            continue
        pending.append(it)
        if len(pending) == ncols // 2:
            flush()
    flush()
    return t


def layout_checkbox_cells(doc, it, label_text):
    """A row whose options sit in separate cells: label | ☑社区 | □农村 | ..."""
    n = len(it.value)
    t = _grid_table(doc, n + 1)
    row = t.add_row()
    set_cell(row.cells[0], label_text)
    for k, opt in enumerate(it.value):
        set_cell(row.cells[k + 1], [opt])


def layout_header_rows(doc, items, label_style, colon_style, split_runs):
    short = [it for it in items if not it.long]
    long = [it for it in items if it.long]
    t = _grid_table(doc, 4)
    for k in range(0, len(short), 4):
        chunk = short[k:k + 4]
        lrow, vrow = t.add_row(), t.add_row()
        for j in range(4):
            if j < len(chunk):
                set_cell(lrow.cells[j], pad_label(chunk[j].label, label_style), split_runs=split_runs)
                set_cell(vrow.cells[j], chunk[j].value)
        if len(chunk) < 4:  # merge the tail so no empty label cell is left
            lrow.cells[len(chunk) - 1].merge(lrow.cells[3])
            vrow.cells[len(chunk) - 1].merge(vrow.cells[3])
    for it in long:
        row = t.add_row()
        set_cell(row.cells[0], pad_label(it.label, label_style) + colon(colon_style), split_runs=split_runs)
        merged = row.cells[1].merge(row.cells[3])
        set_cell(merged, it.value)


def layout_vertical(doc, items, label_style, colon_style, split_runs):
    """Leftmost group label '基本情况' one char per line merged down; long items get a vertical label."""
    short = [it for it in items if not it.long]
    long = [it for it in items if it.long]
    t = _grid_table(doc, 5)
    rows = []
    for k in range(0, len(short), 2):
        chunk = short[k:k + 2]
        row = t.add_row()
        rows.append(row)
        for j, it in enumerate(chunk):
            set_cell(row.cells[1 + 2 * j], pad_label(it.label, label_style) + colon(colon_style), split_runs=split_runs)
            set_cell(row.cells[2 + 2 * j], it.value)
        if len(chunk) == 1:
            row.cells[2].merge(row.cells[4])
    if rows:
        group = rows[0].cells[0].merge(rows[-1].cells[0])
        set_cell(group, "基本情况", vertical=True)
    for it in long:
        row1, row2 = t.add_row(), t.add_row()
        lab_cell = row1.cells[0].merge(row2.cells[1])
        set_cell(lab_cell, it.label, vertical=True)
        val = row1.cells[2].merge(row2.cells[4])
        set_cell(val, it.value)


def layout_paragraphs(doc, items, label_style, colon_style, split_runs, underscores=False, rng=None):
    colon_s = colon(colon_style) or "："
    pending = []
    for it in items:
        label = pad_label(it.label, label_style)
        if it.long and isinstance(it.value, str) and not underscores:
            p = doc.add_paragraph()
            write_text(p, label + colon_s, split_runs=split_runs)
            doc.add_paragraph(it.value)  # value in the next paragraph
            continue
        if not it.long and not isinstance(it.value, list) and not pending and rng.random() < 0.5:
            pending.append(it)
            continue
        p = doc.add_paragraph()
        for prev in pending:
            _pair_runs(p, pad_label(prev.label, label_style), colon_s, prev.value, split_runs, underscores, rng)
            p.add_run("      " if rng.random() < 0.5 else "\u3000\u3000")
        pending.clear()
        _pair_runs(p, label, colon_s, it.value, split_runs, underscores, rng)
    if pending:
        p = doc.add_paragraph()
        _pair_runs(p, pad_label(pending[0].label, label_style), colon_s, pending[0].value, split_runs,
                   underscores, rng)


def _pair_runs(p, label, colon_s, value, split_runs, underscores, rng):
    write_text(p, label + colon_s, split_runs=split_runs)
    if isinstance(value, list):
        write_text(p, value)
        return
    if underscores:
        if rng.random() < 0.5:
            p.add_run("____" + value + "____")
        else:
            write_text(p, "  " + value + "  ", underline=True)
    else:
        p.add_run(value)


def add_scores(doc, style, scores, total, layout, label_style, rng):
    if style == "rows":
        t = _grid_table(doc, 2)
        for k, lab in DIMS.items():
            row = t.add_row()
            set_cell(row.cells[0], f"{pad_label(lab, label_style)}（20分）")
            set_cell(row.cells[1], _fmt(scores[k]) + ("分" if rng.random() < 0.5 else ""))
        row = t.add_row()
        set_cell(row.cells[0], "自评总分")
        set_cell(row.cells[1], _fmt(total))
    elif style == "header":
        t = _grid_table(doc, 7)
        r1, r2 = t.add_row(), t.add_row()
        group = r1.cells[0].merge(r2.cells[0])
        set_cell(group, "五个好自评得分")
        for j, (k, lab) in enumerate(DIMS.items()):
            set_cell(r1.cells[j + 1], lab)
            set_cell(r2.cells[j + 1], _fmt(scores[k]))
        set_cell(r1.cells[6], "合计")
        set_cell(r2.cells[6], _fmt(total))
    elif style == "columns":
        t = _grid_table(doc, 3)
        head = t.add_row()
        for j, h in enumerate(["考核项目", "分值", "自评得分"]):
            set_cell(head.cells[j], h)
        for k, lab in DIMS.items():
            row = t.add_row()
            set_cell(row.cells[0], lab)
            set_cell(row.cells[1], "20")
            set_cell(row.cells[2], _fmt(scores[k]))
        row = t.add_row()
        set_cell(row.cells[0], "合计")
        set_cell(row.cells[1], "100")
        set_cell(row.cells[2], _fmt(total))
    else:  # inline paragraphs
        p = doc.add_paragraph()
        p.add_run("五个好自评得分：")
        p2 = doc.add_paragraph()
        parts = [f"{lab}：{_fmt(scores[k])}分" for k, lab in DIMS.items()]
        p2.add_run("    ".join(parts[:3]))
        p3 = doc.add_paragraph()
        p3.add_run("    ".join(parts[3:]))
        p4 = doc.add_paragraph()
        p4.add_run(f"自评总分：{_fmt(total)}分")


def _fmt(x) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def make_form(rng, kind: str, i: int, path: Path) -> Case:
    items, exp, variations, (scores_style, scores, total) = build_items(rng, kind, i)
    layout = LAYOUTS[i % len(LAYOUTS)]
    variations["borderless"] = layout in ("grid4", "grid2") and (i // 7) % 2 == 1
    label_style = ["plain", "spaces", "ideographic"][i % 3]
    colon_style = ["none", "full", "half"][(i // 3) % 3] if layout not in ("paragraphs", "underscores") \
        else ["full", "half"][i % 2]
    split_runs = i % 4 == 1
    title = rng.choice(TITLES[kind])
    doc = Document()
    SDT_VALUES["on"] = variations["sdt_values"]
    try:
        cells_row = _fill(doc, rng, kind, i, items, variations, layout, label_style, colon_style, split_runs,
                          title, scores_style, scores, total)
    finally:
        SDT_VALUES["on"] = False
    doc.add_paragraph("")
    doc.add_paragraph("填表说明：本表一式两份，请如实填写。")
    doc.save(path)
    variations.update({"layout": layout, "label_style": label_style, "colon": colon_style,
                       "split_runs": split_runs, "cells_row": cells_row is not None})
    return Case(name=path.stem, kind=kind, layout=layout, expected=exp, variations=variations,
                absent=variations["absent"])


def _fill(doc, rng, kind, i, items, variations, layout, label_style, colon_style, split_runs, title,
          scores_style, scores, total):
    cells_row = None
    if variations["check"] == "cells" and layout in ("grid4", "grid2", "title_in_table"):
        cells_row = next((it for it in items if it.key == "domain" and isinstance(it.value, list)), None)
        if cells_row:
            items = [it for it in items if it is not cells_row]
    if layout == "title_in_table":
        layout_grid(doc, items, 4, label_style, colon_style, split_runs, title=title)
    else:
        add_title(doc, title, split_runs=i % 5 == 2)
        if rng.random() < 0.5:
            doc.add_paragraph(f"填报单位（盖章）：{rng.choice(ORGS)}机关党委")
        if layout == "grid4":
            layout_grid(doc, items, 4, label_style, colon_style, split_runs)
        elif layout == "grid2":
            layout_grid(doc, items, 2, label_style, colon_style, split_runs)
        elif layout == "header_rows":
            layout_header_rows(doc, items, label_style, colon_style, split_runs)
        elif layout == "vertical":
            layout_vertical(doc, items, label_style, colon_style, split_runs)
        elif layout == "paragraphs":
            layout_paragraphs(doc, items, label_style, colon_style, split_runs, rng=rng)
        else:
            layout_paragraphs(doc, items, label_style, colon_style, split_runs, underscores=True, rng=rng)
    if cells_row is not None:
        layout_checkbox_cells(doc, cells_row, pad_label(cells_row.label, label_style))
    if scores_style:
        add_scores(doc, scores_style, scores, total, layout, label_style, rng)
    if variations["borderless"]:
        for t in doc.tables:
            t.style = doc.styles["Normal Table"]  # no ruling: the PDF has no table lines
    return cells_row


# --- reports -----------------------------------------------------------------------------
HEADINGS = ["一、基本情况", "二、主要做法", "三、取得成效", "四、存在问题", "五、下一步打算"]


def make_report(rng, i: int, path: Path) -> Case:
    org = rng.choice(ORGS)
    title = f"{org}第{rng.randint(1, 9)}党支部创建“五好党支部”工作汇报"
    doc = Document()
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    r = p.add_run(title)
    r.font.size = Pt(22)
    texts = [title]
    heads = HEADINGS[: 3 + i % 3]
    target = 2500
    per = target // len(heads)
    for h in heads:
        doc.add_paragraph(h)
        texts.append(h)
        written = 0
        while written < per:
            para = "　　" + "，".join(rng.sample(SENTENCES, 3)) + "。"
            doc.add_paragraph(para)
            texts.append(para)
            written += len(para)
    doc.add_paragraph(f"{org}党支部")
    texts.append(f"{org}党支部")
    if i % 2 == 0:  # GB/T 9704 page numbers in the footer: "— 1 —" (not report text)
        from docx.oxml import parse_xml
        fp = doc.sections[0].footer.paragraphs[0]
        fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fp.add_run("— ")
        fp._p.append(parse_xml(f'<w:fldSimple xmlns:w="{W_NS}" w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>'))
        fp.add_run(" —")
    doc.save(path)
    count = sum(1 for t in texts for ch in t if not ch.isspace())
    return Case(name=path.stem, kind="report", layout="report",
                expected={"title": title, "char_count": count, "headings": heads})


# --- the committed blank templates, filled in -----------------------------------------------
def make_from_template(rng, kind: str, i: int, path: Path) -> Case:
    """Fill the blank template of parsers.blank_forms the way a branch would (ticks, text)."""
    from parsers.blank_forms import BOOL_WORDS, build
    from parsers.forms import field_spec

    spec = field_spec(kind)
    label_to_key = {v["label"]: k for k, v in spec.items()}
    items, exp, _, (_, scores, total) = build_items(rng, kind, i)
    by_key = {it.key: it for it in items}
    doc = build(kind)
    expected = {}
    absent = []
    main = doc.tables[0]
    for row in main.rows:
        seen = []
        for cell in row.cells:
            if seen and cell._tc is seen[-1]._tc:
                continue
            seen.append(cell)
        for lab_cell, val_cell in zip(seen[0::2], seen[1::2]):
            key = label_to_key.get(lab_cell.text.strip())
            if key is None:
                continue
            if key not in exp:  # left blank
                absent.append(key)
                for par in val_cell.paragraphs:
                    for run in par.runs:
                        run.text = ""
                continue
            ftype = spec[key]["type"]
            if ftype in ("domain", "honor"):
                code = exp[key]
                options = DOMAINS if ftype == "domain" else HONORS
                text = "  ".join(("☑" if c == code else "□") + lab for c, lab in options.items())
                expected[key] = code
            elif ftype == "bool":
                yes, no = BOOL_WORDS[key]
                val = exp[key]
                text = f"{'☑' if val else '□'}{yes}  {'□' if val else '☑'}{no}"
                expected[key] = val
            elif key in ("contact_person", "contact_phone") and key not in by_key:
                text = exp[key]
                expected[key] = exp[key]
            else:
                it = by_key[key]
                text = it.value if isinstance(it.value, str) else ""
                expected[key] = exp[key]
            for par in val_cell.paragraphs:
                for run in par.runs:
                    run.text = ""  # the template's empty "□" options are replaced by the answer
            val_cell.paragraphs[0].add_run(text)
    if kind == "acceptance":
        t = doc.tables[1]
        for row, key in zip(t.rows[1:], list(DIMS) + ["total"]):
            row.cells[2].paragraphs[0].add_run(_fmt(scores[key] if key != "total" else total))
        expected["self_scores"] = scores
        expected["self_score_total"] = total
    doc.save(path)
    return Case(name=path.stem, kind=kind, layout="template", expected=expected, variations={"layout": "template"},
                absent=absent)


def build_corpus(outdir: Path, per_kind: int = 22, reports: int = 6, seed: int = 20240315,
                 prefix: str = "", templates: int = 2, wordings: dict | None = None) -> list[Case]:
    """Write the corpus (DOCX) into outdir and return its cases; names start with prefix.

    ``wordings`` (key -> labels) replaces every field label that has one by a wording of it.
    """
    outdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    cases = []
    UNSEEN["pool"] = wordings
    try:
        for kind in ("declaration", "acceptance", "brand"):
            for i in range(per_kind):
                cases.append(make_form(rng, kind, i, outdir / f"{prefix}{kind}_{i:02d}.docx"))
    finally:
        UNSEEN["pool"] = None
    for i in range(reports):
        cases.append(make_report(rng, i, outdir / f"{prefix}report_{i:02d}.docx"))
    rng = random.Random(seed + 1)
    for kind in ("declaration", "acceptance", "brand"):
        for i in range(templates):
            cases.append(make_from_template(rng, kind, i, outdir / f"{prefix}template_{kind}_{i}.docx"))
    return cases


def write_manifest(outdir: Path, cases: list[Case]) -> None:
    (outdir / "manifest.json").write_text(
        json.dumps([c.__dict__ for c in cases], ensure_ascii=False, indent=1), encoding="utf-8")
