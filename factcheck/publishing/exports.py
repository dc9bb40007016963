"""Every export of published fact-checks, in one registry.

An exporter renders published versions, each read as its ``Snapshot``, into one
format: JSON, Markdown and ClaimReview JSON-LD of one fact-check's current version;
the Atom feed of the newest versions and a CSV of the published verdicts across
fact-checks. Each registers once, with ``@exporter``, here: the web serves every
entry at ``/fact-checks/<essay id>.<extension>`` or, for a collection,
``/fact-checks/<collection>.<extension>``, and lists them on the reader page.

Everything here renders text that came from essays, reviewers and sources, so
each format escapes it in its own way: Markdown backslashes what CommonMark would
read as markup, and nothing else, and only http(s) links become links; XML is built
by ElementTree; CSV follows OWASP's guidance on CSV injection: every cell is quoted,
and a cell a spreadsheet could run as a formula starts with an apostrophe; JSON is
escaped by the encoder.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.etree import ElementTree

from sqlalchemy.orm import Session

from factcheck.claims.decisions import REASON_LABELS
from factcheck.errors import NotFound
from factcheck.publishing import services as publishing
from factcheck.publishing.claimreview import claim_review
from factcheck.publishing.models import Publication
from factcheck.publishing.snapshot import ClaimSnapshot, Snapshot
from factcheck.review import ratings


@dataclass(frozen=True)
class Published:
    """One published version as exporters read it: its snapshot and the version's facts."""

    snapshot: Snapshot
    essay_id: int
    version: int
    kind: str  # publication, correction or withdrawal
    published_at: datetime
    changelog: str
    page_url: str  # the fact-check's page, which shows its current version
    version_url: str  # this version's own page
    # The note of the withdrawal that took this version down (publishing.taken_down).
    taken_down: str | None = None

    @classmethod
    def of(
        cls,
        publication: Publication,
        page_url: str,
        version_url: str,
        taken_down: str | None = None,
    ) -> Published:
        snapshot = Snapshot.model_validate(publication.content)
        if taken_down is not None:  # not even an exporter that forgets to ask shows a verdict
            snapshot = snapshot.model_copy(update={"claims": []})
        return cls(
            snapshot=snapshot,
            essay_id=publication.essay_id,
            version=publication.version,
            kind=publication.kind,
            published_at=publication.published_at,
            changelog=publication.changelog,
            page_url=page_url,
            version_url=version_url,
            taken_down=taken_down,
        )

    def claim_url(self, claim_id: int) -> str:
        """A checked claim's own page (web/public.py's claim_page), its review's URL."""
        return f"{self.page_url}/claims/{claim_id}"

    @property
    def withdrawn(self) -> bool:
        """Taken down: this version is a withdrawal, or one came after it."""
        return self.kind == "withdrawal" or self.taken_down is not None

    def rated(self) -> list[ClaimSnapshot]:
        """The claims this version shows a verdict for: none once withdrawn."""
        return [] if self.withdrawn else self.snapshot.rated()

    def not_checked(self) -> list[ClaimSnapshot]:
        """The claims this version says were not checked, and why: none once withdrawn."""
        return [] if self.withdrawn else self.snapshot.not_checked()


@dataclass(frozen=True)
class Export:
    """What an exporter is given: published versions, and where the export is served."""

    versions: list[Published]  # a fact-check's export: its current version alone
    url: str
    publisher: str  # the organisation's name, for a collection's title and author
    publisher_url: str = ""  # the organisation's address, when known
    index_url: str = ""  # the HTML page listing the published fact-checks

    @property
    def current(self) -> Published:
        """The one version a fact-check's export renders."""
        return self.versions[0]


Render = Callable[[Export], str | bytes]
Reads = Callable[[Session], list[Publication]]


