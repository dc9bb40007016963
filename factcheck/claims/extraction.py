"""Turn an essay's text into claims: spans, kinds, check-worthiness."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from factcheck.claims.checkworthiness import score
from factcheck.claims.segmentation import sentences

KINDS = (
    "statistic",
    "quotation",
    "event",
    "attribution",
    "comparison",
    "causal",
    "prediction",
    "opinion",
    "question",
)
NOT_CHECKABLE_KINDS = frozenset({"prediction", "opinion", "question"})


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str | None
    qualifier: str | None  # "more than", "about", ...
    text: str


@dataclass(frozen=True)
class ExtractedClaim:
    text: str
    start: int
    end: int
    kind: str
    checkworthiness: float
    checkable: bool
    entities: list[str] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    dates: list[date] = field(default_factory=list)


def split(text: str, published_at: date | None = None) -> list[ExtractedClaim]:
    """Split ``text`` into claims; each claim's span indexes ``text`` exactly."""
    spans = sentences(text)
    scores = score([text[start:end] for start, end in spans])
    claims = []
    for (start, end), worthiness in zip(spans, scores, strict=True):
        sentence = text[start:end]
        kind = classify(sentence)
        claims.append(
            ExtractedClaim(
                text=sentence,
                start=start,
                end=end,
                kind=kind,
                checkworthiness=round(worthiness, 4),
                checkable=kind not in NOT_CHECKABLE_KINDS,
            )
        )
    return claims


_QUOTE = re.compile(r"[\"“][^\"”]{12,}[\"”]")
_NUMBER = re.compile(r"\d")
_PREDICTION = re.compile(r"\b(will|going to|is likely to|would)\b", re.I)
_OPINION = re.compile(
    r"\b(should|must|ought|need to|needs to|I believe|I think|we need|in fact|clearly)\b", re.I
)
_COMPARISON = re.compile(r"\b(more|less|fewer|larger|smaller|higher|lower)\b.*\bthan\b", re.I)
_CAUSAL = re.compile(r"\b(because|caused|led to|due to|as a result|that's why)\b", re.I)
_ATTRIBUTION = re.compile(
    r"\b(is|was|became|now)\b.{0,40}\b(minister|president|secretary|leader|chief|head)\b", re.I
)


def classify(sentence: str) -> str:
    """Guess the kind of one sentence (first matching rule wins)."""
    stripped = sentence.strip()
    rules = (
        ("question", stripped.endswith("?")),
        ("quotation", bool(_QUOTE.search(sentence))),
        ("opinion", bool(_OPINION.search(sentence))),
        ("prediction", bool(_PREDICTION.search(sentence))),
        ("statistic", bool(_NUMBER.search(sentence))),
        ("attribution", bool(_ATTRIBUTION.search(sentence))),
        ("comparison", bool(_COMPARISON.search(sentence))),
        ("causal", bool(_CAUSAL.search(sentence))),
    )
    return next((kind for kind, matched in rules if matched), "event")
