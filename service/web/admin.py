"""Admin pages: users, organisations (with XLSX import), rubrics, numbering prefixes, fonts."""
from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for

from ..checks.rubric import RubricError, available_years, load_rubric
from .. import vocabulary
from ..db import get_session
from ..http import settings
from .. import auth
from ..usecases import account, admin, assessments, cycles, organisations, rubric_editor, users
from ..usecases.listing import Column, ListSpec
from . import imports
from .helpers import attempt, blueprint, form_int, kept_form, page
from .lists import list_page

bp = blueprint("admin", "/admin")


USERS = ListSpec(
    columns=(Column("username", "用户名"), Column("display_name", "名称"), Column("role_name", "角色"),
             Column("organisation_path", "组织"), Column("status_name", "状态")),
    search=("username", "display_name", "organisation_path", "email"),
    filters=("organisation", "status"), default_sort="username", filename="用户")


def _user_rows(db, user) -> list[dict]:
    paths = organisations.path_names(db)
    return [{"id": u.id, "username": u.username, "display_name": u.display_name, "role": u.role,
             "role_name": vocabulary.ROLES.get(u.role, ""), "organisation_id": u.organisation_id,
             "organisation_name": paths.get(u.organisation_id, ""), "organisation_path": paths.get(u.organisation_id, ""),
             "email": u.email or "", "status": "active" if u.active else "inactive",
             "status_name": "正常" if u.active else "已停用"} for u in users.listing(db, user)]


@bp.route("/users", methods=["GET", "POST"])
@page("admin")
def admin_users(user):
    """Users: search, filters and paging over the accounts; one account is edited on its own page."""
    db = get_session()
    token = kept = None
    if request.method == "POST":
        action = request.form.get("action")
        if action == "create":
            payload = {k: request.form.get(k) or None for k in ("username", "password", "display_name", "role")}
            payload["organisation_id"] = form_int("organisation_id", "所属组织")
            created, error = attempt(users.create, db, user, payload)
            if created is not None:
                flash(f"已新建用户 {created.username}。", "ok")
                return redirect(url_for("admin.admin_user", user_id=created.id))
            kept = kept_form(error)  # refused: the page again, with what was typed (the password is not kept)
        elif action == "token":
            issued, _error = attempt(users.issue_token, db, user, form_int("user_id", "用户") or 0)
            if issued is not None:
                target, token = issued
                flash(f"已为 {target.username} 签发新令牌（只显示一次），此前的令牌已失效。", "ok")
        else:
            target, _error = attempt(users.update, db, user, form_int("user_id", "用户") or 0, _user_payload())
            if target is not None:
                flash(f"已修改用户 {target.username}。", "ok")
        if token is None and kept is None:
            return redirect(url_for("admin.admin_users"))
    return list_page("admin/users.html", _user_rows(db, user), USERS, user=user, token=token, kept=kept,
                     orgs=organisations.picker(db, user))


def _user_payload() -> dict:
    payload = {"role": request.form.get("role") or None, "organisation_id": form_int("organisation_id", "所属组织"),
               "active": request.form.get("active") == "1", "password": request.form.get("password") or None}
    if "display_name" in request.form:  # cleared, it is refused (a form without the field leaves it alone)
        payload["display_name"] = request.form.get("display_name") or None
    if request.form.get("unlock"):
        payload["unlock"] = True
    return payload


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@page("admin")
def admin_user(user, user_id: int):
    """One account: name, role, organisation (picked from the tree), 停用, 重设密码 (ends its sessions and
    tokens), a new API token."""
    db = get_session()
    target = users.load(db, user, user_id)
    token = kept = None
    if request.method == "POST":
        if request.form.get("action") == "token":
            issued, _error = attempt(users.issue_token, db, user, target.id)
            if issued is not None:
                token = issued[1]
                flash("已签发新令牌（只显示一次），此前的令牌已失效。", "ok")
        else:
            done, error = attempt(lambda: users.update(db, user, target.id, _user_payload()))
            if done is not None:
                flash(f"已修改用户 {done.username}。" + ("密码已重设，该用户已登录的浏览器和令牌全部失效。"
                                                        if request.form.get("password") else ""), "ok")
                return redirect(url_for("admin.admin_user", user_id=target.id))
            kept = kept_form(error)  # refused: the form again, with what was typed (the password is not kept)
    return render_template("admin/user.html", user=user, target=target, token=token, kept=kept,
                           tokens=account.tokens(db, target),
                           orgs=organisations.picker(db, user, selected=target.organisation_id))


