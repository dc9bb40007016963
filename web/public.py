"""Pages anyone may read, and the health check."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, render_template, url_for
from kombu import Connection
from sqlalchemy import text

from factcheck.publishing.claimreview import claim_review
from factcheck.publishing.services import latest_publication, marked_segments
from factcheck.review import ratings
from web.operations import database, json_response, settings

blueprint = Blueprint("public", __name__)


@blueprint.get("/fact-checks/<id:essay_id>")
def fact_check(essay_id: int) -> str:
    with database().read_scope() as session:
        publication = latest_publication(session, essay_id)
    content = publication.content
    page_url = url_for("public.fact_check", essay_id=essay_id, _external=True)
    rated = [claim for claim in content["claims"] if claim["verdict"]]
    return render_template(
        "fact_check.html",
        content=content,
        version=publication.version,
        segments=marked_segments(content["essay"]["text"], rated),
        rated=rated,
        reviews=[claim_review(content, claim, page_url) for claim in rated],
        summary=_summary(rated),
    )


def _summary(rated: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    counts: dict[str, int] = {}
    for claim in rated:
        counts[claim["verdict"]["rating"]] = counts.get(claim["verdict"]["rating"], 0) + 1
    return [(r.slug, r.label, counts[r.slug]) for r in ratings.SCALE if r.slug in counts]


@blueprint.get("/healthz")
def healthz() -> Response:
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(value == "ok" for value in checks.values())
    return json_response(
        {"status": "ok" if healthy else "unavailable", **checks}, 200 if healthy else 503
    )


def _check_database() -> str:
    try:
        with database().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure means "not healthy", reported, not raised
        current_app.logger.warning("health: database: %s", error)
        return "unreachable"
    return "ok"


def _check_broker() -> str:
    try:
        with Connection(settings().resolved_broker_url(), connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as error:
        current_app.logger.warning("health: broker: %s", error)
        return "unreachable"
    return "ok"
