"""Checks over laid-out pages (a PDF, or a DOCX laid out by LibreOffice).

First the parts of the 公文 are found from position, size and text (``parts``): 发文机关标志,
发文字号, 标题, 主送机关, body lines, 落款, 附件 pages, 版记 and 页码.  Then each check compares
one part with the standard's numbers (``standard.py``) and returns problems (``rules.problem``).
``check(layout, fonts=True)``: with ``fonts=False`` the face checks are skipped (a DOCX laid out
by LibreOffice shows this machine's font substitutes, not the document's faces).
"""
from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from . import forms
from . import standard as gb
from .fonts import fits_title, is_bold, role, role_name, same_as_body
from .layout import INK_CHARS, Layout, Line, Rule
from .rules import data, problem

FOOTER_GAP = 3.0
"""Text whose top lies more than 3 mm below the type area is in the footer zone (页码); text
crossing the type area's bottom edge by less is body text that overflows."""
PAGE_NUMBER = re.compile(r"^—\s?(?P<n>\d+)\s?—$")
RED_MARK_PT = 24.0
"""发文机关标志 are set far larger than the 22 pt title (typically 36–60 pt); 24 pt separates them."""
TITLE_PT = 18.0
WRAP_CHARS = 20
"""A line of 20 characters or more that the next line continues was wrapped at the right margin (a
paragraph's short last line is followed by an indented first line, a list item by its own line).
Counted in characters as well as width: a form line spread by blanks ("考核组组长（签字）：　　　　年　月　日",
15 characters over 25 cells) is not text wrapped at the margin, and taking the indented paragraph
after it for a wrapped line put the 订口 of the 验收意见表 at 39.1 mm."""
"""Lines of 18 pt (小二) or more on page 1 below the masthead are the title (body is 16 pt)."""


@dataclass
class Parts:
    body_pt: float = gb.BODY_PT
    masthead: list[Line] = field(default_factory=list)
    doc_number: Line | None = None
    title: list[Line] = field(default_factory=list)
    addressee: Line | None = None
    body: list[Line] = field(default_factory=list)        # main text lines (正文, headings, 附件说明)
    signature: Line | None = None
    date: Line | None = None
    imprint: list[Line] = field(default_factory=list)
    page_numbers: dict[int, Line] = field(default_factory=dict)
    footer_other: list[Line] = field(default_factory=list)
    attachment_pages: list[int] = field(default_factory=list)
    attachment_lines: list[Line] = field(default_factory=list)


def _is_body_size(line: Line, body_pt: float) -> bool:
    return abs(line.size - body_pt) <= 1.5


