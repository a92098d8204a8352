"""User text is data, never template code; WeasyPrint fetches nothing it was not told to.

* Templates (DOCX and HTML) are rendered by a sandboxed Jinja environment with autoescaping,
  and user text only ever reaches them as values: ``{{``, ``{%`` or ``<script>`` inside a
  branch name come out literally.
* :func:`clean` strips characters XML 1.0 cannot carry (a C0 control character would corrupt a
  DOCX) and the control characters docxtpl would turn into breaks or new paragraphs.
* :func:`url_fetcher` is the only fetcher given to WeasyPrint: it serves ``data:`` image URIs
  produced by our own code (charts, QR codes) and the font files named by the font module,
  and refuses everything else (http, https, ftp, other local files).
"""

from __future__ import annotations

import base64
import re
from datetime import date, datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

from jinja2.sandbox import ImmutableSandboxedEnvironment
from weasyprint.urls import URLFetcher, URLFetcherResponse

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_BREAKS = re.compile(r"[\t\n\r\a\f\v]+")


def clean(value):
    """Recursively clean plain data: strings lose control characters, dates become ISO text."""
    if isinstance(value, str):
        return _BREAKS.sub(" ", _FORBIDDEN.sub("", value))
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def jinja_env(**kw) -> ImmutableSandboxedEnvironment:
    """The sandboxed, autoescaping Jinja environment used for DOCX and HTML templates."""
    env = ImmutableSandboxedEnvironment(autoescape=True, keep_trailing_newline=True, **kw)
    return env


class FetchRefused(ValueError):
    pass


_DATA_URI = re.compile(
    r"^data:(image/(?:png|svg\+xml|jpeg)|font/(?:otf|ttf|sfnt));base64,([A-Za-z0-9+/=]+)$")


def make_url_fetcher(allowed_files=frozenset()):
    """A WeasyPrint URL fetcher that only serves our data: images and the listed font files."""
    allowed = frozenset(str(Path(p).resolve()) for p in allowed_files)

    class SafeURLFetcher(URLFetcher):
        refused: list[str]

        def __init__(self):
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False,
                             fail_on_errors=False)
            self.refused = []

        def fetch(self, url, headers=None):
            m = _DATA_URI.match(url)
            if m:
                return URLFetcherResponse(url, base64.b64decode(m.group(2)),
                                          {"Content-Type": m.group(1)})
            parsed = urlparse(url)
            if parsed.scheme == "file":
                path = str(Path(unquote(parsed.path)).resolve())
                if path in allowed:
                    return URLFetcherResponse(url, Path(path).read_bytes(),
                                              {"Content-Type": "font/sfnt"})
            self.refused.append(url[:200])
            raise FetchRefused(f"refused to fetch {url[:80]!r}")

    return SafeURLFetcher()
