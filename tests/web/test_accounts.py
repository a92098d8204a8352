"""Issue 16.5, accounts: each defect found by the outsider, as a test that failed before.

Safe ``next``; server-side sessions ended by signing out and by a password change or reset;
API tokens with expiry, scopes and revocation; a growing delay per account + address instead
of a lock anyone can trigger, with one message for every failure; the throttle shared across
processes (the database, or Redis); password rules; CSP on every page; Secure cookies under https.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, update

from tests.conftest import QUICK_ON_SQLITE, bearer
from tests.web.conftest import login

ROOT = Path(__file__).resolve().parents[2]


def _csrf_login_page(c, path="/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', c.get(path).get_data(as_text=True)).group(1)


def _try_login(c, username, password, next_=None, addr="127.0.0.1"):
    token = _csrf_login_page(c)
    url = "/login" + (f"?next={next_}" if next_ is not None else "")
    return c.post(url, data={"username": username, "password": password, "csrf_token": token},
                  environ_base={"REMOTE_ADDR": addr})


def _csrf(c) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', c.get("/forms").get_data(as_text=True)).group(1)


def _session_cookie(c) -> str:
    return c.get_cookie("session").value


# --- next ---------------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["/%09/evil.example/path", "/%0A/evil.com", "//x", "/%5Cevil.example",
                                    "https://evil.example/", "/%0D%0ASet-Cookie:x=1", "%2F%2Fevil.example",
                                    "/\t/evil.example"])
@QUICK_ON_SQLITE
def test_login_next_goes_only_to_a_path_of_this_site(app, demo, target):
    c = app.test_client()
    resp = _try_login(c, "yusuan", demo["password"], next_=target)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    assert resp.headers["Location"] == "/", (target, resp.headers["Location"])


@QUICK_ON_SQLITE
def test_login_next_keeps_a_plain_path(app, demo):
    c = app.test_client()
    resp = _try_login(c, "gongwei", demo["password"], next_="/queue%3Fpage%3D2")
    assert resp.status_code == 302 and resp.headers["Location"] == "/queue?page=2"


# --- server-side sessions -----------------------------------------------------------------

def test_a_cookie_saved_before_logout_stops_working(app, demo):
    c = app.test_client()
    login(c, "yusuan", demo["password"])
    saved = _session_cookie(c)
    assert c.get("/api/v1/me").status_code == 200
    assert c.post("/logout", data={"csrf_token": _csrf(c)}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", saved)
    assert thief.get("/api/v1/me").status_code == 401
    assert thief.get("/upload").status_code == 302  # a page sends it to sign in


def test_a_password_reset_ends_every_session_and_token(app, demo, db):
    from service.models import User

    browser = app.test_client()
    login(browser, "yusuan", demo["password"])
    saved = _session_cookie(browser)
    token = demo["tokens"]["yusuan"]
    with db() as s:
        uid = s.execute(select(User.id).where(User.username == "yusuan")).scalar_one()
    api = app.test_client()
    assert api.get("/api/v1/me", headers=bearer(token)).status_code == 200
    reset = api.patch(f"/api/v1/users/{uid}", json={"password": "a-new-secret-9"},
                      headers=bearer(demo["tokens"]["admin"]))
    assert reset.status_code == 200, reset.get_json()
    assert api.get("/api/v1/me", headers=bearer(token)).status_code == 401
    replay = app.test_client()
    replay.set_cookie("session", saved)
    assert replay.get("/api/v1/me").status_code == 401
    assert browser.get("/api/v1/me").status_code == 401
    login(app.test_client(), "yusuan", "a-new-secret-9")


def test_changing_ones_password_keeps_this_browser_and_ends_the_others(app, demo):
    here, there = app.test_client(), app.test_client()
    login(here, "chengguan", demo["password"])
    login(there, "chengguan", demo["password"])
    form = {"action": "password", "current_password": "wrong-one", "new_password": "Chengguan-2026!",
            "confirm_password": "Chengguan-2026!", "csrf_token": _csrf(here)}
    wrong = here.post("/account", data=form)
    assert wrong.status_code == 422 and "当前密码不正确" in wrong.get_data(as_text=True)
    form["current_password"] = demo["password"]
    assert here.post("/account", data=form).status_code == 302
    assert here.get("/api/v1/me").status_code == 200
    assert there.get("/api/v1/me").status_code == 401
    assert app.test_client().get("/api/v1/me", headers=bearer(demo["tokens"]["chengguan"])).status_code == 401
    assert _try_login(app.test_client(), "chengguan", demo["password"]).status_code == 401
    login(app.test_client(), "chengguan", "Chengguan-2026!")


def test_an_idle_session_times_out_with_a_notice(app, demo):
    from service.http import SEEN_KEY

    c = app.test_client()
    login(c, "yusuan", demo["password"])
    page = c.get("/upload").get_data(as_text=True)
    assert 'data-session-minutes="30"' in page and 'id="session-notice"' in page
    with c.session_transaction() as sess:
        sess[SEEN_KEY] = int(time.time()) - 31 * 60
    resp = c.get("/upload")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert "已自动退出" in c.get("/login?expired=1").get_data(as_text=True)
    assert c.get("/api/v1/me").status_code == 401


# --- API tokens ---------------------------------------------------------------------------

def test_api_tokens_expire_have_scopes_and_are_revoked(app, demo, db):
    from service.models import ApiToken

    c = app.test_client()
    h = bearer(demo["tokens"]["gongwei"])
    made = c.post("/api/v1/me/tokens", json={"name": "统计报表", "scopes": ["read"], "days": 30}, headers=h)
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    reader = body["token"]
    assert body["scopes"] == ["read"] and body["state"] == "active"
    listed = c.get("/api/v1/me/tokens", headers=h).get_json()["items"]
    assert any(t["name"] == "统计报表" for t in listed)
    assert reader not in json.dumps(listed)  # the token itself is never listed again
    # read scope: reads, never writes
    assert c.get("/api/v1/submissions", headers=bearer(reader)).status_code == 200
    refused = c.post("/api/v1/ledger", json={"organisation_id": 1, "category": "x", "problem": "y"},
                     headers=bearer(reader))
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "token_read_only"
    # expiry
    with db() as s:
        s.execute(update(ApiToken).where(ApiToken.id == body["id"])
                  .values(expires_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
        s.commit()
    assert c.get("/api/v1/me", headers=bearer(reader)).status_code == 401
    # revocation
    writer = c.post("/api/v1/me/tokens", json={"name": "同步"}, headers=h).get_json()
    assert c.get("/api/v1/me", headers=bearer(writer["token"])).status_code == 200
    assert c.delete(f"/api/v1/me/tokens/{writer['id']}", headers=h).get_json()["state"] == "revoked"
    assert c.get("/api/v1/me", headers=bearer(writer["token"])).status_code == 401
    # another user's token id is not found
    assert c.delete(f"/api/v1/me/tokens/{writer['id']}", headers=bearer(demo["tokens"]["quwei"])).status_code == 404
    # every token has an expiry by default
    with db() as s:
        assert all(t.expires_at is not None for t in s.execute(select(ApiToken)).scalars())


def test_account_page_lists_tokens_and_shows_a_new_one_once(app, demo):
    c = app.test_client()
    login(c, "yusuan", demo["password"])
    made = c.post("/account", data={"action": "token", "name": "我的脚本", "scope": "read", "days": "7",
                                    "csrf_token": _csrf(c)})
    assert made.status_code == 200
    token = re.search(r'id="new-token">([^<]+)<', made.get_data(as_text=True)).group(1)
    assert c.get("/api/v1/me", headers=bearer(token)).status_code == 200
    again = c.get("/account").get_data(as_text=True)
    assert "我的脚本" in again and token not in again and "读取" in again


# --- sign-in failures ---------------------------------------------------------------------

def test_nobody_can_lock_the_admin_out_from_elsewhere(app, demo):
    attacker = app.test_client()
    for _ in range(12):
        resp = _try_login(attacker, "admin", "guess", addr="203.0.113.9")
        assert resp.status_code == 401
    # the admin, from another address, signs in at once
    resp = _try_login(app.test_client(), "admin", demo["password"], addr="198.51.100.7")
    assert resp.status_code == 302


def test_every_failure_says_the_same_and_the_wait_grows(app, demo, db):
    from service import auth
    from service.models import LoginThrottle

    c = app.test_client()
    messages = set()
    for user, password in (("nosuchuser", "x"), ("yusuan", "wrong"), ("yusuan", "wrong"), ("yusuan", "wrong")):
        resp = _try_login(c, user, password)
        assert resp.status_code == 401
        messages.add(re.search(r'role="alert">([^<]+)<', resp.get_data(as_text=True)).group(1))
    assert [auth.login_delay(n) for n in range(1, 8)] == [0, 0, 1, 2, 4, 8, 16]
    with db() as s:
        row = s.get(LoginThrottle, "u:yusuan|127.0.0.1")
        assert row.failures == 3 and row.blocked_until is not None  # the third failure set a wait
        # still waiting (whatever the machine's speed): even the right password gets the same answer
        s.execute(update(LoginThrottle).where(LoginThrottle.key == row.key)
                  .values(blocked_until=datetime.now(timezone.utc) + timedelta(minutes=5)))
        s.commit()
    resp = _try_login(c, "yusuan", demo["password"])
    assert resp.status_code == 401
    messages.add(re.search(r'role="alert">([^<]+)<', resp.get_data(as_text=True)).group(1))
    assert messages == {auth.LOGIN_FAILED}
    with db() as s:
        assert s.get(LoginThrottle, "u:yusuan|127.0.0.1").failures == 3  # not even counted while waiting
        s.execute(update(LoginThrottle).where(LoginThrottle.key == "u:yusuan|127.0.0.1")
                  .values(blocked_until=datetime.now(timezone.utc) - timedelta(seconds=1)))
        s.commit()
    assert _try_login(c, "yusuan", demo["password"]).status_code == 302  # after the wait, signed in


def test_the_address_throttle_is_kept_in_the_database_not_in_the_app(app, demo):
    """Another app (its own secret, same database) fails 20 sign-ins; this one then refuses the address.
    The quick tier's form of the next test, without a second Python process."""
    from service import create_app
    from service.auth import IP_MAX_FAILURES

    other = create_app({"DATABASE_URL": app.config["DATABASE_URL"], "WUHAO_DATA_DIR": app.config["WUHAO_DATA_DIR"],
                        "SECRET_KEY": "other-app", "TESTING": True})
    for i in range(IP_MAX_FAILURES):
        assert _try_login(other.test_client(), f"user{i}", "x", addr="192.0.2.46").status_code == 401
    blocked = _try_login(app.test_client(), "guoku", demo["password"], addr="192.0.2.46")
    assert blocked.status_code == 429 and "频繁" in blocked.get_data(as_text=True)
    assert _try_login(app.test_client(), "guoku", demo["password"], addr="192.0.2.47").status_code == 302


