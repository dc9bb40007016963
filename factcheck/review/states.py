"""The states of review tasks and of verdicts."""

from __future__ import annotations

from factcheck.states import Status, Tone


class TaskState(Status, css_prefix="task"):
    OPEN = "open", "waiting", Tone.WAITING  # in the queue
    LEASED = "leased", "in hand", Tone.HELD  # held by a reviewer until lease_expires_at
    DONE = "done", "done", Tone.DONE
    CANCELLED = "cancelled", "cancelled", Tone.ASIDE  # the claim was discarded or changed


TASK_TRANSITIONS: dict[TaskState, frozenset[TaskState]] = {
    TaskState.OPEN: frozenset({TaskState.LEASED, TaskState.CANCELLED}),
    # Leased again: the holder's heartbeat extends the lease. Open: released or expired.
    # Cancelled: the author withdrew the verdict from its approval.
    TaskState.LEASED: frozenset(
        {TaskState.LEASED, TaskState.OPEN, TaskState.DONE, TaskState.CANCELLED}
    ),
    TaskState.DONE: frozenset(),
    TaskState.CANCELLED: frozenset(),
}

# In the queue or in someone's hands: at most one such task per claim and kind.
LIVE = frozenset({TaskState.OPEN, TaskState.LEASED})


class VerdictState(Status, css_prefix="verdict"):
    DRAFT = "draft", "draft", Tone.NEW  # saved by its author, not yet submitted
    SUBMITTED = "submitted", "submitted", Tone.CHECKING  # waiting for approval
    APPROVED = "approved", "approved", Tone.DONE  # final
    RETURNED = "returned", "returned", Tone.WORKING  # sent back, kept for history
    # An approved verdict that a correction's approved verdict replaced.
    SUPERSEDED = "superseded", "superseded", Tone.ASIDE


VERDICT_TRANSITIONS: dict[VerdictState, frozenset[VerdictState]] = {
    VerdictState.DRAFT: frozenset({VerdictState.SUBMITTED}),
    # Back to draft: its author withdrew it from approval to change it.
    VerdictState.SUBMITTED: frozenset(
        {VerdictState.APPROVED, VerdictState.RETURNED, VerdictState.DRAFT}
    ),
    VerdictState.APPROVED: frozenset({VerdictState.SUPERSEDED}),
    VerdictState.RETURNED: frozenset(),
    VerdictState.SUPERSEDED: frozenset(),
}

# Approved at some point (a superseded verdict was approved until a correction's replaced it).
WAS_APPROVED = frozenset({VerdictState.APPROVED, VerdictState.SUPERSEDED})
