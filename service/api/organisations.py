"""Who am I, which organisations can I see; admins edit the tree and import it from XLSX."""
from __future__ import annotations

import io

from flask import request
from sqlalchemy import select

from .. import audit, auth
from ..db import get_session
from ..errors import ApiError
from ..models import DOMAINS, ORG_KINDS, Organisation
from ..vocabulary import DOMAINS as DOMAIN_NAMES
from . import bp, serialize
from .common import json_object, opt_bool, opt_int, opt_str



@bp.get("/me")
def me():
    user = auth.require_user()
    return {"user": serialize.user(user), "organisation": serialize.organisation(user.organisation)}


@bp.get("/organisations")
def list_organisations():
    user = auth.require_user()
    db = get_session()
    query = auth.filter_visible(select(Organisation).order_by(Organisation.id), Organisation.id, db, user)
    kind = request.args.get("kind")
    if kind:
        query = query.where(Organisation.kind == kind)
    return {"items": [serialize.organisation(o) for o in db.execute(query).scalars()]}


def load_organisation(db, user, org_id: int) -> Organisation:
    return auth.load_visible(db, user, Organisation, org_id, "未找到该组织。", organisation_of=lambda o: o.id)


@bp.get("/organisations/<int:org_id>")
def get_organisation(org_id: int):
    user = auth.require_user()
    return serialize.organisation(load_organisation(get_session(), user, org_id))


def _apply(db, org: Organisation, payload: dict, creating: bool) -> dict:
    changes = {}
    name = opt_str(payload, "name", max_len=200, required=creating)
    if name is not None:
        changes["name"] = name
    if "kind" in payload or creating:
        kind = payload.get("kind") or "branch"
        if kind not in ORG_KINDS:
            raise ApiError("invalid", "kind 只能是 committee、party_committee、general_branch 或 branch。", 422,
                           {"field": "kind"})
        changes["kind"] = kind
    if "parent_id" in payload:
        parent_id = opt_int(payload, "parent_id", minimum=1, maximum=auth.MAX_ID)
        if parent_id is not None:
            if db.get(Organisation, parent_id) is None:
                raise ApiError("not_found", "未找到上级组织。", 404, {"field": "parent_id"})
            if org.id is not None:
                from ..auth import subtree_ids

                if parent_id in subtree_ids(db, org.id):
                    raise ApiError("conflict", "上级组织不能是它自己或它的下级。", 409, {"field": "parent_id"})
        changes["parent_id"] = parent_id
    if "domain" in payload:
        domain = payload.get("domain")
        if domain is not None and domain not in DOMAINS:
            raise ApiError("invalid", "domain 不是有效的领域代码。", 422, {"field": "domain"})
        changes["domain"] = domain
    for key, size in (("code", 20), ("secretary", 100), ("contact_person", 100), ("contact_phone", 50)):
        if key in payload:
            changes[key] = opt_str(payload, key, max_len=size)
    if "member_count" in payload:
        changes["member_count"] = opt_int(payload, "member_count", minimum=0, maximum=1_000_000)
    if "directly_under" in payload:
        changes["directly_under"] = bool(opt_bool(payload, "directly_under"))
    parent = changes.get("parent_id", org.parent_id)
    name = changes.get("name", org.name)
    clash = db.execute(select(Organisation).where(
        Organisation.name == name,
        Organisation.parent_id.is_(None) if parent is None else Organisation.parent_id == parent)).scalar_one_or_none()
    if clash is not None and clash.id != org.id:
        raise ApiError("conflict", "同一上级组织下已有同名组织。", 409, {"field": "name"})
    for key, value in changes.items():
        setattr(org, key, value)
    return changes


@bp.post("/organisations")
def create_organisation():
    user = auth.require_user("admin")
    db = get_session()
    org = Organisation(directly_under=False)
    changes = _apply(db, org, json_object(), creating=True)
    db.add(org)
    db.flush()
    audit.record(db, user, "organisation_create", "organisation", org.id, changes, organisation_id=org.id)
    db.commit()
    return serialize.organisation(org), 201


@bp.patch("/organisations/<int:org_id>")
def update_organisation(org_id: int):
    user = auth.require_user("admin")
    db = get_session()
    org = load_organisation(db, user, org_id)
    changes = _apply(db, org, json_object(), creating=False)
    if not changes:
        raise ApiError("invalid", "没有要修改的内容。", 422)
    audit.record(db, user, "organisation_update", "organisation", org.id, changes, organisation_id=org.id)
    db.commit()
    return serialize.organisation(org)


# --- XLSX import -------------------------------------------------------------------------

IMPORT_COLUMNS = {
    "name": ("组织名称", "名称", "党组织名称"),
    "parent": ("上级组织", "上级党组织", "所属党委"),
    "kind": ("类型", "组织类型"),
    "domain": ("领域", "所属领域"),
    "code": ("代码", "编码", "组织代码"),
    "member_count": ("党员人数", "党员数"),
    "secretary": ("书记", "支部书记"),
    "contact_person": ("联系人",),
    "contact_phone": ("联系电话",),
    "directly_under": ("工委直属", "是否工委直属"),
}
KIND_ALIASES = {"工委": "committee", "区委": "committee", "工委/区委": "committee", "党委": "party_committee",
                "党工委": "party_committee", "党组": "party_committee", "机关党委": "party_committee",
                "党委/党工委/党组": "party_committee", "总支": "general_branch", "党总支": "general_branch",
                "支部": "branch", "党支部": "branch"}


