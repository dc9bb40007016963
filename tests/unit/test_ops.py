"""What operators rely on: liveness, readiness, metrics, structured logs."""

from __future__ import annotations

import json
import logging

from factcheck import jobs, logs
from factcheck.db import Database
from tests.unit.conftest import auth
from web import create_app


def test_healthz_answers_while_alive_and_reports_what_it_reaches(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "broker": "ok"}


def test_readyz_checks_database_broker_and_migrations(client):
    assert client.get("/readyz").json == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "migrations": "ok",
        "secret_key": "ok",
    }


def test_readyz_is_503_when_the_broker_is_gone(settings, database, queue):
    broken = settings.model_copy(update={"broker_url": "redis://127.0.0.1:1/0"})
    response = create_app(broken, dispatch=queue.dispatch).test_client().get("/readyz")
    assert response.status_code == 503 and response.json["broker"] == "unreachable"


def test_readyz_is_503_when_the_schema_is_behind(settings, queue, tmp_path):
    from factcheck import migrate

    old = tmp_path / "old.sqlite"
    migrate.upgrade(f"sqlite:///{old}", "b16147d7dbf1")  # the first migration only
    behind = settings.model_copy(update={"database_url": f"sqlite:///{old}"})
    response = create_app(behind, dispatch=queue.dispatch).test_client().get("/readyz")
    assert response.status_code == 503 and response.json["migrations"] == "behind"
    Database(f"sqlite:///{old}").engine.dispose()


def test_metrics_show_claims_queue_and_request_latency(client, token, queue):
    from tests.flow import ESSAY

    client.post("/api/v1/essays", json=ESSAY, headers=auth(token("ed", "editor")))
    queue.run_all()
    page = client.get("/metrics")
    assert page.status_code == 200 and page.mimetype == "text/plain"
    text = page.text
    assert 'factcheck_claims{status="awaiting_review"}' in text
    assert 'factcheck_queue_depth{kind="review",state="open"}' in text
    assert 'factcheck_connector_runs{connector="library",state="succeeded"}' in text
    assert (
        'factcheck_http_request_duration_seconds_count{endpoint="/api/v1/essays",'
        'method="POST",status="201"}' in text
    )


def test_an_empty_queue_is_a_sample_of_zero(client):
    text = client.get("/metrics").text
    for kind in ("review", "approval"):
        for state in ("open", "leased"):
            assert f'factcheck_queue_depth{{kind="{kind}",state="{state}"}} 0.0' in text


def test_task_durations_are_measured_by_outcome():
    from workers import app as worker_app

    class FakeTask:
        name = jobs.SPLIT_ESSAY.task

    before = _count(worker_app.metrics.TASK_DURATION, jobs.SPLIT_ESSAY.task, "success")
    worker_app._task_started(task_id="t1", task=FakeTask(), args=(7,))
    assert logs.current_context() == {
        "task_id": "t1",
        "task": jobs.SPLIT_ESSAY.task,
        "essay_id": 7,
    }
    worker_app._task_finished(task_id="t1", task=FakeTask(), state="SUCCESS")
    assert logs.current_context() == {}
    after = _count(worker_app.metrics.TASK_DURATION, jobs.SPLIT_ESSAY.task, "success")
    assert after == before + 1


def test_a_batch_of_runs_logs_the_claims_in_it():
    from workers import app as worker_app

    runs = [[12, "library"], [12, "desk"], [9, "library"]]
    assert worker_app.subject_ids(jobs.GATHER_LOCAL.task, (runs,)) == {"claim_ids": [9, 12]}
    assert worker_app.subject_ids(jobs.GATHER_FROM.task, (9, "wikipedia")) == {"claim_id": 9}
    assert worker_app.subject_ids(jobs.RECONCILE.task, ()) == {}


def _count(histogram, *labels: str) -> float:
    for metric in histogram.collect():
        for sample in metric.samples:
            if sample.name.endswith("_count") and tuple(sample.labels.values()) == labels:
                return sample.value
    return 0.0


def test_log_lines_are_json_with_the_request_id_and_no_token(client, token, caplog):
    editor = token("ed", "editor")
    formatter = logs.JsonFormatter()
    with caplog.at_level(logging.INFO, logger="factcheck.access"):
        response = client.get(
            "/api/v1/essays/1", headers={**auth(editor), "X-Request-Id": "req-12345678"}
        )
    assert response.headers["X-Request-Id"] == "req-12345678"
    lines = [
        json.loads(formatter.format(record))
        for record in caplog.records
        if record.name == "factcheck.access"
    ]
    assert lines and lines[-1]["request_id"] == "req-12345678"
    assert (
        lines[-1]["status"] == 404
        and lines[-1]["message"] == "GET /api/v1/essays/<id:essay_id> 404"
    )
    assert all(editor not in json.dumps(line) for line in lines)


def test_a_made_up_request_id_is_replaced(client):
    response = client.get("/healthz", headers={"X-Request-Id": "<script>"})
    assert (
        response.headers["X-Request-Id"] != "<script>"
        and len(response.headers["X-Request-Id"]) == 32
    )
