"""Untrusted files are read and drawn in worker processes with a memory and a time budget.

The limits in ``limits.py`` refuse what can be counted; what cannot (a slow corner of pdfminer,
a pdfium page that eats memory) is stopped here: each worker is a separate Python process
(``python -m parsers.sandbox``) with ``RLIMIT_AS`` set (1 GiB by default, so no parse ever
holds more than that), and every call has a wall-clock budget — the worker's own SIGALRM stops
Python code at the deadline, and the caller kills the process ``GRACE`` seconds later if it
still has not answered (pdfium in C). A killed worker becomes the error ``parse_timeout``,
``parse_memory`` or ``parse_failed`` with a Chinese message; the request never hangs.

Workers serve two lanes (``Sandbox``): a light lane for small files with a short budget, and
a heavy lane of its own workers with a bounded queue for large files and for the small ones that
ran out of the light budget, so slow files never hold every worker.

Workers are started once and reused (a warm worker answers a 2-page text PDF in the time of the
parse plus ~1 ms of pipe traffic; starting one costs ~0.5 s of imports), retired after
``MAX_TASKS`` calls or when their resident memory passed ``RECYCLE_RSS``, and replaced in the
background after a kill. They are plain subprocesses, not ``multiprocessing`` children: nothing
of the calling process (threads, database connections, its ``__main__``) is inherited.

Requests and replies are length-prefixed JSON plus one binary blob (the file, a PNG), never
pickle: a worker that a hostile file took over cannot make the caller run code.
"""
from __future__ import annotations

import atexit
import io
import json
import logging
import os
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

from PIL import Image

# docx_reader, pdf_reader (and pdfplumber through it) are imported here, at the top, so that a
# warm worker has paid for them before its first parse
from . import docx_reader, limits, pdf_reader  # noqa: F401
from .api import parse_document
from .errors import MESSAGES, ParseError
from .model import Cell, Doc, Para, Table
from .pdfium_access import page_png, page_sizes
from .safety import image_kind

log = logging.getLogger("parsers.sandbox")

DEFAULT_WORKERS = 3  # the light lane
HEAVY_WORKERS = 1  # the heavy lane: larger files, and the files the light lane could not read in time
HEAVY_QUEUE = 2  # callers that may wait for a heavy worker; the next is answered parse_busy at once
LIGHT_BYTES = 2 * 1024 * 1024  # the forms of the corpus are under 350 KB
LIGHT_SECONDS = 1.0  # a light attempt's budget: a form parses in ~50 ms, a 20-page report in ~2 s
DEFAULT_MEMORY_MB = 1024
DEFAULT_TIMEOUT = 4.0  # seconds per parse or page image: the hostile-file suite allows 5 s per response
GRACE = 0.5  # after its SIGALRM a worker has this long to answer before it is killed
MAX_TASKS = 500
RECYCLE_RSS = 400 * 1024 * 1024
MAX_PREVIEW_PAGES = 20
START_TIMEOUT = 120.0  # imports on a loaded two-core machine

_HEADER = struct.Struct("!QQ")


# --- the document model as JSON (for the caller's cache) -------------------------------------

def doc_to_dict(doc: Doc) -> dict:
    """The parts of the model a preview shows: blocks in reading order with their provenance."""
    blocks = []  # by hand: dataclasses.asdict deep-copies and costs 2.4 ms for a one-page form
    for b in doc.blocks or doc.paragraphs:
        if isinstance(b, Table):
            blocks.append({"table": {"index": b.index, "cells": [
                {"row": c.row, "col": c.col, "text": c.text, "rowspan": c.rowspan, "colspan": c.colspan,
                 "loc": c.loc} for c in b.cells]}})
        else:
            blocks.append({"p": {"index": b.index, "text": b.text, "loc": b.loc, "style": b.style,
                                 "centered": b.centered, "size": b.size}})
    return {"source": doc.source, "blocks": blocks, "header_text": doc.header_text}


