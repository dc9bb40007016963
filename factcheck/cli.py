"""The ``factcheck`` command: run the service, manage the schema, users and library."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any, NoReturn, TextIO

import click
from pydantic import ValidationError
from sqlalchemy.orm import Session

from factcheck import migrate, preflight
from factcheck.accounts import services as accounts
from factcheck.accounts.models import User
from factcheck.claims import ExtractedClaim
from factcheck.claims import split as split_claims
from factcheck.claims.services import details_of
from factcheck.db import get_database, utcnow
from factcheck.errors import DomainError
from factcheck.settings import Settings, get_settings
from factcheck.sources import library
from factcheck.supervisor import ChildExited, Children, Stop, StopSignals

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"factcheck {version('factcheck')}")
        ctx.exit()


class _Versioned:
    """Gives a command a --version option: click's version_option covers only the
    group it decorates, and an operator may ask any subcommand."""

    params: list[click.Parameter]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(
            click.Option(
                ["--version"],
                is_flag=True,
                expose_value=False,
                is_eager=True,
                callback=_show_version,
                help="Show the version and exit.",
            )
        )


class Command(_Versioned, click.Command):
    pass


class Group(_Versioned, click.Group):
    command_class = Command
    group_class = type  # subgroups are of this class too


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """factcheck: essays in, reviewed and published fact-checks out."""


# --- database ----------------------------------------------------------------------


@main.group()
def db() -> None:
    """Schema migrations."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration up to the newest."""
    upgrade_database(get_settings())
    click.echo("database at head")


@db.command("check")
def db_check() -> None:
    """Fail if the models and the migrated schema differ."""
    migrate.check(get_settings().resolved_database_url())


def upgrade_database(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.resolved_database_url())


# --- users and library ---------------------------------------------------------------


@main.group()
def users() -> None:
    """Accounts and API tokens."""


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["editor", "reviewer", "admin"]))
@click.option("--display-name", default="")
@click.option(
    "--password-stdin", is_flag=True, help="Read a password for signing in to the pages from stdin."
)
def users_add(name: str, role: str, display_name: str, password_stdin: bool) -> None:
    """Create a user; the new API token is the last line printed."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    try:
        with _session() as session:
            user = accounts.create_user(session, name, role, display_name)
            if password is not None:
                accounts.set_password(session, user, password)
            token = accounts.issue_token(session, user, token_expiry(get_settings().token_days))
    except DomainError as error:
        raise click.ClickException(error.detail) from None
    click.echo(f"created {role} {name}")
    click.echo(token)


@users.command("list")
def users_list() -> None:
    """Every user: name, role, whether disabled, and how many tokens still work."""
    with _session() as session:
        for user, tokens in accounts.list_users(session):
            state = "disabled" if user.disabled_at else "active"
            click.echo(f"{user.name}\t{user.role}\t{state}\t{tokens} tokens")


@users.command("token")
@click.argument("name")
@click.option("--days", type=click.IntRange(1, 3650), help="Days until it expires.")
def users_token(name: str, days: int | None) -> None:
    """Make a new API token for NAME; it is the last line printed, and shown only once."""
    days = days or get_settings().token_days
    with _user_action(name) as (session, user):
        token = accounts.issue_token(session, user, token_expiry(days))
    click.echo(f"expires in {days} days")
    click.echo(token)


@users.command("disable")
@click.argument("name")
def users_disable(name: str) -> None:
    """Stop NAME from signing in or using any token."""
    with _user_action(name) as (session, user):
        accounts.set_disabled(session, user, True)
    click.echo(f"disabled {name}")


@users.command("enable")
@click.argument("name")
def users_enable(name: str) -> None:
    """Let a disabled NAME sign in and use their tokens again."""
    with _user_action(name) as (session, user):
        accounts.set_disabled(session, user, False)
    click.echo(f"enabled {name}")


@users.command("revoke")
@click.argument("name")
def users_revoke(name: str) -> None:
    """Revoke every token of NAME (they can make a new one with `users token`)."""
    with _user_action(name) as (session, user):
        count = accounts.revoke_tokens(session, user)
    click.echo(f"revoked {count} tokens of {name}")


@contextmanager
def _user_action(name: str) -> Iterator[tuple[Session, User]]:
    try:
        with _session() as session:
            yield session, accounts.get_user(session, name)
    except DomainError as error:
        raise click.ClickException(error.detail) from None


def token_expiry(days: int) -> datetime:
    return utcnow() + timedelta(days=days)


@main.group("library")
def library_group() -> None:
    """The reference library."""


@library_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def library_import(path: Path) -> None:
    """Add or update library records from a JSON file (see seeds/library.json)."""
    with _session() as session:
        added, updated = library.import_library(session, path)
    click.echo(f"library: {added} added, {updated} updated")


@main.command("split")
@click.argument("path", type=click.File("r", encoding="utf-8"))
@click.option(
    "--published-at",
    type=click.DateTime(["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="When the text was published: relative dates are read against it.",
)
def split_command(path: TextIO, published_at: datetime | None) -> None:
    """Print the claims of the text in PATH (- reads standard input) as JSON lines,
    with the fields the API gives a claim, without running the service."""
    day = published_at.date() if published_at else None
    for claim in split_claims(path.read(), day):
        click.echo(json.dumps(claim_fields(claim), ensure_ascii=False))


def claim_fields(claim: ExtractedClaim) -> dict[str, Any]:
    """A claim as the API gives it, but for what exists only once it is stored."""
    return {
        "text": claim.text,
        "start": claim.start,
        "end": claim.end,
        "kind": claim.kind,
        "checkworthiness": claim.checkworthiness,
        "checkable": claim.checkable,
        **details_of(claim),
    }


def _session():  # type: ignore[no-untyped-def]
    return get_database(get_settings().resolved_database_url()).scope()


# --- running it ---------------------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--demo", is_flag=True, help="Load the demo library and accounts from seeds/.")
@click.option("--workers", "web_workers", default=2, show_default=True, help="Web processes.")
def up(host: str, port: int, demo: bool, web_workers: int) -> None:
    """Start the web app, a worker and beat; Ctrl-C or SIGTERM stops them all."""
    # First of all, so that a signal at any later moment (even in the migrations)
    # ends in the one `except Stop` below.
    signals = StopSignals()
    signals.install()
    children = Children(signals)
    try:
        run_service(children, host, port, demo, web_workers)
    except Stop:
        pass
    except ChildExited as exited:
        raise click.ClickException(f"{exited}; stopped the others") from None
    finally:
        signals.stopping()
        children.stop()
        signals.restore()
    click.echo("factcheck stopped")


def run_service(children: Children, host: str, port: int, demo: bool, web_workers: int) -> None:
    """Check, migrate, load the demo, start the children, then watch them until one
    exits (``ChildExited``) or a signal comes (``Stop``)."""
    settings = _checked_settings()
    problems = preflight.problems(settings, host, port)
    if problems:
        fail(problems)
    base_url = f"http://{host}:{port}"
    click.echo("migrating the database")
    upgrade_database(settings)
    if demo:
        click.echo("loading the demo library and accounts")
    tokens = load_demo(settings) if demo else []
    click.echo("starting web, worker and beat")
    env = {
        **os.environ,
        "FACTCHECK_DATA_DIR": str(settings.data_dir.resolve()),
        "PROMETHEUS_MULTIPROC_DIR": str(fresh_metrics_dir(settings)),
    }
    env.setdefault("FACTCHECK_BASE_URL", base_url)
    for name, command in child_commands(settings, host, port, web_workers).items():
        children.start(name, command, env)
    click.echo(f"factcheck is up at {base_url}/  (data in {settings.data_dir.resolve()})")
    print_demo(tokens, base_url)
    click.echo("Ctrl-C stops it.")
    sys.stdout.flush()
    children.watch()


def fail(problems: list[str]) -> NoReturn:
    """Each problem on its own line, as click prints one, and exit status 1."""
    for problem in problems:
        click.echo(f"Error: {problem}", err=True)
    raise SystemExit(1)


def _checked_settings() -> Settings:
    try:
        return get_settings()
    except ValidationError as error:
        first = error.errors()[0]
        name = "FACTCHECK_" + "_".join(str(part) for part in first["loc"]).upper()
        fail([f"{name}: {first['msg']}"])


def print_demo(tokens: list[DemoToken], base_url: str) -> None:
    """The tokens, and one line to paste into a shell for the README's walk."""
    for token in tokens:
        click.echo(f"  token for {token.name} ({token.role}): {token.token}")
    if not tokens:
        return
    click.echo("  demo accounts sign in at /login with the password factcheck-demo")
    by_name = {token.name: token.token for token in tokens}
    variables = {short: by_name[name] for name, short in WALK_VARIABLES.items() if name in by_name}
    variables["API"] = f"{base_url}/api/v1"
    assignments = " ".join(f"{name}={shlex.quote(value)}" for name, value in variables.items())
    click.echo(f"export {assignments}  # for the README's walk through the API")


