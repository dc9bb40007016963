"""The reconciler: finds work that stalled and queues it again (``services``), run by
beat (``tasks``)."""
