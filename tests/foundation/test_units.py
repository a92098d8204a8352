"""Pure pieces of the foundation: config, file store, numbering formats."""
from __future__ import annotations

import hashlib
import io

import pytest

from service import config
from service.numbering import format_doc_number, format_member_number
from service.storage import FileStore


def test_config_defaults(tmp_path):
    cfg = config.load(env={"WUHAO_DATA_DIR": str(tmp_path)})
    assert cfg["DATABASE_URL"] == f"sqlite:///{tmp_path / 'wuhao.db'}"
    assert cfg["MAX_CONTENT_LENGTH"] == 20 * 1024 * 1024
    assert len(cfg["SECRET_KEY"]) > 40
    again = config.load(env={"WUHAO_DATA_DIR": str(tmp_path)})
    assert again["SECRET_KEY"] == cfg["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_config_from_environment(tmp_path):
    cfg = config.load(env={"WUHAO_DATA_DIR": str(tmp_path), "DATABASE_URL": "postgresql+psycopg://x/y",
                           "SECRET_KEY": "k", "WUHAO_MAX_UPLOAD_MB": "5"})
    assert cfg["DATABASE_URL"] == "postgresql+psycopg://x/y"
    assert cfg["SECRET_KEY"] == "k"
    assert cfg["MAX_CONTENT_LENGTH"] == 5 * 1024 * 1024


def test_file_store_roundtrip_and_atomicity(tmp_path):
    store = FileStore(tmp_path)
    data = "五好党支部".encode() * 1000
    digest = store.put_bytes(data)
    assert digest == hashlib.sha256(data).hexdigest()
    assert store.read_bytes(digest) == data
    assert store.put_stream(io.BytesIO(data)) == (digest, len(data))
    assert not [p for p in tmp_path.rglob(".*") if p.is_file()], "no temporary files left behind"
    with pytest.raises(ValueError):
        store.path_for("../../etc/passwd")


def test_doc_number_format():
    assert format_doc_number("市直工委", 2025, 6) == "市直工委〔2025〕6号"
    with pytest.raises(ValueError):
        format_doc_number("市直工委", 2025, 0)


def test_member_number_format():
    assert format_member_number("12", "3", 27) == "12030027"
    with pytest.raises(ValueError):
        format_member_number("12", "03", 10000)