def doc_from_dict(data: dict) -> Doc:
    doc = Doc(source=data.get("source", ""), header_text=data.get("header_text", ""))
    for b in data.get("blocks", ()):
        if "table" in b:
            obj = Table(index=b["table"]["index"], cells=[Cell(**c) for c in b["table"]["cells"]])
            doc.tables.append(obj)
        else:
            obj = Para(**b["p"])
            doc.paragraphs.append(obj)
        doc.blocks.append(obj)
    return doc


# --- framing -------------------------------------------------------------------------------

def _pack(header: dict, blob: bytes = b"") -> bytes:
    head = json.dumps(header, ensure_ascii=False).encode()
    return _HEADER.pack(len(head), len(blob)) + head + blob


def _read_exact(fd: int, n: int, deadline: float | None) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(n - len(buf), 1 << 20))
        if not chunk:
            raise EOFError
        buf += chunk
    return bytes(buf)


def _recv(fd: int, deadline: float | None = None) -> tuple[dict, bytes]:
    nhead, nblob = _HEADER.unpack(_read_exact(fd, _HEADER.size, deadline))
    head = json.loads(_read_exact(fd, nhead, deadline))
    return head, _read_exact(fd, nblob, deadline) if nblob else b""


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


# --- the worker process --------------------------------------------------------------------

def _peak_rss_reset() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # resets VmHWM, so each call reports its own peak
    except OSError:
        pass


def _status_bytes(pid: int | str, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _on_alarm(_signum, _frame):
    raise limits.LimitExceeded("parse_timeout", MESSAGES["parse_timeout"])


def _op_parse(head: dict, data: bytes) -> tuple[dict, bytes]:
    gate = head.get("gate")
    if gate:
        with open(gate, "rb", buffering=0) as fh:  # a test holds the parse here until it writes to the FIFO
            fh.read(1)  # one byte, unbuffered: each byte written lets exactly one parse through
    signal.setitimer(signal.ITIMER_REAL, head["timeout"])
    with limits.using(limits.Budget(head["timeout"])):
        result, doc = parse_document(data, head.get("filename", ""), max_bytes=head["max_bytes"])
    pages = page_sizes(data, MAX_PREVIEW_PAGES) if doc is not None and doc.source == "pdf" else []
    signal.setitimer(signal.ITIMER_REAL, 0)
    return {"result": result.to_full_dict(), "doc": doc_to_dict(doc) if doc is not None else None,
            "pages": pages}, b""


def image_page_png(data: bytes, n: int, scale: float) -> bytes | None:
    """Frame ``n`` (1-based) of a scan or photo (JPEG, PNG, TIFF) as a PNG about as large as a
    PDF page drawn at ``scale``: the preview's page under the OCR'd fields' boxes."""
    img = Image.open(io.BytesIO(data))
    if not 1 <= n <= min(getattr(img, "n_frames", 1), MAX_PREVIEW_PAGES):
        return None
    img.seek(n - 1)
    side = int(842 * scale)  # an A4 page's long side in points, times the scale
    img.draft("RGB", (side, side))
    img = img.convert("RGB")
    img.thumbnail((side, side))
    out = io.BytesIO()
    img.save(out, "PNG", compress_level=1)  # a scan's noise compresses badly: level 6 costs 3x the CPU for 13% less
    return out.getvalue()


def _op_render(head: dict, data: bytes) -> tuple[dict, bytes]:
    signal.setitimer(signal.ITIMER_REAL, head["timeout"])
    try:
        if image_kind(data):
            png = image_page_png(data, head["page"], head["scale"])
        else:
            png = page_png(data, head["page"], head["scale"], MAX_PREVIEW_PAGES)
    except (limits.LimitExceeded, MemoryError):
        raise
    except Exception:  # pdfium cannot open or draw it: a broken file, not a broken worker
        raise ParseError("corrupt_file") from None
    signal.setitimer(signal.ITIMER_REAL, 0)
    return {"found": png is not None}, png or b""


OPS = {"parse": _op_parse, "render": _op_render}


def worker_main(memory_mb: int) -> None:
    """Serve requests on stdin until it closes; replies go to the original stdout."""
    out_fd = os.dup(1)
    os.dup2(2, 1)  # a stray print inside a library must not corrupt the replies
    in_fd = 0
    Image.MAX_IMAGE_PIXELS = limits.MAX_IMAGE_PIXELS
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGALRM, _on_alarm)
    _write_all(out_fd, _pack({"ready": True, "pid": os.getpid()}))
    tasks = 0
    while True:
        try:
            head, blob = _recv(in_fd)
        except (EOFError, OSError):
            return
        tasks += 1
        _peak_rss_reset()
        started = time.monotonic()
        retire = False
        # a worker stopped by its own alarm retires (the parse may have left garbage behind),
        # except after a light-lane attempt: those are cut short by design, and a restart costs
        # ~0.5 s of imports, which a flood of slow files must not make the light lane pay
        stops = ("parse_memory",) if head.get("keep_on_timeout") else ("parse_timeout", "parse_memory")
        try:
            reply, out_blob = OPS[head["op"]](head, blob)
            errors = (reply.get("result") or {}).get("errors") or []
            retire = any(e.get("code") in stops for e in errors)
        except (limits.LimitExceeded, ParseError) as exc:
            reply, out_blob, retire = {"error": exc.to_dict()}, b"", exc.code in stops
        except MemoryError:
            reply, out_blob, retire = {"error": ParseError("parse_memory").to_dict()}, b"", True
        except Exception:
            log.exception("sandbox worker failed on %s", head.get("op"))
            reply, out_blob, retire = {"error": ParseError("corrupt_file").to_dict()}, b"", True
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        rss = _status_bytes("self", "VmRSS")
        reply["peak_rss"] = _status_bytes("self", "VmHWM")
        reply["seconds"] = round(time.monotonic() - started, 4)
        reply["retire"] = retire or tasks >= MAX_TASKS or rss > RECYCLE_RSS
        try:
            _write_all(out_fd, _pack(reply, out_blob))
        except OSError:
            return
        if reply["retire"]:
            return


