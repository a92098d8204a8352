"""Organisations: who sees which, the admins' edits of the tree and its import from XLSX."""
from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit, auth
from ..errors import Conflict, Invalid, NotFound
from ..exports import example_check, template_examples
from ..models import DOMAINS, ORG_KINDS, Organisation, User
from ..vocabulary import DOMAINS as DOMAIN_NAMES, ORG_KINDS as KIND_NAMES, domain_name
from .cycles import load_organisation
from .validate import opt_bool, opt_int, opt_str

def listing(db: Session, actor: User, kind: str | None = None) -> list[Organisation]:
    query = auth.filter_visible(select(Organisation).order_by(Organisation.id), Organisation.id, db, actor)
    if kind:
        query = query.where(Organisation.kind == kind)
    return list(db.execute(query).scalars())


def branches(db: Session, actor: User) -> list[Organisation]:
    """The branches in the actor's view, by name (for choosing one on a page); dissolved ones are not offered."""
    query = select(Organisation).where(Organisation.kind == "branch", Organisation.dissolved_on.is_(None)) \
        .order_by(Organisation.name)
    return list(db.execute(auth.filter_visible(query, Organisation.id, db, actor)).scalars())


def tree(db: Session) -> list[tuple[int, Organisation]]:
    """Every organisation with its depth, parents before children."""
    children: dict = {}
    for o in db.execute(select(Organisation)).scalars():
        children.setdefault(o.parent_id, []).append(o)
    out: list[tuple[int, Organisation]] = []

    def walk(parent, depth):
        for o in sorted(children.get(parent, []), key=lambda o: o.id):
            out.append((depth, o))
            walk(o.id, depth + 1)
    walk(None, 0)
    return out


def tree_rows(db: Session) -> list[dict]:
    """The tree (:func:`tree`) as list rows (``service.usecases.listing``): names for kind and domain,
    the path above each organisation, its depth for the indentation."""
    paths = path_names(db)
    rows = []
    for depth, o in tree(db):
        above = paths.get(o.id, o.name)
        rows.append({"id": o.id, "depth": depth, "name": o.name, "kind": o.kind, "kind_name": KIND_NAMES.get(o.kind, ""),
                     "domain": o.domain, "domain_name": domain_name(o.domain), "code": o.code or "",
                     "member_count": o.member_count, "secretary": o.secretary or "",
                     "path": above.rsplit(" › ", 1)[0] if " › " in above else "",
                     "dissolved": o.dissolved_on is not None})
    return rows


def path_names(db: Session) -> dict[int, str]:
    """Each organisation's place in the tree as people say it: 静海区委 › 静海镇党委 › 城关社区党支部."""
    rows = {o.id: (o.parent_id, o.name) for o in db.execute(select(Organisation.id, Organisation.parent_id,
                                                                    Organisation.name))}
    out: dict[int, str] = {}

    def name(oid: int, depth: int = 0) -> str:
        if oid in out:
            return out[oid]
        parent, own = rows[oid]
        text = own if parent is None or parent not in rows or depth > 50 else f"{name(parent, depth + 1)} › {own}"
        out[oid] = text
        return text
    for oid in rows:
        name(oid)
    return out


def search(db: Session, actor: User, query: str, limit: int = 20, kind: str | None = None,
           live: bool = False) -> list[dict]:
    """The organisations in the actor's view whose name (or a parent's) contains ``query``, with their path
    (the organisation picker): those whose own name holds it first, then by path. ``kind``: of that kind only
    (``branch`` for a form that records something of a branch); ``live``: dissolved ones left out."""
    query = (query or "").strip()[:50]
    paths = path_names(db)
    visible = auth.visible_org_ids(db, actor)
    out = []
    # columns, not ORM objects: a picker of 2,000 branches built 2,240 objects on every page view
    stmt = select(Organisation.id, Organisation.name, Organisation.kind, Organisation.dissolved_on) \
        .order_by(Organisation.name)
    if kind:
        stmt = stmt.where(Organisation.kind == kind)
    if live:
        stmt = stmt.where(Organisation.dissolved_on.is_(None))
    for o in db.execute(stmt):
        if visible is not None and o.id not in visible:
            continue
        if query and query not in paths[o.id]:
            continue
        out.append({"id": o.id, "name": o.name, "path": paths[o.id], "kind": o.kind,
                    "kind_name": KIND_NAMES.get(o.kind, ""), "dissolved": o.dissolved_on is not None})
    if query:
        out.sort(key=lambda o: (query not in o["name"], o["dissolved"], o["path"]))
    return out[:limit]