def parts(layout: Layout) -> Parts:
    p = Parts()
    pages = layout.pages
    sizes = Counter()
    for page in pages:
        for ln in page.lines:
            if not ln.in_table and ln.top < gb.AREA_Y1 + FOOTER_GAP and 10 <= ln.size < TITLE_PT:
                sizes[round(ln.size * 2) / 2] += len(ln.chars)
    if sizes:
        p.body_pt = sizes.most_common(1)[0][0]
    for page in pages:
        first = next((ln for ln in page.lines if ln.top < gb.AREA_Y1 + FOOTER_GAP), None)
        if page.number > 1 and first is not None and re.fullmatch(r"附\s*件\s*\d*", first.text) \
                and first.x0 < gb.LEFT + gb.CHAR_PITCH:
            p.attachment_pages.append(page.number)
        if page.landscape:
            continue  # a 横排表格 page (clause 8) turns its page number with the page: not read here
        for ln in page.lines:
            if ln.top >= gb.AREA_Y1 + FOOTER_GAP:
                if PAGE_NUMBER.match(ln.text) or re.search(r"\d", ln.text) and len(ln.text) <= 12:
                    p.page_numbers.setdefault(page.number, ln)
                else:
                    p.footer_other.append(ln)
    main_end = p.attachment_pages[0] if p.attachment_pages else len(pages) + 1
    last = pages[-1]
    imprint = [ln for ln in last.lines if ln.top < gb.AREA_Y1 + FOOTER_GAP and not ln.in_table
               and (forms.IMPRINT.match(ln.text) or ln.text.replace(" ", "").startswith("抄送"))]
    p.imprint = imprint
    skip = {id(ln) for ln in imprint}
    for page in pages:
        target = p.body if page.number < main_end else p.attachment_lines
        if page.landscape:
            continue  # a 横排表格 page (clause 8): its own type area, only its page number is checked
        for ln in page.lines:
            if id(ln) in skip or ln.in_table or ln.top >= gb.AREA_Y1 + FOOTER_GAP:
                continue
            target.append(ln)
    # 版头 and title on page 1
    head = [ln for ln in p.body if ln.page == 1]
    i = 0
    while i < len(head) and (head[i].size >= RED_MARK_PT or head[i].red):
        p.masthead.append(head[i])
        i += 1
    for j in range(i, min(i + 4, len(head))):
        if head[j].size >= TITLE_PT:
            break
        if forms.is_doc_number(_first_segment(head[j])):
            p.doc_number = head[j]
            i = j + 1
            break
    ahead = next((j for j in range(i, min(i + 4, len(head))) if head[j].size >= TITLE_PT and not head[j].red), None)
    if ahead is not None and (p.masthead or p.doc_number):
        i = ahead  # 签发人 and other 版头 lines between the number and the title
    while i < len(head) and head[i].size >= TITLE_PT and not head[i].red:
        p.title.append(head[i])
        i += 1
    taken = {id(ln) for ln in p.masthead + p.title} | ({id(p.doc_number)} if p.doc_number else set())
    p.body = [ln for ln in p.body if id(ln) not in taken]
    if p.title and p.body and p.body[0].text.rstrip().endswith((":", "：")) and p.body[0].x0 < gb.LEFT + gb.CHAR_PITCH:
        p.addressee = p.body[0]
    # 落款: the last date line of the main part, with the line above it
    for k in range(len(p.body) - 1, -1, -1):
        ln = p.body[k]
        if forms.is_date(ln.text) and ln.x0 > gb.AREA_CX - gb.CHAR_PITCH:
            p.date = ln
            if k > 0:
                prev = p.body[k - 1]
                near = prev.page == ln.page and 0 < ln.baseline - prev.baseline < 1.6 * gb.LINE_PITCH
                if near and prev.x0 > gb.LEFT + 3 * gb.CHAR_PITCH and prev.x1 > gb.AREA_CX \
                        and not forms.is_date(prev.text):
                    p.signature = prev
            break
    return p


def _first_segment(line: Line) -> str:
    return "".join(c.text for c in line.segments()[0])


def _char_w(pt: float) -> float:
    return pt * gb.PT


def check(layout: Layout, fonts: bool = True) -> list[dict]:
    pr = parts(layout)
    out: list[dict] = []
    out += _paper(layout)
    out += _grid(layout, pr)
    out += _edges(layout, pr)
    out += _masthead(pr)
    out += _doc_number(pr)
    out += _title(layout, pr, fonts)
    out += _body_text(layout, pr, fonts)
    out += _signature(layout, pr)
    out += _imprint(layout, pr)
    out += _page_numbers(layout, pr, fonts)
    return out


def _paper(layout: Layout) -> list[dict]:
    out = []
    for page in layout.pages:
        w, h = sorted((page.width, page.height))  # A4 landscape is allowed for 横排表格 (clause 8)
        if abs(w - gb.PAGE_W) > gb.PAPER_TOL or abs(h - gb.PAGE_H) > gb.PAPER_TOL:
            out.append(problem("paper-size", page.number, width=page.width, height=page.height))
            break
    return out


def _body_lines(pr: Parts) -> list[Line]:
    return [ln for ln in pr.body + pr.attachment_lines if _is_body_size(ln, pr.body_pt)]


