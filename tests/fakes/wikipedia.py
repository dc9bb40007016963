"""A fake MediaWiki Action API (``/w/api.php``) that answers like en.wikipedia.org.

    with FakeWikipedia([WikiPage("Sadr City", "Sadr City is a district ...")]) as wiki:
        settings = fake_settings(wiki.host, wikipedia_api_url=wiki.url)

It understands the two requests the connector makes, with ``format=json`` and
``formatversion=2`` answer shapes as documented on mediawiki.org (API:Search,
API:Info, API:Revisions, Extension:TextExtracts):

* ``action=query&list=search&srsearch=...&srlimit=N`` → ``{"batchcomplete": true,
  "query": {"searchinfo": {"totalhits": n}, "search": [{"ns", "title", "pageid",
  "size", "wordcount", "snippet", "timestamp"}]}}``. Like CirrusSearch, a page
  matches when it has every word; a "quoted phrase" must appear as written.
* ``action=query&prop=extracts|revisions|info&pageids=1|2`` → ``{"batchcomplete":
  true, "query": {"pages": [{"pageid", "ns", "title", "extract", "revisions":
  [{"revid", "parentid", "timestamp"}], "lastrevid", "touched", "fullurl",
  "canonicalurl", ...}]}}``; an unknown id gives ``{"pageid": id, "missing": true}``.

``maxlag=True`` answers every request that carries ``maxlag`` the way a lagged
wiki does: 200, ``{"error": {"code": "maxlag", ...}}``, ``Retry-After: 5``.
Latency and the failure modes of ``tests.fakes.common`` apply as well.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from tests.fakes.common import FakeService
from tests.localserver import Answer, LocalServer, Request

ARTICLE_BASE = "https://en.wikipedia.org/wiki/"


@dataclass
class WikiPage:
    title: str
    extract: str  # the lead section, as plain text
    body: str = ""  # more article text the search can match (the extract is searched too)
    pageid: int = 0  # 0: numbered by the fake
    revid: int = 0
    timestamp: str = "2024-03-01T12:00:00Z"  # of the latest revision

    def searchable(self) -> str:
        return f"{self.title}\n{self.extract}\n{self.body}"


class FakeWikipedia(FakeService):
    path = "/w/api.php"

    def __init__(
        self,
        pages: Iterable[WikiPage] = (),
        *,
        maxlag: bool = False,
        server: LocalServer | None = None,
        **options: Any,
    ) -> None:
        super().__init__(server=server, **options)
        self.pages: list[WikiPage] = []
        self.maxlag = maxlag
        for page in pages:
            self.add(page)

    def add(self, page: WikiPage) -> WikiPage:
        number = len(self.pages) + 1
        page.pageid = page.pageid or 1000 + number
        page.revid = page.revid or 500_000 + number
        self.pages.append(page)
        return page

    def answer(self, request: Request) -> Answer:
        if self.maxlag and request.arg("maxlag"):
            return lagged(request.arg("maxlag", "5") or "5")
        if request.arg("action") != "query":
            return api_error("badvalue", 'Unrecognized value for parameter "action".')
        if request.arg("list") == "search":
            return self._search(request)
        if request.arg("prop"):
            return self._pages(request)
        return Answer.json({"batchcomplete": True})

    def _search(self, request: Request) -> Answer:
        text = request.arg("srsearch") or ""
        if not text:
            return api_error("missingparam", 'The "srsearch" parameter must be set.')
        limit = int(request.arg("srlimit", "10") or 10)
        hits = [page for page in self.pages if matches(page.searchable(), text)]
        hits.sort(key=lambda page: -relevance(page, text))
        return Answer.json(
            {
                "batchcomplete": True,
                "query": {
                    "searchinfo": {"totalhits": len(hits)},
                    "search": [search_hit(page, text) for page in hits[:limit]],
                },
            }
        )

    def _pages(self, request: Request) -> Answer:
        ids = [int(part) for part in (request.arg("pageids") or "").split("|") if part.isdigit()]
        by_id = {page.pageid: page for page in self.pages}
        pages = [
            page_info(by_id[page_id]) if page_id in by_id else {"pageid": page_id, "missing": True}
            for page_id in ids
        ]
        return Answer.json({"batchcomplete": True, "query": {"pages": pages}})


def lagged(maxlag: str) -> Answer:
    lag = int(maxlag) + 2
    error = {
        "code": "maxlag",
        "info": f"Waiting for 10.64.16.8: {lag} seconds lagged.",
        "host": "10.64.16.8",
        "lag": lag,
        "type": "db",
        "docref": "See https://en.wikipedia.org/w/api.php for API usage.",
    }
    return Answer.json(
        {"error": error, "servedby": "mw-api-ext.fake"},
        **{"Retry-After": "5", "X-Database-Lag": str(lag)},
    )


def api_error(code: str, info: str) -> Answer:
    return Answer.json(
        {"error": {"code": code, "info": info, "docref": "See /w/api.php"}, "servedby": "fake"}
    )


def phrases(search: str) -> list[str]:
    """The search's "quoted phrases" and single words, lower case."""
    quoted = re.findall(r'"([^"]+)"', search)
    rest = re.sub(r'"[^"]*"', " ", search)
    return [phrase.lower() for phrase in quoted] + re.findall(r"[\w'-]+", rest.lower())


def matches(text: str, search: str) -> bool:
    text = " ".join(text.lower().split())
    wanted = phrases(search)
    return bool(wanted) and all(phrase in text for phrase in wanted)


def relevance(page: WikiPage, search: str) -> int:
    """Title matches count most, then how often the words occur."""
    title, text = page.title.lower(), page.searchable().lower()
    return sum(10 * (phrase in title) + text.count(phrase) for phrase in phrases(search))


def search_hit(page: WikiPage, search: str) -> dict[str, Any]:
    text = page.searchable()
    return {
        "ns": 0,
        "title": page.title,
        "pageid": page.pageid,
        "size": len(text.encode()),
        "wordcount": len(text.split()),
        "snippet": snippet(page.extract or page.body, search),
        "timestamp": page.timestamp,
    }


def snippet(text: str, search: str) -> str:
    """Like CirrusSearch: a piece of the text with matches in <span class="searchmatch">."""
    piece = html.escape(text[:200])
    for phrase in phrases(search):
        piece = re.sub(
            f"({re.escape(html.escape(phrase))})",
            r'<span class="searchmatch">\1</span>',
            piece,
            flags=re.IGNORECASE,
        )
    return piece


def page_info(page: WikiPage) -> dict[str, Any]:
    url = ARTICLE_BASE + quote(page.title.replace(" ", "_"))
    return {
        "pageid": page.pageid,
        "ns": 0,
        "title": page.title,
        "extract": page.extract,
        "revisions": [
            {"revid": page.revid, "parentid": page.revid - 1, "timestamp": page.timestamp}
        ],
        "contentmodel": "wikitext",
        "pagelanguage": "en",
        "pagelanguagehtmlcode": "en",
        "pagelanguagedir": "ltr",
        "touched": page.timestamp,
        "lastrevid": page.revid,
        "length": len(page.searchable().encode()),
        "fullurl": url,
        "editurl": url.replace("/wiki/", "/w/index.php?title=") + "&action=edit",
        "canonicalurl": url,
    }
