"""A claim's status. Only ``factcheck.claims.services`` moves it, along TRANSITIONS."""

from __future__ import annotations

from factcheck.states import Status, Tone


class ClaimStatus(Status, css_prefix="status"):
    EXTRACTED = "extracted", "extracted", Tone.NEW
    GATHERING = "gathering", "gathering", Tone.WORKING
    AWAITING_REVIEW = "awaiting_review", "awaiting review", Tone.WAITING
    IN_REVIEW = "in_review", "in review", Tone.HELD
    AWAITING_APPROVAL = "awaiting_approval", "awaiting approval", Tone.CHECKING
    APPROVED = "approved", "approved", Tone.DONE
    NOT_CHECKABLE = "not_checkable", "not checkable", Tone.ASIDE
    DISCARDED = "discarded", "discarded", Tone.STOPPED


TRANSITIONS: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    ClaimStatus.EXTRACTED: frozenset(
        {ClaimStatus.GATHERING, ClaimStatus.NOT_CHECKABLE, ClaimStatus.DISCARDED}
    ),
    ClaimStatus.GATHERING: frozenset(
        {ClaimStatus.AWAITING_REVIEW, ClaimStatus.NOT_CHECKABLE, ClaimStatus.DISCARDED}
    ),
    # Back to gathering: an editor changed it before anyone reviewed it.
    ClaimStatus.AWAITING_REVIEW: frozenset(
        {
            ClaimStatus.IN_REVIEW,
            ClaimStatus.GATHERING,
            ClaimStatus.NOT_CHECKABLE,
            ClaimStatus.DISCARDED,
        }
    ),
    # Back to awaiting review: released, or its lease ran out.
    ClaimStatus.IN_REVIEW: frozenset({ClaimStatus.AWAITING_APPROVAL, ClaimStatus.AWAITING_REVIEW}),
    # Back to awaiting review: the second reviewer returned the verdict. Back in
    # review: its author withdrew it from approval to change it.
    ClaimStatus.AWAITING_APPROVAL: frozenset(
        {ClaimStatus.APPROVED, ClaimStatus.AWAITING_REVIEW, ClaimStatus.IN_REVIEW}
    ),
    # Back to awaiting review: reopened for a correction.
    ClaimStatus.APPROVED: frozenset({ClaimStatus.AWAITING_REVIEW}),
    ClaimStatus.NOT_CHECKABLE: frozenset({ClaimStatus.GATHERING, ClaimStatus.DISCARDED}),
    # Restored by the editor (an undo): where its flags say it belongs.
    ClaimStatus.DISCARDED: frozenset(
        {ClaimStatus.EXTRACTED, ClaimStatus.GATHERING, ClaimStatus.NOT_CHECKABLE}
    ),
}

# Not under review yet: an editor may still change, split, merge or discard them.
EDITABLE = frozenset(
    {
        ClaimStatus.EXTRACTED,
        ClaimStatus.GATHERING,
        ClaimStatus.AWAITING_REVIEW,
        ClaimStatus.NOT_CHECKABLE,
    }
)
# The pipeline is still working on them (the desk's page keeps polling).
ACTIVE = frozenset({ClaimStatus.EXTRACTED, ClaimStatus.GATHERING})
