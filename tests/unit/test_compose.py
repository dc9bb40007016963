"""compose.yaml runs what exists: every command names a real entry point, every
Celery queue has a consumer, and all traffic from the network goes through the proxy."""

from __future__ import annotations

import importlib
import ipaddress
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml
from click.testing import CliRunner

from factcheck.cli import main
from workers.app import Queues, celery_app

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
OURS = {name: spec for name, spec in SERVICES.items() if "image" not in spec or "build" in spec}


def command(spec: dict) -> list[str]:
    value = spec["command"]
    return shlex.split(value) if isinstance(value, str) else list(value)


def test_the_stack_has_what_production_needs():
    assert {
        *("proxy", "web", "worker", "worker-net", "beat", "flower"),
        *("postgres", "redis", "migrate"),
    } <= set(SERVICES)
    assert SERVICES["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "healthcheck" in SERVICES["web"] and "healthcheck" in SERVICES["postgres"]
    assert "postgres-data" in COMPOSE["volumes"]


def test_every_command_names_a_real_entry_point(settings):
    for name, spec in OURS.items():
        argv = command(spec)
        if argv[0] == "factcheck":
            result = CliRunner().invoke(main, [*argv[1:], "--help"])
            assert result.exit_code == 0, (name, result.output)
        elif argv[0] == "gunicorn":
            module, attribute = argv[1].split(":")
            # In a process of its own: importing the WSGI module builds the app and
            # configures logging, as gunicorn's worker does.
            loaded = python(f"import {module}; assert callable({module}.{attribute})")
            assert loaded.returncode == 0, (name, loaded.stderr)
        elif argv[0] == "celery":
            assert argv[1] == "-A" and importlib.import_module(argv[2]).celery_app is celery_app
            assert argv[3] in {"worker", "beat", "flower"}, name
        else:
            raise AssertionError(f"{name}: unknown entry point {argv[0]}")


def python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_the_web_process_keeps_its_app_out_of_the_collectors_sight(settings):
    # A full collection that scanned the app's objects paused requests for ~90 ms.
    frozen = python("import gc, web.wsgi; print(gc.get_freeze_count())")
    assert frozen.returncode == 0, frozen.stderr
    assert int(frozen.stdout) > 10_000


def test_every_queue_has_a_consumer_and_one_beat_runs():
    consumed: set[str] = set()
    beats = 0
    for spec in OURS.values():
        argv = command(spec)
        if argv[:1] == ["celery"] and argv[3] == "worker":
            consumed |= set(argv[argv.index("--queues") + 1].split(","))
        beats += argv[:1] == ["celery"] and argv[3] == "beat"
    assert set(Queues.ALL) <= consumed
    assert beats == 1
    routed = {route["queue"] for route in celery_app.conf.task_routes.values()}
    assert routed <= set(Queues.ALL)


def test_the_image_has_the_data_dir_beat_writes_its_schedule_to():
    common = COMPOSE["x-factcheck"]
    data_dir = common["environment"]["FACTCHECK_DATA_DIR"]
    beat = command(COMPOSE["services"]["beat"])
    schedule = beat[beat.index("--schedule") + 1]
    assert schedule.startswith(data_dir + "/")
    assert f"mkdir -p {data_dir}" in common["build"]["dockerfile_inline"]


def published(spec: dict) -> list[tuple[str, str]]:
    """(host address, host port) of each port a service publishes; "" for every address."""
    found = []
    for port in spec.get("ports", []):
        if isinstance(port, dict):  # the long syntax
            found.append((str(port.get("host_ip", "")), str(port.get("published", ""))))
            continue
        # [ADDRESS:]HOST:CONTAINER[/PROTOCOL], or CONTAINER alone (a random host port)
        parts = str(port).split("/")[0].rsplit(":", 2)
        address = parts[0].strip("[]") if len(parts) == 3 else ""
        found.append((address, parts[-2] if len(parts) > 1 else ""))
    return found


def test_reading_published_ports():
    spec = {"ports": ["8000:8080", "127.0.0.1:5555:5555", "[::1]:9:9", "7", {"host_ip": "0.0.0.0"}]}
    assert published(spec) == [
        ("", "8000"), ("127.0.0.1", "5555"), ("::1", "9"), ("", ""), ("0.0.0.0", "")
    ]  # fmt: skip


def test_only_the_proxy_faces_the_network():
    assert published(SERVICES["proxy"]), "the proxy publishes the service"
    for name, spec in SERVICES.items():
        assert spec.get("network_mode") != "host", name
        if name == "proxy":
            continue
        for address, port in published(spec):
            assert address and ipaddress.ip_address(address).is_loopback, (name, port)


def test_the_proxy_runs_the_repositorys_nginx_configuration_in_front_of_the_web():
    proxy = SERVICES["proxy"]
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in proxy["volumes"]
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    upstream = re.search(r"upstream \w+ \{\s*server ([\w.-]+):(\d+);", NGINX)
    assert upstream and upstream.group(1) == "web", NGINX
    bind = command(SERVICES["web"])
    assert bind[bind.index("--bind") + 1].endswith(f":{upstream.group(2)}")
    listen = re.search(r"listen (\d+);", NGINX)
    assert listen and any(port.endswith(f":{listen.group(1)}") for port in proxy["ports"])
    # The web believes the address nginx forwards, from this one proxy only.
    assert COMPOSE["x-factcheck"]["environment"]["FACTCHECK_PROXIES"] == "1"


NGINX = (ROOT / "deploy" / "nginx.conf").read_text()


def test_the_proxy_limits_slow_clients_and_buffers_both_ways():
    directives = dict(re.findall(r"^\s*(\w+) ([^;]+);", NGINX, re.MULTILINE))
    for timeout in ("client_header_timeout", "client_body_timeout", "send_timeout"):
        assert re.fullmatch(r"\d+s", directives[timeout]), timeout
        assert int(directives[timeout][:-1]) <= 30, timeout
    assert directives["proxy_request_buffering"] == "on"
    assert directives["proxy_buffering"] == "on"
    assert {"Host", "X-Forwarded-For", "X-Forwarded-Proto"} <= set(
        re.findall(r"proxy_set_header ([\w-]+) ", NGINX)
    )