@dataclass(frozen=True)
class Exporter:
    name: str  # what readers are shown: "Markdown"
    extension: str  # after the dot in the URL
    media_type: str
    render: Render
    collection: str | None  # None: one fact-check; else the collection's name in the URL
    reads: Reads | None  # a collection's versions, newest first

    @property
    def suffix(self) -> str:
        """What follows /fact-checks/ and the essay id: "md", or "feed.atom"."""
        return f"{self.collection}.{self.extension}" if self.collection else self.extension


EXPORTERS: dict[str, Exporter] = {}  # by suffix


def exporter(
    name: str,
    extension: str,
    media_type: str,
    *,
    collection: str | None = None,
    reads: Reads | None = None,
) -> Callable[[Render], Render]:
    """Register ``render`` as the export ``name``. A collection names the versions it
    ``reads``; a fact-check's export reads the fact-check's current version."""
    assert (collection is None) == (reads is None), "a collection, and only one, says what it reads"

    def register(render: Render) -> Render:
        entry = Exporter(name, extension, media_type, render, collection, reads)
        assert entry.suffix not in EXPORTERS, f"{entry.suffix} is registered twice"
        EXPORTERS[entry.suffix] = entry
        return render

    return register


def fact_check_exporters() -> list[Exporter]:
    return [entry for entry in EXPORTERS.values() if entry.collection is None]


def collection_exporters() -> list[Exporter]:
    return [entry for entry in EXPORTERS.values() if entry.collection is not None]


def find(suffix: str, collection: bool) -> Exporter:
    """The exporter served at ``suffix``, else NotFound listing the known ones."""
    known = collection_exporters() if collection else fact_check_exporters()
    for entry in known:
        if entry.suffix == suffix:
            return entry
    raise NotFound(f"there is no export {suffix!r}", formats=[entry.suffix for entry in known])


# --- one fact-check ----------------------------------------------------------------


@exporter("JSON", "json", "application/json")
def to_json(export: Export) -> str:
    """The version's facts and its snapshot (none once withdrawn, as on the page)."""
    shown = export.current
    return json.dumps(
        {
            "essay_id": shown.essay_id,
            "version": shown.version,
            "kind": shown.kind,
            "published_at": shown.published_at.isoformat(),
            "changelog": shown.changelog,
            "url": shown.version_url,
            "content": None if shown.withdrawn else shown.snapshot.model_dump(mode="json"),
        },
        ensure_ascii=False,
    )


def claim_reviews(published: Published) -> list[dict[str, Any]]:
    """A ClaimReview for each claim the version rates; the reader page embeds these."""
    return [
        claim_review(published.snapshot, claim, published.claim_url(claim.id))
        for claim in published.rated()
    ]


@exporter("ClaimReview JSON-LD", "jsonld", "application/ld+json")
def to_claim_reviews(export: Export) -> str:
    """The ClaimReviews, then a schema.org Claim (no rating) for each claim not
    checked, whose description says why."""
    shown = export.current
    return json.dumps(
        claim_reviews(shown) + [unchecked_claim(shown, claim) for claim in shown.not_checked()],
        ensure_ascii=False,
    )


def unchecked_claim(shown: Published, claim: ClaimSnapshot) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "Claim",
        "text": claim.text,
        "description": f"Not checked: {_reason(claim)}",
        "url": f"{shown.page_url}#claim-{claim.id}",
    }


def _reason(claim: ClaimSnapshot) -> str:
    return claim.not_checked_label or REASON_LABELS.get(claim.reason or "", "not checked")


ATOM = "http://www.w3.org/2005/Atom"

# What CommonMark could read as markup inside a line: backslash escapes, code spans,
# emphasis, links and images, raw HTML and autolinks. Hyphens, full stops and the
# rest of ordinary punctuation mean nothing there and stay as written.
_INLINE = re.compile(r"[\\`*\[\]<]")
# An underscore between two letters or digits never opens or closes emphasis.
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")  # &amp; &#38; would be decoded
# What starts a block when it opens a line: a heading, a quote, a list item, a
# thematic break, a code fence.
_BLOCK_START = re.compile(r"^(#(?=#{0,5}(\s|$))|>|-(?=\s|$|-)|\+(?=\s|$)|~|\d{1,9}(?=[.)](\s|$)))")
_HEADING_CLOSE = re.compile(r"(\s)(#+)$")  # " ##" at a heading's end is dropped


