"""The one outbound HTTP client. Every connector fetches through it.

``get_client(settings).get(url, accept=JSON)`` returns a ``Fetched`` or raises
``FetchError``, whose ``kind`` says why: ``refused`` (the SSRF guard, see
``factcheck/http_guard.py``), ``connection``, ``timeout``, ``status``,
``redirects``, ``content_type``, ``too_large`` or ``invalid_json``.

What it does for every call, in order:

- follows redirects itself (at most ``http_max_redirects``), vetting every hop;
- per hop, sends If-None-Match / If-Modified-Since when it has the page cached;
- per attempt, waits for the host's rate-limit slot (``factcheck/ratelimit.py``);
- retries connection errors, time-outs, 429 and 5xx with exponential backoff and
  jitter, honouring Retry-After, never waiting past the call's total deadline;
- checks the content type, and streams the body up to a size cap.
"""

from __future__ import annotations

import json
import logging
import os
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.structures import CaseInsensitiveDict

from factcheck.db import utcnow
from factcheck.http_guard import DEFAULT_PORTS, GuardedAdapter, Refused, Resolver
from factcheck.ratelimit import RateLimiter, make_rate_limiter
from factcheck.settings import Settings

log = logging.getLogger(__name__)


class FetchError(Exception):
    """A fetch that did not give a usable answer; ``kind`` says why, for the record."""

    def __init__(self, kind: str, url: str, detail: str) -> None:
        super().__init__(f"{kind}: {url}: {detail}")
        self.kind, self.url, self.detail = kind, url, detail


@dataclass(frozen=True)
class Fetched:
    url: str  # the final URL, after redirects
    status: int  # on a 304, the status of the cached answer (200)
    content_type: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    fetched_at: datetime = field(default_factory=utcnow)
    from_cache: bool = False  # the server said 304: the body is the one fetched before

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

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK_BYTES = 64 * 1024


def is_retryable_status(status: int) -> bool:
    return status == 429 or status >= 500


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """Retry-After as seconds from ``now`` (a Unix time): delay-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


def backoff_seconds(attempt: int, base: float, cap: float) -> float:
    """Exponential backoff with jitter: base·2^attempt, capped, then scaled by 0.5-1."""
    return min(cap, base * 2**attempt) * random.uniform(0.5, 1.0)


def media_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip().lower()


def prepared_url(url: str, params: Mapping[str, str] | None = None) -> str:
    """``url`` with ``params`` added, normalised the way requests sends it (IDNA, quoting).

    Only http and https: the session would refuse other schemes too, but as a
    connection error, and this is the guard's refusal.
    """
    scheme = urlsplit(url).scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise FetchError("refused", url, f"scheme {scheme or '(none)'!r} is not http or https")
    try:
        return requests.Request("GET", url, params=params).prepare().url or url
    except (requests.RequestException, ValueError) as error:
        raise FetchError("refused", url, f"malformed URL: {error}") from None


def refusal(url: str, refused: Refused) -> FetchError:
    """The guard's refusal as recorded and shown; what the name resolved to is logged only."""
    log.warning("refused %s: %s", url, refused.detail)
    return FetchError("refused", url, refused.reason)


def error_kind(error: requests.RequestException) -> str:
    if isinstance(error, requests.Timeout):
        return "timeout"
    # requests reports a read time-out while streaming the body as a ConnectionError.
    if error.args and isinstance(error.args[0], urllib3.exceptions.ReadTimeoutError):
        return "timeout"
    return "connection"


@dataclass(frozen=True)
class CachedPage:
    status: int
    content_type: str
    body: bytes
    headers: Mapping[str, str]

    def validators(self) -> dict[str, str]:
        """The conditional-request headers that ask the server whether this is still current."""
        sent = {}
        if "ETag" in self.headers:
            sent["If-None-Match"] = self.headers["ETag"]
        if "Last-Modified" in self.headers:
            sent["If-Modified-Since"] = self.headers["Last-Modified"]
        return sent


