"""The desk dashboard: figures as server-rendered SVG charts, each with a table."""

from __future__ import annotations

from flask import Blueprint, render_template

from factcheck.review.stats import desk_stats
from web.operations import database
from web.signin import signed_in

blueprint = Blueprint("dashboard", __name__, url_prefix="/desk")


@blueprint.get("/dashboard")
@signed_in()
def dashboard() -> str:
    with database().read_scope() as session:
        stats = desk_stats(session)
    return render_template("desk/dashboard.html", stats=stats)
