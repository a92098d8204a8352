"""One error shape for the whole API: ``{"error": {"code", "message"}}``.

Codes are stable English identifiers; messages are Chinese, for the people who
read them. Pages get the same message in an HTML page instead.
"""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: ("bad_request", "请求格式不正确。"),
    401: ("unauthorized", "请先登录或提供有效的访问令牌。"),
    403: ("forbidden", "您无权访问该资源。"),
    404: ("not_found", "未找到该资源。"),
    405: ("method_not_allowed", "不支持该请求方法。"),
    409: ("conflict", "操作与当前状态冲突。"),
    413: ("too_large", "上传的文件过大。"),
    415: ("unsupported_type", "不支持的文件类型。"),
    422: ("invalid", "提交的内容无法处理。"),
    429: ("too_many_requests", "请求过于频繁，请稍后再试。"),
    500: ("internal_error", "服务器内部错误，请联系管理员。"),
}


class ApiError(Exception):
    """An error the client can act on: stable code, Chinese message, HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400, detail: dict | None = None):
        super().__init__(message)
        self.code, self.message, self.status, self.detail = code, message, status, detail


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_response(code: str, message: str, status: int, detail: dict | None = None):
    if _wants_json():
        body = {"error": {"code": code, "message": message}}
        if detail:
            body["error"]["detail"] = detail
        return jsonify(body), status
    return render_template("error.html", code=code, message=message, status=status), status


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return error_response(exc.code, exc.message, exc.status, exc.detail)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        code, message = HTTP_CODES.get(status, ("http_error", exc.description or "请求失败。"))
        if status == 413:
            limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
            message = f"上传的文件过大，单个请求不得超过 {limit} MB。"
        return error_response(code, message, status)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        code, message = HTTP_CODES[500]
        return error_response(code, message, 500)
