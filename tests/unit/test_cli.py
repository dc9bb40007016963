from __future__ import annotations

import json
import socket
import sqlite3
from collections.abc import Iterator
from importlib.metadata import version

import click
import pytest
from click.testing import CliRunner

from factcheck.accounts import services as accounts
from factcheck.cli import main
from factcheck.settings import get_settings
from factcheck.supervisor import Children
from tests.conftest import SEED_ESSAY, SEEDS
from tests.unit.conftest import auth


def test_users_add_prints_a_working_token_last(settings, database):
    result = CliRunner().invoke(main, ["users", "add", "alice", "--role", "editor"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    with database.scope() as session:
        user = accounts.user_for_token(session, token)
        assert user is not None and (user.name, user.role) == ("alice", "editor")
    again = CliRunner().invoke(main, ["users", "add", "alice", "--role", "editor"])
    assert again.exit_code == 1 and "exists already" in again.output


def test_library_import_is_idempotent(settings, database):
    first = CliRunner().invoke(main, ["library", "import", str(SEEDS / "library.json")])
    assert first.exit_code == 0 and "30 added, 0 updated" in first.output
    second = CliRunner().invoke(main, ["library", "import", str(SEEDS / "library.json")])
    assert "0 added, 0 updated" in second.output


def test_split_prints_claims_as_json_lines(tmp_path):
    essay = tmp_path / "essay.txt"
    essay.write_text(SEED_ESSAY)
    result = CliRunner().invoke(main, ["split", str(essay)])
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert len(lines) > 20
    spans = [SEED_ESSAY[claim["start"] : claim["end"]] for claim in lines]
    # The text is the claim's standalone wording; most are the essay's words as they are.
    assert sum(claim["text"] == span for claim, span in zip(lines, spans, strict=True)) > 20
    assert "which is run by one of Moqtada al-Sadr's followers." in spans
    assert "The Ministry of Health is run by one of Moqtada al-Sadr's followers." in [
        claim["text"] for claim in lines
    ]


def test_split_gives_the_claim_fields_of_the_api(client, token, queue):
    """The fields an API claim has before it is stored (no id, status or version)."""
    editor = auth(token("ed", "editor"))
    essay = {"title": "t", "text": SEED_ESSAY, "published_at": "2006-11-27"}
    essay_id = client.post("/api/v1/essays", json=essay, headers=editor).json["id"]
    queue.run_all()
    stored = client.get(f"/api/v1/essays/{essay_id}/claims", headers=editor).json
    split = CliRunner().invoke(main, ["split", "--published-at", "2006-11-27", "-"], SEED_ESSAY)
    printed = [json.loads(line) for line in split.output.splitlines()]
    assert any(claim["dates"] for claim in printed)  # the date made a difference
    assert printed == [{name: claim[name] for name in printed[0]} for claim in stored]
    stored_only = {"id", "essay_id", "status", "version", "triage"}
    assert printed[0].keys() == stored[0].keys() - stored_only


def test_split_reads_standard_input_and_says_so():
    result = CliRunner().invoke(main, ["split", "-"], "Saddam Hussein ruled Iraq for 24 years.")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["entities"] == ["Saddam Hussein", "Iraq"]
    assert "- reads standard input" in CliRunner().invoke(main, ["split", "-h"]).output


def test_db_upgrade_and_check(settings):
    assert CliRunner().invoke(main, ["db", "upgrade"]).exit_code == 0
    assert CliRunner().invoke(main, ["db", "check"]).exit_code == 0


def test_users_add_can_set_a_password(settings, database):
    result = CliRunner().invoke(
        main,
        ["users", "add", "bob", "--role", "reviewer", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    with database.scope() as session:
        assert accounts.check_password(session, "bob", "a long enough password") is not None
        assert accounts.check_password(session, "bob", "wrong password here") is None
    short = CliRunner().invoke(
        main, ["users", "add", "eve", "--role", "reviewer", "--password-stdin"], input="short\n"
    )
    assert short.exit_code == 1 and "at least" in short.output


def test_users_list_disable_revoke_and_token(settings, database):
    runner = CliRunner()
    first = runner.invoke(main, ["users", "add", "carol", "--role", "editor"]).output.splitlines()[
        -1
    ]
    listed = runner.invoke(main, ["users", "list"]).output
    assert "carol\teditor\tactive\t1 tokens" in listed
    assert (
        runner.invoke(main, ["users", "revoke", "carol"]).output.strip()
        == "revoked 1 tokens of carol"
    )
    with database.scope() as session:
        assert accounts.user_for_token(session, first) is None
    made = runner.invoke(main, ["users", "token", "carol", "--days", "7"])
    second = made.output.splitlines()[-1]
    assert "expires in 7 days" in made.output
    with database.scope() as session:
        assert accounts.user_for_token(session, second).name == "carol"
    assert runner.invoke(main, ["users", "disable", "carol"]).exit_code == 0
    with database.scope() as session:
        assert accounts.user_for_token(session, second) is None
    assert "carol\teditor\tdisabled" in runner.invoke(main, ["users", "list"]).output
    runner.invoke(main, ["users", "enable", "carol"])
    with database.scope() as session:
        assert accounts.user_for_token(session, second) is not None
    unknown = runner.invoke(main, ["users", "disable", "nobody"])
    assert unknown.exit_code == 1 and "no user named" in unknown.output


def test_tokens_expire(settings, database):
    from datetime import timedelta

    from factcheck.db import utcnow

    with database.scope() as session:
        user = accounts.create_user(session, "dan", "reviewer")
        old = accounts.issue_token(session, user, utcnow() - timedelta(seconds=1))
        fresh = accounts.issue_token(session, user, utcnow() + timedelta(days=1))
    with database.scope() as session:
        assert accounts.user_for_token(session, old) is None
        assert accounts.user_for_token(session, fresh) is not None


def test_user_names_with_control_characters_are_refused(database):
    from factcheck.errors import InvalidInput

    with database.scope() as session:
        for name in ("ed\x00", "ed\x1b[31m", "   "):
            with pytest.raises(InvalidInput):
                accounts.create_user(session, name, "editor")
        assert accounts.create_user(session, "ed", "editor").name == "ed"


def command_paths(group: click.Group = main, path: tuple[str, ...] = ()) -> Iterator[list[str]]:
    """Every group and command under ``group``, as the words that name it."""
    yield list(path)
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from command_paths(command, (*path, name))
        else:
            yield [*path, name]


@pytest.mark.parametrize("path", list(command_paths()), ids=" ".join)
@pytest.mark.parametrize("option", ["-h", "--help"])
def test_every_command_has_help(path, option):
    result = CliRunner().invoke(main, [*path, option])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: main {' '.join(path)}".rstrip())


@pytest.mark.parametrize("path", list(command_paths()), ids=" ".join)
def test_every_command_has_version(path):
    result = CliRunner().invoke(main, [*path, "--version"])
    assert result.exit_code == 0, result.output
    assert result.output == f"factcheck {version('factcheck')}\n"


@pytest.fixture
def no_children(monkeypatch):
    """`up` must fail before it starts anything."""

    def refuse(*_args):
        raise AssertionError("a child was started")

    monkeypatch.setattr(Children, "start", refuse)


def assert_one_error_line(result, expected: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [result.output.strip()], result.output
    assert result.output.startswith("Error: ") and expected in result.output, result.output
    assert "Traceback" not in result.output


def test_up_refuses_a_port_in_use(settings, no_children):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = CliRunner().invoke(main, ["up", "--port", str(port)])
    assert_one_error_line(result, f"port {port} on 127.0.0.1 is in use")
    assert "pass --port" in result.output


def test_up_refuses_the_development_key_beyond_loopback(settings, no_children, monkeypatch):
    monkeypatch.setenv("FACTCHECK_SECRET_KEY", "dev-only-secret-change-me")
    get_settings.cache_clear()
    result = CliRunner().invoke(main, ["up", "--host", "0.0.0.0", "--port", str(free_port())])
    assert_one_error_line(result, "FACTCHECK_SECRET_KEY is the public development key")


@pytest.mark.parametrize(
    ("setting", "url", "expected"),
    [
        ("DATABASE", "not a url", "FACTCHECK_DATABASE_URL is not a URL"),
        ("DATABASE", "nosuchdriver://db.example/factcheck", "no driver for the database URL"),
        ("DATABASE", "sqlite:////nonexistent/dir/db.sqlite", "the database at sqlite:////nonexist"),
        ("DATABASE", "postgresql+psycopg://u:secret@127.0.0.1:1/db", "the database at postgresql"),
        ("BROKER", "redis://:secret@127.0.0.1:1/0", "the broker at redis://:**@127.0.0.1:1/0 does"),
        ("BROKER", "nosuchtransport://broker.example", "No such transport"),
    ],
)
def test_up_refuses_a_database_or_broker_that_does_not_answer(
    settings, no_children, monkeypatch, setting, url, expected
):
    monkeypatch.setenv(f"FACTCHECK_{setting}_URL", url)
    get_settings.cache_clear()
    result = CliRunner().invoke(main, ["up", "--port", str(free_port())])
    assert_one_error_line(result, expected)
    assert f"FACTCHECK_{setting}_URL" in result.output
    assert "secret" not in result.output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_db_check_says_in_one_line_what_differs(settings):
    with sqlite3.connect(settings.data_dir / "factcheck.sqlite") as connection:
        connection.execute("ALTER TABLE users ADD COLUMN extra TEXT")
    result = CliRunner().invoke(main, ["db", "check"])
    assert_one_error_line(result, "the schema differs from the models")
    assert "'extra'" in result.output


@pytest.mark.parametrize(
    ("database", "expected"),
    [
        ("empty.sqlite", "Target database is not up to date; run `factcheck db upgrade`"),
        ("no/such/dir/db.sqlite", "does not answer (unable to open database file)"),
    ],
)
def test_db_check_on_a_database_not_migrated_or_not_there(
    settings, monkeypatch, database, expected
):
    monkeypatch.setenv("FACTCHECK_DATABASE_URL", f"sqlite:///{settings.data_dir / database}")
    get_settings.cache_clear()
    assert_one_error_line(CliRunner().invoke(main, ["db", "check"]), expected)
