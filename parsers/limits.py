"""How much work one untrusted file may cause, checked before (or while) the work is done.

Issue 16 measured what unbounded reading cost: one ``Tj`` of a million characters (55 KB on disk)
took 18 s and 2 GB, 20 MB of ``q Q`` operators (74 KB compressed) 36 s, a 100,000-page PDF was
refused only after 14 s and 0.5 GB, a DOCX with a 45 MB ``document.xml`` 12.8 s and 1.15 GB.
The limits below sit far above real forms and reports (the 130 PDFs of the test corpus and
/work/shared/corpus peak at 19,901 glyphs, 35,825 tokens, 39,222 string bytes, 720 paths and
218 KB of content — a 20-page government work report) and far below what hurts: pdfminer spends ~10 µs per glyph, 4-8 µs per token and ~50 µs per
path, so the worst file under them parses in about 2 s on an idle core. Each check raises ``LimitExceeded``
with the code ``too_large`` and a Chinese message naming the limit.

``Budget`` counts what is only known while interpreting (glyphs drawn, operands, paths — a form
XObject drawn 5,000 times multiplies its glyphs) and carries the wall-clock deadline. The
sandbox (``parsers/sandbox.py``) adds the hard backstops: an address-space limit and a kill.
"""
from __future__ import annotations

import contextvars
import re
import time
import zlib

MAX_PAGES = 200
MAX_CONTENT_BYTES = 16 * 1024 * 1024  # decoded content streams of the whole document
MAX_CONTENT_TOKENS = 200_000  # whitespace-separated tokens of the decoded content streams
MAX_STRING_BYTES = 200_000  # bytes inside text strings: an upper bound of the glyphs (2 per CJK glyph)
MAX_OPERANDS = 400_000  # operands pushed while interpreting (form XObjects count each time)
MAX_CHARS = 100_000  # glyphs, counted as pdfminer builds them
MAX_PATHS = 10_000  # lines, rectangles and curves (table finding is quadratic in them)
MAX_ANNOTS = 5_000
MAX_XML_BYTES = 16 * 1024 * 1024  # word/document.xml
MAX_XML_NODES = 600_000  # an upper bound: the number of '<' in the part
MAX_RENDER_PIXELS = 6_000_000  # one page image (~24 MB as RGBA)
MAX_RENDER_SIDE = 6_000  # pixels along either side of a page image
MAX_IMAGE_PIXELS = 40_000_000  # any raster decoded from a file (Pillow's bomb check uses it)

_MB = 1024 * 1024


class LimitExceeded(BaseException):
    """A file needs more work than it is allowed.

    A BaseException, not an Exception: the PDF and XML libraries wrap or swallow ``Exception``
    in many places, and a limit must reach the top unchanged.
    """

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


def too_large(message: str) -> LimitExceeded:
    return LimitExceeded("too_large", message)


class Budget:
    """Counters and a deadline for one parse or render (one per call; not thread-safe)."""

    CHECK_EVERY = 2048

    def __init__(self, seconds: float | None = None):
        self.deadline = time.monotonic() + seconds if seconds else None
        self.chars = self.operands = self.paths = self.tokens = self.content_bytes = self.string_bytes = 0
        self._ticks = 0

    def tick(self) -> None:
        self._ticks += 1
        if self.deadline is not None and self._ticks % self.CHECK_EVERY == 0 and time.monotonic() > self.deadline:
            raise LimitExceeded("parse_timeout", TIMEOUT_MESSAGE)

    def add_chars(self, n: int = 1) -> None:
        self.chars += n
        if self.chars > MAX_CHARS:
            raise too_large(f"文件中的文字超过 {MAX_CHARS} 个字符的处理上限，请只上传表格或汇报材料本身。")
        self.tick()

    def add_operand(self) -> None:
        self.operands += 1
        if self.operands > MAX_OPERANDS:
            raise too_large("PDF 页面的绘图指令过多，超过处理上限。")
        self.tick()

    def add_path(self) -> None:
        self.paths += 1
        if self.paths > MAX_PATHS:
            raise too_large(f"PDF 中的线条和图形超过 {MAX_PATHS} 个的处理上限。")
        self.tick()

    def add_content(self, data: bytes) -> None:
        """A decoded content stream, counted before it is interpreted."""
        self.content_bytes += len(data)
        if self.content_bytes > MAX_CONTENT_BYTES:
            raise too_large(f"PDF 页面内容解压后超过 {MAX_CONTENT_BYTES // _MB} MB 的处理上限。")
        self.add_tokens(token_count(data))
        self.add_strings(string_bytes(data))

    def add_tokens(self, n: int) -> None:
        self.tokens += n
        if self.tokens > MAX_CONTENT_TOKENS:
            raise too_large("PDF 页面的绘图指令过多，超过处理上限。")

    def add_strings(self, n: int) -> None:
        self.string_bytes += n
        if self.string_bytes > MAX_STRING_BYTES:
            raise too_large(f"文件中的文字超过 {MAX_CHARS} 个字符的处理上限，请只上传表格或汇报材料本身。")


