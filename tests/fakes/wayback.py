"""A fake Wayback Machine availability API (``GET /wayback/available?url=...``).

    with FakeWayback({"https://example.com/a": ["20061124093000"]}) as archive:
        settings = fake_settings(archive.host, archive_url=archive.url)

Answers as archive.org/help/wayback_api.php documents: ``{"url": URL,
"archived_snapshots": {"closest": {"status": "200", "available": true, "url":
"http://web.archive.org/web/TIMESTAMP/URL", "timestamp": "TIMESTAMP"}}}``, the
capture closest to ``timestamp`` (else the latest), or ``{"archived_snapshots": {}}``
when the URL was never archived. Latency and failure modes as in ``tests.fakes.common``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tests.fakes.common import FakeService
from tests.localserver import Answer, LocalServer, Request

ARCHIVE_BASE = "http://web.archive.org/web/"


class FakeWayback(FakeService):
    path = "/wayback/available"

    def __init__(
        self,
        captures: Mapping[str, Sequence[str]] | None = None,
        *,
        status: str = "200",
        every_url: str | None = None,
        server: LocalServer | None = None,
        **options: Any,
    ) -> None:
        super().__init__(server=server, **options)
        self.captures = {url: sorted(stamps) for url, stamps in (captures or {}).items()}
        self.every_url = every_url  # a capture stamp that every URL has, for load tests
        self.status = status  # the HTTP status the archive saw when capturing

    def answer(self, request: Request) -> Answer:
        url = request.arg("url") or ""
        stamps = self.captures.get(url, [self.every_url] if self.every_url else [])
        body: dict[str, Any] = {"url": url, "archived_snapshots": {}}
        wanted = request.arg("timestamp")
        if wanted:
            body["timestamp"] = wanted
        if stamps:
            stamp = closest(stamps, wanted) if wanted else stamps[-1]
            body["archived_snapshots"]["closest"] = {
                "status": self.status,
                "available": True,
                "url": f"{ARCHIVE_BASE}{stamp}/{url}",
                "timestamp": stamp,
            }
        return Answer.json(body)


def closest(stamps: Sequence[str], wanted: str) -> str:
    """The capture nearest to ``wanted`` (1 to 14 digits, padded like the archive does)."""
    target = int(wanted.ljust(14, "0")[:14])
    return min(stamps, key=lambda stamp: abs(int(stamp) - target))
