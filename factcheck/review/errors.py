from factcheck.errors import Conflict, InvalidInput


class LeaseLost(Conflict):
    """The task is not held by this reviewer (released, expired, or someone else's)."""


class QuoteNotInSource(InvalidInput):
    """A citation quotes a passage that the cited source record does not contain."""
