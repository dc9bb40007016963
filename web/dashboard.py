"""The desk dashboard: figures as bar charts that are tables, and the verdicts' CSV."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, render_template

from factcheck.publishing import exports
from factcheck.review.stats import desk_stats
from web.operations import database
from web.public import export_response
from web.signin import signed_in

blueprint = Blueprint("dashboard", __name__, url_prefix="/desk")

VERDICTS_CSV = exports.find("verdicts.csv", collection=True)


@blueprint.get("/dashboard")
@signed_in()
def dashboard() -> str:
    with database().read_scope() as session:
        stats = desk_stats(session)
    # Days with nothing to count are folded away: one line says so instead of rows of 0.
    gathered = [(_day(day), count) for day, count, _ in stats.per_day if count]
    approved = [(_day(day), count) for day, _, count in stats.per_day if count]
    return render_template(
        "desk/dashboard.html",
        stats=stats,
        days=len(stats.per_day),
        gathered=gathered,
        approved=approved,
    )


def _day(day: date) -> str:
    return day.strftime("%a %-d %b")  # "Sun 6 Dec"


@blueprint.get("/exports/verdicts.csv")
@signed_in("editor")
def verdicts_csv() -> Response:
    """The API's /exports/verdicts.csv for a signed-in browser: the session is the
    credential (a GET changes nothing, so no CSRF token is needed), saved as a file."""
    assert VERDICTS_CSV.reads is not None
    with database().read_scope() as session:
        response = export_response(session, VERDICTS_CSV, VERDICTS_CSV.reads(session))
    response.headers["Content-Disposition"] = 'attachment; filename="verdicts.csv"'
    return response
