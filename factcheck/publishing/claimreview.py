"""schema.org ClaimReview for one rated claim of a published snapshot."""

from __future__ import annotations

from typing import Any

from factcheck.publishing.snapshot import ClaimSnapshot, EssaySnapshot, Snapshot
from factcheck.review import ratings


def claim_review(snapshot: Snapshot, claim: ClaimSnapshot, url: str) -> dict[str, Any]:
    """The ClaimReview JSON-LD object for ``claim`` as published in ``snapshot``; ``url``
    is the claim's own page, the review's canonical address."""
    assert claim.verdict is not None, "only a rated claim has a ClaimReview"
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": shorten(claim.text),
        "datePublished": snapshot.published_at.date().isoformat(),
        "author": {
            "@type": "Organization",
            "name": snapshot.organisation.name,
            "url": snapshot.organisation.url,
        },
        "reviewRating": _rating(claim.verdict.rating),
        "itemReviewed": _item_reviewed(snapshot.essay),
    }
    return review


CLAIM_REVIEWED_LIMIT = 75


def shorten(text: str, limit: int = CLAIM_REVIEWED_LIMIT) -> str:
    """The claim as ClaimReview wants it: whole when it fits in ``limit`` characters,
    else cut at a word boundary with an ellipsis (Google's guidance: under 75)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.") + "…"


def _rating(slug: str) -> dict[str, Any]:
    rating = ratings.BY_SLUG[slug]
    result: dict[str, Any] = {"@type": "Rating", "alternateName": rating.label}
    if rating.value is not None:
        result |= {
            "ratingValue": rating.value,
            "bestRating": ratings.BEST,
            "worstRating": ratings.WORST,
        }
    return result


def _item_reviewed(essay: EssaySnapshot) -> dict[str, Any]:
    """The Claim: who made it and when, and the essay it appeared in. The desk checks
    claims where they first appeared, so that essay is the first appearance too."""
    item: dict[str, Any] = {"@type": "Claim"}
    if essay.author:
        item["author"] = _person(essay.author)
    if essay.published_at:
        item["datePublished"] = essay.published_at.isoformat()
    appearance = _appearance(essay)
    return item | {"appearance": appearance, "firstAppearance": appearance}


def _appearance(essay: EssaySnapshot) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": "CreativeWork", "headline": essay.title}
    if essay.url:
        work["url"] = essay.url
    if essay.author:
        work["author"] = _person(essay.author)
    if essay.publisher:
        work["publisher"] = {"@type": "Organization", "name": essay.publisher}
    if essay.published_at:
        work["datePublished"] = essay.published_at.isoformat()
    return work


def _person(name: str) -> dict[str, str]:
    return {"@type": "Person", "name": name}
