"""The vocabulary is spelt in one place (issue 10): service/vocabulary.py with its YAML data.

A name written out as a value of its own — a string literal, a YAML scalar, a checkbox option
(□农村), a table cell — anywhere else in the code, pages or data means a second copy that will
drift. Names inside running text (a message saying 请补正 or a docstring) are not copies.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from service import vocabulary as V

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("service", "parsers")
SUFFIXES = {".py", ".yaml", ".yml", ".html", ".js", ".json", ".txt", ".css"}
#: the one place: the vocabulary module and its data files
HOME = {"parsers/forms.yaml", "service/vocabulary.yaml", "service/vocabulary.py"}
#: the same characters meaning something else: the brand form's field 所在社区 is also labelled 社区
#: (labels.py: the head noun of 所在社区); the checks' reading vocabulary looks for the word 党员证
#: in a report's sentences
HOMONYMS = {("社区", "parsers/synonyms.yaml"), ("社区", "parsers/labels.py"), ("党员证", "service/checks/texts.yaml")}
#: copies still to be replaced by their owners (issue 10; the list only shrinks): the printed
#: headings of the certificates and the titles of generated templates (documents, certificates,
#: batch engineers)
REMAINING = {
    ("限期整改通知书", "service/documents/compose.py"),
    ("整改工作台账", "service/documents/registry.py"),
    ("荣誉证书", "service/certificates/docx.py"),
    ("荣誉证书", "service/certificates/kinds.py"),
    ("荣誉证书", "service/documents/compose.py"),
    ("党员证", "service/certificates/kinds.py"),
    ("党员证", "service/documents/compose.py"),
}


def _files() -> dict[str, str]:
    out = {}
    for top in SCANNED:
        for path in (ROOT / top).rglob("*"):
            if path.suffix in SUFFIXES and path.is_file() and "__pycache__" not in path.parts:
                out[path.relative_to(ROOT).as_posix()] = path.read_text(encoding="utf-8", errors="replace")
    return out


FILES = _files()


def _standalone(name: str) -> re.Pattern:
    """``name`` as a value of its own: a string literal ("农村", “农村”), a YAML scalar or flow
    item (``rural: 农村``, ``[农村, 村]``), an HTML cell (>农村<) or a checkbox option (□农村)."""
    n = re.escape(name)
    return re.compile("|".join([
        f"([\"'])({n})\\1", f"“{n}”",
        f"[:\\[,{{-][ \\t]*{n}[ \\t]*(?=$|[,\\]}}#])",
        f">{n}<", f"[□☑■]{n}",
    ]), re.M)


def _where(name: str, standalone: bool = True) -> set[str]:
    pattern = _standalone(name) if standalone else re.compile(re.escape(name))
    return {path for path, text in FILES.items() if pattern.search(text)}


@pytest.mark.parametrize("name", list(V.DOMAINS.values()) + list(V.DOCUMENT_KINDS.values()))
def test_each_name_is_spelt_in_one_file(name):
    where = _where(name)
    copies = {path for path in where - HOME if (name, path) not in HOMONYMS | REMAINING}
    assert where & HOME and not copies, f"{name} spelt out again in {sorted(copies)}"


def test_remaining_copies_are_still_there():
    """Drop an entry from REMAINING when its copy is gone, so the list only shrinks."""
    gone = sorted((name, path) for name, path in REMAINING if path not in _where(name))
    assert not gone, f"no longer copied, remove from REMAINING: {gone}"


def test_public_url_default_is_in_one_file():
    host_port = V.DEFAULT_PUBLIC_URL.split("//", 1)[1]
    assert _where(host_port, standalone=False) == {"service/vocabulary.yaml"}


def test_the_grep_finds_a_copy():
    """The check above can fail: a table written out again is found."""
    FILES["service/web/copy.py"] = 'DOMAIN_NAMES = {"rural": "' + V.DOMAINS["rural"] + '"}\nROW = "□' + \
        V.DOMAINS["organ"] + ' ☑' + V.DOMAINS["health"] + '"\n'
    try:
        assert "service/web/copy.py" in _where(V.DOMAINS["rural"])
        assert "service/web/copy.py" in _where(V.DOMAINS["organ"])
        assert "service/web/copy.py" in _where(V.DOMAINS["health"])
    finally:
        del FILES["service/web/copy.py"]


def test_tables_are_complete_and_consistent():
    assert len(V.DOMAINS) == 8 and len(V.DIMENSIONS) == 5
    assert set(V.CERTIFICATE_KINDS) <= set(V.DOCUMENT_KINDS)
    assert set(V.FORM_TITLES) == set(V.FORM_KINDS) and V.UNKNOWN_FORM in V.FORM_NAMES
    for kind, template in V.DOCX_TEMPLATES.items():
        assert template is None or (ROOT / "templates_docx" / template).is_file(), kind
    assert V.TERMINAL_STATES < set(V.CYCLE_STATES)


def test_one_date_formatter():
    assert V.cn_date(dt.date(2026, 12, 1)) == "2026年12月1日"
    assert V.cn_date(dt.datetime(2026, 1, 5, 23, 59)) == "2026年1月5日"
    assert V.cn_date("2026-03-09") == V.cn_date("2026/3/9") == V.cn_date("20260309") == "2026年3月9日"
    assert V.cn_date("2026-03") == "2026年3月"
    assert V.cn_date(None) == V.cn_date("") == ""
    assert V.cn_date("三月") == "三月"
    utc = dt.timezone.utc
    assert V.cn_datetime(dt.datetime(2026, 12, 1, 6, 5, tzinfo=utc), dt.timezone(dt.timedelta(hours=8))) \
        == "2026年12月1日 14:05"
    assert V.cn_datetime(None) == ""


def test_tables_are_read_only_and_serialise():
    with pytest.raises(TypeError):
        V.DOMAINS["mars"] = "火星"  # type: ignore[index]
    with pytest.raises(TypeError):
        V.GRADES.update(best="最好")  # type: ignore[attr-defined]
    assert json.loads(json.dumps(V.GRADES)) == dict(V.GRADES)


def test_a_repeated_key_in_the_vocabulary_data_stops_the_load(tmp_path):
    """PyYAML keeps the last of two equal keys; ``input_names`` once held ``title`` twice and the
    共建活动 form's refusal said 职务 for 活动内容. Merge keys (forms.yaml's ``<<``) still load."""
    path = tmp_path / "v.yaml"
    path.write_text("input_names:\n  title: 活动内容\n  title: 职务\n", encoding="utf-8")
    with pytest.raises(Exception, match="duplicate key 'title'"):
        V._load(path)
    path.write_text("base: &b {a: 1}\nform:\n  <<: *b\n  c: 2\n", encoding="utf-8")
    assert V._load(path)["form"] == {"a": 1, "c": 2}
    for data in (V.FORMS_YAML, V.VOCABULARY_YAML, V.LIFECYCLE_YAML):
        assert V._load(data)
