"""The Wayback Machine's closest snapshot of a source, so a citation survives link rot.

Uses the availability API (``settings.archive_url``, by default
https://archive.org/wayback/available): ``GET ?url=URL[&timestamp=YYYYMMDDhhmmss]``
answers ``{"archived_snapshots": {"closest": {"available": true, "url": "http://web.
archive.org/web/20130919044612/http://example.com/", "timestamp": "20130919044612",
"status": "200"}}}``, or ``{"archived_snapshots": {}}`` when nothing is archived.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from factcheck.http import JSON, HttpClient
from factcheck.settings import Settings

_TIMESTAMP = "%Y%m%d%H%M%S"


@dataclass(frozen=True)
class ArchiveSnapshot:
    url: str  # the snapshot in the Wayback Machine
    timestamp: datetime  # when it was captured, UTC
    status: str | None  # the HTTP status the archive saw, "200" for a good capture


def enabled(settings: Settings) -> bool:
    return settings.archive_enabled


def lookup(client: HttpClient, url: str, near: date | None = None) -> ArchiveSnapshot | None:
    """The archived snapshot of ``url`` closest to ``near`` (else the latest), if any.

    Raises ``factcheck.http.FetchError`` when the archive does not answer usefully;
    returns None when it answers that it has no usable snapshot.
    """
    params = {"url": url}
    if near is not None:
        params["timestamp"] = near.strftime(_TIMESTAMP if isinstance(near, datetime) else "%Y%m%d")
    fetched = client.get(client.settings.archive_url, params=params, accept=JSON)
    data = fetched.json()
    closest = _closest(data)
    if closest is None:
        return None
    timestamp = _parse_timestamp(str(closest.get("timestamp", "")))
    snapshot_url = closest.get("url")
    if not snapshot_url or timestamp is None:
        return None
    status = closest.get("status")
    return ArchiveSnapshot(str(snapshot_url), timestamp, str(status) if status else None)


def _closest(data: object) -> dict[str, Any] | None:
    if not isinstance(data, dict):
        return None
    snapshots = data.get("archived_snapshots")
    closest = snapshots.get("closest") if isinstance(snapshots, dict) else None
    if not isinstance(closest, dict) or closest.get("available") is False:
        return None
    if str(closest.get("status", "200"))[:1] in {"4", "5"}:
        return None  # a capture of an error page proves nothing
    return closest


def _parse_timestamp(value: str) -> datetime | None:
    """ "20130919044612" as an aware UTC datetime (the archive's times are UTC)."""
    try:
        return datetime.strptime(value, _TIMESTAMP).replace(tzinfo=UTC)
    except ValueError:
        return None
