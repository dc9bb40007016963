"""The Flask app factory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from werkzeug.routing import BaseConverter

from factcheck.db import get_database
from factcheck.settings import Settings, get_settings

Dispatch = Callable[..., None]


class IdConverter(BaseConverter):
    """Positive ids that fit a 64-bit column: larger ones are a 404, not a database error."""

    regex = r"[1-9][0-9]{0,17}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: Any) -> str:
        return str(value)


def celery_dispatch(task: str, *args: Any) -> None:
    from workers import tasks  # the web imports workers only to enqueue

    getattr(tasks, task).delay(*args)


def create_app(settings: Settings | None = None, dispatch: Dispatch | None = None) -> Flask:
    settings = settings or get_settings()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        SERVER_NAME=None,
    )
    app.url_map.converters["id"] = IdConverter
    app.extensions["factcheck.settings"] = settings
    app.extensions["factcheck.database"] = get_database(settings.resolved_database_url())
    app.extensions["factcheck.dispatch"] = dispatch or celery_dispatch

    from web import api, problems, public

    problems.install(app)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(public.blueprint)
    return app
