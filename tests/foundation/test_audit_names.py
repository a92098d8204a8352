"""Every action and object type the code writes to the audit log has a Chinese name in the vocabulary
(the audit page showed 其他操作 for the district's actions, its details raw codes)."""
from __future__ import annotations

import ast
from pathlib import Path

from service.vocabulary import AUDIT_ACTIONS, AUDIT_OBJECTS, BRAND_ACTIONS

SERVICE = Path(__file__).resolve().parents[2] / "service"


def _recorded() -> tuple[set, set]:
    """(actions, object types) of every ``audit.record(session, user, action, object_type, …)`` call."""
    actions, objects = set(), set()
    for path in SERVICE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "record" and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "audit" and len(node.args) >= 3):
                continue
            action = node.args[2]
            if isinstance(action, ast.Constant):
                actions.add(action.value)
            elif isinstance(action, ast.JoinedStr) and ast.unparse(action) == "f'brand_{action}'":
                actions |= {f"brand_{a}" for a in BRAND_ACTIONS}
            else:
                raise AssertionError(f"{path}:{node.lineno}: an audit action the test cannot read")
            if len(node.args) >= 4 and isinstance(node.args[3], ast.Constant) and node.args[3].value:
                objects.add(node.args[3].value)
    return actions, objects


def test_every_recorded_action_and_object_has_a_name():
    actions, objects = _recorded()
    assert len(actions) > 50 and len(objects) > 20
    assert not actions - set(AUDIT_ACTIONS), sorted(actions - set(AUDIT_ACTIONS))
    assert not objects - set(AUDIT_OBJECTS), sorted(objects - set(AUDIT_OBJECTS))
