"""The Chinese web pages (server-rendered Jinja, a little progressive JavaScript)."""
from flask import Blueprint

from .. import vocabulary

bp = Blueprint("web", __name__)


NAV = {
    "branch": [("web.index", "我的材料"), ("web.upload", "上传材料"), ("web.forms", vocabulary.DOCUMENT_KINDS["blank-form"]),
               ("web.documents", "通知文书"), ("web.lifecycle", "创建进度")],
    "reviewer": [("web.queue", "工作队列"), ("web.submissions", "全部材料"), ("web.scores", "考核评分"),
                 ("web.grading", "分类定级"), ("web.documents", "文书"), ("web.batches", "批量制证"),
                 ("web.dashboard", "统计"), ("web.audit", "审计日志")],
}
NAV["admin"] = NAV["reviewer"] + [("web.admin_users", "用户"), ("web.admin_organisations", "组织"),
                                  ("web.admin_rubrics", "评分标准"), ("web.admin_numbering", "文号"),
                                  ("web.admin_fonts", "字体")]
NAV = {role: items + [("lint.lint_page", "公文格式检查")] for role, items in NAV.items()}


@bp.after_app_request
def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def nav_items(user):
    return NAV.get(user.role, [])


@bp.app_context_processor
def _globals():
    return {"nav_items": nav_items, "role_names": vocabulary.ROLES,
            "status_names": vocabulary.SUBMISSION_STATUSES, "form_names": vocabulary.FORM_NAMES,
            "grade_names": vocabulary.GRADES, "domain_names": vocabulary.DOMAINS,
            "honor_names": vocabulary.HONORS, "score_names": vocabulary.DIMENSIONS,
            "document_kind_names": vocabulary.DOCUMENT_KINDS}


from . import admin, pages, review  # noqa: E402,F401
