"""The desk's reference library: import from JSON, full-text search with ranking.

SQLite uses the FTS5 table the migrations create; PostgreSQL uses its text
search over the same columns. Both return (document, score in 0..1) pairs.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter
from sqlalchemy import Float, column, select, text
from sqlalchemy.orm import Session

from factcheck.sources.models import LibraryDocument

STOPWORDS = frozenset(
    {
        "a",
        "about",
        "after",
        "all",
        "also",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "before",
        "being",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "his",
        "how",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "more",
        "most",
        "no",
        "not",
        "of",
        "on",
        "one",
        "or",
        "other",
        "our",
        "out",
        "over",
        "she",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
    }
)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*")


class LibraryRecord(BaseModel):
    id: str
    title: str
    publisher: str | None = None
    url: str | None = None
    published_at: date | None = None
    summary: str
    entities: list[str] = []


def import_library(session: Session, path: Path) -> tuple[int, int]:
    """Insert or update library records from a JSON list; return (added, updated)."""
    records = TypeAdapter(list[LibraryRecord]).validate_json(path.read_bytes())
    existing = {doc.ref: doc for doc in session.scalars(select(LibraryDocument))}
    added = updated = 0
    for record in records:
        fields = record.model_dump(exclude={"id"})
        document = existing.get(record.id)
        if document is None:
            session.add(LibraryDocument(ref=record.id, **fields))
            added += 1
        elif any(getattr(document, key) != value for key, value in fields.items()):
            for key, value in fields.items():
                setattr(document, key, value)
            updated += 1
    return added, updated


def search_terms(query: str, limit: int = 24) -> list[str]:
    """Distinct lower-case content words of ``query``, in order of appearance."""
    terms: list[str] = []
    for word in _WORD.findall(query.lower()):
        word = word.strip("'-")
        if len(word) > 2 and word not in STOPWORDS and word not in terms:
            terms.append(word)
    return terms[:limit]


def search(session: Session, query: str, limit: int = 5) -> list[tuple[LibraryDocument, float]]:
    """The best-matching library documents for ``query``, best first."""
    terms = search_terms(query)
    if not terms:
        return []
    if session.get_bind().dialect.name == "sqlite":
        ranked, match = _SQLITE_SEARCH, " OR ".join(json.dumps(t) for t in terms)  # quoted
    else:
        ranked, match = _PG_SEARCH, " or ".join(terms)
    rows = session.execute(
        select(LibraryDocument, ranked.selected_columns.rank).from_statement(ranked),
        {"match": match, "limit": limit},
    )
    return [(document, _squash(rank)) for document, rank in rows]


_DOCUMENT_COLUMNS = ", ".join(f"d.{c.name}" for c in LibraryDocument.__table__.columns)
# One statement each: the documents with their relevance, best first.
_SQLITE_SEARCH = text(
    f"SELECT {_DOCUMENT_COLUMNS}, -bm25(library_fts, 2.0, 1.0, 1.5) AS rank"
    " FROM library_fts JOIN library_documents AS d ON d.id = library_fts.rowid"
    " WHERE library_fts MATCH :match ORDER BY rank DESC LIMIT :limit"
).columns(*LibraryDocument.__table__.columns, column("rank", Float))
# library_fts_vector: a stored generated column, GIN-indexed.
_PG_SEARCH = text(
    f"SELECT {_DOCUMENT_COLUMNS}, ts_rank_cd(d.library_fts_vector, query, 32) * 10 AS rank"
    " FROM library_documents AS d, websearch_to_tsquery('english', :match) AS query"
    " WHERE d.library_fts_vector @@ query ORDER BY rank DESC, d.id LIMIT :limit"
).columns(*LibraryDocument.__table__.columns, column("rank", Float))


def _squash(rank: Any) -> float:
    """Map an unbounded relevance (higher is better) into 0..1 for display."""
    rank = max(float(rank), 0.0)
    return round(rank / (rank + 1.0), 4)
