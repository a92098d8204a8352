"""Admin pages: users, organisations (with XLSX import), rubrics, numbering prefixes, fonts."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from ..checks.rubric import RubricError, available_years, load_rubric
from .. import vocabulary
from ..db import get_session
from ..http import settings
from ..usecases import admin, assessments, organisations, users
from . import imports
from .helpers import attempt, blueprint, form_int, page

bp = blueprint("admin", "/admin")


@bp.route("/users", methods=["GET", "POST"])
@page("admin")
def admin_users(user):
    db = get_session()
    token = None
    if request.method == "POST":
        action = request.form.get("action")
        if action == "create":
            payload = {k: request.form.get(k) or None for k in ("username", "password", "display_name", "role")}
            payload["organisation_id"] = form_int("organisation_id")
            created, _error = attempt(users.create, db, user, payload)
            if created is not None:
                flash(f"已新建用户 {created.username}。", "ok")
        elif action == "token":
            issued, _error = attempt(users.issue_token, db, user, form_int("user_id") or 0)
            if issued is not None:
                target, token = issued
                flash(f"已为 {target.username} 签发新令牌（只显示一次）。", "ok")
        else:
            payload = {"role": request.form.get("role") or None, "organisation_id": form_int("organisation_id"),
                       "active": request.form.get("active") == "1", "password": request.form.get("password") or None}
            if request.form.get("unlock"):
                payload["unlock"] = True
            target, _error = attempt(users.update, db, user, form_int("user_id") or 0, payload)
            if target is not None:
                flash(f"已修改用户 {target.username}。", "ok")
        if token is None:
            return redirect(url_for("admin.admin_users"))
    return render_template("admin/users.html", user=user, users=users.listing(db, user),
                           orgs=organisations.listing(db, user), token=token)


@bp.route("/organisations", methods=["GET", "POST"])
@page("admin")
def admin_organisations(user):
    db = get_session()
    problems = []
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash("请选择要导入的 XLSX 文件。", "error")
        else:
            result, error = attempt(organisations.import_xlsx, db, user, upload.read())
            if result is not None:
                flash(f"导入完成：新建 {result['created']} 个，更新 {result['updated']} 个组织。", "ok")
                return redirect(url_for("admin.admin_organisations"))
            problems = imports.as_rows((error.detail or {}).get("problems", []))
    return render_template("admin/organisations.html", user=user, tree=organisations.tree(db),
                           kind_names=vocabulary.ORG_KINDS, problems=problems,
                           report_url=imports.error_report(problems, "组织名单") if problems else "")


@bp.route("/rubrics", methods=["GET", "POST"])
@page("admin")
def admin_rubrics(user):
    errors = []
    if request.method == "POST":
        upload = request.files.get("file")
        raw_year = request.form.get("year", "")
        if upload is None or not upload.filename or not raw_year.isdigit() or not 2000 <= int(raw_year) <= 2100:
            flash("请填写年份并选择 YAML 文件。", "error")
        else:
            out, error = attempt(assessments.save_rubric, get_session(), user,
                                 settings().rubric_dir, int(raw_year), upload.read())
            if out is not None:
                flash(f"已启用 {out['year']} 年评分标准：{out['title']}。", "ok")
            else:
                errors = (error.detail or {}).get("problems", [])
    year = request.args.get("year", type=int)
    years = available_years(settings().rubric_dir)
    rubric = None
    if years:
        try:
            rubric = load_rubric(year if year and 2000 <= year <= 2100 else None, settings().rubric_dir)
        except (FileNotFoundError, RubricError) as exc:
            errors.append(str(exc))
    return render_template("admin/rubrics.html", user=user, years=years, rubric=rubric, errors=errors)


@bp.route("/numbering", methods=["GET", "POST"])
@page("admin")
def admin_numbering(user):
    db = get_session()
    if request.method == "POST":
        organs: dict = {}
        for key, value in request.form.items():
            field, _, org_id = key.partition(":")
            if field in admin.FIELDS and org_id:
                organs.setdefault(org_id, {})[field] = value
        view, _error = attempt(admin.set_organs, db, user, {"organs": organs})
        if view is not None:
            flash("已保存发文机关设置。", "ok")
        return redirect(url_for("admin.admin_numbering"))
    return render_template("admin/numbering.html", user=user, v=admin.numbering(db, user))


@bp.get("/fonts")
@page("admin")
def admin_fonts(user):
    report = admin.fonts(user)
    return render_template("admin/fonts.html", user=user, rows=report["items"], font_dir=report["font_dir"])
