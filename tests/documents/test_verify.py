"""/verify without enumeration (issue 16, item 6): a number alone tells nothing, the number with the
check code printed on the certificate shows only what a verifier needs (a person's name masked),
and look-ups are rate limited per client (429, Chinese message, Retry-After).  The certificates
print the check code and carry it in their QR link."""
from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest

from service.certificates import engine_for
from service.certificates.checkcode import ALPHABET, check_code, mask_name, matches
from service.certificates.docx import render_docx
from service.db import session_scope
from service.documents.issue import issue
from service.storage import store_for

from .helpers import docx_text, verify_path

ROOT = Path(__file__).resolve().parents[2]


def test_the_check_code_is_keyed_and_typed_back_leniently():
    code = check_code("12010001", "k1")
    assert len(code) == 6 and set(code) <= set(ALPHABET)
    assert code != check_code("12010002", "k1") and code != check_code("12010001", "k2")
    assert matches("12010001", code.lower(), "k1") and matches("12010001", f" {code[:3]}-{code[3:]} ", "k1")
    assert not matches("12010001", "", "k1") and not matches("12010002", code, "k1")


@pytest.mark.parametrize("name,masked", [("张三明", "张*明"), ("张三", "张*"), ("欧阳小明", "欧**明"), ("王", "王"),
                                         ("", "")])
def test_names_are_masked(name, masked):
    assert mask_name(name) == masked


def test_a_number_without_its_code_tells_nothing(app, client, scenario):
    """The enumeration of issue 16: GET /verify/01010001 … returned holders' names."""
    r = client.get("/verify/12010001")
    assert r.status_code == 200 and "请输入校验码" in r.text and 'name="code"' in r.text
    assert "赵" not in r.text and "有效" not in r.text and 'id="certificate"' not in r.text
    wrong = client.get("/verify/12010001?code=AAAAAA")
    unknown = client.get("/verify/99990001?code=AAAAAA")
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.text.replace("12010001", "N") == unknown.text.replace("99990001", "N")
    assert "赵" not in wrong.text


def test_with_the_code_the_holder_is_masked(app, client, scenario):
    r = client.get(verify_path(app, "12010001"))
    assert r.status_code == 200 and "有效" in r.text and "赵*" in r.text and "赵䶮" not in r.text
    honour = client.get(verify_path(app, "WH20230007"))  # a branch is no person: its name is shown
    assert "市财政局综合党支部" in honour.text
    # the search box carries number and code to the number's page
    r = client.get("/verify?number=12010001&code=" + verify_path(app, "12010001").split("=")[1])
    assert r.status_code == 302 and r.headers["Location"].endswith(verify_path(app, "12010001"))


