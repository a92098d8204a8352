"""Upload path under load (issue 16): 50 concurrent uploaders for 60 s on SQLite and PostgreSQL,
then the same while 5 clients upload hostile PDFs, against a real ``wuhao serve`` (waitress).

    .venv/bin/python bench/bench_upload.py [--seconds 60] [--clients 50] [--backends sqlite,postgresql]

Each upload is a distinct 创建申报表 DOCX (one template zip, a different member count and branch
suffix per upload: the parse cache never answers for it). Hostile uploads cycle through the
issue's PDFs (a million-character ``Tj``, 20 MB of ``q Q``, 100,000 pages, a form XObject drawn
5,000 times, a 1 GB flate bomb), each made distinct by a trailing comment. Printed per backend:
uploads/s, p50/p99 latency, errors, every accepted upload stored exactly once, the hostile
responses' statuses and slowest time, the sandbox workers' peak RSS.

Targets: p99 <= 1.5 s and 0 errors, with and without the hostile uploads; baseline (last
session, before the sandbox): 69.5 uploads/s on SQLite, 59.9 on PostgreSQL, 0 errors.
"""
from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import hostile  # noqa: E402
from tests.samples import declaration_docx  # noqa: E402

PG = os.environ.get("WUHAO_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BASELINE = {"sqlite": 69.5, "postgresql": 59.9}
TARGET_P99 = 1.5
WUHAO = [sys.executable, "-m", "service"]  # this checkout's code (the installed wuhao may point at another)
HOSTILE = ["tj_1m_chars.pdf", "q_Q_20MB.pdf", "pages_100000.pdf", "xobject_10M_glyphs.pdf", "flate_bomb_1GB.pdf"]


class Docs:
    """Distinct declaration DOCX files from one template: the member count and a branch suffix vary."""

    def __init__(self):
        self.template = declaration_docx(branch="市财政局预算科党支部BENCHMARK", members=987654)
        with zipfile.ZipFile(io.BytesIO(self.template)) as zf:
            self.members = [(i.filename, zf.read(i)) for i in zf.infolist()]
        self.lock = threading.Lock()
        self.n = 0

    def next(self) -> bytes:
        with self.lock:
            self.n += 1
            n = self.n
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in self.members:  # ZipInfo objects are mutated by writestr: names only
                if name == "word/document.xml":
                    data = data.replace(b"987654", str(10 + n % 90).encode()).replace(b"BENCHMARK", str(n).encode())
                zf.writestr(name, data)
        return out.getvalue()


def multipart(name: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def post(port: int, token: str, name: str, data: bytes, timeout: float = 120) -> tuple[int, float, dict]:
    body, ctype = multipart(name, data)
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", "/api/v1/submissions", body=body,
                     headers={"Content-Type": ctype, "Authorization": f"Bearer {token}"})
        resp = conn.getresponse()
        raw = resp.read()
        status = resp.status
    except OSError as exc:
        return 0, time.monotonic() - started, {"error": repr(exc)}
    finally:
        conn.close()
    try:
        payload = json.loads(raw)
    except ValueError:
        payload = {"raw": raw[:200].decode("utf-8", "replace")}
    return status, time.monotonic() - started, payload


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(cmd: list[str], env: dict) -> str:
    """A wuhao command's output; on failure its own message (a CalledProcessError said only the status)."""
    out = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[1:])} failed ({out.returncode}):\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    return out.stdout