# The shell variables the README's walk through the API uses for the demo accounts.
WALK_VARIABLES = {"editor": "E", "reviewer1": "R1", "reviewer2": "R2"}


def fresh_metrics_dir(settings: Settings) -> Path:
    """Where every process of this run writes its metrics; emptied at each start."""
    directory = settings.data_dir.resolve() / "metrics"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return directory


@dataclass(frozen=True)
class DemoToken:
    name: str
    role: str
    token: str


def load_demo(settings: Settings) -> list[DemoToken]:
    """Import the demo library, create missing demo accounts; return fresh tokens."""
    tokens = []
    with get_database(settings.resolved_database_url()).scope() as session:
        library.import_library(session, SEEDS / "library.json")
        for account in json.loads((SEEDS / "accounts.json").read_text()):
            user = accounts.user_by_name(session, account["name"])
            if user is None:
                user = accounts.create_user(
                    session, account["name"], account["role"], account["display_name"]
                )
                accounts.set_password(session, user, account["password"])
            expiry = token_expiry(settings.token_days)
            token = accounts.issue_token(session, user, expiry)
            tokens.append(DemoToken(user.name, user.role, token))
    return tokens


def web_command(host: str, port: int, web_workers: int) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "web.wsgi:app", "--bind", f"{host}:{port}",
            "--workers", str(web_workers),
            # Within the grace `up` gives its children before SIGKILL.
            "--graceful-timeout", "5"]  # fmt: skip


def worker_command(name: str = "worker", concurrency: int = 2) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "workers.app", "worker",
            "--queues", "default,gather", "--concurrency", str(concurrency),
            "--loglevel", "INFO", "--hostname", f"{name}@%h"]  # fmt: skip


def beat_command(data_dir: Path) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "workers.app", "beat", "--loglevel", "INFO",
            "--schedule", str(data_dir / "beat-schedule")]  # fmt: skip


def child_commands(
    settings: Settings, host: str, port: int, web_workers: int
) -> dict[str, list[str]]:
    return {
        "web": web_command(host, port, web_workers),
        "worker": worker_command(),
        "beat": beat_command(settings.data_dir.resolve()),
    }
