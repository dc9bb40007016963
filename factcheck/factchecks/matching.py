"""The matcher: a new claim's earlier fact-checks, best first, with why they matched.

Stage 1, retrieval: BM25 over the verified claim and its headline, on cleaned,
number-normalised, stemmed terms (``text``, ``lexical``). Stage 2, re-ranking:
the best ``POOL`` candidates are scored again over features a reviewer would check
(``features``), by a logistic regression (``Reranker``) or, in the static stage,
boosted trees evaluated with numpy (``Trees``), fitted on the CLEF-2020 training
tweets by ``python -m factcheck.factchecks.training``. When a sentence encoder is
given (``encoder``: all-MiniLM-L6-v2 run by numpy), the pool also takes the
claims nearest in meaning, and the cosine is one more feature. By default (no
encoder), the static stage does the same with MiniLM distilled into a table of word
vectors (``static``): its nearest join the pool, and its cosine and soft word
overlap are features. Each match carries
the probability that it is the query's earlier fact-check (``Reranker.probability``,
calibrated by the training script for the stage that scored it).
``Matcher.with_absolute`` gives the static stage's matches, ranked the same, the
probability of an absolute model that reads no feature relative to the pool. The
connector keeps the lexical stage's matches at ``KEEP`` and shows the first one as
checked before when the absolute model gives that record ``STRONG`` (``strong``).

Records that say the same thing (the same terms in claim and headline) score the
same; the one imported first ranks first.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

import numpy as np

from factcheck.factchecks import features, lexical, static, text
from factcheck.factchecks.lexical import Bm25Index

POOL = 30  # candidates the re-ranker looks at
DENSE = 10  # with an encoder: the nearest in meaning, added to the pool
STATIC = 10  # with the static table: the nearest by its cosine, added to the pool
WEIGHTS_PATH = Path(__file__).parent / "data" / "reranker-v1.json"
# Chosen on the development tweets (bench/claim_matching.py, "thresholds";
# docs/benchmarks.md). A match is kept at KEEP or above of the lexical stage's
# calibrated probability (``Reranker.probability``; the connector reads
# ``Matcher.lexical()``); the first kept one is shown as checked before when the static
# stage's absolute model (``Matcher.with_absolute``) gives the same record STRONG or
# above: it reads no feature relative to the pool, so the best of a pool that lacks
# the claim's fact-check is seldom called strong.
KEEP = 0.3
STRONG = 0.7
# The features that say where a candidate stands in its pool. The re-rankers lean on
# them, so the best of any pool scores high whether or not the archive holds the
# claim's fact-check; the absolute model (``Matcher.with_absolute``) reads the others.
_OF_THE_POOL = frozenset(
    {"bm25_of_best", "bm25_gap", "reciprocal_rank", "cosine_of_best"}
    | {"static_cosine_of_best", "static_soft_of_best"}
)
# ... and without the MiniLM cosine, which the static stage does not compute.
ABSOLUTE = tuple(name for name in features.NAMES if name not in _OF_THE_POOL | {"cosine"})


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
    shared_numbers: tuple[str, ...] = ()  # "why it matched", shown to reviewers
    probability: float = 0.0  # that it is the query's earlier fact-check (calibrated)


def kept(match: Match) -> bool:
    return match.probability >= KEEP


def strong(match: Match, sure: Mapping[str, float]) -> bool:
    """The match is kept and the absolute model (``sure``: record id to its
    probability) gives its record ``STRONG`` or above."""
    return kept(match) and sure.get(match.id, 0.0) >= STRONG


class SentenceEncoder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class Reranker:
    """A logistic regression over standardised features (numpy inference), and the
    step that turns its score into a probability: ``calibration`` is an isotonic
    regression's steps (scores, probabilities), read between them as a straight line;
    without it the plain logistic."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    calibration: tuple[np.ndarray, np.ndarray] | None = None
    # The columns of ``features.NAMES`` it was fitted on (all when None): weights
    # fitted before a feature was added keep working.
    columns: np.ndarray | None = None

    @classmethod
    def from_json(cls, data: dict) -> Reranker:
        return cls(
            np.array(data["mean"], dtype=np.float32),
            np.array(data["scale"], dtype=np.float32),
            np.array(data["coef"], dtype=np.float32),
            float(data["intercept"]),
            _steps(data.get("calibration")),
            _columns(data["features"]),
        )

    def score(self, rows: np.ndarray) -> np.ndarray:
        if self.columns is not None:
            rows = rows[:, self.columns]
        return ((rows - self.mean) / self.scale) @ self.coef + self.intercept

    def probability(self, score: float) -> float:
        """That a candidate with this score is the query's earlier fact-check."""
        return _probability(self.calibration, score)


