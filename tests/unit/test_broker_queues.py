"""`factcheck up` makes the broker's queues before it starts the processes that race
to make them (kombu's SQL transport checks, then inserts)."""

from __future__ import annotations

import sqlite3

from workers import app as workers


def test_every_queue_exists_in_the_sql_broker_before_anyone_uses_it(settings, monkeypatch):
    monkeypatch.setattr(workers, "celery_app", workers.make_celery())  # this test's broker
    workers.declare_queues()
    workers.declare_queues()  # once made, declaring again changes nothing
    broker = settings.sqlite_broker_file()
    with sqlite3.connect(broker) as connection:
        names = sorted(name for (name,) in connection.execute("SELECT name FROM kombu_queue"))
    assert names == sorted(workers.Queues.ALL)
