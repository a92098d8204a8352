"""Benchmark the document renderers; print each figure beside the issue's baselines and targets.

    python bench/bench_render.py [--runs 30]

Baselines measured before this work: WeasyPrint 211 ms and 349 KB for a one-page certificate,
docxtpl 27 ms per document.  Targets: a one-page notice PDF under 120 ms median and 80 KB,
a DOCX under 10 ms.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BASE_PDF_MS, BASE_PDF_KB, BASE_DOCX_MS = 211.0, 349.0, 27.0
TARGET_PDF_MS, TARGET_PDF_KB, TARGET_DOCX_MS = 120.0, 80.0, 10.0


CPU: list[float] = []


def measure(fn, runs: int, warmup: int = 3) -> tuple[float, bytes]:
    """Median wall-clock ms; the median CPU ms of this process goes to CPU (for a busy machine)."""
    data = b""
    for _ in range(warmup):
        data = fn()
    times, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        data = fn()
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    CPU.append(statistics.median(cpu))
    return statistics.median(times), data


def pages(data: bytes) -> int:
    import io

    import pikepdf

    return len(pikepdf.open(io.BytesIO(data)).pages)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()

    from service.documents import compose
    from service.documents.docx_render import render_docx
    from service.documents.html_render import render_pdf
    from service.documents.registry import render
    from service.documents.samples import sample_context

    rows = []
    one_page = sample_context("delisting-notice")
    one_page["parent_org"] = ""  # no 抄送 and a short clause: the notice fits one page
    one_page["rule_text"] = "党员人数少于7人的，自然摘牌"
    ms, data = measure(lambda: render("delisting-notice", one_page, "pdf"), args.runs)
    rows.append(("PDF 摘牌通知 (%d page)" % pages(data), ms, len(data) / 1024,
                 f"baseline {BASE_PDF_MS:.0f} ms / {BASE_PDF_KB:.0f} KB (certificate); "
                 f"target < {TARGET_PDF_MS:.0f} ms / {TARGET_PDF_KB:.0f} KB",
                 (TARGET_PDF_MS, len(data) / 1024 < TARGET_PDF_KB)))
    notice = sample_context("rectification-notice")
    ms, data = measure(lambda: render("rectification-notice", notice, "pdf"), args.runs)
    rows.append(("PDF 限期整改通知书 (%d pages)" % pages(data), ms, len(data) / 1024, "", None))
    ctx = sample_context("supplement-notice")
    ms, data = measure(lambda: render("supplement-notice", ctx, "pdf"), args.runs)
    rows.append(("PDF 补正通知 (%d pages)" % pages(data), ms, len(data) / 1024, "", None))

    view = compose.compose("honor-certificate", sample_context("honor-certificate"))
    ms, data = measure(lambda: render_pdf(view), args.runs)
    rows.append(("PDF 荣誉证书, WeasyPrint template", ms, len(data) / 1024,
                 f"baseline {BASE_PDF_MS:.0f} ms / {BASE_PDF_KB:.0f} KB", None))
    try:
        from service.certificates import render_pdf as engine

        cert = sample_context("honor-certificate")
        ms, data = measure(lambda: engine("honor-certificate", cert), args.runs)
        rows.append(("PDF 荣誉证书, batch engine", ms, len(data) / 1024,
                     f"baseline {BASE_PDF_MS:.0f} ms / {BASE_PDF_KB:.0f} KB", None))
    except ImportError:
        pass

    notice_view = compose.compose("rectification-notice", notice)
    ms, data = measure(lambda: render_docx("rectification-notice", notice_view), args.runs * 10)
    rows.append(("DOCX 限期整改通知书 (render)", ms, len(data) / 1024,
                 f"baseline {BASE_DOCX_MS:.0f} ms; target < {TARGET_DOCX_MS:.0f} ms", (TARGET_DOCX_MS, True)))
    ms, data = measure(lambda: render("rectification-notice", notice, "docx"), args.runs * 10)
    rows.append(("DOCX 限期整改通知书 (compose + render)", ms, len(data) / 1024,
                 f"baseline {BASE_DOCX_MS:.0f} ms; target < {TARGET_DOCX_MS:.0f} ms", (TARGET_DOCX_MS, True)))
    ledger = sample_context("rectification-ledger")
    ms, data = measure(lambda: render("rectification-ledger", ledger, "xlsx"), args.runs)
    rows.append(("XLSX 整改工作台账", ms, len(data) / 1024, "", None))

    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"{'document':<42} {'median':>9} {'(CPU)':>9} {'size':>9}  reference")
    for (name, ms, kb, ref, target), cpu in zip(rows, CPU):
        verdict = ""
        if target is not None:
            limit, size_ok = target
            if not size_ok:
                verdict = "  MISSED (size)"
            elif ms < limit:
                verdict = "  OK"
            elif cpu < limit:
                verdict = "  OK in CPU time, MISSED on the wall clock (busy machine)"
            else:
                verdict = "  MISSED"
        print(f"{name:<42} {ms:7.1f} ms {cpu:6.1f} ms {kb:6.1f} KB  {ref}{verdict}")


if __name__ == "__main__":
    main()
