"""Errors a service raises when a request cannot be carried out.

Each names the kind of failure; the web layer maps the kind to a status code.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """``field``: the input the error concerns, named as in the API's body (a dotted
    path into it: ``citations.0.quote``), so that a form can show the message next to
    that input. It stays out of ``extra``, which the API's problem details carry."""

    title = "Request failed"

    def __init__(self, detail: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.extra = extra


class NotFound(DomainError):
    title = "Not found"


class Conflict(DomainError):
    title = "Conflict"


class PermissionDenied(DomainError):
    title = "Forbidden"


class InvalidInput(DomainError):
    title = "Invalid input"


class TooLarge(DomainError):
    title = "Too large"


class Unavailable(DomainError):
    title = "Service unavailable"
