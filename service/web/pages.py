"""Pages: sign in, the work list, a submission, upload."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import login_user, logout_user
from sqlalchemy import select

from .. import audit, auth
from ..api.submissions import findings_of, load_submission
from ..api import serialize
from ..db import get_session
from ..models import Submission
from . import bp


def _page_user():
    user = auth.current()
    if user is None:
        return None
    return user


@bp.get("/")
def index():
    user = _page_user()
    if user is None:
        return redirect(url_for("web.login", next=request.path))
    db = get_session()
    query = auth.filter_visible(select(Submission).order_by(Submission.id.desc()).limit(200),
                                Submission.organisation_id, db, user)
    subs = [serialize.submission(s, full=False) for s in db.execute(query).scalars()]
    return render_template("index.html", user=user, submissions=subs)


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        db = get_session()
        user, error = auth.authenticate(db, request.form.get("username", ""), request.form.get("password", ""))
        if user is not None:
            login_user(auth.LoginUser(user))
            audit.record(db, user, "login", "user", user.id)
            db.commit()
            target = request.args.get("next", "")
            return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("web.index"))
        db.commit()  # keep the failed-attempt counter
    return render_template("login.html", error=error), (401 if error else 200)


@bp.post("/logout")
def logout():
    logout_user()
    return redirect(url_for("web.login"))


@bp.get("/submissions/<int:submission_id>")
def submission_page(submission_id: int):
    user = _page_user()
    if user is None:
        return redirect(url_for("web.login", next=request.path))
    db = get_session()
    sub = load_submission(db, user, submission_id)
    return render_template("submission.html", user=user, s=serialize.submission(sub, findings_of(db, sub)))
