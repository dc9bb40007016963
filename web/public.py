"""Pages anyone may read: published fact-checks and their exports and feed."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Blueprint, Response, redirect, render_template, url_for
from sqlalchemy.orm import Session
from werkzeug.exceptions import Gone

from factcheck.errors import NotFound
from factcheck.publishing import exports
from factcheck.publishing import services as publishing
from factcheck.publishing.claimreview import claim_review
from factcheck.publishing.exports import Export, Exporter, Published
from factcheck.publishing.models import Publication
from factcheck.publishing.snapshot import ClaimSnapshot, Snapshot
from factcheck.review import ratings
from web.operations import database, public_url, settings

blueprint = Blueprint("public", __name__)


class Withdrawn(Gone):
    """A withdrawn fact-check's claim page: gone, and the fact-check's page says why."""

    description = "This fact-check was withdrawn, with its verdicts."

    def __init__(self, link: str) -> None:
        super().__init__()
        self.link = link  # the error page links here


@blueprint.get("/fact-checks/")
def fact_check_index() -> str:
    """Every published fact-check, newest first: the feed's HTML page."""
    with database().read_scope() as session:
        current = publishing.current_versions(session)
        shown = sorted(current, key=lambda p: (p.published_at, p.essay_id), reverse=True)
        fact_checks = published_versions(session, shown)
    return render_template(
        "fact_checks.html",
        fact_checks=fact_checks,
        organisation=settings().org_name,
    )


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
        [published] = published_versions(session, [shown])
    rated = published.rated()
    return render_template(
        "fact_check.html",
        content=published.snapshot,
        shown=shown,
        latest=history[-1],
        history=history,
        taken_down=published.taken_down,
        segments=publishing.marked_segments(published.snapshot.essay.text, rated),
        rated=rated,
        not_checked=published.not_checked(),
        reviews=exports.claim_reviews(published)
        if shown is history[-1]
        else [],  # earlier versions carry no ClaimReview: only the current verdicts count
        lead=lead_of(published.snapshot, rated),
        formats=exports.fact_check_exporters(),
        # The current version's address is the fact-check's page; an earlier one's, its own.
        canonical=published.page_url if shown is history[-1] else published.version_url,
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
        [published] = published_versions(session, [latest])
    if published.withdrawn:
        raise Withdrawn(url_for("public.fact_check", essay_id=essay_id))
    snapshot = published.snapshot
    claim = next((c for c in published.rated() if c.id == claim_id), None)
    if claim is None:
        raise NotFound(f"claim {claim_id} has no published verdict in this fact-check")
    page_url = public_url("public.claim_page", essay_id=essay_id, claim_id=claim_id)
    return render_template(
        "claim_check.html",
        content=snapshot,
        shown=latest,
        claim=claim,
        paragraph=publishing.paragraph_around(snapshot.essay.text, claim.start, claim.end),
        review=claim_review(snapshot, claim, page_url),
        lead=lead_of(snapshot, [claim]),
    )


@blueprint.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask here before reading a page's icon link: send them to the icon."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


# One route serves every export in the registry (factcheck/publishing/exports.py):
# a fact-check's current version at /fact-checks/1.md, a collection at
# /fact-checks/feed.atom. Collections are matched by name, so that an id is never one.
COLLECTIONS = sorted({entry.collection for entry in exports.collection_exporters()})


@blueprint.get("/fact-checks/<id:essay_id>.<extension>")
@blueprint.get(f"/fact-checks/<any({', '.join(COLLECTIONS)}):collection>.<extension>")
def export(extension: str, essay_id: int | None = None, collection: str | None = None) -> Response:
    if essay_id is None:
        entry = exports.find(f"{collection}.{extension}", collection=True)
        assert entry.reads is not None
        with database().read_scope() as session:
            return export_response(session, entry, entry.reads(session))
    entry = exports.find(extension, collection=False)
    with database().read_scope() as session:
        latest = publishing.latest_publication(session, essay_id)
        return export_response(session, entry, [latest])


def export_response(session: Session, entry: Exporter, versions: list[Publication]) -> Response:
    """``entry`` rendered from ``versions`` (newest first; a fact-check's current one)."""
    if entry.collection:
        where: dict[str, str | int] = {"collection": entry.collection}
        filename = entry.suffix
    else:
        where = {"essay_id": versions[0].essay_id}
        filename = f"fact-check-{versions[0].essay_id}.{entry.extension}"
    url = public_url("public.export", extension=entry.extension, **where)
    export = Export(
        published_versions(session, versions),
        url,
        settings().org_name,
        publisher_url=settings().resolved_org_url(),
        index_url=public_url("public.fact_check_index"),
    )
    body = entry.render(export)
    return Response(
        body,
        mimetype=entry.media_type,
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


def published_versions(session: Session, publications: list[Publication]) -> list[Published]:
    """Versions as every reader of them gets them (pages, API, exports): with the
    addresses of their pages, and with no verdict once a withdrawal took them down."""
    notes = publishing.taken_down(session, publications)
    return [_published(publication, notes.get(publication.id)) for publication in publications]


def _published(publication: Publication, taken_down: str | None) -> Published:
    essay_id = publication.essay_id
    return Published.of(
        publication,
        page_url=public_url("public.fact_check", essay_id=essay_id),
        version_url=public_url(
            "public.fact_check_version", essay_id=essay_id, version=publication.version
        ),
        taken_down=taken_down,
    )


@dataclass(frozen=True)
class Tally:
    """One step of the rating scale and how many checked claims got it."""

    rating: ratings.Rating
    count: int


@dataclass(frozen=True)
class Lead:
    """The top of a reader page: whose essay, where it appeared, and what we found."""

    outlet: str | None  # the original's site ("newsweek.com"), when it has an address
    original_url: str | None  # an http(s) address only: anything else is not a link
    checked: int
    tallies: list[Tally]  # the ratings given, in the scale's order (true first)


def lead_of(snapshot: Snapshot, rated: list[ClaimSnapshot]) -> Lead:
    url = snapshot.essay.url or ""
    original = url if url.lower().startswith(("http://", "https://")) else None
    host = (urlsplit(original).hostname or "") if original else ""
    counts: dict[str, int] = {}
    for claim in rated:
        assert claim.verdict is not None
        counts[claim.verdict.rating] = counts.get(claim.verdict.rating, 0) + 1
    return Lead(
        outlet=host.removeprefix("www.") or None,
        original_url=original,
        checked=len(rated),
        tallies=[Tally(r, counts[r.slug]) for r in ratings.SCALE if r.slug in counts],
    )
