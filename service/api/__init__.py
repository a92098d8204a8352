"""The JSON API, ``/api/v1``. Errors are ``{"error": {"code", "message"}}``."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import checks, organisations, submissions  # noqa: E402,F401  (routes register on import)
