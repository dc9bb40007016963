"""The rating scale reviewers choose from. Values feed ClaimReview's ratingValue;
ratings with no value (unverifiable) carry only their label there."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rating:
    slug: str
    label: str
    value: int | None


SCALE = (
    Rating("true", "True", 5),
    Rating("mostly-true", "Mostly true", 4),
    Rating("half-true", "Half true", 3),
    Rating("mostly-false", "Mostly false", 2),
    Rating("false", "False", 1),
    Rating("unverifiable", "Unverifiable", None),
)
BY_SLUG = {rating.slug: rating for rating in SCALE}
BEST = max(rating.value for rating in SCALE if rating.value is not None)
WORST = min(rating.value for rating in SCALE if rating.value is not None)


def label_of(slug: str | None) -> str:
    """The label readers see for a rating's slug ("not rated yet" for a draft's none)."""
    rating = BY_SLUG.get(slug or "")
    return rating.label if rating else "not rated yet"
