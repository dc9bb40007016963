"""Every API operation fuzzed from its own OpenAPI description, in-process.

Schemathesis reads /api/v1/openapi.json from the Flask app and, for each
operation, sends requests built from the declared parameters and bodies: the
boundary values of each schema (coverage phase), then random valid and invalid
ones (fuzzing phase). Every answer must be no 5xx and carry a declared status
code, media type and headers, with a body that matches the declared schema. Both
ways of agreeing with the description are checked too: input it calls invalid is
refused, and input it calls valid is never refused by validation (422 "Validation
failed"; a rule on the data itself answers 422 "Invalid input").

Each operation runs on its own copy of a database that already holds a
published essay, a held one and a task in review, so ids hit real rows, not
only 404s. An admin (who may do everything) runs every phase; the editor who
submitted the essays and the reviewer who rated them run a shorter fuzzing pass.

Schemathesis's lazy `from_fixture` loader does not run on pytest 9.2 (it sets
`Function._nodeid`, which pytest no longer has), so the description is loaded
at import time from an app that only serves it, and each case is sent to the
test's own app.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core import NOT_SET
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from factcheck import migrate
from factcheck.accounts import services as accounts
from factcheck.db import Database, get_database
from factcheck.settings import Settings, get_settings
from factcheck.sources import library
from tests.conftest import SEED_ESSAY, SEEDS, problem_of
from tests.flow import ESSAY, Caller, Reply, approve, caller_for, review_one
from tests.unit.conftest import Queue, auth
from web import create_app

CHECKS: list[Any] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,  # input the description calls invalid is refused
]
SEED = 20240601  # a fixed seed: the same cases every run, so a failure reproduces
# The seed essay's title and first paragraph: six checkable claims, quick to gather.
TINY_ESSAY = {**ESSAY, "text": "\n\n".join(SEED_ESSAY.split("\n\n")[:2])}
# Hypothesis settings shared by both passes; a fixture-built database is shared by
# the examples of one test, which is what we want (state carries over like in use).
FUZZ_SETTINGS: dict[str, Any] = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
}


# An app to read the description from; serving it touches no database.
DESCRIBED = create_app(Settings(database_url="sqlite://", broker_url="memory://"))


def load_schema(**config: Any) -> schemathesis.BaseSchema:
    config = schemathesis.Config.from_dict({"seed": SEED, **config})
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", DESCRIBED, config=config)


EVERY_PHASE = load_schema()
DESCRIPTION = DESCRIBED.test_client().get("/api/v1/openapi.json").json


def _body_is_valid(case: Any) -> bool:
    """Whether the case's JSON body is valid by the description. The coverage phase
    marks some cases positive for their parameters while their body is not (``0`` for
    an object)."""
    declared = case.operation.definition.raw.get("requestBody")
    if declared is None:
        return True
    if case.body is NOT_SET:
        return False
    schema = declared["content"]["application/json"]["schema"]
    validator = jsonschema_rs.validator_for({**schema, "components": DESCRIPTION["components"]})
    return validator.is_valid(case.body)


@schemathesis.check
def schema_valid_input_passes_validation(ctx: Any, response: Any, case: Any) -> None:
    """Input the description calls valid is never refused by validation (422 "Validation
    failed"). A 422 "Invalid input" (a rule on the data, such as a user who does not
    exist or a note a correction needs) is not a schema's to state."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return
    problem = response.json()
    if problem.get("title") == "Validation failed" and _body_is_valid(case):
        raise AssertionError(f"schema-valid input refused by validation: {problem}")


CHECKS.append(schema_valid_input_passes_validation)
FUZZING_ONLY = load_schema(phases={"coverage": {"enabled": False}})
SEEDED_IDS = 30  # the seeded rows have ids up to this (sources excepted: about 70)


@EVERY_PHASE.hook
@FUZZING_ONLY.hook
def flatmap_path_parameters(
    context: Any, path_parameters: dict[str, Any] | None
) -> st.SearchStrategy[dict[str, Any] | None]:
    """Each id as generated, or one of the seeded rows', so operations reach real rows."""
    if not path_parameters:
        return st.just(path_parameters)
    return st.fixed_dictionaries(
        {
            name: (st.just(value) | st.integers(1, SEEDED_IDS))
            if isinstance(value, int)
            else st.just(value)
            for name, value in path_parameters.items()
        }
    )


@dataclass
class Seeded:
    path: Path
    tokens: dict[str, str]  # by role


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """A migrated database with a workflow's worth of rows, built once for the module."""
    folder = tmp_path_factory.mktemp("seeded")
    migrate.upgrade(f"sqlite:///{folder / 'factcheck.sqlite'}")
    with pytest.MonkeyPatch.context() as patch:
        # The environment the `settings` and `queue` fixtures make for one test.
        patch.setenv("FACTCHECK_DATA_DIR", str(folder))
        patch.delenv("FACTCHECK_DATABASE_URL", raising=False)
        patch.delenv("FACTCHECK_BROKER_URL", raising=False)
        patch.setenv("FACTCHECK_CONNECTORS", "library,desk")
        patch.setenv("FACTCHECK_TRIAGE_DEFAULT", "all")
        get_settings.cache_clear()
        queue = Queue()  # the app below sends its jobs here
        tokens = _seed(get_settings(), queue)
        get_database(get_settings().resolved_database_url()).dispose()
    get_settings.cache_clear()
    # One self-contained file (the WAL folded in) for the `settings` fixture to copy.
    template = folder / "template.sqlite"
    with sqlite3.connect(folder / "factcheck.sqlite") as source, sqlite3.connect(template) as copy:
        source.backup(copy)
    yield Seeded(template, tokens)


