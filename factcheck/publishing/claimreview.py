"""schema.org ClaimReview for one rated claim of a publication's content."""

from __future__ import annotations

from typing import Any

from factcheck.review import ratings


def claim_review(content: dict[str, Any], claim: dict[str, Any], page_url: str) -> dict[str, Any]:
    """The ClaimReview JSON-LD object for ``claim`` as published in ``content``."""
    verdict = claim["verdict"]
    essay = content["essay"]
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"{page_url}#claim-{claim['id']}",
        "claimReviewed": shorten(claim["text"]),
        "datePublished": content["published_at"][:10],
        "author": {
            "@type": "Organization",
            "name": content["organisation"]["name"],
            "url": content["organisation"]["url"],
        },
        "reviewRating": _rating(verdict["rating"]),
        "itemReviewed": _item_reviewed(essay),
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


def _item_reviewed(essay: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {"@type": "Claim"}
    if essay.get("author"):
        item["author"] = {"@type": "Person", "name": essay["author"]}
    if essay.get("published_at"):
        item["datePublished"] = essay["published_at"]
    if essay.get("url"):
        item["appearance"] = {"@type": "CreativeWork", "url": essay["url"]}
    return item
