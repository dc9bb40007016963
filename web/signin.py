"""Sign-in for the desk pages: user name and password, a session cookie, CSRF."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial, wraps
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from factcheck.accounts import services as accounts
from factcheck.accounts.models import User
from factcheck.accounts.throttle import SigninThrottle
from factcheck.errors import InvalidInput
from factcheck.sources.text import CONTROL
from web.forms import refuse
from web.operations import database

blueprint = Blueprint("signin", __name__)


GENERATION = "generation"  # the session cookie's copy of User.session_generation


def current_user() -> User | None:
    """The signed-in user of this request (loaded once), or None.

    The cookie is signed, so it cannot be forged, but a copy of it stays valid until
    it expires: it also names the user's session generation, which signing out, a new
    password and disabling raise (``accounts.end_sessions``). A cookie from before is
    cleared here.
    """
    if "user" not in g:
        g.user = None
        user_id = session.get("user_id")
        if user_id is not None:
            with database().read_scope() as db:
                user = db.get(User, user_id)
                if _session_is_live(user):
                    g.user = user
                else:
                    session.clear()
    return g.user


def _session_is_live(user: User | None) -> bool:
    return (
        user is not None
        and not user.disabled_at
        and session.get(GENERATION) == user.session_generation
    )


def start_session(user: User) -> None:
    """Sign ``user`` in to this browser (a new cookie, with their current generation).

    Also for a page that changes the signed-in user's own password, after the
    change: it ended every session, this one included."""
    session.clear()
    session["user_id"] = user.id
    session[GENERATION] = user.session_generation
    session.permanent = True


def signed_in(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Pages for signed-in users holding one of ``roles`` (any role when none is named)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return redirect(url_for("signin.login", next=request.path))
            if roles and not user.has_role(*roles):
                return render_template("desk/forbidden.html", roles=roles), 403
            return view(*args, **kwargs)

        wrapper.required_roles = roles  # type: ignore[attr-defined]  # read by the access tests
        return wrapper

    return decorator


WRONG = "Wrong user name or password."


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Response | str:
    next_page = _safe_next(request.values.get("next"))
    page = partial(render_template, "desk/login.html", next=next_page)
    if request.method == "GET":
        return page()
    name = request.form.get("name", "").strip()
    if CONTROL.search(name):  # no user may have such a name (accounts.create_user)
        return _again(page, WRONG)
    address = request.remote_addr or "unknown"
    wait = throttle().attempt(name, address)
    if wait is not None:
        refused = _again(page, "Too many failed sign-ins: wait a while, then try again.", None)
        refused.status_code = 429
        refused.headers["Retry-After"] = str(wait)
        return refused
    with database().scope() as db:
        user = accounts.check_password(db, name, request.form.get("password", ""))
    if user is not None:  # committed: a rehashed password is stored
        throttle().succeeded(name, address)
        start_session(user)
        return redirect(next_page)
    throttle().failed(name, address)
    return _again(page, WRONG)


def _again(page: Callable[[], str], message: str, field: str | None = "password") -> Response:
    """The sign-in form again with the user name typed (never the password), the
    message by the password: which of the two was wrong is not said."""
    response = refuse(page, "signin", InvalidInput(message, field=field))
    response.status_code = 200  # for a wrong password, as the page always answered
    return response


def throttle() -> SigninThrottle:
    return current_app.extensions["factcheck.signin_throttle"]


@blueprint.post("/logout")
def logout() -> Response:
    """Sign out everywhere: every cookie of this user, copied or on another device,
    stops working, not only this browser's."""
    user = current_user()
    if user is not None:
        with database().scope() as db:
            accounts.end_sessions(db, db.get_one(User, user.id))
    session.clear()
    return redirect(url_for("signin.login"))


def _safe_next(target: str | None) -> str:
    """Only local paths: never send a user on to another site after signing in."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("desk.home")
