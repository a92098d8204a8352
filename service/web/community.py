"""社区党建 pages (issue 13): the SQ-1 card and its records, 党建品牌 from 培育项目 to 命名 and 跟踪督查, the
street's published 考核评比 with the naming form, 共建对子. Every action is a use-case call."""
from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from flask import Response, flash, redirect, render_template, request, url_for

from ..checks import community as rules
from ..db import get_session
from ..errors import Invalid
from ..http import store
from ..usecases import brands, community, community_targets, pairs
from ..vocabulary import BRAND_STAGES, DIMENSIONS, STREET_UNIT_CATEGORIES
from ..usecases.listing import Column, ListSpec
from .helpers import Kept, attempt, blueprint, form_id, form_number, kept_form, page
from .kept_files import chosen_file
from .lists import list_page

bp = blueprint("community", "/community")


@bp.get("")
@page()
def community_page(user):
    return _community_page(user)


def _community_page(user, kept=None):
    """The street's page; after a refused form (``kept``) drawn again with what was typed."""
    db = get_session()
    return render_template("community/index.html", user=user, card=community_targets.card(db, user), kept=kept,
                           awaiting=brands.awaiting(db, user), brands=brands.listing(db, user),
                           pairs=pairs.listing(db, user), streets=community.streets_in_view(db, user),
                           units=community.organisations_below_streets(db, user), stages=BRAND_STAGES,
                           street_units=community.units(db, user), sites=community.sites(db, user),
                           members=community.members(db, user), criteria=rules.site_criteria(),
                           categories=STREET_UNIT_CATEGORIES, dimensions=DIMENSIONS,
                           today=dt.date.today().isoformat(), year=dt.date.today().year)


@bp.post("/records")
@page()
def records_post(user):
    """The street's records from the page: a unit and its 组建 state, a 精品示范点, a 新发展党员, a 五个好 grade."""
    db = get_session()
    action = request.form.get("action")
    if action == "unit":
        payload = {"street_id": form_id("street_id", "街道"), "name": request.form.get("name", ""),
                   "category": request.form.get("category"), "required": request.form.get("required") == "1"}
        _r, error = attempt(community.create_unit, db, user, payload, said="无法登记：")
        said = "已登记。"
    elif action == "set_up":
        payload = {"organisation_id": form_id("organisation_id", "组织"),
                   "set_up_on": request.form.get("set_up_on") or None}
        for key in ("venue_on", "funds_on"):
            if request.form.get(key):
                payload[key] = request.form[key]
        _r, error = attempt(community.update_unit, db, user, form_id("unit_id", "单位") or 0, payload, said="无法保存：")
        said = "已保存组建情况。"
    elif action == "site":
        payload = {"organisation_id": form_id("organisation_id", "组织"), "name": request.form.get("name", ""),
                   "criteria": request.form.getlist("criteria"),
                   "recognised_on": request.form.get("recognised_on") or None}
        _r, error = attempt(lambda: community.add_site(db, store(), user, payload, chosen_file()), said="无法认定：")
        said = "已认定精品示范点。"
    elif action == "member":
        payload = {"organisation_id": form_id("organisation_id", "组织"), "name": request.form.get("name", ""),
                   "admitted_on": request.form.get("admitted_on") or None}
        _r, error = attempt(lambda: community.add_member(db, store(), user, payload, chosen_file()), said="无法登记：")
        said = "已登记新发展党员。"
    elif action == "five_good":
        def grade():  # a score typed wrong is a refusal of the form like the use case's own
            payload = {"organisation_id": form_id("organisation_id", "社区党组织"),
                       "year": form_id("year", "年度") or dt.date.today().year,
                       "scores": {k: form_number(f"score:{k}", n) for k, n in DIMENSIONS.items()}}
            return community.grade_community(db, user, payload)
        r, error = attempt(grade, said="无法评定：")
        said = ("已评定，达到“五个好”标准。" if r and r["five_good"] else
                f"已评定，未达到“五个好”标准，已生成{len(r['ledger_rows'])}项整改事项。" if r else "")
    else:
        raise Invalid("未知的操作。", field="action")
    if error is None:
        flash(said, "ok")
        return redirect(url_for("community.community_page"))
    # refused: the page again, with what was typed (a dimension's score refused by the use case is its input's)
    return _community_page(user, _renamed(kept_form(error), {k: f"score:{k}" for k in DIMENSIONS}))


