"""Gathering on hostile essays and pages: the code before issue 16 against today's.

Run from the repository root:

    .venv/bin/python bench/hostile_input.py [--repeats 3] [--quick]

Three steps of the cited-links connector, each at growing sizes, timed in one run
with the old code (kept below, as it was) and the new:

- trimming a bare URL followed by ")" (issue 16: 150,000 of them kept a worker
  14 to 32 s per claim);
- finding the links of an essay made of markdown links (the old code looked up
  every bare URL among all the markdown links);
- reading a page of unclosed tags, ``"<a" * n`` (the standard library's HTMLParser,
  which is quadratic on it, against lxml's HTML parser).

The old code is timed once per size (its large sizes take tens of seconds); the
new, best of N. The tests count work instead (tests/work.py); the times are here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from growth import best_seconds  # noqa: E402  (bench/growth.py)

from factcheck.sources import cited_links, text  # noqa: E402

# --- the code before issue 16, as it was ---------------------------------------------


def old_trim(url: str) -> str:
    while url and (url[-1] in cited_links._TRAILING or old_unbalanced_close(url)):
        url = url[:-1]
    return url


def old_unbalanced_close(url: str) -> bool:
    return url.endswith(")") and url.count(")") > url.count("(")


def old_find_links(essay: str) -> list[cited_links.Link]:
    links = [
        cited_links.Link(match["url"], match["text"].strip(), match.start(), match.end())
        for match in cited_links._MARKDOWN_LINK.finditer(essay)
    ]
    taken = [(link.start, link.end) for link in links]
    for match in cited_links._BARE_URL.finditer(essay):
        if any(start <= match.start() < end for start, end in taken):
            continue
        url = old_trim(match.group())
        if urlsplit(url).hostname:
            links.append(cited_links.Link(url, "", match.start(), match.start() + len(url)))
    return sorted(links, key=lambda link: link.start)


class OldParser(HTMLParser):
    """The standard library's parser sending the events today's extraction handles."""

    def __init__(self, target: text._MainText) -> None:
        super().__init__(convert_charrefs=True)
        self.target = target

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.target.start(tag, {name: value or "" for name, value in attrs})

    def handle_endtag(self, tag: str) -> None:
        self.target.end(tag)

    def handle_data(self, data: str) -> None:
        self.target.data(data)


def old_extract_html(page: str) -> list[str]:
    target = text._MainText(text.MAX_TEXT_CHARS)
    parser = OldParser(target)
    parser.feed(page)
    parser.close()
    target.close()
    return target.paragraphs


# --- timing ---------------------------------------------------------------------------


CASES: list[tuple[str, Callable[[int], str], Callable[[str], object], Callable[[str], object]]] = [
    ('URL + n ")": trim', lambda n: "https://x.example/a" + ")" * n, old_trim, cited_links._trim),
    (
        "n markdown links: find_links",
        lambda n: "[a](https://x.example/1) " * n,
        old_find_links,
        cited_links.find_links,
    ),
    ('"<a" * n: extract_html', lambda n: "<a" * n, old_extract_html, text.extract_html),
]
SIZES = {
    'URL + n ")": trim': [15_000, 50_000, 150_000],
    "n markdown links: find_links": [2_000, 6_000, 20_000],
    '"<a" * n: extract_html': [10_000, 20_000, 40_000],
}
NEW_ONLY = {'"<a" * n: extract_html': 1_000_000}  # the old code would take hours


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs of the new code per size")
    parser.add_argument("--quick", action="store_true", help="the two smallest sizes only")
    args = parser.parse_args()
    print(f"{'input':<32} {'n':>10} {'old (s)':>9} {'new (s)':>9} {'old/new':>9}")
    for name, make, old, new in CASES:
        for n in SIZES[name][: 2 if args.quick else None]:
            given = make(n)
            before, after = best_seconds(old, given, 1), best_seconds(new, given, args.repeats)
            print(f"{name:<32} {n:>10,} {before:>9.3f} {after:>9.4f} {before / after:>9.0f}")
        if name in NEW_ONLY:
            n = NEW_ONLY[name]
            after = best_seconds(new, make(n), args.repeats)
            print(f"{name:<32} {n:>10,} {'-':>9} {after:>9.4f} {'-':>9}")


if __name__ == "__main__":
    main()