@pytest.mark.slow  # a second Python process (importing the service is 2 to 4 s of CPU); the test above is its quick form
def test_the_address_throttle_is_shared_across_processes(app, demo):
    """Another process (its own app, same database) fails 20 sign-ins; this one then refuses the address."""
    from service.auth import IP_MAX_FAILURES

    script = f"""
import re, sys
from service import create_app
app = create_app({{"DATABASE_URL": {app.config['DATABASE_URL']!r}, "WUHAO_DATA_DIR": {str(app.config['WUHAO_DATA_DIR'])!r},
                  "SECRET_KEY": "other-process", "TESTING": True}})
c = app.test_client()
codes = []
for i in range({IP_MAX_FAILURES}):
    page = c.get("/login").get_data(as_text=True)
    tok = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    codes.append(c.post("/login", data={{"username": f"user{{i}}", "password": "x", "csrf_token": tok}},
                        environ_base={{"REMOTE_ADDR": "192.0.2.44"}}).status_code)
print(sorted(set(codes)))
"""
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().endswith("[401]"), out.stdout
    blocked = _try_login(app.test_client(), "guoku", demo["password"], addr="192.0.2.44")
    assert blocked.status_code == 429 and "频繁" in blocked.get_data(as_text=True)
    assert _try_login(app.test_client(), "guoku", demo["password"], addr="192.0.2.45").status_code == 302


