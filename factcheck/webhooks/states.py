"""The state of a webhook delivery (one event for one webhook)."""

from __future__ import annotations

from factcheck.states import Status, Tone


class DeliveryState(Status, css_prefix="delivery"):
    PENDING = "pending", "pending", Tone.WORKING  # waiting for its next attempt (or in one)
    DELIVERED = "delivered", "delivered", Tone.DONE  # a 2xx came back
    # Gave up after MAX_ATTEMPTS, or its webhook was deactivated first.
    FAILED = "failed", "failed", Tone.STOPPED


TRANSITIONS: dict[DeliveryState, frozenset[DeliveryState]] = {
    DeliveryState.PENDING: frozenset({DeliveryState.DELIVERED, DeliveryState.FAILED}),
    DeliveryState.DELIVERED: frozenset(),
    DeliveryState.FAILED: frozenset(),
}
