"""The matcher's index over the archive, built from the table and kept per process.

Building the index reads every verified claim and costs far more than a query, so a
process keeps the one it built with the archive's revision (``services.revision``,
one indexed read) and builds again only when the archive has changed since.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.factchecks import services
from factcheck.factchecks.matching import Candidate, Matcher
from factcheck.factchecks.models import VerifiedClaim

READ_BATCH = 10_000  # rows fetched at a time while building


@dataclass(frozen=True)
class Index:
    revision: tuple[Any, ...]
    matcher: Matcher  # candidate ids are the rows' primary keys, as strings


_built: dict[str, Index] = {}
_lock = threading.Lock()


def current(session: Session) -> Index:
    """The index of the archive as it is now in the session's database."""
    key = str(session.get_bind().engine.url)
    revision = services.revision(session)
    index = _built.get(key)
    if index is not None and index.revision == revision:
        return index
    with _lock:  # one build at a time; a thread that waited may find it done
        index = _built.get(key)
        if index is None or index.revision != revision:
            index = _built[key] = Index(revision, Matcher.build(_candidates(session)))
    return index


def _candidates(session: Session):  # type: ignore[no-untyped-def]
    rows = session.execute(
        select(VerifiedClaim.id, VerifiedClaim.claim, VerifiedClaim.title)
        .where(VerifiedClaim.withdrawn_at.is_(None))
        .order_by(VerifiedClaim.id)
        .execution_options(yield_per=READ_BATCH)
    )
    for row in rows:
        yield Candidate(id=str(row.id), claim=row.claim, title=row.title)


def forget() -> None:
    """Drop every built index (tests that reuse a database file)."""
    _built.clear()
