"""Behind nginx (compose), the web sees the client's address only if it believes the
proxy's X-Forwarded-For: FACTCHECK_PROXIES says how many proxies to believe."""

from __future__ import annotations

import pytest
from flask import request

from web import create_app

FORWARDED = {"X-Forwarded-For": "198.51.100.1, 203.0.113.7", "X-Forwarded-Proto": "http, https"}


@pytest.mark.parametrize(
    ("proxies", "address", "scheme"),
    [(0, "127.0.0.1", "http"), (1, "203.0.113.7", "https"), (2, "198.51.100.1", "http")],
)
def test_forwarded_headers_are_believed_from_as_many_proxies_as_set(
    settings, database, queue, proxies, address, scheme
):
    app = create_app(settings.model_copy(update={"proxies": proxies}), dispatch=queue.dispatch)
    app.add_url_rule("/seen", "seen", lambda: f"{request.remote_addr} {request.scheme}")
    answer = app.test_client().get("/seen", headers=FORWARDED)
    assert answer.text == f"{address} {scheme}"