def token_count(content: bytes) -> int:
    """Separators and array openings: about one per operand or operator (C speed)."""
    return sum(map(content.count, (b" ", b"\n", b"\r", b"\t", b"[", b"]")))


_LITERAL_RE = re.compile(rb"\([^()\\]*(?:\\.[^()\\]*)*\)", re.S)
_HEX_RE = re.compile(rb"<[0-9A-Fa-f\s]*>")


def string_bytes(content: bytes) -> int:
    """Bytes of the text strings of a content stream (literal and hex): each glyph shown takes
    at least one, so a single ``Tj`` of a million characters is refused before it is drawn."""
    total = sum(len(m) - 2 for m in _LITERAL_RE.findall(content))
    return total + sum((len(m) - 2) // 2 for m in _HEX_RE.findall(content))


TIMEOUT_MESSAGE = "文件解析超时：内容过于复杂，无法在限定时间内读取。请检查文件或另存为 PDF/Word 后重新上传。"

_CURRENT: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("wuhao_parse_budget", default=None)


def current() -> Budget:
    """The budget of the running parse: the one set by ``using``, else a fresh one without a
    deadline (a reader asks once per file, so each file starts from zero)."""
    budget = _CURRENT.get()
    return Budget() if budget is None else budget


class using:
    """``with limits.using(Budget(seconds)):`` — the readers below count against it."""

    def __init__(self, budget: Budget):
        self.budget = budget

    def __enter__(self) -> Budget:
        self._token = _CURRENT.set(self.budget)
        return self.budget

    def __exit__(self, *exc) -> None:
        _CURRENT.reset(self._token)


def check_page_count(count: int) -> None:
    if count > MAX_PAGES:
        raise too_large(f"PDF 共 {count} 页，超过 {MAX_PAGES} 页的处理上限。")


def check_xml_size(size: int) -> None:
    if size > MAX_XML_BYTES:
        raise too_large(f"Word 文档正文（document.xml）解压后约 {size // _MB} MB，"
                        f"超过 {MAX_XML_BYTES // _MB} MB 的处理上限。")


def check_xml_nodes(xml: bytes) -> None:
    nodes = xml.count(b"<")
    if nodes > MAX_XML_NODES:
        raise too_large(f"Word 文档正文的元素过多（约 {nodes} 个，上限 {MAX_XML_NODES} 个）。")


def inflate_capped(raw: bytes, cap: int) -> bytes | None:
    """zlib-inflate ``raw`` streaming, never producing more than ``cap`` bytes.

    Returns the data; None when the output would exceed ``cap`` (a bomb: 1 MB can inflate to
    1 GB). A corrupt tail keeps what inflated before it, as pdfminer does.
    """
    d = zlib.decompressobj()
    out = bytearray()
    pending = raw
    try:
        while pending:
            out += d.decompress(pending, cap + 1 - len(out))
            if len(out) > cap:
                return None
            pending = d.unconsumed_tail
            if d.eof:
                break
        out += d.flush()
    except zlib.error:
        pass
    return None if len(out) > cap else bytes(out)


def render_scale(width_pt: float, height_pt: float, scale: float) -> float:
    """The largest scale <= ``scale`` whose image stays within the pixel and side caps.

    A 14400 pt page at 1.5x would be 21600 x 21600 px (1.9 GB as RGBA); capped it is 2449 px a
    side. A 200000 pt page gets a scale of about 0.012.
    """
    w, h = max(float(width_pt), 1.0), max(float(height_pt), 1.0)
    cap = min(MAX_RENDER_SIDE / w, MAX_RENDER_SIDE / h, (MAX_RENDER_PIXELS / (w * h)) ** 0.5)
    if scale <= cap:
        return scale
    return max(cap * 0.998, 1e-4)  # pdfium rounds the pixel size up
