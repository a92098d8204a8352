"""Pages at the top of the site: sign in and out, the start page, upload, blank forms, certificate verification."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, url_for

from .. import audit, auth, throttle, vocabulary
from ..db import get_session
from ..errors import DomainError
from ..http import begin_browser_session, end_browser_session, keep_changes, settings, status_of, store
from ..usecases import documents, forms as blank_forms, messages, organisations, submissions, todo
from ..certificates.checkcode import PARAM as CODE_PARAM
from ..certificates.checkcode import normalise
from ..usecases.listing import Column, ListSpec
from ..vocabulary import UNKNOWN_FORM
from .helpers import blueprint, form_id, kept_form, page
from .kept_files import chosen_files
from .lists import list_page

bp = blueprint("home")


@bp.get("/")
@page()
def index(user):
    """Each role's start page is its to-do list (待办), built from the records."""
    db = get_session()
    view = todo.todo(db, user, remind_days=settings().remind_days)
    progress = todo.progress(db, user, user.organisation_id) if user.role == "branch" else None
    return render_template("todo.html", user=user, todo=view, progress=progress,
                           recent=messages.listing(db, user, {"unread": True})["items"][:5])


SUBMISSIONS = ListSpec(
    columns=(Column("id", "编号", "int"), Column("organisation_name", "支部"), Column("original_name", "文件"),
             Column("form_name", "表单"), Column("status_name", "状态"), Column("uploaded_at", "上传时间", "datetime")),
    search=("organisation_name", "original_name", "form_name", "id"),
    filters=("status", "organisation", "year", "kind"), filename="材料")


def submission_list(user):
    rows = [{**s, "form_name": vocabulary.FORM_NAMES.get(s["form"], "—"), "kind": s["form"],
             "kind_name": vocabulary.FORM_NAMES.get(s["form"], "—"),
             "year": int(s["uploaded_at"][:4]) if s["uploaded_at"] else None}
            for s in submissions.listing(get_session(), user, limit=2000)]
    return list_page("index.html", rows, SUBMISSIONS, user=user, title="材料列表")


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site, or the start page.

    Browsers drop tabs and newlines inside a URL and read a backslash as a slash, so
    ``/%09/evil.example`` or ``/\\evil.example`` would leave the site: anything but a plain
    same-origin path (printable, no backslash, no scheme or host, not ``//``) goes to /."""
    target = target or ""
    if (not target.startswith("/") or target.startswith("//") or len(target) > 2000
            or any(ord(ch) < 0x21 or ord(ch) == 0x7F or ch == "\\" for ch in target)):
        return url_for("home.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return url_for("home.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    expired = bool(g.get("session_expired")) or request.args.get("expired") == "1"
    if request.method == "GET":
        return render_template("login.html", error=None, expired=expired)
    db = get_session()
    try:
        user = auth.login(db, request.form.get("username", "")[:80], request.form.get("password", "")[:200],
                          request.remote_addr or "", redis_url=settings().redis_url)
    except DomainError as exc:
        if exc.keep:
            keep_changes()  # the failure counters
        return render_template("login.html", error=exc.message, expired=False,  # the 用户名 as typed, not the 密码
                               kept=kept_form(exc)), status_of(exc)
    begin_browser_session(user)
    audit.record(db, user, "login", "user", user.id, {"ip": request.remote_addr})
    return redirect(safe_next(request.args.get("next")))


@bp.post("/logout")
def logout():
    end_browser_session()
    return redirect(url_for("home.login"))


@bp.route("/upload", methods=["GET", "POST"])
@page()
def upload(user):
    db = get_session()
    kept, status = None, 200
    if request.method == "POST":  # without JavaScript (with it the page posts to the API and keeps the files)
        try:
            files = chosen_files()  # those chosen now and those kept from a refused post, less any 不使用
            if not files:
                flash("请选择要上传的文件。", "error")
                return redirect(url_for("home.upload"))
            created = submissions.upload(db, store(), settings(), user, files,
                                         organisation_id=form_id("organisation_id", "所属组织"))
        except DomainError as exc:
            if exc.keep:
                keep_changes()  # the refused upload's audit row
            flash("未上传：" + exc.message, "error")
            kept, status = kept_form(exc), status_of(exc)  # the readable files kept, the refused ones named
        else:
            main = next((s for s in created if s.form not in ("report", UNKNOWN_FORM)), created[0])
            unknown = ",".join(str(s.id) for s in created if s.form == UNKNOWN_FORM)  # named on the page
            return redirect(url_for("submissions.submission_page", submission_id=main.id, uploaded=len(created),
                                    **({"unrecognised": unknown} if unknown else {})))
    branches = organisations.branches(db, user) if user.role != "branch" else []
    return render_template("upload.html", user=user, branches=branches, kept=kept), status


@bp.get("/forms")
@page()
def forms(user):
    return render_template("forms.html", user=user, forms=blank_forms.blank_forms())


@bp.get("/lifecycle")
@page()
def lifecycle(user):
    if user.role != "branch":
        return redirect(url_for("review.dashboard"))
    return redirect(url_for("organisations.organisation_page", org_id=user.organisation_id))


@bp.get("/verify")
def verify_search():
    """Public: the search box of /verify; a number (and its check code) typed in goes to its own page
    (the QR's address)."""
    number = (request.args.get("number") or "").strip()[:64]
    code = normalise(request.args.get(CODE_PARAM) or "")
    if number:
        return redirect(url_for("home.verify", number=number, **({CODE_PARAM: code} if code else {})))
    return _public(render_template("verify.html", status="search", label="", number="", code="",
                                   message="请输入证书编号和校验码查询。"), 200)


VERIFY_WINDOW_SECONDS = 60  # WUHAO_VERIFY_PER_MINUTE look-ups per address in this window, in every process


@bp.get("/verify/<path:number>")
def verify(number: str):
    """Public, rate limited per client: a 荣誉证书 / 党员证 number with its check code -> its status
    (有效 / 已撤销 / 已失效), holder (a person's name masked), issuer and validity period."""
    wait = throttle.count_request(current_app.config["DATABASE_URL"], settings().redis_url,
                                  f"v:{request.remote_addr or 'unknown'}", settings().verify_per_minute,
                                  VERIFY_WINDOW_SECONDS)
    if wait:
        resp = _public(render_template("verify.html", status="throttled", label="查询过于频繁", number="", code="",
                                       message=f"查询过于频繁，请{wait}秒后再试。"), 429)
        resp.headers["Retry-After"] = str(wait)
        return resp
    result = documents.verify(get_session(), number, request.args.get(CODE_PARAM) or "", settings().verify_key)
    return _public(render_template("verify.html", **result), 404 if result["status"] == "unknown" else 200)


def _public(body: str, status: int):
    resp = current_app.make_response((body, status))
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["X-Robots-Tag"] = "noindex"
    resp.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return resp
