"""The session key: a random one kept in the data dir unless set; the public
development key is refused beyond loopback and reported by /readyz."""

from __future__ import annotations

import stat

import pytest

from factcheck import preflight, secret_key
from factcheck.secret_key import DEVELOPMENT_KEY, KEY_FILE
from web import create_app


def test_the_default_key_is_made_once_private_and_kept(settings):
    path = settings.data_dir / KEY_FILE
    assert not path.exists()
    first = secret_key.secret_key(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 64 and first != DEVELOPMENT_KEY
    assert secret_key.secret_key(settings) == first
    assert [p.name for p in settings.data_dir.iterdir() if KEY_FILE in p.name] == [KEY_FILE]


def test_two_installs_get_different_keys(settings, tmp_path):
    other = settings.model_copy(update={"data_dir": tmp_path / "other"})
    assert secret_key.secret_key(other) != secret_key.secret_key(settings)


def test_a_key_already_there_wins_over_a_new_one(settings):
    (settings.data_dir / KEY_FILE).write_text("kept-from-an-earlier-start\n")
    assert secret_key.secret_key(settings) == "kept-from-an-earlier-start"


def test_the_setting_wins_and_no_file_is_made(settings):
    chosen = settings.model_copy(update={"secret_key": "an operator's own key"})
    assert secret_key.secret_key(chosen) == "an operator's own key"
    assert not (settings.data_dir / KEY_FILE).exists()


def test_the_app_signs_with_the_kept_key_across_restarts(settings, queue):
    first = create_app(settings, dispatch=queue.dispatch)
    again = create_app(settings, dispatch=queue.dispatch)
    kept = (settings.data_dir / KEY_FILE).read_text().strip()
    assert first.secret_key == again.secret_key == kept


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_the_development_key_is_allowed_on_loopback(settings, host):
    development = settings.model_copy(update={"secret_key": DEVELOPMENT_KEY})
    assert preflight.secret_key_problem(development, host) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "no-such-host.invalid"])
def test_the_development_key_is_refused_beyond_loopback(settings, host):
    development = settings.model_copy(update={"secret_key": DEVELOPMENT_KEY})
    problem = preflight.secret_key_problem(development, host)
    assert problem and "development key" in problem and "FACTCHECK_SECRET_KEY" in problem
    assert preflight.secret_key_problem(settings, host) is None  # the kept key is secret


def test_an_empty_key_file_is_a_problem_not_an_empty_key(settings):
    (settings.data_dir / KEY_FILE).write_text("\n")
    problem = preflight.secret_key_problem(settings, "127.0.0.1")
    assert problem and "secret key file" in problem and "is empty" in problem


def test_readyz_reports_the_key(client):
    assert client.get("/readyz").json["secret_key"] == "ok"


def test_readyz_is_503_with_the_development_key(settings, database, queue):
    development = settings.model_copy(update={"secret_key": DEVELOPMENT_KEY})
    response = create_app(development, dispatch=queue.dispatch).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["secret_key"] == "development key"