@QUICK_ON_SQLITE  # the throttle's subject here is Redis: the PostgreSQL run repeats it (slow tier)
def test_the_throttle_lives_in_redis_when_configured(database_url, data_dir, demo, own_redis):
    from service import create_app
    from service.auth import IP_MAX_FAILURES

    def make(secret):
        return create_app({"DATABASE_URL": database_url, "WUHAO_DATA_DIR": data_dir, "SECRET_KEY": secret,
                           "TESTING": True, "WUHAO_REDIS_URL": own_redis.url})

    one, two, addr = make("a"), make("b"), own_redis.addr
    for i in range(IP_MAX_FAILURES):
        assert _try_login(one.test_client(), f"u{i}", "x", addr=addr).status_code == 401
    assert _try_login(two.test_client(), "admin", "x", addr=addr).status_code == 429
    from service.db import session_scope
    from service.models import LoginThrottle
    with session_scope(database_url) as s:
        assert s.execute(select(LoginThrottle)).first() is None  # nothing counted in the database


# --- passwords ----------------------------------------------------------------------------

@pytest.mark.parametrize("password,reason", [("12345678", "常见"), ("newclerk", "用户名"), ("Newclerk", "用户名"),
                                             ("password1", "常见"), ("short", "8 位"), ("aaaaaaaaaa", "常见")])