@bp.route("/organisations", methods=["GET", "POST"])
@page("admin")
def admin_organisations(user):
    db = get_session()
    problems, kept = [], None
    if request.method == "POST" and request.form.get("action") == "create":
        # a 党员人数 typed wrong is refused like the use case's own refusals: the form comes back as typed
        created, error = attempt(lambda: organisations.create(db, user, _org_payload(creating=True)),
                                 said="未新建：")
        if created is not None:
            flash(f"已新建组织“{created.name}”。", "ok")
            return redirect(url_for("admin.admin_organisation", org_id=created.id))
        kept = kept_form(error)
    elif request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash("请选择要导入的 XLSX 文件。", "error")
        else:
            result, error = attempt(organisations.import_xlsx, db, user, upload.read())
            if result is not None:
                flash(f"导入完成：新建 {result['created']} 个，更新 {result['updated']} 个组织。", "ok")
                return redirect(url_for("admin.admin_organisations"))
            problems = imports.as_rows((error.detail or {}).get("problems", []))
    return list_page("admin/organisations.html", organisations.tree_rows(db), ORGANISATIONS, user=user,
                     kind_names=vocabulary.ORG_KINDS, problems=problems,
                     report_url=imports.error_report(problems, "组织名单") if problems else "",
                     orgs=organisations.picker(db, user), form=request.form, kept=kept)


#: the organisation tree as a list: in tree order (parents before children, indented) until a
#: heading sorts it; search by name, path, code or 书记, filters by kind and domain
ORGANISATIONS = ListSpec(
    columns=(Column("name", "名称"), Column("kind_name", "类型"), Column("domain_name", "领域"),
             Column("code", "代码"), Column("member_count", "党员", "int"), Column("secretary", "书记"),
             Column("path", "上级组织", sortable=False)),
    search=("name", "path", "code", "secretary"), filters=("kind", "domain"), filename="组织")


def _org_payload(creating: bool = False) -> dict:
    payload: dict = {}
    for key in ("name", "code", "secretary", "contact_person", "contact_phone"):
        if key in request.form:
            payload[key] = request.form.get(key, "").strip() or None
    if "kind" in request.form:
        payload["kind"] = request.form.get("kind") or None
    if "domain" in request.form:
        payload["domain"] = request.form.get("domain") or None
    if "member_count" in request.form:
        payload["member_count"] = form_int("member_count", "党员人数")
    if "parent_id" in request.form:
        payload["parent_id"] = form_int("parent_id", "上级组织")
    if "directly_under" in request.form or (not creating and "kind" in request.form):
        payload["directly_under"] = request.form.get("directly_under") == "1"
    return payload


@bp.route("/organisations/<int:org_id>", methods=["GET", "POST"])
@page("admin")
def admin_organisation(user, org_id: int):
    """One organisation: edit its details, move it under another, or 撤销 it."""
    db = get_session()
    org = cycles.load_organisation(db, user, org_id)
    kept = None
    if request.method == "POST":
        action = request.form.get("action")
        if action == "dissolve":
            if request.form.get("confirm") != "1":
                flash("撤销前请勾选确认。", "error")
            else:
                done, error = attempt(organisations.dissolve, db, user, org.id,
                                      {"reason": request.form.get("reason", "")}, said="未撤销：")
                if done is not None:
                    flash(f"已撤销“{done.name}”，其账户已停用，记录仍保留。", "ok")
                else:
                    kept = kept_form(error)  # refused: the reason stays as typed
        else:
            def payload():
                return _org_payload() if action == "update" else {"parent_id": form_int("parent_id", "上级组织")}
            done, error = attempt(lambda: organisations.update(db, user, org.id, payload()),
                                  said="未保存：" if action == "update" else "未移动：")
            if done is not None:
                flash("已保存。" if action == "update" else f"已移到“{done.parent.name if done.parent else ''}”之下。", "ok")
            else:
                kept = kept_form(error)  # refused: the form again, with what was typed
        if kept is None:
            return redirect(url_for("admin.admin_organisation", org_id=org.id))
    below = auth.subtree_ids(db, org.id)  # once: per candidate it read the whole tree 2,240 times (8.8 s CPU)
    orgs = organisations.picker(db, user, selected=org.parent_id, exclude=below)
    return render_template("admin/organisation.html", user=user, org=org, orgs=orgs, kept=kept,
                           path=organisations.path_names(db).get(org.id, org.name),
                           children=[o for o in org.children], kind_names=vocabulary.ORG_KINDS)


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
    kept = None
    if request.method == "POST":
        organs: dict = {}
        for key, value in request.form.items():
            field, _, org_id = key.partition(":")
            if field in admin.FIELDS and org_id:
                organs.setdefault(org_id, {})[field] = value
        view, error = attempt(admin.set_organs, db, user, {"organs": organs})
        if view is not None:
            flash("已保存发文机关设置。", "ok")
            return redirect(url_for("admin.admin_numbering"))
        kept = kept_form(error)  # refused: the table again, with what was typed
    return render_template("admin/numbering.html", user=user, v=admin.numbering(db, user), kept=kept)


