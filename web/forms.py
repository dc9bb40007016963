"""A refused desk form comes back as the user left it, with the error by its field.

A view that refuses a form (a domain error) calls ``refuse``: it renders the form's
page again, in the same request, with the error's status (422 for invalid input).
Templates ask ``form_state(key)`` for each form they draw: for the refused form it
gives what the user typed and the message for each field; for every other form it
gives the defaults, so a page with many forms fills only the one that was sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Response, flash, g, make_response, request
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from factcheck.errors import DomainError
from web.problems import status_for

# Never sent back to the browser, whatever the form.
UNSHOWN = frozenset({"password", "csrf_token"})

# A field named by the API's body (``citations.0.quote``) -> the input's name on the form.
Names = Callable[[str], str]


def same_name(path: str) -> str:
    """Most forms name their inputs as the API's body does (``note``, ``comment``)."""
    return path.split(".", 1)[0]


@dataclass(frozen=True)
class FormState:
    """What one form shows: the typed values and errors if it was the one refused."""

    values: MultiDict[str, str] | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def sent(self) -> bool:
        return self.values is not None

    def value(self, name: str, default: object = "") -> str:
        if self.values is None:
            return "" if default is None else str(default)
        return self.values.get(name, "")

    def ticked(self, name: str, value: object = "on", default: bool = False) -> bool:
        """A checkbox or radio button: as sent, else ``default``."""
        if self.values is None:
            return default
        return str(value) in self.values.getlist(name)

    def error(self, name: str) -> str:
        return self.errors.get(name, "")


NOTHING_SENT = FormState()


def form_state(key: str) -> FormState:
    """The state of the form ``key`` on the page being drawn (a template global)."""
    refused = g.get("refused_form")
    if refused is not None and refused[0] == key:
        return refused[1]
    return NOTHING_SENT


def refuse(
    page: Callable[[], ResponseReturnValue],
    key: str,
    error: DomainError,
    names: Names = same_name,
    values: MultiDict[str, str] | None = None,
) -> Response:
    """``page`` drawn again for form ``key`` refused by ``error``, keeping what was typed
    (``values``, by default the posted form). The message goes by the field the error
    names, and always in the page's messages, which also carry errors of no field."""
    flash(error.detail, "error")
    kept = MultiDict(
        [(k, v) for k, v in (values or request.form).items(multi=True) if k not in UNSHOWN]
    )
    errors = {names(error.field): error.detail} if error.field else {}
    g.refused_form = (key, FormState(kept, errors))
    response = make_response(page())
    if response.status_code == 200:  # a redirect (the task is gone) stays one
        response.status_code = status_for(error)
    return response
