"""Compressed responses and static files under versioned URLs (web/assets.py)."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli
import pytest

from web.assets import IMMUTABLE, VERSIONED

WEB = Path(__file__).resolve().parents[2] / "web"
STATIC = WEB / "static"


def versioned_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [
        ("gzip", "gzip", gzip.decompress),
        ("gzip, deflate, br", "br", brotli.decompress),
        ("br;q=0.5, gzip", "gzip", gzip.decompress),
        ("gzip;q=0, *", "br", brotli.decompress),
    ],
)
def test_pages_are_compressed_when_the_client_accepts_it(client, accept, encoding, decode):
    plain = client.get("/login")
    packed = client.get("/login", headers={"Accept-Encoding": accept})
    assert packed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data)
    # The CSRF token differs between the two requests; everything else is the same.
    token = re.compile(rb'content="[^"]+"')
    assert token.sub(b"", decode(packed.data)) == token.sub(b"", plain.data)


def test_json_is_compressed_too(client):
    answer = client.get("/api/v1/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert answer.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(answer.data).startswith(b"{")


@pytest.mark.parametrize("accept", [None, "identity", "gzip;q=0, br;q=0", "compress"])
def test_nothing_is_compressed_unless_the_client_accepts_it(client, accept):
    headers = {"Accept-Encoding": accept} if accept else {}
    answer = client.get("/login", headers=headers)
    assert "Content-Encoding" not in answer.headers
    assert answer.data.startswith(b"<!doctype html>")
    assert "Accept-Encoding" in answer.headers["Vary"]  # a cache keeps the variants apart


def test_tiny_bodies_and_binary_types_are_sent_as_they_are(client):
    tiny = client.get("/healthz", headers={"Accept-Encoding": "gzip, br"})
    assert len(tiny.data) < 500
    assert "Content-Encoding" not in tiny.headers


def test_an_already_encoded_response_is_not_encoded_again(client):
    app = client.application

    @app.get("/already-gzipped")
    def _already() -> tuple[bytes, int, dict[str, str]]:
        body = gzip.compress(b"<p>hello</p>" * 200)
        return body, 200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}

    answer = client.get("/already-gzipped", headers={"Accept-Encoding": "br, gzip"})
    assert answer.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(answer.data) == b"<p>hello</p>" * 200


def test_a_streamed_response_stays_streamed_and_plain(client):
    app = client.application

    @app.get("/streamed")
    def _streamed():
        from flask import Response

        return Response((b"<p>chunk</p>" * 100 for _ in range(3)), mimetype="text/html")

    answer = client.get("/streamed", headers={"Accept-Encoding": "br, gzip"})
    assert answer.is_streamed
    assert "Content-Encoding" not in answer.headers
    assert answer.data == b"<p>chunk</p>" * 300


@pytest.mark.parametrize("name", ["desk.css", "desk.js", "site.css"])
def test_a_versioned_url_is_cached_for_a_year_and_serves_the_file(client, name):
    with client.application.test_request_context():
        url = client.application.jinja_env.globals["asset_url"](name)
    assert VERSIONED.match(url.removeprefix("/static/"))
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == IMMUTABLE
    assert answer.data == (STATIC / name).read_bytes()
    packed = client.get(url, headers={"Accept-Encoding": "br"})
    assert packed.headers["Content-Encoding"] == "br"
    assert brotli.decompress(packed.data) == (STATIC / name).read_bytes()
    assert packed.headers["Cache-Control"] == IMMUTABLE
    # Revalidation of the compressed copy by its own ETag.
    again = client.get(
        url, headers={"Accept-Encoding": "br", "If-None-Match": packed.headers["ETag"]}
    )
    assert again.status_code == 304


def test_the_plain_url_and_an_old_version_serve_the_current_file_revalidated(client):
    current = (STATIC / "desk.css").read_bytes()
    for url in ("/static/desk.css", "/static/desk.0123456789ab.css"):
        answer = client.get(url)
        assert answer.status_code == 200
        assert answer.headers["Cache-Control"] == "no-cache"
        assert answer.data == current
        etag = answer.headers["ETag"]
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize(
    "url",
    [
        "/static/nothing.css",
        "/static/nothing.0123456789ab.css",
        "/static/../web/__init__.py",
        "/static/desk.css/",
        "/static/desk.ZZZZZZZZZZZZ.css",
    ],
)
def test_a_file_that_is_not_there_is_a_404(client, url):
    assert client.get(url).status_code == 404


def test_pages_link_static_files_by_versioned_url(client):
    page = client.get("/login").text
    urls = versioned_urls(page)
    assert urls, "the sign-in page links no static file"
    for url in urls:
        assert VERSIONED.match(url.removeprefix("/static/")), url
        assert client.get(url).headers["Cache-Control"] == IMMUTABLE


def test_templates_link_static_files_only_through_asset_url():
    direct = re.compile(r"""/static/|url_for\(\s*['"]static['"]""")
    offenders = [
        f"{path.relative_to(WEB)}:{number}: {line.strip()}"
        for path in sorted((WEB / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if direct.search(line)
    ]
    assert not offenders, "use asset_url('name') for static files:\n" + "\n".join(offenders)


def test_a_template_naming_a_missing_file_fails_loudly(client):
    with client.application.test_request_context(), pytest.raises(LookupError, match=r"nope\.css"):
        client.application.jinja_env.globals["asset_url"]("nope.css")
