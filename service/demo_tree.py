"""The demo organisation tree, as data (``demo_tree.yaml``).

Shared by ``wuhao demo`` (service.demo) and the sample rosters (service.batch.sample); a data
file rather than a constant in ``service.demo`` so that neither imports the other (issue 10:
demo → demo_records → batch.sample → demo was an import cycle).
"""
from __future__ import annotations

from pathlib import Path

import yaml

TREE_YAML = Path(__file__).resolve().parent / "demo_tree.yaml"

with open(TREE_YAML, encoding="utf-8") as _fh:
    #: [{name, kind, code?, domain?, members?, secretary?, directly_under?, children?}, ...]
    TREE: list[dict] = yaml.safe_load(_fh)


def branch_names(nodes: list[dict] = TREE) -> list[str]:
    """The names of the branches (党支部) in the tree, depth first."""
    out: list[str] = []
    for node in nodes:
        if node["kind"] == "branch":
            out.append(node["name"])
        out += branch_names(node.get("children", []))
    return out
