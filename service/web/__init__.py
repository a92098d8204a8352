"""The Chinese web pages (server-rendered Jinja)."""
from flask import Blueprint

bp = Blueprint("web", __name__)

from . import pages  # noqa: E402,F401
