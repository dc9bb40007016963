"""The links an essay cites next to a claim: fetched, read, and offered as evidence.

A link belongs to a claim when it sits inside the claim's span, or in the same
paragraph. Markdown links (``[text](https://...)``) and bare ``http(s)://`` URLs
count. Each page is fetched through the one HTTP client (HTML or plain text
only, size-capped) and its main text extracted.

One dead link must not cost the others: a link that fails is skipped (and
logged); ``FetchError`` is raised only when every link failed: the run ends
``failed`` and the reconciler retries it later.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from dataclasses import dataclass
from urllib.parse import urlsplit

from factcheck.db import Database
from factcheck.http import HTML, Fetched, FetchError, HttpClient, get_client
from factcheck.settings import Settings
from factcheck.sources.connectors import ClaimQuery, Found, Reach
from factcheck.sources.text import best_passage, overlap, page_text

log = logging.getLogger(__name__)

MAX_LINKS = 5  # per claim: enough for a well-sourced sentence, bounded for a link farm
MAX_PAGE_BYTES = 2_000_000

# [text](url "optional title"); one level of balanced parentheses inside the URL.
_MARKDOWN_LINK = re.compile(
    r"\[(?P<text>[^\]\n]{0,300})\]\(\s*(?P<url>https?://(?:[^\s()]|\([^\s()]*\))+)"
    r"(?:\s+\"[^\"\n]*\")?\s*\)"
)
_BARE_URL = re.compile(r"https?://[^\s<>\"'\[\]{}|\\^`]+")
_TRAILING = ".,;:!?'\"*_"  # sentence punctuation and markdown emphasis after a URL
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class Link:
    url: str
    text: str  # the markdown link text, or "" for a bare URL
    start: int  # span of the whole link in the essay text
    end: int


class CitedLinksConnector:
    name = "cited_links"
    reach = Reach.NETWORK
    archived = True
    time_limit = 60  # fetches several of the essay's links

    def __init__(
        self, settings: Settings, client: HttpClient | None = None, max_links: int = MAX_LINKS
    ) -> None:
        self.client = client or get_client(settings)
        self.max_links = max_links

    @classmethod
    def build(cls, settings: Settings, database: Database) -> CitedLinksConnector:
        return cls(settings)

    @staticmethod
    def enabled(settings: Settings) -> bool:
        return True

    def find(self, query: ClaimQuery) -> list[Found]:
        links = links_for_claim(query)[: self.max_links]
        found: list[Found] = []
        failures: list[FetchError] = []
        for link, where in links:
            try:
                found.append(self._read(query, link, where))
            except FetchError as error:
                log.warning("cited link skipped: %s", error)
                failures.append(error)
        if failures and not found:
            first = failures[0]
            raise FetchError(
                first.kind, first.url, f"all {len(failures)} cited links failed; {first.detail}"
            )
        found.sort(key=lambda record: record.score, reverse=True)
        return found

    def _read(self, query: ClaimQuery, link: Link, where: str) -> Found:
        fetched = self.client.get(link.url, accept=HTML, max_bytes=MAX_PAGE_BYTES)
        page = page_text(fetched.body, fetched.content_type, _content_type_header(fetched))
        if not page.text:
            raise FetchError("empty", fetched.url, "no readable text on the page")
        # A link inside the claim was cited for it; one in the paragraph maybe not.
        base = 1.0 if where == "in_claim" else 0.7
        return Found(
            url=link.url,
            title=page.title or link.text or link.url,
            publisher=page.site_name or _host(fetched.url),
            published_at=page.published_at,
            snippet=best_passage(page.text, query.text),
            snapshot_text=page.text,
            score=round(base * (0.5 + 0.5 * overlap(query.text, page.text)), 4),
            details={
                "link_text": link.text,
                "position": where,
                "link_span": [link.start, link.end],
            },
            final_url=fetched.url,
            http_status=fetched.status,
            content_type=fetched.content_type,
            fetched_at=fetched.fetched_at,
        )


def links_for_claim(query: ClaimQuery) -> list[tuple[Link, str]]:
    """The essay's links near the claim, each with "in_claim" or "same_paragraph", in order.

    Links inside the claim come first; a URL cited twice is kept once. Only the
    claim's paragraph is read (no link spans a blank line), so a long essay costs
    each of its claims its own paragraph, not the whole text.
    """
    text = query.essay_text
    if not text:
        return []
    para_start, para_end = paragraph_bounds(text, query.start, query.end)
    inside, nearby, seen = [], [], set()
    for link in find_links(text, para_start, para_end):
        if link.url in seen:
            continue
        if link.start >= query.start and link.end <= query.end:
            inside.append((link, "in_claim"))
        else:
            nearby.append((link, "same_paragraph"))
        seen.add(link.url)
    return inside + nearby


def find_links(text: str, start: int = 0, end: int | None = None) -> list[Link]:
    """Markdown links and bare URLs in ``text[start:end]``, in order of position.

    Linear in the text: each bare URL is looked up among the markdown links by
    bisection, and trimmed in one pass.
    """
    end = len(text) if end is None else end
    links = [
        Link(match["url"], match["text"].strip(), match.start(), match.end())
        for match in _MARKDOWN_LINK.finditer(text, start, end)
    ]
    starts = [link.start for link in links]  # in order, and the links do not overlap
    for match in _BARE_URL.finditer(text, start, end):
        before = bisect_right(starts, match.start()) - 1
        if before >= 0 and match.start() < links[before].end:
            continue  # the URL part of a markdown link
        url = _trim(match.group())
        if urlsplit(url).hostname:
            links.append(Link(url, "", match.start(), match.start() + len(url)))
    return sorted(links, key=lambda link: link.start)


def paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the paragraph(s) holding ``text[start:end]``; blank lines separate them."""
    before = [match.end() for match in _PARAGRAPH_BREAK.finditer(text, 0, start)]
    after = _PARAGRAPH_BREAK.search(text, end)
    return (before[-1] if before else 0), (after.start() if after else len(text))


def _trim(url: str) -> str:
    """Drop punctuation that ends the sentence, and each ")" that closes the prose
    around the URL rather than a "(" inside it. One pass from the end: the counts
    of brackets are taken once, not again for every character dropped."""
    unmatched = url.count(")") - url.count("(")
    keep = len(url)
    while keep:
        last = url[keep - 1]
        if last == ")" and unmatched > 0:
            unmatched -= 1
        elif last not in _TRAILING:
            break
        keep -= 1
    return url[:keep]


def _host(url: str) -> str | None:
    host = urlsplit(url).hostname
    return host.removeprefix("www.") if host else None


def _content_type_header(fetched: Fetched) -> str:
    for key, value in fetched.headers.items():
        if key.lower() == "content-type":
            return value
    return ""