@QUICK_ON_SQLITE
def test_weak_passwords_are_refused(app, demo, password, reason):
    c = app.test_client()
    resp = c.post("/api/v1/users", json={"username": "newclerk", "password": password, "organisation_id": 1},
                  headers=bearer(demo["tokens"]["admin"]))
    assert resp.status_code == 422, password
    assert reason in resp.get_json()["error"]["message"]


def test_the_common_password_list_ships_with_the_service():
    from service.auth import COMMON_PASSWORDS_FILE, common_passwords

    assert COMMON_PASSWORDS_FILE.exists() and {"12345678", "password", "qwertyui"} <= common_passwords()


# --- headers and cookies ------------------------------------------------------------------

@QUICK_ON_SQLITE
def test_every_page_has_a_content_security_policy(app, demo):
    c = app.test_client()
    pages = ["/login", "/verify", "/api/docs"]
    for path in pages:
        resp = c.get(path)
        assert "default-src" in resp.headers.get("Content-Security-Policy", ""), path
    login(c, "admin", demo["password"])
    for path in ["/", "/queue", "/upload", "/forms", "/documents", "/dashboard", "/admin/users", "/account",
                 "/no-such-page"]:
        resp = c.get(path, follow_redirects=True)
        csp = resp.headers.get("Content-Security-Policy", "")
        assert "script-src 'self' 'nonce-" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0], path
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, path
        body = resp.get_data(as_text=True)
        assert " onchange=" not in body and " onclick=" not in body, path
        nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
        for tag in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", body):
            assert f'nonce="{nonce}"' in tag, (path, tag)


@QUICK_ON_SQLITE
def test_cookies_are_secure_when_the_public_url_is_https(database_url, data_dir, demo):
    from service import config, create_app

    assert config.load({"WUHAO_PUBLIC_URL": "https://wuhao.example.org", "WUHAO_DATA_DIR": data_dir},
                       env={}).secure_cookies is True
    assert config.load({"WUHAO_PUBLIC_URL": "http://127.0.0.1:8000", "WUHAO_DATA_DIR": data_dir},
                       env={}).secure_cookies is False
    assert config.load({"WUHAO_PUBLIC_URL": "https://x.example", "WUHAO_SECURE_COOKIES": "0",
                        "WUHAO_DATA_DIR": data_dir}, env={}).secure_cookies is False
    app = create_app({"DATABASE_URL": database_url, "WUHAO_DATA_DIR": data_dir, "SECRET_KEY": "s",
                      "TESTING": True, "WUHAO_PUBLIC_URL": "https://wuhao.example.org"})
    c = app.test_client()
    resp = _try_login(c, "yusuan", demo["password"])
    cookie = next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie
