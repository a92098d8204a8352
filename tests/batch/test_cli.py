"""``wuhao sample-roster`` and ``wuhao batch`` on the embedded defaults (SQLite, local workers)."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

pytestmark = pytest.mark.slow  # wuhao batch and sample-roster as processes


@pytest.fixture
def sqlite_env(tmp_path, monkeypatch):
    from service.db import session_scope
    from service.demo import load_demo
    from service.migrate import upgrade

    data = tmp_path / "var"
    data.mkdir()
    url = f"sqlite:///{data / 'wuhao.db'}"
    upgrade(url)
    with session_scope(url) as s:
        load_demo(s, password="demo-pass-1", with_records=False)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("WUHAO_DATA_DIR", str(data))
    monkeypatch.setenv("SECRET_KEY", "test")
    yield url
    from service.db import dispose_all

    dispose_all()


def test_sample_roster_and_batch_command(sqlite_env, tmp_path):
    from service.cli import main

    runner = CliRunner()
    roster = tmp_path / "members.csv"
    r = runner.invoke(main, ["sample-roster", "--members", "150", "--encoding", "gb18030", "-o", str(roster)])
    assert r.exit_code == 0, r.output
    assert roster.read_bytes().decode("gb18030").startswith("序号,姓名")
    out = tmp_path / "out"
    r = runner.invoke(main, ["batch", str(roster), "--kind", "party-card", "--out", str(out), "--workers", "2",
                             "--outputs", "merged,register,pdf,docx,zip", "--chunk-size", "50",
                             "--issuer", "中共静海区委组织部"])
    assert r.exit_code == 0, r.output
    assert "完成：150 份" in r.output
    assert len(list((out / "pdf").glob("*.pdf"))) == 150
    assert len(list((out / "docx").glob("*.docx"))) == 150
    assert len(list((out / "merged").glob("*.pdf"))) == 1
    assert (out / "党员证_登记造册.xlsx").exists()
    zips = list((out / "zip").glob("*.zip"))
    assert sum(len(zipfile.ZipFile(z).namelist()) for z in zips) == 300  # pdf + docx each
    # the same roster again: idempotent, nothing new issued
    r = runner.invoke(main, ["batch", str(roster), "--kind", "party-card", "--out", str(tmp_path / "again"),
                             "--outputs", "merged,register,pdf,docx,zip", "--chunk-size", "50",
                             "--issuer", "中共静海区委组织部"])
    assert r.exit_code == 0 and "已存在" in r.output
    from sqlalchemy import func, select

    from service.db import session_scope
    from service.models import Certificate

    with session_scope(sqlite_env) as s:
        assert s.execute(select(func.count()).select_from(Certificate)).scalar_one() == 150
    # the same roster with other outputs gets those outputs (not the first run's), same numbers
    r = runner.invoke(main, ["batch", str(roster), "--kind", "party-card", "--out", str(tmp_path / "merged-only"),
                             "--outputs", "merged", "--issuer", "中共静海区委组织部"])
    assert r.exit_code == 0, r.output
    assert "沿用任务" in r.output and "完成：150 份" in r.output
    assert [p.parent.name for p in (tmp_path / "merged-only").rglob("*") if p.is_file()] == ["merged"]
    with session_scope(sqlite_env) as s:
        assert s.execute(select(func.count()).select_from(Certificate)).scalar_one() == 150


def test_batch_command_reports_bad_rows(sqlite_env, tmp_path):
    from service.cli import main

    roster = tmp_path / "bad.csv"
    roster.write_bytes("姓名,所在支部\n张三,区医院党支部\n张三,区医院党支部\n,区医院党支部\n".encode())
    r = CliRunner().invoke(main, ["batch", str(roster), "--kind", "party-card", "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert "第3行：重复的党员：与第2行相同" in r.output and "第4行：缺少姓名" in r.output
    assert not (tmp_path / "o").exists()