#: an organisation picker lists every organisation in the user's view up to this many; beyond, the upper
#: levels of the view and a search of the tree (2,240 options made every admin page 0.5 MB)
PICKER_ALL = 200
PICKER_MAX_RESULTS = 100


def picker(db: Session, actor: User, selected: int | None = None, exclude: set[int] | frozenset = frozenset(),
           kind: str | None = None, live: bool = False) -> dict:
    """What an organisation picker offers before any search: ``options`` (by path), ``complete`` when they are
    every organisation of the actor's view (at most :data:`PICKER_ALL`), else the upper levels of the view
    (whole levels, up to that many), with ``selected`` among them; ``total``: how many the view holds (the rest by :func:`search`).
    ``kind`` and ``live`` as for :func:`search` (the picker's search asks for the same: ``search_args``);
    ``noun``: what it picks, as people say it (组织, 党支部)."""
    found = [o for o in search(db, actor, "", limit=10 ** 9, kind=kind, live=live) if o["id"] not in exclude]
    said = {"search_args": {**({"kind": kind} if kind else {}), **({"live": "1"} if live else {})},
            "noun": KIND_NAMES.get(kind, "组织") if kind else "组织", "kind": kind}
    if len(found) <= PICKER_ALL:
        return {"options": sorted(found, key=lambda o: o["path"]), "complete": True, "total": len(found), **said}
    levels: dict[int, list[dict]] = {}
    for o in found:
        levels.setdefault(o["path"].count(" › "), []).append(o)
    chosen: list[dict] = []
    for depth in sorted(levels):  # whole levels of the tree, from the top, while they fit
        if chosen and len(chosen) + len(levels[depth]) > PICKER_ALL:
            break
        chosen += sorted(levels[depth], key=lambda o: (o["dissolved"], o["path"]))[:PICKER_ALL]
    if selected is not None and all(o["id"] != selected for o in chosen):
        chosen += [o for o in found if o["id"] == selected]
    return {"options": sorted(chosen, key=lambda o: o["path"]), "complete": False, "total": len(found), **said}


def search_request(db: Session, actor: User, args) -> dict:
    """The picker's search (``q``, up to 50 characters; ``limit``, 1 to 100, 20 unless said; ``kind``, one
    organisation kind; ``live=1``, no dissolved ones) as ``{items, more}``."""
    q = (args.get("q") or "").strip()
    if len(q) > 50:
        raise Invalid("查找内容过长（最多 50 个字）。", field="q")
    raw = (args.get("limit") or "20").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= PICKER_MAX_RESULTS:
        raise Invalid(f"条数应为 1 到 {PICKER_MAX_RESULTS} 之间的整数。", field="limit")
    limit = int(raw)
    kind = (args.get("kind") or "").strip() or None
    if kind is not None and kind not in ORG_KINDS:
        raise Invalid(f"kind 只能是 {'、'.join(ORG_KINDS)}。", field="kind")
    live = (args.get("live") or "").strip()
    if live not in ("", "0", "1"):
        raise Invalid("live 只能是 0 或 1。", field="live")
    found = search(db, actor, q, limit=limit + 1, kind=kind, live=live == "1")
    return {"items": found[:limit], "more": len(found) > limit}


def dissolve(db: Session, actor: User, org_id: int, payload: dict) -> Organisation:
    """撤销 an organisation: its records stay, it is no longer offered, its accounts stop working.
    An organisation with organisations still under it is refused (move or dissolve them first)."""
    auth.require_role(actor, "admin")
    org = load_organisation(db, actor, org_id)
    if org.dissolved_on is not None:
        raise Conflict("该组织已撤销。")
    if org.parent_id is None:
        raise Conflict("不能撤销最上级的组织。")
    live = db.execute(select(Organisation.name).where(Organisation.parent_id == org.id,
                                                      Organisation.dissolved_on.is_(None))).scalars().all()
    if live:
        raise Conflict(f"请先移走或撤销其下级组织：{'、'.join(live[:5])}{'等' if len(live) > 5 else ''}。")
    if actor.organisation_id == org.id:
        raise Conflict("不能撤销自己所在的组织。")
    reason = opt_str(payload, "reason", max_len=300) or ""
    org.dissolved_on = dt.date.today()
    users = list(db.execute(select(User).where(User.organisation_id == org.id, User.active.is_(True))).scalars())
    for u in users:
        u.active = False
        auth.end_sessions(db, u)
        auth.revoke_tokens(db, u)
    audit.record(db, actor, "organisation_dissolve", "organisation", org.id,
                 {"reason": reason, "accounts_stopped": [u.username for u in users]}, organisation_id=org.id)
    return org


