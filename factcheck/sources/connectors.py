"""Connectors find evidence for a claim. Each returns ``Found`` records; the
gathering service stores them. Settings decide which connectors run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from sqlalchemy.orm import Session

from factcheck.claims.models import Claim
from factcheck.sources import library


@dataclass(frozen=True)
class Found:
    url: str
    title: str
    publisher: str | None
    published_at: date | None
    snippet: str
    snapshot_text: str
    score: float
    details: dict[str, Any] = field(default_factory=dict)


class Connector(Protocol):
    name: str

    def find(self, session: Session, claim: Claim) -> list[Found]: ...


class LibraryConnector:
    """Search the desk's own reference library (seeds/library.json by default)."""

    name = "library"

    def __init__(self, top_k: int = 5) -> None:
        self.top_k = top_k

    def find(self, session: Session, claim: Claim) -> list[Found]:
        query = " ".join([claim.text, *claim.details.get("entities", [])])
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
            for document, score in library.search(session, query, self.top_k)
        ]