def md(text: str | None) -> str:
    """Text that Markdown shows as written, never as markup: only what CommonMark
    would read as markup is backslashed (``same-day`` stays ``same-day``)."""
    text = " ".join((text or "").split())
    text = _INLINE.sub(r"\\\g<0>", text)
    text = _UNDERSCORE.sub(r"\\_", text)
    text = _ENTITY.sub(r"\\&", text)
    text = _HEADING_CLOSE.sub(r"\1\\\2", text)
    match = _BLOCK_START.match(text)
    if match is None:
        return text
    cut = match.end() if text[0].isdigit() else 0  # "1." or "2)": the dot or bracket
    return f"{text[:cut]}\\{text[cut:]}"


def md_link(title: str, url: str | None) -> str:
    if url and url.lower().startswith(("http://", "https://")):
        return f"[{md(title)}](<{url.replace('>', '%3E').replace(' ', '%20')}>)"
    return md(title)


@exporter("Markdown", "md", "text/markdown")
def to_markdown(export: Export) -> str:
    shown = export.current
    snapshot = shown.snapshot
    essay = snapshot.essay
    lines = [f"# Fact-check: {md(essay.title)}", ""]
    byline = [
        f"by {md(essay.author)}" if essay.author else "",
        essay.published_at.isoformat() if essay.published_at else "",
    ]
    lines += [" · ".join(part for part in byline if part), ""]
    lines += [
        f"Version {shown.version}, published {shown.published_at.date()} "
        f"by {md(snapshot.organisation.name)}: <{shown.page_url}>",
        "",
    ]
    if shown.changelog:
        lines += [f"> {md(shown.changelog)}", ""]
    for claim in shown.rated():
        lines += _markdown_verdict(claim)
    unchecked = shown.not_checked()
    if unchecked:
        lines += ["## Not checked", ""]
        lines += [f"- {md(claim.text)} ({md(_reason(claim))})" for claim in unchecked]
        lines.append("")
    return "\n".join(lines)


def _markdown_verdict(claim: ClaimSnapshot) -> list[str]:
    verdict = claim.verdict
    assert verdict is not None
    lines = [f"## {md(verdict.label)}: {md(claim.text)}", "", md(verdict.rationale), ""]
    for citation in verdict.citations:
        source = md_link(citation.title, citation.url)
        lines.append(f"- {source}, {md(citation.publisher)}: “{md(citation.quote)}”")
    return [
        *lines,
        "",
        f"Reviewed by {md(verdict.reviewed_by)}, approved by {md(verdict.approved_by)}.",
        "",
    ]


# --- across fact-checks ------------------------------------------------------------


@exporter("Atom feed", "atom", "application/atom+xml", collection="feed", reads=publishing.recent)
def atom_feed(export: Export) -> bytes:
    """Publications, corrections and withdrawals, newest first, each an entry whose
    content lists its verdicts in the essay's order."""
    ElementTree.register_namespace("", ATOM)
    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    _child(feed, "title", f"{export.publisher}: fact-checks")
    _child(feed, "id", export.url)
    ElementTree.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=export.url)
    if export.index_url:  # the feed's HTML page
        link = ElementTree.SubElement(
            feed, f"{{{ATOM}}}link", rel="alternate", href=export.index_url
        )
        link.set("type", "text/html")
    # RFC 4287 4.1.1: a feed names its author unless every entry does; the publisher is
    # the author of every entry.
    author = ElementTree.SubElement(feed, f"{{{ATOM}}}author")
    _child(author, "name", export.publisher)
    if export.publisher_url:
        _child(author, "uri", export.publisher_url)
    versions = sorted(export.versions, key=lambda v: (v.published_at, v.version), reverse=True)
    _child(
        feed, "updated", _stamp(versions[0].published_at) if versions else "1970-01-01T00:00:00Z"
    )
    for shown in versions:
        entry = ElementTree.SubElement(feed, f"{{{ATOM}}}entry")
        heading = {
            "publication": "Fact-check",
            "correction": "Correction",
            "withdrawal": "Withdrawn",
        }[shown.kind]
        title = shown.snapshot.essay.title
        _child(entry, "title", f"{heading}: {title} (version {shown.version})")
        _child(entry, "id", f"{shown.version_url}#v{shown.version}")
        ElementTree.SubElement(
            entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=shown.version_url
        )
        _child(entry, "updated", _stamp(shown.published_at))
        _child(entry, "summary", shown.taken_down or shown.changelog or _counts(shown))
        _child(entry, "content", _verdict_lines(shown)).set("type", "text")
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)