def create(db: Session, actor: User, payload: dict) -> Organisation:
    auth.require_role(actor, "admin")
    org = Organisation(directly_under=False)
    changes = _apply(db, org, payload, creating=True)
    db.add(org)
    db.flush()
    audit.record(db, actor, "organisation_create", "organisation", org.id, changes, organisation_id=org.id)
    return org


def update(db: Session, actor: User, org_id: int, payload: dict) -> Organisation:
    auth.require_role(actor, "admin")
    org = load_organisation(db, actor, org_id)
    changes = _apply(db, org, payload, creating=False)
    if not changes:
        raise Invalid("没有要修改的内容。")
    audit.record(db, actor, "organisation_update", "organisation", org.id, changes, organisation_id=org.id)
    return org


def _apply(db, org: Organisation, payload: dict, creating: bool) -> dict:
    changes = {}
    # a 名称 cleared is refused, not read as "leave it as it was" (the page said 已保存 and kept the old one)
    name = opt_str(payload, "name", max_len=200, required=creating or "name" in payload, name="名称")
    if name is not None:
        changes["name"] = name
    if "kind" in payload or creating:
        kind = payload.get("kind") or "branch"
        if kind not in ORG_KINDS:
            raise Invalid("kind 只能是 committee、party_committee、general_branch 或 branch。", field="kind")
        changes["kind"] = kind
    if "parent_id" in payload:
        parent_id = opt_int(payload, "parent_id", minimum=1, maximum=auth.MAX_ID)
        if parent_id is not None:
            if db.get(Organisation, parent_id) is None:
                raise NotFound("未找到上级组织。", field="parent_id")
            if org.id is not None and parent_id in auth.subtree_ids(db, org.id):
                raise Conflict("上级组织不能是它自己或它的下级。", field="parent_id")
        changes["parent_id"] = parent_id
    if "domain" in payload:
        domain = payload.get("domain")
        if domain is not None and domain not in DOMAINS:
            raise Invalid("domain 不是有效的领域代码。", field="domain")
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
        raise Conflict("同一上级组织下已有同名组织。", field="name")
    for key, value in changes.items():
        setattr(org, key, value)
    return changes


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
#: the 组织名单 template's example row (refused when left in: service.exports.example_refusal)
IMPORT_EXAMPLE = template_examples([["市财政局预算科党支部", "市财政局机关党委", "党支部", "机关", "", 12, "李秀英", "王芳",
                                     "022-68881234", "否"]])[0]
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
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise Invalid("无法读取该文件：请上传 .xlsx 格式的组织名单。", "invalid_file") from None
    try:
        rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()
    rows = [r for r in rows if any(v not in (None, "") for v in r)]
    if not rows:
        raise Invalid("表格为空。", "invalid_file")
    header = [_norm(h) for h in rows[0]]
    cols = {}
    for key, names in IMPORT_COLUMNS.items():
        for i, h in enumerate(header):
            if h in names:
                cols[key] = i
                break
    if "name" not in cols:
        raise Invalid("表头缺少“组织名称”列。", "invalid_file")
    out, problems = [], []
    example_refusal = example_check()
    for n, raw in enumerate(rows[1:], 2):
        example = example_refusal(n, raw)
        if example:
            problems.append(example)
            continue
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


def import_xlsx(db: Session, actor: User, data: bytes) -> dict:
    """All or nothing: any problem and nothing is written (the rows go in a savepoint)."""
    auth.require_role(actor, "admin")
    rows, problems = read_import_rows(data)
    with db.begin_nested():
        created, updated = _import_rows(db, rows, problems)
    audit.record(db, actor, "organisation_import", "organisation", None,
                 {"created": created, "updated": updated, "rows": len(rows)})
    return {"created": created, "updated": updated, "rows": len(rows)}


def _import_rows(db: Session, rows: list[dict], problems: list[str]) -> tuple[int, int]:
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
        raise Invalid(f"组织名单有 {len(problems)} 处问题，未导入任何内容。", "import_failed",
                      detail={"problems": problems})
    return created, updated
