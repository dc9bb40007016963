"""Every remote source the connectors reach, on one local server, stocked for an essay.

    with EvidenceWorld(latency=0.1) as world:
        text = world.with_links(essay_text)  # each paragraph cites a page of the fake site
        world.stock(claim_texts)  # something to find for every claim
        env = world.environment()  # FACTCHECK_* settings pointing every connector here

Wikipedia gets a page per claim, Fact Check Tools an earlier review per claim,
the fake site an article per paragraph, and the Wayback Machine a capture of
every URL, so each connector finds something for every claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tests.fakes.factchecktools import KEY, FakeFactCheckTools, claim, review
from tests.fakes.sites import FakeSite, article
from tests.fakes.wayback import FakeWayback
from tests.fakes.wikipedia import FakeWikipedia, WikiPage
from tests.localserver import LocalServer


class EvidenceWorld:
    def __init__(self, latency: float | tuple[float, float] = 0.0) -> None:
        self.server = LocalServer()
        self.wikipedia = FakeWikipedia(server=self.server, latency=latency)
        self.factcheck_tools = FakeFactCheckTools(server=self.server, latency=latency)
        self.wayback = FakeWayback(every_url="20061201000000", server=self.server, latency=latency)
        self.site = FakeSite(server=self.server, latency=latency)

    def __enter__(self) -> EvidenceWorld:
        self.server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.__exit__(*exc)

    def stock(self, claim_texts: Sequence[str]) -> None:
        """A Wikipedia page and an earlier fact-check for every claim."""
        for n, text in enumerate(claim_texts, len(self.wikipedia.pages) + 1):
            self.wikipedia.add(WikiPage(f"Article {n}", text))
            reviewed = review(f"https://checks.example/{n}", "Mostly true")
            self.factcheck_tools.claims.append(claim(text, [reviewed], "A. Claimant"))

    def with_links(self, text: str) -> str:
        """The text with a markdown link at the end of each paragraph to an article
        on the fake site that repeats the paragraph."""
        paragraphs = text.split("\n\n")
        linked = []
        for n, paragraph in enumerate(paragraphs, 1):
            if not paragraph.strip():
                linked.append(paragraph)
                continue
            url = self.site.add(f"/news/{n}", article(f"Report {n}", paragraph))
            linked.append(f"{paragraph} ([report]({url}))")
        return "\n\n".join(linked)

    def environment(self) -> dict[str, str]:
        return {
            "FACTCHECK_CONNECTORS": "library,desk,wikipedia,factcheck_tools,cited_links",
            "FACTCHECK_WIKIPEDIA_API_URL": self.server.url(self.wikipedia.path),
            "FACTCHECK_FACTCHECK_TOOLS_URL": self.server.url(self.factcheck_tools.path),
            "FACTCHECK_FACTCHECK_TOOLS_KEY": KEY,
            "FACTCHECK_ARCHIVE_ENABLED": "true",
            "FACTCHECK_ARCHIVE_URL": self.server.url(self.wayback.path),
            "FACTCHECK_HTTP_ALLOW_HOSTS": self.server.host,
            # Every fake shares one host; the per-host limit is meant for real sites.
            "FACTCHECK_HTTP_RATE_PER_HOST": "0",
        }

    def requests_by_path(self) -> dict[str, int]:
        counts: dict[str, Any] = {}
        for request in self.server.requests:
            counts[request.path] = counts.get(request.path, 0) + 1
        return counts
