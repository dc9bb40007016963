"""The Atom feed against RFC 4287's MUSTs, read with an XML parser (feedparser's bozo
flag is not enough: it passed a feed with no author), and its HTML page, the index of
published fact-checks at /fact-checks/ (issue 16)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit
from xml.etree import ElementTree

from tests.unit.test_publishing import BASE_URL, desk  # noqa: F401  (desk: a published essay)

A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
TEXT_TYPES = {None, "text", "html", "xhtml"}


def rfc4287_problems(document: bytes) -> list[str]:
    """What in ``document`` breaks a MUST of RFC 4287 (the ones a parser can check)."""
    feed = ElementTree.fromstring(document)
    problems = [] if feed.tag == f"{A}feed" else ["the root is not atom:feed"]
    entries = feed.findall(f"{A}entry")
    problems += _one_each(feed, "feed", ["id", "title", "updated"])
    if not feed.findall(f"{A}author") and not all(e.findall(f"{A}author") for e in entries):
        problems.append("4.1.1: no atom:author on the feed, and not on every entry")
    problems += _common(feed, "feed")
    for number, entry in enumerate(entries, 1):
        where = f"entry {number}"
        problems += _one_each(entry, where, ["id", "title", "updated"])
        problems += _common(entry, where)
        alternates = [
            link
            for link in entry.findall(f"{A}link")
            if link.get("rel", "alternate") == "alternate"
        ]
        if not alternates and entry.find(f"{A}content") is None:
            problems.append(f"4.1.2: {where} has neither an alternate link nor content")
    return problems


def _one_each(element: ElementTree.Element, where: str, names: list[str]) -> list[str]:
    return [
        f"{where} has {count} atom:{name}, not exactly one"
        for name in names
        if (count := len(element.findall(f"{A}{name}"))) != 1
    ]


def _common(element: ElementTree.Element, where: str) -> list[str]:
    """Rules for the id, dates, text constructs, persons and links of a feed or entry."""
    problems = []
    for identifier in element.findall(f"{A}id"):
        if not urlsplit(identifier.text or "").scheme:
            problems.append(f"4.2.6: {where}'s id is not an absolute IRI")
    for date in element.findall(f"{A}updated") + element.findall(f"{A}published"):
        if not RFC3339.fullmatch(date.text or ""):
            problems.append(f"3.3: {where}'s {date.tag} is not an RFC 3339 date-time")
    for name in ("title", "subtitle", "summary", "rights"):
        for text in element.findall(f"{A}{name}"):
            if text.get("type") not in TEXT_TYPES:
                problems.append(f"3.1.1: {where}'s {name} has type {text.get('type')}")
    for person in element.findall(f"{A}author") + element.findall(f"{A}contributor"):
        if len(person.findall(f"{A}name")) != 1:
            problems.append(f"3.2.1: a person of {where} without exactly one atom:name")
    seen = set()
    for link in element.findall(f"{A}link"):
        if not link.get("href"):
            problems.append(f"4.2.7.1: a link of {where} without href")
        if link.get("rel", "alternate") == "alternate":
            key = (link.get("type"), link.get("hreflang"))
            if key in seen:
                problems.append(f"4.1.1: {where} has two alternate links of one type")
            seen.add(key)
    return problems


def test_the_feed_keeps_every_must_of_rfc_4287(desk):  # noqa: F811
    feed = desk["client"].get("/fact-checks/feed.atom")
    assert feed.status_code == 200
    assert rfc4287_problems(feed.data) == []
    author = ElementTree.fromstring(feed.data).find(f"{A}author")
    assert author.findtext(f"{A}name") == "factcheck desk"
    assert author.findtext(f"{A}uri") == BASE_URL


def test_the_feed_s_html_page_lists_the_published_fact_checks(desk):  # noqa: F811
    client, essay_id = desk["client"], desk["essay_id"]
    feed = ElementTree.fromstring(client.get("/fact-checks/feed.atom").data)
    [alternate] = [link for link in feed.findall(f"{A}link") if link.get("rel") == "alternate"]
    assert alternate.get("type") == "text/html"
    assert alternate.get("href") == f"{BASE_URL}/fact-checks/"
    index = client.get("/fact-checks/")
    assert index.status_code == 200 and index.mimetype == "text/html"
    assert f'href="/fact-checks/{essay_id}"' in index.text
    assert "<cite>Newsweek</cite>" in index.text


def test_an_empty_index_says_so(client):
    index = client.get("/fact-checks/")
    assert index.status_code == 200 and "Nothing is published yet." in index.text


def test_the_check_finds_a_feed_without_an_author():
    feed = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><id>u</id><title>t</title>'
        b"<updated>2026-01-01</updated><entry><id>https://x/1</id><title>t</title>"
        b"<updated>2026-01-01T00:00:00Z</updated></entry></feed>"
    )
    problems = rfc4287_problems(feed)
    assert "4.1.1: no atom:author on the feed, and not on every entry" in problems
    assert "4.2.6: feed's id is not an absolute IRI" in problems
    assert any(p.startswith("3.3: feed's") for p in problems)
    assert "4.1.2: entry 1 has neither an alternate link nor content" in problems
