"""The SSRF guard of the outbound HTTP client: what may be fetched, and where to connect.

Every request is vetted just before it is sent (so every redirect hop is too):
http and https only, no credentials in the URL, and the host name resolved once
with ``socket.getaddrinfo``. Every address it resolves to must be public, unless
the host is on the allow list (``FACTCHECK_HTTP_ALLOW_HOSTS``).

DNS rebinding: the connection then goes to the vetted address itself, never to
the name, which the HTTP library would resolve a second time and might get a
different (internal) answer for. ``GuardedAdapter`` rewrites the URL to the
address and keeps the name in the Host header and, for https, in TLS SNI and
certificate verification.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[..., list[tuple[Any, ...]]]  # the shape of socket.getaddrinfo

DEFAULT_PORTS = {"http": 80, "https": 443}
SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT, RFC 6598
NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: reaches the embedded IPv4


NOT_PUBLIC = "not a public address"


class Refused(Exception):
    """The guard will not let this URL be fetched; ``reason`` says why, in words fit
    for whoever gave the URL. ``detail``, for the log only, says what a name resolved
    to: desk users must not learn the addresses of the network the workers are on."""

    def __init__(self, url: str, reason: str, detail: str = "") -> None:
        super().__init__(f"{url}: {reason}")
        self.url, self.reason, self.detail = url, reason, detail or reason


@dataclass(frozen=True)
class Target:
    """Where a vetted URL is fetched from."""

    hostname: str  # as written in the URL, lower case
    address: str  # the vetted IP address to connect to
    connect_url: str  # the URL with its host replaced by ``address``
    host_header: str  # host[:port] as written in the URL


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address reaches through (mapped, 6to4, NAT64), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64_PREFIX:
        return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    return None


def forbidden_reason(address: Address) -> str | None:
    """Why the guard refuses to connect to ``address``, or None if it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = embedded_ipv4(address)
        if inner is not None:
            return forbidden_reason(inner)
    checks = [  # the most telling name first: is_private also covers most of the others
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("unspecified", address.is_unspecified),
        ("multicast", address.is_multicast),
        ("shared", address in SHARED_ADDRESS_SPACE),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("not global", not address.is_global),
    ]
    return next((name for name, hit in checks if hit), None)


def resolve_addresses(hostname: str, port: int, resolve: Resolver | None = None) -> list[Address]:
    """Every address ``hostname`` resolves to, in the resolver's order, without repeats.

    Raises ``OSError`` (``socket.gaierror``) when the name does not resolve. Odd
    IPv4 spellings (2130706433, 0177.0.0.1, 0x7f.1) resolve to what they mean.
    """
    resolve = resolve or socket.getaddrinfo  # looked up now, so tests can patch socket
    answers = resolve(hostname, port, type=socket.SOCK_STREAM)
    addresses: list[Address] = []
    for *_ignored, sockaddr in answers:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])  # drop an IPv6 zone
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise socket.gaierror(f"{hostname} resolves to no address")
    return addresses


def is_allowed(hostname: str, port: int, allowed: frozenset[str]) -> bool:
    """Whether the allow list names this host, alone or with this port (case-insensitive)."""
    name = hostname.lower().rstrip(".")
    bracketed = f"[{name}]" if ":" in name else name
    return bool({name, bracketed, f"{name}:{port}", f"{bracketed}:{port}"} & allowed)


def vet(url: str, allowed: frozenset[str], resolve: Resolver | None = None) -> Target:
    """Check ``url`` and pick the address to connect to; raise ``Refused`` or ``OSError``."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise Refused(url, f"scheme {scheme or '(none)'!r} is not http or https")
    if parts.username is not None or parts.password is not None:
        raise Refused(url, "credentials in the URL")
    hostname = parts.hostname or ""
    if not hostname:
        raise Refused(url, "no host")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        raise Refused(url, "invalid port") from None

    addresses = resolve_addresses(hostname, port, resolve)
    if not is_allowed(hostname, port, allowed):
        for address in addresses:
            reason = forbidden_reason(address)
            if reason:
                raise Refused(url, NOT_PUBLIC, f"{hostname} resolves to {address} ({reason})")

    pinned = addresses[0]
    netloc = f"[{pinned}]" if pinned.version == 6 else str(pinned)
    if parts.port:
        netloc += f":{parts.port}"
    return Target(hostname, str(pinned), parts._replace(netloc=netloc).geturl(), parts.netloc)


class GuardedAdapter(HTTPAdapter):
    """A transport adapter that vets every request and sends it to the vetted address.

    ``Refused`` propagates out of ``Session.get``; a name that does not resolve
    becomes ``requests.ConnectionError`` like any other connection failure.
    """

    def __init__(
        self, allowed: frozenset[str], resolve: Resolver | None = None, **kwargs: Any
    ) -> None:
        self.allowed = allowed
        self.resolve = resolve
        super().__init__(**kwargs)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        url = request.url or ""
        try:
            target = vet(url, self.allowed, self.resolve)
        except OSError as error:
            raise requests.ConnectionError(f"cannot resolve: {error}", request=request) from None
        pinned = request.copy()
        pinned.url = target.connect_url
        pinned.headers["Host"] = target.host_header
        response = super().send(pinned, *args, **kwargs)
        response.url = url
        return response

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        # The URL names an address; TLS must still send and verify the name (SNI,
        # certificate). It also keys the pool, so names sharing an address don't
        # share TLS connections.
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        if host_params["scheme"] == "https" and "Host" in request.headers:
            pool_kwargs["server_hostname"] = urlsplit(f"//{request.headers['Host']}").hostname
        return host_params, pool_kwargs
