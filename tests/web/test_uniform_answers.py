"""Issue 16 item 7: a record outside the caller's view is the same 404 as a missing one, before anything
about it is read; every reviewer input is checked into a 422 naming its field (never a 500); a retried
document issue with the same ``Idempotency-Key`` takes no second number."""
from __future__ import annotations

import pytest

from tests.conftest import QUICK_ON_SQLITE, bearer
from tests.web.conftest import LOW_SCORES


@pytest.fixture
def scored(client, demo):
    """An assessment in each subtree (A: gongwei's, B: quwei's)."""
    tokens, orgs = demo["tokens"], demo["orgs"]
    out = {}
    for side, branch, reviewer in (("A", "市财政局预算科党支部", "gongwei"), ("B", "城关社区党支部", "quwei")):
        resp = client.post("/api/v1/assessments", json={"organisation_id": orgs[branch], "year": 2025,
                                                        "scores": LOW_SCORES}, headers=bearer(tokens[reviewer]))
        assert resp.status_code == 201, resp.get_json()
        out[side] = resp.get_json()["id"]
    return out


def _issue(client, token, record_id, kind="rectification-notice", headers=None, **options):
    return client.post("/api/v1/documents", json={"kind": kind, "record_id": record_id, "formats": ["pdf"],
                                                  "options": options}, headers={**bearer(token), **(headers or {})})


def test_a_record_outside_the_view_is_the_same_404_as_a_missing_one(client, demo, scored):
    token = demo["tokens"]["gongwei"]
    hidden = _issue(client, token, scored["B"])
    missing = _issue(client, token, 10**6)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json() == missing.get_json()
    assert "城关" not in hidden.get_data(as_text=True)
    # checked before the options: a bad option on a hidden record is still the 404
    assert _issue(client, token, scored["B"], days="abc").get_json() == missing.get_json()
    for path in (f"/api/v1/assessments/{scored['B']}", "/api/v1/assessments/999999"):
        assert client.get(path, headers=bearer(token)).status_code == 404
    assert client.get(f"/api/v1/assessments/{scored['B']}", headers=bearer(token)).get_json() == \
        client.get("/api/v1/assessments/999999", headers=bearer(token)).get_json()


@pytest.mark.parametrize("options,field", [
    ({"days": "abc"}, "options.days"), ({"days": 100000000}, "options.days"), ({"year": "x"}, "options.year"),
    ({"as_of": "notadate"}, "options.as_of"), ({"quarter": 9}, "options.quarter"),
    ({"group_members": "张三"}, "options.group_members"),
])
@QUICK_ON_SQLITE
def test_bad_document_options_are_a_422_naming_the_field(client, demo, scored, options, field):
    resp = _issue(client, demo["tokens"]["gongwei"], scored["A"], **options)
    assert resp.status_code == 422, resp.get_data(as_text=True)[:300]
    body = resp.get_json()["error"]
    assert body["field"] == field if "field" in body else body["detail"]["field"] == field


@pytest.mark.parametrize("path,payload", [
    ("/api/v1/submissions/{sub}/check", {"as_of": "notadate"}),
    ("/api/v1/assessments", {"organisation_id": "{org}", "year": "x", "scores": LOW_SCORES}),
    ("/api/v1/notices", {"kind": "rectification-notice", "record_id": "{assessment}", "days": "abc"}),
    ("/api/v1/notices", {"kind": "rectification-notice", "record_id": "{assessment}", "days": 100000000}),
])
@QUICK_ON_SQLITE
def test_reviewer_inputs_are_422_not_500(client, demo, scored, path, payload):
    from tests.samples import declaration_docx
    from tests.web.conftest import upload

    token = demo["tokens"]["gongwei"]
    sub = upload(client, demo["tokens"]["yusuan"], declaration_docx(), "a.docx").get_json()["id"]
    names = {"{sub}": sub, "{org}": demo["orgs"]["市财政局预算科党支部"], "{assessment}": scored["A"]}
    for k, v in names.items():
        path = path.replace(k, str(v))
    payload = {k: names.get(v, v) if isinstance(v, str) else v for k, v in payload.items()}
    for query in ("", "?year=x", "?quarter=9"):
        resp = client.post(path + query, json=payload, headers=bearer(token))
        assert resp.status_code == 422, (query, resp.get_data(as_text=True)[:300])
    for get in ("/api/v1/dashboard?year=x", "/api/v1/register?year=x", "/api/v1/assessments?year=x",
                f"/api/v1/organisations/{names['{org}']}/assessor?year=x"):
        resp = client.get(get, headers=bearer(token))
        assert resp.status_code in (200, 422), (get, resp.status_code)


def test_a_retried_document_issue_takes_no_second_number(client, demo, scored):
    token = demo["tokens"]["gongwei"]
    key = {"Idempotency-Key": "retry-1"}
    first = _issue(client, token, scored["A"], headers=key)
    again = _issue(client, token, scored["A"], headers=key)
    assert first.status_code == 201 and again.status_code == 201, again.get_data(as_text=True)[:300]
    assert [d["number"] for d in first.get_json()["documents"]] == [d["number"] for d in again.get_json()["documents"]]
    assert [d["id"] for d in first.get_json()["documents"]] == [d["id"] for d in again.get_json()["documents"]]
    other = _issue(client, token, scored["A"], headers=key, reason="另一次")
    assert other.status_code == 409
    notice = {"kind": "rectification-notice", "record_id": scored["A"]}
    n1 = client.post("/api/v1/notices", json=notice, headers={**bearer(token), "Idempotency-Key": "n-1"})
    n2 = client.post("/api/v1/notices", json=notice, headers={**bearer(token), "Idempotency-Key": "n-1"})
    assert n1.status_code == n2.status_code == 201
    assert n1.get_json()["documents"][0]["number"] == n2.get_json()["documents"][0]["number"]
