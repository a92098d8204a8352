"""Submission pages: the list, one submission with its source preview, correcting a field, running the checks."""
from __future__ import annotations

import json
import re

from flask import flash, redirect, render_template, request, url_for

from ..auth import REVIEWERS
from ..db import get_session
from ..http import settings, store
from ..errors import Invalid
from ..usecases import previews, review, serialize, submissions
from ..vocabulary import DIMENSIONS, FORM_NAMES, UNKNOWN_FORM
from .helpers import attempt, blueprint, kept_form, page
from .home import submission_list

bp = blueprint("submissions", "/submissions")
FIELD_TYPES_HELP = {"date": "如 2026-03-31", "int": "整数", "number": "数字", "bool": "是 / 否",
                    "scores": "如 领导班子好 19，党员队伍好 18"}
SCORES_HELP = "五个好得分请写成“领导班子好 19，党员队伍好 18，工作机制好 19，工作业绩好 18，群众反映好 19”。"
_SCORE = re.compile(r"([^\d\s,，;；:：、.]+)\s*[:：]?\s*(\d+(?:\.\d+)?)\s*分?")


def typed_scores(raw: str) -> dict:
    """五个好得分 as a clerk types them (维度名 then points, e.g. 领导班子好 19，党员队伍好 18), by the
    dimensions' Chinese names, with or without the 好; a name that is no dimension is refused."""
    by_name = {}
    for key, name in DIMENSIONS.items():
        by_name[name] = by_name[name.removesuffix("好")] = key
    pairs = _SCORE.findall(raw)
    if not pairs or _SCORE.sub("", raw).strip(" ,，;；、"):
        raise Invalid(SCORES_HELP)
    out = {}
    for name, points in pairs:
        key = by_name.get(name.strip())
        if key is None:
            raise Invalid(f"“{name.strip()}”不是五个好的一项。" + SCORES_HELP)
        value = float(points)
        out[key] = int(value) if value.is_integer() else value
    return out


@bp.get("")
@page()
def submissions_list(user):
    return submission_list(user)


@bp.get("/<int:submission_id>")
@page()
def submission_page(user, submission_id: int):
    return _submission_page(user, submission_id)


def _submission_page(user, submission_id: int, kept=None):
    """One submission; after a refused correction or decision (``kept``) with what was typed."""
    db = get_session()
    sub = submissions.load(db, user, submission_id)
    attachments = [serialize.submission(a, submissions.findings_of(db, a))
                   for a in submissions.attachments_of(db, sub)]
    parent = submissions.load(db, user, sub.attached_to_id) if sub.attached_to_id else None
    ocr = submissions.ocr_progress(db, sub)
    brand = review.brand_of(db, sub.id)
    return render_template("submission.html", user=user, s=serialize.submission(sub, submissions.findings_of(db, sub)),
                           ocr=ocr, unrecognised=_unrecognised(db, user), programme_forms=PROGRAMME_FORMS,
                           preview=previews.of_submission(db, store(), settings(), sub), spec=submissions.spec_of(sub.form),
                           attachments=attachments, parent=parent, brand=brand, type_help=FIELD_TYPES_HELP,
                           can_review=user.role in REVIEWERS, kept=kept,
                           shared=submissions.shared_passages(db, user, sub),
                           earlier=submissions.earlier_findings(db, sub))


#: what an upload is recognised as: a file that is none of these is named on the page it lands on
_FORMS = [name for code, name in FORM_NAMES.items() if code not in ("report", UNKNOWN_FORM)]
PROGRAMME_FORMS = "、".join(_FORMS[:-1]) + "或" + _FORMS[-1] if len(_FORMS) > 1 else "".join(_FORMS)


