"""List pages and the dashboard on a scale database (issue 16): p50/p95 per page and role, target p95 <= 300 ms.

    .venv/bin/python bench/bench_scale.py [--backends sqlite,postgresql] [--times 10] [--rebuild]
                                          [--only queue,submissions] [--roles admin,reviewer,branch]

The scale database: the demo (accounts, records of every kind) plus 2,000 branches in a tree of
40 党委 x 5 党总支 x 10 支部 under the two committees, 33,000 members (the branches' 党员人数 and one
党员证 each), 50,000 submissions, 200,000 audit rows, 100,000 documents with their register
entries, an assessment, two 整改台账 rows and this year's 主题党日 per branch, an account per branch. The records are
copies of the demo's own rows (same fields, extractions, findings, audit details, document contexts),
spread over the new branches and four years, written by bulk inserts through SQLAlchemy core
(SQLite: about a minute of CPU; PostgreSQL a few). The built database is kept — SQLite in
``$WUHAO_BENCH_DIR`` (default /tmp/wuhao_scale), PostgreSQL as the database ``wuhao_scale`` — and
reused until ``--rebuild``.

Each page (every GET page of ``app.url_map`` without path arguments, plus one detail page of each
kind) is requested through the Flask test client with a signed-in session of each role that may
see it (admin ``admin``, reviewer ``gongwei``, branch ``yusuan``): one warm-up, then ``--times``
requests. Printed per page and role: status, p50 and p95 wall time, CPU time per request of this
process (the test client, the app and, for SQLite, the database; PostgreSQL's own CPU is not in it)
and whether p95 meets the target. The machine's load is printed: on a loaded machine the wall
times are inflated, the CPU times less so.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402

PG = os.environ.get("WUHAO_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PG_NAME = "wuhao_scale"
BENCH_DIR = Path(os.environ.get("WUHAO_BENCH_DIR", "/tmp/wuhao_scale"))
PASSWORD = "wuhao2025"
TARGET_P95 = 0.300
ROLES = {"admin": "admin", "reviewer": "gongwei", "branch": "yusuan"}
SIZES = {"branches": 2000, "members": 33000, "submissions": 50000, "audit": 200000, "documents": 100000}
SKIP_PAGES = {"home.login", "home.verify_search", "healthz", "static", "register.register_xlsx", "notices.notice_new",
              "community.pairs_export", "imports.template", "imports.report"}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰华建国红梅玉文辉鹏飞婷雪琳斌宇浩凯"


# --------------------------------------------------------------------------- building

def _urls(backend: str) -> tuple[str, Path]:
    if backend == "sqlite":
        return f"sqlite:///{BENCH_DIR / 'scale.db'}", BENCH_DIR / "data-sqlite"
    return PG.rsplit("/", 1)[0] + "/" + PG_NAME, BENCH_DIR / "data-postgresql"


def _marker(backend: str) -> Path:
    return BENCH_DIR / f"built-v2-{backend}.json"  # v2: with 主题党日 records (v1 databases are rebuilt)


def _reset(backend: str, url: str, data_dir: Path) -> None:
    import shutil

    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    _marker(backend).unlink(missing_ok=True)
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(str(BENCH_DIR / "scale.db") + suffix).unlink(missing_ok=True)
        return
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {PG_NAME}"))
    admin.dispose()


def build(backend: str, rebuild: bool) -> tuple[str, Path]:
    url, data_dir = _urls(backend)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if _marker(backend).exists() and not rebuild:
        print(f"[{backend}] reusing the scale database ({json.loads(_marker(backend).read_text())})")
        from service.migrate import upgrade
        upgrade(url)  # migrations landed since the build (indexes, say) apply to the kept database
        return url, data_dir
    _reset(backend, url, data_dir)
    from service import create_app
    from service.db import session_scope
    from service.demo import load_demo
    from service.migrate import upgrade

    started, cpu = time.monotonic(), time.process_time()
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "WUHAO_DATA_DIR": str(data_dir), "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context(), session_scope(url) as s:
        load_demo(s, password=PASSWORD, with_records=True)
    print(f"[{backend}] demo loaded in {time.monotonic() - started:.0f} s ({time.process_time() - cpu:.0f} s CPU)")
    engine = create_engine(url)
    with engine.begin() as conn:
        counts = _scale(conn, backend)
    engine.dispose()
    counts["build_seconds"] = round(time.monotonic() - started)
    counts["build_cpu_seconds"] = round(time.process_time() - cpu)
    _marker(backend).write_text(json.dumps(counts, ensure_ascii=False))
    print(f"[{backend}] built: {counts}")
    return url, data_dir


def _rows(conn, table, where=None) -> list[dict]:
    query = select(table)
    if where is not None:
        query = query.where(where)
    return [dict(r._mapping) for r in conn.execute(query.order_by(table.c.id))]


def _next_id(conn, table) -> int:
    return (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1


def _bulk(conn, table, rows: list[dict], chunk: int = 5000) -> None:
    keys = {k for r in rows for k in r}  # one statement for every row: the same keys in each
    rows = [{k: r.get(k) for k in keys} for r in rows]
    for i in range(0, len(rows), chunk):
        conn.execute(insert(table), rows[i:i + chunk])


def _when(rng: random.Random) -> dt.datetime:
    return dt.datetime(2023, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(seconds=rng.randrange(4 * 365 * 86400))


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _scale(conn, backend: str) -> dict:
    from service.models import (Assessment, AuditLog, Certificate, Document, Extraction, Finding, Organisation,
                                PartyDay, RectificationItem, RegisterEntry, Submission, User)

    rng = random.Random(16)
    T = {m: m.__table__ for m in (Assessment, AuditLog, Certificate, Document, Extraction, Finding, Organisation,
                                  PartyDay, RectificationItem, RegisterEntry, Submission, User)}
    orgs = T[Organisation]
    domains = ["organ", "health", "education", "rural", "enterprise", "nonpublic", "community", "social"]

    # the tree: 20 党委 under each committee, 5 党总支 each, 10 支部 each
    committees = conn.execute(select(orgs.c.id, orgs.c.name).where(orgs.c.parent_id.is_(None))
                              .order_by(orgs.c.id)).all()[:2]
    oid = _next_id(conn, orgs)
    new_orgs, branches = [], []
    for ci, (committee_id, cname) in enumerate(committees):
        for p in range(20):
            domain = domains[(ci * 20 + p) % len(domains)]
            pc = oid
            new_orgs.append(dict(id=pc, parent_id=committee_id, name=f"规模第{ci + 1}{p + 1:02d}党委", kind="party_committee",
                                 domain=domain, code=f"{50 + p:02d}", secretary=_name(rng), directly_under=False))
            oid += 1
            for g in range(5):
                gb = oid
                new_orgs.append(dict(id=gb, parent_id=pc, name=f"规模第{ci + 1}{p + 1:02d}党委第{g + 1}党总支",
                                     kind="general_branch", domain=domain, secretary=_name(rng), directly_under=False))
                oid += 1
                for b in range(10):
                    new_orgs.append(dict(id=oid, parent_id=gb, name=f"规模第{ci + 1}{p + 1:02d}党委第{g + 1}总支第{b + 1}党支部",
                                         kind="branch", domain=domain, member_count=0, secretary=_name(rng),
                                         contact_person=_name(rng), contact_phone=f"1380000{oid % 10000:04d}",
                                         directly_under=False))
                    branches.append(oid)
                    oid += 1
    # 33,000 members over 2,000 branches: 16 or 17 each (16.5 on average)
    per_branch = {b: SIZES["members"] // len(branches) + (1 if i < SIZES["members"] % len(branches) else 0)
                  for i, b in enumerate(branches)}
    for row in new_orgs:
        if row["kind"] == "branch":
            row["member_count"] = per_branch[row["id"]]
    _bulk(conn, orgs, new_orgs)

    # an account per branch (the demo's password hash: signing in works, no hashing cost)
    users = T[User]
    hash_ = conn.execute(select(users.c.password_hash).where(users.c.username == "yusuan")).scalar()
    uid = _next_id(conn, users)
    user_ids = list(conn.execute(select(users.c.id)).scalars())
    new_users = [dict(id=uid + i, username=f"scale{b}", display_name=f"规模支部{b}", password_hash=hash_, role="branch",
                      organisation_id=b, active=True, failed_logins=0) for i, b in enumerate(branches)]
    _bulk(conn, users, new_users)
    user_ids += [u["id"] for u in new_users]

    # 33,000 党员证, one per member
    certs = T[Certificate]
    cert_tpl = [r for r in _rows(conn, certs) if r["kind"] != "honor-certificate"] or _rows(conn, certs)
    cid = _next_id(conn, certs)
    new_certs = []
    for b in branches:
        for _ in range(per_branch[b]):
            t = dict(cert_tpl[cid % len(cert_tpl)])
            t.update(id=cid, number=f"S{cid:09d}", holder_name=_name(rng), organisation_id=b, job_id=None,
                     document_id=None, status="valid")
            new_certs.append(t)
            cid += 1
    _bulk(conn, certs, new_certs)

    # 50,000 submissions, each with its template's extractions and findings
    subs, exts, finds = T[Submission], T[Extraction], T[Finding]
    sub_tpl = _rows(conn, subs, subs.c.attached_to_id.is_(None))
    ext_by_sub: dict[int, list[dict]] = {}
    for e in _rows(conn, exts):
        ext_by_sub.setdefault(e["submission_id"], []).append(e)
    find_by_sub: dict[int, list[dict]] = {}
    for f in _rows(conn, finds, finds.c.submission_id.is_not(None)):
        find_by_sub.setdefault(f["submission_id"], []).append(f)
    sid, eid, fid = _next_id(conn, subs), _next_id(conn, exts), _next_id(conn, finds)
    new_subs, new_exts, new_finds = [], [], []
    for i in range(SIZES["submissions"]):
        t = sub_tpl[i % len(sub_tpl)]
        org = branches[i % len(branches)]
        at = _when(rng)
        new_subs.append({**t, "id": sid, "organisation_id": org, "uploaded_at": at, "attached_to_id": None,
                         "uploaded_by_id": None, "decided_by_id": None,
                         "decided_at": at + dt.timedelta(days=3) if t.get("decided_at") else None})
        for e in ext_by_sub.get(t["id"], []):
            new_exts.append({**e, "id": eid, "submission_id": sid})
            eid += 1
        for f in find_by_sub.get(t["id"], []):
            new_finds.append({**f, "id": fid, "submission_id": sid, "organisation_id": org, "assessment_id": None})
            fid += 1
        sid += 1
    _bulk(conn, subs, new_subs)
    _bulk(conn, exts, new_exts, 2000)
    _bulk(conn, finds, new_finds)

    # an assessment and two 整改台账 rows per branch
    asses, items = T[Assessment], T[RectificationItem]
    ass_tpl = _rows(conn, asses)
    item_tpl = _rows(conn, items)
    aid, iid = _next_id(conn, asses), _next_id(conn, items)
    new_ass, new_items = [], []
    for i, b in enumerate(branches):
        a = ass_tpl[i % len(ass_tpl)]
        new_ass.append({**a, "id": aid, "organisation_id": b, "cycle_id": None, "entered_by_id": None,
                        "year": 2023 + i % 3})
        for k in range(2):
            it = item_tpl[(2 * i + k) % len(item_tpl)]
            new_items.append({**it, "id": iid, "organisation_id": b, "assessment_id": aid})
            iid += 1
        aid += 1
    _bulk(conn, asses, new_ass)
    _bulk(conn, items, new_items)

    # 100,000 documents, each with a register entry when its template has one
    docs, reg = T[Document], T[RegisterEntry]
    doc_tpl = [d for d in _rows(conn, docs) if d["status"] != "deleted"]
    reg_by_doc = {r["document_id"]: r for r in _rows(conn, reg) if r["document_id"]}
    did, rid = _next_id(conn, docs), _next_id(conn, reg)
    new_docs, new_reg = [], []
    for i in range(SIZES["documents"]):
        t = doc_tpl[i % len(doc_tpl)]
        org = branches[i % len(branches)] if t["organisation_id"] else None
        year = 2023 + i % 4
        number = f"{t['number']}-{i}" if t["number"] else None
        new_docs.append({**t, "id": did, "organisation_id": org, "year": year, "number": number,
                         "supersedes_id": None, "issued_by_id": None, "created_at": _when(rng)})
        r = reg_by_doc.get(t["id"])
        if r is not None:
            new_reg.append({**r, "id": rid, "document_id": did, "organisation_id": org, "year": year,
                            "seq": 100000 + i, "number": f"{r['number']}-{i}", "signer_id": None})
            rid += 1
        did += 1
    _bulk(conn, docs, new_docs)
    _bulk(conn, reg, new_reg)

    # a year of 主题党日 per branch (the 8th, or another day with a reason; one month in ten missing)
    days = T[PartyDay]
    pid = _next_id(conn, days)
    new_days = []
    year = dt.date.today().year
    for b in branches:
        for m in range(1, dt.date.today().month + 1):
            if rng.random() < 0.1:
                continue
            day = 8 if rng.random() < 0.8 else rng.choice((5, 12, 15))
            new_days.append(dict(id=pid, organisation_id=b, year=year, month=m, held_on=dt.date(year, m, day),
                                 topic="学习党的二十大精神", expected=per_branch[b], attended=per_branch[b] - rng.randrange(3),
                                 attendees=[], dues_collected=True, reason="" if day == 8 else "与上级调研冲突",
                                 created_at=_when(rng)))
            pid += 1
    _bulk(conn, days, new_days)

    # 200,000 audit rows: the demo's own actions and details, by the new accounts, over four years
    audit = T[AuditLog]
    audit_tpl = _rows(conn, audit)
    lid = _next_id(conn, audit)
    new_audit = []
    for i in range(SIZES["audit"]):
        t = audit_tpl[i % len(audit_tpl)]
        b = branches[i % len(branches)]
        new_audit.append({**t, "id": lid, "organisation_id": b if t["organisation_id"] else None,
                          "user_id": uid + (i % len(branches)) if t["user_id"] else None, "at": _when(rng)})
        lid += 1
    new_audit.sort(key=lambda r: r["at"])
    for i, row in enumerate(new_audit):
        row["id"] = lid - len(new_audit) + i
    _bulk(conn, audit, new_audit)

    if backend == "postgresql":  # ids were given: the sequences continue after them
        for table in T.values():
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                              f"(SELECT max(id) FROM {table.name}))"))
        conn.execute(text("ANALYZE"))
    else:
        conn.execute(text("ANALYZE"))
    return {"branches": len(branches), "organisations": len(new_orgs), "members": len(new_certs),
            "submissions": len(new_subs), "extractions": len(new_exts), "findings": len(new_finds),
            "documents": len(new_docs), "register_entries": len(new_reg), "audit": len(new_audit),
            "assessments": len(new_ass), "ledger": len(new_items), "users": len(new_users),
            "party_days": len(new_days)}


# --------------------------------------------------------------------------- measuring

def _detail_pages(url: str) -> dict[str, str]:
    """One detail page of each kind, on the records of 预算科 (seen by all three roles)."""
    from service.models import (BatchJob, Brand, DistrictPerson, Document, Organisation, RectificationItem,
                                Submission, User)

    engine = create_engine(url)
    with engine.connect() as conn:
        org = conn.execute(select(Organisation.id).where(Organisation.name == "市财政局预算科党支部")).scalar()
        one = lambda q: conn.execute(q.limit(1)).scalar()  # noqa: E731
        ids = {
            "submissions.submission_page": ("/submissions/{}", one(select(Submission.id).where(
                Submission.organisation_id == org).order_by(Submission.id))),
            "organisations.organisation_page": ("/organisations/{}", org),
            "assessor.assessor_page": ("/organisations/{}/assessor", org),
            "branch_lists.lists_page": ("/branch-lists/{}", org),
            "ledger.item_page": ("/ledger/{}", one(select(RectificationItem.id).where(
                RectificationItem.organisation_id == org).order_by(RectificationItem.id))),
            "batches.batch_page": ("/batches/{}", one(select(BatchJob.id).order_by(BatchJob.id))),
            "admin.admin_user": ("/admin/users/{}", one(select(User.id).where(User.username == "yusuan"))),
            "admin.admin_organisation": ("/admin/organisations/{}", org),
            "leaders.person_page": ("/leaders/{}", one(select(DistrictPerson.id).order_by(DistrictPerson.id))),
            "community.brand_page": ("/community/brands/{}", one(select(Brand.id).order_by(Brand.id))),
            "notices.notice_done": ("/notices/{}", one(select(Document.id).where(
                Document.organisation_id == org).order_by(Document.id))),
        }
    engine.dispose()
    return {ep: path.format(i) for ep, (path, i) in ids.items() if i is not None}


def pages(app, url: str) -> dict[str, str]:
    """endpoint -> path: every GET page without path arguments, and one detail page of each kind."""
    out = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint in SKIP_PAGES or rule.rule.startswith("/api"):
            continue
        out[rule.endpoint] = rule.rule
    out.update(_detail_pages(url))
    return dict(sorted(out.items(), key=lambda kv: kv[1]))


def _login(client, username: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf})
    assert resp.status_code == 302, resp.status_code


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


def measure(backend: str, url: str, data_dir: Path, times: int, only: set[str], roles: list[str]) -> list[dict]:
    from service import create_app

    app = create_app({"DATABASE_URL": url, "WUHAO_DATA_DIR": str(data_dir), "SECRET_KEY": "bench",
                      "TESTING": True, "WUHAO_VERIFY_PER_MINUTE": 100000})
    from service import serving

    serving.settle_gc()  # as `wuhao serve` does once it has started
    results = []
    targets = pages(app, url)
    for role in roles:
        client = app.test_client()
        _login(client, ROLES[role])
        for endpoint, path in targets.items():
            if only and not any(o in endpoint or o in path for o in only):
                continue
            first = client.get(path)
            if first.status_code in (400, 403, 404, 422) or 300 <= first.status_code < 400:
                continue  # not this role's page (or one that needs arguments: a year, a street)
            walls, cpus, status = [], [], first.status_code
            for _ in range(times):
                w, c = time.perf_counter(), time.process_time()
                r = client.get(path)
                walls.append(time.perf_counter() - w)
                cpus.append(time.process_time() - c)
                status = r.status_code
            row = {"backend": backend, "role": role, "page": path, "status": status,
                   "p50": _pct(walls, 0.5), "p95": _pct(walls, 0.95), "cpu": statistics.mean(cpus)}
            results.append(row)
            flag = "ok" if row["p95"] <= TARGET_P95 and status == 200 else "OVER" if status == 200 else "ERR"
            print(f"[{backend}] {role:8} {path:38} {status} p50 {row['p50'] * 1000:7.0f} ms  "
                  f"p95 {row['p95'] * 1000:7.0f} ms  cpu {row['cpu'] * 1000:6.0f} ms  {flag}", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--times", type=int, default=10)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated parts of endpoints or paths")
    parser.add_argument("--roles", default="admin,reviewer,branch")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    summary = []
    for backend in args.backends.split(","):
        url, data_dir = build(backend, args.rebuild)
        if args.build_only:
            continue
        rows = measure(backend, url, data_dir, args.times, {o for o in args.only.split(",") if o},
                       args.roles.split(","))
        over = [r for r in rows if r["p95"] > TARGET_P95 or r["status"] != 200]
        cpu_over = [f"{r['page']} ({r['role']}) {r['cpu'] * 1000:.0f} ms" for r in rows if r["cpu"] > TARGET_P95]
        worst = max(rows, key=lambda r: r["p95"]) if rows else None
        summary.append(f"[{backend}] {len(rows)} page/role pairs, {len(rows) - len(over)} meet p95 <= "
                       f"{TARGET_P95 * 1000:.0f} ms, {len(over)} do not"
                       + (f"; slowest {worst['page']} ({worst['role']}) p95 {worst['p95'] * 1000:.0f} ms, "
                          f"cpu {worst['cpu'] * 1000:.0f} ms" if worst else "")
                       + f"\n[{backend}] mean CPU per request over {TARGET_P95 * 1000:.0f} ms: "
                       + (", ".join(cpu_over) or "none"))
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    print("\n".join(summary))


if __name__ == "__main__":
    main()
