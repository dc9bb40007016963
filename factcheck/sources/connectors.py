"""Connectors find evidence for a claim.

A connector gets a ``ClaimQuery`` (plain data, read before any network I/O so
no database transaction stays open while a site answers) and returns ``Found``
records; the gathering service ranks, deduplicates and stores them. Settings
decide which connectors run (``FACTCHECK_CONNECTORS``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from factcheck.db import Database
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
    essay_url: str | None = None
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


class Connector(Protocol):
    name: str

    def find(self, query: ClaimQuery) -> list[Found]:
        """Evidence for ``query``, best first; raise ``factcheck.http.FetchError`` on failure."""
        ...


class LibraryConnector:
    """Search the desk's own reference library (seeds/library.json by default)."""

    name = "library"

    def __init__(self, database: Database, top_k: int = 5) -> None:
        self.database = database
        self.top_k = top_k

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
