"""The Flask app factory."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import NotFound
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter

from factcheck import jobs
from factcheck.accounts.throttle import DatabaseCounter, RedisCounter, SigninThrottle
from factcheck.claims import states as claim_states
from factcheck.db import MAX_INT, get_database
from factcheck.essays import states as essay_states
from factcheck.review import ratings
from factcheck.review import states as review_states
from factcheck.secret_key import secret_key
from factcheck.settings import Settings, get_settings
from factcheck.sources import states as run_states
from factcheck.webhooks import states as delivery_states


class IdConverter(BaseConverter):
    """Positive ids that fit the id columns: larger ones are a 404, not a database error."""

    regex = r"[1-9][0-9]{0,9}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_INT:
            # NotFound, not ValidationError: with the latter the route of another method
            # on the same path would still match, and the answer would be a 405.
            raise NotFound()
        return number

    def to_url(self, value: Any) -> str:
        return str(value)


def celery_dispatch(job: jobs.Job, *args: Any, time_limit: int | None = None) -> None:
    from workers.app import send  # the web imports workers only to enqueue

    send(job, *args, time_limit=time_limit)


def signin_throttle(settings: Settings) -> SigninThrottle:
    """Counts shared by every web process: Redis in production, else the database."""
    broker = settings.resolved_broker_url()
    if broker.startswith(("redis://", "rediss://")):
        return SigninThrottle(RedisCounter(broker))
    return SigninThrottle(DatabaseCounter(get_database(settings.resolved_database_url())))


# Templates compare statuses with these (``claim.status == ClaimStatus.APPROVED``,
# ``claim.status in claim_states.EDITABLE``), never with string literals.
STATE_GLOBALS = {
    "EssayStatus": essay_states.EssayStatus,
    "ClaimStatus": claim_states.ClaimStatus,
    "TaskState": review_states.TaskState,
    "VerdictState": review_states.VerdictState,
    "RunState": run_states.RunState,
    "DeliveryState": delivery_states.DeliveryState,
    "claim_states": claim_states,  # the claims' named groups
}


def html_datetime(moment: date | datetime) -> str:
    """A ``<time datetime>`` value valid in HTML: a date, or a UTC time to the second
    (no microseconds, which HTML allows but some validators and readers refuse)."""
    if not isinstance(moment, datetime):
        return moment.isoformat()
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")  # naive times are UTC throughout


def create_app(settings: Settings | None = None, dispatch: jobs.Dispatcher | None = None) -> Flask:
    """The app; the jobs its requests queue go to Celery, or to ``dispatch`` (tests)."""
    settings = settings or get_settings()
    jobs.set_dispatcher(dispatch or celery_dispatch)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key(settings),
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.base_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        TRUSTED_HOSTS=settings.trusted_host_names(),  # other Host headers get a 400
    )
    if settings.proxies:  # the client's address and scheme, as the proxies saw them
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.proxies, x_proto=settings.proxies
        )
    app.url_map.converters["id"] = IdConverter
    app.extensions["factcheck.settings"] = settings
    app.extensions["factcheck.database"] = get_database(settings.resolved_database_url())
    app.extensions["factcheck.signin_throttle"] = signin_throttle(settings)

    from web import (
        api,
        api_webhooks,
        assets,
        dashboard,
        desk,
        forms,
        ops,
        problems,
        public,
        security,
        signin,
    )

    assets.install(app)  # first: its after_request hook (compression) runs last
    problems.install(app)
    csrf = CSRFProtect(app)
    assert api_webhooks  # its operations join the API blueprint when imported
    csrf.exempt(api.blueprint)  # the API authenticates with bearer tokens, not cookies
    app.register_blueprint(api.blueprint)
    app.register_blueprint(public.blueprint)
    app.register_blueprint(ops.blueprint)
    ops.install_request_tracking(app)
    security.install(app, settings)
    app.register_blueprint(signin.blueprint)
    app.register_blueprint(desk.blueprint)
    app.register_blueprint(dashboard.blueprint)
    app.jinja_env.globals["current_user"] = signin.current_user
    app.jinja_env.globals["form_state"] = forms.form_state
    app.jinja_env.globals.update(STATE_GLOBALS)
    app.jinja_env.globals["rating_label"] = ratings.label_of
    app.jinja_env.globals["ratings_by_slug"] = ratings.BY_SLUG
    app.jinja_env.filters["html_datetime"] = html_datetime
    return app
