"""书记抓党建 pages (JH-5, issue 12): the 书记项目 list (progress x/4, filters by 党委 and status, export) and a
project's page (edit, the four outputs with evidence); training classes, a class's enrolments and sign-in
sheet import, and who has not yet been trained this year per 党委 (with export). Every action is a use case."""
from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for

from ..auth import REVIEWERS
from ..db import get_session
from ..errors import Invalid
from ..http import store
from ..usecases import district_projects, district_training, organisations
from ..usecases.listing import Column, ListSpec
from ..vocabulary import MILESTONE_STATUSES, PROJECT_OUTPUTS
from . import imports
from .helpers import attempt, blueprint, form_id, form_int, kept_form, page
from .kept_files import chosen_file
from .lists import list_page

projects_bp = blueprint("projects", "/secretary-projects")
training_bp = blueprint("training", "/training")

PROJECTS = ListSpec(
    columns=(Column("organisation_name", "党委（工委）"), Column("person_name", "书记"), Column("year", "年度", "int"),
             Column("title", "项目名称"), Column("progress", "进度", sort_key="done"), Column("status_name", "状态")),
    search=("organisation_name", "person_name", "title"), filters=("organisation", "status", "year"),
    default_sort="organisation_name", filename="书记项目")
CLASSES = ListSpec(
    columns=(Column("held_on", "日期", "date"), Column("topic_name", "培训专题"), Column("place", "地点"),
             Column("capacity", "人数上限", "int"), Column("enrolled", "已报名", "int"), Column("attended", "已签到", "int")),
    search=("topic_name", "place"), filename="培训班")
UNTRAINED = ListSpec(
    columns=(Column("committee", "所属党委"), Column("branch_name", "党支部"), Column("secretary", "支部书记")),
    search=("committee", "branch_name", "secretary"), filters=("organisation",), filename="尚未培训的支部书记")


def _year(default: int | None = None) -> int:
    raw = request.values.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else (default or dt.date.today().year)


def _upload() -> tuple[str, bytes]:
    f = request.files.get("file")
    if not f or not f.filename:
        raise Invalid("请选择要上传的文件。", field="file")
    return f.filename, f.read()


def _import(use_case, title: str, *args) -> tuple[list[dict], str]:
    """Run an import; on refusal the rows of its errors and the address of their XLSX report (shown once,
    by ``import_errors``: not flashed besides)."""
    result, problems, report_url = imports.run_import(lambda: use_case(*args, _upload()[1]), title)
    if result is not None:
        flash(f"已导入 {result['rows']} 行。", "ok")
    return problems, report_url


# --- 书记项目 --------------------------------------------------------------------------------------


@projects_bp.route("", methods=["GET", "POST"])
@page(*REVIEWERS)
def projects_page(user):
    db = get_session()
    problems, report_url, kept = [], "", None
    if request.method == "POST":
        if request.form.get("action") == "import":
            problems, report_url = _import(district_projects.import_xlsx, "书记项目", db, user)
            if not problems:
                return redirect(url_for("projects.projects_page"))
        else:
            payload = {"organisation_id": form_id("organisation_id", "党支部"), "year": _year(),
                       "title": request.form.get("title", ""), "summary": request.form.get("summary", "")}
            created, error = attempt(district_projects.create, db, user, payload, said="未新建：")
            if created is not None:
                flash("已新建书记项目。", "ok")
                return redirect(url_for("projects.project_page", project_id=created["id"]))
            kept = kept_form(error)  # refused: the page again, with what was typed
    return list_page("district_projects.html", district_projects.projects(db, user), PROJECTS, user=user,
                     problems=problems, report_url=report_url, kept=kept,
                     committees=district_projects.committees(db, user), year=dt.date.today().year)


