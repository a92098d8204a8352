"""QR codes pointing at the public verification page (quiet zone 4 modules, ISO/IEC 18004)."""

from __future__ import annotations

import functools
import io
import ipaddress
from urllib.parse import urlparse

QUIET_MODULES = 4

import segno


@functools.lru_cache(maxsize=256)
def qr_png(url: str, scale: int = 6) -> bytes:
    buf = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buf, kind="png", scale=scale, border=QUIET_MODULES)
    return buf.getvalue()


def qr_svg(url: str) -> str:
    buf = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buf, kind="svg", xmldecl=False, svgns=True,
                                                  border=QUIET_MODULES, scale=4)
    return buf.getvalue().decode()


def loopback_warning(public_url: str) -> str | None:
    """A loud warning when QR codes and verify links would point at this machine only.

    ``WUHAO_PUBLIC_URL`` defaults to a loopback address (service/vocabulary.yaml): every certificate printed with it
    carries a QR code no phone can open.  ``wuhao serve`` and ``wuhao batch`` print this.
    """
    host = (urlparse(public_url).hostname or "").lower()
    try:
        loopback = ipaddress.ip_address(host).is_loopback or ipaddress.ip_address(host).is_unspecified
    except ValueError:
        loopback = host == "localhost" or host.endswith(".localhost") or host == ""
    if not loopback:
        return None
    return (f"警告：证书二维码和核验链接将指向 {public_url}，这是本机地址，扫码的手机无法打开。"
            "请把 WUHAO_PUBLIC_URL 设为对外可访问的网址（例如 https://wuhao.example.gov.cn）后再发证。")
