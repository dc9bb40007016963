"""The outbound HTTP client against a real server on 127.0.0.1 (tests/localserver.py).

Waits are measured, not waited for: clients get a fake clock whose ``sleep``
only moves the time on. The SSRF guard is tested with the server off the allow
list (refused before any request reaches it) and on it (fetched).
"""

from __future__ import annotations

import ipaddress
import shutil
import socket
import ssl
import subprocess
import time
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest
import redis
import requests

from factcheck import http_guard
from factcheck.http import (
    CHUNK_BYTES,
    HTML,
    JSON,
    CachedPage,
    FetchError,
    HttpClient,
    ResponseCache,
    backoff_seconds,
    get_client,
    retry_after_seconds,
)
from factcheck.http_guard import forbidden_reason
from factcheck.ratelimit import LocalRateLimiter, RedisRateLimiter, make_rate_limiter
from factcheck.settings import Settings
from tests.conftest import need_service
from tests.integration.conftest import REDIS  # this xdist worker's own database
from tests.localserver import Answer, LocalServer, Request


class FakeClock:
    """Monotonic time that moves only when someone sleeps; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "broker_url": "",  # never a Redis limiter from the environment unless a test asks
        "http_ratelimit_redis_url": "",
        "http_rate_per_host": 0,  # no spacing unless a test measures it
        "http_retries": 2,
        "http_connect_timeout": 2.0,
        "http_read_timeout": 2.0,
        **overrides,
    }
    return Settings(**values)


def make_client(
    server: LocalServer | None = None, clock: FakeClock | None = None, **overrides: Any
) -> HttpClient:
    """A client whose allow list holds the server (unless given), on a fake clock."""
    if server is not None:
        overrides.setdefault("http_allow_hosts", server.host)
    clock = clock or FakeClock()
    return HttpClient(make_settings(**overrides), sleep=clock.sleep, clock=clock)


def answers(*sequence: Answer):
    """A handler that gives these answers in turn, then the last one again."""
    remaining = list(sequence)

    def handler(_request: Request) -> Answer:
        return remaining.pop(0) if len(remaining) > 1 else remaining[0]

    return handler


def fetch_error(call) -> FetchError:
    with pytest.raises(FetchError) as caught:
        call()
    return caught.value


@pytest.fixture
def server():
    with LocalServer() as server:
        yield server


# --- the basics -------------------------------------------------------------------------


def test_json_is_fetched_with_user_agent_and_accept(server: LocalServer) -> None:
    server.route("/api", Answer.json({"ok": True}))
    fetched = make_client(server).get(server.url("/api"), params={"q": "a b"})
    assert fetched.json() == {"ok": True}
    assert (fetched.status, fetched.content_type, fetched.from_cache) == (200, JSON[0], False)
    sent = server.requests[0]
    assert sent.arg("q") == "a b"
    assert sent.headers["accept"] == "application/json"
    assert "factcheck" in sent.headers["user-agent"]
    assert "factcheck-desk@example.org" in sent.headers["user-agent"]


def test_html_accepts_several_types(server: LocalServer) -> None:
    server.route("/page", Answer.html("<p>hi</p>"))
    fetched = make_client(server).get(server.url("/page"), accept=HTML)
    assert fetched.text == "<p>hi</p>"
    assert server.requests[0].headers["accept"] == ", ".join(HTML)


def test_wrong_content_type_is_refused(server: LocalServer) -> None:
    server.route("/page", Answer.html("<p>not json</p>"))
    error = fetch_error(lambda: make_client(server).get(server.url("/page"), accept=JSON))
    assert error.kind == "content_type"


def test_invalid_json_is_a_fetch_error(server: LocalServer) -> None:
    server.route("/api", Answer(200, b"{not json", {"Content-Type": "application/json"}))
    fetched = make_client(server).get(server.url("/api"))
    assert fetch_error(fetched.json).kind == "invalid_json"


def test_one_session_per_process() -> None:
    settings = make_settings()
    assert get_client(settings) is get_client(settings)
    assert get_client(make_settings(http_retries=0)) is not get_client(settings)


# --- size and time limits ---------------------------------------------------------------


def test_a_large_body_with_content_length_is_refused_before_reading(server: LocalServer) -> None:
    server.route("/big", Answer(200, b"x" * 20_000_000, {"Content-Type": "application/json"}))
    error = fetch_error(lambda: make_client(server).get(server.url("/big"), max_bytes=1_000_000))
    assert error.kind == "too_large"
    assert "Content-Length" in error.detail


def test_a_large_streamed_body_is_cut_off(server: LocalServer, monkeypatch) -> None:
    body = b"x" * 20_000_000
    server.route("/big", Answer(200, body, {"Content-Type": "application/json"}, chunked=True))
    client = make_client(server, http_max_bytes=1_000_000)
    read = count_bytes_read(monkeypatch)
    error = fetch_error(lambda: client.get(server.url("/big")))
    assert error.kind == "too_large"
    assert "more than 1000000 bytes" in error.detail
    assert sum(read) <= 1_000_000 + CHUNK_BYTES  # it stopped reading at the cap


def count_bytes_read(monkeypatch) -> list[int]:
    """The sizes of the body chunks clients read from now on."""
    sizes: list[int] = []
    iter_content = requests.Response.iter_content

    def counting(response: requests.Response, *args: Any, **kwargs: Any):
        for chunk in iter_content(response, *args, **kwargs):
            sizes.append(len(chunk))
            yield chunk

    monkeypatch.setattr(requests.Response, "iter_content", counting)
    return sizes


def test_a_chunked_body_under_the_cap_is_read(server: LocalServer) -> None:
    server.route("/ok", Answer(200, b"x" * 300_000, {"Content-Type": "text/plain"}, chunked=True))
    assert len(make_client(server).get(server.url("/ok"), accept=HTML).body) == 300_000


def test_a_hang_past_the_read_timeout_is_a_timeout(server: LocalServer, monkeypatch) -> None:
    # The server hangs far longer than the time-out, so only the time-out can end the wait.
    server.route("/slow", Answer(200, b"{}", {"Content-Type": "application/json"}, delay=60))
    client = make_client(server, http_read_timeout=0.5, http_retries=1)
    timeouts = []
    send = client.session.get

    def recording(url: str, **kwargs: Any) -> requests.Response:
        timeouts.append(kwargs["timeout"])
        return send(url, **kwargs)

    monkeypatch.setattr(client.session, "get", recording)
    error = fetch_error(lambda: client.get(server.url("/slow")))
    assert error.kind == "timeout"
    assert len(server.requests) == 2  # time-outs are retried once here, then given up
    assert timeouts == [(2.0, 0.5), (2.0, 0.5)]  # (connect, read) as the settings say


# --- retries ----------------------------------------------------------------------------


def test_429_with_retry_after_is_waited_for_then_retried(server: LocalServer) -> None:
    server.route(
        "/api",
        answers(Answer(429, b"", {"Retry-After": "3"}), Answer.json({"ok": 1})),
    )
    clock = FakeClock()
    assert make_client(server, clock).get(server.url("/api")).json() == {"ok": 1}
    assert clock.sleeps == [3.0]
    assert len(server.requests) == 2


def test_retry_after_as_an_http_date() -> None:
    now = 1_700_000_000.0
    assert retry_after_seconds(formatdate(now + 7, usegmt=True), now) == pytest.approx(7)
    assert retry_after_seconds(formatdate(now - 60, usegmt=True), now) == 0
    assert retry_after_seconds("12", now) == 12
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


def test_retry_after_date_from_the_server(server: LocalServer) -> None:
    # The date is read against the real time: leave seconds of slack for a busy machine.
    later = formatdate(time.time() + 25, usegmt=True)
    server.route("/api", answers(Answer(503, b"", {"Retry-After": later}), Answer.json({})))
    clock = FakeClock()
    make_client(server, clock).get(server.url("/api"))
    assert len(clock.sleeps) == 1
    assert 15 < clock.sleeps[0] <= 25  # the date's wait, not the half-second backoff


def test_retry_after_longer_than_the_cap_gives_up_at_once(server: LocalServer) -> None:
    server.route("/api", Answer(429, b"", {"Retry-After": "3600"}))
    clock = FakeClock()
    error = fetch_error(lambda: make_client(server, clock).get(server.url("/api")))
    assert error.kind == "status"
    assert "Retry-After 3600" in error.detail
    assert clock.sleeps == []
    assert len(server.requests) == 1


def test_no_wait_goes_past_the_total_deadline(server: LocalServer) -> None:
    server.route("/api", Answer(503, b"", {"Retry-After": "4"}))
    clock = FakeClock()
    client = make_client(server, clock, http_total_timeout=10, http_retries=5)
    error = fetch_error(lambda: client.get(server.url("/api")))
    assert error.kind == "status"
    assert clock.sleeps == [4.0, 4.0]  # a third wait would end past the 10 s deadline
    assert len(server.requests) == 3


def test_503_twice_then_200_with_growing_backoff(server: LocalServer) -> None:
    server.route("/api", answers(Answer(503), Answer(503), Answer.json({"ok": 2})))
    clock = FakeClock()
    client = make_client(server, clock, http_backoff_seconds=1.0)
    assert client.get(server.url("/api")).json() == {"ok": 2}
    assert len(server.requests) == 3
    first, second = clock.sleeps
    assert 0.5 <= first <= 1.0
    assert 1.0 <= second <= 2.0


def test_backoff_is_exponential_jittered_and_capped() -> None:
    for attempt, top in [(0, 0.5), (1, 1.0), (2, 2.0), (10, 30.0)]:
        waits = {backoff_seconds(attempt, 0.5, 30.0) for _ in range(50)}
        assert all(top / 2 <= wait <= top for wait in waits)
        assert len(waits) > 1  # jitter: not all the same


def test_5xx_gives_up_after_the_retries(server: LocalServer) -> None:
    server.route("/api", Answer(500))
    clock = FakeClock()
    error = fetch_error(lambda: make_client(server, clock, http_retries=2).get(server.url("/api")))
    assert (error.kind, error.detail) == ("status", "HTTP 500")
    assert len(server.requests) == 3
    assert len(clock.sleeps) == 2


def test_404_is_not_retried(server: LocalServer) -> None:
    clock = FakeClock()
    error = fetch_error(lambda: make_client(server, clock).get(server.url("/missing")))
    assert (error.kind, error.detail) == ("status", "HTTP 404")
    assert len(server.requests) == 1
    assert clock.sleeps == []


def test_connection_errors_are_retried_then_given_up() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    clock = FakeClock()
    client = make_client(None, clock, http_allow_hosts="127.0.0.1", http_retries=2)
    error = fetch_error(lambda: client.get(f"http://127.0.0.1:{port}/"))
    assert error.kind == "connection"
    assert len(clock.sleeps) == 2


# --- the SSRF guard ---------------------------------------------------------------------


def test_the_local_server_is_refused_unless_allowed(
    server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.route("/api", Answer.json({}))
    error = fetch_error(lambda: make_client(None).get(server.url("/api")))
    assert error.kind == "refused"
    assert_refused_without_addresses(error, caplog, "127.0.0.1 (loopback)")
    assert server.requests == []


def assert_refused_without_addresses(
    error: FetchError, caplog: pytest.LogCaptureFixture, resolution: str
) -> None:
    """What is recorded and shown says "not a public address" only; what the name
    resolved to, which maps the workers' network, goes to the log."""
    assert str(error) == f"refused: {error.url}: not a public address"
    assert resolution in caplog.text and resolution not in str(error)