def _grid(layout: Layout, pr: Parts) -> list[dict]:
    """5.2.3: 22 lines of 28 characters, measured page by page as line pitch and character pitch.

    On the page of the 落款 one more line or character is accepted: 7.3.5.5 lets the typesetter
    tighten line and character spacing there to keep the 落款 with the text.  The first page that
    breaks the grid is reported (one wrong setting repeats on every page)."""
    out = []
    lines = [ln for ln in pr.body if _is_body_size(ln, pr.body_pt)]
    signature_page = pr.date.page if pr.date is not None else None
    by_page: dict[int, list[Line]] = {}
    for ln in lines:
        by_page.setdefault(ln.page, []).append(ln)
    line_done = char_done = False
    for page, page_lines in sorted(by_page.items()):
        slack = gb.GRID_ADJUST if page == signature_page else 0
        gaps = [b.baseline - a.baseline for a, b in zip(page_lines, page_lines[1:]) if b.baseline > a.baseline]
        if len(gaps) >= 3 and not line_done:
            # the pitch is the smallest regular gap: blank lines (空一行) make gaps of two or three pitches
            real = [g for g in gaps if g >= gb.LINE_PITCH / 2] or gaps
            ref = min(real)
            pitch = statistics.median([g for g in real if g <= gb.LINE_HEIGHT_RANGE[1] * ref])
            if not _fits(gb.AREA_H / pitch, gb.LINES, slack):
                line_done = True
                out.append(problem("lines-per-page", page, page_lines[0].box, value=round(gb.AREA_H / pitch),
                                   pitch=pitch))
        advances = [b.x0 - a.x0 for ln in page_lines for a, b in zip(ln.chars, ln.chars[1:])
                    if forms_cjk(a.text) and forms_cjk(b.text)]
        if len(advances) >= 10 and not char_done:
            pitch = statistics.median(advances)
            if not _fits(gb.AREA_W / pitch, gb.CHARS, slack):
                char_done = True
                out.append(problem("chars-per-line", page, page_lines[0].box, value=round(gb.AREA_W / pitch),
                                   pitch=pitch))
    # continuation lines must reach the right edge ("撑满版心")
    short: dict[int, list[tuple[float, Line]]] = {}
    for a, b in zip(lines, lines[1:]):
        if a.page != b.page or b.baseline - a.baseline > 1.5 * gb.LINE_PITCH:
            continue
        if abs(b.x0 - gb.LEFT) > gb.CHAR_TOL * gb.CHAR_PITCH or a is pr.signature or a is pr.date:
            continue
        if abs(a.x0 - gb.LEFT) > 2.5 * gb.CHAR_PITCH:
            continue  # a centred or right-aligned line
        gap = gb.AREA_X1 - a.x1
        if gb.LINE_FLUSH_TOL < gap <= gb.FLUSH_MAX_CHARS * gb.CHAR_PITCH:
            short.setdefault(a.page, []).append((gap, a))
    for page, items in sorted(short.items()):
        gap, ln = max(items, key=lambda t: t[0])
        out.append(problem("line-not-flush", page, ln.box, count=len(items), value=gap, text=ln.text[-8:]))
    return out


def _fits(count: float, expected: int, slack: int) -> bool:
    """``count`` (lines or characters the pitch gives) is ``expected`` (up to ``expected + slack``)."""
    return any(abs(count - n) / n <= gb.PITCH_TOL for n in range(expected, expected + slack + 1))


