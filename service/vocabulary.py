"""The programme's vocabulary: every code the service stores, with the Chinese name people read.

One module, loaded once from data: ``parsers/forms.yaml`` (form kinds, the eight domains, the
five score dimensions, honours: the parsers read that file too), ``service/vocabulary.yaml``
(document kinds with their DOCX templates, statuses, grades, roles, organisation kinds, the
public-URL default) and ``service/checks/lifecycle.yaml`` (cycle states). Code, pages and
documents import the tables from here instead of spelling the names out (issue 10: the domains
were written out in nine places, the document kinds three ways).

It imports nothing from the project, so every layer may use it.
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Mapping

import yaml

HERE = Path(__file__).resolve().parent
FORMS_YAML = HERE.parent / "parsers" / "forms.yaml"
VOCABULARY_YAML = HERE / "vocabulary.yaml"
LIFECYCLE_YAML = HERE / "checks" / "lifecycle.yaml"


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML keeps the last of two equal keys without a word; a vocabulary where ``title`` named
    活动内容 and then 职务 gave one form the other's wording. Here a repeated key stops the load."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _load(path: Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_UniqueKeyLoader)


class _Table(dict):
    """A read-only dict: the tables are shared by every module (and still serialise as JSON)."""

    def _refuse(self, *args, **kwargs):
        raise TypeError("the vocabulary is read-only: change the YAML")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _refuse

    def __reduce__(self):  # copies and pickles are plain dicts
        return (dict, (dict(self),))

    def __copy__(self):
        return dict(self)

    def __deepcopy__(self, memo):
        return dict(self)


def _frozen(mapping: Mapping) -> Mapping:
    return _Table(mapping)


_forms = _load(FORMS_YAML)
_vocab = _load(VOCABULARY_YAML)
_lifecycle = _load(LIFECYCLE_YAML)

#: domain code -> name (JH-1, the eight 领域), in the order of the forms' checkbox row
DOMAINS: Mapping[str, str] = _frozen(_forms["domains"])
DOMAIN_CODES: tuple[str, ...] = tuple(DOMAINS)

#: score dimension key -> name (SQ-2, the five 好)
DIMENSIONS: Mapping[str, str] = _frozen(_forms["score_dimensions"])
DIMENSION_KEYS: tuple[str, ...] = tuple(DIMENSIONS)

#: honour code -> name (the 已获荣誉 of a declaration, SZ-1.1)
HONORS: Mapping[str, str] = _frozen(_forms["honors"])

#: form kind -> full title as printed on the form; FORM_NAMES: the short name pages use
FORM_KINDS: tuple[str, ...] = tuple(_forms["kinds"])
FORM_TITLES: Mapping[str, str] = _frozen({k: v["title"] for k, v in _forms["kinds"].items()})
UNKNOWN_FORM = "unknown"
FORM_NAMES: Mapping[str, str] = _frozen({**{k: v["short"] for k, v in _forms["kinds"].items()},
                                         UNKNOWN_FORM: _vocab["unknown_form"]})

#: document kind -> name (补正通知, 荣誉证书, …) and -> DOCX template file name (None: no kind template)
DOCUMENT_KINDS: Mapping[str, str] = _frozen({k: v["name"] for k, v in _vocab["document_kinds"].items()})
DOCX_TEMPLATES: Mapping[str, str | None] = _frozen(
    {k: v.get("template") for k, v in _vocab["document_kinds"].items()})
CERTIFICATE_KINDS: tuple[str, ...] = tuple(_vocab["certificate_kinds"])

SUBMISSION_STATUSES: Mapping[str, str] = _frozen(_vocab["submission_statuses"])
REGISTER_STATUSES: Mapping[str, str] = _frozen(_vocab["register_statuses"])
GRADES: Mapping[str, str] = _frozen(_vocab["grades"])
ROLES: Mapping[str, str] = _frozen(_vocab["roles"])
ORG_KINDS: Mapping[str, str] = _frozen(_vocab["org_kinds"])
STREET_UNIT_CATEGORIES: Mapping[str, str] = _frozen(_vocab["street_unit_categories"])
BRAND_STAGES: Mapping[str, str] = _frozen(_vocab["brand_stages"])
BRAND_ACTIONS: Mapping[str, str] = _frozen(_vocab["brand_actions"])

#: input key -> what a person calls it (messages about an input name it so, never by its key)
INPUT_NAMES: Mapping[str, str] = _frozen(_vocab["input_names"])


def input_name(key: str) -> str:
    """The input's name for a message: 年度 for year, 领导班子好 for leadership, 该项 when it has none."""
    base = key.rsplit(".", 1)[-1]
    return INPUT_NAMES.get(base) or DIMENSIONS.get(base) or "该项"