def _seed(settings: Settings, queue: Queue) -> dict[str, str]:
    """Rows in every state, at low ids: a published essay, a held one, tasks in review."""
    database = Database(settings.resolved_database_url())
    with database.scope() as session:
        library.import_library(session, SEEDS / "library.json")
        roles = {"editor": "editor", "r1": "reviewer", "r2": "reviewer", "admin": "admin"}
        tokens = {
            name: accounts.issue_token(session, accounts.create_user(session, name, role))
            for name, role in roles.items()
        }
    database.engine.dispose()
    call = caller_for(create_app(settings, dispatch=queue.dispatch).test_client())
    editor, r1, r2, admin = tokens["editor"], tokens["r1"], tokens["r2"], tokens["admin"]
    hook = {"url": "https://hooks.example.org/in", "events": ["publication.published"]}
    _expect(call("POST", "/api/v1/webhooks", admin, hook), 201)

    # Essay 1: every checkable claim rated by r1, approved by r2, and published
    # (webhook deliveries wait in the queue, never sent).
    checkable = _submit(call, editor, TINY_ESSAY, queue)
    for _ in range(checkable):
        review_one(call, r1)
    for _ in range(checkable):
        approval = _expect(call("POST", "/api/v1/queue/next", r2), 200)
        _expect(approve(call, approval, r2), 200)
    _expect(call("POST", "/api/v1/essays/1/publish", editor), 201)
    queue.sent.clear()
    # Essay 2: split, held for the editor to confirm.
    _submit(call, editor, {**TINY_ESSAY, "hold_for_review": True}, queue)
    # Essay 3: r2 has rated a claim; r1 holds a review with a draft saved; the admin
    # and r1 hold the next tasks (reviews or r2's approval), the rest wait.
    _submit(call, editor, TINY_ESSAY, queue)
    # r1 leases first: once r2 has rated, r2's approval may rank above the next review
    # (each claim has its own score, so the queue's order follows the claims').
    task = _expect(call("POST", "/api/v1/queue/next", r1), 200)
    draft = {"rating": "true", "rationale": "So far so good."}
    _expect(call("PUT", f"/api/v1/tasks/{task['id']}/draft", r1, draft), 200)
    review_one(call, r2)
    _expect(call("POST", "/api/v1/queue/next", admin), 200)
    _expect(call("POST", "/api/v1/queue/next", r1), 200)
    return {"admin": admin, "editor": editor, "reviewer": r1}


def _submit(call: Caller, token: str, essay: dict[str, Any], queue: Queue) -> int:
    """Submit an essay and run its splitting and gathering; the number of checkable claims."""
    created = _expect(call("POST", "/api/v1/essays", token, essay), 201)
    queue.run_all()
    claims = _expect(call("GET", f"/api/v1/essays/{created['id']}/claims", token), 200)
    return sum(claim["checkable"] for claim in claims)


def _expect(reply: Reply, status: int) -> Any:
    assert reply.status == status, reply.body
    return reply.body


@pytest.fixture
def template_database(seeded: Seeded) -> Path:
    """Each test's database starts as a copy of the seeded one (see tests/conftest.py)."""
    return seeded.path


def uncompressed(token: str) -> dict[str, str]:
    """The token's headers, asking for bodies as they are: schemathesis's WSGI calls send
    a default ``Accept-Encoding: gzip, deflate`` and then read the gzip undecoded.
    Compression has its own tests (test_assets.py)."""
    return {**auth(token), "Accept-Encoding": "identity"}


# Both tests are parametrized by role: on pytest 9.2, schemathesis's items without a
# pytest parameter all get the test's bare id, so xdist would run only one of them.
@EVERY_PHASE.parametrize()
@pytest.mark.parametrize("role", ["admin"])
@settings(max_examples=12, **FUZZ_SETTINGS)
def test_every_operation_as_admin(case, role, client, seeded):
    headers = uncompressed(seeded.tokens[role])
    case.call_and_validate(app=client.application, headers=headers, checks=CHECKS)


@FUZZING_ONLY.parametrize()
@pytest.mark.parametrize("role", ["editor", "reviewer"])
@settings(max_examples=5, **FUZZ_SETTINGS)
def test_every_operation_as_editor_and_reviewer(case, role, client, seeded):
    headers = uncompressed(seeded.tokens[role])
    case.call_and_validate(app=client.application, headers=headers, checks=CHECKS)


# Kept from fuzzing by hand, and on PostgreSQL (the fuzzing above runs on SQLite): inputs
# the generators rarely produce, and ids no SQLite column refuses.


@pytest.mark.parametrize("deadline", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_a_deadline_that_does_not_exist_in_utc_is_422_not_500(client, seeded, deadline):
    essay = {"title": "t", "text": "One claim.", "deadline": deadline}
    response = client.post("/api/v1/essays", json=essay, headers=auth(seeded.tokens["editor"]))
    assert response.status_code == 422
    assert problem_of(response)["errors"][0]["loc"] == ["deadline"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/essays/2147483648"),  # was a 500 on PostgreSQL (integer out of range)
        ("POST", "/api/v1/claims/2147483648/sources"),  # not a 405 for the GET on the path
        ("GET", "/fact-checks/2147483648"),
    ],
)
def test_ids_past_the_id_columns_are_404(client, seeded, method, path):
    response = client.open(path, method=method, json={}, headers=auth(seeded.tokens["admin"]))
    assert response.status_code == 404
    problem_of(response)
