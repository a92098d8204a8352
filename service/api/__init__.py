"""The JSON API, ``/api/v1``. Errors are ``{"error": {"code", "message"}}``.

Described by the OpenAPI 3 document at ``/api/v1/openapi.json`` (browsable at ``/api/v1/docs``).
"""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import (  # noqa: E402,F401  (routes register on import)
    admin, assessments, audit_log, checks, dashboard, forms, notices, openapi, organisations, submissions, users,
)