#: creation-cycle state -> name (SZ-2, SZ-3); TERMINAL_STATES accept no event
CYCLE_STATES: Mapping[str, str] = _frozen({k: v["name"] for k, v in _lifecycle["states"].items()})
TERMINAL_STATES: frozenset[str] = frozenset(k for k, v in _lifecycle["states"].items() if v.get("terminal"))

#: where the service is reachable when WUHAO_PUBLIC_URL is not set (QR codes, verify links)
DEFAULT_PUBLIC_URL: str = _vocab["public_url"]


def domain_name(code: str | None) -> str:
    """The domain's Chinese name; '' for none, the code itself for an unknown one."""
    return DOMAINS.get(code or "", code or "")


def document_kind_name(kind: str | None) -> str:
    """The document kind's Chinese name; the code itself for an unknown kind."""
    return DOCUMENT_KINDS.get(kind or "", kind or "")


def cn_date(value) -> str:
    """A date as a Chinese document writes it: 2026年12月1日 (GB/T 9704-2012 7.3.5.4: Arabic
    numerals, no zero padding). Takes a date, a datetime (its date) or an ISO text
    ('2026-12-01', also '2026/12/1', '2026.12.1', '20261201'); a year-month text gives
    '2026年12月'. None or '' gives ''; text that is no date comes back unchanged."""
    if value in (None, ""):
        return ""
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"):
        try:
            return cn_date(_dt.datetime.strptime(text[:10] if fmt == "%Y-%m-%d" else text, fmt).date())
        except ValueError:
            pass
    for fmt in ("%Y-%m", "%Y/%m", "%Y.%m"):
        try:
            d = _dt.datetime.strptime(text, fmt).date()
            return f"{d.year}年{d.month}月"
        except ValueError:
            pass
    return text


def cn_datetime(value: _dt.datetime | None, tz: _dt.tzinfo | None = None) -> str:
    """A moment as people read it: 2026年12月1日 14:05 (local time of ``tz``, default the
    machine's zone; never an ISO timestamp on a page). None gives ''."""
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(tz)
    return f"{cn_date(value.date())} {value:%H:%M}"

#: the district's management layer (JH-4..JH-6): code -> Chinese name
PERSON_RANKS: Mapping[str, str] = _frozen(_vocab["person_ranks"])
ASSIGNMENT_KINDS: Mapping[str, str] = _frozen(_vocab["assignment_kinds"])
INSPECTION_KINDS: Mapping[str, str] = _frozen(_vocab["inspection_kinds"])
BRANCH_LISTS: Mapping[str, str] = _frozen(_vocab["branch_lists"])
#: 两册一证 (JH-6): registers, 纪实 and 抽查
HANDBOOK_KINDS: Mapping[str, str] = _frozen(_vocab["handbook_kinds"])
MEMBER_RECORD_KINDS: Mapping[str, str] = _frozen(_vocab["member_record_kinds"])
SPOT_CHECK_ITEMS: Mapping[str, str] = _frozen(_vocab["spot_check_items"])
SPOT_CHECK_RESULTS: Mapping[str, str] = _frozen(_vocab["spot_check_results"])
PROJECT_OUTPUTS: Mapping[str, str] = _frozen(_vocab["project_outputs"])
MILESTONE_STATUSES: Mapping[str, str] = _frozen(_vocab["milestone_statuses"])

#: audit log action -> name, object type -> name (the audit page, its exports, an archive's 操作记录)
AUDIT_ACTIONS: Mapping[str, str] = _frozen(_vocab["audit_actions"])
AUDIT_OBJECTS: Mapping[str, str] = _frozen(_vocab["audit_objects"])


def code_name(key: str, value) -> str | None:
    """The name of a stored code found under ``key`` in a record's detail (领域 for ``domain``, the
    kind of a document, an assignment or an inspection for ``kind``, …); None when ``value`` is no
    code of the tables that key may hold."""
    tables = _CODE_TABLES.get(key, ())
    for table in tables:
        if isinstance(value, str) and value in table:
            return table[value]
    return None


#: detail key -> the tables its codes come from, first match wins (contact is an assignment kind,
#: field an inspection kind, organ a domain)
_CODE_TABLES: Mapping[str, tuple[Mapping[str, str], ...]] = {
    "domain": (DOMAINS,), "kind": (DOCUMENT_KINDS, ASSIGNMENT_KINDS, INSPECTION_KINDS, HANDBOOK_KINDS,
                                       MEMBER_RECORD_KINDS, ORG_KINDS, FORM_NAMES, PROJECT_OUTPUTS),
    "form": (FORM_NAMES,), "rank": (PERSON_RANKS,), "role": (ROLES,), "stage": (BRAND_STAGES,),
    "category": (STREET_UNIT_CATEGORIES,), "grade": (GRADES,), "status": (SUBMISSION_STATUSES, REGISTER_STATUSES),
    "list": (BRANCH_LISTS,), "action": (AUDIT_ACTIONS, BRAND_ACTIONS),
}