@bp.get("/fonts")
@page("admin")
def admin_fonts(user):
    report = admin.fonts(user)
    return render_template("admin/fonts.html", user=user, rows=report["items"], font_dir=report["font_dir"])


def _rows(prefix: str, fields: tuple[str, ...]) -> list[dict]:
    """Rows ``<prefix>-<i>-<field>`` of a form, in order of i."""
    found: dict[int, dict] = {}
    for key, value in request.form.items():
        if not key.startswith(prefix + "-"):
            continue
        index, _, field = key[len(prefix) + 1:].partition("-")
        if index.isdigit() and field in fields:
            found.setdefault(int(index), {})[field] = value
    return [found[i] for i in sorted(found)]


def _editor_args(dims: list[str]) -> dict:
    items = {}
    for dim in dims:
        rows = _rows(f"item-{dim}", ("id", "text", "points", "delete"))
        for j, row in enumerate(rows):
            row["deductions"] = [
                {"text": d.get("text", ""), "per": d.get("per", ""), "zero": d.get("kind") == "zero",
                 "delete": bool(d.get("delete"))}
                for d in _rows(f"ded-{dim}-{j}", ("text", "kind", "per", "delete"))]
            row["delete"] = bool(row.get("delete"))
        items[dim] = rows
    return {"year": request.form.get("year"), "source_year": request.form.get("source_year"),
            "domain": request.form.get("domain"), "title": request.form.get("title", ""),
            "emphasis": request.form.get("emphasis", ""),
            "dimensions": _rows("dim", ("key", "name", "max")),
            "grades": [dict(g, delete=bool(g.get("delete"))) for g in
                       _rows("grade", ("key", "name", "min_total", "dimension_min_percent", "delete"))],
            "items": items}


@bp.route("/rubrics/edit", methods=["GET", "POST"])
@page("admin")
def admin_rubric_editor(user):
    """评分标准 in a form: dimensions, grades, and one domain's items with points and deductions."""
    problems: list[str] = []
    year = request.values.get("year", type=int) or dt.date.today().year
    domain = request.values.get("domain") or None
    view = rubric_editor.view(user, settings().rubric_dir, year, domain)
    if request.method == "POST":
        args = _editor_args([d["key"] for d in view["dimensions"]])
        out, error = attempt(rubric_editor.save, get_session(), user, settings().rubric_dir, args,
                             said="评分标准未保存：")
        if out is not None:
            flash(f"已保存并启用 {out['year']} 年评分标准（{domain_names_of(args['domain'])}）。", "ok")
            return redirect(url_for("admin.admin_rubric_editor", year=out["year"], domain=args["domain"]))
        problems = (error.detail or {}).get("problems", [])
        view.update(title=args["title"], emphasis=args["emphasis"], grades=args["grades"],
                    dimensions=[dict(d, **{k: v for k, v in a.items() if k != "key"})
                                for d, a in zip(view["dimensions"], args["dimensions"])],
                    items=args["items"])
        return render_template("admin/rubric_editor.html", user=user, v=view, problems=problems), 422
    return render_template("admin/rubric_editor.html", user=user, v=view, problems=problems)


def domain_names_of(code) -> str:
    return vocabulary.DOMAINS.get(code or "", "")
