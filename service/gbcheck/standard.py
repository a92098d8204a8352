"""The numbers of GB/T 9704-2012 and the tolerances `wuhao lint` allows around them.

All lengths are millimetres, sizes are points (1 pt = 25.4/72 mm).  Every tolerance says why it
is that wide: a checker that flags documents a 文秘 would accept is as useless as one that
passes documents the standard rejects.
"""
from __future__ import annotations

PT = 25.4 / 72  # millimetres per point

PAGE_W, PAGE_H = 210.0, 297.0           # 5.1 A4
TOP, LEFT = 37.0, 28.0                  # 5.2.1 天头, 订口
AREA_W, AREA_H = 156.0, 225.0           # 5.2.1 版心
RIGHT = PAGE_W - LEFT - AREA_W          # 26 mm
BOTTOM = PAGE_H - TOP - AREA_H          # 35 mm
AREA_X1 = LEFT + AREA_W                 # 184 mm
AREA_Y1 = TOP + AREA_H                  # 262 mm
AREA_CX = LEFT + AREA_W / 2             # 106 mm, the type area's centre line
LINES, CHARS = 22, 28                   # 5.2.3
LINE_PITCH = AREA_H / LINES             # 10.23 mm
CHAR_PITCH = AREA_W / CHARS             # 5.57 mm
BODY_PT, TITLE_PT, SMALL_PT = 16.0, 22.0, 14.0   # 3号, 2号, 4号
MASTHEAD_DROP = 35.0                    # 7.2.4 发文机关标志 top below the type area's top
PAGE_NO_DROP = 7.0                      # 7.5 一字线 below the type area's bottom
RULE_THICK, RULE_THIN = 0.35, 0.25      # 7.4.1 first/last and middle 版记 rules

MARGIN_TOL = 1.0
"""±1 mm: the tolerance 5.2.1 itself gives for 天头 and 订口; used for every page geometry figure."""

PAPER_TOL = 1.0
"""±1 mm on the paper: Letter (216 × 279) or B5 is off by 6 mm or more, rounding in PDF boxes is < 0.1."""

POSITION_TOL = 1.0
"""±1 mm for element positions (页码, 版记 rule, 发文机关标志, centring): what a ruler on the printed
page resolves; PDF writers place text to 0.01 mm, so a correct file is well inside."""

RULE_WEIGHT_TOL = 0.05
"""±0.05 mm on rule thickness: Word's border widths come in 1/8 pt (0.044 mm) steps, so 0.35 mm is
written as 1 pt (0.353) and 0.25 mm as 6/8 pt (0.265); the project's 0.18 mm middle rule is outside."""

SIZE_TOL = 0.3
"""±0.3 pt on font sizes: Chinese sizes are 0.5 pt apart at least near 3号 (小三 15, 三号 16) and
2号 (22 vs 小二 18); PDF writers round the text matrix to ~0.01 pt."""

TOP_SLACK = (LINE_PITCH - BODY_PT * PT) + MARGIN_TOL
"""A line's glyphs start below the type area's top by up to one line's leading
(10.23 − 5.64 = 4.6 mm) depending on how the writer places text in its grid line; plus ±1 mm."""

LINE_FLUSH_TOL = 1.5
"""A continued line may end short of the right edge by up to 1.5 mm: a full-width punctuation mark
pushed to the next line (避头尾) leaves up to a quarter character when spacing is compressed; more
than that (the issue saw 4–11 mm) is visible as a ragged right edge."""

CHAR_TOL = 0.5
"""Half a character for indents and 空二字 / 右空二字 counts: between a correct 2 and a wrong 1 or 3."""

PITCH_TOL = 0.03
"""3 % on line and character pitch: 22 vs 21 lines per page differ by 4.8 %, 28 vs 27 characters by 3.7 %."""

LINE_HEIGHT_RANGE = (0.8, 1.2)
"""Lines whose baselines are at most 1.2 times the smallest gap apart are neighbours on the grid (used
to measure the pitch); wider gaps are blank lines (空一行) or paragraph spacing."""

FLUSH_MAX_CHARS = 3
"""A line ending more than 3 characters (16.7 mm) short is a paragraph's last line, not an unjustified
continuation: unjustified CJK lines fall short by less than two characters (the issue measured 4–11 mm)."""

GRID_ADJUST = 1
"""On the 落款's page one more line (23) or character (29) is accepted: 7.3.5.5 allows tightening line
and character spacing so that the 落款 stays on a page with the text."""
