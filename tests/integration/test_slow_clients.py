"""200 slow clients (slowloris) against `factcheck up` do not take it down: while
they hold their connections, /healthz and a desk page still answer."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from tests.service import signed_in, start_service
from tests.slowloris import Slowloris

pytestmark = pytest.mark.integration

SLOW_CLIENTS = 200
# Generous: it bounds a failure on a busy machine; the figures are in bench/slow_clients.py.
ANSWER_SECONDS = 10


def test_health_and_desk_answer_while_slow_clients_hold_connections(tmp_path):
    service = start_service({}, tmp_path)
    try:
        editor = signed_in(service.base_url, "editor")
        address = urlsplit(service.base_url)
        with Slowloris(address.hostname, address.port, SLOW_CLIENTS) as slow:
            slow.wait_rounds(2)  # every connection has been taken and is being held
            for _ in range(3):
                health = requests.get(f"{service.base_url}/healthz", timeout=ANSWER_SECONDS)
                assert health.status_code == 200 and health.json()["status"] == "ok"
                desk = editor.get(f"{service.base_url}/desk/", timeout=ANSWER_SECONDS)
                assert desk.status_code == 200 and "/desk/" in desk.url
                assert "Sign out editor" in desk.text
            # The server kept them all: the test measured what it means to.
            assert len(slow.open) == SLOW_CLIENTS
    finally:
        service.stop()