class ResponseCache:
    """Pages that came with an ETag or Last-Modified: an LRU bounded by total body bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._pages: OrderedDict[str, CachedPage] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> CachedPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: str, page: CachedPage) -> None:
        if len(page.body) > self.max_bytes:
            return
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            self._pages[key] = page
            self.size += len(page.body)
            while self.size > self.max_bytes:
                _key, evicted = self._pages.popitem(last=False)
                self.size -= len(evicted.body)


def cache_key(url: str, accept: tuple[str, ...]) -> str:
    return f"{','.join(accept)} {url}"  # one URL may answer differently per Accept


class HttpClient:
    """One ``requests.Session`` (one connection pool) with the guard, retries, limits, cache.

    ``sleep`` and ``clock`` (monotonic seconds) are attributes so tests can
    replace them and measure waits without waiting; ``resolve`` replaces
    ``socket.getaddrinfo`` for the SSRF guard.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        resolve: Resolver | None = None,
        rate_limiter: RateLimiter | None = None,
        cache: ResponseCache | None = None,
    ) -> None:
        self.settings = settings
        self.sleep = sleep
        self.clock = clock
        self.rate_limiter = rate_limiter or make_rate_limiter(settings, clock)
        self.cache = cache or ResponseCache(settings.http_cache_bytes)
        self.session = requests.Session()
        # Proxies from the environment would resolve names themselves, behind the guard's back.
        self.session.trust_env = False
        # Cookies would be keyed by the address connected to, so hosts sharing one would mix.
        self.session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        adapter = GuardedAdapter(settings.allowed_hosts(), resolve)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
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
        deadline = self.clock() + self.settings.http_total_timeout
        url = prepared_url(url, params)
        for _hop in range(self.settings.http_max_redirects + 1):
            cached = self.cache.get(cache_key(url, accept))
            headers = {"Accept": ", ".join(accept), **(cached.validators() if cached else {})}
            with self._send_with_retries(url, headers, deadline) as response:
                if response.status_code not in REDIRECT_STATUSES:
                    return self._result(url, response, accept, limit, cached, deadline)
                location = response.headers.get("Location")
            if not location:
                raise FetchError("status", url, f"HTTP {response.status_code} without Location")
            url = prepared_url(urljoin(url, location))
        raise FetchError("redirects", url, f"more than {self.settings.http_max_redirects}")

    def post(
        self,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        *,
        max_bytes: int | None = None,
    ) -> int:
        """POST ``body`` once and return the status, whatever it is; raise ``FetchError``
        only when no status came back (refused, connection, timeout, too_large).

        The same guard, rate limit, deadline and size cap as ``get``, but one attempt
        and no redirects: a POST is not safe to repeat blindly, and its callers (webhook
        deliveries) keep their own retry schedule in the database. A 3xx is returned
        as it is. The answer's body is read (to the cap) and dropped.
        """
        limit = max_bytes or self.settings.http_max_bytes
        deadline = self.clock() + self.settings.http_total_timeout
        url = prepared_url(url)
        if len(body) > limit:
            raise FetchError("too_large", url, f"request body of {len(body)} > {limit} bytes")
        self._wait_for_rate_limit(url, deadline)
        remaining = deadline - self.clock()
        if remaining <= 0:
            raise FetchError("timeout", url, "total deadline passed")
        timeout = (
            min(self.settings.http_connect_timeout, remaining),
            min(self.settings.http_read_timeout, remaining),
        )
        try:
            response = self.session.post(
                url,
                data=body,
                headers=dict(headers),
                timeout=timeout,
                stream=True,
                allow_redirects=False,
            )
        except Refused as refused:
            raise refusal(url, refused) from None
        except requests.RequestException as error:
            raise FetchError(error_kind(error), url, str(error)) from None
        with response:
            self._read_body(url, response, limit, deadline)
        return response.status_code

    def _send_with_retries(
        self, url: str, headers: dict[str, str], deadline: float
    ) -> requests.Response:
        """Send until an answer that is not worth retrying; raise the last failure otherwise."""
        attempt = 0
        while True:
            try:
                response = self._send_once(url, headers, deadline)
            except FetchError as error:
                if error.kind not in ("connection", "timeout"):
                    raise
                failure, wait = error, self._backoff(attempt)
            else:
                if not is_retryable_status(response.status_code):
                    return response
                response.close()
                failure = FetchError("status", url, f"HTTP {response.status_code}")
                wait = self._wait_asked_for(response, failure, attempt)
            if attempt >= self.settings.http_retries or self.clock() + wait > deadline:
                raise failure
            log.info("retrying %s in %.1f s after %s", url, wait, failure.detail)
            self.sleep(wait)
            attempt += 1

    def _backoff(self, attempt: int) -> float:
        return backoff_seconds(
            attempt, self.settings.http_backoff_seconds, self.settings.http_max_retry_wait
        )

    def _wait_asked_for(
        self, response: requests.Response, failure: FetchError, attempt: int
    ) -> float:
        """Retry-After when the server gave one, else our backoff; give up if it asks too much."""
        asked = retry_after_seconds(response.headers.get("Retry-After"), time.time())
        if asked is None:
            return self._backoff(attempt)
        if asked > self.settings.http_max_retry_wait:
            # Retrying sooner than asked would not honour it; waiting longer ties up the worker.
            raise FetchError(
                failure.kind, failure.url, f"{failure.detail}, Retry-After {asked:g} s"
            )
        return asked

    def _send_once(self, url: str, headers: dict[str, str], deadline: float) -> requests.Response:
        self._wait_for_rate_limit(url, deadline)
        remaining = deadline - self.clock()
        if remaining <= 0:
            raise FetchError("timeout", url, "total deadline passed")
        timeout = (
            min(self.settings.http_connect_timeout, remaining),
            min(self.settings.http_read_timeout, remaining),
        )
        try:
            return self.session.get(
                url, headers=headers, timeout=timeout, stream=True, allow_redirects=False
            )
        except Refused as refused:
            raise refusal(url, refused) from None
        except requests.RequestException as error:
            raise FetchError(error_kind(error), url, str(error)) from None

    def _wait_for_rate_limit(self, url: str, deadline: float) -> None:
        host = (urlsplit(url).hostname or "").rstrip(".")
        wait = self.rate_limiter.reserve(host)
        if wait <= 0:
            return
        if self.clock() + wait > deadline:
            raise FetchError("timeout", url, f"rate limit for {host} would pass the deadline")
        self.sleep(wait)

    def _result(
        self,
        url: str,
        response: requests.Response,
        accept: tuple[str, ...],
        limit: int,
        cached: CachedPage | None,
        deadline: float,
    ) -> Fetched:
        if response.status_code == 304 and cached is not None:
            return self._from_cache(url, response, accept, cached)
        if response.status_code >= 300:
            raise FetchError("status", url, f"HTTP {response.status_code}")
        content_type = media_type(response)
        if content_type not in accept:
            raise FetchError("content_type", url, f"{content_type!r} not accepted")
        body = self._read_body(url, response, limit, deadline)
        if "ETag" in response.headers or "Last-Modified" in response.headers:
            page = CachedPage(response.status_code, content_type, body, response.headers)
            self.cache.put(cache_key(url, accept), page)
        return Fetched(url, response.status_code, content_type, body, response.headers)

    def _from_cache(
        self, url: str, response: requests.Response, accept: tuple[str, ...], cached: CachedPage
    ) -> Fetched:
        # A 304 may carry fresh validators; keep them for the next revalidation.
        headers = CaseInsensitiveDict(cached.headers)
        headers.update(
            {k: v for k, v in response.headers.items() if k.lower() in ("etag", "last-modified")}
        )
        self.cache.put(cache_key(url, accept), replace(cached, headers=headers))
        return Fetched(
            url, cached.status, cached.content_type, cached.body, headers, from_cache=True
        )

    def _read_body(
        self, url: str, response: requests.Response, limit: int, deadline: float
    ) -> bytes:
        """The body, streamed: cut off past ``limit`` bytes or past the deadline."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError("too_large", url, f"Content-Length {declared} > {limit} bytes")
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(CHUNK_BYTES):
                size += len(chunk)
                if size > limit:
                    raise FetchError("too_large", url, f"more than {limit} bytes")
                if self.clock() > deadline:
                    raise FetchError("timeout", url, "total deadline passed while reading")
                chunks.append(chunk)
        except requests.RequestException as error:
            raise FetchError(error_kind(error), url, str(error)) from None
        return b"".join(chunks)


_client: HttpClient | None = None
_client_pid = 0
_client_lock = threading.Lock()


def get_client(settings: Settings) -> HttpClient:
    """The process's client: one session and connection pool per process.

    A forked worker gets its own (sockets must not be shared across processes);
    different settings (tests) get a new one.
    """
    global _client, _client_pid
    with _client_lock:
        if _client is None or _client_pid != os.getpid() or _client.settings != settings:
            _client, _client_pid = HttpClient(settings), os.getpid()
        return _client
