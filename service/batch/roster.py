"""Rosters in: XLSX or CSV (UTF-8 or GB18030) of members or branches.

Columns are found by header synonyms; every bad row is reported with its spreadsheet row
number and the reason before anything is generated.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field

from openpyxl import load_workbook
from sqlalchemy import select

from service.exports import example_check, template_examples
from service.models import Organisation

HEADER_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "party-card": {
        "name": ("姓名", "党员姓名", "名字", "name"),
        "branch_name": ("所在支部", "所在党支部", "支部", "党支部", "支部名称", "所在党组织", "党组织",
                        "branch", "branch_name"),
        "id_number": ("身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证", "id_number"),
        "gender": ("性别", "gender"),
        "joined_on": ("入党时间", "入党日期", "入党年月", "joined_on"),
        "member_no": ("党员编号", "人员编号", "工号", "member_no"),
        "phone": ("联系电话", "手机", "手机号", "电话", "phone"),
    },
    "honor-certificate": {
        "branch_name": ("支部名称", "党支部", "党支部名称", "党组织名称", "支部", "受表彰党支部", "单位",
                        "branch", "branch_name"),
        "parent_org": ("上级党组织", "所属党委", "上级党委", "parent_org"),
        "title": ("荣誉称号", "称号", "title"),
        "term": ("届期", "有效期", "term"),
    },
}
REQUIRED = {"party-card": ("name", "branch_name"), "honor-certificate": ("branch_name",)}
#: the 党员名册 template's example member, on its row 2 (service/web/imports.py): a roster that still has it
#: would number a 党员证 for 张三, so that row is refused as the example it is
EXAMPLE_MEMBER = {"name": "张三", "branch_name": "市财政局预算科党支部", "id_number": "120101199001011234", "gender": "男",
                  "joined_on": "2015-07-01", "member_no": "0001", "phone": "13800000000"}
#: the 受表彰党支部名单 template's example branch
EXAMPLE_HONOUR = {"branch_name": "市财政局预算科党支部", "parent_org": "市财政局机关党委", "title": "市直机关“五好党支部”",
                  "term": "2025—2029年"}
#: the two templates' example rows, in their columns' order (refused when left in a roster)
EXAMPLE_ROWS = template_examples([[example.get(k, "") for k in HEADER_SYNONYMS[kind]] for kind, example in
                                  (("party-card", EXAMPLE_MEMBER), ("honor-certificate", EXAMPLE_HONOUR))])
KIND_LABEL = {"party-card": "党员", "honor-certificate": "党支部"}


@dataclass
class RosterRow:
    row: int                      # spreadsheet row number (header is row 1)
    values: dict[str, str]
    organisation_id: int | None = None
    organisation_path: str = ""
    scope: str = ""               # numbering scope (county + committee code for 党员证)
    sort_key: tuple = ()


@dataclass
class RowError:
    row: int
    reason: str
    column: str | None = None

    def as_dict(self) -> dict:
        return {"row": self.row, "reason": self.reason, "column": self.column}


@dataclass
class Roster:
    kind: str
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # key -> header text
    encoding: str | None = None


class RosterError(ValueError):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("；".join(f"第{e.row}行：{e.reason}" for e in errors[:5]))


def norm(text) -> str:
    """NFKC, no whitespace (also the full-width space used as padding in labels)."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    return re.sub(r"\s+", "", s)


def clean(text) -> str:
    if text is None:
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    return " ".join(unicodedata.normalize("NFKC", str(text)).split())


