"""What the member table costs a 党员证 batch (issue 12, JH-6 两册一证): CPU seconds of
``service.batch.members.upsert`` for the 33 000 members of the district, in chunks of 500 as the batch
commits them, first run (inserts) and a resumed run (every row found again), on SQLite.

    .venv/bin/python bench/bench_members.py [--members 33000] [--chunk 500]

Target (set here, to compare with bench_batch.py's per-card figures): under 0.3 ms of CPU per member, 10 s
for the district's 33 000.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_S = 10.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=33000)
    ap.add_argument("--chunk", type=int, default=500)
    args = ap.parse_args()
    from service.batch import members
    from service.batch.sample import sample_members
    from service.db import session_scope
    from service.demo import load_demo
    from service.migrate import upgrade
    from service.models import Organisation
    from sqlalchemy import select

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        with session_scope(url) as s:
            load_demo(s, password="bench-pass-1", with_records=False)
            orgs = {o.name: o.id for o in s.execute(select(Organisation)).scalars()}
        people = sample_members(args.members, seed=11)
        rows = [{"organisation_id": orgs.get(p["所在支部"]), "values": {
            "name": p["姓名"], "id_number": p.get("身份证号"), "gender": p.get("性别"), "joined_on": p.get("入党时间")}}
            for p in people]
        for label in ("first run (inserts)", "resumed run (updates)"):
            start = time.process_time()
            for i in range(0, len(rows), args.chunk):
                with session_scope(url) as s:
                    members.upsert(s, None, [members.entry(r, f"1200{n:07d}")
                                             for n, r in enumerate(rows[i:i + args.chunk], start=i)])
            cpu = time.process_time() - start
            verdict = "within" if cpu <= TARGET_S else "OVER"
            print(f"{label}: {args.members} members, {cpu:.2f} s CPU ({1000 * cpu / args.members:.3f} ms each); "
                  f"target {TARGET_S:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
