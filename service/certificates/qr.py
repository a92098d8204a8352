"""A fast QR encoder for the verify link (byte mode, level M, mask pattern 0).

segno builds a QR code in ~0.6 ms even with a fixed mask: most of it goes to rebuilding
the function patterns and walking the matrix for every code.  Certificates of one batch
share the version, so the template (finder, timing, alignment, format and version
information) and the order of the data modules are computed once per version with
segno's own building blocks; a code then costs the Reed–Solomon division and one pass
over the data modules (~0.15 ms).  The tests compare every module with segno's output.
"""
from __future__ import annotations

import functools

from segno import consts
from segno import encoder as _enc

_M = consts.ERROR_LEVEL_M
_EXP = consts.GALIOS_EXP
_LOG = consts.GALIOS_LOG


@functools.lru_cache(maxsize=8)
def _template(version: int):
    size = _enc.calc_matrix_size(version)
    matrix = _enc.make_matrix(size, size)
    _enc.add_finder_patterns(matrix, size, size)
    _enc.add_alignment_patterns(matrix, size, size)
    free = sum(row.count(0x2) for row in matrix)
    marked = [list(row) for row in matrix]
    # segno places codeword bits in reading order; distinct markers reveal the order
    _enc.add_codewords(marked, list(range(1000, 1000 + free)), version)
    order = [None] * free
    for i, row in enumerate(marked):
        for j, v in enumerate(row):
            if isinstance(v, int) and v >= 1000:
                order[v - 1000] = (i, j)
    _enc.add_format_info(matrix, version, _M, 0)
    _enc.add_version_info(matrix, version)
    base = [[1 if v in (0x1,) or (v not in (0x0, 0x2) and v & 1) else 0 for v in row] for row in matrix]
    # mask pattern 0: (i + j) % 2 == 0 flips a data module
    flips = [((i + j) % 2 == 0) for i, j in order]
    # start rows with the masked "all data bits zero" state
    for (i, j), f in zip(order, flips):
        base[i][j] = 1 if f else 0
    base_rows = [sum(bit << (size - 1 - j) for j, bit in enumerate(row)) for row in base]
    # per data module: (row, bit mask) so that a 1 data bit toggles it
    slots = [(i, 1 << (size - 1 - j)) for i, j in order]
    ec_infos = consts.ECC[version][_M]
    return size, base_rows, slots, ec_infos


@functools.lru_cache(maxsize=64)
def _capacity(version: int) -> int:
    return sum(ec.num_blocks * ec.num_data for ec in consts.ECC[version][_M])


def choose_version(length: int) -> int:
    for v in range(1, 41):
        cc = 8 if v < 10 else 16
        if (4 + cc + 8 * length + 7) // 8 <= _capacity(v):
            return v
    raise ValueError("data too long for a QR code")


def _data_codewords(data: bytes, version: int) -> bytearray:
    cap = _capacity(version)
    cc = 8 if version < 10 else 16
    bits = 0
    nbits = 0

    def put(value: int, n: int):
        nonlocal bits, nbits
        bits = (bits << n) | value
        nbits += n

    put(0b0100, 4)
    put(len(data), cc)
    put(int.from_bytes(data, "big"), 8 * len(data))
    put(0, min(4, cap * 8 - nbits))
    # like segno: pad to the byte boundary with 1–8 zero bits (a whole zero byte when
    # already aligned; readers stop at the terminator, and the modules equal segno's)
    if nbits < cap * 8:
        put(0, 8 - nbits % 8)
    out = bytearray(bits.to_bytes(nbits // 8, "big"))
    pad = (0xEC, 0x11)
    k = 0
    while len(out) < cap:
        out.append(pad[k & 1])
        k += 1
    return out


@functools.lru_cache(maxsize=16)
def _rs_table(n_err: int) -> tuple[int, ...]:
    """For each leading coefficient, the generator polynomial times it, as one integer."""
    gen = consts.GEN_POLY[n_err]
    table = [0]
    for coef in range(1, 256):
        lc = _LOG[coef]
        table.append(int.from_bytes(bytes(_EXP[lc + g] for g in gen[:n_err]), "big"))
    return tuple(table)


def _ecc(block: bytes, n_err: int) -> bytes:
    """Reed–Solomon remainder by a shift register held in one integer."""
    table = _rs_table(n_err)
    shift = 8 * (n_err - 1)
    mask = (1 << (8 * n_err)) - 1
    r = 0
    for d in block:
        coef = d ^ (r >> shift)
        r = (r << 8) & mask
        if coef:
            r ^= table[coef]
    return r.to_bytes(n_err, "big")


def _final_message(codewords: bytearray, ec_infos) -> bytearray:
    data_blocks, error_blocks = [], []
    pos = 0
    for ec in ec_infos:
        n_err = ec.num_total - ec.num_data
        for _ in range(ec.num_blocks):
            block = bytes(codewords[pos:pos + ec.num_data])
            pos += ec.num_data
            data_blocks.append(block)
            error_blocks.append(_ecc(block, n_err))
    if len(data_blocks) == 1:
        return bytearray(data_blocks[0] + error_blocks[0])
    out = bytearray()
    for blocks in (data_blocks, error_blocks):
        for i in range(max(len(b) for b in blocks)):
            for b in blocks:
                if i < len(b):
                    out.append(b[i])
    return out


def qr_rows(text: str) -> tuple[int, list[int]]:
    """(size, rows as ints, most significant bit = leftmost module; 1 = dark)."""
    data = text.encode("utf-8")
    version = choose_version(len(data))
    size, base_rows, slots, ec_infos = _template(version)
    message = _final_message(_data_codewords(data, version), ec_infos)
    rows = list(base_rows)
    idx = 0
    for byte in message:
        if byte:
            for b in range(8):
                if byte & (0x80 >> b):
                    r, m = slots[idx + b]
                    rows[r] ^= m
        idx += 8
    return size, rows