def _renamed(kept: Kept, inputs: dict[str, str]) -> Kept:
    """A refusal about a use case's field marked on the page's input of it (a rubric item's key → its
    ``score:`` input; one input that posts as two fields)."""
    kept.field = inputs.get(kept.field, kept.field)
    return kept


@bp.post("/brands")
@page()
def brand_create(user):
    payload = {"name": request.form.get("name", ""), "summary": request.form.get("summary", ""),
               "organisation_id": form_id("organisation_id", "组织")}
    made, error = attempt(brands.create, get_session(), user, payload, said="无法创建：")
    if error is None:
        flash(f"已将“{made['name']}”列为培育项目。", "ok")
        return redirect(url_for("community.brand_page", brand_id=made["id"]))
    return _community_page(user, kept_form(error))  # refused: the page again, with what was typed


def _post_brand(user, brand_id: int):
    db = get_session()
    brands.get(db, user, brand_id)  # 404 outside the actor's view, before any action
    action = request.form.get("action")
    if action == "register":
        payload = {"form_submission_id": form_id("form_submission_id", "申报表"),
                   "materials_submission_id": form_id("materials_submission_id", "申报材料"),
                   "comment": request.form.get("comment", "")}
        _r, error = attempt(brands.register, db, user, brand_id, payload, said="无法登记：")
        said = "已登记申报，等待逐级审核。"
    elif action == "decide":
        decision = request.form.get("decision")
        _r, error = attempt(brands.decide, db, user, brand_id,
                            {"decision": decision, "comment": request.form.get("comment", "")}, said="无法提交：")
        said = "已退回，并附审核意见。" if decision == "return" else "已同意并上报。"
    elif action == "score":
        def score():  # a score typed wrong is a refusal of the form like the use case's own
            scores = {i["key"]: form_number(f"score:{i['key']}", i["name"]) for i in rules.brand_rubric()["items"]}
            return brands.score(db, user, brand_id, {"scores": scores, "comment": request.form.get("comment", "")})
        r, error = attempt(score, said="无法评分：")
        said = f"已评分（{r['total']:g}分）。" if r else ""
    elif action == "follow_up":
        keep = request.form.get("keep") == "1"
        payload = {"keep": keep, "comment": request.form.get("comment", ""), "reason": request.form.get("comment", "")}
        _r, error = attempt(brands.follow_up, db, user, brand_id, payload, said="无法保存：")
        said = "已记录跟踪督查情况。" if keep else "已撤销命名。"
    elif action == "pair":
        payload = {"partner_id": form_id("partner_id", "结对单位"), "plan": request.form.get("plan", "")}
        _r, error = attempt(pairs.create, db, user, brand_id, payload, said="无法结对：")
        said = "已结成共建对子。"
    elif action == "activity":
        payload = {"held_on": request.form.get("held_on") or None, "title": request.form.get("title", "")}
        pair_id = form_id("pair_id", "结对") or 0
        _r, error = attempt(lambda: pairs.add_activity(db, store(), user, pair_id, payload, chosen_file()),
                            said="无法记录：")
        said = "已记录共建活动。"
    elif action == "result":
        payload = {"year": form_id("year", "年度") or dt.date.today().year, "result": request.form.get("result", "")}
        _r, error = attempt(pairs.set_result, db, user, form_id("pair_id", "结对") or 0, payload, said="无法保存：")
        said = "已填写年度成效。"
    else:
        raise Invalid("未知的操作。", field="action")
    if error is None:
        flash(said, "ok")
        return redirect(url_for("community.brand_page", brand_id=brand_id))
    # refused: the page again, with what was typed and the refusal next to its input (a rubric item's score;
    # the 跟踪督查 form's one input is both the finding and the reason of a revocation)
    inputs = {i["key"]: f"score:{i['key']}" for i in rules.brand_rubric()["items"]} | {"reason": "comment"}
    return _brand_page(user, brand_id, _renamed(kept_form(error), inputs))


@bp.route("/brands/<int:brand_id>", methods=["GET", "POST"])
@page()
def brand_page(user, brand_id: int):
    if request.method == "POST":
        return _post_brand(user, brand_id)
    return _brand_page(user, brand_id)


