"""Labels by meaning: the assignment solver, the unseen wordings and the scores they get."""
from __future__ import annotations

import itertools
import random

import pytest

import parsers
from parsers.assign import max_weight_assignment
from parsers.forms import match_label
from parsers.labels import CANDIDATE_MIN, head_classes, label_scores
from parsers.normalize import norm_label

from .wordings import HELDOUT, TUNING, listed


def _brute(weights, n_rows, n_cols):
    best = 0.0
    rows = list(range(n_rows))
    for cols in itertools.permutations(list(range(n_cols)) + [None] * n_rows, n_rows):
        total = sum(weights.get((r, c), 0.0) for r, c in zip(rows, cols) if c is not None)
        best = max(best, total)
    return best


@pytest.mark.parametrize("seed", range(40))
def test_assignment_is_optimal_and_one_to_one(seed):
    rng = random.Random(seed)
    n_rows, n_cols = rng.randint(1, 5), rng.randint(1, 5)
    weights = {(r, c): rng.choice([0.1, 0.3, 0.5, 0.7, 0.9, 1.0]) for r in range(n_rows) for c in range(n_cols)
               if rng.random() < 0.6}
    got = max_weight_assignment(weights, n_rows, n_cols)
    assert len(set(got.values())) == len(got)  # no column twice
    assert all((r, c) in weights for r, c in got.items())  # only allowed edges
    assert sum(weights[(r, c)] for r, c in got.items()) == pytest.approx(_brute(weights, n_rows, n_cols))


def test_unseen_wordings_are_not_in_any_list():
    known = listed()
    for split in (TUNING, HELDOUT):
        for key, words in split.items():
            for w in words:
                assert norm_label(w) not in known, (key, w)
    assert set(TUNING) == set(HELDOUT)
    assert sum(map(len, HELDOUT.values())) >= 60 and sum(map(len, TUNING.values())) >= 150
    assert not {w for ws in TUNING.values() for w in ws} & {w for ws in HELDOUT.values() for w in ws}


@pytest.mark.parametrize("label,kind,key", [
    ("报送日期", "declaration", "declared_on"),
    ("创建思路", "declaration", "plan_summary"),
    ("获奖情况", "declaration", "prior_honor"),
    ("党员之家", "declaration", "has_activity_room"),
    ("是否直属工委", "declaration", "directly_under"),
    ("创建启动时间", "acceptance", "creation_started_on"),
    ("品牌概况", "brand", "brand_summary"),
])
def test_an_unlisted_wording_scores_its_field_first(label, kind, key):
    assert match_label(label, kind) is None  # not in the lists
    scores = label_scores(label, kind)
    assert scores and scores[0][0] == key and scores[0][1] >= CANDIDATE_MIN, scores


def test_head_noun_and_type_constraints():
    assert head_classes("获奖情况") == {"honor"}  # 情况 is generic
    assert head_classes("党员活动室") == {"room"}
    assert all(k != "member_count" for k, _ in label_scores("党员活动室所在", "declaration"))
    assert all(k in ("directly_under", "has_office", "has_equipment", "has_activity_room")
               for k, _ in label_scores("有无专用场所", "declaration"))  # 有无… is a yes/no field
    assert label_scores("党支部意见", "declaration") == ()  # opinion boxes are never fields
    assert label_scores("支部名称", "declaration") == (("branch_name", 1.0),)


def _docx(rows) -> bytes:
    import io

    from docx import Document
    doc = Document()
    doc.add_paragraph("市直机关“五好党支部”创建申报表")
    t = doc.add_table(rows=0, cols=2)
    for lab, val in rows:
        cells = t.add_row().cells
        cells[0].text, cells[1].text = lab, val
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_two_fields_never_take_one_value_and_a_date_goes_to_a_date_field():
    rows = [("支部名称", "市财政局第一党支部"), ("上级党组织", "中共市财政局机关委员会"), ("支部书记", "张三"),
            ("党员人数", "23人"), ("报送时间", "2025年3月15日"), ("创建思路", "坚持以党建引领业务。")]
    r = parsers.parse_bytes(_docx(rows), "x.docx")
    assert r.fields["declared_on"] == "2025-03-15"
    assert r.fields["plan_summary"] == "坚持以党建引领业务。"
    values = [str(v) for v in r.fields.values()]
    assert len(values) == len(set(values))
    # a listed label keeps its field against an unlisted one with the same head
    rows2 = rows + [("填报日期", "2025年4月1日")]
    r2 = parsers.parse_bytes(_docx(rows2), "x.docx")
    assert r2.fields["declared_on"] == "2025-04-01"
