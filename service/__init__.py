"""wuhao: the paperwork of the 五好党支部 programme.

Data flows intake → extraction (``parsers``) → checks → documents → delivery
(the JSON API and the web pages). ``create_app`` wires the adapters together.
"""
from __future__ import annotations

from flask import Flask
from sqlalchemy import text

from . import api, http, web
from . import config as config_mod
from .db import get_session

__all__ = ["create_app"]


def create_app(config: dict | None = None) -> Flask:
    """Application factory: ``create_app({"DATABASE_URL": ...})`` for tests, plain for production.

    ``config`` overrides the environment under the variables' names (see ``service.config``);
    other keys (``TESTING``…) go to Flask's config as they are. The frozen settings are kept in
    ``app.extensions["wuhao"]`` (``config.settings_of(app)``)."""
    app = Flask(__name__, template_folder="web/templates", static_folder="web/static")
    settings = config_mod.load(config)
    app.extensions[config_mod.EXTENSION] = settings
    app.config.update(settings.flask_config())
    app.config.update({k: v for k, v in (config or {}).items() if k not in config_mod.VARIABLES})
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app.json.ensure_ascii = False
    http.init_app(app)
    api.init_app(app)
    web.init_app(app)
    app.add_url_rule("/healthz", "healthz", _healthz)
    return app


def _healthz():
    get_session().execute(text("SELECT 1"))
    return {"status": "ok"}