class Server:
    def __init__(self, backend: str):
        self.dir = Path(tempfile.mkdtemp(prefix=f"wuhao-bench-upload-{backend}-"))
        self.pg_name = None
        if backend == "sqlite":
            url = f"sqlite:///{self.dir / 'wuhao.db'}"
        else:
            from sqlalchemy import create_engine, text
            from sqlalchemy.engine import make_url

            self.pg_name = f"wuhao_bench_upload_{uuid.uuid4().hex[:8]}"
            self.admin = create_engine(PG, isolation_level="AUTOCOMMIT")
            with self.admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{self.pg_name}"'))
            url = make_url(PG).set(database=self.pg_name).render_as_string(hide_password=False)
        self.url = url
        self.env = {**os.environ, "WUHAO_DATA_DIR": str(self.dir / "data"), "DATABASE_URL": url}
        for cmd in (["init"], ["demo"]):
            _run(WUHAO + cmd, self.env)
        self.token = _run(WUHAO + ["token", "yusuan"], self.env).strip().split()[-1]
        self.port = free_port()
        self.proc = subprocess.Popen(WUHAO + ["serve", "--port", str(self.port)], env=self.env, cwd=ROOT,
                                     stdout=subprocess.DEVNULL, stderr=open(self.dir / "server.log", "w"))
        for _ in range(600):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("server did not start")

    def submissions(self) -> int:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url)
        with engine.connect() as c:
            n = c.execute(text("SELECT count(*) FROM submissions WHERE original_name LIKE 'bench-%'")).scalar_one()
        engine.dispose()
        return n

    def worker_peak_rss(self) -> int:
        """Largest VmHWM among the server's sandbox workers still alive (bytes)."""
        peak = 0
        for pid in subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout.split():
            try:
                for line in open(f"/proc/{pid}/status"):
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]) * 1024)
            except OSError:
                pass
        return peak

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        if self.pg_name:
            from sqlalchemy import text

            with self.admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)'))
            self.admin.dispose()
        shutil.rmtree(self.dir, ignore_errors=True)


def run(server: Server, seconds: float, clients: int, hostile_clients: int) -> dict:
    docs = Docs()
    lat: list[float] = []
    errors: list[tuple[int, dict]] = []
    hostile_out: list[tuple[str, int, float]] = []
    ok = [0]
    lock = threading.Lock()
    hostile_files = {name: hostile.HOSTILE[name]() for name in HOSTILE[:hostile_clients]}

    def uploader(i: int):
        while time.monotonic() < stop:
            data = docs.next()
            status, took, body = post(server.port, server.token, f"bench-{i}.docx", data)
            with lock:
                lat.append(took)
                if status == 201:
                    ok[0] += 1
                else:
                    errors.append((status, body))

    def attacker(name: str):
        k = 0
        while time.monotonic() < stop:
            k += 1
            data = hostile_files[name] + b"\n%% variant %d\n" % k
            status, took, _ = post(server.port, server.token, f"hostile-{name}", data)
            with lock:
                hostile_out.append((name, status, took))

    threads = [threading.Thread(target=uploader, args=(i,)) for i in range(clients)]
    threads += [threading.Thread(target=attacker, args=(n,)) for n in hostile_files]
    # the clock starts once the hostile files are made: the 1 GB flate bomb takes ~9 s to build,
    # and a stop computed before it had passed when the threads started (a 5 s run uploaded nothing)
    started = time.monotonic()
    stop = started + seconds
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    lat.sort()
    return {"uploads": len(lat), "ok": ok[0], "rate": ok[0] / wall, "p50": statistics.median(lat) if lat else 0,
            "p99": lat[int(0.99 * (len(lat) - 1))] if lat else 0, "errors": errors, "hostile": hostile_out}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--hostile", type=int, default=5)
    args = ap.parse_args()
    print(f"upload bench: {args.clients} clients x {args.seconds:.0f} s, then the same with {args.hostile} "
          f"hostile uploaders; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    for backend in args.backends.split(","):
        server = Server(backend)
        try:
            stored_before = server.submissions()
            for hostile_clients in (0, args.hostile):
                r = run(server, args.seconds, args.clients, hostile_clients)
                stored = server.submissions() - stored_before
                stored_before += stored
                label = f"{backend:10s} {'+ ' + str(hostile_clients) + ' hostile' if hostile_clients else 'plain':11s}"
                print(f"{label} {r['rate']:6.1f} uploads/s (baseline {BASELINE[backend]}), p50 {r['p50']:.3f} s, "
                      f"p99 {r['p99']:.3f} s (target <= {TARGET_P99}), errors {len(r['errors'])} (target 0), "
                      f"stored {stored}/{r['ok']} accepted")
                if r["errors"]:
                    print("   first errors:", r["errors"][:3])
                if r["hostile"]:
                    by = {}
                    for name, status, took in r["hostile"]:
                        n, worst, codes = by.get(name, (0, 0.0, set()))
                        by[name] = (n + 1, max(worst, took), codes | {status})
                    for name, (n, worst, codes) in by.items():
                        print(f"   hostile {name:26s} {n:4d} uploads, statuses {sorted(codes)}, slowest {worst:.2f} s")
            print(f"   sandbox workers' peak RSS (alive at the end): {server.worker_peak_rss() / 2**20:.0f} MB")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
