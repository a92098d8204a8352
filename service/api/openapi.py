"""The OpenAPI 3 document of ``/api/v1`` and a self-contained page to browse it."""
from __future__ import annotations

from flask import Blueprint, render_template

from ..vocabulary import DOCUMENT_KINDS, ORG_KINDS

# The API's own description: at the API's root, not a resource of its own.
bp = Blueprint("api_openapi", __name__, url_prefix="/api/v1")

ERROR = {"$ref": "#/components/schemas/Error"}
ID = {"type": "integer", "minimum": 1, "maximum": 2147483647}
DATE = {"type": "string", "format": "date"}
SCORES = {"type": "object", "properties": {k: {"type": "number", "minimum": 0, "maximum": 20}
                                           for k in ("leadership", "members", "mechanism", "performance", "reputation")},
          "additionalProperties": False}
OBJ = {"type": "object"}
ERR_STATUSES = {"400": "请求格式不正确", "401": "未登录或令牌无效", "403": "角色无权执行", "404": "未找到或无权查看",
                "409": "与当前状态冲突", "413": "上传过大", "415": "文件类型不支持", "422": "内容无法处理",
                "429": "请求过于频繁", "503": "功能暂不可用"}


def _errors(*codes: str) -> dict:
    return {c: {"description": ERR_STATUSES[c], "content": {"application/json": {"schema": ERROR}}} for c in codes}


def _json(schema: dict, description: str = "成功") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _file(media: str, description: str) -> dict:
    return {"description": description, "content": {media: {"schema": {"type": "string", "format": "binary"}}}}


def _op(summary: str, tag: str, responses: dict, *, params=None, body=None, errors=("401",), public=False) -> dict:
    op = {"summary": summary, "tags": [tag], "responses": {**responses, **_errors(*errors)}}
    if params:
        op["parameters"] = params
    if body:
        op["requestBody"] = body
    if public:
        op["security"] = []
    return op


def _path(name: str, schema: dict | None = None, description: str = "") -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema or ID, "description": description}


#: a retry with the same key returns the first answer (no second number); another request under it: 409
IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False,
               "schema": {"type": "string", "minLength": 1, "maxLength": 200},
               "description": "重试时带同一个键：返回第一次的结果，不会再占用文号"}


def _query(name: str, schema: dict, description: str = "") -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _body(schema: dict, required: bool = True) -> dict:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def _multipart(properties: dict, required: list[str]) -> dict:
    return {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "properties": properties, "required": required}}}}


LIST = {"type": "object", "properties": {"items": {"type": "array", "items": OBJ}}, "required": ["items"]}
SUBMISSION = {"$ref": "#/components/schemas/Submission"}
ORG = {"$ref": "#/components/schemas/Organisation"}
USER = {"$ref": "#/components/schemas/User"}
ASSESSMENT = {"$ref": "#/components/schemas/Assessment"}
FIELD_VALUES = {"type": "object", "minProperties": 1, "additionalProperties": {
    "anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"}, {"type": "null"},
              SCORES]}}


def _community(p: dict) -> None:
    """党建品牌, 共建对子, street units, 精品示范点, 新发展党员, 五个好 and the SQ-1 targets (issue 13)."""
    tag = "社区党建"
    text = lambda n: {"type": "string", "maxLength": n}  # noqa: E731
    brand_scores = {"type": "object", "additionalProperties": {"type": "number", "minimum": 0, "maximum": 100}}
    evidence = {"required": True, "content": {"multipart/form-data": {"schema": {"type": "object", "properties": {
        "organisation_id": ID, "name": text(200), "file": {"type": "string", "format": "binary"}}}}}}
    p["/brands"] = {
        "get": _op("党建品牌（本级及下级），可按阶段、街道筛选", tag, {"200": _json(LIST)},
                   params=[_query("stage", {"enum": ["cultivating", "forwarding", "returned", "assessing", "named",
                                                     "revoked"]}), _query("street_id", ID)], errors=("401", "422")),
        "post": _op("列为培育项目（街道党工委下的单位）", tag, {"201": _json(OBJ)}, errors=("401", "404", "422"),
                    body=_body({"type": "object", "required": ["name"], "properties": {
                        "name": text(200), "summary": text(4000), "organisation_id": ID, "started_on": DATE}})),
    }
    p["/brands/{brand_id}"] = {"get": _op("一个党建品牌及其审核、评分、命名、督查记录", tag, {"200": _json(OBJ)},
                                          params=[_path("brand_id")], errors=("401", "404"))}
    p["/brands/{brand_id}/registration"] = {"post": _op(
        "登记申报：完整的《党建品牌创建申报登记表》和综合材料（先经 /submissions 上传），逐级上报", tag,
        {"200": _json(OBJ)}, params=[_path("brand_id")], errors=("401", "403", "404", "409", "422"),
        body=_body({"type": "object", "required": ["form_submission_id", "materials_submission_id"],
                    "properties": {"form_submission_id": ID, "materials_submission_id": ID, "comment": text(2000)}}))}
    p["/brands/{brand_id}/decisions"] = {"post": _op(
        "当前审核层级同意并上报或退回（退回须填写意见）", tag, {"200": _json(OBJ)}, params=[_path("brand_id")],
        errors=("401", "403", "404", "409", "422"),
        body=_body({"type": "object", "required": ["decision"], "properties": {
            "decision": {"enum": ["approve", "return"]}, "comment": text(2000)}}))}
    p["/brands/{brand_id}/scores"] = {"post": _op(
        "拉练式考核评比：一名评委按评分标准打分（再次提交替换本人评分）", tag, {"200": _json(OBJ)},
        params=[_path("brand_id")], errors=("401", "403", "404", "409", "422"),
        body=_body({"type": "object", "required": ["scores"], "properties": {
            "scores": brand_scores, "comment": text(2000)}}))}
    p["/brands/ranking"] = {"get": _op(
        "考核评比结果（公开）：每名评委的得分、平均分和名次", tag, {"200": _json(OBJ)},
        params=[{**_query("street_id", ID), "required": True},
                _query("year", {"type": "integer", "minimum": 2000, "maximum": 2100})], errors=("401", "404", "422"))}
    p["/brands/naming"] = {"post": _op(
        "命名：街道党工委以编号的命名决定命名通过考核评比的品牌（发文登记簿）", tag, {"201": _json(OBJ)},
        errors=("401", "403", "404", "409", "422"),
        body=_body({"type": "object", "required": ["street_id", "brand_ids"], "properties": {
            "street_id": ID, "brand_ids": {"type": "array", "items": ID, "minItems": 1, "maxItems": 100},
            "issued_on": DATE, "formats": {"type": "array", "items": {"enum": ["pdf", "docx"]}}}}))}
    p["/brands/{brand_id}/follow-ups"] = {"post": _op(
        "跟踪督查：保留（写明情况）或撤销命名（写明原因）", tag, {"200": _json(OBJ)}, params=[_path("brand_id")],
        errors=("401", "403", "404", "409", "422"),
        body=_body({"type": "object", "required": ["keep"], "properties": {
            "keep": {"type": "boolean"}, "year": {"type": "integer", "minimum": 2000, "maximum": 2100},
            "comment": text(2000), "reason": text(2000), "on": DATE}}))}
    p["/brands/{brand_id}/pairs"] = {"post": _op(
        "结成共建对子（已命名品牌与后进党组织）", tag, {"201": _json(OBJ)}, params=[_path("brand_id")],
        errors=("401", "403", "404", "409", "422"),
        body=_body({"type": "object", "required": ["partner_id", "plan"], "properties": {
            "partner_id": ID, "plan": text(4000), "started_on": DATE}}))}
    p["/pairs"] = {"get": _op("共建对子（品牌单位或结对单位在本级及下级）", tag, {"200": _json(LIST)})}
    p["/pairs/export.xlsx"] = {"get": _op("导出共建对子（XLSX）", tag, {"200": _file(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "表格")})}
    p["/pairs/{pair_id}"] = {"get": _op("一个共建对子及其活动", tag, {"200": _json(OBJ)}, params=[_path("pair_id")],
                                        errors=("401", "404"))}
    p["/pairs/{pair_id}/activities"] = {"post": _op(
        "记录共建活动（日期、内容、佐证材料）", tag, {"201": _json(OBJ)}, params=[_path("pair_id")],
        errors=("401", "404", "422"),
        body={"required": True, "content": {
            "application/json": {"schema": {"type": "object", "required": ["held_on", "title"], "properties": {
                "held_on": DATE, "title": text(200)}}},
            "multipart/form-data": {"schema": {"type": "object", "properties": {
                "held_on": DATE, "title": text(200), "file": {"type": "string", "format": "binary"}}}}}})}
    p["/pairs/{pair_id}/activities/{activity_id}/evidence"] = {"get": _op(
        "下载共建活动佐证材料", tag, {"200": _file("application/octet-stream", "文件")},
        params=[_path("pair_id"), _path("activity_id")], errors=("401", "404"))}
    p["/pairs/{pair_id}/results"] = {"put": _op(
        "填写共建对子年度成效（审核员）", tag, {"200": _json(OBJ)}, params=[_path("pair_id")],
        errors=("401", "403", "404", "422"),
        body=_body({"type": "object", "required": ["result"], "properties": {
            "year": {"type": "integer", "minimum": 2000, "maximum": 2100}, "result": text(2000)}}))}
    unit = {"name": text(200), "category": {"enum": ["community", "unit"]}, "required": {"type": "boolean"},
            "organisation_id": {**ID, "nullable": True}, "set_up_on": {**DATE, "nullable": True},
            "venue_on": {**DATE, "nullable": True}, "funds_on": {**DATE, "nullable": True}, "note": text(1000)}
    p["/community/units"] = {
        "get": _op("街道应建党组织的社区和辖区单位（两类组织）及组建情况", tag, {"200": _json(LIST)},
                   params=[_query("street_id", ID)], errors=("401", "404", "422")),
        "post": _op("登记一个社区或辖区单位（审核员）", tag, {"201": _json(OBJ)}, errors=("401", "403", "404", "409", "422"),
                    body=_body({"type": "object", "required": ["street_id", "name", "category"],
                                "properties": {"street_id": ID, **unit}})),
    }
    p["/community/units/{unit_id}"] = {"patch": _op(
        "修改组建情况、阵地和经费（审核员）", tag, {"200": _json(OBJ)}, params=[_path("unit_id")],
        errors=("401", "403", "404", "422"), body=_body({"type": "object", "properties": unit}))}
    p["/community/sites"] = {
        "get": _op("精品示范点", tag, {"200": _json(LIST)}),
        "post": _op("认定精品示范点（达到的标准、认定日期、佐证材料）", tag, {"201": _json(OBJ)},
                    errors=("401", "403", "404", "422"), body=evidence)}
    p["/community/members"] = {
        "get": _op("新发展党员", tag, {"200": _json(LIST)}),
        "post": _op("登记新发展党员（所在支部、接收日期、佐证材料）", tag, {"201": _json(OBJ)},
                    errors=("401", "404", "422"), body=evidence)}
    for what, label in (("sites", "示范点"), ("members", "新党员")):
        p[f"/community/{what}/{{record_id}}/evidence"] = {"get": _op(
            f"下载{label}的佐证材料", tag, {"200": _file("application/octet-stream", "文件")},
            params=[_path("record_id")], errors=("401", "404"))}
    p["/community/assessments"] = {"post": _op(
        "社区党组织“五个好”评定（五个维度，社区领域标准）；未达标的维度生成整改台账", tag, {"201": _json(OBJ)},
        errors=("401", "403", "404", "422"),
        body=_body({"type": "object", "required": ["organisation_id", "scores"], "properties": {
            "organisation_id": ID, "year": {"type": "integer", "minimum": 2000, "maximum": 2100}, "scores": SCORES,
            "satisfaction_rate": {"type": "number", "minimum": 0, "maximum": 100}, "assessed_on": DATE}}))}
    p["/community/targets"] = {"get": _op("三年目标（SQ-1）：当前值、季度趋势；没有社区的账户为 null", tag,
                                          {"200": _json(OBJ)})}
    p["/community/targets/{key}"] = {"get": _op(
        "一项目标背后的记录（计入与未计入）", tag, {"200": _json(OBJ)},
        params=[_path("key", {"enum": ["coverage", "model_sites", "brands", "new_members", "five_good",
                                       "venue_funds"]})], errors=("401", "404"))}