@projects_bp.route("/<int:project_id>", methods=["GET", "POST"])
@page(*REVIEWERS)
def project_page(user, project_id: int):
    db = get_session()
    project = district_projects.get(db, user, project_id)
    kept = None
    if request.method == "POST":
        action = request.form.get("action")
        if action == "evidence":
            kind = request.form.get("kind", "")
            _r, error = attempt(lambda: district_projects.attach(db, store(), user, project_id, kind, chosen_file()),
                                said="未上传：")
            if error is None:
                flash("已上传佐证材料。", "ok")
            else:
                kept = kept_form(error)  # refused: the form again, the file chosen kept
        elif action == "edit":
            milestones = {k: {"status": request.form.get(f"status:{k}") or "planned",
                              "done_on": request.form.get(f"done_on:{k}") or None,
                              "note": request.form.get(f"note:{k}", "")} for k in PROJECT_OUTPUTS}
            payload = {"title": request.form.get("title", ""), "summary": request.form.get("summary", ""),
                       "milestones": milestones}
            _r, error = attempt(district_projects.update, db, user, project_id, payload, said="未保存：")
            if error is None:
                flash("已保存。", "ok")
            else:
                kept = kept_form(error)  # refused: the form again, with what was typed
                milestone = (error.detail or {}).get("milestone")
                if milestone and kept.field:  # the refused value is that output's input (done_on:report …)
                    kept.field = f"{kept.field}:{milestone}"
        else:
            raise Invalid("未知的操作。", field="action")
        if kept is None:
            return redirect(url_for("projects.project_page", project_id=project_id))
    return render_template("district_projects_detail.html", user=user, p=project, statuses=MILESTONE_STATUSES, kept=kept,
                           today=dt.date.today().isoformat())


# --- training ---------------------------------------------------------------------------------------


@training_bp.route("", methods=["GET", "POST"])
@page(*REVIEWERS)
def training_page(user):
    db = get_session()
    kept = None
    if request.method == "POST":
        action = request.form.get("action")
        if action == "topic":
            _r, error = attempt(district_training.create_topic, db, user, {"name": request.form.get("name", "")},
                                said="未新增：")
            if error is None:
                flash("已新增培训专题。", "ok")
        elif action == "class":
            def create_class():  # a 人数上限 typed wrong is a refusal of the form like the use case's own
                payload = {"topic_id": form_id("topic_id", "培训专题"), "held_on": request.form.get("held_on") or None,
                           "place": request.form.get("place", ""), "capacity": form_int("capacity", "人数上限")}
                return district_training.create_class(db, user, payload)
            created, error = attempt(create_class, said="未新增：")
            if created is not None:
                flash("已新增培训班。", "ok")
                return redirect(url_for("training.class_page", class_id=created["id"]))
        else:
            raise Invalid("未知的操作。", field="action")
        if error is None:
            return redirect(url_for("training.training_page"))
        kept = kept_form(error)  # refused: the page again, with what was typed
    year = _year()
    data = district_training.coverage(db, user, year)
    return list_page("district_training.html", district_training.classes(db, user, year), CLASSES, {"year": year},
                     user=user, year=year, coverage=data, topics=district_training.topics(db, user),
                     today=dt.date.today().isoformat(), kept=kept)


@training_bp.route("/classes/<int:class_id>", methods=["GET", "POST"])
@page(*REVIEWERS)
def class_page(user, class_id: int):
    db = get_session()
    district_training.get_class(db, user, class_id)  # another's class: 404 before any action
    problems, report_url, kept = [], "", None
    if request.method == "POST":
        action = request.form.get("action")
        if action == "import":
            problems, report_url = _import(district_training.import_attendance, "培训签到表", db, user, class_id)
        elif action == "enrol":
            ids = [int(v) for v in request.form.getlist("organisation_ids") if v.isdigit() and len(v) <= 9]
            _r, error = attempt(district_training.enrol, db, user, class_id, {"organisation_ids": ids},
                                said="未报名：")
            if error is None:
                flash(f"已报名 {len(ids)} 个党支部的书记。", "ok")
            else:
                kept = kept_form(error)  # refused: the branches chosen stay chosen
        elif action == "mark":
            payload = {"organisation_id": form_id("organisation_id", "党支部"), "attended": request.form.get("attended") == "1"}
            _r, error = attempt(district_training.mark, db, user, class_id, payload, said="未登记：")
            if error is None:
                flash("已登记签到。", "ok")
        else:
            raise Invalid("未知的操作。", field="action")
        if not problems and kept is None:
            return redirect(url_for("training.class_page", class_id=class_id))
    return render_template("district_training_class.html", user=user, c=district_training.get_class(db, user, class_id),
                           branches=organisations.branches(db, user), problems=problems, report_url=report_url,
                           kept=kept)


@training_bp.get("/untrained")
@page(*REVIEWERS)
def untrained_page(user):
    """Who has not yet been trained in the year, per 党委; 导出Excel through the list component."""
    year = _year()
    data = district_training.coverage(get_session(), user, year)
    rows = [{**r, "organisation_id": r["committee_id"], "organisation_name": r["committee"]} for r in data["untrained"]]
    return list_page("district_training_untrained.html", rows, UNTRAINED, {"year": year}, user=user, year=year,
                     coverage=data)
