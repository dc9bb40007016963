"""Reading files of earlier fact-checks into records, refusing bad ones with a reason.

Formats:

- ``claimreview``: schema.org ClaimReview JSON-LD, as a web page (its
  ``<script type="application/ld+json">`` tags), a JSON file (one object, a list, an
  ``@graph``), a JSON Lines dump (one value a line), Google's DataFeed
  (``dataFeedElement`` → ``DataFeedItem.item``) or Google's Fact Check Markup pages
  (``ClaimReviewMarkupPage``: ``pageUrl``, ``publishDate``, ``claimReviewAuthor``,
  ``claimReviewMarkups`` with ``rating.textualRating``).
- ``factchecktools``: Fact Check Tools ``claims:search`` answers (``{"claims": [...]}``,
  one, a list or one a line); each claim review is a record.
- ``tsv``: CSV or TSV with a header row; ``columns`` maps our fields to its columns.

Every record is checked the same way (``checked``): markup stays as text (pages
escape it), over-long fields and records with no claim or id are refused, a rating
we cannot map is kept as written.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from factcheck.factchecks.ratings import map_rating
from factcheck.sources.text import CONTROL, parse_date

FORMATS = ("claimreview", "factchecktools", "tsv")
FIELDS = ("id", "claim", "title", "rating", "publisher", "url", "date", "language", "claimant")
# Longest value of each field kept; a longer one refuses the record (a claim is a
# sentence or two, a headline a line: anything far longer is not one).
LIMITS = {
    "ref": 2000,
    "claim": 5000,
    "title": 1000,
    "rating_text": 300,
    "publisher": 300,
    "url": 2000,
    "language": 16,
    "claimant": 300,
}
MAX_DEPTH = 32  # nesting searched for ClaimReviews inside other JSON-LD objects
_SPACE = re.compile(r"\s+")
_HTTP = re.compile(r"^https?://[^\s/?#@]+(?:[/?#]\S*)?$", re.IGNORECASE)


class FormatProblem(ValueError):
    """The file as a whole cannot be read this way (a wrong column name, no id column)."""


@dataclass(frozen=True)
class Record:
    """One earlier fact-check, checked and ready to store."""

    ref: str
    claim: str
    title: str = ""
    rating_text: str = ""
    rating: str | None = None
    publisher: str = ""
    url: str | None = None
    reviewed_on: date | None = None
    language: str | None = None
    claimant: str | None = None


@dataclass(frozen=True)
class Refused:
    where: str  # "line 7", "record 3", "script 2"
    reason: str


Parsed = Record | Refused


def read(
    text: str,
    format: str | None,
    *,
    columns: dict[str, str] | None = None,
    publisher: str | None = None,
    name: str = "",
) -> Iterator[Parsed]:
    """The records of ``text`` in ``format`` (guessed from the name and the text when
    None), each a ``Record`` or why it was refused; two records with the same
    publisher and id: the second is refused."""
    chosen = format or guess_format(text, name)
    if chosen == "tsv":
        delimiter = "," if name.lower().endswith(".csv") else None
        raw: Iterable[tuple[str, dict[str, Any] | str]] = _table(text, columns, delimiter)
    elif chosen == "factchecktools":
        raw = _fact_check_tools(text)
    elif chosen == "claimreview":
        raw = _claim_reviews(text)
    else:
        raise FormatProblem(f"unknown format {chosen!r}; one of {', '.join(FORMATS)}")
    seen: dict[tuple[str, str], str] = {}
    for where, fields in raw:
        if isinstance(fields, str):
            yield Refused(where, fields)
            continue
        parsed = checked(fields, where, publisher or "")
        if isinstance(parsed, Record):
            key = (parsed.publisher, parsed.ref)
            if key in seen:
                parsed = Refused(where, f"the same id as {seen[key]}: {_short(parsed.ref)}")
            else:
                seen[key] = where
        yield parsed


def guess_format(text: str, name: str = "") -> str:
    lower = name.lower()
    if lower.endswith((".tsv", ".csv", ".txt")):
        return "tsv"
    start = text.lstrip()[:1]
    if start == "<":
        return "claimreview"
    if start in "[{" and '"claimReview"' in text[:100_000] and '"@type"' not in text[:2000]:
        return "factchecktools"
    return "claimreview" if start in "[{" else "tsv"


# --- checking one record -------------------------------------------------------------


def checked(fields: dict[str, Any], where: str, default_publisher: str = "") -> Parsed:
    """A record from plain fields (``ref``, ``claim``, ``title``, ``rating_text``,
    ``rating_value``/``best``/``worst``, ``publisher``, ``url``, ``date``, ``language``,
    ``claimant``), or why not."""
    values = {key: _clean(fields.get(key)) for key in LIMITS if key != "publisher"}
    values["publisher"] = _clean(fields.get("publisher")) or _clean(default_publisher)
    if not values["claim"]:
        return Refused(where, "no claim: the claim as the fact-checker worded it is needed")
    if not values["ref"]:
        return Refused(where, "no id: a URL or an id column names the record")
    for key, limit in LIMITS.items():
        if len(values[key]) > limit:
            return Refused(where, f"{key} is {len(values[key]):,} characters; at most {limit:,}")
    url = values["url"] or None
    if url and not _HTTP.match(url):
        return Refused(where, f"url is not an http(s) address: {_short(url)}")
    rating_text = values["rating_text"]
    return Record(
        ref=values["ref"],
        claim=values["claim"],
        title=values["title"],
        rating_text=rating_text,
        rating=map_rating(
            rating_text, fields.get("rating_value"), fields.get("best"), fields.get("worst")
        ),
        publisher=values["publisher"],
        url=url,
        reviewed_on=parse_date(_clean(fields.get("date"))[:40]),
        language=values["language"] or None,
        claimant=values["claimant"] or None,
    )


def _clean(value: Any) -> str:
    """Text of a JSON value or cell: control characters out, white space collapsed.
    Markup is kept as the characters it is; pages escape it."""
    text = _text(value)
    return _SPACE.sub(" ", CONTROL.sub(" ", text)).strip()


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("@value") or value.get("alternateName"))
    if isinstance(value, list) and value:
        return _text(value[0])
    return ""


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- ClaimReview JSON-LD ---------------------------------------------------------------


def _claim_reviews(text: str) -> Iterator[tuple[str, dict[str, Any] | str]]:
    for where, value in _json_units(text):
        if isinstance(value, str):
            yield where, value
            continue
        found = list(_find_reviews(value, {}, 0))
        if not found and not where.startswith("script"):
            yield where, "no ClaimReview in it"
        for number, fields in enumerate(found, 1):
            yield (f"{where}, review {number}" if len(found) > 1 else where), fields


def _json_units(text: str) -> Iterator[tuple[str, Any]]:
    """(where, parsed JSON or why not) for each script of a page, the whole file, or
    each line of a JSON Lines file."""
    if text.lstrip()[:1] == "<":
        for number, script in enumerate(_ld_scripts(text), 1):
            yield f"script {number}", _loads(script)
        return
    whole = _loads(text)
    if not isinstance(whole, str):
        yield "file", whole
        return
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    parsed = [(number, _loads(line)) for number, line in lines]
    if all(isinstance(value, str) for _, value in parsed):
        # No line is JSON of its own: one broken document (pretty-printed), not JSON Lines.
        yield "file", whole
        return
    for number, value in parsed:
        yield f"line {number}", value


def _loads(text: str) -> Any:
    """Parsed JSON, or a string saying why it is not JSON."""
    try:
        value = json.loads(text)
    except RecursionError:
        return "not JSON we read: nested too deeply"
    except ValueError as error:
        return f"not valid JSON ({_short(str(error))})"
    return value if not isinstance(value, str) else "a JSON string, not an object"


def _ld_scripts(page: str) -> list[str]:
    """The page's JSON-LD scripts. Read by lxml's HTML parser (libxml2), which reads
    hostile markup in linear time; the standard library's is quadratic on some."""
    if not page.strip():
        return []
    parser = lxml_html.HTMLParser(encoding="utf-8")
    try:
        root = lxml_html.document_fromstring(page.encode("utf-8", errors="replace"), parser=parser)
    except etree.ParserError:
        return []
    return [
        script.text or ""
        for script in root.iter("script")
        if (script.get("type") or "").split(";")[0].strip().lower() == "application/ld+json"
    ]


