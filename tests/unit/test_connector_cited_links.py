"""The cited-links connector: finding an essay's links near a claim, and reading them."""

from __future__ import annotations

import html.parser
from datetime import date

import pytest

from factcheck.http import FetchError
from factcheck.sources import cited_links, text
from factcheck.sources.cited_links import (
    CitedLinksConnector,
    _trim,
    find_links,
    links_for_claim,
    paragraph_bounds,
)
from factcheck.sources.connectors import ClaimQuery
from factcheck.sources.text import decode, extract_html
from tests.fakes.common import fake_settings
from tests.fakes.sites import FakeSite, article
from tests.localserver import Answer
from tests.work import CountedText, Work, growth

BOMBS_PAGE = article(
    "Car bombs kill 215 in Sadr City",
    "At least 215 people were killed when car bombs exploded in Sadr City on Thursday.",
    "Hours earlier, Sunni militants attacked the Ministry of Health.",
    site_name="Example News",
    published="2006-11-24T08:00:00Z",
)
HEALTH_PAGE = article("Ministry of Health attacked", "Gunmen attacked the Ministry of Health.")


def essay_with(claim: str, before: str = "", after: str = "", other: str = "") -> ClaimQuery:
    """An essay whose first paragraph is ``before claim after``; ``other`` is paragraph 2."""
    first = f"{before}{claim}{after}"
    text = f"{first}\n\n{other}" if other else first
    start = len(before)
    return ClaimQuery(1, claim, start, start + len(claim), essay_text=text)


def connector_for(site: FakeSite, **overrides) -> CitedLinksConnector:
    return CitedLinksConnector(fake_settings(site.host, **overrides))


# -- finding links -------------------------------------------------------------


def test_find_links_reads_markdown_and_bare_urls():
    text = (
        'See [the report](https://example.org/report "Report") and https://example.org/a. '
        "Also (https://en.wikipedia.org/wiki/Sadr_City_(district)), "
        "https://example.org/b?x=1&y=2, and **https://example.org/c**; ftp://no.example/x."
    )

    links = find_links(text)

    assert [(link.url, link.text) for link in links] == [
        ("https://example.org/report", "the report"),
        ("https://example.org/a", ""),
        ("https://en.wikipedia.org/wiki/Sadr_City_(district)", ""),
        ("https://example.org/b?x=1&y=2", ""),
        ("https://example.org/c", ""),
    ]
    assert text[links[1].start : links[1].end] == "https://example.org/a"


def test_links_inside_the_claim_come_before_links_in_its_paragraph():
    query = essay_with(
        claim="Car bombs killed more than 200 people (https://news.example/bombs).",
        before="Read [this](https://news.example/health) first. ",
        after=" More at https://news.example/bombs and https://news.example/more.",
        other="Unrelated: https://news.example/elsewhere",
    )

    found = [(link.url, where) for link, where in links_for_claim(query)]

    assert found == [
        ("https://news.example/bombs", "in_claim"),
        ("https://news.example/health", "same_paragraph"),
        ("https://news.example/more", "same_paragraph"),
    ]


def test_links_in_other_paragraphs_are_not_the_claims():
    text = (
        "Intro https://a.example/before\n\n"
        "Claim here. Source https://a.example/same\n"
        "still the same paragraph https://a.example/wrapped\n\n"
        "Outro https://a.example/after"
    )
    start = text.index("Claim here.")
    query = ClaimQuery(1, "Claim here.", start, start + 11, essay_text=text)

    assert [link.url for link, _ in links_for_claim(query)] == [
        "https://a.example/same",
        "https://a.example/wrapped",
    ]


def test_paragraph_bounds():
    text = "One.\n\nTwo a. Two b.\n  \nThree."
    start = text.index("Two b")
    assert text[slice(*paragraph_bounds(text, start, start + 6))] == "Two a. Two b."


def test_no_essay_text_means_no_links():
    assert links_for_claim(ClaimQuery(1, "A claim.", 0, 8)) == []


# -- hostile essays and pages: the work is counted, not timed (bench/hostile_input.py
# prints the times) ------------------------------------------------------------------


def test_trimming_a_url_reads_each_character_a_bounded_number_of_times():
    """Issue 16: one URL followed by 150,000 ")" kept a worker 14 to 32 s per claim."""
    url = "https://example.org/report" + ")" * 150_000
    work = Work()
    assert _trim(CountedText(url, work)) == "https://example.org/report"
    assert work.characters <= 4 * len(url)
    assert _trim("https://en.wikipedia.org/wiki/Sadr_City_(district)).") == (
        "https://en.wikipedia.org/wiki/Sadr_City_(district)"
    )


