"""The states of review tasks and of verdicts."""

from __future__ import annotations

from factcheck.states import Status


class TaskState(Status, css_prefix="task"):
    OPEN = "open", "waiting"  # in the queue
    LEASED = "leased", "in hand"  # held by a reviewer until lease_expires_at
    DONE = "done", "done"
    CANCELLED = "cancelled", "cancelled"  # the claim was discarded or changed


TASK_TRANSITIONS: dict[TaskState, frozenset[TaskState]] = {
    TaskState.OPEN: frozenset({TaskState.LEASED, TaskState.CANCELLED}),
    # Leased again: the holder's heartbeat extends the lease. Open: released or expired.
    TaskState.LEASED: frozenset({TaskState.LEASED, TaskState.OPEN, TaskState.DONE}),
    TaskState.DONE: frozenset(),
    TaskState.CANCELLED: frozenset(),
}

# In the queue or in someone's hands: at most one such task per claim and kind.
LIVE = frozenset({TaskState.OPEN, TaskState.LEASED})


class VerdictState(Status, css_prefix="verdict"):
    DRAFT = "draft", "draft"  # saved by its author, not yet submitted
    SUBMITTED = "submitted", "submitted"  # waiting for approval
    APPROVED = "approved", "approved"  # final
    RETURNED = "returned", "returned"  # sent back, kept for history
    # An approved verdict that a correction's approved verdict replaced.
    SUPERSEDED = "superseded", "superseded"


VERDICT_TRANSITIONS: dict[VerdictState, frozenset[VerdictState]] = {
    VerdictState.DRAFT: frozenset({VerdictState.SUBMITTED}),
    VerdictState.SUBMITTED: frozenset({VerdictState.APPROVED, VerdictState.RETURNED}),
    VerdictState.APPROVED: frozenset({VerdictState.SUPERSEDED}),
    VerdictState.RETURNED: frozenset(),
    VerdictState.SUPERSEDED: frozenset(),
}

# Approved at some point (a superseded verdict was approved until a correction's replaced it).
WAS_APPROVED = frozenset({VerdictState.APPROVED, VerdictState.SUPERSEDED})
