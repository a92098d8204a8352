"""Rubrics (评定标准) as data: one YAML file per year in `rubrics/`, with per-domain sections.

Load with `load_rubric(year, admin_dir)`; validate an uploaded text with `parse_rubric(text, name)`.
Every problem is reported with the file name and line number (from PyYAML node marks),
all problems at once, as a `RubricError`.

File layout (see rubrics/2025.yaml):
  year: 2025
  dimensions: [{key, name, max}, ...]            # JH-2 / SQ-2, the five 好
  grades: [{key, name, min_total, dimension_min_percent?}, ...]  # best first
  satisfaction_cap: {below_percent, grade}       # 群众满意率 cap [default]
  domains:                                       # JH-1, all eight codes
    rural:
      name: …                # optional: the vocabulary's name of the domain
      emphasis: 带头人队伍建设
      grades: ...            # optional per-domain override
      satisfaction_cap: ...  # optional per-domain override
      items:                 # 标准细则: per dimension, points must add up to its max
        leadership:
          - {id, text, points, deductions: [{text, per: 0.5} | {text, zero: true}]}
Anchors/aliases may be used to share item lists between domains; merge keys (<<) may not.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from functools import lru_cache
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Mapping

import yaml

from ..vocabulary import DOMAIN_CODES, domain_name

RUBRIC_DIR = Path(__file__).resolve().parent / "rubrics"
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class RubricError(ValueError):
    """A rubric file is invalid. `problems` is a list of (line, message)."""

    def __init__(self, name: str, problems: list[tuple[int | None, str]]):
        self.name = name
        self.problems = sorted(problems, key=lambda p: (p[0] or 0))
        lines = [f"{name} 第{line}行：{msg}" if line else f"{name}：{msg}" for line, msg in self.problems]
        super().__init__("评定标准文件有误：\n" + "\n".join(lines))


@dataclass
class Rubric:
    year: int
    title: str
    dimensions: list[dict[str, Any]]
    grades: list[dict[str, Any]]
    satisfaction_cap: dict[str, Any] | None
    domains: dict[str, dict[str, Any]]
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def domain(self, code: str | None) -> dict[str, Any]:
        """The effective rubric of one domain: the year's grades/cap unless overridden.
        `None` or an unknown code gives the common part (no items)."""
        spec = self.domains.get(code or "", {})
        return {
            "year": self.year,
            "domain": code,
            "name": spec.get("name", code),
            "emphasis": spec.get("emphasis"),
            "dimensions": copy.deepcopy(self.dimensions),
            "grades": copy.deepcopy(spec.get("grades") or self.grades),
            "satisfaction_cap": copy.deepcopy(spec["satisfaction_cap"] if "satisfaction_cap" in spec
                                              else self.satisfaction_cap),
            "items": copy.deepcopy(spec.get("items", {})),
        }

    def to_dict(self) -> dict[str, Any]:
        return {"year": self.year, "title": self.title, "dimensions": self.dimensions,
                "grades": self.grades, "satisfaction_cap": self.satisfaction_cap,
                "domains": self.domains}


# ---------------------------------------------------------------------------- loading

def _dirs(directory: str | Path | None) -> list[Path]:
    """``directory`` (an admin's rubric files, e.g. ``Settings.rubric_dir``) layered over the
    built-in rubrics: a year present in both is taken from ``directory``."""
    return [Path(directory), RUBRIC_DIR] if directory is not None else [RUBRIC_DIR]


def _files(directory: str | Path | None) -> dict[int, Path]:
    """year -> the file in force for it (the first directory that has it wins)."""
    out: dict[int, Path] = {}
    for d in reversed(_dirs(directory)):
        if d.is_dir():
            out.update({int(p.stem): p for p in d.glob("*.yaml") if p.stem.isdigit()})
    return out


def available_years(directory: str | Path | None = None) -> list[int]:
    return sorted(_files(directory))


def load_rubric(year: int | None = None, directory: str | Path | None = None) -> Rubric:
    """The rubric in force for `year`: `<year>.yaml`, else the latest earlier year's file
    (a rubric stays in force until the admin adds a newer one). `year=None` -> the latest."""
    files = _files(directory)
    where = " + ".join(str(d) for d in _dirs(directory))
    years = sorted(files)
    if not years:
        raise FileNotFoundError(f"no rubric files (<year>.yaml) in {where}")
    if year is None:
        chosen = years[-1]
    else:
        earlier = [y for y in years if y <= int(year)]
        if not earlier:
            raise FileNotFoundError(f"no rubric for {year} or earlier in {where} (have {years})")
        chosen = earlier[-1]
    path = files[chosen]
    return copy.deepcopy(_parse_file(str(path), path.stat().st_mtime_ns))


@lru_cache(maxsize=32)
def _parse_file(path: str, mtime_ns: int) -> Rubric:
    """Parsed once per file version (the mtime is part of the key, so an edit is seen)."""
    p = Path(path)
    return parse_rubric(p.read_text(encoding="utf-8"), p.name)


def parse_rubric(text: str, name: str = "<rubric>") -> Rubric:
    """Parse and validate rubric YAML text. Raises RubricError naming file and lines."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise RubricError(name, [(line, f"YAML语法错误：{exc.problem or exc}")]) from None
    except yaml.YAMLError:  # a control character (ReaderError) has no problem mark
        raise RubricError(name, [(None, "文件含有不可打印的控制字符，不是有效的 YAML 文本")]) from None
    if root is None:
        raise RubricError(name, [(None, "文件为空")])
    v = _Validator(name)
    rubric = v.rubric(root)
    if v.problems:
        raise RubricError(name, v.problems)
    rubric.source = name
    return rubric


# ---------------------------------------------------------------------------- validation

def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


class _Validator:
    def __init__(self, name: str):
        self.name = name
        self.problems: list[tuple[int | None, str]] = []
        self.year_cap: dict[str, Any] | None = None

    def err(self, node: yaml.Node | None, msg: str) -> None:
        self.problems.append((_line(node) if node is not None else None, msg))

    # -- node helpers
    def mapping(self, node: yaml.Node, what: str, required: tuple[str, ...] = (),
                optional: tuple[str, ...] = ()) -> dict[str, yaml.Node] | None:
        if not isinstance(node, yaml.MappingNode):
            self.err(node, f"{what}应为映射（键: 值）")
            return None
        out: dict[str, yaml.Node] = {}
        for knode, vnode in node.value:
            if knode.tag == "tag:yaml.org,2002:merge":
                self.err(knode, f"{what}中不支持合并键“<<”")
                continue
            if not isinstance(knode, yaml.ScalarNode):
                self.err(knode, f"{what}的键应为文字")
                continue
            key = knode.value
            if key in out:
                self.err(knode, f"{what}中键“{key}”重复")
                continue
            if required or optional:
                if key not in required and key not in optional:
                    allowed = "、".join(required + optional)
                    self.err(knode, f"{what}中有未知的键“{key}”（允许：{allowed}）")
                    continue
            out[key] = vnode
        for key in required:
            if key not in out:
                self.err(node, f"{what}缺少“{key}”")
        return out

    def seq(self, node: yaml.Node, what: str) -> list[yaml.Node] | None:
        if not isinstance(node, yaml.SequenceNode):
            self.err(node, f"{what}应为列表")
            return None
        if not node.value:
            self.err(node, f"{what}不能为空")
            return None
        return list(node.value)

    def scalar(self, node: yaml.Node, what: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            self.err(node, f"{what}应为单个值")
            return None
        return _construct(node)

    def text(self, node: yaml.Node, what: str) -> str | None:
        value = self.scalar(node, what)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.err(node, f"{what}应为非空文字")
            return None
        return value

    def key(self, node: yaml.Node, what: str) -> str | None:
        value = self.text(node, what)
        if value is not None and not _KEY_RE.match(value):
            self.err(node, f"{what}“{value}”应为小写英文代码（如 leadership）")
            return None
        return value

    def number(self, node: yaml.Node, what: str, *, low: Decimal | None = None,
               high: Decimal | None = None, positive: bool = False) -> Decimal | None:
        value = self.scalar(node, what)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.err(node, f"{what}应为数字，实为“{node.value}”")
            return None
        try:
            dec = Decimal(node.value.strip())
        except InvalidOperation:
            dec = Decimal(str(value))
        if positive and dec <= 0:
            self.err(node, f"{what}应大于0，实为{node.value}")
            return None
        if low is not None and dec < low or high is not None and dec > high:
            self.err(node, f"{what}应在{low}至{high}之间，实为{node.value}")
            return None
        return dec

    # -- document
    def rubric(self, root: yaml.Node) -> Rubric:
        top = self.mapping(root, "文件顶层", required=("year", "dimensions", "grades", "domains"),
                           optional=("title", "satisfaction_cap", "common_items", "notes"))
        if top is None:
            return Rubric(0, "", [], [], None, {})
        year = None
        if "year" in top:
            y = self.number(top["year"], "year（年度）", low=Decimal(2000), high=Decimal(2999))
            if y is not None and y != int(y):
                self.err(top["year"], "year（年度）应为整数")
            year = int(y) if y is not None else None
        title = self.text(top["title"], "title（标题）") if "title" in top else ""
        dims = self.dimensions(top["dimensions"]) if "dimensions" in top else []
        dim_max = {d["key"]: Decimal(str(d["max"])) for d in dims}
        grades = self.grades(top["grades"], "grades") if "grades" in top else []
        cap = self.cap(top["satisfaction_cap"], grades, "satisfaction_cap") if "satisfaction_cap" in top else None
        self.year_cap = cap
        domains: dict[str, dict[str, Any]] = {}
        if "domains" in top:
            dm = self.mapping(top["domains"], "domains（领域）")
            if dm is not None:
                for code, node in dm.items():
                    knode = next(k for k, v in top["domains"].value if k.value == code)
                    if code not in DOMAIN_CODES:
                        self.err(knode, f"未知的领域代码“{code}”（应为 {' '.join(DOMAIN_CODES)}）")
                        continue
                    d = self.domain(node, code, dim_max, grades)
                    if d is not None:
                        domains[code] = d
                for code in DOMAIN_CODES:
                    if code not in dm:
                        self.err(top["domains"], f"domains 缺少领域“{code}”（JH-1 的八个领域都须有标准细则）")
        return Rubric(year or 0, title or "", dims, grades, cap, domains)

    def dimensions(self, node: yaml.Node) -> list[dict[str, Any]]:
        items = self.seq(node, "dimensions（维度）") or []
        out, seen = [], set()
        for i, item in enumerate(items, 1):
            m = self.mapping(item, f"第{i}个维度", required=("key", "name", "max"))
            if m is None or len(m) < 3:
                continue
            key = self.key(m["key"], "维度代码")
            name = self.text(m["name"], "维度名称")
            mx = self.number(m["max"], "维度满分", positive=True)
            if key in seen:
                self.err(m["key"], f"维度代码“{key}”重复")
                continue
            if key and name and mx is not None:
                seen.add(key)
                out.append({"key": key, "name": name, "max": _num(mx)})
        return out

    def grades(self, node: yaml.Node, where: str) -> list[dict[str, Any]]:
        items = self.seq(node, f"{where}（等次）") or []
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        prev_min: Decimal | None = None
        prev_pct: Decimal | None = None
        for i, item in enumerate(items, 1):
            m = self.mapping(item, f"{where} 第{i}个等次", required=("key", "name", "min_total"),
                             optional=("dimension_min_percent",))
            if m is None or not all(k in m for k in ("key", "name", "min_total")):
                continue
            key = self.key(m["key"], "等次代码")
            name = self.text(m["name"], "等次名称")
            mn = self.number(m["min_total"], "等次最低总分", low=Decimal(0))
            pct = (self.number(m["dimension_min_percent"], "分项最低得分率（%）", low=Decimal(0),
                               high=Decimal(100)) if "dimension_min_percent" in m else None)
            if key in seen:
                self.err(m["key"], f"等次代码“{key}”重复")
                continue
            if mn is not None and prev_min is not None and mn >= prev_min:
                self.err(m["min_total"], f"等次应按从高到低排列：“{name}”的最低总分{mn}不低于上一等次的{prev_min}")
            if pct is not None and prev_pct is not None and pct > prev_pct:
                self.err(m["dimension_min_percent"], f"“{name}”的分项要求{pct}%高于上一等次的{prev_pct}%")
            if key and name and mn is not None:
                seen.add(key)
                prev_min = mn
                if pct is not None:
                    prev_pct = pct
                g = {"key": key, "name": name, "min_total": _num(mn)}
                if pct is not None:
                    g["dimension_min_percent"] = _num(pct)
                out.append(g)
        if out and Decimal(str(out[-1]["min_total"])) != 0:
            self.err(items[-1], f"最低等次“{out[-1]['name']}”的最低总分应为0，使每个总分都有等次")
        return out

    def cap(self, node: yaml.Node, grades: list[dict[str, Any]], where: str) -> dict[str, Any] | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return None
        m = self.mapping(node, f"{where}（群众满意率封顶）", required=("below_percent", "grade"))
        if m is None or len(m) < 2:
            return None
        pct = self.number(m["below_percent"], "满意率阈值（%）", low=Decimal(0), high=Decimal(100))
        grade = self.key(m["grade"], "封顶等次")
        if grade and grades and grade not in {g["key"] for g in grades}:
            self.err(m["grade"], f"封顶等次“{grade}”不在等次列表中")
            return None
        if pct is None or grade is None:
            return None
        return {"below_percent": _num(pct), "grade": grade}

    def domain(self, node: yaml.Node, code: str, dim_max: dict[str, Decimal],
               year_grades: list[dict[str, Any]]) -> dict[str, Any] | None:
        m = self.mapping(node, f"领域“{code}”", required=("items",),
                         optional=("name", "emphasis", "grades", "satisfaction_cap"))
        if m is None:
            return None
        out: dict[str, Any] = {}
        out["name"] = self.text(m["name"], f"领域“{code}”的名称") if "name" in m else domain_name(code)
        if "emphasis" in m:
            out["emphasis"] = self.text(m["emphasis"], f"领域“{code}”的侧重点")
        grades = year_grades
        if "grades" in m:
            grades = self.grades(m["grades"], f"领域“{code}”的 grades")
            out["grades"] = grades
        if "satisfaction_cap" in m:
            out["satisfaction_cap"] = self.cap(m["satisfaction_cap"], grades, f"领域“{code}”的 satisfaction_cap")
        elif "grades" in m and self.year_cap and grades and \
                self.year_cap["grade"] not in {g["key"] for g in grades}:
            self.err(m["grades"], f"领域“{code}”改写了等次，但年度的群众满意率封顶等次“{self.year_cap['grade']}”"
                                  f"不在其中，请同时写 satisfaction_cap")
        if "items" not in m:
            return out
        im = self.mapping(m["items"], f"领域“{code}”的 items")
        if im is None:
            return out
        items: dict[str, list[dict[str, Any]]] = {}
        ids: set[str] = set()
        for knode, vnode in m["items"].value:
            dim = knode.value
            if dim not in dim_max:
                self.err(knode, f"领域“{code}”中有未定义的维度“{dim}”（应为 {' '.join(dim_max)}）")
                continue
            items[dim] = self.item_list(vnode, code, dim, dim_max[dim], ids)
        for dim in dim_max:
            if dim not in im:
                self.err(m["items"], f"领域“{code}”缺少维度“{dim}”的标准细则")
        out["items"] = items
        return out

    def item_list(self, node: yaml.Node, code: str, dim: str, maximum: Decimal,
                  ids: set[str]) -> list[dict[str, Any]]:
        where = f"领域“{code}”维度“{dim}”"
        nodes = self.seq(node, f"{where}的细则") or []
        out, total, complete = [], Decimal(0), True
        for i, item in enumerate(nodes, 1):
            m = self.mapping(item, f"{where}第{i}条细则", required=("id", "text", "points"),
                             optional=("deductions",))
            if m is None or not all(k in m for k in ("id", "text", "points")):
                complete = False
                continue
            iid = self.text(m["id"], "细则编号")
            text = self.text(m["text"], "细则内容")
            pts = self.number(m["points"], f"细则“{iid}”的分值", positive=True)
            if iid in ids:
                self.err(m["id"], f"领域“{code}”中细则编号“{iid}”重复")
            if iid:
                ids.add(iid)
            deds = self.deductions(m["deductions"], iid, pts) if "deductions" in m else []
            if pts is None or iid is None or text is None:
                complete = False
                continue
            total += pts
            out.append({"id": iid, "text": text, "points": _num(pts), "deductions": deds})
        if complete and nodes and total != maximum:
            self.err(node, f"{where}各条细则分值合计{_num(total)}分，与该维度满分{_num(maximum)}分不符")
        return out

    def deductions(self, node: yaml.Node, iid: str | None, pts: Decimal | None) -> list[dict[str, Any]]:
        nodes = self.seq(node, f"细则“{iid}”的扣分规则") or []
        out = []
        for i, d in enumerate(nodes, 1):
            m = self.mapping(d, f"细则“{iid}”第{i}条扣分规则", required=("text",),
                             optional=("per", "zero"))
            if m is None or "text" not in m:
                continue
            text = self.text(m["text"], "扣分规则内容")
            has_per, has_zero = "per" in m, "zero" in m
            if has_per == has_zero:
                self.err(d, f"细则“{iid}”第{i}条扣分规则须有且只有 per（每次扣分）或 zero: true（此项不得分）之一")
                continue
            if has_per:
                per = self.number(m["per"], "每次扣分", positive=True)
                if per is not None and pts is not None and per > pts:
                    self.err(m["per"], f"每次扣分{per}超过细则分值{pts}")
                    continue
                if text and per is not None:
                    out.append({"text": text, "per": _num(per)})
            else:
                z = self.scalar(m["zero"], "zero")
                if z is not True:
                    self.err(m["zero"], "zero 只能写 true")
                    continue
                if text:
                    out.append({"text": text, "zero": True})
        return out


def _construct(node: yaml.ScalarNode) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _num(d: Decimal) -> int | float:
    return int(d) if d == d.to_integral_value() else float(d)


# ---------------------------------------------------------------------------- item scoring

def score_items(domain_rubric: Mapping[str, Any], marks: Mapping[str, Mapping[int, int]]) -> dict[str, Any]:
    """Dimension scores from deductions against the 标准细则.

    `marks` = {item_id: {deduction_index: count}}; a `zero` rule with count >= 1 zeroes the
    item; `per` rules subtract per*count; an item never goes below 0.
    Returns {"dimensions": {dim: score}, "total": score, "unknown_items": [...]}."""
    known = {it["id"]: (dim, it) for dim, its in domain_rubric["items"].items() for it in its}
    unknown = sorted(set(marks) - set(known))
    dims: dict[str, Decimal] = {}
    for dim, its in domain_rubric["items"].items():
        dsum = Decimal(0)
        for it in its:
            got = Decimal(str(it["points"]))
            for idx, count in (marks.get(it["id"]) or {}).items():
                rule = it["deductions"][int(idx)]
                if int(count) <= 0:
                    continue
                if rule.get("zero"):
                    got = Decimal(0)
                else:
                    got -= Decimal(str(rule["per"])) * int(count)
            dsum += max(got, Decimal(0))
        dims[dim] = dsum
    return {"dimensions": {k: _num(v) for k, v in dims.items()},
            "total": _num(sum(dims.values(), Decimal(0))), "unknown_items": unknown}
