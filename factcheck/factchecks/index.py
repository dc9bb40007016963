"""The matcher's index over the archive: built once, kept in a file, loaded by each process.

Building the index reads and stems every verified claim: seconds for ten thousand,
minutes for a million, far more than a query. So one process
builds it and keeps it in the data dir (``saved``: one file per database, tagged with
the archive's revision, ``services.revision``), and the others load that file, which
is mapped rather than read. A process keeps the index it has and looks again only when
the revision moves (one indexed read per query). A rebuild stems only the records that
are new or changed since the previous index (``unchanged_terms``).

One builder at a time: a lock file beside the index (``flock``), held while a process
loads or builds, so the CLI and the Celery worker processes sharing a data dir
build once between them; one that waited finds the file built and loads it. Several
machines on one PostgreSQL database do not share a data dir: each builds its own file.

Two ways to ask:

- ``current``: the index of the archive as the session sees it now, loaded or built in
  the caller's thread (the CLI, the builder thread, tests);
- ``serving``: for a query under a time limit (the ``verified_claims`` connector). When
  the archive has changed, the process's builder thread brings the index up to date
  while the query waits at most ``WAIT`` seconds; then the query is answered from the
  index the process had (which may lack the newest records; the connector reads each
  match's row and drops withdrawn ones), and the next one from the new index. A process
  with no index at all waits for the builder: if the run's time limit ends the wait, the
  build goes on, and the retried run finds it.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from factcheck.db import READ_ONLY
from factcheck.factchecks import features, saved, services
from factcheck.factchecks.matching import Candidate, Matcher
from factcheck.factchecks.models import VerifiedClaim
from factcheck.settings import get_settings

log = logging.getLogger(__name__)

READ_BATCH = 10_000  # rows fetched at a time while building
WAIT = 5.0  # seconds a query waits for a rebuild before the older index answers it


@dataclass(frozen=True)
class Index:
    revision: tuple[Any, ...]
    matcher: Matcher  # candidate ids are the rows' primary keys, as strings


_built: dict[Path, Index] = {}  # by the file it was loaded from
_lock = threading.Lock()  # one load or build at a time in this process
_builders: dict[Path, threading.Thread] = {}
_started: dict[Path, float] = {}  # when each builder started (time.monotonic)
_builders_lock = threading.Lock()
builds = 0  # indexes this process built rather than loaded (the tests count them)


def current(session: Session, data_dir: Path | None = None) -> Index:
    """The index of the archive as it is now in the session's database."""
    path = index_path(session.get_bind().engine, data_dir)
    revision = services.revision(session)
    index = _built.get(path)
    if index is not None and index.revision == revision:
        return index
    with _lock, _file_lock(path):  # a process that waited may find it done
        index = _built.get(path)
        if index is None or index.revision != revision:
            index = _built[path] = _load(path, revision) or _build(session, path, revision)
    return index


def serving(session: Session, wait: float = WAIT, data_dir: Path | None = None) -> Index:
    """An index to answer a query from now: the current one, or the one this process had
    while the builder thread makes the current one. Queries wait for a builder until it
    has run ``wait`` seconds, not ``wait`` seconds each: a batch of runs shares a limit."""
    engine = session.get_bind().engine
    path = index_path(engine, data_dir)
    had = _built.get(path)
    if had is not None and had.revision == services.revision(session):
        return had
    builder = warm(engine, data_dir)
    builder.join(max(0.0, _started[path] + wait - time.monotonic()) if had else None)
    return _built.get(path) or current(session, data_dir)  # the builder failed: say why here


def warm(engine: Engine, data_dir: Path | None = None) -> threading.Thread:
    """Bring the index up to date in a thread of its own (a worker at start, a query
    after an import); the thread already doing it, if one is."""
    path = index_path(engine, data_dir)
    with _builders_lock:
        builder = _builders.get(path)
        if builder is None or not builder.is_alive():
            builder = threading.Thread(
                target=_bring_up_to_date, args=(engine, data_dir), name="matcher-index", daemon=True
            )
            _builders[path], _started[path] = builder, time.monotonic()
            builder.start()
    return builder


