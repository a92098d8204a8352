"""Byte sniffing, bounded zip reading and hardened XML parsing."""
from __future__ import annotations

import io
import re
import threading
import zipfile

from lxml import etree

from .errors import ParseError

MAX_ENTRIES = 1000
MAX_TOTAL_UNCOMPRESSED = 100 * 1024 * 1024
MAX_MEMBER = 50 * 1024 * 1024
MAX_RATIO = 200  # for members larger than RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(data: bytes) -> str:
    """Tell the file type from its bytes: 'pdf', 'docx', 'doc', 'zip' or 'unknown'."""
    head = data[:1024]
    if head.lstrip(b"\x00\t\r\n \xef\xbb\xbf")[:5] == b"%PDF-" or b"%PDF-" in head:
        return "pdf"
    if head[:8] == OLE2_MAGIC:
        return "doc"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "docx" if (b"word/" in data[:65536] or b"[Content_Types].xml" in data[:65536]) else "zip"
    return "unknown"


JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TIFF_MAGICS = (b"II*\x00", b"MM\x00*")


def image_kind(data: bytes) -> str:
    """'jpeg', 'png', 'tiff' or '' from the first bytes (a scan or a photo: read by OCR)."""
    if data[:3] == JPEG_MAGIC:
        return "jpeg"
    if data[:8] == PNG_MAGIC:
        return "png"
    if data[:4] in TIFF_MAGICS:
        return "tiff"
    return ""


def open_zip(data: bytes) -> zipfile.ZipFile:
    """Open a zip after checking entry count, declared sizes and compression ratios."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, IndexError) as exc:
        raise ParseError("corrupt_file", detail=str(exc)) from None
    except MemoryError:
        raise
    except Exception as exc:  # zipfile raises odd things on mangled central directories
        raise ParseError("corrupt_file", detail=repr(exc)) from None
    if len(infos) > MAX_ENTRIES:
        raise ParseError("zip_bomb", detail=f"{len(infos)} entries")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_MEMBER or total > MAX_TOTAL_UNCOMPRESSED:
            raise ParseError("zip_bomb", detail=f"{info.filename}: {info.file_size} bytes")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ParseError("zip_bomb", detail=f"{info.filename}: ratio")
    return zf


def read_member(zf: zipfile.ZipFile, name: str, limit: int = MAX_MEMBER) -> bytes | None:
    """Read one member with a hard cap (the declared size in the header is not trusted)."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    try:
        with zf.open(info) as fh:
            buf = fh.read(limit + 1)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError, EOFError) as exc:
        # RuntimeError: encrypted member; NotImplementedError: odd compression
        raise ParseError("corrupt_file", detail=str(exc)) from None
    except MemoryError:
        raise
    except Exception as exc:  # zlib.error and friends
        raise ParseError("corrupt_file", detail=repr(exc)) from None
    if len(buf) > limit:
        raise ParseError("zip_bomb", detail=f"{name} exceeds {limit} bytes")
    return buf


_LOCAL = threading.local()


def _parser() -> etree.XMLParser:
    """One hardened parser per thread (lxml parser objects must not be shared across threads)."""
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = _LOCAL.parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
            huge_tree=False, remove_comments=True, remove_pis=True,
        )
    return parser
_DOCTYPE_RE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def parse_xml(data: bytes):
    """Parse untrusted XML: any DOCTYPE/ENTITY is refused, nothing is fetched or expanded."""
    if _DOCTYPE_RE.search(data):
        raise ParseError("xml_entities")
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise ParseError("corrupt_file", detail=str(exc)) from None
    except MemoryError:
        raise
    except Exception as exc:
        raise ParseError("corrupt_file", detail=repr(exc)) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise ParseError("xml_entities")
    return root
