"""One unit of work per request (issue 10): views and use cases never commit; the request scope does.

A response below 400 commits what the request wrote; a domain error rolls it back, unless it is
a refusal that keeps its record (``Refused``: a refused transition's audit row); the same domain
error gives the same status on every route.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from service import audit, errors
from service.db import get_session
from service.http import STATUS, status_of
from service.models import AuditLog


def _route(app, name: str, outcome):
    """A route that writes one audit row, then ends with ``outcome`` (a status, or an error to raise)."""
    def view():
        audit.record(get_session(), None, name)
        if isinstance(outcome, Exception):
            raise outcome
        return {"ok": True}, outcome
    app.add_url_rule(f"/api/v1/test-{name}", name, view, methods=["POST"])


@pytest.mark.parametrize("name,outcome,kept,status", [
    ("created", 201, True, 201),
    ("invalid", errors.Invalid("值不符合要求。", field="x"), False, 422),
    ("missing", errors.NotFound("未找到。"), False, 404),
    ("refused", errors.Refused("不符合条件。", "transition_refused"), True, 409),
    ("unexpected", RuntimeError("boom"), False, 500),
])
def test_the_request_scope_commits_once(app, db, name, outcome, kept, status):
    _route(app, name, outcome)
    resp = app.test_client().post(f"/api/v1/test-{name}")
    assert resp.status_code == status
    if status >= 400:
        assert set(resp.get_json()["error"]) >= {"code", "message"}
    with db() as s:
        rows = s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == name))
    assert rows == (1 if kept else 0)


def test_each_domain_error_has_one_status():
    assert status_of(errors.TooLarge("")) == 413 and status_of(errors.Unsupported("")) == 415
    assert status_of(errors.Refused("")) == status_of(errors.Conflict("")) == 409
    assert status_of(errors.Invalid("", "invalid_field")) == 422  # the code does not change the status
    for cls in STATUS:
        assert issubclass(cls, errors.DomainError)