def _brand_page(user, brand_id: int, kept=None):
    db = get_session()
    b = brands.get(db, user, brand_id)
    assess = brands.may_assess(db, user, b)
    return render_template(
        "community/brand.html", user=user, b=b, rubric=rules.brand_rubric(), kept=kept,
        choices=brands.registration_choices(db, user, brand_id) if b["stage"] in ("cultivating", "returned") else None,
        may_decide=brands.may_decide(user, b), may_assess=assess, pairs=pairs.of_brand(db, user, brand_id),
        partners=pairs.partner_choices(db, user) if assess and b["stage"] == "named" else [],
        today=dt.date.today().isoformat(), year=dt.date.today().year)


@bp.get("/ranking")
@page()
def ranking_page(user):
    return _ranking_page(user, request.args.get("street_id", ""), request.args.get("year", ""))


def _ranking_page(user, street_id: str, year: str, kept=None):
    """A street's ranking; after a refused 命名 (``kept``) the ticked brands and the date as typed."""
    db = get_session()
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None
    streets = community.streets_in_view(db, user)
    if not street_id.isdigit() or len(street_id) > 9:
        if not streets:
            raise Invalid("请选择街道党工委。", field="street_id")
        street_id = str(streets[0].id)
    result = brands.ranking(db, user, int(street_id), year)
    may_name = user.role in ("reviewer", "admin") and any(s.id == result["street_id"] for s in streets)
    return render_template("community/ranking.html", user=user, r=result, may_name=may_name, kept=kept,
                           today=dt.date.today().isoformat())


@bp.post("/naming")
@page("reviewer", "admin")
def naming(user):
    ids = [int(v) for v in request.form.getlist("brand_id") if v.isdigit() and len(v) <= 9]
    payload = {"street_id": form_id("street_id", "街道"), "brand_ids": ids, "issued_on": request.form.get("issued_on") or None,
               "formats": ["pdf", "docx"]}
    if request.form.get("confirm") != "1":
        # sent back for the confirmation: the ranking again, the ticked brands and the date as typed
        error = Invalid("请勾选“确认签发”：命名决定将占用发文字号。", field="confirm")
        flash(error.message, "error")
        return _ranking_page(user, str(payload["street_id"] or ""), request.form.get("year", ""), kept_form(error))
    result, error = attempt(brands.name_brands, get_session(), store(), user, payload, said="无法命名：")
    if error is None:
        flash(f"已印发命名决定（{result['number']}），命名{len(result['brands'])}个党建品牌。", "ok")
        return redirect(url_for("notices.notice_done", doc_id=result["documents"][0]["id"]))
    # refused: the ranking again, the ticked brands and the date as typed
    return _ranking_page(user, str(payload["street_id"] or ""), request.form.get("year", ""), kept_form(error))


@bp.get("/targets/<key>")
@page()
def target_page(user, key: str):
    t = community_targets.record_rows(get_session(), user, key)
    return list_page("community/records.html", t["items"], TARGET_RECORDS, user=user, t=t)


#: one target's records (应建尽建, 精品示范点, 党建品牌 …) as a list: what counts (计入) and what does not
TARGET_RECORDS = ListSpec(
    columns=(Column("name", "名称"), Column("kind", "类别"), Column("organisation", "党组织"),
             Column("detail", "情况", sortable=False), Column("date", "日期", sort_key="date_sort"),
             Column("status_name", "是否计入")),
    search=("name", "organisation", "detail"), filters=("status", "kind"), filename="目标完成情况")


@bp.get("/<any(sites, members):what>/<int:record_id>/evidence")
@page()
def evidence(user, what: str, record_id: int):
    sha, name = community.evidence_of(get_session(), user, what, record_id)
    resp = Response(store().read_bytes(sha), mimetype="application/octet-stream")
    resp.headers["Content-Disposition"] = f"attachment; filename=\"evidence\"; filename*=UTF-8''{quote(name)}"
    return resp


@bp.get("/pairs.xlsx")
@page()
def pairs_export(user):
    resp = Response(pairs.export_xlsx(get_session(), user),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp.headers["Content-Disposition"] = "attachment; filename=\"pairs.xlsx\"; filename*=UTF-8''" + quote(
        "共建对子.xlsx")
    return resp