def decode_csv(data: bytes) -> tuple[str, str]:
    """Text and encoding of a CSV: a UTF-8 BOM or valid UTF-8, else GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise RosterError([RowError(1, "无法识别的文件编码（既不是 UTF-8 也不是 GB18030），"
                                       "请在 Excel 中另存为 XLSX 或“CSV UTF-8”后重新上传。")]) from None


def _read_rows(data: bytes, filename: str) -> tuple[list[list], str | None]:
    name = (filename or "").lower()
    if name.endswith((".xlsx", ".xlsm")) or data[:2] == b"PK":
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl's reasons are English and about ZIP parts: not for a clerk
            raise RosterError([RowError(1, "无法读取该文件，它不是有效的 XLSX 工作簿；请用名册模板填写，"
                                           "在 Excel 中另存为 XLSX 后重新上传。")]) from None
        ws = wb.worksheets[0]
        rows = [(cells[0].row, [c.value for c in cells]) for cells in ws.iter_rows()
                if cells and hasattr(cells[0], "row")]
        wb.close()
        return rows, None
    text, enc = decode_csv(data)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;，")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    out = []
    for cells in reader:
        out.append((reader.line_num, list(cells)))
    return out, enc


def _map_headers(kind: str, header: list) -> tuple[dict[str, int], dict[str, str]]:
    synonyms = HEADER_SYNONYMS[kind]
    lookup = {}
    for key, names in synonyms.items():
        for n in names:
            lookup.setdefault(norm(n).casefold(), key)
    index: dict[str, int] = {}
    texts: dict[str, str] = {}
    for i, cell in enumerate(header):
        key = lookup.get(norm(cell).rstrip(":：*").casefold())
        if key and key not in index:
            index[key] = i
            texts[key] = clean(cell)
    return index, texts


_DATE_PATTERNS = [
    (re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"), 3),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), 3),
    (re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$"), 2),
]


def parse_date(value) -> str | None:
    """ISO date (or YYYY-MM) from a cell; None when unreadable."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = norm(value)
    for pattern, parts in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            y, mth = int(m.group(1)), int(m.group(2))
            try:
                if parts == 3:
                    return dt.date(y, mth, int(m.group(3))).isoformat()
                dt.date(y, mth, 1)
                return f"{y:04d}-{mth:02d}"
            except ValueError:
                return None
    return None


def parse_roster(data: bytes, filename: str, kind: str, organisations: "OrgIndex | None" = None) -> Roster:
    """Read and validate a roster; ``organisations`` resolves branch names (unknown → error)."""
    if kind not in HEADER_SYNONYMS:
        raise RosterError([RowError(1, f"未知的证书类型：{kind}")])
    raw, enc = _read_rows(data, filename)
    roster = Roster(kind, encoding=enc)
    # the header is the first non-empty row
    start = 0
    while start < len(raw) and not any(clean(c) for c in raw[start][1]):
        start += 1
    if start >= len(raw):
        roster.errors.append(RowError(1, "名册为空：没有表头和数据行"))
        return roster
    header_row, header = raw[start]
    index, roster.columns = _map_headers(kind, header)
    missing = [k for k in REQUIRED[kind] if k not in index]
    if missing:
        wanted = "、".join(HEADER_SYNONYMS[kind][k][0] for k in missing)
        roster.errors.append(RowError(header_row, f"表头缺少必需的列：{wanted}"))
        return roster
    seen: dict[tuple, int] = {}
    example_refusal = example_check()
    for offset, cells in raw[start + 1:]:
        if not any(clean(c) for c in cells):
            continue
        example = example_refusal(offset, cells)  # a template's example row left in (the one rule of every import)
        if example:
            roster.errors.append(RowError(offset, example))
            continue
        values = {}
        for key, i in index.items():
            cell = cells[i] if i < len(cells) else None
            values[key] = cell if key == "joined_on" else clean(cell)
        row_errors = []
        if kind == "party-card":
            if not values.get("name"):
                row_errors.append(RowError(offset, "缺少姓名", roster.columns.get("name")))
            if "joined_on" in values:
                if values["joined_on"] in (None, ""):
                    values["joined_on"] = ""
                else:
                    iso = parse_date(values["joined_on"])
                    if iso is None:
                        row_errors.append(RowError(offset, f"入党时间无法识别：{clean(values['joined_on'])}",
                                                   roster.columns.get("joined_on")))
                    values["joined_on"] = iso or ""
        if not values.get("branch_name"):
            row_errors.append(RowError(offset, "缺少所在支部" if kind == "party-card" else "缺少支部名称",
                                       roster.columns.get("branch_name")))
        org = None
        if values.get("branch_name") and organisations is not None:
            org = organisations.find(values["branch_name"])
            if org is None:
                reason = ("支部不在本机关管辖范围内" if organisations.is_outside(values["branch_name"])
                          else "未知的支部")
                row_errors.append(RowError(offset, f"{reason}：{values['branch_name']}",
                                           roster.columns.get("branch_name")))
        if not row_errors:
            if kind == "party-card":
                ident = norm(values.get("id_number")).upper()
                key = ("id", ident) if ident else ("name", norm(values["name"]), norm(values["branch_name"]),
                                                     values.get("joined_on", ""))
            else:
                key = ("branch", norm(values["branch_name"]))
            if key in seen:
                what = "重复的党员" if kind == "party-card" else "重复的党支部"
                row_errors.append(RowError(offset, f"{what}：与第{seen[key]}行相同"))
            else:
                seen[key] = offset
        if row_errors:
            roster.errors.extend(row_errors)
            continue
        row = RosterRow(offset, {k: ("" if v is None else v) for k, v in values.items()})
        if org is not None:
            row.organisation_id = org.id
            row.organisation_path = org.path
            row.scope = org.scope
            if kind == "honor-certificate" and not row.values.get("parent_org"):
                row.values["parent_org"] = org.parent_name
            row.sort_key = (org.order, offset)
        else:
            row.sort_key = (10**9, norm(values["branch_name"]), offset)
        roster.rows.append(row)
    if not roster.rows and not roster.errors:
        roster.errors.append(RowError(header_row, "名册没有数据行"))
    roster.rows.sort(key=lambda r: r.sort_key)
    return roster


