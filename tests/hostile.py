"""Hostile files of issue 16 (items 1 and 3), generated on the fly, and a byte mutator for fuzzing.

Each generator returns the bytes of one attack that used to cost seconds to minutes and gigabytes:
a 55 KB PDF with one ``Tj`` of a million characters (18 s, 2 GB), 74 KB of compressed ``q Q``
(20 MB decompressed: 36 s), a 100,000-page PDF (14 s, 0.5 GB), a DOCX whose 45 MB
``document.xml`` packs into about 4.7 MB (12.8 s, 1.15 GB), 14400 pt and 200000 pt pages
(4.2 GB page image, MemoryError). ``HOSTILE`` names them all; tests and ``bench/`` use it.
"""
from __future__ import annotations

import io
import random
import zipfile
import zlib

FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"


def build_pdf(pages: list[tuple[tuple[float, float], int]], streams: list[bytes], *, extra: list[bytes] = (),
              count: int | None = None, compress: bool = True, resources: bytes | None = None) -> bytes:
    """A minimal, valid PDF: ``pages`` are ((width, height), index into ``streams``).

    Objects: 1 catalog, 2 page tree, 3 font, then the content streams, then ``extra`` objects
    (numbered after the streams), then one object per page. ``count`` overrides /Count (a liar).
    """
    objs: list[bytes] = [b"", b"", FONT]
    first_stream = 4
    for s in streams:
        body = zlib.compress(s, 9) if compress else s
        filt = b" /Filter /FlateDecode" if compress else b""
        objs.append(b"<< /Length %d%s >>\nstream\n" % (len(body), filt) + body + b"\nendstream")
    objs.extend(extra)
    res = resources or b"<< /Font << /F1 3 0 R >> >>"
    first_page = len(objs) + 1
    kids = []
    for i, ((w, h), si) in enumerate(pages):
        objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Resources %s /Contents %d 0 R >>"
                    % (_num(w), _num(h), res, first_stream + si))
        kids.append(b"%d 0 R" % (first_page + i))
    objs[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objs[1] = b"<< /Type /Pages /Count %d /Kids [%s] >>" % (len(pages) if count is None else count, b" ".join(kids))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objs, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


def _num(v: float) -> bytes:
    return str(int(v) if float(v).is_integer() else v).encode()


def text_pdf(lines: list[str], size=(595, 842)) -> bytes:
    """An ordinary one-page text PDF (Latin text, Helvetica)."""
    ops = [b"BT /F1 12 Tf 72 760 Td 16 TL"]
    for line in lines:
        ops.append(b"(" + line.encode("latin-1").replace(b"(", b"\\(").replace(b")", b"\\)") + b") Tj T*")
    ops.append(b"ET")
    return build_pdf([(size, 0)], [b"\n".join(ops)])


def tj_chars(n: int = 1_000_000) -> bytes:
    """One ``Tj`` of ``n`` characters: ~55 KB compressed for a million."""
    return build_pdf([((595, 842), 0)], [b"BT /F1 1 Tf 10 10 Td (" + b"A" * n + b") Tj ET"])


def q_q(megabytes: int = 20) -> bytes:
    """``megabytes`` MB of ``q Q`` operators, ~74 KB compressed for 20 MB."""
    return build_pdf([((595, 842), 0)], [b"BT /F1 12 Tf 72 700 Td (x) Tj ET\n" + b"q Q\n" * (megabytes * 262_144)])


def many_pages(n: int = 100_000, *, count: int | None = None) -> bytes:
    """``n`` pages sharing one content stream (about 6 MB for 100,000); ``count`` may lie."""
    return build_pdf([((595, 842), 0)] * n, [b"BT /F1 12 Tf 72 700 Td (page) Tj ET"], count=count)


def big_page(points: float) -> bytes:
    """One square page of ``points`` x ``points`` with a line of text (14400 pt is PDF's own limit)."""
    return build_pdf([((points, points), 0)], [b"BT /F1 48 Tf 72 72 Td (large page) Tj ET"])


def flate_bomb(megabytes: int = 1024) -> bytes:
    """A content stream that inflates to ``megabytes`` MB of spaces (about 1 MB per GB compressed)."""
    comp = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    body = b"".join(comp.compress(chunk) for _ in range(megabytes)) + comp.flush()
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream"
    return build_pdf_raw_stream(stream)


def build_pdf_raw_stream(stream_obj: bytes, size=(595, 842), resources: bytes | None = None) -> bytes:
    """A one-page PDF whose content stream object is given verbatim (already encoded)."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Count 1 /Kids [5 0 R] >>", FONT, stream_obj,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Resources %s /Contents 4 0 R >>"
            % (_num(size[0]), _num(size[1]), resources or b"<< /Font << /F1 3 0 R >> >>")]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objs, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


def xobject_amplifier(chars: int = 2000, draws: int = 5000) -> bytes:
    """A form XObject of ``chars`` characters drawn ``draws`` times: 10 M glyphs from a few KB."""
    form_body = zlib.compress(b"BT /F1 1 Tf 0 0 Td (" + b"B" * chars + b") Tj ET")
    form = (b"<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
            b" /Length %d /Filter /FlateDecode >>\nstream\n" % len(form_body) + form_body + b"\nendstream")
    page = b"BT /F1 12 Tf 72 700 Td (x) Tj ET\n" + b"/X1 Do\n" * draws
    return build_pdf([((595, 842), 0)], [page], extra=[form],
                     resources=b"<< /Font << /F1 3 0 R >> /XObject << /X1 5 0 R >> >>")


def many_rects(n: int = 200_000) -> bytes:
    """``n`` ruled cells (``re S``): table finding over them is quadratic."""
    ops = [b"BT /F1 12 Tf 72 800 Td (grid) Tj ET"]
    for i in range(n):
        x, y = 20 + (i % 100) * 5, 20 + (i // 100) % 150 * 5
        ops.append(b"%d %d 4 4 re S" % (x, y))
    return build_pdf([((595, 842), 0)], [b"\n".join(ops)])


def deep_arrays(depth: int = 200_000) -> bytes:
    """Operands nested ``depth`` arrays deep."""
    return build_pdf([((595, 842), 0)], [b"BT /F1 12 Tf 72 700 Td " + b"[" * depth + b"(x)" + b"]" * depth + b" TJ ET"])


def _docx(document_xml: bytes, compresslevel: int = 6) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as zf:
        zf.writestr("[Content_Types].xml",
                    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
                    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                    'officedocument.wordprocessingml.document.main+xml"/></Types>')
        zf.writestr("word/document.xml", document_xml)
    return buf.getvalue()


W_OPEN = (b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
          b'wordprocessingml/2006/main"><w:body>')
W_CLOSE = b"</w:body></w:document>"


def docx_big_xml(megabytes: int = 45, seed: int = 16) -> bytes:
    """A DOCX whose ``document.xml`` is ``megabytes`` MB of paragraphs of random binary digits
    (about 4.7 MB zipped for 45 MB: the ratio stays far under the zip-bomb test)."""
    rnd = random.Random(seed)
    paras = [b"<w:p><w:r><w:t>" + "".join(rnd.choices("01", k=200)).encode() + b"</w:t></w:r></w:p>"
             for _ in range(5000)]
    block = b"".join(paras)
    reps = (megabytes << 20) // len(block) + 1
    return _docx(W_OPEN + block * reps + W_CLOSE, compresslevel=1)


def docx_many_nodes(nodes: int = 2_000_000) -> bytes:
    """Millions of empty paragraphs (``<w:p/>``): few bytes, many XML nodes."""
    return _docx(W_OPEN + b"<w:p/>" * nodes + W_CLOSE)


def docx_zip_bomb(megabytes: int = 1024) -> bytes:
    """``document.xml`` of ``megabytes`` MB of one repeated paragraph (ratio ~1000)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(W_OPEN)
            block = b"<w:p><w:r><w:t>bomb</w:t></w:r></w:p>" * 28_000
            for _ in range(megabytes):
                fh.write(block)
            fh.write(W_CLOSE)
    return buf.getvalue()


def docx_entities() -> bytes:
    """Billion laughs."""
    xml = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
           + W_OPEN[len(b'<?xml version="1.0" encoding="UTF-8"?>'):] + b"<w:p><w:r><w:t>&lol2;</w:t></w:r></w:p>"
           + W_CLOSE)
    return _docx(xml)


