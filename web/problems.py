"""Errors as RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, json, render_template, request
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, SecurityError

from factcheck import errors

log = logging.getLogger(__name__)

STATUS_BY_ERROR: dict[type[errors.DomainError], int] = {
    errors.InvalidInput: 422,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.PermissionDenied: 403,
    errors.TooLarge: 413,
    errors.Unavailable: 503,
}


class ProblemError(Exception):
    """Raised by the web layer itself (authentication, request parsing)."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail
        self.headers = headers or {}
        self.extra = extra


def problem(
    status: int, title: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    response = Response(json.dumps(body), status=status, mimetype="application/problem+json")
    response.headers.update(headers or {})
    return response


def status_for(error: errors.DomainError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[kind]
    return 400


def install(app: Flask) -> None:
    @app.errorhandler(ProblemError)
    def _problem(error: ProblemError) -> Response:
        return problem(error.status, error.title, error.detail, error.headers, **error.extra)

    @app.errorhandler(errors.DomainError)
    def _domain(error: errors.DomainError) -> Response:
        status = status_for(error)
        if status in READER_PAGES and wants_a_page():
            return error_page(status, error.detail)
        return problem(status, error.title, error.detail, **error.extra)

    @app.errorhandler(SecurityError)
    def _unknown_host(error: SecurityError) -> Response:
        # Flask raises this for a Host header outside FACTCHECK_TRUSTED_HOSTS.
        return problem(400, "Unknown host", "this service does not answer for that host name")

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        status = error.code or 500
        if status in READER_PAGES and wants_a_page():
            return error_page(status, error.description or "", getattr(error, "link", None))
        headers = dict(error.get_headers())
        headers.pop("Content-Type", None)
        return problem(status, error.name, error.description or error.name, headers)

    @app.errorhandler(OperationalError)
    def _database_down(error: OperationalError) -> Response:
        if _rolled_back_by_a_collision(error):
            log.info("transaction rolled back by the database: %s", error.orig)
            return problem(
                409,
                "Conflict",
                "another change to the same rows happened at the same moment; nothing was "
                "written: try again",
            )
        log.warning("database unavailable: %s", error.orig)
        return problem(
            503,
            "Service unavailable",
            "the database is unreachable; try again shortly",
            {"Retry-After": "5"},
        )

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return _database_down(error)  # type: ignore[arg-type]
        log.exception("unhandled error")
        return problem(500, "Internal server error", "an unexpected error occurred; it was logged")


# Statuses a person may meet by following a link: a page in the site's style for them.
READER_PAGES = {404: "Page not found", 410: "No longer published"}


def wants_a_page() -> bool:
    """A browser asking for a page outside the API (which answers problem details
    only). A client that names no preference (``*/*``) or asks for JSON gets JSON."""
    if request.path.startswith("/api/"):
        return False
    preferred = request.accept_mimetypes.best_match(["application/problem+json", "text/html"])
    return preferred == "text/html"


def error_page(status: int, detail: str, link: str | None = None) -> Response:
    body = render_template(
        "error.html", status=status, title=READER_PAGES[status], detail=detail, link=link
    )
    return Response(body, status=status, mimetype="text/html")


def _rolled_back_by_a_collision(error: OperationalError) -> bool:
    """A deadlock or serialization failure (SQLSTATE class 40): the database undid the
    transaction because another one touched the same rows; running it again works."""
    return str(getattr(error.orig, "sqlstate", "") or "").startswith("40")