# --- the caller's side ---------------------------------------------------------------------

class _Worker:
    def __init__(self, memory_mb: int):
        root = str(Path(__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        self.proc = subprocess.Popen([sys.executable, "-m", "parsers.sandbox", str(memory_mb)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, close_fds=True)
        self.pid = self.proc.pid
        try:
            head, _ = _recv(self.proc.stdout.fileno(), time.monotonic() + START_TIMEOUT)
        except (EOFError, TimeoutError, OSError, ValueError) as exc:
            self.kill()
            raise RuntimeError(f"sandbox worker did not start: {exc!r}") from None
        if not head.get("ready"):
            self.kill()
            raise RuntimeError("sandbox worker did not start")

    def call(self, head: dict, blob: bytes, deadline: float) -> tuple[dict, bytes]:
        _write_all(self.proc.stdin.fileno(), _pack(head, blob))
        return _recv(self.proc.stdout.fileno(), deadline)

    def peak_rss(self) -> int:
        return _status_bytes(self.pid, "VmHWM")

    def kill(self) -> None:
        try:
            self.proc.kill()
        except OSError:
            pass
        self._reap()

    def close(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
        self._reap()

    def _reap(self) -> None:
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for fh in (self.proc.stdin, self.proc.stdout):
            try:
                fh.close()
            except OSError:
                pass


class _Pool:
    """Warm workers of one lane, shared by the threads of one process; at most ``max_waiting``
    callers wait for one (None: any number), the next is told at once that the lane is busy."""

    def __init__(self, size: int, memory_mb: int, stats: dict, max_waiting: int | None = None):
        self.size, self.memory_mb, self.stats, self.max_waiting = max(1, size), memory_mb, stats, max_waiting
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._live = 0
        self._waiting = 0
        self._closed = False

    def acquire(self, deadline: float) -> _Worker | None:
        with self._cond:
            waiting = False
            try:
                while True:
                    if self._idle:
                        return self._idle.pop()
                    if self._live < self.size:
                        self._live += 1
                        break
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return None
                    if not waiting:
                        if self.max_waiting is not None and self._waiting >= self.max_waiting:
                            return None
                        waiting = True
                        self._waiting += 1
                    self._cond.wait(left)
            finally:
                if waiting:
                    self._waiting -= 1
        try:
            worker = _Worker(self.memory_mb)
        except BaseException:
            with self._cond:
                self._live -= 1
                self._cond.notify()
            raise
        self.stats["started"] += 1
        return worker

    def warm(self) -> None:
        with self._cond:
            missing = self.size - self._live
            self._live += missing
        for _ in range(missing):
            self._replace()

    def wait_ready(self, deadline: float) -> bool:
        with self._cond:
            while len(self._idle) < self.size:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def release(self, worker: _Worker, retire: bool) -> None:
        if retire:
            threading.Thread(target=worker.close, daemon=True).start()
            self._replace()
            return
        with self._cond:
            if self._closed:
                worker.close()
                return
            self._idle.append(worker)
            self._cond.notify()

    def drop(self, worker: _Worker) -> None:
        worker.kill()
        self._replace()

    def _replace(self) -> None:
        """One worker less: start its successor in the background, so no request waits for imports."""
        def start():
            try:
                worker = _Worker(self.memory_mb)
            except Exception:
                log.exception("could not start a sandbox worker")
                with self._cond:
                    self._live -= 1
                    self._cond.notify()
                return
            self.stats["started"] += 1
            with self._cond:
                if self._closed:
                    worker.close()
                    self._live -= 1
                    return
                self._idle.append(worker)
                self._cond.notify()

        threading.Thread(target=start, daemon=True).start()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
        for w in idle:
            w.close()


def _timed_out(reply: dict) -> bool:
    codes = [(reply.get("error") or {}).get("code")]
    codes += [e.get("code") for e in (reply.get("result") or {}).get("errors") or ()]
    return "parse_timeout" in codes


class Sandbox:
    """Two lanes of warm workers shared by the threads of one process, so that slow files never
    hold every worker (issue 16: 5 hostile uploaders must not starve 50 ordinary ones).

    * The light lane (``workers`` processes) takes every file of at most ``LIGHT_BYTES`` first,
      with a budget of ``light_seconds``: a form parses in tens of milliseconds there.
    * The heavy lane (``heavy_workers``) takes larger files, and the light lane's files that ran
      out of their light budget (the worker stops them itself, or is killed; either way the file
      is read again here, with what is left of its whole budget). At most ``heavy_queue`` calls
      wait for a heavy worker; the next one is answered ``parse_busy`` at once (503, Retry-After).

    A file that takes long — hostile or just big — thus costs the light lane at most
    ``light_seconds`` plus ``GRACE``, and the heavy lane's queue is bounded.
    """

    def __init__(self, workers: int = DEFAULT_WORKERS, memory_mb: int = DEFAULT_MEMORY_MB, *,
                 heavy_workers: int = HEAVY_WORKERS, heavy_queue: int = HEAVY_QUEUE,
                 light_seconds: float = LIGHT_SECONDS):
        self.size, self.memory_mb, self.light_seconds = max(1, workers), memory_mb, light_seconds
        self.stats = {"calls": 0, "timeouts": 0, "crashes": 0, "memory_errors": 0, "busy": 0,
                      "peak_rss": 0, "max_seconds": 0.0, "started": 0, "heavy": 0, "demoted": 0}
        self.light = _Pool(workers, memory_mb, self.stats)
        self.heavy = _Pool(heavy_workers, memory_mb, self.stats, max_waiting=heavy_queue)

    @property
    def _idle(self) -> list[_Worker]:
        return self.light._idle

    def warm(self) -> None:
        """Start the missing workers in the background, so that no request waits for the imports
        (a worker starts in ~0.5 s on an idle core, 5-10 s on a loaded machine)."""
        self.light.warm()
        self.heavy.warm()

    def wait_ready(self, timeout: float = START_TIMEOUT) -> bool:
        """Block until every worker is started and idle (after ``warm``); False on timeout."""
        deadline = time.monotonic() + timeout
        return self.light.wait_ready(deadline) and self.heavy.wait_ready(deadline)

    def close(self) -> None:
        self.light.close()
        self.heavy.close()

    # calls -------------------------------------------------------------------------------
    def call(self, head: dict, blob: bytes, timeout: float) -> tuple[dict, bytes]:
        """Run one operation; failures come back as ``{"error": {"code", "message"}}``."""
        if len(blob) <= LIGHT_BYTES:
            budget = min(self.light_seconds, timeout)
            reply, out = self._run(self.light, {**head, "keep_on_timeout": budget < timeout}, blob, budget, timeout)
            if budget >= timeout or not _timed_out(reply):
                return reply, out
            self.stats["demoted"] += 1
            timeout -= budget
        self.stats["heavy"] += 1
        return self._run(self.heavy, head, blob, timeout, timeout)

    def _run(self, pool: _Pool, head: dict, blob: bytes, timeout: float, wait: float) -> tuple[dict, bytes]:
        started = time.monotonic()
        worker = pool.acquire(started + wait)
        if worker is None:
            self.stats["busy"] += 1
            return {"error": ParseError("parse_busy").to_dict()}, b""
        self.stats["calls"] += 1
        head = {**head, "timeout": timeout}
        run_started = time.monotonic()
        try:
            reply, out = worker.call(head, blob, run_started + timeout + GRACE)
        except TimeoutError:
            self.stats["timeouts"] += 1
            self._note(worker.peak_rss(), time.monotonic() - run_started)
            pool.drop(worker)
            return {"error": ParseError("parse_timeout").to_dict()}, b""
        except (EOFError, OSError, ValueError):
            code = worker.proc.poll()
            self.stats["crashes"] += 1
            self._note(worker.peak_rss(), time.monotonic() - run_started)
            pool.drop(worker)
            log.warning("sandbox worker %s died (exit %s) on %s", worker.pid, code, head.get("op"))
            return {"error": ParseError("parse_failed").to_dict()}, b""
        if (reply.get("error") or {}).get("code") == "parse_memory":
            self.stats["memory_errors"] += 1
        self._note(reply.get("peak_rss", 0), time.monotonic() - run_started)
        pool.release(worker, bool(reply.get("retire")))
        return reply, out

    def _note(self, rss: int, seconds: float) -> None:
        self.stats["peak_rss"] = max(self.stats["peak_rss"], rss)
        self.stats["max_seconds"] = max(self.stats["max_seconds"], round(seconds, 3))

    def parse(self, data: bytes, filename: str, *, max_bytes: int, timeout: float = DEFAULT_TIMEOUT,
              gate: str | None = None) -> dict:
        """``{"result": ParseResult.to_full_dict(), "doc": doc_to_dict(...) | None, "pages": [...]}``;
        a killed or refused parse has its error in ``result["errors"]``."""
        head = {"op": "parse", "filename": filename, "max_bytes": max_bytes, "gate": gate}
        reply, _ = self.call(head, bytes(data), timeout)
        if "error" in reply:
            result = {"file": filename, "form": "unknown", "fields": {}, "missing": [], "errors": [reply["error"]],
                      "provenance": {}, "pairs": [], "media_type": "", "form_confidence": 0.0}
            return {"result": result, "doc": None, "pages": [], "peak_rss": reply.get("peak_rss", 0)}
        return reply

    def render_page(self, data: bytes, page: int, *, scale: float = 1.5, timeout: float = DEFAULT_TIMEOUT) -> bytes | None:
        """Page ``page`` (1-based) as a PNG capped at ``limits.MAX_RENDER_PIXELS``; None when
        there is no such page; ``ParseError`` when it cannot be drawn within the budget."""
        reply, png = self.call({"op": "render", "page": page, "scale": scale}, bytes(data), timeout)
        if "error" in reply:
            raise ParseError(reply["error"]["code"], reply["error"]["message"])
        return png if reply.get("found") else None


_DEFAULT: Sandbox | None = None
_DEFAULT_LOCK = threading.Lock()


def default(workers: int = DEFAULT_WORKERS, memory_mb: int = DEFAULT_MEMORY_MB,
            heavy_workers: int = HEAVY_WORKERS) -> Sandbox:
    """The process-wide pool (created on first use; the first caller's sizes win)."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = Sandbox(workers, memory_mb, heavy_workers=heavy_workers)
            atexit.register(_DEFAULT.close)
        return _DEFAULT


if __name__ == "__main__":
    worker_main(int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_MEMORY_MB)
