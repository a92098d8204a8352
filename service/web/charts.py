"""Small inline SVG charts, rendered on the server (no scripts, no external libraries)."""
from __future__ import annotations

from markupsafe import Markup, escape

PALETTE = ["#2e7d32", "#9ccc65", "#ffb300", "#c62828", "#1565c0", "#6a1b9a", "#00838f", "#ef6c00"]


def stacked_bars(categories: list[str], series: list[tuple[str, list[float]]], *, title: str,
                 width: int = 560, bar_h: int = 22, palette: list[str] | None = None) -> Markup:
    """Horizontal stacked bars: one bar per category, one colour per series, with a legend."""
    colours = palette or PALETTE
    left, top, gap = 150, 34, 8
    height = top + len(categories) * (bar_h + gap) + 30
    totals = [sum(s[1][i] for s in series) for i in range(len(categories))]
    peak = max(totals + [1])
    scale = (width - left - 40) / peak
    out = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
           f'xmlns="http://www.w3.org/2000/svg" font-size="12">', f"<title>{escape(title)}</title>"]
    x = left
    for k, (name, _values) in enumerate(series):
        out.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colours[k % len(colours)]}"/>'
                   f'<text x="{x + 16}" y="16">{escape(name)}</text>')
        x += 28 + 13 * len(name)
    for i, cat in enumerate(categories):
        y = top + i * (bar_h + gap)
        out.append(f'<text x="{left - 6}" y="{y + bar_h * 0.7:.0f}" text-anchor="end">{escape(cat)}</text>')
        x = float(left)
        for k, (name, values) in enumerate(series):
            v = values[i]
            if v:
                w = v * scale
                out.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                           f'fill="{colours[k % len(colours)]}"><title>{escape(cat)} {escape(name)}：{v:g}</title></rect>')
                x += w
        out.append(f'<text x="{x + 4:.1f}" y="{y + bar_h * 0.7:.0f}">{totals[i]:g}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def bars(pairs: list[tuple[str, float]], *, title: str, unit: str = "", width: int = 560,
         colour: str = "#1565c0") -> Markup:
    return stacked_bars([p[0] for p in pairs], [(unit or "数量", [p[1] for p in pairs])], title=title, width=width,
                        palette=[colour])