def spec() -> dict:
    p: dict[str, dict] = {}
    p["/me"] = {"get": _op("当前用户及其组织", "账户", {"200": _json(OBJ)})}
    p["/me/token"] = {"post": _op("为自己签发新的 API 令牌（旧令牌失效）", "账户", {"200": _json(OBJ)})}
    p["/me/tokens"] = {
        "get": _op("自己的 API 令牌（名称、权限、有效期、状态；不含令牌本身）", "账户", {"200": _json(LIST)}),
        "post": _op("新建 API 令牌：名称、权限（read 读取 / write 修改）、有效天数；令牌只在本次应答中出现", "账户",
                    {"201": _json(OBJ)}, errors=("401", "422"),
                    body=_body({"type": "object", "properties": {
                        "name": {"type": "string", "maxLength": 100},
                        "scopes": {"type": "array", "items": {"enum": ["read", "write"]}, "minItems": 1},
                        "days": {"type": "integer", "minimum": 1, "maximum": 365}}}, required=False)),
    }
    p["/me/tokens/{token_id}"] = {"delete": _op("吊销自己的 API 令牌", "账户", {"200": _json(OBJ)},
                                                params=[_path("token_id")], errors=("401", "404"))}
    p["/me/password"] = {"post": _op("修改密码（其他已登录的浏览器和全部 API 令牌随即失效）", "账户", {"200": _json(OBJ)},
                                     errors=("401", "422"),
                                     body=_body({"type": "object", "required": ["current_password", "new_password"],
                                                 "properties": {"current_password": {"type": "string"},
                                                                "new_password": {"type": "string", "minLength": 8}}}))}
    p["/messages"] = {"get": _op("自己的站内消息（新的在前，每页20条）与未读数", "消息", {"200": _json(OBJ)},
                                 params=[_query("unread", {"type": "string", "enum": ["1", "true"]}, "只看未读"),
                                         _query("page", {"type": "integer", "minimum": 1})], errors=("401", "422"))}
    p["/messages/read"] = {"post": _op("把消息标为已读：ids 列出的，或 all 为 true 时全部", "消息", {"200": _json(OBJ)},
                                       errors=("401", "404", "422"),
                                       body=_body({"type": "object", "properties": {
                                           "ids": {"type": "array", "items": {"type": "integer"}},
                                           "all": {"type": "boolean"}}}))}
    p["/todo"] = {"get": _op("自己的待办：退回的材料、补正和整改期限、申报窗口、完成的批量制证，含倒计时", "消息",
                             {"200": _json(OBJ)})}
    p["/users"] = {
        "get": _op("用户列表（管理员）", "账户", {"200": _json(LIST)}, errors=("401", "403")),
        "post": _op("新建用户（管理员）", "账户", {"201": _json(USER)}, errors=("401", "403", "404", "409", "422"),
                    body=_body({"type": "object", "required": ["username", "password", "organisation_id"], "properties": {
                        "username": {"type": "string", "maxLength": 80}, "password": {"type": "string", "minLength": 8},
                        "display_name": {"type": "string"}, "role": {"enum": ["branch", "reviewer", "admin"]},
                        "organisation_id": ID}})),
    }
    p["/users/{user_id}"] = {"patch": _op("修改用户（管理员）：角色、组织、停用、重设密码、解锁", "账户", {"200": _json(USER)},
                                          params=[_path("user_id")], errors=("401", "403", "404", "409", "422"),
                                          body=_body({"type": "object", "properties": {
                                              "display_name": {"type": "string"}, "role": {"enum": ["branch", "reviewer", "admin"]},
                                              "organisation_id": ID, "active": {"type": "boolean"},
                                              "password": {"type": "string", "minLength": 8}, "unlock": {"type": "boolean"}}}))}
    p["/users/{user_id}/token"] = {"post": _op("为用户签发 API 令牌（管理员）", "账户", {"200": _json(OBJ)},
                                               params=[_path("user_id")], errors=("401", "403", "404"))}
    p["/organisations"] = {
        "get": _op("可见的组织（审核员：本级及下级；支部：本支部）", "组织", {"200": _json(LIST)},
                   params=[_query("kind", {"enum": ["committee", "party_committee", "general_branch", "branch"]})]),
        "post": _op("新建组织（管理员）", "组织", {"201": _json(ORG)}, errors=("401", "403", "404", "409", "422"),
                    body=_body({"$ref": "#/components/schemas/OrganisationInput"})),
    }
    p["/organisations/search"] = {"get": _op(
        "查找组织（组织选择框用）：名称或上级名称含查找内容的组织，仅限可见范围，附层级路径", "组织",
        {"200": _json({"type": "object", "required": ["items", "more"], "properties": {
            "items": {"type": "array", "items": {"type": "object", "properties": {
                "id": ID, "name": {"type": "string"}, "path": {"type": "string"}, "kind": {"type": "string"},
                "kind_name": {"type": "string"}, "dissolved": {"type": "boolean"}}}},
            "more": {"type": "boolean"}}})},
        params=[_query("q", {"type": "string", "maxLength": 50}), _query("limit", {"type": "integer", "minimum": 1,
                                                                                  "maximum": 100}),
                _query("kind", {"type": "string", "enum": list(ORG_KINDS)}),
                _query("live", {"type": "string", "enum": ["0", "1"]}, "1：不含已撤销的组织")],
        errors=("401", "422"))}
    p["/organisations/import"] = {"post": _op("从 XLSX 导入组织（管理员，全部成功或全部不导入）", "组织", {"200": _json(OBJ)},
                                              errors=("400", "401", "403", "422"),
                                              body=_multipart({"file": {"type": "string", "format": "binary"}}, ["file"]))}
    p["/organisations/{org_id}"] = {
        "get": _op("一个组织", "组织", {"200": _json(ORG)}, params=[_path("org_id")], errors=("401", "404")),
        "patch": _op("修改组织（管理员）", "组织", {"200": _json(ORG)}, params=[_path("org_id")],
                     errors=("401", "403", "404", "409", "422"), body=_body({"$ref": "#/components/schemas/OrganisationInput"})),
    }
    p["/organisations/{org_id}/assessor"] = {"get": _op(
        "评审阅读：汇报材料的“五个好”依据、标准细则对照、创建工作方案四个部分、与其他材料相同的段落（审核员）", "评审",
        {"200": _json(OBJ)}, params=[_path("org_id"), _query("year", {"type": "integer"})],
        errors=("401", "403", "404", "422"))}
    p["/organisations/{org_id}/archive.zip"] = {"get": _op(
        "下载创建档案：全部上传材料、签发文书、审核记录、整改台账、操作记录及带链接的目录", "评审",
        {"200": {"description": "ZIP", "content": {"application/zip": {"schema": {"type": "string",
                                                                                    "format": "binary"}}}}},
        params=[_path("org_id")], errors=("401", "404"))}
    p["/organisations/{org_id}/cycle"] = {"get": _op("创建周期的当前状态与可执行的事件", "创建周期", {"200": _json(OBJ)},
                                                     params=[_path("org_id")], errors=("401", "404"))}
    p["/organisations/{org_id}/cycle/transitions"] = {"post": _op(
        "推进创建周期（审核员）", "创建周期", {"200": _json(OBJ)}, params=[_path("org_id")],
        errors=("401", "403", "404", "409", "422"),
        body=_body({"type": "object", "required": ["event"], "properties": {
            "event": {"type": "string"}, "as_of": DATE, "facts": OBJ}}))}
    p["/forms"] = {"get": _op(DOCUMENT_KINDS["blank-form"], "表格与材料", {"200": _json(LIST)})}
    p["/forms/{kind}.{fmt}"] = {"get": _op("下载空白表格（DOCX 或 PDF）", "表格与材料", {"200": {
        "description": "DOCX 或 PDF", "content": {
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
                "schema": {"type": "string", "format": "binary"}},
            "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}},
        params=[_path("kind", {"enum": ["declaration", "acceptance", "brand"]}),
                _path("fmt", {"enum": ["docx", "pdf"]})], errors=("401", "404"))}
    p["/submissions"] = {
        "get": _op("可见的材料", "表格与材料", {"200": _json(LIST)}, params=[
            _query("status", {"type": "string"}), _query("form", {"type": "string"}),
            _query("limit", {"type": "integer", "minimum": 1, "maximum": 500})], errors=("401", "422")),
        "post": _op("上传表格和汇报材料（可多个文件）", "表格与材料", {"201": _json(OBJ)},
                    errors=("400", "401", "404", "413", "415", "422"),
                    body=_multipart({"file": {"type": "array", "items": {"type": "string", "format": "binary"}},
                                     "organisation_id": {"type": "string", "pattern": "^[0-9]{1,9}$"},
                                     "attached_to_id": {"type": "string", "pattern": "^[0-9]{1,9}$"}}, ["file"])),
    }
    p["/submissions/{submission_id}"] = {"get": _op("一份材料：提取的字段、来源、审核意见", "表格与材料",
                                                    {"200": _json(SUBMISSION)}, params=[_path("submission_id")],
                                                    errors=("401", "404"))}
    p["/submissions/{submission_id}/file"] = {"get": _op("下载原始文件", "表格与材料",
                                                         {"200": _file("application/octet-stream", "原文件")},
                                                         params=[_path("submission_id")], errors=("401", "404"))}
    p["/submissions/{submission_id}/preview"] = {"get": _op("文档预览：段落和表格，以及每处是哪些字段的来源", "表格与材料",
                                                            {"200": _json(OBJ)}, params=[_path("submission_id")],
                                                            errors=("401", "404"))}
    p["/submissions/{submission_id}/pages/{n}.png"] = {"get": _op(
        "PDF 材料某一页的图像（预览中叠加来源框）", "表格与材料", {"200": _file("image/png", "PNG")},
        params=[_path("submission_id"), _path("n", {"type": "integer", "minimum": 1, "maximum": 20})],
        errors=("401", "404"))}
    p["/submissions/{submission_id}/fields"] = {"patch": _op(
        "更正提取的字段（审核员，保留原值）", "审核", {"200": _json(SUBMISSION)}, params=[_path("submission_id")],
        errors=("401", "403", "404", "409", "422"),
        body=_body({"type": "object", "required": ["fields"], "properties": {"fields": FIELD_VALUES}}))}
    p["/submissions/{submission_id}/check"] = {"post": _op(
        "按规则检查材料（SZ/JH/SQ），保存检查意见（仅供参考，不改变状态）", "审核", {"200": _json(OBJ)}, params=[_path("submission_id")],
        errors=("401", "404", "409", "422"), body=_body({"type": "object", "properties": {"as_of": DATE}}, False))}
    p["/queue"] = {"get": _op("审核工作队列（按状态和期限）", "审核", {"200": _json(OBJ)},
                              params=[_query("status", {"type": "string"})], errors=("401", "403"))}
    p["/rubrics"] = {"get": _op("评分标准年份", "评分", {"200": _json(OBJ)})}
    p["/rubrics/{year}"] = {"put": _op("启用某年的评分标准（管理员，YAML 文件，存入评分标准目录）", "评分",
                                       {"200": _json(OBJ)},
                                       params=[_path("year", {"type": "integer", "minimum": 2000, "maximum": 2100})],
                                       errors=("401", "403", "409", "422"),
                                       body={"required": True, "content": {"application/yaml": {"schema": {"type": "string"}},
                                                                           "multipart/form-data": {"schema": {
                                                                               "type": "object", "properties": {
                                                                                   "file": {"type": "string", "format": "binary"}}}}}}),
                            "get": _op("某年的评分标准（可按领域）", "评分", {"200": _json(OBJ)},
                                       params=[_path("year", {"type": "integer", "minimum": 2000, "maximum": 2100}),
                                               _query("domain", {"type": "string"})], errors=("401", "404", "422"))}
    p["/assessments"] = {
        "get": _op("评分记录", "评分", {"200": _json(LIST)}, params=[
            _query("year", {"type": "integer", "minimum": 2000, "maximum": 2100}), _query("domain", {"type": "string"}),
            _query("organisation_id", ID), _query("limit", {"type": "integer", "minimum": 1, "maximum": 1000})],
            errors=("401", "422")),
        "post": _op("录入考核组评分（五个维度或按细则扣分），自动定等（JH-2）", "评分", {"201": _json(ASSESSMENT)},
                    errors=("401", "403", "404", "422"),
                    body=_body({"type": "object", "required": ["organisation_id"], "properties": {
                        "organisation_id": ID, "year": {"type": "integer", "minimum": 2000, "maximum": 2100},
                        "scores": SCORES, "marks": {"type": "object", "additionalProperties": {
                            "type": "object", "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 1000}}},
                        "total": {"type": "number", "minimum": 0, "maximum": 100},
                        "satisfaction_rate": {"type": "number", "minimum": 0, "maximum": 100},
                        "assessed_on": DATE}})),
    }
    p["/assessments/{assessment_id}"] = {"get": _op("一条评分记录及其意见", "评分", {"200": _json(ASSESSMENT)},
                                                    params=[_path("assessment_id")], errors=("401", "404"))}
    p["/grading-rounds"] = {"post": _op("按评分表分类定级并确定相对后进（JH-2、JH-3）", "评分", {"201": _json(OBJ)},
                                        errors=("400", "401", "403", "404", "415", "422"),
                                        body=_multipart({"file": {"type": "string", "format": "binary"},
                                                         "year": {"type": "string", "pattern": "^20[0-9]{2}$"}}, ["file"]))}
    p["/grading-rounds/{round_id}"] = {"get": _op("一次定级保存的评分记录", "评分", {"200": _json(OBJ)},
                                                  params=[_path("round_id", {"type": "string", "maxLength": 40})],
                                                  errors=("401", "404"))}
    p["/documents"] = {"get": _op("发给可见组织的文书", "文书", {"200": _json(LIST)}, params=[
        _query("organisation_id", ID), _query("kind", {"type": "string"}),
        _query("limit", {"type": "integer", "minimum": 1, "maximum": 500})], errors=("401", "422"))}
    notice = {"type": "object", "required": ["record_id"], "properties": {
        "kind": {"enum": ["rectification-notice", "supplement-notice"]},
        "record_id": {**ID, "description": "限期整改通知书：评分记录编号；补正通知：材料编号"},
        "reason": {"type": "string", "maxLength": 300}, "days": {"type": "integer", "minimum": 1, "maximum": 365}}}
    p["/notices/preview"] = {"post": _op("预览通知（不编号、不保存）", "文书", {"200": _file("application/pdf", "PDF")},
                                         errors=("401", "403", "404", "422", "503"), body=_body(notice))}
    p["/notices"] = {"post": _op("签发通知（此时才分配文号）", "文书", {"201": _json(OBJ)},
                                 errors=("401", "403", "404", "409", "422", "503"), body=_body(notice),
                                 params=[IDEMPOTENCY])}
    p["/dashboard"] = {"get": _op("统计：各领域等次、各党委相对后进、创建周期状态、社区三年目标（SQ-1）", "统计",
                                  {"200": _json(OBJ)}, params=[_query("year", {"type": "integer", "minimum": 2000,
                                                                                "maximum": 2100})],
                                  errors=("401", "403", "422"))}
    p["/audit"] = {"get": _op("审计日志（审核员：本级及下级）", "审计", {"200": _json(LIST)}, params=[
        _query("action", {"type": "string"}), _query("organisation_id", ID),
        _query("before_id", {"type": "integer", "minimum": 1, "maximum": 2147483647}),
        _query("limit", {"type": "integer", "minimum": 1, "maximum": 500})], errors=("401", "403", "422"))}
    p["/audit.csv"] = {"get": _op("导出审计日志（CSV）", "审计", {"200": _file("text/csv", "CSV")}, params=[
        _query("action", {"type": "string"}), _query("organisation_id", ID)], errors=("401", "403", "422"))}
    organ = {"type": "object", "properties": {"mark": {"type": "string", "maxLength": 40},
                                              "prefix": {"type": "string", "maxLength": 20},
                                              "signature": {"type": "string", "maxLength": 40}}}
    p["/admin/numbering"] = {
        "get": _op("发文机关（发文机关标志、机关代字、署名）与各年已用文号（管理员）", "管理", {"200": _json(OBJ)},
                   errors=("401", "403")),
        "put": _op("设置发文机关标志、机关代字、署名（管理员）；机关代字不得重复", "管理", {"200": _json(OBJ)},
                   errors=("401", "403", "404", "409", "422"),
                   body=_body({"type": "object", "properties": {
                       "organs": {"type": "object", "additionalProperties": organ},
                       "prefixes": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 20}}}})),
    }
    year = _query("year", {"type": "integer", "minimum": 2000, "maximum": 2100})
    p["/submissions/{submission_id}/decisions"] = {"post": _op(
        "审核员的决定：claim 开始审核（待审核→审核中）、approve 通过、return 退回、supplement 需补正（后两者须写审核意见）",
        "审核", {"200": _json(OBJ)}, params=[_path("submission_id")], errors=("401", "403", "404", "409", "422"),
        body=_body({"type": "object", "required": ["decision"], "properties": {
            "decision": {"enum": ["claim", "approve", "return", "supplement"]},
            "comment": {"type": "string", "maxLength": 1000}}}))}
    p["/register"] = {"get": _op("发文登记簿：每个文号的种类、主送、成文日期、签发人、状态（审核员：本级及下级）", "文书",
                                 {"200": _json(LIST)}, params=[year], errors=("401", "403", "422"))}
    p["/register.xlsx"] = {"get": _op("导出发文登记簿（XLSX）", "文书", {"200": _file(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX")}, params=[year],
        errors=("401", "403", "422"))}
    p["/documents/{doc_id}/withdraw"] = {"post": _op("作废已签发的公文（须填理由）；文号保留、不再使用", "文书",
                                                     {"200": _json(OBJ)}, params=[_path("doc_id")],
                                                     errors=("401", "403", "404", "409", "422"),
                                                     body=_body({"type": "object", "required": ["reason"],
                                                                 "properties": {"reason": {"type": "string",
                                                                                           "minLength": 2,
                                                                                           "maxLength": 300}}}))}
    p["/admin/fonts"] = {"get": _op("字体报告（管理员）", "管理", {"200": _json(OBJ)}, errors=("401", "403", "503"))}
    p["/batches"] = {
        "get": _op("批量任务（审核员）", "批量", {"200": _json(LIST)}, errors=("401", "403")),
        "post": _op("提交批量任务：名册生成证书", "批量", {"200": _json(OBJ), "202": _json(OBJ)},
                    errors=("400", "401", "403", "422"),
                    body=_multipart({"roster": {"type": "string", "format": "binary"},
                                     "kind": {"enum": ["party-card", "honor-certificate"]}}, ["roster"])),
    }
    p["/batches/{job_id}"] = {"get": _op("批量任务进度", "批量", {"200": _json(OBJ)}, params=[_path("job_id")],
                                         errors=("401", "403", "404"))}
    p["/batches/{job_id}/cancel"] = {"post": _op("取消批量任务", "批量", {"200": _json(OBJ)}, params=[_path("job_id")],
                                                 errors=("401", "403", "404", "409"))}
    p["/batches/{job_id}/resume"] = {"post": _op("继续已失败或已取消的批量任务", "批量", {"200": _json(OBJ)}, params=[_path("job_id")],
                                                 errors=("401", "403", "404", "409"))}
    p["/documents"]["post"] = _op("签发任一种文书（按记录编号生成上下文、编号、存档）", "文书", {"201": _json(OBJ)},
                                  errors=("401", "403", "404", "409", "422"), params=[IDEMPOTENCY],
                                  body=_body({"type": "object", "required": ["kind", "record_id"], "properties": {
                                      "kind": {"type": "string"}, "record_id": {"anyOf": [ID, {"type": "string"}]},
                                      "formats": {"type": "array", "items": {"enum": ["pdf", "docx", "xlsx"]}},
                                      "options": OBJ}}))
    row = {"type": "object", "properties": {
        **{k: {"type": "string", "maxLength": n} for k, n in (("category", 100), ("problem", 2000), ("measure", 2000),
                                                              ("target", 1000), ("leader", 100), ("owner", 100),
                                                              ("note", 1000))},
        "due_on": DATE}}
    p["/ledger"] = {
        "get": _op("整改工作台账（支部：本支部；审核员：本级及下级），含逾期标记", "整改", {"200": _json(LIST)},
                   params=[_query("organisation_id", ID), _query("status", {"enum": ["open", "overdue", "closed"]}),
                           _query("limit", {"type": "integer", "minimum": 1, "maximum": 2000})],
                   errors=("401", "404", "422")),
        "post": _op("新增整改事项（审核员）", "整改", {"201": _json(OBJ)}, errors=("401", "403", "404", "422"),
                    body=_body({**row, "required": ["organisation_id", "category", "problem"], "properties": {
                        **row["properties"], "organisation_id": ID, "assessment_id": ID}})),
    }
    p["/ledger/{item_id}"] = {
        "get": _op("一项整改事项及其进展记录", "整改", {"200": _json(OBJ)}, params=[_path("item_id")],
                   errors=("401", "404")),
        "patch": _op("修改整改事项（支部：措施、目标、责任领导、责任人；审核员：全部栏目）", "整改", {"200": _json(OBJ)},
                     params=[_path("item_id")], errors=("401", "404", "409", "422"), body=_body(row)),
    }
    p["/ledger/{item_id}/notes"] = {"post": _op(
        "报送整改进展（可附佐证材料）", "整改", {"201": _json(OBJ)}, params=[_path("item_id")],
        errors=("401", "404", "409", "422"),
        body={"required": True, "content": {
            "application/json": {"schema": {"type": "object", "properties": {
                "body": {"type": "string", "maxLength": 2000}, "written_on": DATE}}},
            "multipart/form-data": {"schema": {"type": "object", "properties": {
                "body": {"type": "string"}, "written_on": DATE, "file": {"type": "string", "format": "binary"}}}}}})}
    p["/ledger/{item_id}/notes/{note_id}/evidence"] = {"get": _op(
        "下载佐证材料", "整改", {"200": _file("application/octet-stream", "文件")},
        params=[_path("item_id"), _path("note_id")], errors=("401", "404"))}
    p["/ledger/{item_id}/close"] = {"post": _op(
        "销号（审核员，日期不晚于今天）", "整改", {"200": _json(OBJ)}, params=[_path("item_id")],
        errors=("401", "403", "404", "409", "422"),
        body=_body({"type": "object", "properties": {"closed_on": DATE, "note": {"type": "string", "maxLength": 1000}}},
                   required=False))}
    p["/taskbooks"] = {"post": _op(
        "签发整改任务书（按整改工作台账；整改时限由审核员设定，缺省为签发后 WUHAO_RECTIFY_DAYS 天）", "整改",
        {"201": _json(OBJ)}, errors=("401", "403", "404", "422"),
        body=_body({"type": "object", "required": ["assessment_id"],
                    "properties": {"assessment_id": ID, "deadline": DATE}}))}
    p["/documents/{document_id}/reissue"] = {"post": _op("重新印发（新文号，原文书标为已替代）", "文书",
                                                         {"201": _json(OBJ)}, params=[_path("document_id")],
                                                         errors=("401", "403", "404", "409"))}
    p["/documents/{document_id}.{fmt}"] = {"get": _op("下载文书", "文书", {"200": _file("application/octet-stream", "文件")},
                                                      params=[_path("document_id"),
                                                              _path("fmt", {"enum": ["pdf", "docx", "xlsx"]})],
                                                      errors=("401", "404"))}
    _community(p)
    _district(p)
    _two_books(p)

    _projects_training(p)
    return {
        "openapi": "3.0.3",
        "info": {"title": "五好党支部创建管理 API", "version": "1.0.0",
                 "description": "支部上传表格和汇报材料，审核员审核、更正、评分、发文，管理员维护账户和组织。"
                                "错误一律为 {\"error\": {\"code\", \"message\"}}。"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": p,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "wuhao token USERNAME 或 POST /me/token"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session",
                            "description": "网页登录的会话；写操作须带 X-CSRF-Token 头"},
            },
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                    "type": "object", "required": ["code", "message"],
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "detail": OBJ}}}},
                "Organisation": {"type": "object", "required": ["id", "name", "kind"], "properties": {
                    "id": {"type": "integer"}, "parent_id": {"type": "integer", "nullable": True},
                    "name": {"type": "string"}, "kind": {"type": "string"},
                    "domain": {"type": "string", "nullable": True}}},
                "OrganisationInput": {"type": "object", "properties": {
                    "name": {"type": "string", "minLength": 1, "maxLength": 200},
                    "kind": {"enum": ["committee", "party_committee", "general_branch", "branch"]},
                    "parent_id": {**ID, "nullable": True},
                    "domain": {"nullable": True, "enum": ["rural", "community", "organ", "soe", "nonpublic", "service",
                                                          "school", "health", None]},
                    "code": {"type": "string", "maxLength": 20}, "member_count": {"type": "integer", "minimum": 0},
                    "secretary": {"type": "string"}, "contact_person": {"type": "string"},
                    "contact_phone": {"type": "string"}, "directly_under": {"type": "boolean"}}},
                "User": {"type": "object", "required": ["id", "username", "role"], "properties": {
                    "id": {"type": "integer"}, "username": {"type": "string"}, "role": {"type": "string"},
                    "organisation_id": {"type": "integer"}}},
                "Submission": {"type": "object", "required": ["id", "form", "status"], "properties": {
                    "id": {"type": "integer"}, "organisation_id": {"type": "integer"}, "form": {"type": "string"},
                    "status": {"type": "string"}, "extraction": {"type": "object", "nullable": True},
                    "findings": {"type": "array", "items": OBJ},
                    "earlier_findings": {"type": "array", "items": OBJ}}},
                "Assessment": {"type": "object", "required": ["id", "organisation_id", "year"], "properties": {
                    "id": {"type": "integer"}, "organisation_id": {"type": "integer"}, "year": {"type": "integer"},
                    "total": {"type": "number", "nullable": True}, "grade": {"type": "string", "nullable": True},
                    "backward": {"type": "boolean"}}},
            },
        },
    }


