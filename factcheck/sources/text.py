"""Plain text out of fetched pages, and the passage of a text that fits a claim.

``extract_html`` keeps what a reader of the page would read: paragraphs, list
items and headings, not scripts, styles, menus, page headers and footers or side
bars. Pages are parsed by lxml's HTML parser (libxml2), built for hostile markup
and linear in it. Everything is bounded: the text stops at ``max_chars``, so a huge page
costs no more than a small one once it is parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from lxml import etree

from factcheck.sources.library import STOPWORDS

MAX_TEXT_CHARS = 20_000
MAX_TITLE_CHARS = 300


def _words(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Whole elements whose text is never part of the article.
_SKIPPED = _words("script style nav header footer aside noscript template svg")
# Elements that start a new paragraph.
_BLOCKS = _words(
    """p div section article main li ul ol dl dt dd h1 h2 h3 h4 h5 h6 blockquote pre
    table tr td th figcaption hr"""
)
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*")  # as factcheck.sources.library reads words


@dataclass(frozen=True)
class PageText:
    title: str
    text: str  # paragraphs separated by blank lines, at most max_chars long
    site_name: str | None = None  # og:site_name
    published_at: date | None = None  # article:published_time, when the page says


def page_text(body: bytes, content_type: str, content_type_header: str = "") -> PageText:
    """The text of a fetched HTML or plain-text page, decoded by its declared charset."""
    text = decode(body, content_type_header)
    if content_type == "text/plain":
        return extract_plain(text)
    return extract_html(text)


def decode(body: bytes, content_type_header: str = "") -> str:
    """``body`` as text: the charset the server declared, else UTF-8; bad bytes replaced."""
    match = re.search(r"charset=[\"']?([\w.:-]+)", content_type_header, re.I)
    charset = match.group(1) if match else "utf-8"
    try:
        return body.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know
        return body.decode("utf-8", errors="replace")


def extract_html(html: str, max_chars: int = MAX_TEXT_CHARS) -> PageText:
    """The readable text of an HTML page, its title, site name and publication date."""
    parser = _MainText(max_chars)
    html_parser = etree.HTMLParser(target=parser, encoding="utf-8", no_network=True)
    html_parser.feed(html.encode("utf-8", errors="replace"))
    html_parser.close()
    title = parser.meta.get("og:title") or collapse(" ".join(parser.title_parts))
    return PageText(
        title=bounded(title, MAX_TITLE_CHARS),
        text=bounded("\n\n".join(parser.paragraphs), max_chars),
        site_name=parser.meta.get("og:site_name"),
        published_at=parse_date(parser.meta.get("article:published_time", "")),
    )


def extract_plain(text: str, max_chars: int = MAX_TEXT_CHARS) -> PageText:
    """A text/plain page: paragraphs kept, white space collapsed, first line as title."""
    paragraphs = [collapse(part) for part in re.split(r"\n\s*\n", text[: max_chars * 2])]
    paragraphs = [part for part in paragraphs if part]
    title = bounded(paragraphs[0], MAX_TITLE_CHARS) if paragraphs else ""
    return PageText(title=title, text=bounded("\n\n".join(paragraphs), max_chars))


# Control characters (tab and newlines aside): never text a reader should see, and
# PostgreSQL cannot store NUL at all. Refused wherever text comes in.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def collapse(text: str) -> str:
    """Runs of white space become one space."""
    return _SPACE.sub(" ", text).strip()


def bounded(text: str, max_chars: int) -> str:
    """``text`` cut to at most ``max_chars``, at a word boundary where there is one."""
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    space = cut.rfind(" ")
    return cut[:space] if space > max_chars // 2 else cut


def parse_date(value: str) -> date | None:
    """The date of an ISO 8601 date or timestamp ("2006-11-23", "2006-11-23T10:00:00Z")."""
    value = value.strip()
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


# A sentence ends at . ! or ? followed by space and a capital, digit or quote.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[A-Z0-9\"'(\[])")


def split_sentences(text: str) -> list[str]:
    """Rough sentences of ``text``, good enough to pick a passage to show."""
    sentences = []
    for paragraph in re.split(r"\n\s*\n", text):
        sentences.extend(collapse(part) for part in _SENTENCE_END.split(paragraph))
    return [sentence for sentence in sentences if sentence]


def terms(text: str, limit: int = 64) -> list[str]:
    """Distinct lower-case content words in order of appearance, as the library search
    picks them (longer than two letters, no stop words)."""
    found: dict[str, None] = {}  # a dict keeps the order and finds in constant time
    for word in _WORD.findall(text.lower()):
        word = word.strip("'-")
        if len(word) > 2 and word not in STOPWORDS:
            found.setdefault(word)
            if len(found) >= limit:
                break
    return list(found)


def term_set(text: str) -> set[str]:
    """All the content words of ``text``, for overlap counts."""
    return set(terms(text, limit=len(text) + 1))


def best_passage(text: str, claim: str, max_sentences: int = 2, max_chars: int = 600) -> str:
    """The run of sentences of ``text`` that shares the most terms with ``claim``.

    Falls back to the start of ``text`` when no sentence shares a term, so a
    record always has something to show.
    """
    sentences = split_sentences(text)
    if not sentences:
        return ""
    wanted = set(terms(claim))
    best_start, best_shared = 0, 0
    for start in range(len(sentences)):
        window = " ".join(sentences[start : start + max_sentences])
        shared = len(wanted & term_set(window))
        if shared > best_shared:
            best_start, best_shared = start, shared
    passage = " ".join(sentences[best_start : best_start + max_sentences])
    return bounded(passage, max_chars)


def overlap(claim: str, text: str) -> float:
    """Share of the claim's terms that appear in ``text`` (0..1)."""
    wanted = set(terms(claim))
    if not wanted:
        return 0.0
    return len(wanted & term_set(text)) / len(wanted)


class _MainText:
    """Collects paragraphs outside skipped elements, the <title> and a few <meta> tags.

    The target of lxml's HTML parser (libxml2), which reads hostile markup in linear
    time; the standard library's HTMLParser is quadratic on some (``"<a" * n``). The
    parser sends the events; end tags it infers, for elements left open, too.
    """

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self.paragraphs: list[str] = []
        self.title_parts: list[str] = []
        self.meta: dict[str, str] = {}
        self._current: list[str] = []
        self._length = 0
        self._skip_depth = 0
        self._in_title = False

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == "meta":
            self._meta(attrs)
        elif tag == "title":
            self._in_title = True
        elif tag in _SKIPPED:
            self._skip_depth += 1
        self._break(tag)

    def end(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in _SKIPPED and self._skip_depth:
            self._skip_depth -= 1
        if tag != "br":  # "<br>" is one space, not two
            self._break(tag)

    def data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
        elif not self._skip_depth and self._length < self.max_chars:
            self._current.append(data)
            self._length += len(data)

    def close(self) -> None:
        self._end_paragraph()

    def _break(self, tag: str) -> None:
        """Block elements end a paragraph; a line break is a space inside one."""
        if tag in _BLOCKS:
            self._end_paragraph()
        elif tag == "br":
            self._current.append(" ")

    def _end_paragraph(self) -> None:
        paragraph = collapse("".join(self._current))
        if paragraph:
            self.paragraphs.append(paragraph)
        self._current = []

    def _meta(self, attrs: dict[str, str]) -> None:
        key = (attrs.get("property") or attrs.get("name") or "").lower()
        content = attrs.get("content")
        if key in {"og:title", "og:site_name", "article:published_time"} and content:
            self.meta.setdefault(key, collapse(content))
