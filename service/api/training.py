"""``/api/v1/training``: branch secretaries' training (JH-5): topics, classes, enrolment, attendance
(from the sign-in sheet as XLSX) and coverage (who has not yet been trained in a year, per 党委)."""
from __future__ import annotations

import datetime as dt

from ..db import get_session
from ..http import require_user
from ..usecases import district_training as training
from .common import blueprint, first_upload, int_arg, json_object, organisation_arg, xlsx_response

bp = blueprint("training", "/training")


@bp.get("/topics")
def topics():
    return {"items": training.topics(get_session(), require_user())}


@bp.post("/topics")
def create_topic():
    """``{"name", "organisation_id"}`` (the committee keeping it; the caller's by default)."""
    return training.create_topic(get_session(), require_user(), json_object()), 201


@bp.get("/classes")
def classes():
    return {"items": training.classes(get_session(), require_user(), int_arg("year", minimum=2000, maximum=2100))}


@bp.post("/classes")
def create_class():
    """``{"topic_id", "held_on", "place", "capacity"}``."""
    return training.create_class(get_session(), require_user(), json_object()), 201


@bp.get("/classes/<int:class_id>")
def get_class(class_id: int):
    return training.get_class(get_session(), require_user(), class_id)


@bp.patch("/classes/<int:class_id>")
def update_class(class_id: int):
    return training.update_class(get_session(), require_user(), class_id, json_object())


@bp.post("/classes/<int:class_id>/enrolments")
def enrol(class_id: int):
    """``{"organisation_ids": [branch ids]}``: their secretaries enrolled, up to the capacity."""
    return training.enrol(get_session(), require_user(), class_id, json_object()), 201


@bp.post("/classes/<int:class_id>/attendance")
def mark(class_id: int):
    """``{"organisation_id", "attended": true, "secretary"}``."""
    return training.mark(get_session(), require_user(), class_id, json_object())


@bp.post("/classes/<int:class_id>/attendance/import")
def import_attendance(class_id: int):
    """The sign-in sheet (XLSX; problems name row and column, all or nothing)."""
    return training.import_attendance(get_session(), require_user(), class_id, first_upload())


@bp.get("/sign-in-template.xlsx")
def sign_in_template():
    require_user()
    return xlsx_response(training.sign_in_template(), "training-sign-in-template.xlsx")


def _coverage():
    return training.coverage(get_session(), require_user(), int_arg("year", dt.date.today().year, minimum=2000,
                                                                    maximum=2100), organisation_id=organisation_arg())


@bp.get("/coverage")
def coverage():
    """``?year=&organisation_id=``: per 党委 trained / branches, and the branches not yet trained."""
    return _coverage()


@bp.get("/untrained.xlsx")
def untrained_xlsx():
    return xlsx_response(training.untrained_xlsx(_coverage()), "untrained-secretaries.xlsx")
