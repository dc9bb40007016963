"""What operators and their tools ask: is it alive, is it ready, what is it doing."""

from __future__ import annotations

import logging
import time
import uuid

from flask import Blueprint, Flask, Response, current_app, g, request
from kombu import Connection
from sqlalchemy import text

from factcheck import metrics
from factcheck.logs import log_context
from factcheck.secret_key import is_development
from web.operations import database, json_response, settings

blueprint = Blueprint("ops", __name__)
access_log = logging.getLogger("factcheck.access")


@blueprint.get("/healthz")
def healthz() -> Response:
    """Alive: this process answers. It also reports what it can reach."""
    return json_response({"status": "ok", "database": _database_state(), "broker": _broker_state()})


@blueprint.get("/readyz")
def readyz() -> Response:
    """Ready to serve: the database and broker answer, the schema is at head, and
    sessions are signed with a key of our own, not the public development key."""
    checks = {
        "database": _database_state(),
        "broker": _broker_state(),
        "migrations": _migration_state(),
        "secret_key": "development key" if is_development(current_app.secret_key) else "ok",
    }
    ready = all(state == "ok" for state in checks.values())
    return json_response(
        {"status": "ok" if ready else "unavailable", **checks}, 200 if ready else 503
    )


@blueprint.get("/metrics")
def metrics_page() -> Response:
    body, content_type = metrics.exposition(database())
    return Response(body, content_type=content_type)


def _database_state() -> str:
    try:
        with database().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure means "not reachable": reported, not raised
        current_app.logger.warning("database unreachable: %s", error)
        return "unreachable"
    return "ok"


def _broker_state() -> str:
    try:
        with Connection(settings().resolved_broker_url(), connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as error:
        current_app.logger.warning("broker unreachable: %s", error)
        return "unreachable"
    return "ok"


def _migration_state() -> str:
    # Imported at the first readiness probe, not with the app: Alembic (and, where it
    # is installed, Pygments through Mako) is most of a second of every web process's start.
    from factcheck import migrate

    try:
        at_head = migrate.is_at_head(database().engine, database().url)
    except Exception as error:
        current_app.logger.warning("cannot read the schema version: %s", error)
        return "unknown"
    return "ok" if at_head else "behind"


def install_request_tracking(app: Flask) -> None:
    """A request id on every request and log line, latency metrics, one access line."""

    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()
        g.request_id = _request_id()
        g.log_context = log_context(request_id=g.request_id)
        g.log_context.__enter__()

    @app.after_request
    def _finish(response: Response) -> Response:
        elapsed = time.perf_counter() - g.get("started", time.perf_counter())
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        metrics.HTTP_LATENCY.labels(endpoint, request.method, str(response.status_code)).observe(
            elapsed
        )
        response.headers["X-Request-Id"] = g.get("request_id", "")
        access_log.info(
            "%s %s %s",
            request.method,
            endpoint,
            response.status_code,
            extra={"status": response.status_code, "duration_ms": round(elapsed * 1000, 1)},
        )
        return response

    @app.teardown_request
    def _forget(_error: BaseException | None) -> None:
        context = g.pop("log_context", None)
        if context is not None:
            context.__exit__(None, None, None)


def _request_id() -> str:
    """The caller's X-Request-Id when it looks like one, else a new one."""
    given = request.headers.get("X-Request-Id", "")
    if 8 <= len(given) <= 64 and all(c.isalnum() or c in "-_" for c in given):
        return given
    return uuid.uuid4().hex
