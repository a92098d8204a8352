"""Real government forms (../shared/corpus/real-forms): no crash, 'unknown', generic pairs."""
from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pytest

import parsers

from .conftest import REAL_FORMS
from .real_scoring import annotations, score_file

pytestmark = pytest.mark.slow  # the real-forms corpus, .doc through LibreOffice

FILES = sorted(p for p in REAL_FORMS.glob("*") if p.suffix in (".docx", ".pdf", ".doc"))
HAS_SOFFICE = shutil.which("soffice") is not None

# label -> value (None: any value, "" included) that a generic reader must find
EXPECTED_PAIRS = {
    "owip_adform_zzb.docx": {"姓名": "骥", "性别": "骥", "民族": "骥", "籍贯": "骥", "出生地": "骥", "健康状况": "骥"},
    "owip_infoform.docx": {"姓名": "骥", "性别": "骥", "民族": "骥", "籍贯": "骥", "工作证号": "骥"},
    "owip_sc_dispatch_sign_ow.docx": {"发文字号": "${code}", "成文日期": "${date}", "标题": "${title}",
                                      "签发": None, "主送": None, "抄送": None},
    "sxsy_disputeApplyPatient.docx": {"申请人": "${sqr}", "电话": "${phone}", "患者姓名": "${name}",
                                      "涉及医院": "${hospital}"},
    "taizhou_tz_swj_cer_262.docx": {"纳税人名称": "", "纳税人识别号": "", "注册地址": "", "邮政编码": "",
                                    "登记注册类型": ""},
    "taizhou_lh_xzjd_cer_636.docx": {"申请人": "", "工作单位": ""},
    "taizhou_wl_wqb_cer_205.docx": {"性别": "", "出生日期": "", "身份证号码": "", "侨居国": ""},
    "taizhou_jj_xzzf_cer_593.docx": {"申请用地单位": "", "用地项目名称": ""},
    "taizhou_hy_gaj_cer_145.docx": {"申请人姓名": "", "联系电话": ""},
    "dangqun_sPmReview.docx": {"姓名": "name", "性别": "sex", "民族": "nation", "出生年月": "dateBirth"},
    "dangqun_sPmActivi.docx": {"姓名": "", "性别": "", "籍贯": "", "民族": ""},
    "dangqun_sPmPrepPartyPublic.docx": {"姓名": "personName", "性别": "personSex"},
    "taizhou_sealuncover_5d2a8d01.pdf": {"姓名": "测试二", "证件有效期": "三个月", "联系电话": ""},
    "taizhou_tz_rsj_cer_089.pdf": {"单位名称(盖章)": "", "单位编码": "", "序号": "", "姓名": "", "身份证号码": "",
                                   "养老保险": "", "手机号码": ""},  # a list table: column heads, no values
    "shenzhen_QR-3.2-01-A1.doc": {"姓名": "", "性别": "", "年龄": "", "文化程度": ""},
    "shenzhen_QR-4.3-01-A4.doc": {"项目名称": "", "建设单位": "", "编制单位": ""},
}


def test_the_corpus_is_there():
    assert len(FILES) >= 15
    assert set(EXPECTED_PAIRS) <= {p.name for p in FILES}


@pytest.mark.parametrize("path", [p for p in FILES if p.suffix != ".doc" or HAS_SOFFICE], ids=lambda p: p.name)
def test_real_form(path: Path):
    result = parsers.parse_path(path)
    assert result.ok, result.errors
    assert result.form == "unknown"
    assert result.fields == {} and result.missing == []
    labels = {}
    for pair in result.pairs:
        labels.setdefault(pair["label"], pair["value"])
        assert pair["label"] and "骥" not in pair["label"] and "${" not in pair["label"]
        assert pair["provenance"]["source"] in ("docx", "pdf")
    for label, value in EXPECTED_PAIRS.get(path.name, {}).items():
        assert label in labels, (label, sorted(labels))
        if value is not None:
            assert labels[label] == value, (label, labels[label])


@pytest.mark.parametrize("path", [p for p in FILES if p.suffix == ".doc"], ids=lambda p: p.name)
def test_doc_without_libreoffice(path: Path, monkeypatch):
    monkeypatch.setenv("WUHAO_SOFFICE", "")
    result = parsers.parse_path(path)
    assert [e["code"] for e in result.errors] == ["legacy_doc"]
    assert result.media_type == "doc"


@pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice not installed")
def test_doc_is_converted_when_libreoffice_is_there():
    path = next(p for p in FILES if p.suffix == ".doc")
    result = parsers.parse_path(path)
    assert result.ok and result.media_type == "doc" and len(result.pairs) >= 5


def test_filled_acroform_values_are_read(tmp_path):
    src = REAL_FORMS / "taizhou_tz_rsj_cer_089.pdf"
    pdf = pikepdf.open(src)
    filled = 0
    for field in pdf.Root.AcroForm.Fields:
        if str(field.get("/T")) == "aab004":  # the 单位名称 field
            field.V = pikepdf.String("台州市测试有限公司")
            filled += 1
    assert filled == 1
    pdf.save(tmp_path / "filled.pdf")
    result = parsers.parse_path(tmp_path / "filled.pdf")
    assert result.ok
    assert any("台州市测试有限公司" in p["value"] for p in result.pairs), result.pairs[:5]


# Floors a little under what the suite measured when they were set (real-forms-more 99.7 %,
# real-forms 98.6 % of 301 / 221 hand-annotated pairs); the patterns of issue 17 were fixed on
# these very files, so the figures are not a held-out measure.
PAIR_FLOORS = {"real-forms-more": 0.97, "real-forms": 0.95}


@pytest.mark.parametrize("directory", sorted(PAIR_FLOORS))
def test_pair_accuracy_on_annotated_real_forms(directory, capsys):
    truth = annotations()[directory]
    base = REAL_FORMS.parent / directory
    found = total = 0
    misses = []
    for name, want in truth.items():
        path = base / name
        if path.suffix == ".doc" and not HAS_SOFFICE:
            continue
        f, t, m = score_file(path, want)
        found, total = found + f, total + t
        misses += [(name, *x) for x in m]
    acc = found / total
    with capsys.disabled():
        print(f"\n[parsers] {directory}: pair accuracy {acc:.1%} ({found}/{total} annotated pairs, "
              f"{len(truth)} files)")
        for miss in misses[:15]:
            print("   missed:", miss)
    assert acc >= PAIR_FLOORS[directory]
