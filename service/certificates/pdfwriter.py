"""A minimal PDF writer: numbered objects, Flate streams, a classic xref table.

Writing tens of thousands of certificate pages is mostly string formatting; a general
PDF library spends its time on object bookkeeping we do not need.  The writer also
splices in the objects of a pre-rendered static page (see :mod:`.static`) verbatim.
"""
from __future__ import annotations

import zlib
from typing import Iterable


class PdfWriter:
    def __init__(self, prefix_objects: "PrefixObjects | None" = None, version: str = "1.7"):
        self._parts: list[bytes] = []
        self._size = 0
        self._offsets: dict[int, int] = {}
        self._write(b"%PDF-" + version.encode() + b"\n%\xe2\xe3\xcf\xd3\n")
        self._next = 1
        if prefix_objects is not None:
            for num, body in prefix_objects.objects:
                self._offsets[num] = self._size
                self._write(b"%d 0 obj\n" % num + body + b"\nendobj\n")
            self._next = prefix_objects.next_number

    def _write(self, data: bytes) -> None:
        self._parts.append(data)
        self._size += len(data)

    def reserve(self) -> int:
        num = self._next
        self._next += 1
        return num

    def add_raw(self, body: bytes, num: int | None = None) -> int:
        if num is None:
            num = self.reserve()
        self._offsets[num] = self._size
        self._write(b"%d 0 obj\n" % num + body + b"\nendobj\n")
        return num

    def add_dict(self, entries: dict[str, str], num: int | None = None) -> int:
        return self.add_raw(dict_bytes(entries), num)

    def add_stream(self, data: bytes, entries: dict[str, str], compress: bool = True,
                   num: int | None = None, level: int = 6) -> int:
        entries = dict(entries)
        if compress:
            data = zlib.compress(data, level)
            entries["Filter"] = "/FlateDecode"
        entries["Length"] = str(len(data))
        body = dict_bytes(entries) + b"\nstream\n" + data + b"\nendstream"
        return self.add_raw(body, num)

    def finish(self, root: int, info: int | None = None) -> bytes:
        xref_at = self._size
        count = self._next
        lines = [b"xref\n0 %d\n" % count, b"0000000000 65535 f \n"]
        for num in range(1, count):
            off = self._offsets.get(num)
            if off is None:
                lines.append(b"0000000000 65535 f \n")
            else:
                lines.append(b"%010d 00000 n \n" % off)
        self._write(b"".join(lines))
        trailer = "<< /Size %d /Root %d 0 R" % (count, root)
        if info is not None:
            trailer += " /Info %d 0 R" % info
        trailer += " >>"
        self._write(b"trailer\n" + trailer.encode() + b"\nstartxref\n%d\n%%%%EOF\n" % xref_at)
        return b"".join(self._parts)


def dict_bytes(entries: dict[str, str]) -> bytes:
    return ("<< " + " ".join(f"/{k} {v}" for k, v in entries.items()) + " >>").encode("latin-1")


def pdf_text_string(text: str) -> str:
    """A PDF text string (UTF-16BE with BOM) as a hex literal."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


class PrefixObjects:
    """Objects copied verbatim from another PDF, keeping their numbers."""

    def __init__(self, objects: Iterable[tuple[int, bytes]], next_number: int, form_number: int,
                 media_box: tuple[float, float, float, float]):
        self.objects = list(objects)
        self.next_number = next_number
        self.form_number = form_number
        self.media_box = media_box
