"""Published fact-checks as Markdown, an Atom feed, and a CSV of verdicts.

Everything here renders text that came from essays, reviewers and sources, so
each format escapes it in its own way: Markdown punctuation is backslashed and
only http(s) links become links; XML is built by ElementTree; CSV cells that a
spreadsheet would run as a formula are quoted with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from xml.etree import ElementTree

from sqlalchemy import select
from sqlalchemy.orm import Session, defer, selectinload

from factcheck.claims.models import Claim
from factcheck.claims.states import ClaimStatus
from factcheck.essays.models import Essay
from factcheck.publishing.models import Publication
from factcheck.review import ratings
from factcheck.review.models import Citation, Verdict
from factcheck.review.states import VerdictState

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")
ATOM = "http://www.w3.org/2005/Atom"


def md(text: str | None) -> str:
    """Text that Markdown shows as written, never as markup."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join((text or "").split()))


def md_link(title: str, url: str | None) -> str:
    if url and url.lower().startswith(("http://", "https://")):
        return f"[{md(title)}](<{url.replace('>', '%3E').replace(' ', '%20')}>)"
    return md(title)


def to_markdown(publication: Publication, page_url: str) -> str:
    content = publication.content
    essay = content["essay"]
    lines = [f"# Fact-check: {md(essay['title'])}", ""]
    byline = [
        f"by {md(essay['author'])}" if essay.get("author") else "",
        essay.get("published_at") or "",
    ]
    lines += [" · ".join(part for part in byline if part), ""]
    lines += [
        f"Version {publication.version}, published {publication.published_at.date()} "
        f"by {md(content['organisation']['name'])}: <{page_url}>",
        "",
    ]
    if publication.changelog:
        lines += [f"> {md(publication.changelog)}", ""]
    if publication.kind == "withdrawal":
        return "\n".join(lines)
    for claim in content["claims"]:
        verdict = claim["verdict"]
        if not verdict:
            continue
        lines += [
            f"## {md(verdict['label'])}: {md(claim['text'])}",
            "",
            md(verdict["rationale"]),
            "",
        ]
        for citation in verdict["citations"]:
            source = md_link(citation["title"], citation["url"])
            lines.append(f"- {source}, {md(citation.get('publisher'))}: “{md(citation['quote'])}”")
        lines += [
            "",
            f"Reviewed by {md(verdict['reviewed_by'])}, approved by {md(verdict['approved_by'])}.",
            "",
        ]
    return "\n".join(lines)


def atom_feed(entries: Iterable[tuple[Publication, str, str]], feed_url: str, title: str) -> bytes:
    """``entries``: (publication, its page URL, the essay's title), newest first."""
    ElementTree.register_namespace("", ATOM)
    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    _child(feed, "title", title)
    _child(feed, "id", feed_url)
    ElementTree.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=feed_url)
    entries = list(entries)
    _child(
        feed, "updated", _stamp(entries[0][0].published_at) if entries else "1970-01-01T00:00:00Z"
    )
    for publication, url, essay_title in entries:
        entry = ElementTree.SubElement(feed, f"{{{ATOM}}}entry")
        heading = {
            "publication": "Fact-check",
            "correction": "Correction",
            "withdrawal": "Withdrawn",
        }[publication.kind]
        _child(entry, "title", f"{heading}: {essay_title} (version {publication.version})")
        _child(entry, "id", f"{url}#v{publication.version}")
        ElementTree.SubElement(entry, f"{{{ATOM}}}link", href=url)
        _child(entry, "updated", _stamp(publication.published_at))
        _child(entry, "summary", publication.changelog or _counts(publication.content))
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)


def _child(parent: ElementTree.Element, name: str, text: str) -> None:
    ElementTree.SubElement(parent, f"{{{ATOM}}}{name}").text = text


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _counts(content: dict[str, Any]) -> str:
    labels = [claim["verdict"]["label"] for claim in content["claims"] if claim["verdict"]]
    return ", ".join(f"{labels.count(label)} {label}" for label in dict.fromkeys(labels))


CSV_COLUMNS = [
    "essay_id", "essay_title", "essay_published_at", "claim_id", "claim", "rating",
    "rating_label", "rating_value", "approved_at", "citation_urls",
]  # fmt: skip


def verdicts_csv(session: Session) -> str:
    """Every current approved verdict of the desk, one row per claim."""
    rows = session.execute(
        select(Verdict, Claim, Essay)
        .join(Claim, Claim.id == Verdict.claim_id)
        .join(Essay, Essay.id == Claim.essay_id)
        .where(Verdict.state == VerdictState.APPROVED, Claim.status == ClaimStatus.APPROVED)
        .options(
            defer(Essay.text),  # a row per verdict; the text is not exported
            selectinload(Verdict.citations).selectinload(Citation.source),
        )
        .order_by(Essay.id, Claim.start, Verdict.id)
    ).all()
    latest = {claim.id: (verdict, claim, essay) for verdict, claim, essay in rows}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for verdict, claim, essay in latest.values():
        rating = ratings.BY_SLUG[verdict.rating]
        writer.writerow([_cell(value) for value in (
            essay.id, essay.title, essay.published_at or "", claim.id, claim.text, rating.slug,
            rating.label, "" if rating.value is None else rating.value,
            verdict.decided_at.isoformat() if verdict.decided_at else "",
            " ".join(c.source.url for c in verdict.citations),
        )])  # fmt: skip
    return out.getvalue()


def _cell(value: object) -> object:
    """Keep spreadsheets from running a cell as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
