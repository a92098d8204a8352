"""What the sandbox costs, and what the hostile files cost inside it (issue 16, items 1 and 3).

    .venv/bin/python bench/bench_sandbox.py [--n 30]

1. A DOCX form and its PDF print (the issue-3 corpus's 创建申报表, made by LibreOffice and
   cached by bench_parse.py), parsed in this process and through a warm sandbox
   worker: medians and the difference (pipe, JSON, scheduling). Target: the PDF end-to-end well
   under 60 ms on an idle machine (bench_parse's own target for the parse is < 60 ms).
2. Starting a worker (imports of pdfplumber, pypdfium2, lxml): seconds.
3. Every hostile file of tests/hostile.py through the sandbox: seconds, error code, the worker's
   peak RSS. Targets: each under 5 s, peak RSS under 1.5 GB, none a crash.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_parse  # noqa: E402

from parsers import parse_bytes, sandbox  # noqa: E402
from tests import hostile  # noqa: E402

MAX = 20 * 1024 * 1024


def _median_ms(fn, n: int) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "wuhao-bench-parse"))
    args = ap.parse_args()
    print(f"sandbox bench: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    corpus = bench_parse.build(Path(args.cache), 4)
    docx = (corpus / "forms" / "form_000.docx").read_bytes()
    pdf = (corpus / "forms" / "form_000.pdf").read_bytes()

    t = time.perf_counter()
    box = sandbox.Sandbox(workers=1)
    box.parse(docx, "warm.docx", max_bytes=MAX)
    print(f"worker start (imports) and first parse: {time.perf_counter() - t:.2f} s")
    for label, data, name in (("docx form", docx, "a.docx"), ("text pdf", pdf, "a.pdf")):
        direct = _median_ms(lambda: parse_bytes(data, name, max_bytes=MAX), args.n)
        boxed = _median_ms(lambda: box.parse(data, name, max_bytes=MAX), args.n)
        target = "  (target: well under 60 ms on an idle machine)" if label == "text pdf" else ""
        print(f"{label:10s} in process {direct:7.1f} ms | sandbox end-to-end {boxed:7.1f} ms | "
              f"overhead {boxed - direct:+6.1f} ms{target}")

    print(f"\n{'hostile file':28s} {'size':>9s} {'seconds':>8s} {'peak RSS':>9s}  result")
    worst_t, worst_rss = 0.0, 0
    for name, make in hostile.HOSTILE.items():
        data = make()
        t = time.perf_counter()
        reply = box.parse(data, name, max_bytes=MAX)
        took = time.perf_counter() - t
        codes = [e["code"] for e in reply["result"]["errors"]] or [reply["result"]["form"]]
        worst_t, worst_rss = max(worst_t, took), max(worst_rss, reply.get("peak_rss", 0))
        print(f"{name:28s} {len(data) / 1024:8.0f}K {took:8.2f} {reply.get('peak_rss', 0) / 2**20:8.0f}M  {codes}")
    for points in (14400, 200000):
        t = time.perf_counter()
        png = box.render_page(hostile.big_page(points), 1)
        took = time.perf_counter() - t
        worst_t = max(worst_t, took)
        print(f"{'page image ' + str(points) + ' pt':28s} {'':9s} {took:8.2f} {'':9s}  PNG {len(png) // 1024} KB")
    print(f"\nslowest {worst_t:.2f} s (target < 5 s), peak worker RSS {worst_rss / 2**20:.0f} MB (target < 1536 MB), "
          f"sandbox {box.stats}")
    box.close()


if __name__ == "__main__":
    main()