@bp.get("/openapi.json")
def openapi_json():
    return spec()


@bp.get("/docs")
def openapi_page():
    return render_template("api_docs.html", spec=spec())


XLSX_FILE = _file("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX 文件")
XLSX_UPLOAD = _multipart({"file": {"type": "string", "format": "binary"}}, ["file"])
YEAR = {"type": "integer", "minimum": 2000, "maximum": 2100}
STRINGS = {"type": "array", "items": {"type": "string", "maxLength": 300}, "maxItems": 100}


def _district(p: dict) -> None:
    """The district's management layer (JH-4..JH-6): people, 挂点包保, three lists, 督导组, party days."""
    t = "区委抓党建"
    person = {"type": "object", "properties": {
        "name": {"type": "string", "maxLength": 100}, "rank": {"enum": ["district_leader", "county_leader",
                                                                          "committee_secretary"]},
        "title": {"type": "string", "maxLength": 200}, "phone": {"type": "string", "maxLength": 50},
        "active": {"type": "boolean"}, "organisation_id": ID}}
    p["/people"] = {
        "get": _op("人员（区级领导、县级领导、党委书记；记录，不是账户）", t, {"200": _json(LIST)},
                   params=[_query("rank", {"type": "string"})], errors=("401", "403", "422")),
        "post": _op("新增人员（审核员）", t, {"201": _json(OBJ)}, errors=("401", "403", "404", "422"),
                    body=_body({**person, "required": ["name", "rank"]}))}
    p["/people/{person_id}"] = {
        "get": _op("领导的挂点支部（含整改进展）和走访记录", t, {"200": _json(OBJ)},
                   params=[_path("person_id"), _query("year", YEAR)], errors=("401", "403", "404")),
        "patch": _op("修改人员", t, {"200": _json(OBJ)}, params=[_path("person_id")],
                     errors=("401", "403", "404", "422"), body=_body(person)),
        "delete": _op("删除误录的人员（已有挂点记录的不能删除）", t, {"204": {"description": "已删除"}},
                      params=[_path("person_id")], errors=("401", "403", "404", "409"))}
    p["/people/import"] = {"post": _op("导入人员名单（XLSX；逐行逐列报错，全部或全不）", t, {"200": _json(OBJ)},
                                       errors=("401", "403", "400", "422"), body=XLSX_UPLOAD)}
    p["/people/export.xlsx"] = {"get": _op("导出人员名单", t, {"200": XLSX_FILE}, errors=("401", "403"))}
    p["/people/template.xlsx"] = {"get": _op("人员名单导入模板", t, {"200": XLSX_FILE})}
    p["/assignments"] = {
        "get": _op("挂点包保覆盖情况：本年度农村相对后进党支部及其包保领导，未落实的标出", t, {"200": _json(OBJ)},
                   params=[_query("year", YEAR)], errors=("401", "403", "422")),
        "post": _op("落实挂点包保或创建联系点", t, {"201": _json(OBJ)}, errors=("401", "403", "404", "409", "422"),
                    body=_body({"type": "object", "required": ["person_id", "organisation_id"], "properties": {
                        "person_id": ID, "organisation_id": ID, "kind": {"enum": ["backward", "contact"]},
                        "year": YEAR, "assigned_on": DATE, "note": {"type": "string", "maxLength": 1000}}}))}
    p["/assignments/{assignment_id}"] = {
        "get": _op("一项挂点（含整改进展）", t, {"200": _json(OBJ)}, params=[_path("assignment_id")],
                   errors=("401", "403", "404")),
        "patch": _op("修改挂点：领导、方式、落实日期、备注", t, {"200": _json(OBJ)}, params=[_path("assignment_id")],
                     errors=("401", "403", "404", "409", "422"), body=_body({"type": "object", "properties": {
                         "person_id": ID, "kind": {"enum": ["backward", "contact"]}, "assigned_on": DATE,
                         "note": {"type": "string", "maxLength": 1000}}})),
        "delete": _op("撤销挂点（已有走访记录的不能撤销）", t, {"204": {"description": "已撤销"}},
                      params=[_path("assignment_id")], errors=("401", "403", "404", "409"))}
    p["/assignments/import"] = {"post": _op("导入挂点包保名单（XLSX；逐行逐列报错，全部或全不）", t,
                                            {"200": _json(OBJ)}, errors=("401", "403", "400", "422"), body=XLSX_UPLOAD)}
    p["/assignments/export.xlsx"] = {"get": _op("导出挂点包保名单和走访记录", t, {"200": XLSX_FILE},
                                                params=[_query("year", YEAR)], errors=("401", "403", "422"))}
    p["/assignments/template.xlsx"] = {"get": _op("挂点包保名单导入模板", t, {"200": XLSX_FILE})}
    p["/assignments/visits/{visit_id}"] = {
        "patch": _op("修改走访记录（日期、发现的问题、后续措施）", t, {"200": _json(OBJ)}, params=[_path("visit_id")],
                     errors=("401", "403", "404", "422"), body=_body({"type": "object", "properties": {
                         "visited_on": DATE, "found": {"type": "string", "maxLength": 2000},
                         "follow_up": {"type": "string", "maxLength": 2000}}})),
        "delete": _op("删除误录的走访记录（已列入整改工作台账的不能删除）", t, {"204": {"description": "已删除"}},
                      params=[_path("visit_id")], errors=("401", "403", "404", "409"))}
    p["/assignments/visits/import"] = {"post": _op(
        "导入挂点领导走访记录（XLSX；列入整改工作台账的问题每行一项；逐行逐列报错，全部或全不）", t,
        {"200": _json(OBJ)}, errors=("401", "403", "400", "404", "422"), body=XLSX_UPLOAD)}
    p["/assignments/visits/template.xlsx"] = {"get": _op("挂点领导走访记录导入模板", t, {"200": XLSX_FILE})}
    p["/assignments/visits"] = {"get": _op("挂点领导走访记录", t, {"200": _json(LIST)},
                                           params=[_query("organisation_id", ID)], errors=("401", "403", "404"))}
    p["/assignments/{assignment_id}/visits"] = {"post": _op(
        "记录走访（发现的问题可直接列入整改工作台账）", t, {"201": _json(OBJ)}, params=[_path("assignment_id")],
        errors=("401", "403", "404", "422"),
        body=_body({"type": "object", "properties": {
            "visited_on": DATE, "found": {"type": "string", "maxLength": 2000},
            "follow_up": {"type": "string", "maxLength": 2000},
            "open_rows": {"type": "array", "maxItems": 20, "items": {"type": "object", "required": ["problem"],
                                                                     "properties": {
                "category": {"type": "string", "maxLength": 100}, "problem": {"type": "string", "maxLength": 2000},
                "measure": {"type": "string", "maxLength": 2000}, "due_on": DATE}}}}}))}
    p["/branch-lists/{org_id}"] = {"get": _op(
        "问题清单、任务清单、责任清单（党支部或党委下各支部；year：述职年度）", t, {"200": _json(OBJ)},
        params=[_path("org_id"), _query("year", YEAR)], errors=("401", "404"))}
    p["/branch-lists/{org_id}.xlsx"] = {"get": _op("三个清单（XLSX，每个清单一张表）", t, {"200": XLSX_FILE},
                                                   params=[_path("org_id"), _query("year", YEAR)],
                                                   errors=("401", "404"))}
    group = {"type": "object", "properties": {
        "name": {"type": "string", "maxLength": 100}, "leader": {"type": "string", "maxLength": 100},
        "members": STRINGS, "checklist": STRINGS, "organisation_id": ID,
        "committee_ids": {"type": "array", "items": ID, "maxItems": 100}}}
    p["/supervision-groups"] = {
        "get": _op("督导组", t, {"200": _json(LIST)}, errors=("401", "403")),
        "post": _op("新建督导组（管理员）", t, {"201": _json(OBJ)}, errors=("401", "403", "404", "409", "422"),
                    body=_body({**group, "required": ["name"]}))}
    p["/supervision-groups/{group_id}"] = {
        "get": _op("督导组及其检查记录", t, {"200": _json(OBJ)}, params=[_path("group_id")],
                   errors=("401", "403", "404")),
        "patch": _op("修改督导组：成员、负责的党委、督导清单（管理员）", t, {"200": _json(OBJ)},
                     params=[_path("group_id")], errors=("401", "403", "404", "422"), body=_body(group)),
        "delete": _op("删除误设的督导组（已有检查记录的不能删除）", t, {"204": {"description": "已删除"}},
                      params=[_path("group_id")], errors=("401", "403", "404", "409"))}
    p["/supervision-groups/import"] = {"post": _op("导入督导组（XLSX：成员、负责党委、督导清单；管理员）", t,
                                                   {"200": _json(OBJ)}, errors=("401", "403", "400", "409", "422"),
                                                   body=XLSX_UPLOAD)}
    p["/supervision-groups/export.xlsx"] = {"get": _op("导出督导组", t, {"200": XLSX_FILE}, errors=("401", "403"))}
    p["/supervision-groups/template.xlsx"] = {"get": _op("督导组导入模板", t, {"200": XLSX_FILE})}
    p["/inspections/export.xlsx"] = {"get": _op("导出督导检查记录", t, {"200": XLSX_FILE},
                                                params=[_query("organisation_id", ID)], errors=("401", "403", "404"))}
    p["/inspections/import"] = {"post": _op(
        "导入督导检查记录（XLSX；检查情况每项一行“检查项：情况”，发现的问题每行一项；逐行逐列报错，全部或全不）", t,
        {"200": _json(OBJ)}, errors=("401", "403", "400", "404", "422"), body=XLSX_UPLOAD)}
    p["/inspections/template.xlsx"] = {"get": _op("督导检查记录导入模板", t, {"200": XLSX_FILE})}
    p["/inspections"] = {
        "get": _op("督导检查记录", t, {"200": _json(LIST)},
                   params=[_query("organisation_id", ID), _query("group_id", ID)], errors=("401", "403", "404")),
        "post": _op("记录督导检查（定点监测、实地检查、随机抽查）；open_ledger 的发现列入整改工作台账", t,
                    {"201": _json(OBJ)}, errors=("401", "403", "404", "422"),
                    body=_body({"type": "object", "required": ["group_id", "organisation_id"], "properties": {
                        "group_id": ID, "organisation_id": ID, "kind": {"enum": ["monitor", "field", "random"]},
                        "inspected_on": DATE, "answers": {"type": "object",
                                                          "additionalProperties": {"type": "string", "maxLength": 500}},
                        "findings": {"type": "array", "maxItems": 50, "items": {
                            "type": "object", "required": ["text"], "properties": {
                                "text": {"type": "string", "minLength": 1, "maxLength": 2000},
                                "open_ledger": {"type": "boolean"}, "category": {"type": "string", "maxLength": 100},
                                "due_on": DATE}}}}}))}
    p["/inspections/{inspection_id}"] = {
        "get": _op("一次督导检查", t, {"200": _json(OBJ)}, params=[_path("inspection_id")],
                   errors=("401", "403", "404")),
        "patch": _op("修改督导检查（已列入整改工作台账的发现保留）", t, {"200": _json(OBJ)},
                     params=[_path("inspection_id")], errors=("401", "403", "404", "422"),
                     body=_body({"type": "object", "properties": {
                         "kind": {"enum": ["monitor", "field", "random"]}, "inspected_on": DATE,
                         "answers": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 500}},
                         "findings": {"type": "array", "maxItems": 100,
                                      "items": {"type": "string", "maxLength": 2000}}}})),
        "delete": _op("删除误录的督导检查（发现已列入整改工作台账的不能删除）", t, {"204": {"description": "已删除"}},
                      params=[_path("inspection_id")], errors=("401", "403", "404", "409"))}
    p["/inspections/{inspection_id}/findings/{index}/open"] = {"post": _op(
        "一键将检查发现列入整改工作台账", t, {"201": _json(OBJ)},
        params=[_path("inspection_id"), _path("index", {"type": "integer", "minimum": 0, "maximum": 1000})],
        errors=("401", "403", "404", "409", "422"))}
    day = {"type": "object", "properties": {
        "organisation_id": ID, "held_on": DATE, "topic": {"type": "string", "maxLength": 300},
        "expected": {"type": "integer", "minimum": 0, "maximum": 100000},
        "attended": {"type": "integer", "minimum": 0, "maximum": 100000},
        "attendees": {"type": "array", "items": {"type": "string", "maxLength": 50}, "maxItems": 2000},
        "dues_collected": {"type": "boolean"}, "reason": {"type": "string", "maxLength": 1000}}}
    p["/party-days"] = {
        "get": _op("主题党日记录（支部：本支部）", t, {"200": _json(LIST)},
                   params=[_query("organisation_id", ID), _query("year", YEAR)], errors=("401", "404")),
        "post": _op("记录或更正某月主题党日（每支部每月一条）", t, {"201": _json(OBJ)},
                    errors=("401", "404", "422"), body=_body({**day, "required": ["held_on"]}))}
    p["/party-days/{day_id}"] = {
        "get": _op("一条主题党日记录", t, {"200": _json(OBJ)}, params=[_path("day_id")], errors=("401", "404")),
        "patch": _op("修改一条主题党日记录（改到已有记录的月份：409）", t, {"200": _json(OBJ)}, params=[_path("day_id")],
                     errors=("401", "404", "409", "422"), body=_body(day)),
        "delete": _op("删除误录的主题党日记录", t, {"204": {"description": "已删除"}}, params=[_path("day_id")],
                      errors=("401", "404"))}
    p["/party-days/import"] = {"post": _op("导入主题党日记录（XLSX；逐行逐列报错，全部或全不）", t,
                                           {"200": _json(OBJ)}, errors=("401", "400", "422"), body=XLSX_UPLOAD)}
    p["/party-days/template.xlsx"] = {"get": _op("主题党日导入模板", t, {"200": XLSX_FILE})}
    p["/party-days/export.xlsx"] = {"get": _op("导出主题党日记录", t, {"200": XLSX_FILE},
                                               params=[_query("organisation_id", ID), _query("year", YEAR)],
                                               errors=("401", "404"))}
    p["/party-days/compliance"] = {"get": _op(
        "主题党日开展情况：每支部每月（8日开展、其他日期及原因、未开展）、各党委汇总、参加率", t, {"200": _json(OBJ)},
        params=[_query("year", YEAR), _query("months", {"type": "string", "pattern": "^[0-9,]*$"}),
                _query("organisation_id", ID)], errors=("401", "404", "422"))}


