"""Wikipedia, through the MediaWiki Action API (``settings.wikipedia_api_url``).

Two requests a claim, one after the other (Wikimedia asks for requests in
series, never in parallel):

1. ``action=query&list=search`` for the claim's entities and key words, and
   once more with fewer words when that finds nothing;
2. ``action=query&prop=extracts|revisions|info&pageids=...`` for the lead
   section, latest revision and canonical URL of the top hits, in one request.

Every request carries ``maxlag=5``. When the wiki is lagged it answers 200 with
``{"error": {"code": "maxlag"}}`` and a ``Retry-After`` header; we raise
``FetchError`` then: the run ends ``failed`` and the reconciler retries it later,
instead of pressing on.
The client sends the desk's descriptive User-Agent, as the API etiquette asks.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from factcheck.db import Database
from factcheck.http import JSON, Fetched, FetchError, HttpClient, get_client
from factcheck.settings import Settings
from factcheck.sources.connectors import ClaimQuery, Found, Reach
from factcheck.sources.text import best_passage, bounded, collapse, overlap, terms

MAXLAG_SECONDS = "5"
MAX_SNAPSHOT_CHARS = 4_000
MAX_SEARCH_CHARS = 300  # CirrusSearch refuses longer search strings
_TAG = re.compile(r"<[^>]+>")


class WikipediaConnector:
    name = "wikipedia"
    reach = Reach.NETWORK
    archived = True
    time_limit = 45  # a search and one extracts request

    def __init__(
        self,
        settings: Settings,
        client: HttpClient | None = None,
        top_k: int = 3,
        search_limit: int = 5,
    ) -> None:
        self.api_url = settings.wikipedia_api_url
        self.client = client or get_client(settings)
        self.top_k = top_k
        self.search_limit = search_limit

    @classmethod
    def build(cls, settings: Settings, database: Database) -> WikipediaConnector:
        return cls(settings)

    @staticmethod
    def enabled(settings: Settings) -> bool:
        return True

    def find(self, query: ClaimQuery) -> list[Found]:
        hits, searched_for = self._search_until_found(search_strings(query))
        if not hits:
            return []
        top = hits[: self.top_k]
        fetched, pages = self._pages([hit["pageid"] for hit in top])
        by_id = {page.get("pageid"): page for page in pages if not page.get("missing")}
        found = []
        for rank, hit in enumerate(top):
            page = by_id.get(hit["pageid"])
            if page is not None:
                record = self._found(query, page, hit, rank, searched_for, fetched)
                if record is not None:
                    found.append(record)
        found.sort(key=lambda record: record.score, reverse=True)
        return found

    def _search_until_found(self, candidates: list[str]) -> tuple[list[dict[str, Any]], str]:
        for text in candidates:
            hits = self._search(text)
            if hits:
                return hits, text
        return [], ""

    def _search(self, text: str) -> list[dict[str, Any]]:
        params = {
            "action": "query",
            "list": "search",
            "srsearch": text,
            "srnamespace": "0",
            "srlimit": str(self.search_limit),
            "srprop": "snippet|timestamp",
        }
        _, data = self._call(params)
        return [hit for hit in _listed(data, "search") if "pageid" in hit]

    def _pages(self, page_ids: list[int]) -> tuple[Fetched, list[dict[str, Any]]]:
        params = {
            "action": "query",
            "prop": "extracts|revisions|info",
            "pageids": "|".join(str(page_id) for page_id in page_ids),
            "exintro": "1",  # the lead section; several pages at once need it
            "explaintext": "1",
            "exlimit": str(len(page_ids)),
            "rvprop": "ids|timestamp",
            "inprop": "url",
        }
        fetched, data = self._call(params)
        return fetched, _listed(data, "pages")

    def _call(self, params: dict[str, str]) -> tuple[Fetched, dict[str, Any]]:
        params = {**params, "format": "json", "formatversion": "2", "maxlag": MAXLAG_SECONDS}
        fetched = self.client.get(self.api_url, params=params, accept=JSON)
        data = fetched.json()
        if not isinstance(data, dict):
            raise FetchError("invalid_answer", fetched.url, "expected a JSON object")
        check_answer(fetched, data)
        return fetched, data

    def _found(
        self,
        query: ClaimQuery,
        page: dict[str, Any],
        hit: dict[str, Any],
        rank: int,
        searched_for: str,
        fetched: Fetched,
    ) -> Found | None:
        search_snippet = collapse(html.unescape(_TAG.sub("", str(hit.get("snippet", "")))))
        extract = bounded(str(page.get("extract") or "").strip(), MAX_SNAPSHOT_CHARS)
        snapshot = extract or search_snippet
        if not snapshot:
            return None
        revision = (page.get("revisions") or [{}])[0]
        title = str(page.get("title") or hit.get("title") or "")
        position = 1.0 - rank / max(self.top_k, 1)
        return Found(
            url=page.get("canonicalurl") or page.get("fullurl") or article_url(self.api_url, title),
            title=title,
            publisher="Wikipedia",
            published_at=None,  # an article has revisions, not a publication date
            snippet=best_passage(snapshot, query.text) or search_snippet,
            snapshot_text=snapshot,
            score=round(0.5 * position + 0.5 * overlap(query.text, f"{title} {snapshot}"), 4),
            details={
                "pageid": page.get("pageid"),
                "revision_id": revision.get("revid") or page.get("lastrevid"),
                "revision_timestamp": revision.get("timestamp") or page.get("touched"),
                "search_query": searched_for,
                "search_rank": rank + 1,
                "search_snippet": search_snippet,
                "extract": "intro",
            },
            fetched_at=fetched.fetched_at,
        )


def search_strings(query: ClaimQuery) -> list[str]:
    """What to search for, most specific first.

    The search finds only pages that have every word, so the first try is the
    claim's entities (quoted when several words), its two longest other words and
    the years it names; the second, if that finds nothing, fewer words.
    """
    entities = [_phrase(entity) for entity in query.entities[:4] if entity.strip()]
    entity_words = set(terms(" ".join(query.entities)))
    keywords = [word for word in terms(query.text) if word not in entity_words]
    longest = sorted(keywords, key=len, reverse=True)  # longer words are rarer
    years = sorted({day[:4] for day in query.dates if day[:4].isdigit()})
    if entities:
        candidates = [[*entities, *longest[:2], *years], entities]
    else:
        candidates = [[*longest[:4], *years], longest[:2]]
    unique: list[str] = []
    for words in candidates:
        candidate = " ".join(dict.fromkeys(words))[:MAX_SEARCH_CHARS].strip()
        if candidate and candidate not in unique:
            unique.append(candidate)
    return unique


def check_answer(fetched: Fetched, data: Mapping[str, Any]) -> None:
    """Raise ``FetchError`` when the API says to back off or reports an error."""
    error = data.get("error")
    retry_after = _header(fetched.headers, "Retry-After")
    if isinstance(error, dict):
        code = str(error.get("code", "unknown"))
        info = str(error.get("info", ""))
        if code == "maxlag":
            raise FetchError("maxlag", fetched.url, f"{info} (retry after {retry_after or '?'}s)")
        raise FetchError("api_error", fetched.url, f"{code}: {info}")
    if retry_after is not None:
        raise FetchError("retry_after", fetched.url, f"server asked to retry after {retry_after}s")


def article_url(api_url: str, title: str) -> str:
    """The article's URL on the wiki that serves ``api_url`` (".../w/api.php")."""
    base = api_url.rsplit("/w/api.php", 1)[0] if "/w/api.php" in api_url else api_url
    return f"{base}/wiki/{quote(title.replace(' ', '_'))}"


def _listed(data: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    """The objects of ``data["query"][name]``; none when the answer has no such list."""
    query = data.get("query")
    items = query.get(name) if isinstance(query, dict) else None
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _phrase(entity: str) -> str:
    entity = collapse(entity).replace('"', "")
    return f'"{entity}"' if " " in entity else entity


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None
