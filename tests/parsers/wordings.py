"""Label wordings no list has: composed from stems and head nouns, split into tuning / held-out.

Each field gets stems (what the label is about) × heads (what kind of thing it asks for), the
way offices really vary their forms (报送日期, 创建思路, 获奖情况, 党员之家 …). Wordings already
in ``parsers/synonyms.yaml`` (any key) or produced for two keys are dropped. The rest is split
by a stable hash: ``TUNING`` may be looked at while adjusting the matcher, ``HELDOUT`` never —
the held-out corpus is built from it and only its figure is read.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache

import yaml

from parsers.forms import HERE
from parsers.normalize import norm_label

PARTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "branch_name": (("党支部", "支部", "基层党支部", "本党支部", "所在党支部"), ("名称", "全称", "的名称", "名")),
    "parent_org": (("上级", "主管", "所属上级", "隶属", "上级主管"), ("党组织", "党委", "党委名称", "机关党委")),
    "domain": (("所属", "所在", "党组织所属", "支部所属", "所处"), ("领域", "类别", "领域类别", "领域分类", "类型")),
    "secretary": (("支部", "党支部", "现任支部", "现任党支部"), ("书记", "书记姓名", "负责人")),
    "member_count": (("党员", "正式党员", "在册党员", "支部党员", "现有党员"), ("人数", "数", "总人数", "数量")),
    "contact_person": (("联系", "联络", "填报", "经办"), ("人", "人员", "人姓名")),
    "contact_phone": (("联系", "联络", "办公", "移动"), ("电话", "手机", "电话号码", "号码")),
    "declared_on": (("申报", "报送", "提交", "填写", "报表"), ("日期", "时间", "年月日")),
    "prior_honor": (("已获", "获得", "曾获", "历年", "所获", "以往"), ("荣誉", "表彰", "荣誉称号", "奖励", "表彰情况")),
    "directly_under": (("是否", "是否属于"), ("直属工委", "工委直属单位", "工委直属党组织")),
    "has_office": (("专门", "专用", "独立", "有无专用", "是否有独立"), ("办公场地", "办公场所", "办公用房")),
    "has_equipment": (("办公", "有无办公", "配套", "是否配备"), ("设备", "设施", "设施设备", "设备设施")),
    "has_activity_room": (("党员", "规范化党员", "标准化党员", "有无党员"), ("活动室", "活动阵地", "之家", "活动中心")),
    "plan_summary": (("创建", "创建工作", "支部创建", "五好创建"), ("思路", "方案", "计划", "举措", "工作思路", "规划")),
    "creation_started_on": (("创建开始", "开始创建", "创建启动", "启动创建", "创建起始"), ("日期", "时间", "年月")),
    "applied_on": (("申请", "验收申请", "提交", "报送", "申报"), ("日期", "时间", "年月日")),
    "self_score_total": (("自评", "自评总", "自我评价"), ("总分", "合计", "得分合计", "总得分", "分数合计")),
    "brand_name": (("品牌", "党建品牌", "支部品牌"), ("名称", "名", "全称")),
    "community": (("所在", "所属", "所在地"), ("社区", "社区名称", "街道社区")),
    "established_on": (("品牌创建", "品牌创立", "品牌成立", "品牌形成", "品牌打造"), ("日期", "时间", "年月")),
    "brand_summary": (("品牌", "党建品牌", "品牌基本"), ("概况", "简介", "特色", "介绍", "内涵", "主要做法", "特色亮点")),
}


@lru_cache(maxsize=1)
def listed() -> frozenset[str]:
    """Every normalised wording synonyms.yaml already has (any key, any kind)."""
    with open(HERE / "synonyms.yaml", encoding="utf-8") as fh:
        syn = yaml.safe_load(fh)
    out = set()
    for table_name, table in syn.items():
        if table_name == "values":
            continue
        for labels in table.values():
            out.update(norm_label(x) for x in labels)
    with open(HERE / "forms.yaml", encoding="utf-8") as fh:
        forms = yaml.safe_load(fh)
    for kind in forms["kinds"].values():
        out.update(norm_label(v["label"]) for v in kind["fields"].values())
    return frozenset(out)


@lru_cache(maxsize=1)
def _all() -> dict[str, list[str]]:
    made: dict[str, list[str]] = {}
    owners: dict[str, set] = {}
    for key, (stems, heads) in PARTS.items():
        for stem in stems:
            for head in heads:
                w = stem + head
                owners.setdefault(w, set()).add(key)
                made.setdefault(key, []).append(w)
    known = listed()
    return {key: [w for w in ws if w not in known and len(owners[w]) == 1] for key, ws in made.items()}


def _heldout(word: str) -> bool:
    return hashlib.sha1(word.encode("utf-8")).digest()[0] % 3 == 0  # a third held out


def wordings(split: str) -> dict[str, list[str]]:
    """key -> unseen wordings of one split ('tuning' or 'heldout')."""
    want = split == "heldout"
    return {key: [w for w in ws if _heldout(w) == want] for key, ws in _all().items()}


TUNING = wordings("tuning")
HELDOUT = wordings("heldout")
