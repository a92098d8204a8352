"""Sample contexts, one per kind: for tests, benchmarks and ``wuhao render --demo`` without data.

Names carry rare characters (䶮 U+4DAE, 𠮷 U+20BB7, 堃, 珺) on purpose: they must never come
out as missing-glyph boxes.
"""

from __future__ import annotations

import copy

from ..vocabulary import DEFAULT_PUBLIC_URL, DOMAINS

ISSUER = "中共市直机关工作委员会"
PREFIX = "市直工委"

_SAMPLES: dict[str, dict] = {
    "supplement-notice": {
        "number": "市直工委〔2025〕6号", "year": 2025, "issuer": ISSUER,
        "branch_name": "市财政局预算科党支部", "parent_org": "市财政局机关党委",
        "submission": {"form_label": "市直机关“五好党支部”验收申请表", "original_name": "验收申请表.docx",
                       "uploaded_on": "2025-03-03"},
        "missing": [
            {"field": "contact_phone", "message": "表单缺少必填项“联系电话”。", "clause": "SZ-4"},
            {"field": "report", "message": "验收申请须附2500字左右的汇报材料，本次提交未见汇报材料。",
             "clause": "SZ-2.3"},
        ],
        "deadline": "2025-03-20", "issued_on": "2025-03-05",
        "contact": {"person": "王珺", "phone": "022-12345678"},
    },
    "acceptance-form": {
        "branch_name": "市人民医院内科党支部", "parent_org": "市人民医院党总支", "domain": "health",
        "domain_label": DOMAINS["health"], "secretary": "赵䶮", "member_count": 23, "year": 2025,
        "rubric": [
            {"key": "leadership", "name": "领导班子好", "max": 20, "items": [
                {"id": "L1", "text": "支部书记政治素质好、带头作用强，班子结构合理、配备齐全", "points": 6,
                 "deductions": [{"text": "班子成员缺额未及时补齐的，每缺一名扣2分"}]},
                {"id": "L2", "text": "落实民主集中制，重大事项集体研究决定", "points": 14,
                 "deductions": [{"text": "重大事项未经集体研究决定的，每次扣1分"}]}]},
            {"key": "members", "name": "党员队伍好", "max": 20, "items": [
                {"id": "M1", "text": "党员教育培训，集中学习达到规定次数", "points": 20,
                 "deductions": [{"text": "缺一次扣0.5分"}]}]},
            {"key": "mechanism", "name": "工作机制好", "max": 20, "items": []},
            {"key": "performance", "name": "工作业绩好", "max": 20, "items": []},
            {"key": "reputation", "name": "群众反映好", "max": 20, "items": []},
        ],
        "scores": {"leadership": 19, "members": 18.5}, "item_scores": {"L1": 6, "L2": 13},
        "total": None, "satisfaction_rate": None, "grade": "", "assessed_on": "2025-04-10",
        "group_members": ["张堃", "李珺"], "opinion": "",
    },
    "rectification-notice": {
        "number": "市直工委〔2025〕12号", "year": 2025, "issuer": ISSUER,
        "branch_name": "市财政局综合党支部", "parent_org": "市财政局机关党委",
        "reason": "在2025年度届期内检查中发现",
        "findings": [
            {"message": "党支部党员6人，少于7人，不具备创建条件。", "clause": "SZ-3.3"},
            {"message": "“三会一课”记录不完整，2025年第二季度缺党小组会记录2次。", "clause": "SZ-3.1"},
        ],
        "deadline": "2025-09-30", "issued_on": "2025-07-01",
    },
    "rectification-taskbook": {
        "number": "", "year": 2025, "issuer": ISSUER,
        "branch_name": "区律师行业党支部", "parent_org": "区两新组织党委", "secretary": "宋佳",
        "domain_label": DOMAINS["nonpublic"], "total": 71.5, "grade": "一般",
        "items": [
            {"category": "组织生活", "problem": "主题党日活动未固定在每月8日开展", "measure": "制定年度主题党日计划并公示",
             "target": "每月8日按时开展并记录考勤", "leader": "罗斌", "owner": "宋佳", "due_on": "2025-12-31"},
            {"category": "党员管理", "problem": "党员证未逐一编号登记", "measure": "组织党员证登记造册",
             "target": "党员证登记率100%", "leader": "罗斌", "owner": "吉𠮷", "due_on": "2025-10-31"},
        ],
        "deadline": "2025-12-31", "issued_on": "2025-06-15",
    },
    "rectification-ledger": {
        "organisation": "静海区委", "year": 2025, "as_of": "2025-09-30", "issuer": ISSUER,
        "rows": [
            {"branch_name": "区律师行业党支部", "category": "组织生活", "problem": "主题党日活动未固定在每月8日开展",
             "measure": "制定年度主题党日计划并公示", "target": "每月8日按时开展", "leader": "罗斌", "owner": "宋佳",
             "due_on": "2025-12-31", "progress": "已制定计划，7月起按时开展", "closed_on": None, "note": ""},
            {"branch_name": "尧舜度假村党支部", "category": "带头人队伍", "problem": "支部书记未参加轮训",
             "measure": "参加区委组织部专题培训班", "target": "完成12个专题学习", "leader": "吴刚", "owner": "孙丽",
             "due_on": "2025-08-31", "progress": "已完成", "closed_on": "2025-08-28", "note": "王堃挂点"},
        ],
    },
    "commendation-decision": {
        "number": "市直工委〔2025〕21号", "year": 2025, "issuer": ISSUER, "term": "2025—2029",
        "branches": [
            {"name": "市财政局预算科党支部", "parent_org": "市财政局机关党委"},
            {"name": "市人民医院内科党支部", "parent_org": "市卫生健康委机关党委"},
            {"name": "市档案馆党支部", "parent_org": None},
        ],
        "issued_on": "2025-06-28", "copy_to": "市委组织部",
    },
    "brand-naming-decision": {
        "number": "静海街道党工委〔2026〕3号", "year": 2026, "issuer": "中共静海街道党工委",
        "brands": [
            {"name": "红色管家", "unit": "城东社区党委", "score": 91.33},
            {"name": "邻里守望", "unit": "向阳社区党委", "score": 88.5},
        ],
        "issued_on": "2026-11-20",
    },
    "honor-certificate": {
        "number": "WH20250001", "branch_name": "市财政局预算科党支部", "parent_org": "市财政局机关党委",
        "title": "市直机关五好党支部", "term": "2025—2029", "issuer": ISSUER, "issued_on": "2025-06-28",
        "verify_url": f"{DEFAULT_PUBLIC_URL}/verify/WH20250001",
    },
    "delisting-notice": {
        "number": "市直工委〔2025〕30号", "year": 2025, "issuer": ISSUER,
        "branch_name": "市财政局综合党支部", "parent_org": "市财政局机关党委",
        "commended_on": "2023-06-28", "term": "2023—2027", "certificate_number": "WH20230007",
        "delisting_kind": "natural", "rule": "SZ-3.3",
        "rule_text": "党支部撤销、合并或人员变动较大，或党员人数少于7人的，自然摘牌",
        "reason": "因机构调整，你支部现有党员6人，少于7人", "effective_on": "2025-08-01",
        "issued_on": "2025-08-01",
    },
    "party-card": {
        "number": "12010001", "name": "赵䶮", "branch_name": "大邱庄村党支部",
        "organisation_path": "静海区委 / 大邱庄镇党委 / 大邱庄村党支部", "joined_on": "2008-07-01",
        "issued_on": "2025-07-01", "issuer": "中共静海区委组织部",
        "verify_url": f"{DEFAULT_PUBLIC_URL}/verify/12010001",
    },
    "quarterly-report": {
        "number": "市直工委〔2025〕33号", "year": 2025, "quarter": 3, "as_of": "2025-09-30", "issuer": ISSUER,
        "totals": {"branches": 23, "assessed": 18, "good": 7, "backward": 2, "items": 6, "closed": 3},
        "by_committee": [
            {"name": "市财政局机关党委", "branches": 3, "assessed": 3, "good": 1, "backward": 0, "items": 0, "closed": 0},
            {"name": "大邱庄镇党委", "branches": 2, "assessed": 2, "good": 1, "backward": 1, "items": 3, "closed": 2},
            {"name": "区两新组织党委", "branches": 2, "assessed": 1, "good": 0, "backward": 1, "items": 3, "closed": 1},
        ],
        "by_domain": [
            {"name": DOMAINS["organ"], "branches": 4, "assessed": 4, "good": 2, "backward": 0, "items": 0, "closed": 0},
            {"name": DOMAINS["rural"], "branches": 2, "assessed": 2, "good": 1, "backward": 1, "items": 3, "closed": 2},
            {"name": DOMAINS["nonpublic"], "branches": 2, "assessed": 1, "good": 0, "backward": 1, "items": 3,
             "closed": 1},
        ],
        "issued_on": "2025-10-10",
    },
}


def sample_context(kind: str) -> dict:
    """A deep copy of the sample context of ``kind``."""
    return copy.deepcopy(_SAMPLES[kind])


def sample_kinds() -> list[str]:
    return list(_SAMPLES)