def _bring_up_to_date(engine: Engine, data_dir: Path | None) -> None:
    try:  # reading only: on SQLite, no write lock
        with Session(engine.execution_options(**{READ_ONLY: True})) as session:
            current(session, data_dir)
    except Exception:
        log.exception("matcher index: bringing it up to date failed")


def index_path(engine: Engine, data_dir: Path | None = None) -> Path:
    """The file of the index of ``engine``'s database, under the data dir."""
    url = engine.url.render_as_string(hide_password=True)
    name = hashlib.sha256(url.encode()).hexdigest()[:16]
    return (data_dir or get_settings().data_dir).resolve() / "matcher" / f"index-{name}.bin"


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = open(path.with_suffix(".lock"), "a")  # noqa: SIM115 (closed below)
    except OSError as problem:  # no writable data dir: each process builds its own
        log.warning("matcher index: no lock file (%s)", problem, extra={"path": str(path)})
        yield
        return
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        yield


def _meta(revision: tuple[Any, ...]) -> dict[str, Any]:
    return {"revision": [str(value) for value in revision]}


def _load(path: Path, revision: tuple[Any, ...]) -> Index | None:
    if not path.exists():
        return None
    try:
        matcher = saved.read(path, _meta(revision))
    except saved.Unusable as problem:
        log.info("matcher index: not loaded (%s), building it", problem, extra={"path": str(path)})
        return None
    log.info("matcher index: loaded", extra={"path": str(path), "records": len(matcher)})
    return Index(revision, matcher)


def _build(session: Session, path: Path, revision: tuple[Any, ...]) -> Index:
    global builds
    started = time.perf_counter()
    for leftover in path.parent.glob(f"{path.name}.*.tmp"):  # a builder that died
        leftover.unlink(missing_ok=True)
    known = unchanged_terms(_previous(path))
    try:
        size = saved.write(path, _candidates(session), _meta(revision), known)
        matcher = saved.read(path, _meta(revision))
    except (OSError, saved.Unusable) as problem:  # a full disk: serve from memory
        log.warning("matcher index: not kept (%s)", problem, extra={"path": str(path)})
        matcher = Matcher.build(_candidates(session))
        size = len(matcher)
    builds += 1
    seconds = round(time.perf_counter() - started, 2)
    log.info("matcher index: built", extra={"path": str(path), "records": size, "seconds": seconds})
    return Index(revision, matcher)


def _previous(path: Path) -> Matcher | None:
    """The index this process had, else the one in the file, whatever its revision."""
    had = _built.get(path)
    if had is not None:
        return had.matcher
    try:
        return saved.read(path, None) if path.exists() else None
    except saved.Unusable:
        return None


def unchanged_terms(previous: Matcher | None) -> saved.Known | None:
    """The terms of a record the previous index holds with the same claim and headline:
    after an import, only the new and changed records are read (stemmed) again. Both
    the previous index and the rows come in id order (``_candidates``), so one pass
    through the previous index finds them."""
    if previous is None:
        return None
    size, position = len(previous), 0
    old = previous.candidates[0] if size else None

    def known(candidate: Candidate) -> features.Record | None:
        nonlocal position, old
        key = int(candidate.id)
        while old is not None and int(old.id) < key:  # rows gone since: withdrawn
            position += 1
            old = previous.candidates[position] if position < size else None
        if old is None or (old.id, old.claim, old.title) != (
            candidate.id, candidate.claim, candidate.title):  # fmt: skip
            return None
        return previous.records[position]

    return known


def _candidates(session: Session) -> Iterator[Candidate]:
    rows = session.execute(
        select(VerifiedClaim.id, VerifiedClaim.claim, VerifiedClaim.title)
        .where(VerifiedClaim.withdrawn_at.is_(None))
        .order_by(VerifiedClaim.id)
        .execution_options(yield_per=READ_BATCH)
    )
    for row in rows:
        yield Candidate(id=str(row.id), claim=row.claim, title=row.title)


def forget() -> None:
    """Drop every index this process holds (tests that reuse a database file)."""
    _built.clear()