def test_look_ups_are_rate_limited_per_client(database_url, data_dir, scenario):
    from service import create_app

    app = create_app({"DATABASE_URL": database_url, "WUHAO_DATA_DIR": data_dir, "SECRET_KEY": "test-secret",
                      "TESTING": True, "WUHAO_VERIFY_PER_MINUTE": 3})
    client = app.test_client()
    seen = [client.get(f"/verify/1201000{i}?code=AAAAAA", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code
            for i in range(5)]
    assert seen == [404, 404, 404, 429, 429]
    r = client.get(verify_path(app, "12010001"), environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert r.status_code == 429 and "查询过于频繁" in r.text and "赵" not in r.text
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    # another client is not held up
    other = client.get(verify_path(app, "12010001"), environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert other.status_code == 200 and "赵*" in other.text


def test_the_limit_is_kept_in_the_database_not_in_the_app(database_url, data_dir, scenario):
    """Another app (its own secret, same database) spends an address's look-ups; this one then refuses
    that address. The quick tier's form of the next test, without a second Python process."""
    from service import create_app

    config = {"DATABASE_URL": database_url, "WUHAO_DATA_DIR": str(data_dir), "TESTING": True,
              "WUHAO_VERIFY_PER_MINUTE": 3}
    other = create_app({**config, "SECRET_KEY": "other-app"}).test_client()
    assert [other.get(f"/verify/1201000{i}?code=AAAAAA", environ_base={"REMOTE_ADDR": "10.0.0.19"}).status_code
            for i in range(3)] == [404, 404, 404]
    client = create_app({**config, "SECRET_KEY": "test-secret"}).test_client()
    r = client.get(verify_path(client.application, "12010001"), environ_base={"REMOTE_ADDR": "10.0.0.19"})
    assert r.status_code == 429 and "查询过于频繁" in r.text and 1 <= int(r.headers["Retry-After"]) <= 60
    elsewhere = client.get(verify_path(client.application, "12010001"), environ_base={"REMOTE_ADDR": "10.0.0.20"})
    assert elsewhere.status_code == 200


@pytest.mark.slow  # a second Python process (importing the service is 2 to 4 s of CPU); the test above is its quick form
def test_the_limit_is_shared_across_processes(database_url, data_dir, scenario):
    """Another process (its own app, same database) spends an address's look-ups; this one then
    refuses that address (the first limiter lived in one process's memory: N processes, N times the limit)."""
    from service import create_app

    config = {"DATABASE_URL": database_url, "WUHAO_DATA_DIR": str(data_dir), "SECRET_KEY": "test-secret",
              "TESTING": True, "WUHAO_VERIFY_PER_MINUTE": 3}
    script = f"""
from service import create_app
app = create_app({config!r})
c = app.test_client()
print([c.get(f"/verify/1201000{{i}}?code=AAAAAA", environ_base={{"REMOTE_ADDR": "10.0.0.9"}}).status_code
       for i in range(3)])
"""
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().endswith("[404, 404, 404]"), out.stdout
    client = create_app(config).test_client()
    r = client.get(verify_path(client.application, "12010001"), environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert r.status_code == 429 and "查询过于频繁" in r.text and 1 <= int(r.headers["Retry-After"]) <= 60
    other = client.get(verify_path(client.application, "12010001"), environ_base={"REMOTE_ADDR": "10.0.0.10"})
    assert other.status_code == 200


def test_the_limit_lives_in_redis_when_configured(database_url, data_dir, scenario, own_redis):
    from service import create_app
    from service.models import LoginThrottle

    def make(secret):
        return create_app({"DATABASE_URL": database_url, "WUHAO_DATA_DIR": data_dir, "SECRET_KEY": secret,
                           "TESTING": True, "WUHAO_VERIFY_PER_MINUTE": 2, "WUHAO_REDIS_URL": own_redis.url})

    one, two, addr = make("a").test_client(), make("b").test_client(), own_redis.addr
    assert [one.get("/verify/12010001?code=AAAAAA", environ_base={"REMOTE_ADDR": addr}).status_code
            for _ in range(2)] == [404, 404]
    blocked = two.get("/verify/12010001?code=AAAAAA", environ_base={"REMOTE_ADDR": addr})
    assert blocked.status_code == 429 and 1 <= int(blocked.headers["Retry-After"]) <= 60
    with session_scope(database_url) as s:
        assert s.query(LoginThrottle).filter(LoginThrottle.key.like("v:%")).count() == 0


def test_the_certificates_print_the_check_code(app, scenario):
    key = app.config["WUHAO_VERIFY_KEY"]
    card = {"number": "12010007", "name": "欧阳䶮", "branch_name": "大邱庄村党支部",
            "organisation_path": "静海区委 / 大邱庄镇党委", "joined_on": "1998-07-01", "issued_on": "2025-06-28",
            "verify_url": "http://x/verify/12010007?code=" + check_code("12010007", key),
            "check_code": check_code("12010007", key)}
    eng = engine_for("party-card")
    pdf = eng.write([eng.prepare(card)])
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        text = doc.pages[0].extract_text().replace(" ", "")
    assert "校验码" + card["check_code"] in text
    assert card["check_code"] in docx_text(render_docx("party-card", card))
    # a 荣誉证书 issued from the records: the code beside its number, and in its QR link
    with app.app_context(), session_scope(app.config["DATABASE_URL"]) as s:
        docs = issue(s, "honor-certificate", scenario["titled_cycle"], formats=("pdf", "docx"),
                     store=store_for(app.config["WUHAO_DATA_DIR"]))
        number, ctx = docs[0].number, docs[0].context
    code = check_code(number, key)
    assert ctx["check_code"] == code and ctx["verify_url"].endswith(f"/verify/{number}?code={code}")
    store = store_for(app.config["WUHAO_DATA_DIR"])
    pdf = store.read_bytes(next(d.sha256 for d in docs if d.format == "pdf"))
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        text = doc.pages[0].extract_text().replace(" ", "")
    assert "校验码：" + code in text
    assert code in docx_text(store.read_bytes(next(d.sha256 for d in docs if d.format == "docx")))