def _two_books(p: dict) -> None:
    """两册一证 纪实 (JH-6): members (filled by the 党员证 batch), 纪实, the two registers, 抽查."""
    t = "两册一证"
    text = lambda n: {"type": "string", "maxLength": n}  # noqa: E731
    member = {"type": "object", "properties": {
        "organisation_id": ID, "name": text(100), "gender": text(10), "id_number": text(30),
        "joined_on": text(20), "card_number": text(50), "phone": text(50)}}
    by_org = [_query("organisation_id", ID)]
    p["/members"] = {
        "get": _op("党员（党员证批次写入；身份证号码隐去中间）", t, {"200": _json(LIST)}, params=by_org,
                   errors=("401", "404")),
        "post": _op("新增党员", t, {"201": _json(OBJ)}, errors=("401", "404", "409", "422"),
                    body=_body({**member, "required": ["name"]}))}
    p["/members/export.xlsx"] = {"get": _op("导出党员名册", t, {"200": XLSX_FILE}, params=by_org,
                                            errors=("401", "404"))}
    p["/members/{member_id}"] = {
        "get": _op("一名党员及其纪实", t, {"200": _json(OBJ)}, params=[_path("member_id")], errors=("401", "404")),
        "patch": _op("修改党员信息", t, {"200": _json(OBJ)}, params=[_path("member_id")],
                     errors=("401", "404", "409", "422"), body=_body(member))}
    filters = by_org + [_query("member_id", ID), _query("year", YEAR)]
    p["/member-records"] = {
        "get": _op("党员纪实：交纳党费、参加活动", t, {"200": _json(LIST)}, params=filters,
                   errors=("401", "404", "422")),
        "post": _op("记录一条纪实（党费每人每月一条，再记即更正）", t, {"201": _json(OBJ)},
                    errors=("401", "404", "422"), body=_body({"type": "object", "required": ["member_id", "kind"],
                                                             "properties": {
            "member_id": ID, "kind": {"enum": ["dues", "activity"]}, "month": text(20), "happened_on": DATE,
            "amount": {"type": "number", "minimum": 0, "maximum": 100000}, "paid": {"type": "boolean"},
            "what": text(300)}}))}
    p["/member-records/import"] = {"post": _op("导入党员纪实（XLSX；逐行逐列报错，全部或全不）", t,
                                               {"200": _json(OBJ)}, errors=("401", "400", "422"), body=XLSX_UPLOAD)}
    p["/member-records/template.xlsx"] = {"get": _op("党员纪实导入模板", t, {"200": XLSX_FILE})}
    p["/member-records/export.xlsx"] = {"get": _op("导出党员纪实", t, {"200": XLSX_FILE}, params=filters,
                                                   errors=("401", "404", "422"))}
    kinds = {"enum": ["branch_manual", "study_manual"]}
    p["/handbooks"] = {
        "get": _op("手册发放登记：党支部工作手册（每支部）、党员学习手册（每名党员）", t, {"200": _json(LIST)},
                   params=by_org + [_query("kind", kinds)], errors=("401", "404", "422")),
        "post": _op("登记一本手册的发放（学习手册未填编号时用其党员证编号）", t, {"201": _json(OBJ)},
                    errors=("401", "404", "409", "422"), body=_body({"type": "object", "required": ["kind"],
                                                                    "properties": {
            "kind": kinds, "organisation_id": ID, "member_id": ID, "number": text(50), "given_on": DATE,
            "received_by": text(100)}}))}
    p["/handbooks/import"] = {"post": _op("导入手册发放登记（XLSX；逐行逐列报错，全部或全不）", t,
                                          {"200": _json(OBJ)}, errors=("401", "400", "422"), body=XLSX_UPLOAD)}
    p["/handbooks/template.xlsx"] = {"get": _op("手册发放登记导入模板", t, {"200": XLSX_FILE})}
    p["/handbooks/export.xlsx"] = {"get": _op("导出手册发放登记", t, {"200": XLSX_FILE},
                                              params=by_org + [_query("kind", kinds)], errors=("401", "404", "422"))}
    p["/handbooks/{issue_id}"] = {
        "get": _op("一条手册发放登记", t, {"200": _json(OBJ)}, params=[_path("issue_id")], errors=("401", "404")),
        "patch": _op("修改手册发放登记：编号、发放日期、领取人（编号已有登记：409）", t, {"200": _json(OBJ)},
                     params=[_path("issue_id")], errors=("401", "404", "409", "422"),
                     body=_body({"type": "object", "properties": {
                         "number": text(50), "given_on": DATE, "received_by": text(100)}})),
        "delete": _op("删除误录的手册发放登记", t, {"204": {"description": "已删除"}}, params=[_path("issue_id")],
                      errors=("401", "404"))}
    p["/spot-checks"] = {
        "get": _op("两册一证抽查记录（审核员）", t, {"200": _json(LIST)}, params=by_org, errors=("401", "403", "404")),
        "post": _op("记录抽查；open_ledger 的问题列入整改工作台账", t, {"201": _json(OBJ)},
                    errors=("401", "403", "404", "422"), body=_body({
                        "type": "object", "required": ["organisation_id", "checker", "outcome"], "properties": {
                            "organisation_id": ID, "checked_on": DATE, "checker": text(100),
                            "answers": {"type": "object", "properties": {k: {"type": "boolean"} for k in (
                                "branch_manual", "study_manuals", "cards", "records")}, "additionalProperties": False},
                            "outcome": {"enum": ["good", "fair", "poor"]},
                            "problems": {"type": "array", "maxItems": 50, "items": {
                                "type": "object", "required": ["text"], "properties": {
                                    "text": {"type": "string", "minLength": 1, "maxLength": 2000},
                                    "open_ledger": {"type": "boolean"}, "due_on": DATE}}}}}))}
    p["/spot-checks/{check_id}"] = {
        "get": _op("一次抽查（含该支部两册一证的记录情况）", t, {"200": _json(OBJ)},
                   params=[_path("check_id")], errors=("401", "403", "404")),
        "patch": _op("修改抽查（已列入整改工作台账的问题保留）", t, {"200": _json(OBJ)}, params=[_path("check_id")],
                     errors=("401", "403", "404", "422"), body=_body({"type": "object", "properties": {
                         "checked_on": DATE, "checker": text(100),
                         "answers": {"type": "object", "properties": {k: {"type": "boolean"} for k in (
                             "branch_manual", "study_manuals", "cards", "records")}, "additionalProperties": False},
                         "outcome": {"enum": ["good", "fair", "poor"]},
                         "problems": {"type": "array", "maxItems": 50, "items": text(2000)}}})),
        "delete": _op("删除误录的抽查（问题已列入整改工作台账的不能删除）", t, {"204": {"description": "已删除"}},
                      params=[_path("check_id")], errors=("401", "403", "404", "409"))}
    p["/spot-checks/{check_id}/problems/{index}/open"] = {"post": _op(
        "一键将抽查发现的问题列入整改工作台账", t, {"201": _json(OBJ)},
        params=[_path("check_id"), _path("index", {"type": "integer", "minimum": 0, "maximum": 1000})],
        errors=("401", "403", "404", "409", "422"))}

