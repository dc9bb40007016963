"""Published fact-checks, through Google's Fact Check Tools API (``claims:search``).

``GET {settings.factcheck_tools_url}?query=...&languageCode=en&pageSize=N&key=KEY``
answers ``{"claims": [{"text", "claimant", "claimDate", "claimReview": [{"publisher":
{"name", "site"}, "url", "title", "reviewDate", "textualRating", "languageCode"}]}],
"nextPageToken"}``, or ``{}`` when nothing matches. Each claim review becomes one
record. The connector runs only when an API key is set.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from factcheck.db import Database
from factcheck.http import JSON, FetchError, HttpClient, get_client
from factcheck.settings import Settings
from factcheck.sources.connectors import ClaimQuery, Found, Reach
from factcheck.sources.text import bounded, collapse, overlap, parse_date

MAX_QUERY_CHARS = 500


class FactCheckToolsConnector:
    name = "factcheck_tools"
    reach = Reach.NETWORK
    archived = True
    time_limit = 30  # one search request

    def __init__(
        self, settings: Settings, client: HttpClient | None = None, page_size: int = 10
    ) -> None:
        self.api_url = settings.factcheck_tools_url
        self.key = settings.factcheck_tools_key.strip()
        self.client = client or get_client(settings)
        self.page_size = page_size

    @classmethod
    def build(cls, settings: Settings, database: Database) -> FactCheckToolsConnector:
        return cls(settings)

    @staticmethod
    def enabled(settings: Settings) -> bool:
        """The API needs a key; without one the connector is not built."""
        return bool(settings.factcheck_tools_key.strip())

    def find(self, query: ClaimQuery) -> list[Found]:
        if not self.key:
            return []
        text = bounded(collapse(query.text), MAX_QUERY_CHARS)
        if not text:
            return []
        data = self._search(text)
        claims = data.get("claims") or []
        reviews = [
            (claim, review)
            for claim in claims
            if isinstance(claim, dict)
            for review in claim.get("claimReview") or []
            if isinstance(review, dict) and review.get("url")
        ]
        found = [
            self._found(query, claim, review, rank, len(reviews))
            for rank, (claim, review) in enumerate(reviews)
        ]
        found.sort(key=lambda record: record.score, reverse=True)
        return found

    def _search(self, text: str) -> dict[str, Any]:
        params = {
            "query": text,
            "languageCode": "en",
            "pageSize": str(self.page_size),
            "key": self.key,
        }
        try:
            fetched = self.client.get(self.api_url, params=params, accept=JSON)
            data = fetched.json()
        except FetchError as error:
            # The key travels in the query string; keep it out of error records and logs.
            raise FetchError(
                error.kind, self._redact(error.url), self._redact(error.detail)
            ) from None
        if not isinstance(data, dict):
            raise FetchError("invalid_answer", self._redact(fetched.url), "expected a JSON object")
        return data

    def _redact(self, text: str) -> str:
        return text.replace(self.key, "REDACTED").replace(quote(self.key, safe=""), "REDACTED")

    def _found(
        self,
        query: ClaimQuery,
        claim: dict[str, Any],
        review: dict[str, Any],
        rank: int,
        total: int,
    ) -> Found:
        publisher = review.get("publisher") or {}
        publisher_name = publisher.get("name") or publisher.get("site")
        line = review_line(claim, review)
        position = 1.0 - rank / max(total, 1)
        return Found(
            url=review["url"],
            title=review.get("title") or f"Fact check: {claim.get('text', '')}"[:300],
            publisher=publisher_name,
            published_at=parse_date(str(review.get("reviewDate") or "")),
            snippet=line,
            snapshot_text=line,
            score=round(0.5 * position + 0.5 * overlap(query.text, str(claim.get("text", ""))), 4),
            details={
                "claim_text": claim.get("text"),
                "claimant": claim.get("claimant"),
                "claim_date": claim.get("claimDate"),
                "textual_rating": review.get("textualRating"),
                "review_url": review.get("url"),
                "review_title": review.get("title"),
                "review_date": review.get("reviewDate"),
                "review_language": review.get("languageCode"),
                "publisher_name": publisher.get("name"),
                "publisher_site": publisher.get("site"),
            },
        )


def review_line(claim: dict[str, Any], review: dict[str, Any]) -> str:
    """One readable line: 'Claim (claimant, date): TEXT — Rated "False" by PUBLISHER'."""
    publisher = review.get("publisher") or {}
    claim_date = parse_date(str(claim.get("claimDate") or ""))
    who_when = ", ".join(
        part for part in (claim.get("claimant"), claim_date and claim_date.isoformat()) if part
    )
    head = f"Claim ({who_when})" if who_when else "Claim"
    line = f"{head}: {collapse(str(claim.get('text', '')))}"
    rating = review.get("textualRating")
    by = publisher.get("name") or publisher.get("site")
    if rating:
        line += f' — Rated "{collapse(rating)}"'
        if by:
            line += f" by {by}"
    elif by:
        line += f" — Reviewed by {by}"
    return line
