"""The state of a connector run (one connector's search for one claim)."""

from __future__ import annotations

from factcheck.states import Status, Tone


class RunState(Status, css_prefix="run"):
    PENDING = "pending", "pending", Tone.WORKING  # sent to a worker, not finished
    SUCCEEDED = "succeeded", "succeeded", Tone.DONE
    FAILED = "failed", "failed", Tone.STOPPED
    TIMED_OUT = "timed_out", "timed out", Tone.STOPPED


# Pending again: sent anew (a changed claim, a retry of a failure). A run given up
# as timed out (its worker seemed dead) still takes that worker's late answer.
TRANSITIONS: dict[RunState, frozenset[RunState]] = {
    RunState.PENDING: frozenset(RunState),
    RunState.SUCCEEDED: frozenset({RunState.PENDING}),
    RunState.FAILED: frozenset({RunState.PENDING}),
    RunState.TIMED_OUT: frozenset(RunState),
}

# Done for now; gathering ends when none of a claim's runs is pending.
FINISHED = frozenset({RunState.SUCCEEDED, RunState.FAILED, RunState.TIMED_OUT})
# Finished without an answer: the reconciler tries them again later.
RETRYABLE = frozenset({RunState.FAILED, RunState.TIMED_OUT})
