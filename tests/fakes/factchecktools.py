"""A fake Google Fact Check Tools API (``GET /v1alpha1/claims:search``).

    with FakeFactCheckTools([claim("Crime has doubled", reviews=[review(...)])]) as api:
        settings = fake_settings(api.host, factcheck_tools_url=api.url,
                                 factcheck_tools_key=api.key)

Answers in the documented shape (developers.google.com/fact-check/tools/api/
reference/rest/v1alpha1/claims/search): ``{"claims": [{"text", "claimant",
"claimDate", "claimReview": [{"publisher": {"name", "site"}, "url", "title",
"reviewDate", "textualRating", "languageCode"}]}], "nextPageToken"}``, and ``{}``
when nothing matches. A claim matches when it shares a word of four letters or
more with ``query``. A wrong key gets Google's 400 ``API_KEY_INVALID`` error body,
no key a 403. Latency and the failure modes of ``tests.fakes.common`` apply.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from tests.fakes.common import FakeService
from tests.localserver import Answer, LocalServer, Request

KEY = "test-key-AIzaSyFake0123456789"


def review(
    url: str,
    rating: str,
    publisher: str = "Awesome Fact Checks",
    site: str = "awesomefactchecks.com",
    title: str | None = None,
    review_date: str | None = "2024-02-10T00:00:00Z",
    language: str = "en",
) -> dict[str, Any]:
    """One ``claimReview`` entry, fields named as the API names them."""
    entry: dict[str, Any] = {
        "publisher": {"name": publisher, "site": site},
        "url": url,
        "textualRating": rating,
        "languageCode": language,
    }
    if title is not None:
        entry["title"] = title
    if review_date is not None:
        entry["reviewDate"] = review_date
    return entry


def claim(
    text: str,
    reviews: list[dict[str, Any]],
    claimant: str | None = None,
    claim_date: str | None = None,
) -> dict[str, Any]:
    """One entry of ``claims``; optional fields left out, as the API does."""
    entry: dict[str, Any] = {"text": text, "claimReview": reviews}
    if claimant is not None:
        entry["claimant"] = claimant
    if claim_date is not None:
        entry["claimDate"] = claim_date
    return entry


class FakeFactCheckTools(FakeService):
    path = "/v1alpha1/claims:search"

    def __init__(
        self,
        claims: Iterable[dict[str, Any]] = (),
        *,
        key: str = KEY,
        server: LocalServer | None = None,
        **options: Any,
    ) -> None:
        super().__init__(server=server, **options)
        self.claims = list(claims)
        self.key = key

    def answer(self, request: Request) -> Answer:
        key = request.arg("key")
        if not key:
            return google_error(403, "PERMISSION_DENIED", "The request is missing a valid API key.")
        if key != self.key:
            return google_error(
                400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key."
            )
        query = request.arg("query") or ""
        if not query:
            return google_error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.")
        page_size = int(request.arg("pageSize", "10") or 10)
        offset = int(request.arg("pageToken", "0") or 0)
        hits = [entry for entry in self.claims if shares_a_word(entry["text"], query)]
        page = hits[offset : offset + page_size]
        if not page:
            return Answer.json({})  # what the real API answers when nothing matches
        body: dict[str, Any] = {"claims": page}
        if offset + page_size < len(hits):
            body["nextPageToken"] = str(offset + page_size)
        return Answer.json(body)


def shares_a_word(text: str, query: str) -> bool:
    def words(value: str) -> set[str]:
        return {word for word in re.findall(r"\w+", value.lower()) if len(word) >= 4}

    return bool(words(text) & words(query))


def google_error(code: int, status: str, message: str) -> Answer:
    """Google's JSON error body, with the matching HTTP status."""
    return Answer.json({"error": {"code": code, "message": message, "status": status}}, code)