@pytest.mark.parametrize(
    "spelling",
    [
        "2130706433",  # decimal
        "0177.0.0.1",  # octal
        "0x7f.0.0.1",  # hex
        "127.1",  # short form
        "[::ffff:127.0.0.1]",  # IPv6-mapped IPv4
        "[::ffff:7f00:1]",
        "[::1]",
        "localhost",
    ],
)
def test_other_spellings_of_loopback_are_refused(server: LocalServer, spelling: str) -> None:
    port = server.host.split(":")[1]
    server.route("/api", Answer.json({}))
    # The allow list names 127.0.0.1:PORT; other spellings of it are other names.
    error = fetch_error(lambda: make_client(server).get(f"http://{spelling}:{port}/api"))
    assert error.kind == "refused", error
    assert server.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.org/file",
        "gopher://127.0.0.1:70/_stats",
        "data:text/plain,hello",
        "javascript:alert(1)",
        "example.org/no-scheme",
        "http://user:secret@example.org/",
    ],
)
def test_only_plain_http_and_https_urls(url: str) -> None:
    assert fetch_error(lambda: make_client(None).get(url)).kind == "refused"


def test_a_redirect_to_the_metadata_address_is_refused(
    server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.route("/go", Answer.redirect("http://169.254.169.254/latest/meta-data/"))
    error = fetch_error(lambda: make_client(server).get(server.url("/go")))
    assert error.kind == "refused"
    assert error.url == "http://169.254.169.254/latest/meta-data/"
    assert_refused_without_addresses(error, caplog, "169.254.169.254 (link-local)")


def test_a_redirect_to_another_scheme_is_refused(server: LocalServer) -> None:
    server.route("/go", Answer.redirect("file:///etc/passwd"))
    error = fetch_error(lambda: make_client(server).get(server.url("/go")))
    assert (error.kind, error.url) == ("refused", "file:///etc/passwd")


def test_a_redirect_to_a_server_not_allowed_is_refused(server: LocalServer) -> None:
    with LocalServer() as other:
        other.route("/secret", Answer.json({"secret": True}))
        server.route("/go", Answer.redirect(other.url("/secret")))
        error = fetch_error(lambda: make_client(server).get(server.url("/go")))
        assert error.kind == "refused"
        assert other.requests == []
        port = server.host.split(":")[1]
        server.route("/go-self", Answer.redirect(f"http://localhost:{port}/secret"))
        assert fetch_error(lambda: make_client(server).get(server.url("/go-self"))).kind == (
            "refused"
        )


def test_redirects_are_followed_within_the_limit(server: LocalServer) -> None:
    server.route("/a", Answer.redirect("/b", 301))
    server.route("/b", Answer.redirect(server.url("/c"), 307))
    server.route("/c", Answer.json({"here": True}))
    fetched = make_client(server).get(server.url("/a"))
    assert fetched.url == server.url("/c")
    assert [r.path for r in server.requests] == ["/a", "/b", "/c"]


def test_a_redirect_loop_stops(server: LocalServer) -> None:
    server.route("/loop", Answer.redirect("/loop"))
    error = fetch_error(lambda: make_client(server, http_max_redirects=3).get(server.url("/loop")))
    assert error.kind == "redirects"
    assert len(server.requests) == 4


def fake_resolver(table: dict[str, list[str]]):
    """A getaddrinfo that answers from ``table`` (and counts the questions)."""
    calls: list[str] = []

    def resolve(host: str, port: int, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        calls.append(host)
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "not in the test table")
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in table[host]
        ]

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


