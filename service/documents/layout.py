"""Layout numbers shared by the HTML/CSS templates, the DOCX templates' checks and the tests.

GB/T 9704-2012 (党政机关公文格式): A4, 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm,
22 lines × 28 characters of 3号 (16 pt) 仿宋, title 2号 (22 pt) 小标宋, page numbers 4号 (14 pt).
"""

from __future__ import annotations

MM_PER_INCH = 25.4
PT_PER_INCH = 72.0
TWIPS_PER_PT = 20


def mm_to_pt(mm: float) -> float:
    return mm / MM_PER_INCH * PT_PER_INCH


def mm_to_twips(mm: float) -> int:
    return round(mm_to_pt(mm) * TWIPS_PER_PT)


# A4 and the GB/T 9704 margins (mm)
PAGE_WIDTH_MM = 210.0
PAGE_HEIGHT_MM = 297.0
MARGIN_TOP_MM = 37.0
MARGIN_BOTTOM_MM = 35.0
MARGIN_LEFT_MM = 28.0
MARGIN_RIGHT_MM = 26.0
TYPE_AREA_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM    # 156
TYPE_AREA_HEIGHT_MM = PAGE_HEIGHT_MM - MARGIN_TOP_MM - MARGIN_BOTTOM_MM  # 225

LINES_PER_PAGE = 22
CHARS_PER_LINE = 28

# font sizes (pt): 2号 22, 3号 16, 4号 14, 小四 12
TITLE_PT = 22.0
BODY_PT = 16.0
NOTE_PT = 14.0          # 版记 and page numbers (4号)
PAGE_NUMBER_PT = 14.0
TABLE_PT = 12.0         # tables inside documents (小四)
TABLE_LINE_PT = 18.0    # their line pitch (exact), in the PDF and the DOCX
#: a table cell's padding, the same in the PDF (CSS padding) and the DOCX (tblCellMar): a row is
#: TABLE_LINE_PT a line plus twice TABLE_PAD_Y_MM in both (the DOCX had none: LibreOffice drew its rows
#: 18.5 pt apart against the PDF's 21.4 and ran a page shorter)
TABLE_PAD_X_MM = 1.0
TABLE_PAD_Y_MM = 0.5
#: a document whose last page would hold only a few lines is laid out again with its table rows
#: this much closer (GB/T 9704-2012 7.3.5.5 lets the spacing be adjusted); the DOCX follows the PDF
TIGHT_TABLE_FACTOR = 0.85
ORG_MARK_PT = 36.0      # 发文机关标志 (red, 小标宋)

#: the fixed line pitch: 225 mm / 22 lines = 28.98 pt; Word templates for 公文 use 579 twips
LINE_PITCH_TWIPS = 579
LINE_PITCH_PT = LINE_PITCH_TWIPS / TWIPS_PER_PT          # 28.95
#: character pitch: 156 mm / 28 = 15.79 pt, i.e. 16 pt minus 0.207 pt (-848)
CHAR_PITCH_PT = mm_to_pt(TYPE_AREA_WIDTH_MM) / CHARS_PER_LINE
#: w:charSpace is (pitch - font size) in 1/4096 pt
CHAR_SPACE = round((CHAR_PITCH_PT - BODY_PT) * 4096)    # -848
LETTER_SPACING_PT = round(CHAR_PITCH_PT - BODY_PT, 2) - 0.01  # for CSS: -0.22 pt, so 28 fit with rounding

#: 版头 red (GB/T 9704-2012 7.2.2: 红色): print red, C0 M100 Y100 K0, drawn as DeviceCMYK in the
#: PDF; Word and WPS have RGB only, so the DOCX says FF0000 (what 公文 templates use)
RED = "FF0000"
RED_CSS = "device-cmyk(0 1 1 0)"
RED_RULE_PT = 1.5            # the red rule under the 发文字号 (GB gives no weight)

# 版头 positions (GB/T 9704-2012 7.2): the 发文机关标志's top edge 35 mm below the type area's
# top edge; the 发文字号 空二行 under the mark; the red rule 4 mm under the 发文字号; the
# title 空二行 under the rule.
ORG_MARK_TOP_MM = 35.0
#: how far the ideographs' ink top lies below the top of a line box of line-height 1 (Noto CJK)
ORG_MARK_INSET_EM = 0.068
RED_RULE_GAP_MM = 4.0
#: 页码's 一字线 7 mm below the type area (GB/T 9704-2012 7.5)
PAGE_NUMBER_GAP_MM = 7.0
TITLE_LINE_PT = 35.0

# certificate page sizes (mm), set in their templates
HONOR_CERT_SIZE_MM = (297.0, 210.0)   # A4 landscape
PARTY_CARD_SIZE_MM = (130.0, 90.0)    # a card-sized booklet page
