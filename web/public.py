"""Pages anyone may read: published fact-checks and their exports and feed."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, url_for

from factcheck.errors import NotFound
from factcheck.essays.services import get_essay
from factcheck.publishing import exports
from factcheck.publishing import services as publishing
from factcheck.publishing.claimreview import claim_review
from factcheck.publishing.models import Publication
from factcheck.review import ratings
from web.operations import database, settings

blueprint = Blueprint("public", __name__)


@blueprint.get("/fact-checks/<id:essay_id>")
def fact_check(essay_id: int) -> str:
    return _render(essay_id, version=None)


@blueprint.get("/fact-checks/<id:essay_id>/versions/<id:version>")
def fact_check_version(essay_id: int, version: int) -> str:
    return _render(essay_id, version)


def _render(essay_id: int, version: int | None) -> str:
    with database().read_scope() as session:
        history = publishing.versions(session, essay_id)
    if not history:
        raise NotFound(f"essay {essay_id} has no published fact-check")
    shown = history[-1] if version is None else _pick(history, version)
    page_url = url_for("public.fact_check", essay_id=essay_id, _external=True)
    content = shown.content
    rated = [] if shown.kind == "withdrawal" else [c for c in content["claims"] if c["verdict"]]
    return render_template(
        "fact_check.html",
        content=content,
        shown=shown,
        latest=history[-1],
        history=history,
        segments=publishing.marked_segments(content["essay"]["text"], rated),
        rated=rated,
        reviews=[claim_review(content, claim, page_url) for claim in rated]
        if shown is history[-1]
        else [],  # earlier versions carry no ClaimReview: only the current verdicts count
        summary=_summary(rated),
    )


def _pick(history: list[Publication], version: int) -> Publication:
    for publication in history:
        if publication.version == version:
            return publication
    raise NotFound(f"there is no version {version}")


@blueprint.get("/fact-checks/<id:essay_id>/claims/<id:claim_id>")
def claim_page(essay_id: int, claim_id: int) -> str:
    """One checked claim on its own page, carrying exactly its ClaimReview."""
    with database().read_scope() as session:
        latest = publishing.latest_publication(session, essay_id)
    claim = next(
        (c for c in latest.content["claims"] if c["id"] == claim_id and c["verdict"]), None
    )
    if claim is None or latest.kind == "withdrawal":
        raise NotFound(f"claim {claim_id} has no published verdict in this fact-check")
    page_url = url_for("public.claim_page", essay_id=essay_id, claim_id=claim_id, _external=True)
    text_ = latest.content["essay"]["text"]
    return render_template(
        "claim_check.html",
        content=latest.content,
        shown=latest,
        claim=claim,
        paragraph=publishing.paragraph_around(text_, claim["start"], claim["end"]),
        review=claim_review(latest.content, claim, page_url),
    )


@blueprint.get("/fact-checks/<id:essay_id>.md")
def fact_check_markdown(essay_id: int) -> Response:
    with database().read_scope() as session:
        latest = publishing.latest_publication(session, essay_id)
    page_url = url_for("public.fact_check", essay_id=essay_id, _external=True)
    body = exports.to_markdown(latest, page_url)
    return Response(body, mimetype="text/markdown", headers={"Content-Disposition": "inline"})


@blueprint.get("/fact-checks/feed.atom")
def feed() -> Response:
    with database().read_scope() as session:
        recent = publishing.recent(session)
        titles = {p.essay_id: get_essay(session, p.essay_id).title for p in recent}
    entries = [
        (
            publication,
            url_for(
                "public.fact_check_version",
                essay_id=publication.essay_id,
                version=publication.version,
                _external=True,
            ),
            titles[publication.essay_id],
        )
        for publication in recent
    ]
    body = exports.atom_feed(
        entries, url_for("public.feed", _external=True), f"{settings().org_name}: fact-checks"
    )
    return Response(body, mimetype="application/atom+xml")


def _summary(rated: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    counts: dict[str, int] = {}
    for claim in rated:
        counts[claim["verdict"]["rating"]] = counts.get(claim["verdict"]["rating"], 0) + 1
    return [(r.slug, r.label, counts[r.slug]) for r in ratings.SCALE if r.slug in counts]
