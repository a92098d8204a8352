"""From a kind's plain context to the document "view" both renderers draw.

A view is plain data: the wording of the document lives here, once, so the DOCX and the PDF
cannot drift apart.  Templates only lay the view out.

view = {
  "kind", "layout": "official" | "ledger" | "honor-certificate" | "party-card",
  "doc_title": str,                       # metadata title
  "org_mark": str | "",                   # 发文机关标志 (red, 版头)
  "number": str | "",                     # 发文字号, centred under the mark
  "title": str,                           # 2号小标宋 title
  "addressee": str | "",                  # 主送机关
  "blocks": [ {"t": "p"|"h1"|"h2"|"item"|"plain"|"center"|"table"|"image"|"gap", ...} ],
  "appendix": [block],                    # 附件 pages, after the signature, before the 版记
  "signature": str, "date": str,          # 发文机关署名, 成文日期
  "copy_to": str, "printer": str, "printed_on": str,   # 版记
}
Block "hei" is an unindented 黑体 line (the word 附件 at the top of an attachment page); block
"attach" is the 附件说明 (GB/T 9704-2012 7.3.4: 正文下空一行，左空二字).
Table blocks: {"t": "table", "headers": [...], "rows": [[...]], "widths": [twips...]};
image blocks: {"t": "image", "png": bytes, "width_mm": float, "alt": str}.
"""

from __future__ import annotations

import re
from datetime import date

from ..vocabulary import DOMAINS as DOMAIN_NAMES
from ..vocabulary import cn_date as _cn_date
from . import layout, typeset
from .charts import bar_chart_png
from .programmes import cite, programme_for, scrub
from .qr import qr_png
from .safety import clean

CN_NUM = "〇一二三四五六七八九"
CN_ORDINALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
               "十一", "十二", "十三", "十四", "十五", "十六", "十七", "十八", "十九", "二十"]


class ContextError(ValueError):
    """The context lacks something the document needs."""


def parse_iso(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    m = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})", str(value))
    if not m:
        raise ContextError(f"不是有效的日期：{value!r}")
    return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def cn_date(value) -> str:
    """成文日期 in Arabic numerals without padding: 2025年6月28日 (GB/T 9704-2012 7.3.5.4)."""
    return _cn_date(parse_iso(value))


def ordinal(i: int) -> str:
    return CN_ORDINALS[i - 1] if 1 <= i <= len(CN_ORDINALS) else str(i)


