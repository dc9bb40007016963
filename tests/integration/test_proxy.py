"""deploy/nginx.conf, the compose stack's front: nginx reads it, and a request goes
through it to a live `factcheck up`; slow clients are cut off at nginx, not passed on.

nginx comes from Debian's nginx-light (.ci/run installs it); without it these tests
skip on a laptop and fail in CI."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest
import requests

from tests import nginx
from tests.conftest import need_service
from tests.service import Service, free_port, start_service, wait_for
from tests.slowloris import Slowloris

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def nginx_binary() -> str:
    found = nginx.binary()
    if found is None:
        need_service("nginx", "no nginx binary; install Debian's nginx-light")
    return found


def test_nginx_accepts_the_configuration(nginx_binary, tmp_path):
    config = nginx.local_config(tmp_path, free_port(), free_port())
    checked = subprocess.run(
        nginx.command(nginx_binary, config, "-t"), capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


@pytest.fixture(scope="module")
def proxied(
    nginx_binary: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Service, str]]:
    """`factcheck up --demo` and nginx in front of it: the service, and nginx's URL."""
    tmp_path = tmp_path_factory.mktemp("proxied")
    service = start_service({"FACTCHECK_PROXIES": "1"}, tmp_path / "data")
    port = free_port()
    config = nginx.local_config(tmp_path, int(service.base_url.rsplit(":", 1)[1]), port)
    log = (tmp_path / "nginx.log").open("w")
    proxy = subprocess.Popen(nginx.command(nginx_binary, config), stdout=log, stderr=log)
    front = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(front) or proxy.poll() is not None, "nginx answering")
        assert proxy.poll() is None, (tmp_path / "nginx.log").read_text()
        yield service, front
    finally:
        proxy.terminate()
        proxy.wait(30)
        log.close()
        service.stop()


def _answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/healthz", timeout=10).status_code == 200
    except requests.RequestException:
        return False


def test_requests_pass_through_the_proxy(proxied):
    service, front = proxied
    health = requests.get(f"{front}/healthz", timeout=30)
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert health.headers["Server"] == "nginx"  # through it, and no version (server_tokens)
    essay = {"title": "Through the proxy", "text": "The Eiffel Tower is 330 metres tall."}
    sent = requests.post(
        f"{front}/api/v1/essays",
        json=essay,
        headers={"Authorization": f"Bearer {service.tokens['editor']}"},
        timeout=30,
    )
    assert sent.status_code == 201, sent.text
    assert service.call("GET", f"/api/v1/essays/{sent.json()['id']}", service.tokens["editor"])


def test_slow_clients_are_cut_off_at_the_proxy(proxied):
    """client_header_timeout: a header never finished is dropped by nginx, which never
    passed it on; the service behind answers all along."""
    _service, front = proxied
    host, port = front.removeprefix("http://").split(":")
    with Slowloris(host, int(port), count=20) as slow:
        wait_for(lambda: not slow.open, "nginx closing every slow connection", timeout=120)
        assert _answers(front)
