"""Every page, as every role, at office and phone sizes: plain Chinese only, and a screenshot of each.

The pages are the app's own GET routes (``app.url_map``), so a page someone adds is crawled too: its
arguments are filled with ids from the full demo data the role may see (:data:`ARG_IDS`; an argument
with no entry there fails the test and says which). A page fails on developer text in what a person
reads — snake_case keys, rule codes (SZ-/JH-/SQ- + digit), Python reprs, English error text, ISO
dates — and at phone width on a page wider than the screen. Screenshots go to build/screenshots/
(<size>/<role>/<page>.png, gitignored; PostgreSQL's under build/screenshots/postgresql/).

It runs on both databases (``database_url`` of tests/conftest.py): after the first round of fixes it
ran on SQLite only, and what PostgreSQL orders, types or refuses differently went unseen.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.web.conftest import OFFICE, PHONE, browser_login, browser_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
ROLES = {"anonymous": None, "branch": "yusuan", "reviewer": "gongwei", "admin": "admin"}
SIZES = {"office": OFFICE, "phone": PHONE}

#: what must never reach a person's eyes: (what it is, pattern)
FORBIDDEN = [
    ("snake_case 键名", re.compile(r"(?<![A-Za-z0-9_./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![A-Za-z0-9_(])")),
    ("规则编号", re.compile(r"(?<![A-Za-z])(?:SZ|JH|SQ)-\d")),
    ("Python 字典", re.compile(r"\{'[^']*':")),
    ("Python 回溯", re.compile(r"Traceback")),
    ("Python 值", re.compile(r"(?<![A-Za-z])(?:None|True|False)(?![A-Za-z])")),
    ("英文错误", re.compile(r"(?i)(?<![A-Za-z])(?:error|exception|invalid|not found|forbidden|unauthori[sz]ed|"
                          r"failed|bad request|internal server|required|method not allowed)(?![A-Za-z])")),
    ("ISO 日期", re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")),
    ("错误代码", re.compile(r"错误代码")),
]


def _stored_codes() -> list[str]:
    """Every code the vocabulary names (domains, kinds, statuses, audit actions …) that a page could
    leak as a bare lowercase word (``community``, ``contact``: the audit log showed them) — not the
    demo usernames (``admin`` is a role and a login name) nor one- and two-letter codes."""
    from service import vocabulary
    from service.demo import ACCOUNTS

    code = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")  # snake_case is caught above already
    tables = [t for t in vars(vocabulary).values() if isinstance(t, (dict, tuple, frozenset))]
    codes = {k for t in tables for k in t if isinstance(k, str) and len(k) >= 3 and code.fullmatch(k)}
    return sorted(codes - {username for username, *_ in ACCOUNTS}, key=lambda c: (-len(c), c))


FORBIDDEN.append(("未译代码", re.compile(r"(?<![A-Za-z0-9_./@:=?&#-])(?:" + "|".join(map(re.escape, _stored_codes()))
                                        + r")(?![A-Za-z0-9_./@-])")))


def offences(text: str) -> list[str]:
    """What in ``text`` a person should not read: ["what: …context…"]."""
    found = []
    for what, pattern in FORBIDDEN:
        for m in pattern.finditer(text):
            found.append(f"{what}: …{text[max(0, m.start() - 20):m.end() + 20]}…".replace("\n", " "))
    return found


def test_the_offences_are_found():
    """The checker itself: each kind of developer text is caught, plain Chinese passes."""
    assert offences("支部名称 branch_name") and offences("（规则 too_few_members，依据 SZ-3.3）")
    assert offences("{'row': 8, 'reason': '缺少姓名'}") and offences("直属：False") and offences("Invalid value")
    assert offences("上传时间 2026-12-01 06:34") and offences("错误代码：not_found")
    assert offences("所属领域：community；种类：contact") and offences("状态 returned")
    assert not offences("2026年12月1日 14:05 上传，得分 96分，依据《五好党支部创建管理办法》第三条。WH-2025-0001 a.docx"
                        " 用户 admin、gongwei，文件 community.pdf，网址 /community")


def _ids(session, user) -> dict:
    """{route argument: a value the user may open} from the demo data."""
    from service import auth
    from service.models import (BatchJob, Brand, Certificate, DistrictPerson, Document, HandbookIssue, ModelSite,
                                Organisation, RectificationItem, SecretaryProject, SpotCheck, Submission,
                                TrainingClass)

    def first(model, column, *where):
        query = select(model.id).where(*where).order_by(model.id.desc())
        if user is not None:
            query = auth.filter_visible(query, column, session, user)
        return session.execute(query.limit(1)).scalar()

    branch_q = select(Organisation.id).where(Organisation.kind == "branch").order_by(Organisation.id)
    if user is not None:
        branch_q = auth.filter_visible(branch_q, Organisation.id, session, user)
    return {
        "submission_id": first(Submission, Submission.organisation_id, Submission.form != "report"),
        "org_id": session.execute(branch_q.limit(1)).scalar(),
        "doc_id": first(Document, Document.organisation_id),
        "job_id": first(BatchJob, BatchJob.organisation_id) or session.execute(
            select(BatchJob.id).order_by(BatchJob.id.desc()).limit(1)).scalar(),
        "item_id": first(RectificationItem, RectificationItem.organisation_id),
        "number": session.execute(select(Certificate.number).order_by(Certificate.id).limit(1)).scalar(),
        "brand_id": first(Brand, Brand.organisation_id),
        "person_id": first(DistrictPerson, DistrictPerson.organisation_id) if user is None or user.role != "branch"
        else None,  # leaders' pages are the reviewers'; a branch has none to open
        "project_id": first(SecretaryProject, SecretaryProject.organisation_id) if user is None or user.role != "branch"
        else None,  # 书记项目 and training are the reviewers'
        "class_id": first(TrainingClass, TrainingClass.organisation_id) if user is None or user.role != "branch"
        else None,
        "issue_id": first(HandbookIssue, HandbookIssue.organisation_id),  # a 手册发放登记 line's edit page
        "check_id": first(SpotCheck, SpotCheck.organisation_id) if user is None or user.role != "branch"
        else None,  # 抽查 are the reviewers'
        "key": "brands",  # one SQ-1 target's records (a 404 page for a role without communities)
        "what": "sites",
        "record_id": first(ModelSite, ModelSite.organisation_id),
        "name": "roster",  # /imports/<name>-template.xlsx
        "sha": None,       # an import's error report exists only after a rejected import
        "user_id": user.id if user is not None else None,
    }


def pages(app, ids: dict) -> list[str]:
    """Every GET route of the app with its arguments filled (API routes are skipped later by their content type)."""
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if rule.rule.startswith("/api/"):
            continue  # the JSON API and its reference for developers (/api/v1/docs)
        missing = [a for a in rule.arguments if ids.get(a) is None]
        assert not [a for a in missing if a not in ids], \
            f"{rule.rule}: no demo id for {missing}; add one to tests/web/test_crawl.py::_ids"
        if missing:
            continue  # the role sees no such record
        path = rule.rule
        for arg in rule.arguments:
            path = re.sub(rf"<(?:[^:>]+:)?{arg}>", str(ids[arg]), path)
        urls.append(path)
    # pages reached with a query string
    if ids.get("org_id"):
        urls.append(f"/scores?organisation_id={ids['org_id']}")
        urls.append(f"/ledger?organisation_id={ids['org_id']}")
        urls.append(f"/branch-lists/{ids['org_id']}?print=1")  # the 整改任务书 annex as printed
    # the district lists filtered and sorted (a reviewer's; the others get the refusal page)
    urls += ["/leaders?status=uncovered&sort=overdue&desc=1", "/supervision?status=open&sort=inspected_on"]
    return urls


@pytest.fixture
def full_site(app, database_url, live_server):
    from service.config import settings_of
    from service.db import session_scope
    from service.demo import load_demo
    from service.demo_records import party_cards

    with app.app_context(), session_scope(app.config["DATABASE_URL"]) as s:
        load_demo(s, password="demo-pass-1")
    party_cards(settings_of(app), members=6)
    return {"base": live_server, "password": "demo-pass-1"}


def _slug(url: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", url).strip("_") or "root"


def test_every_page_as_every_role_reads_plain_chinese_at_both_sizes(app, browser, full_site):
    from service.db import session_scope
    from service.models import User

    base = full_site["base"]
    root = SCREENSHOTS / "postgresql" if app.config["DATABASE_URL"].startswith("postgresql") else SCREENSHOTS
    problems: list[str] = []
    crawled = 0
    for role, username in ROLES.items():
        with session_scope(app.config["DATABASE_URL"]) as s:
            user = s.execute(select(User).where(User.username == username)).scalar_one() if username else None
            ids = _ids(s, user if user is not None else None)
            urls = pages(app, ids)
        for size, viewport in SIZES.items():
            with browser_page(browser, viewport) as page:
                if username:
                    browser_login(page, base, username, full_site["password"])
                folder = root / size / role
                folder.mkdir(parents=True, exist_ok=True)
                for url in urls:
                    head = page.request.get(base + url, max_redirects=0)
                    kind = head.headers.get("content-type", "")
                    if head.status >= 500:
                        problems.append(f"[{role} {size}] {url}: 服务器错误 {head.status}")
                    if not kind.startswith("text/html"):
                        continue  # files (XLSX, ZIP): not a page
                    page.goto(base + url)
                    page.wait_for_load_state("networkidle")
                    crawled += 1
                    text = page.inner_text("body")
                    problems += [f"[{role} {size}] {url}: {o}" for o in offences(text)]
                    if size == "phone":  # a table or chart scrolls inside its own box, never the page
                        wide, screen = page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
                        if wide > screen:
                            problems.append(f"[{role} {size}] {url}: 页面宽 {wide}px，超出手机屏幕 {screen}px")
                    page.screenshot(path=str(folder / f"{_slug(url)}.png"), full_page=True)
    assert crawled > 60, crawled
    assert not problems, "\n".join(problems)
