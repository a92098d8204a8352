"""The font directory and check, and the ``wuhao fonts`` / ``wuhao render`` commands."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from service.documents import fonts
from service.documents.samples import sample_context

from .helpers import docx_text, drawn_glyphs, pdf_text

RARE = "䶮𠮷堃珺"


def _fake_real_face(directory: Path, family: str, chars: str) -> Path:
    """A small TrueType face that calls itself ``family`` (cut from LXGW WenKai)."""
    from fontTools.ttLib import TTFont

    from service.documents import harfbuzz

    src = fonts.resolve_font("kai")
    assert src.path and src.path.endswith(".ttf")
    data = harfbuzz.face(src.path, src.index).subset_text(chars)
    font = TTFont(io.BytesIO(data))
    name = font["name"]
    for rec in list(name.names):
        if rec.nameID in (1, 4, 6, 16, 17):
            name.removeNames(nameID=rec.nameID)
    for nid, value in ((1, family), (4, family), (6, "FangSong_GB2312"), (16, family)):
        name.setName(value, nid, 3, 1, 0x804)
    path = directory / "fs_gb2312.ttf"
    font.save(str(path))
    return path


@pytest.fixture
def font_dir(tmp_path, monkeypatch):
    d = tmp_path / "fonts"
    d.mkdir()
    monkeypatch.setenv("WUHAO_FONT_DIR", str(d))
    fonts.clear_cache()
    yield d
    monkeypatch.delenv("WUHAO_FONT_DIR")
    fonts.clear_cache()


def test_substitutes_are_reported_and_cwtex_is_not_used_for_fangsong(font_dir):
    rows = {r["role"]: r for r in fonts.font_report()}
    assert set(rows) == {"title", "body", "kai", "hei", "song"}
    for r in rows.values():
        assert r["status"] in ("ok", "substitute")
        assert r["path"] and Path(r["path"]).exists()
        if r["substitute"]:
            assert "警告" in r["message"] and r["wanted"] in r["message"]
        assert r["rare_chars_missing"] == ""
    # cwTeX FangSong is Traditional-oriented: it lacks common simplified characters
    assert "cwTeX" not in rows["body"]["family"]
    assert rows["body"]["wanted"] == "仿宋_GB2312" and rows["title"]["wanted"] == "方正小标宋简体"
    from service.documents.fonts import SIMPLIFIED_SAMPLE, covers

    cw = "/usr/share/fonts/truetype/cwtex/cwfs.ttf"
    if Path(cw).exists():
        assert not covers(cw, 0, SIMPLIFIED_SAMPLE)


@pytest.mark.slow
def test_a_real_face_in_the_font_directory_wins(font_dir):
    from service.documents.registry import render

    ctx = sample_context("supplement-notice")
    ctx["branch_name"] = f"{RARE}党支部"
    text = "".join(str(v) for v in ctx.values()) + fonts.SIMPLIFIED_SAMPLE + "关于补正材料的通知你支部"
    path = _fake_real_face(font_dir, "仿宋_GB2312", text)
    fonts.clear_cache()
    body = fonts.resolve_font("body")
    assert (body.family, body.path, body.substitute, body.source) == ("仿宋_GB2312", str(path), False,
                                                                       "font-dir")
    row = next(r for r in fonts.font_report() if r["role"] == "body")
    assert row["status"] == "ok"
    assert path.as_uri() in fonts.css_font_faces()
    assert fonts.css_font_stack("body").startswith('"wuhao-body"')
    # the face lacks the rare characters: they come from the fallback faces, never as boxes
    data = render("supplement-notice", ctx, "pdf")
    glyphs = drawn_glyphs(data)
    for ch in RARE:
        assert glyphs.get(ch) and all(ok for _f, ok in glyphs[ch]), ch


def test_wuhao_fonts_command(font_dir):
    from service.documents.cli import fonts_cmd

    result = CliRunner().invoke(fonts_cmd, [])
    assert result.exit_code == 0, result.output
    for wanted in ("方正小标宋简体", "仿宋_GB2312", "楷体_GB2312", "黑体", "宋体"):
        assert wanted in result.output
    rows = json.loads(CliRunner().invoke(fonts_cmd, ["--json"]).output)
    assert [r["role"] for r in rows] == ["title", "body", "kai", "hei", "song"]


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    data = tmp_path / "data"
    monkeypatch.setenv("WUHAO_DATA_DIR", str(data))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    yield data
    from service.db import dispose_all

    dispose_all()


@pytest.mark.slow
def test_wuhao_render_demo_without_records_uses_the_sample(cli_env, tmp_path):
    from service.documents.cli import render_cmd

    out = tmp_path / "n.docx"
    result = CliRunner().invoke(render_cmd, ["delisting-notice", "--demo", "--format", "docx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "市财政局综合党支部：" in docx_text(out.read_bytes())
    bad = CliRunner().invoke(render_cmd, ["delisting-notice", "--format", "docx", "-o", str(out)])
    assert bad.exit_code == 2 and "--id" in bad.output
    bad = CliRunner().invoke(render_cmd, ["party-card", "--demo", "--format", "xlsx", "-o", str(out)])
    assert bad.exit_code == 2


@pytest.mark.slow
def test_wuhao_render_issues_from_a_record(cli_env, tmp_path):
    from sqlalchemy import select

    from service.db import session_scope
    from service.demo import load_demo
    from service.documents.cli import render_cmd
    from service.migrate import upgrade
    from service.models import AuditLog, Document, Organisation

    import os

    url = os.environ["DATABASE_URL"]
    upgrade(url)
    with session_scope(url) as s:
        load_demo(s, password="x-pass-123", with_records=False)
        district = s.execute(select(Organisation).where(Organisation.name == "静海区委")).scalar_one().id
    out = tmp_path / "ledger.xlsx"
    runner = CliRunner()
    r = runner.invoke(render_cmd, ["rectification-ledger", "--id", str(district), "--format", "xlsx", "-o", str(out)])
    assert r.exit_code == 0, r.output
    out2 = tmp_path / "q.pdf"
    r = runner.invoke(render_cmd, ["quarterly-report", "--id", str(district), "--format", "pdf", "-o", str(out2),
                                   "--year", "2025", "--quarter", "3", "--as-of", "2025-10-10"])
    assert r.exit_code == 0, r.output
    assert "静海区委〔2025〕1号" in r.output and "静海区委〔2025〕1号" in pdf_text(out2.read_bytes())
    with session_scope(url) as s:
        docs = s.execute(select(Document).order_by(Document.id)).scalars().all()
        assert [(d.kind, d.format) for d in docs] == [("rectification-ledger", "xlsx"), ("quarterly-report", "pdf")]
        assert s.execute(select(AuditLog).where(AuditLog.action == "document_issued")).scalars().all()
    r = runner.invoke(render_cmd, ["quarterly-report", "--id", "999999", "-o", str(out2)])
    assert r.exit_code == 1 and "没有编号为 999999" in r.output


@pytest.mark.slow
def test_overprint_with_a_calibrated_printer(cli_env, tmp_path):
    from service.db import session_scope
    from service.documents.cli import render_cmd
    from service.documents.printers import offset_for
    from service.migrate import upgrade
    from service.models import Certificate, Organisation

    import os

    url = os.environ["DATABASE_URL"]
    upgrade(url)
    with session_scope(url) as s:
        org = Organisation(name="城关社区党支部", kind="branch", domain="community")
        s.add(org)
        s.flush()
        c = Certificate(kind="party-card", number="12010009", holder_name="王堃", status="valid",
                        organisation_id=org.id)
        s.add(c)
        s.flush()
        cid = c.id
    r = CliRunner().invoke(render_cmd, ["party-card", "--id", str(cid), "--overprint", "--format", "docx",
                                        "-o", str(tmp_path / "x.docx")])
    assert r.exit_code == 2  # 套打 is for PDFs
    out = tmp_path / "card.pdf"
    r = CliRunner().invoke(render_cmd, ["party-card", "--id", str(cid), "--overprint", "--printer", "套打机1",
                                        "--offset", "1.5,-0.5", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert offset_for("套打机1", cli_env) == (1.5, -0.5)
    assert "王堃" in pdf_text(out.read_bytes())
    r = CliRunner().invoke(render_cmd, ["party-card", "--id", str(cid), "--overprint", "--printer", "未知",
                                        "-o", str(out)])
    assert r.exit_code == 1 and "尚未校准" in r.output