def _unrecognised(db, user) -> list[str]:
    """After an upload (``?unrecognised=<ids>``, from the upload form or its script): the names of the files
    it held that are not recognised as a programme form — "已上传并完成识别" alone let them pass as read."""
    names = []
    for part in (request.args.get("unrecognised") or "").split(",")[:20]:
        if part.isdigit():
            other = submissions.load(db, user, int(part))
            if other.form == UNKNOWN_FORM:
                names.append(other.original_name)
    return names


def typed_value(kind: str, raw: str):
    """A corrected value typed into the page, as the field contract wants it."""
    raw = raw.strip()
    if raw == "":
        return None
    try:
        if kind == "int":
            return int(raw.replace("人", ""))
        if kind == "number":
            value = float(raw.replace("分", ""))
            return int(value) if value.is_integer() else value
        if kind == "scores":
            return json.loads(raw) if raw.startswith("{") else typed_scores(raw)
    except ValueError:
        raise Invalid({"int": f"“{raw}”不是整数。", "number": f"“{raw}”不是数字。",
                       "scores": SCORES_HELP}[kind]) from None
    if kind == "bool":
        if raw in ("是", "有", "true", "1", "√"):
            return True
        if raw in ("否", "无", "false", "0"):
            return False
        raise Invalid("请填写“是”或“否”。")
    return raw


@bp.post("/<int:submission_id>/correct")
@page(*REVIEWERS)
def correct_field(user, submission_id: int):
    db = get_session()
    sub = submissions.load(db, user, submission_id)
    key = request.form.get("field", "")
    spec = submissions.spec_of(sub.extractions[-1].form if sub.extractions else sub.form)
    if key not in spec:
        raise Invalid(f"字段 {key} 不属于此类表单。", "invalid_field", field=key)
    kind = spec[key].get("type", "str")

    def correct():  # a value typed wrong is refused like the use case's own refusals: the page keeps it
        value = typed_value(kind, request.form.get("value", ""))
        if kind == "scores" and sub.extractions:
            # 领导班子好 20 alone corrects that one score and keeps the other four
            before = serialize.extraction(sub.extractions[-1])["fields"].get(key)
            value = {**before, **value} if isinstance(before, dict) and isinstance(value, dict) else value
        return submissions.correct_fields(db, user, submission_id, {key: value})
    _done, error = attempt(correct, said=f"“{spec[key].get('label', key)}”未更正：")
    if error is None:
        flash(f"已更正“{spec[key].get('label', key)}”，原值已保留。", "ok")
        return redirect(url_for("submissions.submission_page", submission_id=sub.id) + "#fields")
    return _submission_page(user, sub.id, kept_form(error))


@bp.post("/<int:submission_id>/decision")
@page("reviewer", "admin")
def decision_page(user, submission_id: int):
    """开始审核 / 通过 / 退回 / 需补正: the reviewer's decision, with the comments a return needs."""
    submissions.load(get_session(), user, submission_id)  # 404 outside the reviewer's view, before any form error
    done, _error = attempt(review.decide, get_session(), user, submission_id,
                           {"decision": request.form.get("decision"), "comment": request.form.get("comment")})
    if done is not None:
        flash(f"材料已{'进入审核' if done['status'] == 'in_review' else '标记为'}“{done['status_name']}”。", "ok")
        return redirect(url_for("submissions.submission_page", submission_id=submission_id) + "#decision")
    return _submission_page(user, submission_id, kept_form(_error))  # refused: the 审核意见 stays as typed


@bp.post("/<int:submission_id>/check")
@page()
def check_page(user, submission_id: int):
    """按规则审核: findings as advice (for a branch, before it submits); the status is the reviewer's."""
    result = submissions.check(get_session(), user, submission_id, rubric_dir=settings().rubric_dir)
    flash("检查完成：" + ("未发现问题，待审核员决定。" if result["eligible"]
                       else f"发现 {len(result['findings'])} 条意见，仅供参考，由审核员决定。"), "ok")
    return redirect(url_for("submissions.submission_page", submission_id=submission_id) + "#findings")
