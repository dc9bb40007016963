"""The embedded default's SQLite files, opened by several processes starting at once."""

from __future__ import annotations

import sqlite3
import threading

from factcheck.db import use_wal
from factcheck.settings import Settings
from workers.app import broker_transport_options


def test_wal_waits_for_a_writer_instead_of_failing(tmp_path):
    path = tmp_path / "broker.sqlite"
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("CREATE TABLE kombu_message (id INTEGER)")
    writer.execute("BEGIN IMMEDIATE")  # another process creating its tables
    writer.execute("INSERT INTO kombu_message VALUES (1)")
    threading.Timer(0.3, writer.execute, ["COMMIT"]).start()

    use_wal(path)  # SQLite itself refuses at once while the writer holds the file

    with sqlite3.connect(path) as reader:
        assert reader.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert reader.execute("SELECT count(*) FROM kombu_message").fetchone() == (1,)
    writer.close()


def test_a_file_already_in_wal_mode_never_waits(tmp_path):
    path = tmp_path / "broker.sqlite"
    use_wal(path)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("CREATE TABLE t (i INTEGER)")
    writer.execute("BEGIN IMMEDIATE")
    use_wal(path, wait_seconds=0)  # would raise "database is locked" if it had to switch
    assert writer.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    writer.execute("ROLLBACK")
    writer.close()


def test_the_sql_broker_file_is_put_in_wal_mode_by_every_process(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    broker_file = settings.sqlite_broker_file()
    assert broker_file == (tmp_path / "data" / "broker.sqlite").resolve()
    broker_transport_options(settings)  # what each process does as it builds the Celery app
    with sqlite3.connect(broker_file) as reader:
        assert reader.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_redis_broker_has_no_file():
    settings = Settings(broker_url="redis://127.0.0.1:6379/0")
    assert settings.sqlite_broker_file() is None
    assert broker_transport_options(settings) == {"visibility_timeout": 3600}
