"""The Chinese web pages (server-rendered Jinja, a little progressive JavaScript), one blueprint per area."""
from __future__ import annotations

from flask import Flask, g

from .. import vocabulary, wording
from ..checks.findings import rules as _rules
from ..documents.programmes import FIELD_KEY, RULE_CODE, cite, scrub
from ..db import get_session
from ..usecases import messages as messages_uc
from ..usecases import navigation
from .helpers import chosen, flagged, kept_uploads, refusal, ticked, typed, typed_id
from .lists import kept, list_url
from . import (account, admin, assessor, batches, community, district, documents, home, imports, ledger, lint, messages, organisations,
               register, review, secretary, submissions, two_books)

BLUEPRINTS = (home.bp, submissions.bp, organisations.bp, documents.bp, documents.notices_bp, review.bp,
              batches.bp, admin.bp, lint.bp, ledger.bp, assessor.bp, register.bp, community.bp, imports.bp,
              district.leaders_bp, district.lists_bp, district.supervision_bp, district.party_days_bp,
              two_books.members_bp, two_books.handbooks_bp, two_books.records_bp, two_books.checks_bp,
              secretary.projects_bp, secretary.training_bp,
              account.bp, messages.bp)

NAV = {
    "branch": [("home.index", "待办"), ("submissions.submissions_list", "我的材料"), ("home.upload", "上传材料"), ("home.forms", vocabulary.DOCUMENT_KINDS["blank-form"]),
               ("documents.documents_list", "通知文书"), ("home.lifecycle", "创建进度"),
               ("ledger.ledger_page", "整改台账"), ("party_days.party_days_page", "主题党日"),
               ("members.members_page", "两册一证"), ("community.community_page", "社区党建")],
    "reviewer": [("home.index", "待办"), ("review.queue", "工作队列"), ("submissions.submissions_list", "全部材料"), ("review.scores", "考核评分"),
                 ("review.grading", "分类定级"), ("ledger.ledger_page", "整改台账"), ("documents.documents_list", "文书"),
                 ("register.register_page", "发文登记"), ("batches.batches", "批量制证"),
                 ("leaders.leaders_page", "挂点包保"), ("supervision.supervision_page", "督导检查"),
                 ("party_days.party_days_page", "主题党日"), ("members.members_page", "两册一证"),
                 ("projects.projects_page", "书记项目"), ("training.training_page", "书记培训"),
                 ("community.community_page", "社区党建"), ("review.dashboard", "统计"), ("review.audit", "审计日志")],
}
NAV["admin"] = NAV["reviewer"] + [("admin.admin_users", "用户"), ("admin.admin_organisations", "组织"),
                                  ("admin.admin_rubrics", "评分标准"), ("admin.admin_numbering", "发文机关"),
                                  ("admin.admin_fonts", "字体")]
NAV = {role: items + [("lint.lint_page", "公文格式检查")] for role, items in NAV.items()}


#: menu entries shown only to accounts working in that area (usecases/navigation.py)
AREA_OF = {"leaders.leaders_page": navigation.DISTRICT, "supervision.supervision_page": navigation.DISTRICT,
           "party_days.party_days_page": navigation.DISTRICT,
           "projects.projects_page": navigation.DISTRICT, "training.training_page": navigation.DISTRICT,
           "community.community_page": navigation.COMMUNITY}


def nav_items(user):
    """The menu of this account: its role's entries, less the areas it keeps no records in (once per request)."""
    if "wuhao_areas" not in g:
        g.wuhao_areas = navigation.areas(get_session(), user)
    return [(endpoint, label) for endpoint, label in NAV.get(user.role, [])
            if AREA_OF.get(endpoint) is None or AREA_OF[endpoint] in g.wuhao_areas]


def unread_messages(user) -> int:
    """The header's unread count (one query per page)."""
    return messages_uc.unread_count(get_session(), user)


def _globals():
    return {"nav_items": nav_items, "unread_messages": unread_messages, "role_names": vocabulary.ROLES,
            "status_names": vocabulary.SUBMISSION_STATUSES, "form_names": vocabulary.FORM_NAMES,
            "grade_names": vocabulary.GRADES, "domain_names": vocabulary.DOMAINS,
            "honor_names": vocabulary.HONORS, "score_names": vocabulary.DIMENSIONS,
            "document_kind_names": vocabulary.DOCUMENT_KINDS}


def finding_todo(rule: str) -> str:
    """What to do about a finding (rules.yaml ``todo``), '' when the rule says nothing."""
    return (_rules().get(rule) or {}).get("todo", "")


def plain(value):
    """Every value a template writes (Jinja's ``finalize``): a rule code becomes its citation in words
    (《…办法》关于…的规定) and a bracketed field key (“（member_count）”) disappears, wherever the text
    came from (a finding, a deadline, a message). Markup (``tojson``, macros) passes untouched."""
    if type(value) is str and (RULE_CODE.search(value) or FIELD_KEY.search(value)):
        return scrub(value)
    return value


def init_app(app: Flask) -> None:
    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
    app.context_processor(_globals)
    app.jinja_env.finalize = plain
    app.add_template_filter(cite, "cite")
    app.add_template_global(finding_todo, "finding_todo")
    app.add_template_global(imports.template_url, "template_url")
    app.add_template_global(list_url, "list_url")
    app.add_template_global(kept, "list_kept")
    for fn in (typed, typed_id, chosen, ticked, flagged, refusal, kept_uploads):  # a refused form drawn again as typed
        app.add_template_global(fn, fn.__name__)
    app.add_template_filter(wording.cn_datetime, "cn_datetime")
    app.add_template_filter(wording.score, "score")
    app.add_template_filter(wording.number, "num")
    app.add_template_filter(wording.size, "filesize")
    app.add_template_filter(wording.cell, "cell")
