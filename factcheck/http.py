"""The one outbound HTTP client. Every connector fetches through it.

(First version: time-outs, a size cap and content types. The SSRF guard,
retries with backoff, per-host rate limits and the conditional-request cache
land with the evidence-gathering issue.)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests

from factcheck.db import utcnow
from factcheck.settings import Settings


class FetchError(Exception):
    """A fetch that did not give a usable answer; ``kind`` says why, for the record."""

    def __init__(self, kind: str, url: str, detail: str) -> None:
        super().__init__(f"{kind}: {url}: {detail}")
        self.kind, self.url, self.detail = kind, url, detail


@dataclass(frozen=True)
class Fetched:
    url: str  # the final URL, after redirects
    status: int
    content_type: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    fetched_at: datetime = field(default_factory=utcnow)
    from_cache: bool = False

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError as error:
            raise FetchError("invalid_json", self.url, str(error)) from None


JSON = ("application/json",)
HTML = ("text/html", "application/xhtml+xml", "text/plain")


class HttpClient:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.session = requests.Session()
        self.session.headers["User-Agent"] = (
            f"factcheck/0.1 (fact-check desk; +{settings.base_url}; {settings.http_contact})"
        )

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        accept: Iterable[str] = JSON,
        max_bytes: int | None = None,
    ) -> Fetched:
        """GET ``url``; raise ``FetchError`` unless it answers 2xx with an accepted type."""
        accept = tuple(accept)
        limit = max_bytes or self.settings.http_max_bytes
        try:
            response = self.session.get(
                url,
                params=params,
                timeout=(self.settings.http_connect_timeout, self.settings.http_read_timeout),
                stream=True,
                headers={"Accept": ", ".join(accept)},
            )
        except requests.Timeout as error:
            raise FetchError("timeout", url, str(error)) from None
        except requests.RequestException as error:
            raise FetchError("connection", url, str(error)) from None
        with response:
            if response.status_code >= 400:
                raise FetchError("status", response.url, f"HTTP {response.status_code}")
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if content_type not in accept:
                raise FetchError("content_type", response.url, f"{content_type!r} not accepted")
            body = b""
            for chunk in response.iter_content(64 * 1024):
                body += chunk
                if len(body) > limit:
                    raise FetchError("too_large", response.url, f"more than {limit} bytes")
        return Fetched(response.url, response.status_code, content_type, body, response.headers)


_clients: dict[int, HttpClient] = {}


def get_client(settings: Settings) -> HttpClient:
    """The process's client (one connection pool per process)."""
    key = id(settings)
    if key not in _clients:
        _clients[key] = HttpClient(settings)
    return _clients[key]