@dataclass(frozen=True)
class Trees:
    """Boosted regression trees (the static stage's re-ranker): scikit-learn's
    GradientBoostingClassifier at training time, dumped to JSON by the training script
    and evaluated here with numpy. The score is a log-odds as the logistic regression's
    (the base plus each tree's leaf); its calibration is read the same way.

    The trees' nodes are laid end to end (``roots``: where each tree starts); a leaf
    tests feature 0 against infinity and leads to itself, so ``depth`` steps from the
    roots reach every row's leaf in every tree at once."""

    base: float
    roots: np.ndarray
    feature: np.ndarray  # per node
    threshold: np.ndarray  # a row goes left when its feature is at or below it
    left: np.ndarray  # the children's places among all the nodes
    right: np.ndarray
    value: np.ndarray  # a leaf's share of the score (times the learning rate)
    depth: int
    calibration: tuple[np.ndarray, np.ndarray] | None = None
    columns: np.ndarray | None = None

    @classmethod
    def from_json(cls, data: dict) -> Trees:
        trees = data["trees"]
        sizes = [len(tree) for tree in trees["left"]]
        roots = np.cumsum([0, *sizes[:-1]])
        own = np.concatenate([np.array(tree) for tree in trees["left"]]) >= 0
        # scikit-learn's leaves have no children (-1): each leads to itself.
        itself = np.arange(sum(sizes))
        offset = np.repeat(roots, sizes)

        def nodes(name: str) -> np.ndarray:
            return np.concatenate([np.array(tree, dtype=np.float64) for tree in trees[name]])

        return cls(
            float(trees["base"]),
            roots,
            np.where(own, nodes("feature"), 0).astype(np.int64),
            np.where(own, nodes("threshold"), np.inf),
            np.where(own, nodes("left") + offset, itself).astype(np.int64),
            np.where(own, nodes("right") + offset, itself).astype(np.int64),
            nodes("value"),
            int(trees["depth"]),
            _steps(data.get("calibration")),
            _columns(data["features"]),
        )

    def score(self, rows: np.ndarray) -> np.ndarray:
        if self.columns is not None:
            rows = rows[:, self.columns]
        rows = np.ascontiguousarray(rows, dtype=np.float64)  # float32 rows compare exactly
        start = (np.arange(len(rows)) * rows.shape[1])[:, None]  # each row's place in ravel()
        node = np.broadcast_to(self.roots, (len(rows), len(self.roots)))
        for _ in range(self.depth):
            at_or_below = rows.ravel()[start + self.feature[node]] <= self.threshold[node]
            node = np.where(at_or_below, self.left[node], self.right[node])
        return self.base + self.value[node].sum(axis=1)

    def probability(self, score: float) -> float:
        """That a candidate with this score is the query's earlier fact-check."""
        return _probability(self.calibration, score)


# A stage's re-ranker: the static stage's is trees, the others' logistic regressions.
Scoring = Reranker | Trees


def scoring_from_json(data: dict) -> Scoring:
    """The re-ranker a stage's weights describe: trees if they hold trees."""
    return Trees.from_json(data) if "trees" in data else Reranker.from_json(data)


def _columns(names: Sequence[str]) -> np.ndarray:
    return np.array([features.NAMES.index(name) for name in names])