@dataclass
class OrgInfo:
    id: int
    name: str
    path: str
    parent_name: str
    scope: str
    order: int


class OrgIndex:
    """Organisations by normalised name, with their path, tree order and numbering scope."""

    def __init__(self, orgs: list[OrgInfo], outside: list[str] = ()):
        self.by_name: dict[str, list[OrgInfo]] = {}
        for o in orgs:
            self.by_name.setdefault(norm(o.name), []).append(o)
        # branches that exist but lie outside the issuing organisation's subtree (issue 11)
        self.outside = {norm(name) for name in outside}

    def is_outside(self, name: str) -> bool:
        return norm(name) in self.outside and norm(name) not in self.by_name

    def find(self, name: str) -> OrgInfo | None:
        hits = self.by_name.get(norm(name))
        return hits[0] if hits and len(hits) == 1 else None

    @classmethod
    def from_session(cls, session, root_id: int | None = None) -> "OrgIndex":
        rows = session.execute(select(Organisation.id, Organisation.parent_id, Organisation.name,
                                      Organisation.kind, Organisation.code)).all()
        return cls.from_rows([tuple(r) for r in rows], root_id)

    @classmethod
    def from_rows(cls, rows: list[tuple], root_id: int | None = None) -> "OrgIndex":
        """rows: (id, parent_id, name, kind, code)."""
        by_id = {r[0]: r for r in rows}
        children: dict = {}
        for r in rows:
            children.setdefault(r[1], []).append(r)
        order: dict[int, int] = {}

        def walk(pid, depth=0):
            for r in sorted(children.get(pid, []), key=lambda r: r[0]):
                order[r[0]] = len(order)
                walk(r[0], depth + 1)

        walk(None)
        allowed = None
        if root_id is not None:
            allowed = set()
            stack = [root_id]
            while stack:
                i = stack.pop()
                allowed.add(i)
                stack.extend(r[0] for r in children.get(i, []))
        infos = []
        outside = []
        for r in rows:
            if r[3] not in ("branch", "general_branch"):
                continue
            if allowed is not None and r[0] not in allowed:
                outside.append(r[2])
                continue
            chain = []
            cur = r
            while cur is not None:
                chain.append(cur)
                cur = by_id.get(cur[1])
            ancestors = chain[1:]
            county = next((a[4] for a in ancestors if a[3] == "committee" and a[4]), "00")
            committee = next((a[4] for a in ancestors if a[3] in ("party_committee", "street") and a[4]), None)
            if committee is None:
                committee = r[4] or "00"
            path = " / ".join(a[2] for a in reversed(ancestors))
            infos.append(OrgInfo(r[0], r[2], path, ancestors[0][2] if ancestors else "",
                                 f"{county}{committee}", order.get(r[0], 0)))
        return cls(infos, outside)
