"""Benchmark of batch certificate production (issue 6).

    .venv/bin/python bench/bench_batch.py [--sizes 3300,33000] [--workers 2]

Creates a throw-away PostgreSQL database with the demo tree, then for each size N:
  * job A: merged print PDF + register (登记造册)   -> seconds, merged MB
  * job B: one PDF per certificate                  -> seconds, largest single KB
  * peak RSS of any process (parent and workers)
and once: DOCX ms each, and a pixel comparison of merged pages against the same
certificates rendered on their own.  Every figure is printed beside the baseline of
WeasyPrint rendering one whole document per certificate, measured in the same run.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PG = os.environ.get("WUHAO_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _rss_mb() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return me, kids


def weasyprint_baseline(samples: int = 12) -> float:
    """ms per certificate when WeasyPrint lays out a whole document for each one."""
    import weasyprint

    from service.certificates.engine import display_values
    from service.certificates.kinds import SPECS, static_html

    spec = SPECS["party-card"]
    base = static_html("party-card")
    times = []
    for i in range(samples):
        ctx = {"number": f"0101{i:04d}", "name": "张伟", "branch_name": "市财政局预算科党支部",
               "organisation_path": "市直机关工委 / 市财政局机关党委", "joined_on": "2003-07-01",
               "issued_on": "2025-06-28", "issuer": "中共市直机关工委"}
        vals = display_values("party-card", ctx)
        extra = "".join(
            f'<div class="s" style="left:{f.x}mm; top:{f.y - f.size * 0.3}mm; font-size:{f.size}pt">{vals[f.key]}</div>'
            for f in spec.fields if vals.get(f.key))
        html = base.replace("</body>", extra + "</body>")
        t = time.perf_counter()
        weasyprint.HTML(string=html).write_pdf()
        times.append(time.perf_counter() - t)
    times = times[2:]  # warm-up
    return 1000 * sum(times) / len(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="3300,33000")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from service.batch import executors, jobs, sample
    from service.batch.jobs import Settings
    from service.certificates import render_pdf
    from service.certificates.docx import render_docx
    from service.db import session_scope
    from service.demo import load_demo
    from service.migrate import upgrade

    name = f"wuhao_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG).set(database=name).render_as_string(hide_password=False)
    work = Path(tempfile.mkdtemp(prefix="wuhao-bench-"))
    os.environ["WUHAO_DATA_DIR"] = str(work / "data")
    try:
        upgrade(url)
        with session_scope(url) as s:
            load_demo(s, with_submissions=False)
        st = Settings(url, str(work / "data"))

        base_ms = weasyprint_baseline()
        print(f"baseline: WeasyPrint one document per certificate = {base_ms:.1f} ms/doc "
              f"(published: 211 ms; LibreOffice 187 ms; Carbone ~30,000/h on 4 CPUs)")

        # DOCX
        ctx = {"number": "01010001", "name": "张伟", "branch_name": "市财政局预算科党支部",
               "organisation_path": "市直机关工委 / 市财政局机关党委", "joined_on": "2003-07-01",
               "issued_on": "2025-06-28", "issuer": "中共市直机关工委"}
        render_docx("party-card", ctx)
        t = time.perf_counter()
        for i in range(3000):
            render_docx("party-card", dict(ctx, number=f"0101{i:04d}"))
        docx_ms = 1000 * (time.perf_counter() - t) / 3000
        print(f"DOCX per certificate: {docx_ms:.3f} ms (target ≤ 1 ms; baseline PDF {base_ms:.0f} ms → "
              f"{base_ms / docx_ms:.0f}× faster)")

        results = []
        for n in sizes:
            roster = work / f"roster_{n}.xlsx"
            sample.write_roster(sample.sample_members(n, seed=n), str(roster))
            data = roster.read_bytes()
            row = {"n": n}
            for label, outs in (("merged+register", "merged,register"), ("per-certificate PDFs", "pdf")):
                t = time.perf_counter()
                job_id, _ = jobs.submit(st, data, roster.name, "party-card",
                                        {"outputs": outs, "chunk_size": 500, "volume_size": 1000})
                executors.run_local(st, job_id, args.workers, wait=True)
                secs = time.perf_counter() - t
                status = jobs.job_status(st, job_id)
                assert status["state"] == "done", status
                row[label] = secs
                row[label + " job"] = job_id
                base_s = base_ms * n / 1000
                print(f"N={n:>6} {label:<22} {secs:8.1f} s   baseline one-doc-per-cert {base_s:8.0f} s on one core "
                      f"→ {base_s / secs:6.1f}× faster")
            merged = [o for o in jobs.job_status(st, row["merged+register job"])["outputs"] if o["kind"] == "merged"]
            row["merged MB"] = sum(o["size"] for o in merged) / 1e6
            files = jobs.certificate_files(st, row["per-certificate PDFs job"])
            sizes_kb = [st.store.path_for(f["pdf"]).stat().st_size / 1024 for f in list(files.values())[:500]]
            row["single KB max"] = max(sizes_kb)
            row["rss"] = _rss_mb()
            print(f"N={n:>6} merged PDF {row['merged MB']:.1f} MB in {len(merged)} volumes; "
                  f"single PDF max {row['single KB max']:.1f} KB (mean {sum(sizes_kb) / len(sizes_kb):.1f} KB); "
                  f"peak RSS parent {row['rss'][0]:.0f} MB, largest worker {row['rss'][1]:.0f} MB")
            results.append(row)

        # pixel comparison: pages of the first merged volume vs the same certificates alone
        last = results[-1]
        from service.db import session_scope as ss
        from service.models import BatchChunk

        status = jobs.job_status(st, last["merged+register job"])
        vol = next(o for o in status["outputs"] if o["kind"] == "merged" and o["volume"] == 1)
        vol_path = st.store.path_for(vol["sha256"])
        with ss(url) as s:
            job = s.get(__import__("service.models", fromlist=["BatchJob"]).BatchJob, last["merged+register job"])
            opts = dict(job.options)
        rows = jobs.load_rows(st, opts["rows_sha256"])
        with ss(url) as s:
            ch = s.query(BatchChunk).filter(BatchChunk.job_id == last["merged+register job"],
                                            BatchChunk.seq == 0).one()
            issued = ch.outputs["issued"]
        by_row = {r["row"]: r for r in rows}
        pages = [1, 2, 250, 500]
        identical = 0
        for p in pages:
            row_no, number, _scope, _serial = issued[p - 1]
            c = jobs.certificate_context("party-card", opts, by_row[row_no], number, st.public_url)
            single = work / f"single_{p}.pdf"
            single.write_bytes(render_pdf("party-card", c))
            a = subprocess.run(["pdftoppm", "-r", "150", "-f", str(p), "-l", str(p), "-gray", str(vol_path)],
                               capture_output=True, check=True).stdout
            b = subprocess.run(["pdftoppm", "-r", "150", "-gray", str(single)], capture_output=True,
                               check=True).stdout
            identical += a == b
        print(f"pixel comparison at 150 dpi: {identical}/{len(pages)} merged pages identical to the certificate "
              f"rendered on its own")

        print("\nsummary (targets for 33,000: merged+register ≤ 60 s, PDFs ≤ 180 s, DOCX ≤ 1 ms, RSS ≤ 1 GB, "
              "merged ≤ 60 MB, single ≤ 60 KB)")
        for r in results:
            print(f"  N={r['n']:>6}: merged+register {r['merged+register']:.1f} s | PDFs {r['per-certificate PDFs']:.1f} s | "
                  f"DOCX {docx_ms:.3f} ms | peak RSS {max(r['rss']):.0f} MB | merged {r['merged MB']:.1f} MB | "
                  f"single ≤ {r['single KB max']:.1f} KB | baseline {base_ms:.0f} ms/doc → "
                  f"{base_ms * r['n'] / 1000:.0f} s")
    finally:
        from service.db import dispose_all

        dispose_all()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        import shutil

        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
