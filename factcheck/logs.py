"""Structured logs: one JSON object per line, carrying the ids of what is being worked on.

The web sets ``request_id`` per request; a task sets ``task_id`` and the essay or
claim it works on. Messages never carry secrets, tokens or essay texts: only ids
and short facts.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

_context: ContextVar[dict[str, Any]] = ContextVar("factcheck_log_context", default={})  # noqa: B039
# Attributes every LogRecord has; anything else was passed with ``extra=`` and is kept.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


@contextmanager
def log_context(**ids: Any) -> Iterator[None]:
    """Add ``ids`` to every log line written inside the block."""
    token = _context.set({**_context.get(), **ids})
    try:
        yield
    finally:
        _context.reset(token)


def current_context() -> dict[str, Any]:
    return dict(_context.get())


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line |= {k: v for k, v in vars(record).items() if k not in _STANDARD}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


_make_record = logging.getLogRecordFactory()


def _record_with_context(*args: Any, **kwargs: Any) -> logging.LogRecord:
    """Copy the ids in force when a line is logged onto its record: a handler may
    format it later, elsewhere (a queue, a test's capture)."""
    record = _make_record(*args, **kwargs)
    for key, value in _context.get().items():
        setattr(record, key, value)
    return record


logging.setLogRecordFactory(_record_with_context)


def configure(level: str = "INFO") -> None:
    """Send every log line through the JSON formatter on stderr."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
