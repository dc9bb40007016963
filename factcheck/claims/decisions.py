"""Triage's vocabulary: the editor's decisions about a claim, and check-worthiness
bands. Read by the claim workflow, gathering, publishing and the pages."""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class Decision(StrEnum):
    """What the editor decided about a claim (stored in ``claims.triage``)."""

    label: str

    def __new__(cls, value: str, label: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    CHECK = "check", "chosen for checking"
    OPINION = "opinion", "opinion"
    NOT_WORTH_CHECKING = "not_worth_checking", "not worth checking"
    OUT_OF_SCOPE = "out_of_scope", "out of scope"


NOT_CHECKED = frozenset(Decision) - {Decision.CHECK}
# Why a claim the splitter found not checkable (an opinion, a question...) is not
# checked, as readers see it: it needs no decision.
NOT_CHECKABLE_REASON = "not_checkable"
REASON_LABELS = {str(d): d.label for d in NOT_CHECKED} | {NOT_CHECKABLE_REASON: "not checkable"}


class Band(StrEnum):
    """Check-worthiness in plain words, from the score (see ``band_of``)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


# The one place the thresholds live (docs/api.md, "Triage", says how they were
# chosen). The score approximates the chance that a fact-checker would pick the
# sentence: on the CLEF-2019 development data 2.7% of sentences were picked, and
# 2.7% score 0.055 or more (precision 0.60 in-sample); 10.2% score 0.015 or more, and
# they hold 98% of the picked sentences. On the seed essay: 2 high, 21 medium (all
# checkable), the rest low. (Model v4; v3 gave 3.0%, 0.58, 8.6%, 99% and on the essay
# 3 high, 9 medium, where the cut-offs were placed; v1 had high from 0.05.)
HIGH_FROM = 0.055
MEDIUM_FROM = 0.015
RANK = {Band.HIGH: 2, Band.MEDIUM: 1, Band.LOW: 0}


def band_of(score: float) -> Band:
    if score >= HIGH_FROM:
        return Band.HIGH
    return Band.MEDIUM if score >= MEDIUM_FROM else Band.LOW


def initial_decision(
    checkworthiness: float, checkable: bool, check_from_band: str | None
) -> Decision | None:
    """A new claim's decision: chosen at once when checkable and in the essay's band
    (``Essay.check_from_band``) or above; else None, for the editor to decide."""
    if check_from_band is None or not checkable:
        return None
    at_least = RANK[Band(check_from_band)]
    return Decision.CHECK if RANK[band_of(checkworthiness)] >= at_least else None