def _projects_training(p: dict) -> None:
    """书记项目 and branch secretaries' training (JH-5)."""
    t = "书记抓党建"
    status = {"enum": ["planned", "in_progress", "done"]}
    kind = _path("kind", {"enum": ["problem", "report", "experience", "benchmark"]},
                 "成果：解决一个问题、形成一个报告、创造一条经验、打造一个标杆")
    milestone = {"type": "object", "properties": {"status": status, "done_on": DATE,
                                                  "note": {"type": "string", "maxLength": 2000}}}
    project = {"type": "object", "properties": {
        "organisation_id": ID, "year": YEAR, "title": {"type": "string", "minLength": 1, "maxLength": 300},
        "summary": {"type": "string", "maxLength": 2000}, "person_id": ID,
        "milestones": {"type": "object", "properties": {k: milestone for k in
                                                        ("problem", "report", "experience", "benchmark")},
                       "additionalProperties": False}}}
    filters = [_query("year", YEAR), _query("organisation_id", ID), _query("status", status)]
    p["/secretary-projects"] = {
        "get": _op("书记项目及进度（四个成果完成几项）", t, {"200": _json(LIST)}, params=filters,
                   errors=("401", "403", "404", "422")),
        "post": _op("新建书记项目（每个党委每年一个）", t, {"201": _json(OBJ)},
                    errors=("401", "403", "404", "409", "422"),
                    body=_body({**project, "required": ["organisation_id", "title"]}))}
    p["/secretary-projects/{project_id}"] = {
        "get": _op("一个书记项目（含四个成果和佐证材料）", t, {"200": _json(OBJ)}, params=[_path("project_id")],
                   errors=("401", "403", "404")),
        "patch": _op("修改书记项目或其成果的状态、完成日期、说明", t, {"200": _json(OBJ)},
                     params=[_path("project_id")], errors=("401", "403", "404", "422"), body=_body(project))}
    p["/secretary-projects/{project_id}/milestones/{kind}/evidence"] = {"post": _op(
        "上传成果的佐证材料（最多 20 MB）", t, {"201": _json(OBJ)}, params=[_path("project_id"), kind],
        errors=("400", "401", "403", "404", "409", "422"),
        body=_multipart({"file": {"type": "string", "format": "binary"}}, ["file"]))}
    p["/secretary-projects/{project_id}/milestones/{kind}/evidence/{index}"] = {"get": _op(
        "下载成果的佐证材料", t, {"200": _file("application/octet-stream", "文件")},
        params=[_path("project_id"), kind, _path("index", {"type": "integer", "minimum": 0, "maximum": 1000})],
        errors=("401", "403", "404"))}
    p["/secretary-projects/import"] = {"post": _op("导入书记项目（XLSX；逐行逐列报错，全部或全不）", t,
                                                   {"200": _json(OBJ)}, errors=("401", "403", "400", "422"),
                                                   body=XLSX_UPLOAD)}
    p["/secretary-projects/template.xlsx"] = {"get": _op("书记项目导入模板", t, {"200": XLSX_FILE})}
    p["/secretary-projects/export.xlsx"] = {"get": _op("导出书记项目", t, {"200": XLSX_FILE}, params=filters,
                                                       errors=("401", "403", "404", "422"))}
    p["/training/topics"] = {
        "get": _op("培训专题", t, {"200": _json(LIST)}, errors=("401", "403")),
        "post": _op("新增培训专题", t, {"201": _json(OBJ)}, errors=("401", "403", "404", "409", "422"),
                    body=_body({"type": "object", "required": ["name"], "properties": {
                        "name": {"type": "string", "minLength": 1, "maxLength": 200}, "organisation_id": ID}}))}
    cls = {"type": "object", "properties": {"topic_id": ID, "held_on": DATE,
                                            "place": {"type": "string", "maxLength": 200},
                                            "capacity": {"type": "integer", "minimum": 1, "maximum": 5000}}}
    p["/training/classes"] = {
        "get": _op("培训班（日期、地点、人数上限、报名和签到人数）", t, {"200": _json(LIST)},
                   params=[_query("year", YEAR)], errors=("401", "403", "422")),
        "post": _op("新增培训班", t, {"201": _json(OBJ)}, errors=("401", "403", "404", "422"),
                    body=_body({**cls, "required": ["topic_id", "held_on", "capacity"]}))}
    p["/training/classes/{class_id}"] = {
        "get": _op("一个培训班及报名、签到的支部书记", t, {"200": _json(OBJ)}, params=[_path("class_id")],
                   errors=("401", "403", "404")),
        "patch": _op("修改培训班", t, {"200": _json(OBJ)}, params=[_path("class_id")],
                     errors=("401", "403", "404", "422"), body=_body(cls))}
    p["/training/classes/{class_id}/enrolments"] = {"post": _op(
        "为党支部书记报名（不超过人数上限）", t, {"201": _json(OBJ)}, params=[_path("class_id")],
        errors=("401", "403", "404", "409", "422"),
        body=_body({"type": "object", "required": ["organisation_ids"], "properties": {
            "organisation_ids": {"type": "array", "items": ID, "minItems": 1, "maxItems": 5000}}}))}
    p["/training/classes/{class_id}/attendance"] = {"post": _op(
        "登记一名支部书记的签到", t, {"200": _json(OBJ)}, params=[_path("class_id")],
        errors=("401", "403", "404", "409", "422"),
        body=_body({"type": "object", "required": ["organisation_id"], "properties": {
            "organisation_id": ID, "attended": {"type": "boolean"}, "secretary": {"type": "string", "maxLength": 100}}}))}
    p["/training/classes/{class_id}/attendance/import"] = {"post": _op(
        "导入培训签到表（XLSX；逐行逐列报错，全部或全不）", t, {"200": _json(OBJ)}, params=[_path("class_id")],
        errors=("401", "403", "404", "400", "422"), body=XLSX_UPLOAD)}
    p["/training/sign-in-template.xlsx"] = {"get": _op("培训签到表模板", t, {"200": XLSX_FILE})}
    cov = [_query("year", YEAR), _query("organisation_id", ID)]
    p["/training/coverage"] = {"get": _op("培训覆盖：各党委已培训的支部书记占比，尚未培训的支部书记", t,
                                          {"200": _json(OBJ)}, params=cov, errors=("401", "403", "404", "422"))}
    p["/training/untrained.xlsx"] = {"get": _op("导出尚未培训的支部书记", t, {"200": XLSX_FILE}, params=cov,
                                                errors=("401", "403", "404", "422"))}
