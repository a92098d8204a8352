"""Pure pieces of the foundation: config, file store, numbering formats."""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import re
from pathlib import Path

import pytest

from service import config
from service.demo_records import LEDGER_PLANS, ledger_plans
from service.documents.contexts import taskbook_deadline
from service.models import CreationCycle, RectificationItem
from service.numbering import format_doc_number, format_member_number
from service.storage import FileStore
from service.usecases.dashboard import deadlines
from service.vocabulary import DEFAULT_PUBLIC_URL


def test_config_defaults(tmp_path):
    cfg = config.load(env={"WUHAO_DATA_DIR": str(tmp_path)})
    assert cfg.database_url == f"sqlite:///{tmp_path / 'wuhao.db'}"
    assert cfg.max_upload_bytes == 20 * 1024 * 1024
    # the limit is per file: a request may carry MAX_UPLOAD_FILES of them and the multipart envelope
    assert cfg.flask_config()["MAX_CONTENT_LENGTH"] == 20 * 1024 * 1024 * config.MAX_UPLOAD_FILES + config.MULTIPART_SLACK
    assert len(cfg.secret_key) > 40
    assert cfg.public_url == DEFAULT_PUBLIC_URL and cfg.rubric_dir == tmp_path / "rubrics"
    assert cfg.soffice is None and cfg.batch_workers is None and cfg.celery_backend == cfg.celery_broker
    # unset, the public address follows where the server listens (a wildcard host keeps the default's)
    at = {(h, p): config.load(env={"WUHAO_DATA_DIR": str(tmp_path), "WUHAO_HOST": h, "WUHAO_PORT": p}).public_url
          for h, p in (("127.0.0.1", "8131"), ("0.0.0.0", "9000"), ("10.1.2.3", "8000"), ("::1", "8000"))}
    assert at == {("127.0.0.1", "8131"): "http://127.0.0.1:8131", ("0.0.0.0", "9000"): "http://127.0.0.1:9000",
                  ("10.1.2.3", "8000"): "http://10.1.2.3:8000", ("::1", "8000"): "http://[::1]:8000"}
    again = config.load(env={"WUHAO_DATA_DIR": str(tmp_path)})
    assert again.secret_key == cfg.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.public_url = "http://elsewhere"  # type: ignore[misc]


def test_config_from_environment(tmp_path):
    cfg = config.load(env={"WUHAO_DATA_DIR": str(tmp_path), "DATABASE_URL": "postgresql+psycopg://x/y",
                           "SECRET_KEY": "k", "WUHAO_MAX_UPLOAD_MB": "5", "WUHAO_SOFFICE": "",
                           "WUHAO_BATCH_WORKERS": "3", "WUHAO_HB_PREPROCESS": "1",
                           "WUHAO_PUBLIC_URL": "https://wuhao.example.org/"})
    assert cfg.database_url == "postgresql+psycopg://x/y"
    assert cfg.secret_key == "k"
    assert cfg.max_upload_bytes == 5 * 1024 * 1024
    assert cfg.soffice == "" and cfg.batch_workers == 3 and cfg.hb_preprocess is True
    assert cfg.public_url == "https://wuhao.example.org"
    # overrides (create_app's mapping) win over the environment
    over = config.load({"WUHAO_PUBLIC_URL": "http://10.0.0.1:8000"}, env={"WUHAO_DATA_DIR": str(tmp_path),
                                                                          "WUHAO_PUBLIC_URL": "http://x"})
    assert over.public_url == "http://10.0.0.1:8000"


def test_every_variable_is_in_the_readme():
    """The README's configuration table names every variable config.load reads."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = {m.group(1) for m in re.finditer(r"^\| `([A-Z_]+)` \|", readme, re.M)}
    assert set(config.VARIABLES) <= table, sorted(set(config.VARIABLES) - table)
    assert {f.name for f in dataclasses.fields(config.Settings)} >= {"rubric_dir", "public_url", "celery_queue"}


def test_app_keeps_its_settings(tmp_path):
    from service import create_app

    app = create_app({"WUHAO_DATA_DIR": tmp_path, "SECRET_KEY": "s", "TESTING": True,
                      "WUHAO_RUBRIC_DIR": str(tmp_path / "mine")})
    settings = config.settings_of(app)
    assert settings.rubric_dir == tmp_path / "mine" and settings.data_dir == tmp_path
    assert app.config["SECRET_KEY"] == "s" and app.config["TESTING"] is True


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


def test_deadline_labels_cite_no_programme():
    """The windows show on 区委 and street branches' pages too: a 市直 clause there (scrubbed into
    《市直机关…办法》) named a programme that is not theirs."""
    today = dt.date(2026, 12, 3)
    cycles = [None] + [CreationCycle(state=s, declared_on=dt.date(2026, 3, 10), commended_on=dt.date(2025, 6, 28),
                                     term_starts_on=dt.date(2025, 7, 1), facts={"rectify_deadline": "2027-03-01"})
                       for s in ("forecast", "acceptance_applied", "in_term", "rectifying")]
    labels = [d["what"] for c in cycles for d in deadlines(c, today)]
    assert len(labels) >= 6
    assert not [w for w in labels if "SZ" in w or "《" in w], labels


def test_a_task_book_deadline_is_never_in_the_past():
    """Rows whose 整改时限 has passed do not set the task book's deadline (a book issued on
    2026-12-03 read 须于2025年12月31日前完成); without a later row it is ``days`` after the issue."""
    today = dt.date(2026, 12, 3)
    past, later = RectificationItem(due_on=dt.date(2025, 12, 31)), RectificationItem(due_on=dt.date(2027, 2, 1))
    assert taskbook_deadline([past], today, {"days": 90}) == today + dt.timedelta(days=90)
    assert taskbook_deadline([past, later], today, {"days": 90}) == dt.date(2027, 2, 1)
    assert taskbook_deadline([past], today, {"deadline": "2027-03-03"}) == dt.date(2027, 3, 3)


@pytest.mark.parametrize("today", [dt.date(2026, 12, 5), dt.date(2027, 4, 1), dt.date(2029, 7, 15),
                                   dt.date(2030, 3, 20)])
def test_the_demo_ledger_is_a_real_years_state_on_any_day(today):
    """The demo's 整改工作台账 rows, loaded on any day: two closed, one past its 整改时限, one running (from
    April 2027 the fixed 2027-03-31 had run out and no row was running)."""
    plans = ledger_plans(today)
    assert plans[:3] == LEDGER_PLANS[:3] and len(plans) == len(LEDGER_PLANS)
    open_dues = [dt.date.fromisoformat(due) for _m, _t, due, _n, closed in plans if not closed]
    assert len(plans) - len(open_dues) == 2
    assert sorted(d < today for d in open_dues) == [False, True]
    assert all(d >= today + dt.timedelta(days=90) for d in open_dues if d >= today)
