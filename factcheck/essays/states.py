"""An essay's status: where it is on its way from submission to the reader."""

from __future__ import annotations

from factcheck.states import Status, Tone


class EssayStatus(Status, css_prefix="essay"):
    SUBMITTED = "submitted", "submitted", Tone.NEW  # waiting for the splitter
    SPLIT = "split", "split", Tone.WAITING  # claims exist and move through review
    PUBLISHED = "published", "published", Tone.DONE  # at least one version is public
    WITHDRAWN = "withdrawn", "withdrawn", Tone.STOPPED  # taken down; its URL stays, with the notice


TRANSITIONS: dict[EssayStatus, frozenset[EssayStatus]] = {
    EssayStatus.SUBMITTED: frozenset({EssayStatus.SPLIT}),
    EssayStatus.SPLIT: frozenset({EssayStatus.PUBLISHED}),
    # A correction publishes a published essay again.
    EssayStatus.PUBLISHED: frozenset({EssayStatus.PUBLISHED, EssayStatus.WITHDRAWN}),
    EssayStatus.WITHDRAWN: frozenset({EssayStatus.PUBLISHED}),
}
