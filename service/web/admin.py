"""Admin pages: users, organisations (with XLSX import), rubrics, numbering prefixes, fonts."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from .. import audit, auth, vocabulary
from ..api.admin import numbering_view
from ..api.assessments import save_rubric
from ..api.organisations import import_organisations
from ..api.users import create_user_from, update_user_from
from ..config import settings_of
from ..db import get_session
from ..errors import ApiError
from ..models import Organisation, User
from . import bp
from .helpers import form_int, page


@bp.route("/admin/users", methods=["GET", "POST"])
@page("admin")
def admin_users(user):
    db = get_session()
    token = None
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "create":
                payload = {k: request.form.get(k) or None for k in ("username", "password", "display_name", "role")}
                payload["organisation_id"] = form_int("organisation_id")
                created = create_user_from(db, user, payload)
                db.commit()
                flash(f"已新建用户 {created.username}。", "ok")
            else:
                target = db.get(User, form_int("user_id") or 0)
                if target is None:
                    raise ApiError("not_found", "未找到该用户。", 404)
                if action == "token":
                    token = auth.new_api_token(target)
                    audit.record(db, user, "token_issue", "user", target.id, {})
                    db.commit()
                    flash(f"已为 {target.username} 签发新令牌（只显示一次）。", "ok")
                else:
                    payload = {"role": request.form.get("role") or None,
                               "organisation_id": form_int("organisation_id"),
                               "active": request.form.get("active") == "1",
                               "password": request.form.get("password") or None}
                    if request.form.get("unlock"):
                        payload["unlock"] = True
                    update_user_from(db, user, target, payload)
                    db.commit()
                    flash(f"已修改用户 {target.username}。", "ok")
        except ApiError as exc:
            db.rollback()
            if exc.status >= 500:
                raise
            flash(exc.message, "error")
        if token is None:
            return redirect(url_for("web.admin_users"))
    users = list(db.execute(select(User).order_by(User.id)).scalars())
    orgs = list(db.execute(select(Organisation).order_by(Organisation.id)).scalars())
    return render_template("admin/users.html", user=user, users=users, orgs=orgs, token=token)


def _tree(orgs: list[Organisation]) -> list[tuple[int, Organisation]]:
    children: dict = {}
    for o in orgs:
        children.setdefault(o.parent_id, []).append(o)
    out: list[tuple[int, Organisation]] = []

    def walk(parent, depth):
        for o in sorted(children.get(parent, []), key=lambda o: o.id):
            out.append((depth, o))
            walk(o.id, depth + 1)
    walk(None, 0)
    return out


@bp.route("/admin/organisations", methods=["GET", "POST"])
@page("admin")
def admin_organisations(user):
    db = get_session()
    problems = []
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash("请选择要导入的 XLSX 文件。", "error")
        else:
            try:
                result = import_organisations(db, user, upload.read())
                db.commit()
                flash(f"导入完成：新建 {result['created']} 个，更新 {result['updated']} 个组织。", "ok")
                return redirect(url_for("web.admin_organisations"))
            except ApiError as exc:
                db.rollback()
                flash(exc.message, "error")
                problems = (exc.detail or {}).get("problems", [])
    orgs = list(db.execute(select(Organisation)).scalars())
    return render_template("admin/organisations.html", user=user, tree=_tree(orgs), kind_names=vocabulary.ORG_KINDS,
                           problems=problems)


@bp.route("/admin/rubrics", methods=["GET", "POST"])
@page("admin")
def admin_rubrics(user):
    from ..checks.rubric import RubricError, available_years, load_rubric

    errors = []
    if request.method == "POST":
        upload = request.files.get("file")
        raw_year = request.form.get("year", "")
        if upload is None or not upload.filename or not raw_year.isdigit() or not 2000 <= int(raw_year) <= 2100:
            flash("请填写年份并选择 YAML 文件。", "error")
        else:
            db = get_session()
            try:
                out = save_rubric(db, user, int(raw_year), upload.read().decode("utf-8", errors="replace"))
                db.commit()
                flash(f"已启用 {out['year']} 年评分标准：{out['title']}。", "ok")
            except ApiError as exc:
                db.rollback()
                errors = (exc.detail or {}).get("problems", [])
                flash(exc.message, "error")
    year = request.args.get("year", type=int)
    years = available_years(settings_of(current_app).rubric_dir)
    rubric = None
    if years:
        try:
            rubric = load_rubric(year if year and 2000 <= year <= 2100 else None,
                                 settings_of(current_app).rubric_dir)
        except (FileNotFoundError, RubricError) as exc:
            errors.append(str(exc))
    return render_template("admin/rubrics.html", user=user, years=years, rubric=rubric, errors=errors)


@bp.route("/admin/numbering", methods=["GET", "POST"])
@page("admin")
def admin_numbering(user):
    db = get_session()
    if request.method == "POST":
        from ..api.admin import _write, numbering_prefixes

        current = numbering_prefixes()
        changes = {}
        for key, value in request.form.items():
            if key.startswith("prefix:") and key[7:].isdigit():
                org = db.get(Organisation, int(key[7:]))
                value = value.strip()
                if org is None or org.parent_id is not None:
                    continue
                if not value or len(value) > 20 or any(ch in value for ch in "〔〕[]{}<>"):
                    flash(f"{org.name} 的机关代字无效（1–20 个字符，不含括号）。", "error")
                    return redirect(url_for("web.admin_numbering"))
                if current.get(str(org.id)) != value:
                    current[str(org.id)] = changes[str(org.id)] = value
        if changes:
            _write(current)
            audit.record(db, user, "numbering_update", "settings", None, {"prefixes": changes})
            db.commit()
            flash("已保存机关代字。", "ok")
        return redirect(url_for("web.admin_numbering"))
    return render_template("admin/numbering.html", user=user, v=numbering_view(db))


@bp.get("/admin/fonts")
@page("admin")
def admin_fonts(user):
    try:
        from ..documents.fonts import font_dir, font_report
    except ImportError:
        raise ApiError("unavailable", "字体模块不可用。", 503) from None
    return render_template("admin/fonts.html", user=user, rows=font_report(), font_dir=str(font_dir()))
