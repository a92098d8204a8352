"""Realistic sample rosters over the demo branches (``wuhao sample-roster``)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import random

from openpyxl import Workbook

from service.demo_tree import branch_names

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥建国建华志强志明海燕春梅晓东晓明"
         "文博子涵浩然宇轩欣怡梓涵一诺雨桐俊杰思远家豪嘉怡婷婷丹丹佳琪鹏飞振华立新卫东红梅德胜宏伟永强秋菊")


def demo_branches() -> list[str]:
    return branch_names()


def sample_members(n: int, seed: int = 2025, branches: list[str] | None = None) -> list[dict]:
    rng = random.Random(seed)
    branches = branches or demo_branches()
    given_pool = [GIVEN[i:i + 2] for i in range(0, len(GIVEN) - 1, 2)] + list(GIVEN)
    rows = []
    seen = set()
    for i in range(n):
        while True:
            name = rng.choice(SURNAMES) + rng.choice(given_pool)
            birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 50))
            ident = f"12022319{birth:%Y%m%d}"[:6] + f"{birth:%Y%m%d}" + f"{rng.randrange(0, 1000):03d}"
            check = "0123456789X"[rng.randrange(11)]
            ident += check
            if ident not in seen:
                seen.add(ident)
                break
        joined = birth + dt.timedelta(days=365 * 19 + rng.randrange(0, 365 * 20))
        joined = min(joined, dt.date(2025, 6, 30))
        rows.append({"序号": i + 1, "姓名": name, "性别": rng.choice("男女"), "身份证号": ident,
                     "所在支部": branches[i % len(branches)], "入党时间": joined.isoformat(),
                     "联系电话": f"13{rng.randrange(10**9):09d}"})
    return rows


def sample_branch_rows(branches: list[str] | None = None) -> list[dict]:
    return [{"序号": i + 1, "支部名称": b} for i, b in enumerate(branches or demo_branches())]


def write_roster(rows: list[dict], path: str, encoding: str = "utf-8") -> None:
    header = list(rows[0].keys()) if rows else ["姓名", "所在支部"]
    if path.lower().endswith(".xlsx"):
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("党员名册")
        ws.append(header)
        for r in rows:
            ws.append([r.get(h) for h in header])
        wb.save(path)
        return
    buf = io.StringIO()
    w = csv.DictWriter(buf, header)
    w.writeheader()
    w.writerows(rows)
    with open(path, "wb") as fh:
        fh.write(buf.getvalue().encode(encoding))