HOSTILE = {
    "tj_1m_chars.pdf": tj_chars,
    "q_Q_20MB.pdf": q_q,
    "pages_100000.pdf": many_pages,
    "pages_100000_count_1.pdf": lambda: many_pages(count=1),
    "page_14400pt.pdf": lambda: big_page(14400),
    "page_200000pt.pdf": lambda: big_page(200000),
    "flate_bomb_1GB.pdf": flate_bomb,
    "xobject_10M_glyphs.pdf": xobject_amplifier,
    "rects_200000.pdf": many_rects,
    "arrays_200000_deep.pdf": deep_arrays,
    "document_xml_45MB.docx": docx_big_xml,
    "nodes_2M.docx": docx_many_nodes,
    "zip_bomb_1GB.docx": docx_zip_bomb,
    "entities.docx": docx_entities,
}


def mutate(data: bytes, rnd: random.Random, rounds: int = 2) -> bytes:
    """Flip, insert, delete, duplicate or truncate byte runs (a cheap, seedable fuzzer)."""
    b = bytearray(data)
    for _ in range(rnd.randint(1, rounds)):
        if not b:
            break
        i = rnd.randrange(len(b))
        n = rnd.randint(1, 64)
        op = rnd.choices(range(6), weights=(30, 20, 20, 15, 5, 10))[0]
        if op == 0:
            for k in range(i, min(i + n, len(b))):
                b[k] ^= rnd.randrange(1, 256)
        elif op == 1:
            b[i:i] = rnd.randbytes(n)
        elif op == 2:
            del b[i:i + n]
        elif op == 3:
            b[i:i] = b[i:i + n] * rnd.randint(2, 50)
        elif op == 4:
            del b[rnd.randrange(len(b) // 2, len(b)):]
        else:
            digits = b"0123456789"
            for k in range(i, min(i + 4, len(b))):
                if b[k] in digits:
                    b[k] = rnd.choice(digits)
    return bytes(b)