def _child(parent: ElementTree.Element, name: str, text: str) -> ElementTree.Element:
    child = ElementTree.SubElement(parent, f"{{{ATOM}}}{name}")
    child.text = text
    return child


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _counts(shown: Published) -> str:
    """How many claims got each rating, in the scale's order ("2 True, 1 False"), and
    how many were not checked."""
    found = [claim.verdict.rating for claim in shown.rated() if claim.verdict]
    counts = [
        f"{found.count(rating.slug)} {rating.label}"
        for rating in ratings.SCALE
        if rating.slug in found
    ]
    unchecked = len(shown.not_checked())
    return ", ".join(counts + ([f"{unchecked} not checked"] if unchecked else []))


def _verdict_lines(shown: Published) -> str:
    """One line per verdict, in the order the claims come in the essay."""
    return "\n".join(
        f"{claim.verdict.label}: {claim.text}"
        for claim in sorted(shown.rated(), key=lambda c: (c.start, c.id))
        if claim.verdict
    )


CSV_COLUMNS = [
    "essay_id", "essay_title", "essay_published_at", "claim_id", "claim", "rating",
    "rating_label", "rating_value", "approved_at", "citation_urls", "not_checked",
]  # fmt: skip


@exporter(
    "CSV of verdicts",
    "csv",
    "text/csv",
    collection="verdicts",
    reads=publishing.current_versions,
)
def verdicts_csv(export: Export) -> str:
    """Every published verdict: one row per rated claim of each fact-check's current
    version (withdrawn fact-checks have none), then one per claim not checked, with
    no rating and the reason in ``not_checked``."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)  # a quote or separator never opens a cell
    writer.writerow(CSV_COLUMNS)
    for shown in export.versions:
        essay = shown.snapshot.essay
        for claim in shown.rated():
            verdict = claim.verdict
            assert verdict is not None
            writer.writerow([_cell(value) for value in (
                essay.id, essay.title, essay.published_at or "", claim.id, claim.text,
                verdict.rating, verdict.label, "" if verdict.value is None else verdict.value,
                verdict.approved_at.isoformat() if verdict.approved_at else "",
                " ".join(citation.url for citation in verdict.citations), "",
            )])  # fmt: skip
        for claim in shown.not_checked():
            writer.writerow([_cell(value) for value in (
                essay.id, essay.title, essay.published_at or "", claim.id, claim.text,
                "", "", "", "", "", _reason(claim),
            )])  # fmt: skip
    return out.getvalue()


# What makes a spreadsheet read a cell as a formula (OWASP's list, and the full-width
# forms some locales accept). Spreadsheets skip leading spaces and quotes, so a cell
# that only starts with them is looked at after them too.
_FORMULA_START = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
_SKIPPED = " \t\r\n\"'"


def _cell(value: object) -> object:
    """Keep spreadsheets from running a cell as a formula (CSV injection): prefix an
    apostrophe, which spreadsheets read as "text follows"."""
    if isinstance(value, str) and (
        value[:1] in _FORMULA_START or value.lstrip(_SKIPPED)[:1] in _FORMULA_START
    ):
        return "'" + value
    return value
