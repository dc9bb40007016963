"""Headers that make browsers enforce what the pages already assume."""

from __future__ import annotations

from flask import Flask, Response, request

from factcheck.settings import Settings

# Scripts only from our own files (no inline script anywhere); inline style
# attributes are allowed for the server-drawn progress bars. JSON-LD blocks are
# data, not script, and need no exception.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
PRIVATE_PREFIXES = ("/desk", "/login", "/api/")


def install(app: Flask, settings: Settings) -> None:
    https = settings.base_url.startswith("https://")

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if https:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.path.startswith(PRIVATE_PREFIXES):
            headers.setdefault("Cache-Control", "no-store")  # nothing private in shared caches
        return response
