"""A corpus of 汇报材料 and 创建工作方案 in varied wordings, for measuring the text checks.

Two independent pools of hand-written sentences ("dev" for tuning, "held" never looked at while
tuning texts.yaml): each report is built from sections per dimension with one of several heading
styles (or none), sentences drawn from the pool, optional rewording (synonyms swapped, clauses
reordered), some dimensions removed, and some reports copying part of another. Labels say what
the checks should find. Deterministic for a given seed.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

DIMS = ("leadership", "members", "mechanism", "performance", "reputation")
PARTS = ("guiding", "goals", "measures", "requirements")

HEADINGS = {
    "leadership": ["领导班子好", "坚持班子带头，建强战斗堡垒", "抓班子带队伍，发挥核心作用", "强化领导班子建设"],
    "members": ["党员队伍好", "抓实党员教育管理", "锻造过硬党员队伍", "加强党员队伍建设"],
    "mechanism": ["工作机制好", "健全制度机制，规范组织生活", "完善工作机制", "推进支部标准化规范化建设"],
    "performance": ["工作业绩好", "聚焦中心工作，业绩成效明显", "党建业务深度融合", "主要工作成效"],
    "reputation": ["群众反映好", "服务群众赢得口碑", "群众满意度持续提升", "践行宗旨服务群众"],
}

POOLS = {
    "dev": {
        "leadership": [
            "支部委员会由5名委员组成，书记、副书记和组织、宣传、纪检委员分工明确，结构合理。",
            "支部书记带头讲党课4次，班子成员全年参加双重组织生活无一缺席。",
            "凡涉及人事、经费等重大事项，均经支委会集体研究决定，全年召开支委会14次。",
            "班子成员严格落实一岗双责，年初签订党风廉政建设责任书。",
            "支部书记年度述职评议被评为“好”等次，班子成员无违纪违法问题。",
            "注重培养后备力量，确定2名年轻同志作为支委后备人选。",
            "书记履行第一责任人职责，每季度专题研究党建工作一次。",
            "支委会坚持把学习习近平总书记重要讲话精神作为第一议题，全年学习18次。",
        ],
        "members": [
            "全年组织党员集中学习12次，每名党员撰写心得体会不少于3篇。",
            "严格按程序发展党员，今年发展预备党员1名，培养入党积极分子2名。",
            "落实“两册一证”，为28名党员发放《党员学习手册》和党员证并登记造册。",
            "党员按月足额交纳党费，交纳率达到100%。",
            "设立党员示范岗6个，党员在急难险重任务中冲锋在前。",
            "开展党员积分管理，每季度公示积分排名，激励党员比学赶超。",
            "组织党员参加“学习强国”学习，人均积分超过1.2万分。",
            "对2名流动党员建立联系卡，定期寄送学习资料，做到离家不离党。",
        ],
        "mechanism": [
            "严格落实“三会一课”制度，全年召开党员大会4次、支委会14次、党小组会36次。",
            "每月8日固定开展主题党日活动，考勤记录完整，参与率达到96%。",
            "按期召开专题组织生活会，开展民主评议党员，评出优秀党员5名。",
            "规范填写《党支部工作手册》，各类会议记录、台账资料齐全。",
            "建立问题清单、任务清单、责任清单，逐项明确时限和责任人。",
            "制定支部议事规则和工作流程，实行党务公开，每季度公开一次。",
            "完善党员联系群众制度，形成常态化长效化工作机制。",
            "建立支部工作台账，实行月计划、月总结，推动工作规范运行。",
        ],
        "performance": [
            "圆满完成年度目标任务，预算执行率达到98.6%，同比提高3个百分点。",
            "围绕中心服务大局，牵头完成重点项目12个，办结群众事项1300余件。",
            "支部所在处室被评为年度先进集体，2名同志荣获市级表彰。",
            "推动党建与业务深度融合，业务工作考核在全局排名第一。",
            "去年检查发现的3个问题全部整改销号，整改完成率100%。",
            "聚焦营商环境攻坚，审批时限压缩40%，办事效率明显提升。",
            "承担的2项改革任务按期完成，相关经验在全市推广。",
            "全年组织专项攻坚行动4次，推动解决历史遗留问题7个。",
        ],
        "reputation": [
            "年终群众满意度测评中，满意率达到97.5%。",
            "全年未发生有效投诉和信访事件，服务对象普遍认可。",
            "收到服务企业送来的锦旗3面、感谢信5封。",
            "深入开展“我为群众办实事”，为社区居民解决实际问题26件。",
            "组织党员走访服务对象120余家，收集意见建议45条并逐一回访。",
            "群众对支部工作评价较高，好评率在全系统位列前茅。",
            "开设便民服务窗口，群众办事等候时间缩短一半，居民纷纷点赞。",
            "聘请10名群众监督员，定期听取群众对党员作风的评价。",
        ],
    },
    "held": {
        "leadership": [
            "本届支委会于今年3月换届，新一届班子平均年龄41岁，配备齐整。",
            "书记坚持带头学、带头讲、带头干，全年为党员上专题党课3次。",
            "贯彻民主集中制，制定支委会议事规则，“三重一大”事项一律集体决策。",
            "班子成员分别联系一个党小组，每月到联系点指导工作。",
            "支委班子团结协作，年度民主测评优秀率为92%。",
            "坚持书记抓、抓书记，书记述职评议连续两年为好等次。",
            "支委成员廉洁自律、遵规守纪，全年无一人受到问责。",
            "班子坚持每月召开一次支委会，研究部署党建和业务工作。",
        ],
        "members": [
            "坚持每月开展一次集中学习，党员参学率保持在95%以上。",
            "认真做好入党积极分子培养，全年吸收2名青年骨干为入党积极分子。",
            "为全体31名党员逐一编号发放党员证，建立“两册一证”登记台账。",
            "组织党员到红色教育基地开展现场教学2次，增强党性修养。",
            "推行党员承诺践诺，年初每名党员公开承诺3件实事。",
            "党员全部按时足额交纳党费，年度无一人次拖欠。",
            "开展谈心谈话全覆盖，支部书记与每名党员谈心1次以上。",
            "组建党员志愿服务队，32名党员累计服务时长超过800小时。",
        ],
        "mechanism": [
            "将“三会一课”纳入年度计划，按月推进，全年无一次缺漏。",
            "固定每月8日为党员活动日，全年开展主题党日12次，均有签到记录。",
            "年底召开组织生活会，开展批评与自我批评，民主评议党员全覆盖。",
            "党支部工作手册记录及时规范，会议纪要、学习记录等档案齐全。",
            "建立支部标准化建设清单，对照36项标准逐项规范。",
            "实行支部工作月例会机制，每月梳理任务、督办进度。",
            "修订完善党员管理、学习教育等制度8项，做到用制度管人管事。",
            "党务、政务信息按季度公开，接受党员群众监督。",
        ],
        "performance": [
            "全年各项业务指标全部完成，主要指标同比增长12%。",
            "承办的全市重点工程按期完工，获得市委市政府通报表扬。",
            "支部荣获局机关“先进党支部”称号，3名党员被评为优秀共产党员。",
            "以党建引领业务发展，牵头的数字化改革项目在全省评比中获二等奖。",
            "上年度检查指出的问题已逐项整改到位，全部完成销号。",
            "全年办理各类业务2.6万件，差错率下降到0.1%以下。",
            "组建党员攻坚突击队，攻克技术难题5项，节约资金80万元。",
            "服务重点企业46家，协调解决融资、用工等难题30余个。",
        ],
        "reputation": [
            "委托第三方开展满意度调查，群众满意率为96.8%。",
            "全年未收到一起投诉，窗口服务获评“群众满意窗口”。",
            "党员走访困难家庭58户，帮助解决就医、就学等诉求19件。",
            "居民对支部开展的便民服务活动普遍认可，口碑良好。",
            "设立意见箱和服务热线，收到的21条意见均在一周内答复。",
            "服务对象回访满意度达到98%，多家企业发来感谢信。",
            "开展“党员进社区”活动，为村民义诊、普法、送政策12场。",
            "群众评议党员活动中，党员得到群众好评。",
        ],
    },
}

PLAN_HEADINGS = {
    "guiding": ["指导思想", "总体思路", "总体要求"],
    "goals": ["目标任务", "工作目标", "创建目标"],
    "measures": ["具体措施", "主要措施", "方法步骤"],
    "requirements": ["工作要求", "保障措施", "有关要求"],
}

PLAN_POOLS = {
    "dev": {
        "guiding": ["以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大精神，以提升组织力为重点，扎实开展创建。",
                    "坚持以党建引领业务发展，围绕中心、服务大局，把支部建设成为坚强战斗堡垒。"],
        "goals": ["通过一年的创建，力争达到领导班子好、党员队伍好、工作机制好、工作业绩好、群众反映好的标准。",
                  "年底前创成市直机关“五好党支部”，考核得分达到96分以上。"],
        "measures": ["一是每月8日开展主题党日活动；二是落实“三会一课”制度；三是建立党员积分管理台账。",
                     "创建分三个阶段：3月动员部署，4月至次年2月组织实施，次年3月总结验收。"],
        "requirements": ["支部书记作为第一责任人，要高度重视，切实加强组织领导，确保创建工作落到实处。",
                         "要加强督促检查，防止形式主义，务求实效。"],
    },
    "held": {
        "guiding": ["深入贯彻新时代党的建设总要求，坚持党建工作与业务工作同谋划、同推进。",
                    "以党章为根本遵循，以政治建设为统领，推动全面从严治党向基层延伸。"],
        "goals": ["力争用两年时间，把支部建成“五好党支部”，群众满意率达到95%以上。",
                  "实现组织生活规范化全覆盖，党员教育培训达标率100%。"],
        "measures": ["建立支部标准化建设台账，每季度对照检查一次；组织党员结对帮扶困难群众。",
                     "第一阶段开展学习培训，第二阶段开展亮身份、作承诺活动，第三阶段开展总结评比。"],
        "requirements": ["各党小组要压实责任，认真组织，支委会定期督导检查创建进展。",
                         "要注重宣传总结，及时推广好经验好做法，确保创建取得实效。"],
    },
}

SLOGANS = [
    "我们始终坚持高标准、严要求，不断推动各项工作迈上新台阶。",
    "在今后的工作中，我们将继续努力，开拓进取，再创佳绩。",
    "我们深刻认识到，只有不断加强自身建设，才能适应新形势新任务的要求。",
    "下一步，支部将以更加饱满的热情、更加务实的作风，推动创建工作不断深入。",
]

SYNONYMS = [("开展", "组织开展"), ("全年", "一年来"), ("达到", "达"), ("组织", "安排"), ("落实", "执行"),
            ("推动", "推进"), ("建立", "建起"), ("认真", "扎实"), ("明显", "显著"), ("坚持", "始终坚持")]

NAMES = {"leadership": "领导班子好", "members": "党员队伍好", "mechanism": "工作机制好",
         "performance": "工作业绩好", "reputation": "群众反映好"}


@dataclass
class Sample:
    text: str
    present: set = field(default_factory=set)   # dimensions (report) or parts (plan) written
    copied_from: int | None = None               # index of the sample it copied a part of
    copied_share: float = 0.0                    # share of this text taken from it (by characters)


def reword(s: str, rng: random.Random) -> str:
    for a, b in rng.sample(SYNONYMS, 3):
        s = s.replace(a, b, 1)
    if "，" in s and rng.random() < 0.3:
        head, _, rest = s.partition("，")
        s = f"{rest.rstrip('。')}，{head}。"
    return s


def _heading(style: int, i: int, text: str) -> str:
    nums = "一二三四五六七八"
    if style == 0:
        return f"{nums[i]}、{text}"
    if style == 1:
        return f"（{nums[i]}）{text}"
    return f"{i + 1}.{text}"


def report(pool: str, rng: random.Random, drop: int = 0, headings: bool | None = None,
           slogans: int = 1, reworded: bool = False) -> Sample:
    """A report with 5 - drop dimensions, 3-5 sentences each, an opening and a closing."""
    dims = list(DIMS)
    kept = [d for d in dims if d not in set(rng.sample(dims, drop))] if drop else dims
    use_headings = rng.random() < 0.7 if headings is None else headings
    style = rng.randrange(3)
    lines = ["市某局某某党支部创建“五好党支部”工作汇报", "",
             "近年来，我支部按照创建工作要求，扎实推进各项工作，现将有关情况汇报如下。"]
    for i, d in enumerate(kept):
        sents = rng.sample(POOLS[pool][d], rng.randint(3, 5))
        if reworded:
            sents = [reword(s, rng) for s in sents]
        if use_headings:
            lines.append(_heading(style, i, rng.choice(HEADINGS[d])))
            lines.append("".join(sents))
        else:
            lines.append("".join(sents))
    lines.extend(rng.sample(SLOGANS, slogans))
    return Sample("\n".join(lines), set(kept))


def plan(pool: str, rng: random.Random, drop: int = 0, headings: bool | None = None) -> Sample:
    parts = list(PARTS)
    kept = [p for p in parts if p not in set(rng.sample(parts, drop))] if drop else parts
    use_headings = rng.random() < 0.6 if headings is None else headings
    lines = ["某某党支部创建“五好党支部”工作方案"]
    for i, p in enumerate(kept):
        body = rng.choice(PLAN_POOLS[pool][p])
        if use_headings:
            lines.append(_heading(0, i, rng.choice(PLAN_HEADINGS[p])))
        lines.append(body)
    return Sample("\n".join(lines), set(kept))


def copied(source: Sample, base: Sample, share: float, rng: random.Random) -> Sample:
    """`base` with about `share` of its characters replaced by a contiguous run of `source`'s lines."""
    src_lines = [ln for ln in source.text.splitlines() if len(ln) > 30]
    own = base.text.splitlines()
    want = int(len(base.text) * share)
    start = rng.randrange(max(1, len(src_lines)))
    taken, total = [], 0
    for ln in src_lines[start:] + src_lines[:start]:
        if total >= want:
            break
        taken.append(ln)
        total += len(ln)
    # drop as many of base's own body lines as were added, so the share is of the new text
    body = [i for i, ln in enumerate(own) if len(ln) > 30]
    drop = set(rng.sample(body, min(len(body), len(taken))))
    kept = [ln for i, ln in enumerate(own) if i not in drop]
    text = "\n".join(kept[:3] + taken + kept[3:])
    return Sample(text, set(base.present), copied_share=total / max(1, len(text)))


def _numbers(s: str, rng: random.Random) -> str:
    out = []
    for ch in s:
        out.append(str(rng.randrange(10)) if ch.isdigit() else ch)
    return "".join(out)


def varied_report(rng: random.Random, branch: str, sentences: tuple[int, int] = (4, 6)) -> Sample:
    """A report in its own words: clauses of both pools recombined, numbers and names its own.

    Reports of different branches share clauses (as real ones share formulas), but rarely a run of
    two: the copy check must see through the formulas and catch real copying.
    """
    lines = [f"{branch}创建“五好党支部”工作汇报",
             f"近年来，{branch}在上级党组织的领导下，扎实推进创建工作，现将有关情况汇报如下。"]
    for i, d in enumerate(DIMS):
        clauses = [c for pool in POOLS.values() for s in pool[d] for c in s.rstrip("。").split("，")]
        sents = []
        for _ in range(rng.randint(*sentences)):
            picked = rng.sample(clauses, rng.randint(2, 3))
            sents.append(_numbers("，".join(picked), rng) + "。")
        lines.append(_heading(0, i, rng.choice(HEADINGS[d])))
        lines.append(f"{branch}" + "".join(sents))
    return Sample("\n".join(lines), set(DIMS))