def test_every_resolved_address_is_checked(caplog: pytest.LogCaptureFixture) -> None:
    resolve = fake_resolver({"mixed.test": ["93.184.216.34", "10.1.2.3"]})
    client = HttpClient(make_settings(), resolve=resolve)
    error = fetch_error(lambda: client.get("http://mixed.test/"))
    assert error.kind == "refused"
    assert_refused_without_addresses(error, caplog, "mixed.test resolves to 10.1.2.3 (private)")


def test_a_name_that_does_not_resolve_is_a_connection_error() -> None:
    clock = FakeClock()
    client = HttpClient(
        make_settings(http_retries=1), resolve=fake_resolver({}), sleep=clock.sleep, clock=clock
    )
    assert fetch_error(lambda: client.get("http://nowhere.test/")).kind == "connection"


def test_the_connection_goes_to_the_vetted_address(server: LocalServer) -> None:
    # "site.test" exists only in our resolver: requests cannot have resolved it itself.
    port = server.host.split(":")[1]
    server.route("/api", Answer.json({"ok": True}))
    resolve = fake_resolver({"site.test": ["127.0.0.1"]})
    client = HttpClient(make_settings(http_allow_hosts=f"SITE.test:{port}"), resolve=resolve)
    assert client.get(f"http://site.test:{port}/api").json() == {"ok": True}
    assert server.requests[0].headers["host"] == f"site.test:{port}"
    assert resolve.calls == ["site.test"]


