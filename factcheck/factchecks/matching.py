"""A stand-in matcher: shared content words and numbers, nothing more.

Placeholder with the matcher's interface (Candidate, Match, Matcher) so the archive,
the CLI and the connector run; the real matcher replaces this file.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from factcheck.sources.library import STOPWORDS

_TOKEN = re.compile(r"[a-z]+|\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class Candidate:
    id: str  # the verified claim's own id (as imported)
    claim: str
    title: str = ""


@dataclass(frozen=True)
class Match:
    id: str
    score: float  # higher is better
    shared_terms: tuple[str, ...] = ()
    shared_numbers: tuple[str, ...] = ()


def _tokens(text: str) -> set[str]:
    return {
        token
        for token in _TOKEN.findall(text.lower())
        if token[0].isdigit() or (len(token) > 2 and token not in STOPWORDS)
    }


class Matcher:
    def __init__(self, ids: list[str], tokens: list[set[str]]) -> None:
        self._ids = ids
        self._tokens = tokens
        self._postings: dict[str, list[int]] = defaultdict(list)
        for position, words in enumerate(tokens):
            for word in words:
                self._postings[word].append(position)

    @classmethod
    def build(cls, candidates: Iterable[Candidate]) -> Matcher:
        ids, tokens = [], []
        for candidate in candidates:
            ids.append(candidate.id)
            tokens.append(_tokens(f"{candidate.claim} {candidate.title}"))
        return cls(ids, tokens)

    def match(self, query: str, top: int = 5) -> list[Match]:
        wanted = _tokens(query)
        scores: dict[int, float] = defaultdict(float)
        for word in wanted:
            postings = self._postings.get(word, [])
            weight = math.log(1 + len(self._ids) / (1 + len(postings)))
            for position in postings:
                scores[position] += weight
        best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:top]
        return [self._match(position, score, wanted) for position, score in best]

    def _match(self, position: int, score: float, wanted: set[str]) -> Match:
        shared = sorted(wanted & self._tokens[position])
        return Match(
            id=self._ids[position],
            score=round(score, 4),
            shared_terms=tuple(t for t in shared if not t[0].isdigit()),
            shared_numbers=tuple(t for t in shared if t[0].isdigit()),
        )

    def __len__(self) -> int:
        return len(self._ids)
