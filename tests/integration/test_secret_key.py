"""`factcheck up` and its session key: made once in the data dir and kept across
restarts; the public development key refused beyond loopback."""

from __future__ import annotations

import stat

import pytest
import requests

from factcheck.secret_key import DEVELOPMENT_KEY, KEY_FILE
from tests.service import launch, processes_on, signed_in, start_service

pytestmark = pytest.mark.integration


def test_up_refuses_the_development_key_beyond_loopback(tmp_path):
    service = launch({"FACTCHECK_SECRET_KEY": DEVELOPMENT_KEY}, tmp_path, "--host", "0.0.0.0")
    code = service.process.wait(60)
    service.wait_for_line("Error:")
    assert code == 1
    assert [line for line in service.output if line.strip()] == [service.output[0]]
    assert "FACTCHECK_SECRET_KEY is the public development key" in service.output[0]
    assert processes_on(tmp_path) == []


def test_a_session_outlives_a_restart_on_the_key_kept_in_the_data_dir(tmp_path):
    service = start_service({}, tmp_path)
    try:
        key_file = tmp_path / KEY_FILE
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        ready = requests.get(f"{service.base_url}/readyz", timeout=30).json()
        assert ready["status"] == "ok" and ready["secret_key"] == "ok"
        editor = signed_in(service.base_url, "editor")
        key = key_file.read_text()
    finally:
        service.stop()
    again = start_service({}, tmp_path)
    try:
        assert key_file.read_text() == key
        desk = editor.get(f"{again.base_url}/desk/", timeout=30)
        assert desk.status_code == 200 and "Sign out editor" in desk.text
    finally:
        again.stop()