def _is_a(value: dict[str, Any], kind: str) -> bool:
    types = value.get("@type")
    names = types if isinstance(types, list) else [types]
    return any(isinstance(t, str) and t.rsplit("/", 1)[-1].rsplit(":", 1)[-1] == kind
               for t in names)  # fmt: skip


def _find_reviews(value: Any, page: dict[str, Any], depth: int) -> Iterator[dict[str, Any]]:
    """The fields of every ClaimReview in ``value``: itself, in a list, an ``@graph``,
    a DataFeed's items, a Fact Check Markup page, or nested in another object."""
    if depth > MAX_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            yield from _find_reviews(item, page, depth + 1)
        return
    if not isinstance(value, dict):
        return
    if _is_a(value, "ClaimReview"):
        yield _review_fields(value)
        return
    if "claimReviewMarkups" in value:  # Fact Check Markup: ClaimReviewMarkupPage
        for markup in value.get("claimReviewMarkups") or []:
            if isinstance(markup, dict):
                yield _markup_fields(markup, value)
        return
    for key, item in value.items():
        if isinstance(item, dict | list) and key != "@context":
            yield from _find_reviews(item, page, depth + 1)


def _review_fields(review: dict[str, Any]) -> dict[str, Any]:
    rating = review.get("reviewRating")
    rating = rating[0] if isinstance(rating, list) and rating else rating
    rating = rating if isinstance(rating, dict) else {"alternateName": rating}
    item = review.get("itemReviewed")
    item = item if isinstance(item, dict) else {}
    return {
        "ref": review.get("url") or review.get("@id"),
        "claim": review.get("claimReviewed") or item.get("name") or item.get("text"),
        "title": review.get("headline") or review.get("name"),
        "rating_text": rating.get("alternateName") or rating.get("name"),
        "rating_value": rating.get("ratingValue"),
        "best": rating.get("bestRating"),
        "worst": rating.get("worstRating"),
        "publisher": review.get("author") or review.get("publisher"),
        "url": review.get("url"),
        "date": review.get("datePublished") or review.get("dateCreated"),
        "language": review.get("inLanguage"),
        "claimant": item.get("author"),
    }