HOSTILE_ESSAYS = {
    "markdown_links": lambda n: "[a](https://x.example/1) " * (n // 25),
    "bare_urls": lambda n: "https://x.example/a " * (n // 20),
    "closing_brackets": lambda n: "See https://x.example/a" + ")" * n,
    "opening_brackets": lambda n: "See https://x.example/a" + "(" * n,
    "unclosed_markdown": lambda n: "[a](https://x.example/" * (n // 22),
}


@pytest.mark.parametrize("make", HOSTILE_ESSAYS.values(), ids=HOSTILE_ESSAYS.keys())
def test_finding_links_grows_linearly(make):
    # Ten times the text must cost about ten times the work, not a hundred.
    assert growth([cited_links], find_links, make, 2_000) <= 12


HOSTILE_PAGES = {
    "unclosed_tags": lambda n: "<a" * (n // 2),
    "unclosed_attributes": lambda n: "<a href='x' " * (n // 12),
    "nested": lambda n: "<div>" * (n // 5) + "x",
    "comments": lambda n: "<!--" * (n // 4),
    "references": lambda n: "&#" * (n // 2),
}


@pytest.mark.parametrize("make", HOSTILE_PAGES.values(), ids=HOSTILE_PAGES.keys())
def test_reading_a_page_grows_linearly(make):
    # The standard library's parser is watched too: it was quadratic on these.
    assert growth([text, html.parser], extract_html, make, 1_000) <= 12


def test_a_million_unclosed_tags_are_read():
    """Issue 16: this page pinned a worker for the whole 60 s connector limit."""
    assert extract_html("<a" * 1_000_000).text == ""
    page = "<title>T</title><p>Before.</p>" + "<a" * 100_000 + "<p>After.</p>"
    assert extract_html(page).title == "T"


# -- reading pages -----------------------------------------------------------------


def test_reads_cited_pages_and_records_the_fetch():
    with FakeSite({"/bombs": BOMBS_PAGE, "/health": HEALTH_PAGE, "/other": "<p>x</p>"}) as site:
        query = essay_with(
            claim=f"Car bombs killed more than 200 people in Sadr City ({site.url('/bombs')}).",
            after=f" The [ministry]({site.url('/health')}) was attacked too.",
            other=f"Elsewhere: {site.url('/other')}",
        )
        found = connector_for(site).find(query)

    assert [record.url for record in found] == [site.url("/bombs"), site.url("/health")]
    bombs, health = found
    assert bombs.title == "Car bombs kill 215 in Sadr City | Example News"
    assert bombs.publisher == "Example News"
    assert bombs.published_at == date(2006, 11, 24)
    assert bombs.snapshot_text == (
        "Car bombs kill 215 in Sadr City\n\n"
        "At least 215 people were killed when car bombs exploded in Sadr City on Thursday.\n\n"
        "Hours earlier, Sunni militants attacked the Ministry of Health."
    )
    assert "At least 215 people were killed" in bombs.snippet
    assert bombs.final_url == site.url("/bombs")
    assert bombs.http_status == 200
    assert bombs.content_type == "text/html"
    assert bombs.fetched_at is not None
    assert bombs.details["position"] == "in_claim"
    link = f"[ministry]({site.url('/health')})"
    start = query.essay_text.index(link)
    assert health.details == {
        "link_text": "ministry",
        "position": "same_paragraph",
        "link_span": [start, start + len(link)],
    }
    assert health.publisher == "127.0.0.1"  # no og:site_name: the host
    assert bombs.score > health.score


def test_page_furniture_is_not_text():
    text = extract_html(BOMBS_PAGE).text
    for furniture in ("Home", "tracking", "color", "Most read", "©"):
        assert furniture not in text


def test_extraction_is_bounded_and_prefers_og_title():
    page = (
        '<html><head><title>Site | Story</title><meta property="og:title" content="Story">'
        "</head><body><p>" + "word " * 10_000 + "</p><p>unreached</p></body></html>"
    )

    extracted = extract_html(page, max_chars=1_000)

    assert extracted.title == "Story"
    assert len(extracted.text) <= 1_000
    assert extracted.text.startswith("word word")
    assert "unreached" not in extracted.text


def test_blocks_make_paragraphs_and_line_breaks_spaces():
    page = "<div>One<br>line</div><ul><li>Item  one</li><li>Item&nbsp;two &amp; more</li></ul>"

    assert extract_html(page).text == "One line\n\nItem one\n\nItem two & more"


def test_the_declared_charset_decodes_the_page():
    assert decode("Mosquée".encode("latin-1"), "text/html; charset=ISO-8859-1") == "Mosquée"
    assert decode("Mosquée".encode(), "text/html; charset=no-such-charset") == "Mosquée"


def test_a_redirect_is_recorded_as_the_final_url():
    with FakeSite({"/new": BOMBS_PAGE}) as site:
        site.add("/old", Answer.redirect(site.url("/new"), status=301))
        query = essay_with(f"Car bombs killed 215 people ({site.url('/old')}).")
        (record,) = connector_for(site).find(query)

    assert record.url == site.url("/old")
    assert record.final_url == site.url("/new")


def test_plain_text_pages_are_read():
    body = b"Casualty report\n\nAt least 215   people were killed.\n"
    page = Answer(200, body, {"Content-Type": "text/plain; charset=utf-8"})
    with FakeSite({"/report.txt": page}) as site:
        query = essay_with(f"More than 200 people died ({site.url('/report.txt')}).")
        (record,) = connector_for(site).find(query)

    assert record.title == "Casualty report"
    assert record.snapshot_text == "Casualty report\n\nAt least 215 people were killed."
    assert record.content_type == "text/plain"


def test_a_dead_link_does_not_lose_the_others():
    pdf = Answer(200, b"%PDF-1.4", {"Content-Type": "application/pdf"})
    with FakeSite({"/bombs": BOMBS_PAGE, "/report.pdf": pdf}) as site:
        query = essay_with(
            f"Car bombs killed 215 people ({site.url('/gone')}, {site.url('/report.pdf')}, "
            f"{site.url('/bombs')})."
        )
        found = connector_for(site).find(query)

    assert [record.url for record in found] == [site.url("/bombs")]


def test_every_link_failing_raises():
    with FakeSite({}) as site:
        query = essay_with(f"Car bombs killed 215 people ({site.url('/a')}, {site.url('/b')}).")
        with pytest.raises(FetchError) as raised:
            connector_for(site).find(query)

    assert raised.value.kind == "status"
    assert "all 2 cited links failed" in raised.value.detail


def test_an_empty_page_counts_as_a_failure():
    with FakeSite({"/empty": "<html><head><script>x()</script></head><body></body></html>"}) as s:
        query = essay_with(f"Car bombs killed 215 people ({s.url('/empty')}).")
        with pytest.raises(FetchError) as raised:
            connector_for(s).find(query)

    assert raised.value.kind == "empty"


def test_no_links_means_no_records_and_no_requests():
    with FakeSite({}) as site:
        assert connector_for(site).find(essay_with("Car bombs killed 215 people.")) == []
        assert site.server.requests == []


@pytest.mark.parametrize(
    ("failure", "kind"),
    [
        ("rate_limited", "status"),
        ("unavailable", "status"),
        ("hang", "timeout"),
        ("huge", "content_type"),  # served as application/json: refused before its size
        ("wrong_type", None),  # text/html is what a page should be: read, not refused
        ("redirect_metadata", "refused"),
    ],
)
def test_failure_modes_skip_the_link_and_keep_the_good_one(failure, kind):
    with FakeSite({"/bombs": BOMBS_PAGE, "/bad": failure}) as site:
        query = essay_with(f"Car bombs killed 215 people ({site.url('/bad')} {site.url('/bombs')})")
        connector = connector_for(site, http_read_timeout=0.5)
        found = connector.find(query)
        only_bad = essay_with(f"Car bombs killed 215 people ({site.url('/bad')})")
        if kind is None:
            assert len(connector.find(only_bad)) == 1
        else:
            with pytest.raises(FetchError) as raised:
                connector.find(only_bad)
            assert raised.value.kind == kind

    assert site.url("/bombs") in [record.url for record in found]


def test_a_refused_link_names_no_address_in_the_runs_error(caplog):
    """The run's error, which the desk shows, says the address is not public; what
    localhost resolved to is in the log only."""
    with FakeSite({"/bombs": BOMBS_PAGE}) as site:
        url = site.url("/bombs").replace("127.0.0.1", "localhost")
        with pytest.raises(FetchError) as raised:
            connector_for(site).find(essay_with(f"Car bombs killed 215 people ({url})."))
    recorded = str(raised.value)  # what the run stores (factcheck.sources.tasks.search)
    assert recorded == f"refused: {url}: all 1 cited links failed; not a public address"
    assert "localhost resolves to 127.0.0.1 (loopback)" in caplog.text


def test_a_huge_html_page_is_refused():
    huge = Answer(200, lambda: b"<p>" + b"x" * 3_000_000, {"Content-Type": "text/html"})
    with FakeSite({"/huge": huge}) as site:
        query = essay_with(f"Car bombs killed 215 people ({site.url('/huge')}).")
        with pytest.raises(FetchError) as raised:
            connector_for(site).find(query)

    assert raised.value.kind == "too_large"


def test_at_most_max_links_are_fetched():
    with FakeSite({f"/{n}": BOMBS_PAGE for n in range(8)}) as site:
        urls = " ".join(site.url(f"/{n}") for n in range(8))
        query = essay_with(f"Car bombs killed 215 people ({urls}).")
        found = CitedLinksConnector(fake_settings(site.host), max_links=3).find(query)

    assert len(found) == 3
    assert len(site.server.requests) == 3
