"""Prometheus metrics: HTTP latency, task durations and outcomes, and the state of
the desk (claims by status, queue depth) read from the database at scrape time.

Web and worker processes are many; prometheus_client's multiprocess mode lets
each write its samples to files in one directory (``PROMETHEUS_MULTIPROC_DIR``,
set by ``factcheck up`` and compose.yaml before any process starts), and the web's
``/metrics`` adds them up. Without that variable, one process's metrics are shown.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from factcheck.claims.models import Claim
from factcheck.db import Database
from factcheck.review.stats import live_tasks
from factcheck.sources.models import ConnectorRun

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"

HTTP_LATENCY = Histogram(
    "factcheck_http_request_duration_seconds",
    "Time to answer an HTTP request, by endpoint",
    ["endpoint", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
TASK_DURATION = Histogram(
    "factcheck_task_duration_seconds",
    "Time a Celery task ran, by task and outcome",
    ["task", "outcome"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)


class DeskCollector(Collector):
    """Gauges read from the database when Prometheus scrapes."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def collect(self) -> Iterator[Metric]:
        with self.database.read_scope() as session:
            claims = session.execute(select(Claim.status, func.count()).group_by(Claim.status))
            tasks = [(kind, state.value, count) for kind, state, count in live_tasks(session)]
            runs = session.execute(
                select(ConnectorRun.connector, ConnectorRun.state, func.count()).group_by(
                    ConnectorRun.connector, ConnectorRun.state
                )
            )
            yield _gauge("factcheck_claims", "Claims by status", ["status"], claims)
            yield _gauge(
                "factcheck_queue_depth", "Review tasks waiting or held", ["kind", "state"], tasks
            )
            yield _gauge(
                "factcheck_connector_runs", "Connector runs by state", ["connector", "state"], runs
            )


def _gauge(name: str, documentation: str, labels: list[str], rows: object) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=labels)
    for *values, count in rows:  # type: ignore[attr-defined]
        family.add_metric([str(value) for value in values], count)
    return family


def exposition(database: Database) -> tuple[bytes, str]:
    """The text to answer a scrape with, and its content type."""
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROCESS_DIR):
        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in (HTTP_LATENCY, TASK_DURATION):
            registry.register(collector)
    registry.register(DeskCollector(database))
    return generate_latest(registry), CONTENT_TYPE_LATEST
