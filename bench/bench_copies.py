"""Copy check speed: one report against 10,000 stored ones, on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_copies.py [--stored 10000] [--queries 30] [--backends sqlite,postgresql]

Target (issue 18): checking a report against 10,000 stored ones takes under 100 ms (median of
`service.textindex.copies`, which runs the two indexed queries and the comparison). The stored
reports are tests/checks/textcorpus.varied_report texts of 2,000–3,000 characters, each from its own
organisation; a third of the queries copy 40% of a stored report.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service import textindex  # noqa: E402
from service.checks.copies import fingerprints  # noqa: E402
from service.db import dispose_all, session_factory  # noqa: E402
from service.migrate import upgrade  # noqa: E402
from service.models import Organisation, Submission  # noqa: E402
from tests.checks import textcorpus as tc  # noqa: E402

TARGET_MS = 100
# 12–18 sentences per dimension: reports of about 2,500 characters, like the real ones
REPORT_SENTENCES = (12, 18)
PG_ADMIN = os.environ.get("WUHAO_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def fill(url: str, texts: list[str]) -> None:
    """Organisations, report submissions and their fingerprints, in bulk."""
    factory = session_factory(url)
    with factory() as s:
        s.execute(insert(Organisation), [{"id": i + 1, "name": f"第{i}党支部", "kind": "branch", "domain": "organ",
                                          "directly_under": False} for i in range(len(texts))])
        s.execute(insert(Submission), [{"id": i + 1, "organisation_id": i + 1, "original_name": "汇报材料.docx",
                                        "media_type": "docx", "size": len(t), "sha256": "0" * 64, "form": "report",
                                        "status": "extracted"} for i, t in enumerate(texts)])
        counts: dict[int, int] = {}
        rows = []
        for i, t in enumerate(texts):
            for h, p in fingerprints(t):
                rows.append((i + 1, i + 1, h, p))
                counts[h] = counts.get(h, 0) + 1
        # the driver's own executemany: millions of rows in seconds rather than minutes
        mark = "?" if url.startswith("sqlite") else "%s"
        raw = s.connection().connection.driver_connection
        cur = raw.cursor()
        cur.executemany(f"INSERT INTO text_fingerprints (submission_id, organisation_id, hash, position) "
                        f"VALUES ({mark}, {mark}, {mark}, {mark})", rows)
        cur.executemany(f"INSERT INTO text_hash_counts (hash, postings) VALUES ({mark}, {mark})",
                        list(counts.items()))
        if url.startswith("postgresql"):
            s.execute(text("ANALYZE text_fingerprints"))
        s.commit()


def run(url: str, stored: list[str], queries: list[str]) -> list[float]:
    upgrade(url)
    t0 = time.perf_counter()
    fill(url, stored)
    print(f"  stored {len(stored)} reports in {time.perf_counter() - t0:.1f} s")
    factory = session_factory(url)
    times = []
    with factory() as s:
        probe = Submission(id=len(stored) + 1, organisation_id=1, original_name="x", media_type="docx", size=1,
                           sha256="0" * 64, form="report", status="extracted")
        flagged = 0
        for q in queries:
            probe.organisation_id = random.randrange(1, len(stored) + 1)
            t0 = time.perf_counter()
            findings, _ = textindex.copies(s, probe, q)
            times.append((time.perf_counter() - t0) * 1000)
            flagged += bool(findings)
    print(f"  {flagged} of {len(queries)} queries flagged as copied")
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stored", type=int, default=10_000)
    ap.add_argument("--queries", type=int, default=30)
    ap.add_argument("--backends", default="sqlite,postgresql")
    args = ap.parse_args()
    rng = random.Random(42)
    stored = [tc.varied_report(rng, f"第{i}党支部", REPORT_SENTENCES).text for i in range(args.stored)]
    rows = sum(len(fingerprints(t)) for t in stored[:100]) * args.stored // 100
    chars = statistics.mean(len(t) for t in stored[:100])
    print(f"copy check against {args.stored} stored reports of {chars:.0f} characters on average "
          f"(~{rows:,} fingerprints)")
    queries = []
    for i in range(args.queries):
        own = tc.varied_report(rng, "新提交党支部", REPORT_SENTENCES)
        queries.append(tc.copied(tc.Sample(stored[rng.randrange(len(stored))]), own, 0.4, rng).text
                       if i % 3 == 0 else own.text)
    for backend in args.backends.split(","):
        if backend == "sqlite":
            tmp = tempfile.mkdtemp()
            url = f"sqlite:///{tmp}/bench.db"
            print("sqlite:")
            times = run(url, stored, queries)
        else:
            admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
            name = f"wuhao_bench_{uuid.uuid4().hex[:8]}"
            with admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}"'))
            url = make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
            print("postgresql:")
            try:
                times = run(url, stored, queries)
            finally:
                dispose_all()
                with admin.connect() as c:
                    c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        med = statistics.median(times)
        print(f"  median {med:.1f} ms, p95 {sorted(times)[int(len(times) * 0.95) - 1]:.1f} ms "
              f"(target < {TARGET_MS} ms: {'met' if med < TARGET_MS else 'MISSED'})")


if __name__ == "__main__":
    main()
