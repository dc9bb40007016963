"""One score for every record, whichever connector found it, and the reasons for it.

The final score (0..1) is a weighted mean of the signals that apply:

* ``terms``: the share of the claim's content words found in the record;
* ``entities``: the share of the claim's named entities found in the record;
* ``dates``: how close the record's publication date is to the dates the claim
  names (1 on the day or within the period, falling to 0 a year away);
* ``connector``: the connector's own relevance score.

A signal that does not apply (a claim without entities or dates, a record without
a publication date) drops out and the others share its weight, so a record is
not punished for what nobody could know. ``why`` says what was matched.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from factcheck.sources.connectors import ClaimQuery, Found
from factcheck.sources.text import collapse, term_set, terms

WEIGHTS = {"terms": 0.35, "entities": 0.25, "dates": 0.15, "connector": 0.25}
DATE_HORIZON_DAYS = 365


@dataclass(frozen=True)
class Ranked:
    found: Found
    score: float  # final, 0..1
    why: dict[str, Any]


def rank(query: ClaimQuery, found: Sequence[Found]) -> list[Ranked]:
    """Every record with its final score and reasons, best first (ties keep their order)."""
    ranked = [score_record(query, record) for record in found]
    ranked.sort(key=lambda item: item.score, reverse=True)
    return ranked


def score_record(query: ClaimQuery, record: Found) -> Ranked:
    text = "\n".join([record.title, record.snippet, record.snapshot_text])
    signals: dict[str, float] = {}
    why: dict[str, Any] = {}

    wanted = terms(query.text)
    if wanted:
        present = term_set(text)
        matched = [term for term in wanted if term in present]
        signals["terms"] = len(matched) / len(wanted)
        why["matched_terms"] = matched

    entities = [entity for entity in dict.fromkeys(query.entities) if entity.strip()]
    if entities:
        matched_entities = [entity for entity in entities if mentions(text, entity)]
        signals["entities"] = len(matched_entities) / len(entities)
        why["matched_entities"] = matched_entities

    days = days_apart(query.dates, record.published_at)
    if days is not None:
        signals["dates"] = max(0.0, 1.0 - days / DATE_HORIZON_DAYS)
        why["days_apart"] = days

    signals["connector"] = min(max(float(record.score), 0.0), 1.0)

    total_weight = sum(WEIGHTS[name] for name in signals)
    score = sum(WEIGHTS[name] * value for name, value in signals.items()) / total_weight
    why["signals"] = {name: round(value, 4) for name, value in signals.items()}
    return Ranked(record, round(score, 4), why)


def mentions(text: str, entity: str) -> bool:
    """Whether ``text`` names ``entity`` as whole words, ignoring case and spacing."""
    words = [re.escape(word) for word in collapse(entity).split(" ")]
    return re.search(r"\b" + r"\s+".join(words) + r"\b", text, re.IGNORECASE) is not None


def days_apart(claim_dates: Sequence[str], published_at: date | None) -> int | None:
    """Days between the record's publication and the dates the claim names.

    The extractor lists a period by its first and last day ("in 2006": 1 January
    and 31 December), so a publication between the earliest and latest is 0 days
    away; otherwise it is the distance to the nearest.
    """
    dates = _iso_dates(claim_dates)
    if published_at is None or not dates:
        return None
    if isinstance(published_at, datetime):
        published_at = published_at.date()
    if min(dates) <= published_at <= max(dates):
        return 0
    return min(abs((day - published_at).days) for day in dates)


# ---------------------------------------------------------------------------
# Deduplication

Item = TypeVar("Item", Found, Ranked)


def deduplicate(items: Sequence[Item]) -> list[Item]:
    """Drop records that repeat a better one: the same URL (the final URL when the
    record was fetched), or the same text once case and white space are ignored.

    Works on ``Found`` (kept by connector score) or ``Ranked`` (by final score);
    the result is best first.
    """
    kept: list[Item] = []
    seen_urls: set[str] = set()
    seen_texts: set[str] = set()
    for item in sorted(items, key=lambda item: item.score, reverse=True):
        record = item.found if isinstance(item, Ranked) else item
        url_key = normalise_url(record.final_url or record.url)
        text_key = text_fingerprint(record.snapshot_text)
        if url_key in seen_urls or (text_key and text_key in seen_texts):
            continue
        kept.append(item)
        seen_urls.add(url_key)
        if text_key:
            seen_texts.add(text_key)
    return kept


def normalise_url(url: str) -> str:
    """Scheme and host in lower case, no fragment, no trailing slash on the path."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/") if parts.path != "/" else ""
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def text_fingerprint(text: str) -> str:
    """sha256 of the text in lower case with white space collapsed; "" for no text."""
    normalised = collapse(text).casefold()
    return hashlib.sha256(normalised.encode()).hexdigest() if normalised else ""


def _iso_dates(values: Sequence[str]) -> list[date]:
    dates = []
    for value in values:
        try:
            dates.append(date.fromisoformat(str(value)[:10]))
        except ValueError:
            continue
    return dates
