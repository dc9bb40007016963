"""Connectors find evidence for a claim.

A connector gets a ``ClaimQuery`` (plain data, read before any network I/O so
no database transaction stays open while a site answers) and returns ``Found``
records; the gathering service ranks, deduplicates and stores them. Settings
decide which connectors run (``FACTCHECK_CONNECTORS``).

Each connector class says what it is (``reach``, ``archived``, ``time_limit``), how it
is built from settings (``build``) and whether these settings let it run
(``enabled``), and is listed once in ``factcheck.sources.registry``, through which
planning, batching, time limits and archive lookups read those declarations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar, Protocol

from factcheck.db import Database
from factcheck.settings import Settings
from factcheck.sources import library


@dataclass(frozen=True)
class ClaimQuery:
    """What a connector may know about the claim it searches for."""

    claim_id: int
    text: str
    start: int
    end: int
    entities: list[str] = field(default_factory=list)
    quantities: list[dict[str, Any]] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)  # ISO dates the claim refers to
    essay_text: str = ""
    essay_published_at: date | None = None
    version: int = 1  # the claim's version these words belong to


@dataclass(frozen=True)
class Found:
    url: str
    title: str
    publisher: str | None
    published_at: date | None
    snippet: str
    snapshot_text: str  # what was seen, bounded; citations must quote from it
    score: float  # the connector's own relevance, 0..1
    details: dict[str, Any] = field(default_factory=dict)  # connector-specific facts
    final_url: str | None = None  # after redirects, when fetched over HTTP
    http_status: int | None = None
    content_type: str | None = None
    fetched_at: datetime | None = None
    archive_url: str | None = None  # the closest Wayback Machine snapshot, when looked up
    archived_at: datetime | None = None


class Reach(StrEnum):
    """Where a connector searches, which decides how its runs are sent and timed."""

    # Only our own database: quick, so a worker task carries FACTCHECK_GATHER_BATCH_RUNS
    # of these runs on the default queue, under the longest local time limit.
    LOCAL = "local"
    # Other sites: one run per task on the gather queue, so a slow site holds only its
    # own run, under its connector's time limit.
    NETWORK = "network"


class Connector(Protocol):
    name: ClassVar[str]
    reach: ClassVar[Reach]
    archived: ClassVar[bool]  # its pages are looked up in the Wayback Machine (when enabled)
    # Seconds one run may take before it ends timed_out (for a network connector,
    # FACTCHECK_CONNECTOR_TIME_LIMIT_SECONDS may lower it).
    time_limit: ClassVar[int]

    @classmethod
    def build(cls, settings: Settings, database: Database) -> Connector:
        """The connector, configured from settings (once per worker process)."""
        ...

    @staticmethod
    def enabled(settings: Settings) -> bool:
        """Whether these settings let it run (e.g. an API key is set)."""
        ...

    def find(self, query: ClaimQuery) -> list[Found]:
        """Evidence for ``query``, best first; raise ``factcheck.http.FetchError`` on failure."""
        ...


class LibraryConnector:
    """Search the desk's own reference library (seeds/library.json by default)."""

    name = "library"
    reach = Reach.LOCAL
    archived = False  # our own copies
    time_limit = 10  # a batch of full-text searches in our database: well under 1 s

    def __init__(self, database: Database, top_k: int = 5) -> None:
        self.database = database
        self.top_k = top_k

    @classmethod
    def build(cls, settings: Settings, database: Database) -> LibraryConnector:
        return cls(database, settings.library_top_k)

    @staticmethod
    def enabled(settings: Settings) -> bool:
        return True

    def find(self, query: ClaimQuery) -> list[Found]:
        terms = " ".join([query.text, *query.entities])
        with self.database.read_scope() as session:
            return [
                Found(
                    url=document.url or f"library:{document.ref}",
                    title=document.title,
                    publisher=document.publisher,
                    published_at=document.published_at,
                    snippet=document.summary[:500],
                    snapshot_text=document.summary,
                    score=score,
                    details={"library_ref": document.ref},
                )
                for document, score in library.search(session, terms, self.top_k)
            ]
