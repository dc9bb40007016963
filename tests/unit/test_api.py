"""The JSON API on the embedded database, tasks run one by one after each commit."""

from __future__ import annotations

import re

import pytest

from factcheck import jobs
from factcheck.accounts import services as accounts
from tests.conftest import problem_of
from tests.flow import ESSAY, SHORT_ESSAY, caller_for, full_flow
from tests.unit.conftest import auth
from web import create_app


def test_full_flow_from_submit_to_published_page(client, token, queue):
    tokens = {
        name: token(name, role)
        for name, role in [
            ("editor", "editor"),
            ("reviewer1", "reviewer"),
            ("reviewer2", "reviewer"),
        ]
    }

    def wait_until_gathered(essay_id: int) -> dict:
        assert queue.sent == [("split_essay", (essay_id,))]
        queue.run_all()
        return client.get(f"/api/v1/essays/{essay_id}", headers=auth(tokens["editor"])).json

    full_flow(caller_for(client), tokens, wait_until_gathered)


def test_tokens_and_roles(client, token):
    editor, reviewer = token("ed", "editor"), token("rev", "reviewer")
    missing = client.post("/api/v1/essays", json=ESSAY)
    assert missing.status_code == 401 and "Bearer" in missing.headers["WWW-Authenticate"]
    problem_of(missing)
    assert client.post("/api/v1/essays", json=ESSAY, headers=auth("fct_nope")).status_code == 401
    assert (
        client.post("/api/v1/essays", json=ESSAY, headers={"Authorization": editor}).status_code
        == 401
    )
    forbidden = client.post("/api/v1/essays", json=ESSAY, headers=auth(reviewer))
    assert forbidden.status_code == 403
    problem_of(forbidden)
    assert client.post("/api/v1/queue/next", headers=auth(editor)).status_code == 403
    assert client.get("/api/v1/ratings").status_code == 200


def test_admin_may_do_what_editors_do(client, token):
    assert (
        client.post("/api/v1/essays", json=ESSAY, headers=auth(token("root", "admin"))).status_code
        == 201
    )


def test_revoked_or_disabled_token_is_refused(client, token, database):
    from factcheck.accounts.models import ApiToken, User
    from factcheck.db import utcnow

    editor = token("ed", "editor")
    assert client.get("/api/v1/essays/1", headers=auth(editor)).status_code == 404
    with database.scope() as session:
        session.query(User).filter_by(name="ed").update({"disabled_at": utcnow()})
    assert client.get("/api/v1/essays/1", headers=auth(editor)).status_code == 401
    other = token("ed2", "editor")
    with database.scope() as session:
        session.query(ApiToken).filter(ApiToken.token_hash == accounts.hash_token(other)).update(
            {"revoked_at": utcnow()}
        )
    assert client.get("/api/v1/essays/1", headers=auth(other)).status_code == 401


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"title": "t"}, 422, "text"),
        ({"title": "", "text": "x"}, 422, "title"),
        ({"title": "t", "text": "x", "url": "javascript:alert(1)"}, 422, "url"),
        ({"title": "t", "text": "x", "url": "https://user:pw@example.org/"}, 422, "url"),
        ({"title": "t", "text": "x", "url": "https://exa mple.org/"}, 422, "url"),
        ({"title": "t", "text": "x", "url": "http://"}, 422, "url"),
        ({"title": "t", "text": "x", "published_at": "yesterday"}, 422, "published_at"),
        ({"title": "t", "text": "x", "surprise": 1}, 422, "surprise"),
        ({"title": "t", "text": "nul \u0000 inside"}, 422, "text"),
        ([1, 2], 422, None),
    ],
)
def test_invalid_essays_are_refused_with_the_field_named(client, token, body, status, field):
    response = client.post("/api/v1/essays", json=body, headers=auth(token("ed", "editor")))
    assert response.status_code == status
    problem = problem_of(response)
    if field:
        assert field in [part for error in problem["errors"] for part in error["loc"]]


def test_malformed_or_wrong_type_bodies(client, token):
    headers = auth(token("ed", "editor"))
    bad_json = client.post(
        "/api/v1/essays", data="{not json", headers={**headers, "Content-Type": "application/json"}
    )
    assert bad_json.status_code == 400
    problem_of(bad_json)
    form = client.post("/api/v1/essays", data={"title": "t"}, headers=headers)
    assert form.status_code == 415
    problem_of(form)


