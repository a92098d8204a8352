"""QR codes pointing at the public verification page."""

from __future__ import annotations

import functools
import io

import segno


@functools.lru_cache(maxsize=256)
def qr_png(url: str, scale: int = 6) -> bytes:
    buf = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buf, kind="png", scale=scale, border=2)
    return buf.getvalue()


def qr_svg(url: str) -> str:
    buf = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buf, kind="svg", xmldecl=False, svgns=True,
                                                  border=2, scale=4)
    return buf.getvalue().decode()
