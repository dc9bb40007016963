"""Static files under versioned URLs, and compressed responses.

Every file of ``web/static`` is read once when the app is built and named by a hash
of its bytes: ``asset_url("desk.css")`` in a template gives
``/static/desk.<12 hex digits>.css``, which is served with a year's ``immutable``
cache lifetime, since new bytes get a new name. The plain name (``/static/desk.css``)
and a name with a hash that is not the current one (a page from before a deploy)
still get the current bytes, revalidated on every use (``no-cache``, with an ETag).
The bytes are kept in memory, so a name always matches what is served even if the
files change under a running process; a changed file needs a restart.

Responses are compressed by Flask-Compress (brotli or gzip, as the client accepts):
text types only, bodies of at least 500 bytes, never a streamed response or one
that already has a ``Content-Encoding``; every response says ``Vary:
Accept-Encoding``.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, current_app, request, url_for
from flask_compress import Compress

from factcheck.errors import NotFound

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
DIGEST_LENGTH = 12
# desk.0123456789ab.css -> ("desk", "0123456789ab", ".css")
VERSIONED = re.compile(
    rf"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{DIGEST_LENGTH}}})(?P<suffix>\.[^./]+)?$"
)

ALGORITHMS = ["br", "gzip"]  # preferred first, when the client rates both alike
COMPRESSED_TYPES = [
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/problem+json",
    "application/ld+json",
    "application/atom+xml",
    "text/markdown",
    "text/csv",
    "text/plain",
    "image/svg+xml",
]


@dataclass(frozen=True)
class Asset:
    data: bytes
    mimetype: str
    digest: str

    def versioned_name(self, name: str) -> str:
        stem, dot, suffix = name.rpartition(".")
        if not dot or "/" in suffix:
            return f"{name}.{self.digest}"
        return f"{stem}.{self.digest}.{suffix}"


class Assets:
    """The static folder's files, read once, by name (``css/x.css`` for subfolders)."""

    def __init__(self, folder: Path) -> None:
        self.files: dict[str, Asset] = {}
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                data = path.read_bytes()
                mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                digest = hashlib.sha256(data).hexdigest()[:DIGEST_LENGTH]
                self.files[path.relative_to(folder).as_posix()] = Asset(data, mimetype, digest)

    def url(self, name: str) -> str:
        """The versioned URL of a static file; a name that is not there is a template bug."""
        asset = self.files.get(name)
        if asset is None:
            raise LookupError(f"no static file {name!r} in {sorted(self.files)}")
        return url_for("static", filename=asset.versioned_name(name))

    def response(self, filename: str) -> Response:
        """A static file by its plain or versioned name; 404 for any other."""
        asset = self.files.get(filename)
        cache = REVALIDATE
        if asset is None:
            match = VERSIONED.match(filename)
            if match is None:
                raise NotFound(f"no static file {filename!r}")
            asset = self.files.get(match["stem"] + (match["suffix"] or ""))
            if asset is None:
                raise NotFound(f"no static file {filename!r}")
            if match["digest"] == asset.digest:
                cache = IMMUTABLE
        response = Response(asset.data, mimetype=asset.mimetype)
        response.headers["Cache-Control"] = cache
        response.set_etag(asset.digest)
        return response.make_conditional(request)


def install(app: Flask) -> None:
    """Serve ``static`` from memory under versioned names; compress responses."""
    assert app.static_folder is not None
    assets = Assets(Path(app.static_folder))
    app.extensions["factcheck.assets"] = assets
    app.view_functions["static"] = assets.response
    app.jinja_env.globals["asset_url"] = asset_url
    app.config.update(
        COMPRESS_ALGORITHM=ALGORITHMS,
        COMPRESS_MIMETYPES=COMPRESSED_TYPES,
        COMPRESS_MIN_SIZE=500,  # smaller bodies do not fit fewer packets
        COMPRESS_BR_LEVEL=4,
        COMPRESS_LEVEL=6,
        COMPRESS_STREAMS=False,  # a streamed response stays streamed, as sent
    )
    StrictCompress(app)


class StrictCompress(Compress):
    """Flask-Compress choosing the encoding by Werkzeug's reading of Accept-Encoding.

    Flask-Compress 1.25 may pick an encoding the client refused with ``q=0``
    (``gzip;q=0, br;q=0`` gets brotli), so it is shown only the one encoding that
    Werkzeug's parser finds best among ours, or none.
    """

    def after_request(self, response: Response | None) -> Response:
        environ = request.environ
        given = environ.get("HTTP_ACCEPT_ENCODING")
        environ["HTTP_ACCEPT_ENCODING"] = request.accept_encodings.best_match(ALGORITHMS) or ""
        try:
            return super().after_request(response)
        finally:
            if given is None:
                environ.pop("HTTP_ACCEPT_ENCODING", None)
            else:
                environ["HTTP_ACCEPT_ENCODING"] = given


def asset_url(name: str) -> str:
    assets: Assets = current_app.extensions["factcheck.assets"]
    return assets.url(name)
