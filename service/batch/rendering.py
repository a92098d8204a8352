"""Rendering one chunk: reserve its numbers, draw its certificates, store the files.

A chunk's numbers are reserved once from the gapless sequences and recorded on the chunk
(``outputs.alloc``) in their own transaction, before anything is drawn; a retry after a kill
finds them there and draws the same numbers again, so every number is issued exactly once.
A reprint job (other outputs of a finished print run) takes each row's number from the job
that issued it and reserves nothing.

Every file goes into the content-addressed store without an fsync of its own; the chunk
syncs once before its result is committed (500 fsyncs per chunk cost more than the PDFs).
"""
from __future__ import annotations

import json
import pickle
from typing import Callable

from sqlalchemy import select

from service import numbering
from service.certificates.docx import render_docx
from service.certificates.checkcode import check_code, verify_link
from service.certificates.engine import engine_for
from service.config import Settings
from service.db import session_scope
from service.models import BatchChunk
from service.storage import store_for

from .state import FINAL_SEQ, number_scope, scope_counts, seq_kind, sequence_year

_rows_cache: dict[str, list[dict]] = {}
_reprint_cache: dict[int, dict[int, list]] = {}


class Interrupted(Exception):
    """The worker must stop this chunk: the job was cancelled or the lease was lost."""


def load_rows(settings: Settings, sha: str) -> list[dict]:
    """The job's parsed roster rows (one job's rows kept per process: chunks of a job follow each other)."""
    rows = _rows_cache.get(sha)
    if rows is None:
        rows = json.loads(store_for(settings.data_dir).read_bytes(sha))
        _rows_cache.clear()
        _rows_cache[sha] = rows
    return rows


def issued_by(settings: Settings, job_id: int) -> dict[int, list]:
    """{roster row: [row, number, scope, serial]} of a finished job (a reprint's source)."""
    got = _reprint_cache.get(job_id)
    if got is None:
        got = {}
        with session_scope(settings.database_url) as s:
            for co in s.execute(select(BatchChunk.outputs).where(BatchChunk.job_id == job_id,
                                                                 BatchChunk.seq != FINAL_SEQ)).scalars():
                for entry in (co or {}).get("issued", []):
                    got[entry[0]] = entry
        _reprint_cache.clear()
        _reprint_cache[job_id] = got
    return got


def allocate(settings: Settings, chunk_id: int, kind: str, opts: dict, rows: list[dict]) -> list:
    """The chunk's number blocks ``[[scope, first, count], …]`` (reserved once, then reused)."""
    with session_scope(settings.database_url) as s:
        q = select(BatchChunk).where(BatchChunk.id == chunk_id)
        if s.bind.dialect.name == "postgresql":
            q = q.with_for_update()
        ch = s.execute(q).scalar_one()
        alloc = (ch.outputs or {}).get("alloc")
        if alloc:
            return alloc
        year = sequence_year(kind, opts)
        alloc = [[scope, numbering.allocate(s, seq_kind(kind), year, n, scope=scope), n]
                 for scope, n in scope_counts(kind, rows).items()]
        ch.outputs = dict(ch.outputs or {}, alloc=alloc)
        if len(alloc) == 1:
            ch.number_first, ch.number_last = alloc[0][1], alloc[0][1] + alloc[0][2] - 1
        return alloc


def format_number(kind: str, opts: dict, scope: str, serial: int) -> str:
    if kind == "party-card":
        county, committee = scope[:2] or "00", scope[2:] or "00"
        return numbering.format_member_number(county, committee, serial, width=opts.get("serial_width", 4))
    return numbering.format_certificate_number(opts.get("prefix", "WH"), opts["year"], serial,
                                               width=opts.get("serial_width", 4))


def certificate_context(kind: str, opts: dict, row: dict, number: str, public_url: str, verify_key: str) -> dict:
    v = row["values"]
    ctx = {"number": number, "verify_url": verify_link(public_url, number, verify_key),
           "check_code": check_code(number, verify_key),
           "issued_on": opts["issued_on"], "issuer": opts.get("issuer") or v.get("issuer") or ""}
    if kind == "party-card":
        ctx.update(name=v.get("name", ""), branch_name=v.get("branch_name", ""),
                   organisation_path=row.get("organisation_path") or "", joined_on=v.get("joined_on", ""))
    else:
        ctx.update(branch_name=v.get("branch_name", ""), parent_org=v.get("parent_org", ""),
                   title=v.get("title") or opts["title"], term=v.get("term") or opts["term"])
    return ctx


def numbers_for(settings: Settings, chunk_id: int, kind: str, opts: dict, rows: list[dict],
                numbers_from: int | None) -> list[list]:
    """``[row, number, scope, serial]`` for each row of the chunk."""
    if numbers_from is not None:
        source = issued_by(settings, numbers_from)
        return [list(source[r["row"]]) for r in rows]
    alloc = allocate(settings, chunk_id, kind, opts, rows)
    next_serial = {scope: first for scope, first, _n in alloc}
    out = []
    for r in rows:
        scope = number_scope(kind, r)
        serial = next_serial[scope]
        next_serial[scope] = serial + 1
        out.append([r["row"], format_number(kind, opts, scope, serial), scope, serial])
    return out


def render_chunk(settings: Settings, kind: str, opts: dict, rows: list[dict], issued: list[list],
                 check: Callable[[], None]) -> dict:
    """Draw and store the chunk's certificates; return the chunk's result (file hashes by number,
    the merged-volume pages).  ``check`` raises :class:`Interrupted` to stop between certificates."""
    outputs = set(opts["outputs"])
    store = store_for(settings.data_dir)
    engine = engine_for(kind, settings.cert_cache)
    overprint = opts.get("overprint", False)
    offset = tuple(opts.get("offset_mm") or (0.0, 0.0))
    pdfs, docxs, pages = {}, {}, []
    for row, (_row_no, number, _scope, _serial) in zip(rows, issued):
        check()
        ctx = certificate_context(kind, opts, row, number, settings.public_url, settings.verify_key)
        page = engine.prepare(ctx, overprint=overprint, offset_mm=offset)
        if "pdf" in outputs:
            pdfs[number] = store.put_bytes(engine.write([page], overprint=overprint,
                                                        title=f"{engine.spec.title} {number}"), durable=False)
        if "docx" in outputs:
            docxs[number] = store.put_bytes(render_docx(kind, ctx), durable=False)
        if "merged" in outputs:
            pages.append((number, page.content,
                          {(f.spec.path, f.spec.index, f.spec.family): codes for f, codes in page.usage.items()}))
    result: dict = {"issued": issued}
    if pdfs:
        result["pdf"] = pdfs
    if docxs:
        result["docx"] = docxs
    if pages:
        result["pages"] = store.put_bytes(pickle.dumps(pages, protocol=5), durable=False)
    store.sync()
    return result
