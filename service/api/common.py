"""Reading a request for the API views: the JSON body, query and form arguments."""
from __future__ import annotations

from flask import Blueprint, Response, request

from ..auth import MAX_ID
from ..errors import BadRequest, Invalid


def blueprint(name: str, resource: str) -> Blueprint:
    """The blueprint of one API resource, at ``/api/v1/<resource>``."""
    return Blueprint(f"api_{name}", __name__, url_prefix=f"/api/v1{resource}")


def json_object() -> dict:
    """The JSON body, which must be an object."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise Invalid("请求体应为 JSON 对象。")
    return payload


def int_arg(name: str, default: int | None = None, *, minimum: int | None = None,
            maximum: int | None = None) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Invalid(f"参数 {name} 应为整数。", field=name) from None
    if minimum is not None and value < minimum:
        raise Invalid(f"参数 {name} 不得小于 {minimum}。", field=name)
    if maximum is not None and value > maximum:
        value = maximum
    return value


def organisation_arg() -> int | None:
    """``?organisation_id=`` of a listing."""
    return int_arg("organisation_id", minimum=1, maximum=MAX_ID)


def form_id(name: str) -> int | None:
    """An id in a multipart form field."""
    raw = request.form.get(name)
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 10 or int(raw) > MAX_ID:
        raise Invalid(f"{name} 无效。", field=name)
    return int(raw)


def uploaded(field: str, message: str) -> list[tuple[str, bytes]]:
    """(name, bytes) of each file sent in ``field``; none at all is a bad request."""
    files = [(f.filename or "", f.read()) for f in request.files.getlist(field) if f]
    if not files:
        raise BadRequest(message, "no_file")
    return files


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str):
    """An XLSX download (``filename`` ASCII; the sheet names carry the Chinese)."""
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": f"attachment; filename={filename}"})


def first_upload(message: str = "请选择要导入的 XLSX 文件（表单字段 file）。") -> bytes:
    (_name, data), *_rest = uploaded("file", message)
    return data
