"""compose.yaml runs what exists: every command names a real entry point, and
every Celery queue has a consumer."""

from __future__ import annotations

import importlib
import shlex
import subprocess
import sys
from pathlib import Path

import yaml
from click.testing import CliRunner

from factcheck.cli import main
from workers.app import Queues, celery_app

COMPOSE = yaml.safe_load((Path(__file__).resolve().parents[2] / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
OURS = {name: spec for name, spec in SERVICES.items() if "image" not in spec or "build" in spec}


def command(spec: dict) -> list[str]:
    value = spec["command"]
    return shlex.split(value) if isinstance(value, str) else list(value)


def test_the_stack_has_what_production_needs():
    assert {"postgres", "redis", "migrate", "web", "worker", "worker-net", "beat", "flower"} <= set(
        SERVICES
    )
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