def _markup_fields(markup: dict[str, Any], page: dict[str, Any]) -> dict[str, Any]:
    rating = markup.get("rating") if isinstance(markup.get("rating"), dict) else {}
    url = markup.get("url") or page.get("pageUrl")
    return {
        "ref": url,
        "claim": markup.get("claimReviewed"),
        "title": rating.get("ratingExplanation"),
        "rating_text": rating.get("textualRating"),
        "rating_value": rating.get("ratingValue"),
        "best": rating.get("bestRating"),
        "worst": rating.get("worstRating"),
        "publisher": page.get("claimReviewAuthor"),
        "url": url,
        "date": page.get("publishDate"),
        "claimant": markup.get("claimAuthor"),
    }


# --- Fact Check Tools claims:search ------------------------------------------------------


def _fact_check_tools(text: str) -> Iterator[tuple[str, dict[str, Any] | str]]:
    for where, value in _json_units(text):
        if isinstance(value, str):
            yield where, value
            continue
        answers = value if isinstance(value, list) else [value]
        claims = [
            claim
            for answer in answers
            if isinstance(answer, dict)
            for claim in (answer.get("claims") or [])
        ]
        number = 0
        for claim in claims:
            reviews = claim.get("claimReview") if isinstance(claim, dict) else None
            for review in reviews if isinstance(reviews, list) else [None]:
                number += 1
                place = f"{where}, review {number}"
                if not isinstance(review, dict):
                    yield place, "not a claim with a claimReview"
                else:
                    yield place, _search_fields(claim, review)