def test_too_large_essay_is_413_and_stores_nothing(client, token, settings, queue):
    headers = auth(token("ed", "editor"))
    text = "Word. " * (settings.max_essay_chars // 6 + 10)
    response = client.post("/api/v1/essays", json={"title": "Long", "text": text}, headers=headers)
    assert response.status_code == 413
    problem_of(response)
    huge = client.post(
        "/api/v1/essays",
        data=b"x" * (settings.max_body_bytes + 1),
        headers={**headers, "Content-Type": "application/json"},
    )
    assert huge.status_code == 413
    assert queue.sent == []
    assert client.get("/api/v1/essays/1", headers=headers).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/essays/999",
        "/api/v1/essays/999/claims",
        "/api/v1/claims/999/sources",
        "/api/v1/essays/99999999999999999999999",
        "/api/v1/essays/abc",
        "/fact-checks/5",
        "/nowhere",
    ],
)
def test_unknown_ids_are_404_problems(client, token, path):
    response = client.get(path, headers=auth(token("ed", "editor")))
    assert response.status_code == 404
    problem_of(response)


def test_task_actions_on_unknown_or_unheld_tasks(client, token):
    reviewer = token("rev", "reviewer")
    assert client.post("/api/v1/tasks/77/release", headers=auth(reviewer)).status_code == 404
    body = {"rating": "true", "rationale": "r", "citations": [{"source_id": 1, "quote": "q"}]}
    assert (
        client.post("/api/v1/tasks/77/verdict", json=body, headers=auth(reviewer)).status_code
        == 404
    )


def test_verdict_body_validation(client, token, queue):
    editor, reviewer = token("ed", "editor"), token("rev", "reviewer")
    client.post("/api/v1/essays", json=SHORT_ESSAY, headers=auth(editor))
    queue.run_all()
    task = client.post("/api/v1/queue/next", headers=auth(reviewer)).json
    no_citations = {"rating": "true", "rationale": "r", "citations": []}
    assert (
        client.post(
            f"/api/v1/tasks/{task['id']}/verdict", json=no_citations, headers=auth(reviewer)
        ).status_code
        == 422
    )
    bad_quote = {
        "rating": "true",
        "rationale": "r",
        "citations": [{"source_id": 1, "quote": "not there at all"}],
    }
    response = client.post(
        f"/api/v1/tasks/{task['id']}/verdict", json=bad_quote, headers=auth(reviewer)
    )
    assert response.status_code == 422
    assert "detail" in problem_of(response)


def test_ratings_scale(client):
    scale = client.get("/api/v1/ratings").json
    assert scale["best"] == 5 and scale["worst"] == 1
    assert {"slug": "unverifiable", "label": "Unverifiable", "value": None} in scale["ratings"]


def test_openapi_describes_every_api_route(client):
    document = client.get("/api/v1/openapi.json").json
    described = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    }
    app = client.application
    served = {
        (method, re.sub(r"<id:(\w+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert described == served
    assert document["paths"]["/api/v1/essays"]["post"]["requestBody"]["content"][
        "application/json"
    ]["schema"] == {"$ref": "#/components/schemas/EssayIn"}


def test_health_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "broker": "ok"}


def test_health_reports_an_unreachable_broker(settings, database, queue):
    broken = settings.model_copy(update={"broker_url": "redis://127.0.0.1:1/0"})
    response = create_app(broken, dispatch=queue.dispatch).test_client().get("/healthz")
    assert response.status_code == 200  # alive; /readyz is where it counts as not ready
    assert response.json["broker"] == "unreachable" and response.json["database"] == "ok"


def test_a_broker_outage_does_not_fail_a_committed_submission(settings, database, token):
    def broker_down(job: jobs.Job, *args: int) -> None:
        raise ConnectionError("broker unreachable")

    client = create_app(settings, dispatch=broker_down).test_client()
    response = client.post("/api/v1/essays", json=ESSAY, headers=auth(token("ed", "editor")))
    assert response.status_code == 201
    essay = client.get(response.headers["Location"], headers=auth(token("ed2", "editor")))
    assert essay.json["status"] == "submitted"  # the reconciler will send it again


def test_an_essay_with_too_many_sentences_is_413_and_stores_nothing(client, token, settings):
    headers = auth(token("ed", "editor"))
    text = "It rained. " * (settings.max_essay_sentences + 1)
    response = client.post("/api/v1/essays", json={"title": "Many", "text": text}, headers=headers)
    assert response.status_code == 413 and "sentences" in problem_of(response)["detail"]
    assert client.get("/api/v1/essays/1", headers=headers).status_code == 404


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"[" * 50_000 + b"]" * 50_000, 400),  # nesting far past any parser's depth
        (b'{"title": "t", "text": "\xff\xfe invalid utf-8"}', 400),
        (b'{"title": "t", "text": "bell \\u0007 and escape \\u001b"}', 422),
    ],
    ids=["deep nesting", "invalid UTF-8", "control characters"],
)
def test_hostile_bodies_are_refused_with_a_problem(client, token, raw, status):
    headers = {**auth(token("ed", "editor")), "Content-Type": "application/json"}
    response = client.post("/api/v1/essays", data=raw, headers=headers)
    assert response.status_code == status
    problem_of(response)
    assert client.get("/api/v1/essays/1", headers=headers).status_code == 404


