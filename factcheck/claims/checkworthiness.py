"""Check-worthiness: how much a sentence deserves a fact-checker's time, in [0, 1]."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

# Placeholder heuristic until the trained model lands: numbers, named entities
# and factual verbs raise the score; first person, questions and hedges lower it.
_NUMBER = re.compile(r"\d")
_CAPITALISED = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z]+")
_FACTUAL = re.compile(r"\b(percent|million|billion|killed|voted|said|wrote|is|was|were|has|have)\b", re.I)
_SUBJECTIVE = re.compile(r"\b(I|we|should|must|need|believe|think|will|would|could)\b", re.I)


def score(sentences: Sequence[str]) -> list[float]:
    """Score pre-split sentences of one document, in order; higher is more worth checking."""
    return [_score_one(sentence) for sentence in sentences]


def _score_one(sentence: str) -> float:
    raw = (
        1.2 * bool(_NUMBER.search(sentence))
        + 0.3 * min(len(_CAPITALISED.findall(sentence)), 4)
        + 0.4 * min(len(_FACTUAL.findall(sentence)), 3)
        - 0.5 * min(len(_SUBJECTIVE.findall(sentence)), 3)
        - 1.5 * sentence.rstrip().endswith("?")
        - 1.0
    )
    return 1.0 / (1.0 + math.exp(-raw))
