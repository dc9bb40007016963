"""deploy/nginx.conf run here: in front of a local service, on ports of our own.

Two lines differ from the file compose mounts, each found exactly once: the upstream
(``web:8000`` there, a local port here) and the port it listens on (loopback here).
The pid file and the error log go to the test's own directory and stderr."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import ROOT

NGINX_CONF = ROOT / "deploy" / "nginx.conf"
UPSTREAM = "server web:8000;"
LISTEN = "listen 8080;"


def binary() -> str | None:
    """Debian's nginx (package nginx-light) is in /usr/sbin, often not on a user's PATH."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")


def local_config(directory: Path, upstream_port: int, listen_port: int) -> Path:
    """The repository's configuration with the two local lines, written in ``directory``."""
    text = NGINX_CONF.read_text()
    for line in (UPSTREAM, LISTEN):
        assert text.count(line) == 1, f"{NGINX_CONF} should hold {line!r} once"
    text = text.replace(UPSTREAM, f"server 127.0.0.1:{upstream_port};")
    text = text.replace(LISTEN, f"listen 127.0.0.1:{listen_port};")
    path = directory / "nginx.conf"
    path.write_text(text)
    return path


def command(nginx: str, config: Path, *options: str) -> list[str]:
    """nginx on ``config`` in the foreground, its pid file beside the configuration."""
    directory = config.parent
    return [nginx, "-c", str(config), "-p", f"{directory}/", "-e", "stderr",
            "-g", f"pid {directory}/nginx.pid; daemon off;", *options]  # fmt: skip