def fmt_num(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def _p(text: str) -> dict:
    return {"t": "p", "text": text}


def _h1(text: str) -> dict:
    return {"t": "h1", "text": text}


def _h2(text: str) -> dict:
    return {"t": "h2", "text": text}


def _item(text: str) -> dict:
    return {"t": "item", "text": text}


_NUMERIC = re.compile(r"^[-+—]?[\d.,]*%?$|^—$")
#: a date cell set on two lines, 2026年 / 12月17日: in a column as wide as its longer line it never breaks inside a
#: figure (2026年12/月17日 in PDF, 2026年/12月17/日 in LibreOffice, in the 整改任务书's 21.7 mm 整改时限)
_DATE_CELL = re.compile(r"^\d{4}年\n\d{1,2}月\d{1,2}日$")
_AUTOSPACE_EMS = 1.0  # LibreOffice sets a gap between a figure and an ideograph that Word and the PDF do not


def table_date(value) -> str:
    """A date for a narrow table column: the year on a line of its own (see ``_DATE_CELL``)."""
    text = cn_date(value)
    return text.replace("年", "年\n", 1) if text else text


def _text_mm(text: str) -> float:
    """How wide a table cell's text is set (小四): an ideograph or full-width sign an em, a digit or a Latin
    letter 0.6 em (the widest the faces draw them)."""
    ems = sum(1.0 if ord(ch) >= 0x2E80 or ch in "“”‘’—…" else 0.6 for ch in text)
    return ems * layout.TABLE_PT * 25.4 / 72


def _fitted(headers: list[str], rows: list[list[str]], weights: list[float], total_mm: float) -> list[float]:
    """Column widths (mm) by ``weights``, each column but the widest at least as wide as its header (half of
    one of four characters or more) and its figures (plus 2 × the cell padding and 0.8 mm for the rules):
    “支部数” was set as 支部/数 and 92.3% as 92.3/% in columns 14.7 mm wide; the widest column (the names,
    which may wrap) gives up what they take."""
    s = sum(weights)
    widths = [total_mm * w / s for w in weights]
    wide = max(range(len(weights)), key=lambda i: weights[i])
    for i in range(len(widths)):
        if i == wide:
            continue
        head = headers[i] if i < len(headers) else ""
        # a header of four characters or more may take two lines (农村/后进); one of three may not (支部/数)
        texts = [head[:(len(head) + 1) // 2] if len(head) >= 4 else head]
        texts += [r[i] for r in rows if i < len(r) and _NUMERIC.match(r[i])]
        dates = [max(r[i].split("\n"), key=_text_mm) for r in rows if i < len(r) and _DATE_CELL.match(r[i])]
        need = max([_text_mm(t) for t in texts] + [_text_mm(t) + _AUTOSPACE_EMS * _text_mm("一") for t in dates],
                   default=0) + 2 * layout.TABLE_PAD_X_MM + 0.8
        widths[i] = max(widths[i], need)
    rest = total_mm - sum(w for i, w in enumerate(widths) if i != wide)
    if rest < 0.6 * total_mm * weights[wide] / s:
        return [total_mm * w / s for w in weights]  # too many figures to fit: as weighed
    widths[wide] = rest
    return widths


def _table(headers: list[str], rows: list[list], weights: list[float], total_mm: float, fit: bool = False) -> dict:
    """A table block; ``fit``: figures and short headers never wrap (:func:`_fitted`; tables set in 小四)."""
    cells = [[fmt_num(c) if not isinstance(c, str) else c for c in row] for row in rows]
    if not fit:
        total = layout.mm_to_twips(total_mm)
        s = sum(weights)
        return {"t": "table", "headers": headers, "rows": cells, "widths": [int(total * w / s) for w in weights]}
    widths = [layout.mm_to_twips(w) for w in _fitted(headers, cells, weights, total_mm)]
    widths[-1] -= sum(widths) - layout.mm_to_twips(total_mm)  # rounding: the table keeps its width
    return {"t": "table", "headers": headers, "rows": cells, "widths": widths}


def _grouped(table: dict, groups: list[int]) -> dict:
    """A table whose rows go in groups a page break may not split: a 考核项目's name stands in the first
    row of its group only, and a group broken across pages left its rows on the next page with an empty
    考核项目 cell (验收意见表, 工作机制好).  ``groups``: the rows of each group, in order; the PDF sets a
    tbody per group (break-inside: avoid), the DOCX keeps each row but a group's last with the next."""
    assert sum(groups) == len(table["rows"]), (groups, len(table["rows"]))
    keep_next = []
    for n in groups:
        keep_next += [True] * (n - 1) + [False]
    return dict(table, groups=groups, keep_next=keep_next)


def title_lines(title: str, width_mm: float = layout.TYPE_AREA_WIDTH_MM) -> list[str]:
    """A 2号 title broken between words into balanced lines (GB/T 9704-2012 7.3.1)."""
    return typeset.title_lines(title, "title", layout.TITLE_PT, layout.mm_to_pt(width_mm))


def signature_pads(signature: str, date: str) -> dict:
    """落款 (GB/T 9704-2012 7.3.5.1): the date 右空四字, the signature centred on the date."""
    four = 4 * layout.CHAR_PITCH_PT
    date_w = typeset.width(date, "body", layout.BODY_PT, layout.LETTER_SPACING_PT)
    sig_w = typeset.width(signature, "body", layout.BODY_PT, layout.LETTER_SPACING_PT)
    sig_pad = max(0.0, four + (date_w - sig_w) / 2) if date else four
    return {"date_pad_pt": round(four, 2), "signature_pad_pt": round(sig_pad, 2),
            "signature_pad_twips": round(sig_pad * layout.TWIPS_PER_PT)}


def _official(kind: str, ctx: dict, title: str, addressee: str, blocks: list[dict], *,
              appendix: list[dict] | None = None, copy_to: str = "", org_mark: bool = True,
              signature: str | None = None) -> dict:
    issuer = ctx.get("issuer") or ""
    issued_on = ctx.get("issued_on")
    printer = ctx.get("printer") or issuer
    mark = (ctx.get("org_mark") or f"{issuer}文件") if org_mark and issuer else ""
    # 发文机关标志: at most 36 pt, shrunk so that it fits the 156 mm type area on one line
    mark_pt = min(layout.ORG_MARK_PT,
                  int(layout.mm_to_pt(layout.TYPE_AREA_WIDTH_MM) * 0.95 / max(len(mark), 1)))
    date = cn_date(issued_on)
    signature = issuer if signature is None else signature
    return {
        "kind": kind,
        "layout": "official",
        "doc_title": title,
        "title_lines": title_lines(title),
        **signature_pads(signature, date),
        "org_mark": mark,
        "org_mark_pt": mark_pt,
        "org_mark_sz": int(mark_pt * 2),
        "number": ctx.get("number") or "",
        "title": title,
        "addressee": addressee,
        "blocks": blocks,
        "appendix": appendix or [],
        "signature": signature,
        "date": date,
        "copy_to": f"抄送：{copy_to}。" if copy_to else "",
        "printer": printer,
        "printed_on": f"{cn_date(issued_on)}印发" if issued_on else "",
        "banji_y_twips": banji_y_twips(bool(copy_to)),
        # tables' line pitch in the DOCX; the registry closes it up where the PDF does
        "table_line_twips": round(layout.TABLE_LINE_PT * layout.TWIPS_PER_PT),
        # a cell's padding, the PDF's (official.css)
        "table_pad_x_twips": layout.mm_to_twips(layout.TABLE_PAD_X_MM),
        "table_pad_y_twips": layout.mm_to_twips(layout.TABLE_PAD_Y_MM),
    }


#: 版记 rows in the DOCX (exact height, 24.85 pt: the PDF's row pitch) and what its rules add
#: (LibreOffice 7.4 draws each rule centred on the row edge: half the last rule, 0.5 pt, plus the
#: 0.55 pt by which it draws the first rule below the anchor)
BANJI_ROW_TWIPS = 497
BANJI_RULES_TWIPS = 21


def banji_y_twips(with_copy_to: bool, type_area_mm: float = layout.TYPE_AREA_HEIGHT_MM) -> int:
    """Where the DOCX 版记 table starts below the type area's top, so that its last rule lies on
    the type area's bottom edge (GB/T 9704-2012 7.4).  The table floats, anchored to the page
    horizontally (``tblpX`` = the 订口): LibreOffice 7.4 floats a table only when it is narrower than
    the text area or placed relative to the page, and otherwise leaves it in the text flow after
    the 落款; Word and WPS honour either anchor."""
    rows = 2 if with_copy_to else 1
    return layout.mm_to_twips(type_area_mm) - rows * BANJI_ROW_TWIPS - BANJI_RULES_TWIPS


# --------------------------------------------------------------------------- the kinds

def supplement_notice(ctx: dict) -> dict:
    branch = ctx["branch_name"]
    sub = ctx.get("submission") or {}
    form = sub.get("form_label") or "申报材料"
    missing = ctx.get("missing") or []
    if not missing:
        raise ContextError("补正通知须列明缺少的内容，本次材料没有缺项。")
    blocks = [_p(
        f"你支部于{cn_date(sub.get('uploaded_on'))}提交的《{form}》"
        f"（文件名：{sub.get('original_name') or '未命名'}）经审核，尚有以下{len(missing)}项内容缺失或不符合要求，"
        f"请于{cn_date(ctx.get('deadline'))}前补正后重新提交。")]
    blocks.append(_h1("一、需要补正的内容"))
    prog = _programme(ctx)
    for i, m in enumerate(missing, 1):
        cited = cite(m.get("clause"), prog)
        clause = f"（依据：{cited}）" if cited else ""
        blocks.append(_item(f"{i}.{scrub(m['message'], prog)}{clause}"))
    blocks.append(_h1("二、有关要求"))
    blocks.append(_p("补正材料须按原表格式填写完整，与原提交材料一并上传；已提交且无误的内容无需重复提交。"
                     "逾期未补正的，本次申报按未提交处理。"))
    contact = ctx.get("contact") or {}
    if contact.get("person") or contact.get("phone"):
        blocks.append(_p(f"联系人：{contact.get('person') or ''}，联系电话：{contact.get('phone') or ''}。"))
    return _official("supplement-notice", ctx, f"关于补正《{form}》材料的通知", f"{branch}：", blocks,
                     copy_to=ctx.get("parent_org") or "", org_mark=False)


def acceptance_form(ctx: dict) -> dict:
    scores = ctx.get("scores") or {}
    item_scores = ctx.get("item_scores") or {}
    domain_label = ctx.get("domain_label") or DOMAIN_NAMES.get(ctx.get("domain") or "", "")
    info = _table(
        [],
        [["党支部名称", ctx["branch_name"], "上级党组织", ctx.get("parent_org") or ""],
         ["所属领域", domain_label, "支部书记", ctx.get("secretary") or ""],
         ["党员人数", fmt_num(ctx.get("member_count")), "考核年度", fmt_num(ctx.get("year"))]],
        [1.2, 2.2, 1.2, 2.2], layout.TYPE_AREA_WIDTH_MM)
    rows, groups = [], []
    for dim in ctx.get("rubric") or []:
        items = dim.get("items") or []
        dim_label = f"{dim['name']}（{fmt_num(dim['max'])}分）"
        groups.append(len(items) + 1)  # a dimension's items and its 小计, or its one row
        if not items:
            rows.append([dim_label, "", fmt_num(dim["max"]), "", fmt_num(scores.get(dim["key"]))])
        for j, it in enumerate(items):
            rule = "；".join(d.get("text", "") for d in it.get("deductions") or [])
            rows.append([dim_label if j == 0 else "", it.get("text", ""), fmt_num(it.get("points")),
                         rule, fmt_num(item_scores.get(it.get("id"), ""))])
        if items:
            rows.append(["", f"{dim['name']}小计", fmt_num(dim["max"]), "",
                         fmt_num(scores.get(dim["key"]))])
    score_table = _grouped(_table(["考核项目", "考核内容", "分值", "评分标准", "得分"], rows,
                                  [1.3, 3.0, 0.6, 2.6, 0.7], layout.TYPE_AREA_WIDTH_MM), groups)
    blocks = [info, {"t": "gap"}, score_table]
    total = fmt_num(ctx.get("total"))
    rate = ctx.get("satisfaction_rate")
    summary = [["考核总分", total or "", "群众满意率",
                (fmt_num(rate) + "%") if rate not in (None, "") else ""],
               ["评定等次", ctx.get("grade") or "", "考核日期", cn_date(ctx.get("assessed_on"))]]
    blocks.append({"t": "gap"})
    blocks.append(_table([], summary, [1.2, 2.2, 1.2, 2.2],
                         layout.TYPE_AREA_WIDTH_MM))
    blocks.append(_p("考核组意见：" + (ctx.get("opinion") or "（由考核组填写）")))
    members = "、".join(ctx.get("group_members") or [])
    blocks.append(_p(f"考核组成员（签字）：{members}"))
    blocks.append(_p("考核组组长（签字）：　　　　　　　　年　　月　　日"))
    title = "市直机关“五好党支部”验收意见表（考核评分表）"
    view = _official("acceptance-form", ctx, title, "", blocks, org_mark=False, signature="")
    view.update({"date": "", "copy_to": "", "printer": "", "printed_on": "",
                 "subtitle": f"（{fmt_num(ctx.get('year'))}年度 · {domain_label}领域标准）"})
    view["blocks"].insert(0, {"t": "center", "text": view.pop("subtitle")})
    return view


def _programme(ctx: dict) -> dict:
    """The issuing organ's programme (programmes.yaml); the 工委's for a context built without one."""
    return ctx.get("programme") or programme_for(ctx.get("issuer") or "")


def rectification_notice(ctx: dict) -> dict:
    branch = ctx["branch_name"]
    prog = _programme(ctx)
    texts = prog.get("rectification") or {}
    wording = (texts.get("backward") if ctx.get("backward") else None) or texts["problem"]
    reason = scrub(ctx.get("reason") or "经检查").rstrip("。；")
    blocks = [_p(wording["opening"].format(reason=reason, source=prog["source"]))]
    blocks.append(_h1("一、存在的问题"))
    for i, f in enumerate(ctx.get("findings") or [], 1):
        cited = cite(f.get("clause"), prog)
        blocks.append(_item(f"{i}.{scrub(f['message'], prog)}" + (f"（{cited}）" if cited else "")))
    blocks.append(_h1("二、整改要求"))
    for i, r in enumerate(ctx.get("requirements") or wording["requirements"], 1):
        blocks.append(_h2(f"（{ordinal(i)}）{r}"))
    blocks.append(_h1("三、整改时限"))
    blocks.append(_p(wording["closing"].format(deadline=cn_date(ctx.get("deadline")))))
    return _official("rectification-notice", ctx, "限期整改通知书", f"{branch}：", blocks,
                     copy_to=ctx.get("parent_org") or "")


def rectification_taskbook(ctx: dict) -> dict:
    branch = ctx["branch_name"]
    year = fmt_num(ctx.get("year"))
    blocks = [_p(f"根据{year}年度党支部分类定级结果，{branch}（{ctx.get('domain_label') or ''}领域，"
                 f"得分{fmt_num(ctx.get('total'))}分，评定等次“{ctx.get('grade') or ''}”）被确定为相对后进党支部。"
                 f"按照“一支部一方案”的要求，下达本整改任务书。")]
    blocks.append(_h1("一、整改任务"))
    rows = []
    for i, it in enumerate(ctx.get("items") or [], 1):
        rows.append([str(i), it.get("category", ""), it.get("problem", ""), it.get("measure", ""),
                     it.get("target", ""), it.get("leader", ""), it.get("owner", ""),
                     table_date(it.get("due_on"))])
    blocks.append(_table(["序号", "问题类别", "具体问题", "整改措施", "整改目标", "责任领导", "责任人",
                          "整改时限"], rows, [0.6, 1.1, 2.4, 1.8, 1.4, 1.0, 1.0, 1.5],
                         layout.TYPE_AREA_WIDTH_MM, fit=True))
    blocks.append(_h1("二、责任落实"))
    blocks.append(_p(f"{ctx.get('parent_org') or '上级党组织'}对整改工作负领导责任，支部书记{ctx.get('secretary') or ''}"
                     f"为第一责任人。整改进展每季度报告一次，纳入整改工作台账管理，整改完成后逐项销号。"))
    blocks.append(_h1("三、完成时限"))
    blocks.append(_p(f"全部整改任务须于{cn_date(ctx.get('deadline'))}前完成。"))
    return _official("rectification-taskbook", ctx, f"{branch}整改任务书", f"{branch}：", blocks,
                     copy_to=ctx.get("parent_org") or "", org_mark=False)


LEDGER_HEADERS = ["序号", "党支部", "问题类别", "具体问题", "整改措施", "整改目标", "责任领导", "责任人",
                  "整改时限", "进展情况", "销号日期", "备注"]


def ledger_rows(ctx: dict) -> list[list[str]]:
    rows = []
    for i, r in enumerate(ctx.get("rows") or [], 1):
        rows.append([str(i), r.get("branch_name", ""), r.get("category", ""), r.get("problem", ""),
                     r.get("measure", ""), r.get("target", ""), r.get("leader", ""), r.get("owner", ""),
                     cn_date(r.get("due_on")), r.get("progress", ""), cn_date(r.get("closed_on")),
                     r.get("note", "")])
    return rows


def rectification_ledger(ctx: dict) -> dict:
    width = layout.PAGE_HEIGHT_MM - 2 * 20  # landscape, 20 mm margins
    table = _table(LEDGER_HEADERS, ledger_rows(ctx),
                   [0.5, 1.5, 1.0, 2.0, 2.0, 1.6, 0.9, 0.9, 1.2, 1.6, 1.2, 0.9], width)
    title = f"{ctx.get('organisation') or ''}相对后进党支部整改工作台账"
    rows = ctx.get("rows") or []
    closed = sum(1 for r in rows if r.get("closed_on"))
    blocks = [{"t": "center", "text": f"（{fmt_num(ctx.get('year'))}年度，截至{cn_date(ctx.get('as_of'))}，"
                                      f"共{len(rows)}项，已销号{closed}项）"}, table]
    view = _official("rectification-ledger", ctx, title, "", blocks, org_mark=False, signature="")
    view.update({"layout": "ledger", "date": "", "copy_to": "", "printer": "", "printed_on": "",
                 "title_lines": title_lines(title, width)})
    return view


def commendation_decision(ctx: dict) -> dict:
    year = fmt_num(ctx.get("year"))
    branches = ctx.get("branches") or []
    if not branches:
        raise ContextError("表彰决定须列出受表彰的党支部。")
    prog = _programme(ctx)
    words = prog["commendation"]
    list_title = words["list_title"].format(year=year)
    blocks = [_p(words["opening"].format(year=year, count=ctx.get("count_text") or f"{len(branches)}个",
                                         term=ctx.get("term") or "")),
              _p(f"希望受到表彰的党支部珍惜荣誉、再接再厉，充分发挥示范带动作用。{prog['units']}要以先进为榜样，"
                 "深化创建活动，不断提升党支部建设质量。"),
              {"t": "attach", "text": "附件：" + list_title}]
    # the attachment follows the signature on a new page (GB/T 9704-2012 8.2)
    appendix = [{"t": "hei", "text": "附件"}, {"t": "title2", "text": list_title, "title_lines": title_lines(list_title)},
                {"t": "gap"}]
    groups: dict[str, list[str]] = {}
    for b in branches:
        groups.setdefault(b.get("parent_org") or "直属党支部", []).append(b["name"])
    for parent, names in groups.items():
        appendix.append(_h1(f"{parent}（{len(names)}个）"))
        appendix.append(_p("、".join(names)))
    view = _official("commendation-decision", ctx,
                     words["title"].format(year=year), ctx.get("addressee") or f"{prog['units']}：",
                     blocks, appendix=appendix, copy_to=ctx.get("copy_to") or "")
    return view


def brand_naming_decision(ctx: dict) -> dict:
    """命名决定 of the street's 党建品牌 (SQ-3): the decision, then the list with each brand's unit and score."""
    year = fmt_num(ctx.get("year"))
    brands = ctx.get("brands") or []
    if not brands:
        raise ContextError("命名决定须列出被命名的党建品牌。")
    prog = _programme(ctx)
    words = prog.get("brand_naming") or programme_for("街道党工委")["brand_naming"]
    list_title = words["list_title"].format(year=year)
    blocks = [_p(words["opening"].format(year=year, count=f"{len(brands)}个")),
              _p(words["closing"]),
              {"t": "attach", "text": "附件：" + list_title}]
    appendix = [{"t": "hei", "text": "附件"}, {"t": "title2", "text": list_title, "title_lines": title_lines(list_title)},
                {"t": "gap"}]
    rows = [[str(i), b["name"], b.get("unit") or "", fmt_num(b.get("score")) if b.get("score") is not None else ""]
            for i, b in enumerate(brands, 1)]
    appendix.append(_table(["序号", "党建品牌名称", "创建单位", "考核评比得分"], rows, [0.7, 2.6, 2.6, 1.3],
                           layout.TYPE_AREA_WIDTH_MM))
    return _official("brand-naming-decision", ctx, words["title"].format(year=year),
                     ctx.get("addressee") or f"{prog['units']}：", blocks, appendix=appendix,
                     copy_to=ctx.get("copy_to") or "")


def delisting_notice(ctx: dict) -> dict:
    branch = ctx["branch_name"]
    kind = ctx.get("delisting_kind") or "natural"
    kind_label = {"natural": "自然摘牌", "unconditional": "无条件摘牌", "revoked": "撤销称号"}.get(kind, "摘牌")
    rule = ctx.get("rule") or ("SZ-3.3" if kind == "natural" else "SZ-3.4")
    prog = _programme(ctx)
    honour = prog["honour"].strip("“”")
    basis = (cite(rule) if rule.startswith(prog["code"]) else prog.get("delisting_basis")) or "有关规定"
    rule_text = f"（{ctx['rule_text']}）" if ctx.get("rule_text") else ""
    blocks = [_p(f"你支部于{cn_date(ctx.get('commended_on'))}被命名为“{honour}”"
                 f"（称号届期{ctx.get('term') or ''}"
                 + (f"，荣誉证书编号{ctx['certificate_number']}" if ctx.get("certificate_number") else "")
                 + "）。"),
              _p(f"经核实：{scrub(ctx['reason'])}。"),
              _p(f"根据{basis}{rule_text}，"
                 f"决定对你支部予以{kind_label}，自{cn_date(ctx.get('effective_on'))}起"
                 f"撤销“{honour}”称号，收回牌匾，荣誉证书同时作废。")]
    blocks.append(_p("请你支部认真查找原因，切实加强党支部建设，符合条件后可重新申报创建。"))
    return _official("delisting-notice", ctx, "关于对" + branch + "予以摘牌的通知", f"{branch}：", blocks,
                     copy_to=ctx.get("parent_org") or "")


def quarterly_report(ctx: dict) -> dict:
    year = fmt_num(ctx.get("year"))
    q = int(ctx.get("quarter") or 1)
    by_c = ctx.get("by_committee") or []
    by_d = ctx.get("by_domain") or []
    tot = ctx.get("totals") or {}
    blocks = [_p(f"现将{year}年第{ordinal(q)}季度“五好党支部”创建和分类定级工作进展情况通报如下。")]
    blocks.append(_h1("一、总体情况"))
    graded = fmt_num(ctx.get("grading_year") or ctx.get("year"))
    blocks.append(_p(f"截至{cn_date(ctx.get('as_of'))}，纳入统计的党支部{tot.get('branches', 0)}个，{graded}年度已完成考核"
                     f"{tot.get('assessed', 0)}个，评定为“好”等次{tot.get('good', 0)}个，确定相对后进党支部"
                     f"{tot.get('backward', 0)}个；整改任务{tot.get('items', 0)}项，已销号{tot.get('closed', 0)}项，"
                     f"逾期未销号{tot.get('overdue', 0)}项。本季度新增整改任务{tot.get('opened_in_quarter', 0)}项，"
                     f"销号{tot.get('closed_in_quarter', 0)}项。"))
    headers = ["单位", "支部数", "已考核", "“好”", "后进", "整改", "销号", "逾期", "完成率"]

    def rows_of(data):
        out = []
        for r in data:
            rate = f"{round(100 * r.get('closed', 0) / r['items'])}%" if r.get("items") else "—"
            out.append([r["name"], r.get("branches", 0), r.get("assessed", 0), r.get("good", 0),
                        r.get("backward", 0), r.get("items", 0), r.get("closed", 0), r.get("overdue", 0), rate])
        return out

    weights = [2.6, 1, 1, 1, 1, 1, 1, 1, 1]
    blocks.append(_h1("二、各党委（党工委）进展"))
    blocks.append({"t": "image", "png": bar_chart_png(
        [r["name"] for r in by_c], [("已考核", [r.get("assessed", 0) for r in by_c]),
                                    ("整改已销号", [r.get("closed", 0) for r in by_c])]),
        "width_mm": 150, "alt": "各党委进展图"})
    # each table on one page (a split one repeats its header in the PDF, and reads badly in both)
    blocks.append({**_table(headers, rows_of(by_c), weights, layout.TYPE_AREA_WIDTH_MM, fit=True), "keep": True})
    blocks.append(_h1("三、各领域进展"))
    blocks.append({"t": "image", "png": bar_chart_png(
        [r["name"] for r in by_d], [("已考核", [r.get("assessed", 0) for r in by_d]),
                                    ("整改已销号", [r.get("closed", 0) for r in by_d])]),
        "width_mm": 150, "alt": "各领域进展图"})
    blocks.append({**_table(["领域"] + headers[1:], rows_of(by_d), weights, layout.TYPE_AREA_WIDTH_MM, fit=True),
                   "keep": True})
    # 四 is the district's own records (JH-4..JH-6); the 工委's programme keeps none, and a section of
    # zeros (培训覆盖率“—”) would read as a district that did nothing
    district = bool(_programme(ctx).get("district_records"))
    if district:
        blocks.extend(_district_blocks(ctx, by_c, by_d, tot))
    blocks.append(_h1(("五" if district else "四") + "、下一步工作"))
    for i, t in enumerate(ctx.get("next_steps") or [
            "未完成考核的党委要抓紧组织考核，按时报送结果。",
            "相对后进党支部要对照整改任务书逐项整改，按季度报告进展。"], 1):
        blocks.append(_h2(f"（{ordinal(i)}）{t}"))
    return _official("quarterly-report", ctx, f"关于{year}年第{ordinal(q)}季度“五好党支部”创建工作进展情况的通报",
                     ctx.get("addressee") or "各党委（党工委）：", blocks, copy_to=ctx.get("copy_to") or "")


def _rate(value) -> str:
    return "—" if value is None else f"{fmt_num(value)}%"


def _names(items: list[str], limit: int = 12) -> str:
    shown = "、".join(items[:limit])
    return shown + (f"等{len(items)}个" if len(items) > limit else "")


def _district_blocks(ctx: dict, by_c: list[dict], by_d: list[dict], tot: dict) -> list[dict]:
    """四、挂点包保、督导检查和主题党日 (JH-4..JH-6), from the district's records of the quarter."""
    facts = ctx.get("district") or {}
    blocks = [_h1("四、挂点包保、督导检查和主题党日情况")]
    lag = tot.get("backward_assigned", 0) + tot.get("backward_unassigned", 0)
    blocks.append(_h2("（一）挂点包保"))
    text = (f"农村相对后进党支部{lag}个，已落实区级领导挂点包保{tot.get('backward_assigned', 0)}个，"
            f"尚未落实{tot.get('backward_unassigned', 0)}个")
    text += (f"（{_names(facts.get('unassigned') or [])}）。" if facts.get("unassigned") else "。")
    text += f"县级领导创建联系点{tot.get('contacts', 0)}个。"
    blocks.append(_p(text))
    blocks.append(_h2("（二）督导检查"))
    blocks.append(_p(f"本季度督导组开展督导检查{tot.get('inspections', 0)}次，发现问题列入整改工作台账"
                     f"{tot.get('inspection_rows', 0)}项；挂点领导走访{tot.get('visits', 0)}次，"
                     f"发现问题列入整改工作台账{tot.get('visit_rows', 0)}项。"))
    missing = facts.get("party_missing") or []
    blocks.append(_h2("（三）主题党日"))
    text = (f"本季度应开展主题党日{tot.get('party_branch_months', 0)}支部次，已开展"
            f"{tot.get('party_held', 0)}次，其中每月8日开展{tot.get('party_on_day', 0)}次、其他日期开展"
            f"{tot.get('party_other_day', 0)}次（未说明原因{tot.get('party_other_day_no_reason', 0)}次），"
            f"未开展{tot.get('party_missing', 0)}次；参加率{_rate(tot.get('party_attendance_rate'))}。")
    if missing:
        text += "未开展的：" + _names([f"{m['branch_name']}{m['month']}月" for m in missing]) + "。"
    blocks.append(_p(text))
    headers = ["单位", "农村后进", "挂点", "督导", "走访", "应开展", "8日", "他日", "未开展", "参加率"]

    def rows_of(data):
        return [[r["name"], r.get("backward_assigned", 0) + r.get("backward_unassigned", 0), r.get("backward_assigned", 0), r.get("inspections", 0),
                 r.get("visits", 0), r.get("party_branch_months", 0), r.get("party_on_day", 0),
                 r.get("party_other_day", 0), r.get("party_missing", 0), _rate(r.get("party_attendance_rate"))]
                for r in data]

    weights = [2.5, 1.1, 0.9, 0.9, 0.9, 1.1, 0.9, 0.9, 1.1, 1.1]
    blocks.append({"t": "image", "png": bar_chart_png(
        [r["name"] for r in by_c], [("8日开展", [r.get("party_on_day", 0) for r in by_c]),
                                    ("其他日期", [r.get("party_other_day", 0) for r in by_c]),
                                    ("未开展", [r.get("party_missing", 0) for r in by_c])]),
        "width_mm": 150, "alt": "各党委主题党日开展情况图"})
    # short tables kept on one page: a split one would repeat its header in the PDF only
    blocks.append({**_table(headers, rows_of(by_c), weights, layout.TYPE_AREA_WIDTH_MM, fit=True), "keep": True})
    blocks.append({"t": "gap"})  # two tables that touch become one in Word and LibreOffice
    blocks.append({**_table(["领域"] + headers[1:], rows_of(by_d), weights, layout.TYPE_AREA_WIDTH_MM, fit=True),
                   "keep": True})
    blocks.extend(_training_blocks(by_c, tot))
    return blocks


def _training_blocks(by_c: list[dict], tot: dict) -> list[dict]:
    """（四）书记培训 (JH-5): branch secretaries trained this year by the quarter's end, per 党委."""
    blocks = [_h2("（四）书记培训")]
    branches, trained = tot.get("branches", 0), tot.get("trained", 0)
    blocks.append(_p(f"截至本季度末，本年度已参加培训的党支部书记{trained}人，占党支部书记总数{branches}人的"
                     f"{_rate(tot.get('training_rate'))}，尚未培训{branches - trained}人。"))
    rows = [[r["name"], r.get("branches", 0), r.get("trained", 0), r.get("branches", 0) - r.get("trained", 0),
             _rate(r.get("training_rate"))] for r in by_c]
    blocks.append({**_table(["单位", "支部书记", "已培训", "未培训", "覆盖率"], rows, [2.6, 1, 1, 1, 1],
                            layout.TYPE_AREA_WIDTH_MM, fit=True), "keep": True})
    return blocks


def honor_certificate(ctx: dict) -> dict:
    return {
        "kind": "honor-certificate", "layout": "honor-certificate", "doc_title": "荣誉证书",
        "heading": "荣誉证书",
        "recipient": ctx["branch_name"] + "：",
        "text": f"被评为{ctx.get('title') or '市直机关五好党支部'}（{ctx.get('term') or ''}）。特发此证，以资鼓励。",
        "parent": ctx.get("parent_org") or "",
        "issuer": ctx.get("issuer") or "",
        "date": cn_date(ctx.get("issued_on")),
        "number_line": f"证书编号：{ctx['number']}"
        + (f"　校验码：{ctx['check_code']}" if ctx.get("check_code") else ""),
        "verify_line": "扫码或访问核验",
        "qr_png": qr_png(ctx["verify_url"]),
    }


def party_card(ctx: dict) -> dict:
    return {
        "kind": "party-card", "layout": "party-card", "doc_title": "党员证",
        "heading": "党员证",
        "fields": [["姓　　名", ctx["name"]], ["所在支部", ctx.get("branch_name") or ""],
                   ["所属党组织", ctx.get("organisation_path") or ""],
                   ["入党时间", cn_date(ctx.get("joined_on"))], ["证件编号", ctx["number"]]]
        + ([["校验码", ctx["check_code"]]] if ctx.get("check_code") else []),
        "issuer": ctx.get("issuer") or "",
        "date": "发证日期：" + cn_date(ctx.get("issued_on")),
        "qr_png": qr_png(ctx["verify_url"]),
    }


COMPOSERS = {
    "supplement-notice": supplement_notice,
    "acceptance-form": acceptance_form,
    "rectification-notice": rectification_notice,
    "rectification-taskbook": rectification_taskbook,
    "rectification-ledger": rectification_ledger,
    "commendation-decision": commendation_decision,
    "brand-naming-decision": brand_naming_decision,
    "honor-certificate": honor_certificate,
    "delisting-notice": delisting_notice,
    "party-card": party_card,
    "quarterly-report": quarterly_report,
}


def compose(kind: str, context: dict) -> dict:
    """The view of a document: the context (cleaned of control characters) worded."""
    try:
        fn = COMPOSERS[kind]
    except KeyError:
        raise ContextError(f"未知的文书种类：{kind}") from None
    try:
        return fn(clean(context))
    except KeyError as exc:
        raise ContextError(f"文书上下文缺少字段：{exc.args[0]}") from None