def _probability(calibration: tuple[np.ndarray, np.ndarray] | None, score: float) -> float:
    """The calibrated probability of a score (without a calibration, its logistic)."""
    if calibration is None:
        return float(1.0 / (1.0 + np.exp(-score)))
    scores, probabilities = calibration
    return float(np.interp(score, scores, probabilities))


def _steps(calibration: dict | None) -> tuple[np.ndarray, np.ndarray] | None:
    if not calibration:
        return None
    scores = np.array(calibration["scores"], dtype=np.float64)
    return scores, np.array(calibration["probabilities"], dtype=np.float64)


@functools.lru_cache(maxsize=1)
def _weights() -> dict[str, dict]:
    return json.loads(WEIGHTS_PATH.read_text())


@functools.cache
def _reranker(stage: str) -> Scoring:
    """The stage's shipped re-ranker, read once per process: the connector makes a
    matcher of a stage for every claim (``Matcher.lexical``)."""
    return scoring_from_json(_weights()[stage])


@functools.cache
def _absolute(stage: str) -> Reranker | None:
    """The stage's absolute model, if the training script fitted one."""
    data = _weights().get(stage, {}).get("absolute")
    return Reranker.from_json(data) if data else None


def why(
    query_terms: frozenset[str], candidate: Candidate
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The candidate's own words (and numbers) whose stems the query shares."""
    surface = [
        w for w in text.words(f"{candidate.claim} {candidate.title}") if w not in text.STOPWORDS
    ]
    seen: dict[str, None] = {}
    for word, stem in zip(surface, text.stem(surface), strict=True):
        if stem in query_terms:
            seen.setdefault(word, None)
    shared = list(seen)
    return (
        tuple(w for w in shared if not text.is_number(w)),
        tuple(w for w in shared if text.is_number(w)),
    )


@dataclass(frozen=True)
class Pool:
    """A query's candidates (positions in the archive, best BM25 first) and what
    retrieval knows of them: BM25, and the MiniLM and static cosines if computed."""

    query: features.Query
    pool: np.ndarray
    bm25: np.ndarray
    cosine: np.ndarray | None = None
    static: np.ndarray | None = None
    soft: np.ndarray | None = None  # static.StaticIndex.soft


class Matcher:
    """An in-memory index of verified claims."""

    # Lists when built here; views of a file when read back (``from_parts``).
    candidates: Sequence[Candidate]
    records: Sequence[features.Record]

    def __init__(
        self,
        candidates: list[Candidate],
        encoder: SentenceEncoder | None = None,
        reranker: Scoring | None = None,
        embeddings: np.ndarray | None = None,
        paraphrase: bool = True,
        table: static.StaticTable | None = None,
    ) -> None:
        self.candidates = candidates
        self.records = [features.Record.read(c.claim, c.title) for c in candidates]
        self.index = Bm25Index([r.claim + r.title for r in self.records])
        self.encoder = encoder
        if encoder is not None and embeddings is None:
            embeddings = encoder.encode([c.claim for c in candidates])
        self.embeddings = embeddings
        self.static = None
        # ``table``: another static table than the shipped one (the training script's).
        table = (table or static.load()) if paraphrase and encoder is None else None
        if table is not None:
            self.static = static.StaticIndex(table, (f"{c.claim} {c.title}" for c in candidates))
        stage = "semantic" if encoder else "static" if self.static else "lexical"
        self.reranker = reranker or _reranker(stage)
        self.stage = stage
        self.absolute: Reranker | None = None  # see ``with_absolute``

    @classmethod
    def build(
        cls,
        candidates: Iterable[Candidate],
        encoder: SentenceEncoder | None = None,
        embeddings: np.ndarray | None = None,
        paraphrase: bool = True,
    ) -> Matcher:
        """An index of the candidates. With an encoder (``encoder.load()``), the
        MiniLM stage too: ``embeddings`` are the claims' vectors if already known
        (one row per candidate, as ``encoder.encode`` gives), else they are computed
        here, which takes minutes for ten thousand claims."""
        return cls(list(candidates), encoder, embeddings=embeddings, paraphrase=paraphrase)

    @classmethod
    def from_parts(
        cls,
        candidates: Sequence[Candidate],
        records: Sequence[features.Record],
        index: Bm25Index,
        static_index: static.StaticIndex | None = None,
    ) -> Matcher:
        """The matcher over parts made elsewhere (``saved.read``: a file on disk), one
        record per candidate, in the index's order; nothing is rebuilt. With a static
        index, the static stage (as ``Matcher.build`` makes by default), else the lexical."""
        matcher = cls.__new__(cls)
        matcher.candidates, matcher.records, matcher.index = candidates, records, index
        matcher.encoder, matcher.embeddings, matcher.static = None, None, static_index
        stage = "static" if static_index is not None else "lexical"
        matcher.reranker = _reranker(stage)
        matcher.stage, matcher.absolute = stage, None
        return matcher

    def lexical(self) -> Matcher:
        """The lexical stage over the same records and postings (no static table; its
        own weights and calibration): what ``Matcher.build(..., paraphrase=False)``
        would match. The verified_claims connector keeps matches by its probability:
        the static stage's, even the absolute model's, keeps fewer of the right matches
        on the dev tweets (docs/benchmarks.md, "Thresholds")."""
        return Matcher.from_parts(self.candidates, self.records, self.index)

    def with_absolute(self) -> Matcher:
        """The same matcher, ranking as it does, whose matches' probability is its
        stage's absolute model's when the training script fitted one (the static stage):
        that a candidate is the query's earlier fact-check from the ``ABSOLUTE``
        features alone, fitted on training pools with and without the fact-check. The
        verified_claims connector calls a match strong by it (``strong``)."""
        matcher = copy.copy(self)
        matcher.absolute = _absolute(self.stage)
        return matcher

    def __len__(self) -> int:
        return len(self.candidates)

    def retrieve(
        self,
        query: features.Query,
        vector: np.ndarray | None = None,
        k: int = POOL,
        static_vector: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Stage 1: the k best candidates by BM25, with (given the query's vector)
        the ``DENSE`` nearest in meaning and (given its static vector) the ``STATIC``
        nearest by the static table that BM25 missed; best BM25 first, ties in
        import order. Returns the pool and its BM25 scores."""
        scores = self.index.scores(sorted(query.terms))
        pool = lexical.best_first(scores, k)
        nearest = []
        if vector is not None and self.embeddings is not None and len(self):
            nearest.append(lexical.best_first(self.embeddings @ vector + 2.0, DENSE))
        # Only a pool BM25 started: the static vector of noise ("zzzz") is as close
        # to the archive as a real tweet's, so its neighbours alone mean nothing.
        if static_vector is not None and self.static is not None and len(pool):
            nearest.append(self.static.nearest(static_vector, STATIC))
        if nearest:
            pool = np.union1d(pool, np.concatenate(nearest))
            pool = pool[np.lexsort((pool, -scores[pool]))]
        return pool, scores[pool]

    def pool(self, query: str) -> Pool:
        """The query read, its pool, their BM25 scores and cosines."""
        parsed = features.Query.read(query)
        vector = None
        if self.encoder is not None and self.embeddings is not None:
            vector = self.encoder.encode([query])[0]
        if self.static is None:
            pool, bm25 = self.retrieve(parsed, vector)
            cosine = self.embeddings[pool] @ vector if vector is not None else None
            return Pool(parsed, pool, bm25, cosine)
        words = self.static.query(query)
        pool, bm25 = self.retrieve(parsed, static_vector=words.vector)
        return Pool(
            parsed,
            pool,
            bm25,
            static=self.static.cosines(words, pool),
            soft=self.static.soft(words, pool),
        )

    def scored(self, query: str, top: int = 5) -> tuple[features.Query, list[Scored]]:
        """The query read, and its ``top`` best candidates, best first."""
        return self.ranked(self.pool(query), top)

    def ranked(self, found: Pool, top: int = 5) -> tuple[features.Query, list[Scored]]:
        """The ``top`` best of a pool this matcher's index retrieved, best first."""
        records = [self.records[i] for i in found.pool]
        rows = features.matrix(
            found.query, records, found.bm25, found.cosine, found.static, found.soft
        )
        ranked = ranked_rows(self.reranker, records, rows)[:top]
        return found.query, [Scored(int(found.pool[j]), score, rows[j]) for j, score in ranked]

    def match(self, query: str, top: int = 5) -> list[Match]:
        """The ``top`` best earlier fact-checks for a query, best first. Ranked by the
        re-ranker; the probability is its calibration's (``with_absolute``: the
        absolute model's)."""
        parsed, best = self.scored(query, top)
        return [self._matched(parsed, found) for found in best]

    def kept_and_sure(self, query: str, top: int = 5) -> tuple[list[Match], dict[str, float]]:
        """What the verified_claims connector reads, from one retrieval: the lexical
        stage's ``top`` matches (``lexical().match``, whose probability KEEP is set on)
        and, by record id, the absolute model's probability of this stage's ``top``
        (``with_absolute().match``, which STRONG reads)."""
        found = self.pool(query)
        lexical = self.lexical()
        parsed, best = lexical.ranked(lexical_part(found), top)
        matches = [lexical._matched(parsed, scored) for scored in best]
        absolute = self.with_absolute()
        parsed, best = absolute.ranked(found, top)
        sure = [absolute._matched(parsed, scored) for scored in best]
        return matches, {match.id: match.probability for match in sure}

    def _matched(self, query: features.Query, found: Scored) -> Match:
        candidate = self.candidates[found.position]
        match = matched(query, candidate, found.score, self.reranker)
        if self.absolute is None:
            return match
        score = float(self.absolute.score(found.row[None, :])[0])
        return replace(match, probability=round(self.absolute.probability(score), 4))


def lexical_part(found: Pool) -> Pool:
    """The pool the lexical stage retrieves for the same query: BM25's ``POOL`` best.
    A pool comes best BM25 first, ties in import order, as ``lexical.best_first``
    orders them, so they are its first records with a BM25 score; the static
    neighbours BM25 missed come after them."""
    scored = np.flatnonzero(found.bm25 > 0)[:POOL]
    return Pool(found.query, found.pool[scored], found.bm25[scored])


@dataclass(frozen=True)
class Scored:
    """A candidate as the re-ranker saw it: its place in the archive, its score and its
    feature row (``features.NAMES``)."""

    position: int
    score: float
    row: np.ndarray


def rerank(
    reranker: Scoring,
    query: features.Query,
    records: Sequence[features.Record],
    bm25: np.ndarray,
    cosine: np.ndarray | None = None,
    static_cosine: np.ndarray | None = None,
    static_soft: np.ndarray | None = None,
) -> list[tuple[int, float]]:
    """Stage 2: (position in the pool, score) best first.

    The pool comes best BM25 first, ties in import order. Records that say the
    same thing take the best score among them, so the first imported stays first.
    """
    if not records:
        return []
    rows = features.matrix(query, records, bm25, cosine, static_cosine, static_soft)
    return ranked_rows(reranker, records, rows)


def ranked_rows(
    reranker: Scoring, records: Sequence[features.Record], rows: np.ndarray
) -> list[tuple[int, float]]:
    """``rerank`` for feature rows already computed (one per record)."""
    if not records:
        return []
    scores = reranker.score(rows)
    best: dict[tuple, float] = {}
    for record, score in zip(records, scores, strict=True):
        key = (record.claim, record.title)
        best[key] = max(best.get(key, -np.inf), float(score))
    ranked = [(j, best[(r.claim, r.title)]) for j, r in enumerate(records)]
    return sorted(ranked, key=lambda pair: (-pair[1], pair[0]))


def matched(query: features.Query, candidate: Candidate, score: float, reranker: Scoring) -> Match:
    words, numbers = why(query.terms, candidate)
    score = round(score, 4)  # as shown; the probability is that of the score shown
    return Match(candidate.id, score, words, numbers, round(reranker.probability(score), 4))
