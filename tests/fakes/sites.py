"""Fake web sites for cited links: HTML or text pages on a LocalServer.

    with FakeSite({"/news/bombs": article("Car bombs", "At least 215 people ...")}) as site:
        essay = f"... more than 200 people ({site.url('/news/bombs')})."

A page is a string (served as text/html) or a ``tests.localserver.Answer``; a
failure mode from ``tests.fakes.common.FAILURES`` serves that failure on its path.
``latency`` slows every page down.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from tests.fakes.common import FAILURES, HANG_SECONDS, delay_of, failure_answer
from tests.localserver import Answer, LocalServer, Request


def article(
    title: str,
    *paragraphs: str,
    site_name: str | None = None,
    published: str | None = None,
) -> str:
    """A news-like page: head, navigation, header, the article, an aside and a footer."""
    meta = ""
    if site_name:
        meta += f'<meta property="og:site_name" content="{html.escape(site_name)}">'
    if published:
        meta += f'<meta property="article:published_time" content="{published}">'
    body = "".join(f"<p>{html.escape(paragraph)}</p>" for paragraph in paragraphs)
    return (
        f"<!doctype html><html><head><title>{html.escape(title)} | Example News</title>{meta}"
        "<script>window.tracking = 'ignore me';</script><style>p { color: red }</style></head>"
        "<body><header><nav><a href='/'>Home</a> <a href='/world'>World</a></nav></header>"
        f"<main><article><h1>{html.escape(title)}</h1>{body}</article></main>"
        "<aside>Most read: celebrity news</aside><footer>© Example News</footer></body></html>"
    )


class FakeSite:
    def __init__(
        self,
        pages: Mapping[str, str | Answer] | None = None,
        *,
        latency: float | tuple[float, float] = 0.0,
        hang_seconds: float = HANG_SECONDS,
        server: LocalServer | None = None,
    ) -> None:
        self._owns_server = server is None
        self.server = server or LocalServer()
        self.latency = latency
        self.hang_seconds = hang_seconds
        for path, page in (pages or {}).items():
            self.add(path, page)

    def add(self, path: str, page: str | Answer) -> str:
        """Serve ``page`` at ``path``; return its URL."""

        def handle(_request: Request) -> Answer:
            if isinstance(page, Answer):
                answer = Answer(page.status, page.body, dict(page.headers), page.delay)
            elif page in FAILURES:
                answer = failure_answer(page, self.hang_seconds)
            else:
                answer = Answer.html(page)
            answer.delay += delay_of(self.latency)
            return answer

        self.server.route(path, handle)
        return self.url(path)

    def url(self, path: str) -> str:
        return self.server.url(path)

    @property
    def host(self) -> str:
        return self.server.host

    def __enter__(self) -> FakeSite:
        if self._owns_server:
            self.server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._owns_server:
            self.server.__exit__(*exc)