def _search_fields(claim: dict[str, Any], review: dict[str, Any]) -> dict[str, Any]:
    publisher = review.get("publisher") if isinstance(review.get("publisher"), dict) else {}
    return {
        "ref": review.get("url"),
        "claim": claim.get("text"),
        "title": review.get("title"),
        "rating_text": review.get("textualRating"),
        "publisher": publisher.get("name") or publisher.get("site"),
        "url": review.get("url"),
        "date": review.get("reviewDate"),
        "language": review.get("languageCode"),
        "claimant": claim.get("claimant"),
    }


# --- CSV and TSV -----------------------------------------------------------------------

# Our field → the header names read for it when --columns does not name one.
KNOWN_COLUMNS = {
    "id": ("id", "ref", ""),
    "claim": ("claim", "vclaim", "claim_text", "claimreviewed", "text"),
    "title": ("title", "headline"),
    "rating": ("rating", "textual_rating", "textualrating", "review_rating"),
    "publisher": ("publisher", "reviewer_name", "author"),
    "url": ("url", "review_url"),
    "date": ("date", "review_date", "reviewed_on", "datepublished"),
    "language": ("language", "lang", "languagecode"),
    "claimant": ("claimant", "claim_author_name"),
}
_OURS = {"id": "ref", "rating": "rating_text"}  # our field → the record's name for it


def parse_columns(spec: str) -> dict[str, str]:
    """``id=,claim=vclaim,title=title`` → {"id": "", "claim": "vclaim", ...}."""
    columns = {}
    for part in (p for p in spec.split(",") if p.strip()):
        field, sep, column = part.partition("=")
        field = field.strip().lower()
        if not sep or field not in FIELDS:
            raise FormatProblem(
                f"--columns takes FIELD=COLUMN pairs, FIELD one of {', '.join(FIELDS)}: {part!r}"
            )
        columns[field] = column.strip()
    return columns


def _table(
    text: str, columns: dict[str, str] | None, delimiter: str | None
) -> Iterator[tuple[str, dict[str, Any] | str]]:
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = delimiter or ("\t" if first.count("\t") >= first.count(",") else ",")
    old_limit = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)  # huge cells are refused by length, not by the reader
    try:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        header = next(reader, None)
        if header is None:
            return
        positions = _positions([h.strip() for h in header], columns or {})
        for row in reader:
            where = f"line {reader.line_num}"
            if not any(cell.strip() for cell in row):
                continue
            yield (
                where,
                {
                    _OURS.get(field, field): row[position] if position < len(row) else ""
                    for field, position in positions.items()
                },
            )
    except csv.Error as error:
        yield "file", f"not CSV/TSV we can read ({error})"
    finally:
        csv.field_size_limit(old_limit)


def _positions(header: list[str], columns: dict[str, str]) -> dict[str, int]:
    """Where each of our fields is in a row: the column ``columns`` names (a header
    name, or a 0-based position; an empty name is the unnamed column), else a header
    we know."""
    lowered = [h.lower() for h in header]
    positions = {}
    for field in FIELDS:
        if field in columns:
            positions[field] = _column(header, columns[field], field)
            continue
        known = next((lowered.index(n) for n in KNOWN_COLUMNS[field] if n in lowered), None)
        if known is not None:
            positions[field] = known
    if "id" not in positions:
        raise FormatProblem("no id column: name it, e.g. --columns id=COLUMN")
    if "claim" not in positions:
        raise FormatProblem("no claim column: name it, e.g. --columns claim=COLUMN")
    return positions


def _column(header: list[str], name: str, field: str) -> int:
    if name in header:
        return header.index(name)
    if name.isdigit() and int(name) < len(header):
        return int(name)
    shown = ", ".join(repr(h) for h in header[:20])
    raise FormatProblem(f"--columns {field}={name}: no such column; the header has {shown}")