def forms_cjk(ch: str) -> bool:
    return bool(re.match(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef“”‘’]", ch))


def _edges(layout: Layout, pr: Parts) -> list[dict]:
    """5.2.1: 天头 37, 订口 28, 版心 156 × 225 mm."""
    out = []
    body = _body_lines(pr)
    # a line that follows a long line on the same page is a wrapped line: it starts at the left
    # margin, and the long line before it shows the right one (indented first lines say nothing)
    pairs = [(a, b) for a, b in zip(body, body[1:]) if a.page == b.page
             and 0 < b.baseline - a.baseline <= 1.5 * gb.LINE_PITCH and a.x1 - a.x0 >= WRAP_CHARS * gb.CHAR_PITCH
             and len(a.chars) >= WRAP_CHARS]
    if pairs:
        wrapped = min((b for _a, b in pairs), key=lambda ln: ln.x0)
        left = wrapped.x0
        if abs(left - gb.LEFT) > gb.MARGIN_TOL:
            out.append(problem("margin-left", wrapped.page, wrapped.box, value=left))
        widest = max((a for a, _b in pairs), key=lambda ln: ln.x1)
        width = widest.x1 - left
        narrow = len(pairs) >= 3 and width < gb.AREA_W - gb.CHAR_PITCH
        if abs(left - gb.LEFT) <= gb.MARGIN_TOL and (width > gb.AREA_W + gb.MARGIN_TOL or narrow):
            out.append(problem("type-area-width", widest.page, widest.box, value=width))
    # the top: pages after the first that start with a body line
    skip = {id(x) for x in (pr.signature, pr.date) if x is not None}
    tops = []
    for page in layout.pages[1:]:
        first = next((ln for ln in page.lines if ln.top < gb.AREA_Y1 + FOOTER_GAP), None)
        if first is None or first.in_table or id(first) in skip or not _is_body_size(first, pr.body_pt) \
                or any(top < first.top for top in page.figures) or page.landscape:
            continue  # a page opening with a table, a figure or the 落款 says nothing about the margin
        tops.append(first)
    if tops:
        ln = min(tops, key=lambda ln: ln.top)
        est = ln.top - (gb.LINE_PITCH - ln.size * gb.PT) / 2
        if ln.top < gb.TOP - gb.MARGIN_TOL or ln.top > gb.TOP + gb.TOP_SLACK:
            out.append(problem("margin-top", ln.page, ln.box, value=est))
    seen_side = set()
    for page in layout.pages:
        if page.landscape:
            continue
        for ln in page.lines:
            if ln.top >= gb.AREA_Y1 + FOOTER_GAP:
                continue
            for side, over in (("左侧", gb.LEFT - ln.x0), ("右侧", ln.x1 - gb.AREA_X1),
                               ("上方", gb.TOP - ln.top), ("下方", ln.bottom - gb.AREA_Y1)):
                if over > gb.MARGIN_TOL and (page.number, side) not in seen_side:
                    seen_side.add((page.number, side))
                    out.append(problem("outside-type-area", page.number, ln.box, text=ln.text[:12], side=side,
                                       value=over))
    return out


def _masthead(pr: Parts) -> list[dict]:
    """7.2.4: the mark's top edge 35 mm below the type area's top."""
    if not pr.masthead:
        return []
    ln = pr.masthead[0]
    inks = [c.ink for c in ln.chars if c.ink]
    top = min(b[1] for b in inks) if inks else ln.top
    drop = top - gb.TOP
    if abs(drop - gb.MASTHEAD_DROP) > gb.POSITION_TOL:
        return [problem("masthead-position", ln.page, ln.box, text=ln.text, value=drop)]
    return []


def _doc_number(pr: Parts) -> list[dict]:
    out = []
    ln = pr.doc_number
    if ln is None:
        return out
    seg = _first_segment(ln)
    for code, values in forms.doc_number(seg):
        out.append(problem(code, ln.page, ln.box, **values))
    if len(ln.segments()) == 1 and "签发人" not in ln.text:
        off = (ln.x0 + ln.x1) / 2 - gb.AREA_CX
        if abs(off) > gb.POSITION_TOL:
            out.append(problem("doc-number-centre", ln.page, ln.box, text=seg, value=abs(off)))
    return out


def _faces(layout: Layout, chars) -> Counter:
    return Counter(layout.face(c.font) for c in chars)


def _title(layout: Layout, pr: Parts, fonts: bool) -> list[dict]:
    """7.3.1: 2号 (22 pt) 小标宋, centred."""
    out = []
    if not pr.title:
        return out
    text = "".join(ln.text for ln in pr.title)
    first = pr.title[0]
    size = statistics.median(c.size for ln in pr.title for c in ln.chars)
    if abs(size - gb.TITLE_PT) > gb.SIZE_TOL:
        out.append(problem("title-size", first.page, first.box, text=text, size=size))
    if fonts:
        cjk = [c for ln in pr.title for c in ln.cjk_chars()]
        if cjk:
            face, _n = _faces(layout, cjk).most_common(1)[0]
            r = role(face)
            if not fits_title(r, is_bold(face)):
                out.append(_font_problem("title-font", first, face, r, text=text))
    lines = [ln.text.replace(" ", "") for ln in pr.title]
    for code, values in forms.title_breaks(lines) + forms.title_balance(lines):
        out.append(problem(code, first.page, first.box, **values))
    for ln in pr.title:
        off = (ln.x0 + ln.x1) / 2 - gb.AREA_CX
        if abs(off) > gb.POSITION_TOL:
            out.append(problem("title-centre", ln.page, ln.box, text=ln.text, value=abs(off)))
            break
    return out


def _font_problem(code: str, ln: Line, face: str, r: str, **values) -> dict:
    if r == "unknown":
        return problem("font-unknown", ln.page, ln.box, face=face)
    return problem(code, ln.page, ln.box, face=face, role=role_name(r), **values)


def _body_text(layout: Layout, pr: Parts, fonts: bool) -> list[dict]:
    """7.3.3 body face and size, heading faces and forms; 7.3.2 主送机关; 7.3.4 附件说明."""
    out = []
    body = [ln for ln in pr.body if ln is not pr.signature and ln is not pr.date]
    sized = [ln for ln in body if 10 <= ln.size < TITLE_PT]
    if sized and abs(pr.body_pt - gb.BODY_PT) > gb.SIZE_TOL:
        out.append(problem("body-size", sized[0].page, sized[0].box, size=pr.body_pt))
    if pr.addressee is not None:
        for code, values in forms.addressee(pr.addressee.text):
            out.append(problem(code, pr.addressee.page, pr.addressee.box, **values))
    indent = gb.LEFT + 2 * gb.CHAR_PITCH
    plain_faces: dict[str, Line] = {}
    plain_count: Counter = Counter()
    in_heading = False  # a heading sentence wrapped onto the next lines keeps the heading's face
    heading_faults: list[tuple[dict, str, int]] = []
    for k, ln in enumerate(body):
        starts = abs(ln.x0 - indent) <= gb.CHAR_TOL * gb.CHAR_PITCH
        head = forms.heading(ln.text) if starts else None
        if starts:
            in_heading = False
        elif in_heading:
            in_heading = "。" not in ln.text
            continue
        if starts and head:
            in_heading = "。" not in ln.text
            for code, values in forms.heading_form(ln.text):
                out.append(problem(code, ln.page, ln.box, **values))
            if fonts:
                heading_faults += _heading_font(layout, ln, head)
            continue
        problems, att = forms.attachment(ln.text)
        if att is not None:
            for code, values in problems:
                out.append(problem(code, ln.page, ln.box, **values))
            if not starts:
                out.append(problem("attachment-indent", ln.page, ln.box,
                                   value=round((ln.x0 - gb.LEFT) / gb.CHAR_PITCH, 1)))
            out += _attachment_items(body, k, ln, att)
            continue
        if fonts and _is_body_size(ln, pr.body_pt) and ln is not pr.addressee:
            for c in ln.cjk_chars():
                face = layout.face(c.font)
                plain_count[face] += 1
                plain_faces.setdefault(face, ln)
    body_faults = set()
    if fonts and plain_count:
        for face, n in plain_count.most_common():
            r = role(face)
            if r == "fangsong" or n < 3:
                continue  # a stray fallback glyph (a rare character) is not a body face
            body_faults.add(face)
            out.append(_font_problem("body-font", plain_faces[face], face, r))
    out += [p for p, face, level in heading_faults if not same_as_body(level, face, body_faults)]
    return out


def _heading_font(layout: Layout, ln: Line, head: tuple[int, str]) -> list[tuple[dict, str, int]]:
    level, marker = head
    spec = data()["heading_levels"][level]
    rest = ln.chars[len(marker):]
    stop = next((i for i, c in enumerate(rest) if c.text in "。：:"), len(rest))
    cjk = [c for c in rest[:stop] if forms_cjk(c.text) and re.match(r"[\u3400-\u9fff]", c.text)]
    if not cjk:
        return []
    face, _n = _faces(layout, cjk).most_common(1)[0]
    r = role(face)
    if r in spec["roles"]:
        return []
    return [(_font_problem("heading-font", ln, face, r, level=spec["name"], text=ln.text[:16],
                           expected=spec["expected"]), face, level)]


def _attachment_items(body: list[Line], k: int, first: Line, att: dict) -> list[dict]:
    """Names after 附件：; a numbered list continues on lines aligned with the first name."""
    out = []
    lines = [first]
    for ln in body[k + 1:]:
        if ln.page != first.page or ln.baseline - lines[-1].baseline > 1.5 * gb.LINE_PITCH:
            break
        if forms.attachment_item(ln.text) or abs(ln.x0 - first.x0) > 1.5 * gb.CHAR_PITCH:
            if forms.attachment_item(ln.text) is None:
                break
        lines.append(ln)
    if len(lines) > 1 and not att["numbered"]:
        out.append(problem("attachment-numbering", first.page, first.box, text=first.text))
    for i, ln in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if nxt is not None and forms.attachment_item(nxt.text) is None:
            continue  # the name continues on the next line
        if forms.ends_with_punct(ln.text):
            out.append(problem("attachment-punct", ln.page, ln.box, text=ln.text))
    return out


def _signature(layout: Layout, pr: Parts) -> list[dict]:
    """7.3.5: 成文日期 form and place; 7.3.5.5: the 落款 never alone on a page."""
    out = []
    d = pr.date
    if d is None:
        return out
    for code, values in forms.date(d.text):
        out.append(problem(code, d.page, d.box, **values))
    cw = _char_w(d.size)
    date_rs = (gb.AREA_X1 - d.x1) / cw
    s = pr.signature
    if s is not None:
        sig_rs = (gb.AREA_X1 - s.x1) / cw
        shift = (d.x0 - s.x0) / cw
        centred = abs((d.x0 + d.x1) / 2 - (s.x0 + s.x1) / 2) <= gb.CHAR_TOL * cw
        if centred and abs(shift) > gb.CHAR_TOL:  # sealed: 署名 centred over a date set 右空四字
            if abs(date_rs - 4) > gb.CHAR_TOL:
                out.append(problem("date-position", d.page, d.box, value=round(date_rs, 1)))
        else:
            if abs(shift - 2) > gb.CHAR_TOL:
                out.append(problem("signature-position", s.page, s.box, text=s.text, value=round(shift, 1)))
            if abs(min(sig_rs, date_rs) - 2) > gb.CHAR_TOL:
                out.append(problem("date-position", d.page, d.box, value=round(date_rs, 1)))
    page_lines = [ln for ln in pr.body if ln.page == d.page]
    others = [ln for ln in page_lines if ln is not d and ln is not s and not ln.text.startswith(("（", "("))]
    if not others:
        box = [min(ln.x0 for ln in page_lines), min(ln.top for ln in page_lines),
               max(ln.x1 for ln in page_lines), max(ln.bottom for ln in page_lines)]
        out.append(problem("signature-alone", d.page, box))
    return out


def _imprint(layout: Layout, pr: Parts) -> list[dict]:
    """7.4: 版记 rules 0.35 / 0.25 mm, full width, the last on the type area's bottom edge; 4号 text."""
    out = []
    if not pr.imprint:
        return out
    page = layout.pages[-1]
    first, last = pr.imprint[0], pr.imprint[-1]
    for ln in pr.imprint:
        if abs(ln.size - gb.SMALL_PT) > gb.SIZE_TOL:
            out.append(problem("imprint-size", ln.page, ln.box, text=ln.text[:16], size=ln.size))
            break
        for code, values in forms.imprint_date(ln.text):
            out.append(problem(code, ln.page, ln.box, **values))
    rules = [r for r in page.rules if not r.red and r.width >= gb.AREA_W / 3]
    reach = gb.LINE_PITCH
    above = [r for r in rules if first.top - reach <= r.y <= first.top + 0.5]
    below = [r for r in rules if last.bottom - 0.5 <= r.y <= last.bottom + reach]
    middle = [r for r in rules if first.bottom - 0.5 <= r.y <= last.top + 0.5]
    box = [gb.LEFT, first.top - reach, gb.AREA_X1, last.bottom + reach]
    checks: list[tuple[str, Rule | None, float]] = [("首条", above[-1] if above else None, gb.RULE_THICK),
                                                   ("末条", below[0] if below else None, gb.RULE_THICK)]
    if len(pr.imprint) > 1:
        checks.insert(1, ("中间", middle[0] if middle else None, gb.RULE_THIN))
    for which, r, weight in checks:
        if r is None:
            out.append(problem("imprint-rule-missing", page.number, box, which=which))
            continue
        if abs(r.weight - weight) > gb.RULE_WEIGHT_TOL:
            out.append(problem("imprint-rule-weight", page.number, r.box, which=which, value=round(r.weight, 2),
                               expected=weight))
        if abs(r.width - gb.AREA_W) > gb.MARGIN_TOL:
            out.append(problem("imprint-rule-width", page.number, r.box, which=which, value=r.width))
    if below:
        gap = gb.AREA_Y1 - below[0].y
        if abs(gap) > gb.POSITION_TOL:
            out.append(problem("imprint-position", page.number, below[0].box, value=gap))
    elif abs(gb.AREA_Y1 - last.bottom) > gb.LINE_PITCH:
        out.append(problem("imprint-position", page.number, last.box, value=gb.AREA_Y1 - last.bottom))
    return out


def _page_numbers(layout: Layout, pr: Parts, fonts: bool) -> list[dict]:
    """7.5: ``— n —`` in 4号 半角宋体 digits, the dash 7 mm below the type area, odd right / even left."""
    out = []
    for page in layout.pages:
        if page.landscape:
            continue
        body = [ln for ln in page.lines if ln.top < gb.AREA_Y1 + FOOTER_GAP]
        ln = pr.page_numbers.get(page.number)
        if ln is None:
            if body:
                out.append(problem("page-number-missing", page.number,
                                   [gb.LEFT, gb.AREA_Y1 + 4, gb.AREA_X1, gb.AREA_Y1 + 12]))
            continue
        m = PAGE_NUMBER.match(ln.text)
        if not m:
            digits = re.sub(r"\D", "", ln.text) or str(page.number)
            out.append(problem("page-number-form", page.number, ln.box, text=ln.text, n=int(digits[:4]) % 10000))
        if abs(ln.size - gb.SMALL_PT) > gb.SIZE_TOL:
            out.append(problem("page-number-size", page.number, ln.box, size=ln.size))
        digits = [c for c in ln.chars if c.text.isdigit()]
        if fonts and digits:
            face = layout.face(digits[0].font)
            r = role(face)
            if r != "song":
                out.append(_font_problem("page-number-font", ln, face, r))
        dash = next((c for c in ln.chars if c.text in INK_CHARS), None)
        if dash is not None:
            ink_top = dash.ink[1] if dash.ink else (dash.top + dash.bottom) / 2
            drop = ink_top - gb.AREA_Y1
            if abs(drop - gb.PAGE_NO_DROP) > gb.POSITION_TOL:
                out.append(problem("page-number-vertical", page.number, ln.box, value=drop))
        em = _char_w(ln.size)
        if page.number % 2:
            expected, value = gb.AREA_X1 - em, ln.x1
            if abs(value - expected) > gb.POSITION_TOL:
                out.append(problem("page-number-side", page.number, ln.box, parity="单", side="居右",
                                   edge="右", value=gb.AREA_X1 - value, expected=em))
        else:
            expected, value = gb.LEFT + em, ln.x0
            if abs(value - expected) > gb.POSITION_TOL:
                out.append(problem("page-number-side", page.number, ln.box, parity="双", side="居左",
                                   edge="左", value=value - gb.LEFT, expected=em))
    return out
