"""Files of earlier fact-checks in each format the archive imports, hostile ones too."""

from __future__ import annotations

import json

BOMBS_CLAIM = "Car bombs killed more than 200 people in Sadr City on Thursday."
BOMBS_URL = "https://checkers.example/sadr-city-bombs"


def claim_review(url: str, claim: str, rating: str = "True", **extra: object) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": claim,
        "headline": f"Fact check: {claim[:40]}",
        "datePublished": "2006-11-25",
        "author": {"@type": "Organization", "name": "Checkers"},
        "reviewRating": {"@type": "Rating", "alternateName": rating},
        "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "A. Speaker"}},
        **extra,
    }


def page(*scripts: str) -> str:
    """A fact-checker's web page with these JSON-LD script bodies."""
    tags = "".join(f'<script type="application/ld+json">{body}</script>' for body in scripts)
    return f"<!doctype html><html><head>{tags}</head><body><p>Our check</p></body></html>"


def json_lines(*values: object) -> str:
    return "\n".join(v if isinstance(v, str) else json.dumps(v) for v in values) + "\n"


BOMBS = claim_review(BOMBS_URL, BOMBS_CLAIM)