def _norm(text) -> str:
    return "".join(str(text or "").split()).replace("：", "").replace(":", "")


def _domain_code(text: str) -> str | None:
    t = _norm(text)
    for code, label in DOMAIN_NAMES.items():
        if t in (code, _norm(label)) or (t and _norm(label).startswith(t)):
            return code
    return None


def read_import_rows(data: bytes) -> tuple[list[dict], list[str]]:
    """Rows of the first sheet as dicts, with Chinese problems per row."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ApiError("invalid_file", "无法读取该文件：请上传 .xlsx 格式的组织名单。", 422) from None
    try:
        rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()
    rows = [r for r in rows if any(v not in (None, "") for v in r)]
    if not rows:
        raise ApiError("invalid_file", "表格为空。", 422)
    header = [_norm(h) for h in rows[0]]
    cols = {}
    for key, names in IMPORT_COLUMNS.items():
        for i, h in enumerate(header):
            if h in names:
                cols[key] = i
                break
    if "name" not in cols:
        raise ApiError("invalid_file", "表头缺少“组织名称”列。", 422)
    out, problems = [], []
    for n, raw in enumerate(rows[1:], 2):
        cell = lambda k: (raw[cols[k]] if k in cols and cols[k] < len(raw) else None)  # noqa: E731
        name = str(cell("name") or "").strip()
        if not name:
            problems.append(f"第{n}行：组织名称为空。")
            continue
        kind_text = _norm(cell("kind"))
        kind = KIND_ALIASES.get(kind_text, kind_text if kind_text in ORG_KINDS else None)
        if kind is None:
            kind = "branch" if not kind_text else None
        if kind is None:
            problems.append(f"第{n}行：无法识别的组织类型“{kind_text}”。")
            continue
        domain = None
        if cell("domain") not in (None, ""):
            domain = _domain_code(str(cell("domain")))
            if domain is None:
                problems.append(f"第{n}行：无法识别的领域“{cell('domain')}”。")
                continue
        members = cell("member_count")
        if members not in (None, ""):
            try:
                members = int(str(members).replace("人", "").strip())
            except ValueError:
                problems.append(f"第{n}行：党员人数“{members}”不是整数。")
                continue
        else:
            members = None
        direct = _norm(cell("directly_under")) in ("是", "√", "true", "1", "yes")
        out.append({"row": n, "name": name, "parent": str(cell("parent") or "").strip() or None, "kind": kind,
                    "domain": domain, "code": (str(cell("code")).strip() if cell("code") not in (None, "") else None),
                    "member_count": members,
                    "secretary": (str(cell("secretary")).strip() if cell("secretary") else None),
                    "contact_person": (str(cell("contact_person")).strip() if cell("contact_person") else None),
                    "contact_phone": (str(cell("contact_phone")).strip() if cell("contact_phone") else None),
                    "directly_under": direct})
    return out, problems


def import_organisations(db, user, data: bytes) -> dict:
    """All or nothing: any problem and nothing is written."""
    rows, problems = read_import_rows(data)
    by_name: dict[str, list[Organisation]] = {}
    for o in db.execute(select(Organisation)).scalars():
        by_name.setdefault(o.name, []).append(o)
    created = updated = 0
    pending: list[tuple[dict, Organisation | None]] = []
    for row in rows:
        parent = None
        if row["parent"]:
            candidates = by_name.get(row["parent"], [])
            if len(candidates) != 1:
                problems.append(f"第{row['row']}行：上级组织“{row['parent']}”"
                                + ("不存在（须先在表中靠前的行或系统中出现）。" if not candidates else "有重名，无法确定。"))
                continue
            parent = candidates[0]
        existing = next((o for o in by_name.get(row["name"], [])
                         if o.parent_id == (parent.id if parent else None)), None)
        org = existing or Organisation(name=row["name"], parent=parent)
        if parent is not None and org.parent is None and existing is None:
            org.parent = parent
        for key in ("kind", "domain", "code", "member_count", "secretary", "contact_person", "contact_phone",
                    "directly_under"):
            if row[key] is not None or key in ("kind", "directly_under"):
                setattr(org, key, row[key])
        if existing is None:
            db.add(org)
            db.flush()
            by_name.setdefault(org.name, []).append(org)
            created += 1
        else:
            updated += 1
        pending.append((row, org))
    if problems:
        db.rollback()
        raise ApiError("import_failed", f"组织名单有 {len(problems)} 处问题，未导入任何内容。", 422,
                       {"problems": problems})
    audit.record(db, user, "organisation_import", "organisation", None,
                 {"created": created, "updated": updated, "rows": len(rows)})
    return {"created": created, "updated": updated, "rows": len(rows)}


@bp.post("/organisations/import")
def import_organisations_xlsx():
    user = auth.require_user("admin")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ApiError("no_file", "请选择要导入的 XLSX 文件（表单字段 file）。", 400)
    db = get_session()
    result = import_organisations(db, user, upload.read())
    db.commit()
    return result
