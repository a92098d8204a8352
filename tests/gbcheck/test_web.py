"""The 公文格式检查 page: any signed-in account drops a file and sees the problems on the page images."""
from __future__ import annotations

import io
import re

import pytest


def _login(client, username: str, password: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = client.post("/login", data={"username": username, "password": password, "csrf_token": csrf})
    assert resp.status_code in (302, 303), resp.get_data(as_text=True)[:300]


def _post(client, data: bytes, name: str):
    page = client.get("/lint").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post("/lint", data={"csrf_token": csrf, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


@pytest.mark.parametrize("username", ["yusuan", "gongwei", "admin"])
def test_every_role_reaches_the_page(client, demo, username):
    _login(client, username, demo["password"])
    page = client.get("/lint")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "公文格式检查" in html and 'href="/lint"' in html


def test_anonymous_is_sent_to_sign_in(client, demo):
    assert client.get("/lint").status_code in (302, 303)


def test_problems_are_boxed_on_the_page_images(client, demo, make_pdf):
    _login(client, "gongwei", demo["password"])
    resp = _post(client, make_pdf(signature_alone=True, date="2026年06月01日"), "通知.pdf")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "本页只有落款" in html and "不编虚位" in html and "GB/T 9704-2012 7.3.5.5" in html
    assert html.count('src="data:image/png;base64,') == 3
    boxes = re.findall(r'class="box" href="#problem-(\d+)"', html)
    assert len(boxes) >= 2
    assert "signature-alone" not in html and "date-padded" not in html  # no rule codes on a page


def test_a_correct_file_says_so(client, demo, make_pdf):
    _login(client, "yusuan", demo["password"])
    html = _post(client, make_pdf(), "正确.pdf").get_data(as_text=True)
    assert "未发现不符合" in html


def test_a_broken_file_gets_a_chinese_reason(client, demo):
    _login(client, "yusuan", demo["password"])
    resp = _post(client, b"%PDF-1.7\n garbage", "坏.pdf")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "无法检查" in html and "Traceback" not in html