def test_essays_are_listed_newest_first_a_page_at_a_time(client, token, queue):
    editor, reviewer = token("ed", "editor"), token("rev", "reviewer")
    ids = [
        client.post(
            "/api/v1/essays", json={**SHORT_ESSAY, "title": f"Essay {n}"}, headers=auth(editor)
        ).json["id"]
        for n in range(5)
    ]
    queue.run_all()  # split: each essay now has claims counted by status
    seen, url = [], "/api/v1/essays?limit=2"
    while url:
        page = client.get(url, headers=auth(reviewer))
        assert page.status_code == 200
        assert len(page.json["items"]) <= 2
        seen += page.json["items"]
        url = page.json["next"]
    assert [essay["id"] for essay in seen] == sorted(ids, reverse=True)
    assert all(essay["status"] == "split" and essay["claim_counts"] for essay in seen)
    split = client.get("/api/v1/essays?status=split&limit=200", headers=auth(editor)).json
    assert len(split["items"]) == 5 and split["next"] is None
    assert client.get("/api/v1/essays?status=published", headers=auth(editor)).json == {
        "items": [],
        "next": None,
    }
    assert client.get("/api/v1/essays").status_code == 401


@pytest.mark.parametrize(
    "query, field",
    [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=ten", "limit"),
        ("before=0", "before"),
        ("before=99999999999", "before"),
        ("status=deleted", "status"),
        ("sort=title", "sort"),
    ],
)
def test_bad_page_parameters_are_422_with_the_parameter_named(client, token, query, field):
    answer = client.get(f"/api/v1/essays?{query}", headers=auth(token("ed", "editor")))
    assert answer.status_code == 422
    problem = problem_of(answer)
    assert [error["loc"] for error in problem["errors"]] == [[field]]


def test_page_parameters_are_described(client):
    document = client.get("/api/v1/openapi.json").json
    parameters = {p["name"]: p for p in document["paths"]["/api/v1/essays"]["get"]["parameters"]}
    assert parameters["limit"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 200,
        "default": 50,
    }
    assert parameters["before"]["schema"]["type"] == "integer"
    assert parameters["status"]["schema"]["enum"] == [
        "submitted",
        "split",
        "published",
        "withdrawn",
    ]
    assert not any(p["required"] for p in parameters.values())


def test_withdrawn_essays_can_be_listed(client, token, queue, database):
    from factcheck.essays.models import Essay

    editor = token("ed", "editor")
    essay_id = client.post("/api/v1/essays", json=ESSAY, headers=auth(editor)).json["id"]
    with database.scope() as session:  # as publishing.withdraw leaves it
        session.get(Essay, essay_id).status = "withdrawn"
    listed = client.get("/api/v1/essays?status=withdrawn", headers=auth(editor))
    assert listed.status_code == 200
    assert [essay["id"] for essay in listed.json["items"]] == [essay_id]


def test_only_lease_changes_run_in_lease_sessions(client, token, queue, monkeypatch):
    """Claiming, releasing and extending a lease commit without waiting for the disk on
    PostgreSQL (Database.lease_scope); a verdict, like every other change, waits."""
    editor, reviewer = token("ed", "editor"), token("rev", "reviewer")
    client.post("/api/v1/essays", json=SHORT_ESSAY, headers=auth(editor))
    queue.run_all()
    database = client.application.extensions["factcheck.database"]
    scopes = []
    for name in ("scope", "read_scope", "lease_scope"):
        opened = getattr(database, name)
        monkeypatch.setattr(
            database, name, lambda name=name, opened=opened: scopes.append(name) or opened()
        )

    def scope_of(method: str, path: str, **body: object) -> str:
        scopes.clear()
        answer = client.open(path, method=method, headers=auth(reviewer), **body)
        assert answer.status_code < 300, answer.json
        return scopes[-1]

    assert scope_of("POST", "/api/v1/queue/next") == "lease_scope"
    task = client.get("/api/v1/queue/mine", headers=auth(reviewer)).json[0]
    assert scope_of("POST", f"/api/v1/tasks/{task['id']}/heartbeat") == "lease_scope"
    draft = {"json": {"rationale": "r", "citations": []}}
    assert scope_of("PUT", f"/api/v1/tasks/{task['id']}/draft", **draft) == "scope"
    assert scope_of("GET", "/api/v1/queue/mine") == "read_scope"
    assert scope_of("POST", f"/api/v1/tasks/{task['id']}/release") == "lease_scope"
