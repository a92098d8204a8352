"""Term expiry as a daily job (issue 11): the in-process scheduler of `wuhao serve` and a Celery beat
entry, both from the settings, run the job that marks 荣誉证书 past their term's end 已失效."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service import config
from service.batch.celery_app import celery_init
from service.db import session_scope
from service.models import Certificate
from service.usecases.daily import DailyScheduler, next_run, parse_time_of_day


def test_next_run_is_the_next_time_of_day():
    at = dt.time(2, 0)
    assert next_run(dt.datetime(2029, 6, 30, 1, 59), at) == dt.datetime(2029, 6, 30, 2, 0)
    assert next_run(dt.datetime(2029, 6, 30, 2, 0), at) == dt.datetime(2029, 7, 1, 2, 0)
    assert next_run(dt.datetime(2029, 12, 31, 23, 0), at) == dt.datetime(2030, 1, 1, 2, 0)
    with pytest.raises(ValueError, match="WUHAO_DAILY_AT"):
        parse_time_of_day("两点")


def test_the_in_process_scheduler_expires_certificates_at_its_hour(app, scenario):
    settings = config.settings_of(app)
    assert settings.daily_in_process and settings.daily_at == "02:00"
    now = [dt.datetime(2029, 6, 30, 23, 0)]
    sched = DailyScheduler(settings, clock=lambda: now[0])
    assert sched.due == dt.datetime(2029, 7, 1, 2, 0)
    now[0] = dt.datetime(2029, 7, 1, 1, 59)
    assert sched.tick() is None  # not yet
    with session_scope(app.config["DATABASE_URL"]) as s:
        assert s.execute(select(Certificate.status).where(Certificate.number == "WH20230007")).scalar_one() == "valid"
    now[0] = dt.datetime(2029, 7, 1, 2, 0)
    done = sched.tick()  # WH20230007's term ended 2027-06-30
    assert "WH20230007" in done["expired_certificates"]
    assert sched.due == dt.datetime(2029, 7, 2, 2, 0) and sched.tick() is None  # once a day
    with session_scope(app.config["DATABASE_URL"]) as s:
        assert s.execute(select(Certificate.status).where(Certificate.number == "WH20230007")).scalar_one() \
            == "expired"
    # the thread starts and stops at once (it waits on an event, not a sleep)
    sched.start().stop()
    assert not sched._thread.is_alive()


def test_the_celery_beat_entry_comes_from_the_settings(app, data_dir, scenario):
    settings = config.load({"DATABASE_URL": app.config["DATABASE_URL"], "WUHAO_DATA_DIR": data_dir,
                            "SECRET_KEY": "test-secret", "WUHAO_DAILY_AT": "03:15"})
    celery = celery_init(settings)
    entry = celery.conf.beat_schedule["wuhao-daily"]
    assert entry["task"] == "wuhao.daily" and (entry["schedule"].hour, entry["schedule"].minute) == ({3}, {15})
    celery.loader.import_default_modules()  # what a worker does at start (the `include` list)
    assert "wuhao.daily" in celery.tasks
    result = celery.tasks["wuhao.daily"].apply().get()  # run here, without a broker
    assert set(result) == {"expired_certificates"} and isinstance(result["expired_certificates"], int)