def test_dns_rebinding_cannot_reach_an_internal_address(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The name answers "public" to the check and 127.0.0.1 afterwards: nothing may reach it."""
    real_getaddrinfo = socket.getaddrinfo
    answers_given: list[str] = []

    def rebinding(host: str, port: int, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        if host != "rebind.test":
            return real_getaddrinfo(host, port, *args, **kwargs)
        # 127.0.0.2 plays the public address (nothing listens there); then the attack.
        address = "127.0.0.2" if not answers_given else "127.0.0.1"
        answers_given.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    def public_except_127_0_0_1(address: Any) -> str | None:
        return "loopback" if address == ipaddress.ip_address("127.0.0.1") else None

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    monkeypatch.setattr(http_guard, "forbidden_reason", public_except_127_0_0_1)
    port = server.host.split(":")[1]
    server.route("/admin", Answer.json({"secret": True}))
    client = make_client(None, http_retries=0)
    error = fetch_error(lambda: client.get(f"http://rebind.test:{port}/admin"))
    assert error.kind == "connection"  # 127.0.0.2 refused the connection
    assert answers_given == ["127.0.0.2"]  # asked once, by the guard; never again
    assert server.requests == []


def test_redirect_hops_are_resolved_and_checked_each(
    server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    port = server.host.split(":")[1]
    server.route("/start", Answer.redirect(f"http://inside.test:{port}/x"))
    resolve = fake_resolver({"inside.test": ["192.168.0.10"], "127.0.0.1": ["127.0.0.1"]})
    client = HttpClient(make_settings(http_allow_hosts=server.host), resolve=resolve)
    error = fetch_error(lambda: client.get(server.url("/start")))
    assert error.kind == "refused"
    assert_refused_without_addresses(error, caplog, "192.168.0.10 (private)")


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "shared"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("192.0.2.1", "private"),  # documentation
        ("2001::1", "private"),  # Teredo
        ("198.18.0.1", "private"),  # benchmarking
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
        ("2002:7f00:1::1", "loopback"),  # 6to4 of 127.0.0.1
        ("93.184.216.34", None),
        ("2606:2800:220:1:248:1893:25c8:1946", None),
        ("::ffff:93.184.216.34", None),
    ],
)
def test_address_classes(address: str, reason: str | None) -> None:
    assert forbidden_reason(ipaddress.ip_address(address)) == reason


def test_the_allow_list_takes_host_or_host_and_port() -> None:
    allowed = make_settings(http_allow_hosts=" Wiki.Example ,api.example:8443").allowed_hosts()
    assert http_guard.is_allowed("wiki.example", 443, allowed)
    assert http_guard.is_allowed("WIKI.example.", 80, allowed)
    assert http_guard.is_allowed("api.example", 8443, allowed)
    assert not http_guard.is_allowed("api.example", 443, allowed)


@pytest.fixture
def tls_files(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for the name "pinned.test" only."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    command = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=pinned.test"
    command += f" -addext subjectAltName=DNS:pinned.test -keyout {key} -out {cert}"
    subprocess.run(command.split(), check=True, capture_output=True)
    return cert, key


def test_https_to_the_vetted_address_verifies_the_name(tls_files: tuple[Path, Path]) -> None:
    cert, key = tls_files
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with LocalServer(tls=context) as server:
        port = server.host.split(":")[1]
        server.route("/api", Answer.json({"tls": True}))
        resolve = fake_resolver({"pinned.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
        settings = make_settings(http_allow_hosts="pinned.test,other.test", http_retries=0)
        client = HttpClient(settings, resolve=resolve)
        client.session.verify = str(cert)
        # The certificate names pinned.test, not 127.0.0.1: this works only with SNI and
        # verification against the name while connecting to the address.
        assert client.get(f"https://pinned.test:{port}/api").json() == {"tls": True}
        assert server.requests[0].headers["host"] == f"pinned.test:{port}"
        # Another name on the same address must not pass with pinned.test's certificate.
        error = fetch_error(lambda: client.get(f"https://other.test:{port}/api"))
        assert error.kind == "connection"
        assert "other.test" in error.detail


# --- conditional requests and the cache -------------------------------------------------


def test_etag_304_is_served_from_the_cache(server: LocalServer) -> None:
    def page(request: Request) -> Answer:
        if request.headers.get("if-none-match") == '"v1"':
            return Answer(304, b"", {"ETag": '"v1"'})
        return Answer.json({"version": 1}, ETag='"v1"')

    server.route("/api", page)
    client = make_client(server)
    first = client.get(server.url("/api"))
    second = client.get(server.url("/api"))
    assert not first.from_cache
    assert second.from_cache
    assert (second.status, second.json()) == (200, {"version": 1})
    assert server.requests[1].headers["if-none-match"] == '"v1"'


def test_last_modified_304_is_served_from_the_cache(server: LocalServer) -> None:
    stamp = "Wed, 21 Oct 2015 07:28:00 GMT"

    def page(request: Request) -> Answer:
        if request.headers.get("if-modified-since") == stamp:
            return Answer(304)
        return Answer.html("<p>old news</p>", **{"Last-Modified": stamp})

    server.route("/page", page)
    client = make_client(server)
    client.get(server.url("/page"), accept=HTML)
    again = client.get(server.url("/page"), accept=HTML)
    assert again.from_cache
    assert again.text == "<p>old news</p>"
    assert "if-none-match" not in server.requests[1].headers


def test_a_changed_page_replaces_the_cached_one(server: LocalServer) -> None:
    versions = iter(['"v1"', '"v2"'])

    def page(request: Request) -> Answer:
        etag = next(versions)
        return Answer.json({"etag": etag}, ETag=etag)

    server.route("/api", page)
    client = make_client(server)
    client.get(server.url("/api"))
    second = client.get(server.url("/api"))
    assert not second.from_cache
    assert second.json() == {"etag": '"v2"'}


def test_pages_without_validators_are_not_cached(server: LocalServer) -> None:
    server.route("/api", Answer.json({}))
    client = make_client(server)
    client.get(server.url("/api"))
    client.get(server.url("/api"))
    assert "if-none-match" not in server.requests[1].headers
    assert client.cache.size == 0


def test_the_cache_is_bounded_by_bytes() -> None:
    cache = ResponseCache(max_bytes=10)
    page = CachedPage(200, "text/plain", b"123456", {"ETag": "x"})
    cache.put("a", page)
    cache.put("b", page)
    assert cache.get("a") is None  # evicted, least recently used
    assert cache.get("b") == page
    cache.put("huge", CachedPage(200, "text/plain", b"x" * 11, {}))
    assert cache.get("huge") is None
    assert cache.size == 6


# --- rate limits ------------------------------------------------------------------------


def test_requests_to_one_host_are_spaced(server: LocalServer) -> None:
    server.route("/api", Answer.json({}))
    clock = FakeClock()
    client = make_client(server, clock, http_rate_per_host=5)
    for _ in range(3):
        client.get(server.url("/api"))
    assert clock.sleeps == pytest.approx([0.2, 0.2])


def test_the_local_limiter_is_per_host() -> None:
    clock = FakeClock()
    limiter = LocalRateLimiter(2, clock)
    assert [limiter.reserve("a"), limiter.reserve("b"), limiter.reserve("a")] == [0, 0, 0.5]
    clock.now += 10
    assert limiter.reserve("a") == 0


def test_redis_is_used_for_rate_limits_when_configured() -> None:
    assert isinstance(make_rate_limiter(make_settings()), LocalRateLimiter)
    broker = make_settings(broker_url="redis://127.0.0.1:6379/0")
    assert isinstance(make_rate_limiter(broker), RedisRateLimiter)
    dedicated = make_settings(http_ratelimit_redis_url="redis://127.0.0.1:6379/3")
    assert isinstance(make_rate_limiter(dedicated), RedisRateLimiter)


def test_redis_down_falls_back_to_the_local_limiter() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    clock = FakeClock()
    limiter = make_rate_limiter(
        make_settings(http_ratelimit_redis_url=f"redis://127.0.0.1:{port}/0", http_rate_per_host=2),
        clock,
    )
    assert [limiter.reserve("a"), limiter.reserve("a")] == [0, 0.5]


@pytest.mark.integration
def test_two_clients_share_the_limit_through_redis(server: LocalServer) -> None:
    connection = redis.Redis.from_url(REDIS, socket_connect_timeout=3)
    try:
        connection.delete("factcheck:http:rate:127.0.0.1")
    except redis.RedisError as error:
        need_service("Redis", str(error))
    server.route("/api", Answer.json({}))
    settings = make_settings(
        http_allow_hosts=server.host, http_ratelimit_redis_url=REDIS, http_rate_per_host=0.05
    )
    first, second = FakeClock(), FakeClock()
    one = HttpClient(settings, sleep=first.sleep, clock=first)
    other = HttpClient(settings, sleep=second.sleep, clock=second)
    one.get(server.url("/api"))
    other.get(server.url("/api"))  # another "worker": must wait for the slot after one's
    assert first.sleeps == []
    assert len(second.sleeps) == 1
    assert 10 < second.sleeps[0] <= 20  # a slot is 20 s: seconds of slack for a busy machine
    connection.delete("factcheck:http:rate:127.0.0.1")
