"""Static word vectors from MiniLM: meaning at the cost of a table look-up.

One vector per token of MiniLM's WordPiece vocabulary (``static_build`` makes the
table from the encoder, all-MiniLM-L6-v2; ``static_tune`` then tunes it on the
training tweets' gold fact-checks). A text's vector is the weighted mean of
its tokens' rows: a tweet costs a tokenisation and a few hundred additions instead
of six transformer layers. Words the vocabulary splits ("hydroxychloroquine") still
get the mean of their pieces. The weights (rare tokens count more) come from the
archive when its index is built. numpy only; the table is package data.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from factcheck.factchecks import encoder as minilm
from factcheck.factchecks import lexical, text

# v2: v1 (fitted without labels, ``static_build``) tuned on the training tweets'
# gold fact-checks (``static_tune``); same format.
TABLE_PATH = Path(__file__).parent / "data" / "static-minilm-v2.npz"
DIMS = 128
# A query's distinct tokens that ``soft`` compares, the rarest first: a tweet has
# about 30; a hostile text with thousands would make a matrix of millions per pool.
SOFT_TOKENS = 256
# Tokens worth a row: lower-case words and numbers, whole or as "##" pieces.
# Punctuation, CJK characters and the [unused] slots are left out.
_KEPT = re.compile(r"(##)?([a-z]+|[0-9]+)")
# From this many records the nearest by static cosine are searched in an inverted file
# (``Lists``) instead of over every record: at a million the exact scan took most of a
# query (issue 18). Below it the scan is exact and cheap. Read when an index is built.
IVF_MIN = 200_000
# The lists a query searches, the closest to it first (docs/benchmarks.md chose it).
NPROBE = 64


def vocabulary(pieces: Sequence[str]) -> list[str]:
    """The WordPiece entries that get a row, in the vocabulary's order."""
    return [p for p in pieces if _KEPT.fullmatch(p)]


def _quantised(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 rows and a float32 scale per row."""
    scales = np.abs(vectors).max(axis=1, keepdims=True) / 127
    scales[scales == 0] = 1.0
    return np.round(vectors / scales).astype(np.int8), scales.astype(np.float32)


class StaticTable:
    """The distilled table with the WordPiece tokeniser that indexes it."""

    def __init__(self, tokens: Sequence[str], vectors: np.ndarray, pieces: Sequence[str]) -> None:
        self.pieces = list(pieces)
        self.tokenizer = minilm.WordPiece(pieces)
        # WordPiece id -> table row; tokens without a row point at a final zero row.
        self.missing = len(tokens)
        rows = {t: i for i, t in enumerate(tokens)}
        self.row_of = np.array([rows.get(p, self.missing) for p in pieces], dtype=np.int32)
        zero = np.zeros((1, vectors.shape[1]), dtype=np.float32)
        self.vectors = np.vstack([vectors.astype(np.float32), zero])
        norms = np.linalg.norm(self.vectors, axis=1)
        self.inverse_norms = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)

    @classmethod
    def load(cls, path: Path = TABLE_PATH) -> StaticTable:
        data = np.load(path, allow_pickle=False)
        pieces = [str(p) for p in data["pieces"]]
        vectors = data["vectors"].astype(np.float32) * data["scales"].astype(np.float32)
        return cls(vectors=vectors, tokens=vocabulary(pieces), pieces=pieces)

    @staticmethod
    def save(path: Path, vectors: np.ndarray, pieces: Sequence[str]) -> None:
        """One row per ``vocabulary(pieces)`` token, stored as int8 with a scale per
        row: a quarter of float32, and the cosines move by less than 0.01."""
        quantised, scales = _quantised(vectors)
        np.savez_compressed(path, pieces=np.array(pieces), vectors=quantised, scales=scales)

    def with_rows(self, vectors: np.ndarray) -> StaticTable:
        """A table of the same vocabulary with other rows (one per token), as ``save``
        would store and ``load`` read them back."""
        quantised, scales = _quantised(vectors)
        stored = quantised.astype(np.float32) * scales
        return StaticTable(vocabulary(self.pieces), stored, self.pieces)

    @property
    def dims(self) -> int:
        return self.vectors.shape[1]

    def rows(self, text_: str) -> np.ndarray:
        """The table rows of a text's tokens (tweet noise off, numbers in digits);
        tokens without a row are left out."""
        prose = text.normalise_numbers(text.clean_tweet(text_))
        ids = [i for word in self.tokenizer._basic(prose) for i in self.tokenizer._pieces(word)]
        rows = self.row_of[np.array(ids, dtype=np.int32)] if ids else np.zeros(0, np.int32)
        return rows[rows != self.missing]

    def unit(self, rows: np.ndarray) -> np.ndarray:
        """The rows' vectors at unit length (a missing row stays zero)."""
        return self.vectors[rows] * self.inverse_norms[rows, None]

    def embed(self, rows: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """The unit-length weighted mean of the rows' vectors (zero if there are none);
        ``weights`` holds one weight per table row."""
        total = weights[rows] @ self.vectors[rows]
        norm = float(np.linalg.norm(total))
        return total / norm if norm else total


@dataclass(frozen=True)
class StaticQuery:
    vector: np.ndarray  # unit length, or zero when no token has a row
    rows: np.ndarray  # the distinct table rows of its tokens


class StaticIndex:
    """The archive's vectors: each record's weighted mean of token vectors, where a
    token weighs its inverse document frequency in the archive (as BM25's), so that
    "the" counts for little and "wombat" for much. Each record's distinct tokens are
    kept too (int16: the table has fewer than 32,768 rows), for ``soft``. From
    ``IVF_MIN`` records the vectors are split into ``Lists`` too, for ``nearest``."""

    def __init__(self, table: StaticTable, texts: Iterable[str]) -> None:
        self.table = table
        rows = [table.rows(t) for t in texts]  # a repeated token counts again
        distinct = [np.unique(r) for r in rows]
        df = np.zeros(table.missing + 1, dtype=np.float32)
        for r in distinct:
            df[r] += 1
        self.weights = lexical.idf(len(rows), df)
        self.vectors = np.zeros((len(rows), table.dims), dtype=np.float32)
        for i, r in enumerate(rows):
            self.vectors[i] = table.embed(r, self.weights)
        self.tokens = np.concatenate([np.zeros(0, np.int16), *distinct]).astype(np.int16)
        self.starts = np.cumsum([0] + [len(r) for r in distinct], dtype=np.int64)
        large = len(rows) >= max(IVF_MIN, 1)
        lists = Lists.build(self.vectors) if large else Lists.none(table.dims)
        self.centroids, self.members, self.list_starts = lists.arrays()

    # The arrays ``saved`` keeps in the matcher's file (the table is package data).
    ARRAYS = ("weights", "vectors", "tokens", "starts", "centroids", "members", "list_starts")

    def arrays(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in self.ARRAYS}

    @classmethod
    def from_arrays(cls, table: StaticTable, arrays: Mapping[str, np.ndarray]) -> StaticIndex:
        """The index as ``arrays`` kept it (views of a file are fine: nothing is copied)."""
        index = cls.__new__(cls)
        index.table = table
        for name in cls.ARRAYS:
            setattr(index, name, arrays[name])
        return index

    def query(self, query: str) -> StaticQuery:
        rows = self.table.rows(query)
        return StaticQuery(self.table.embed(rows, self.weights), np.unique(rows))

    def nearest(self, vector: np.ndarray, k: int, nprobe: int | None = None) -> np.ndarray:
        """The k records nearest to a unit ``vector`` by cosine, best first, ties to the
        lower index: all of them scanned, or, for an archive with lists, the records of
        the ``nprobe`` lists nearest to it (approximate: a neighbour in another list is
        missed)."""
        if not len(self.centroids):
            return lexical.best_first(self.vectors @ vector + 2.0, k)
        lists = Lists(self.centroids, self.members, self.list_starts)
        searched = lists.searched(vector, NPROBE if nprobe is None else nprobe)
        # +2: a cosine of 0 is a score, not a record best_first leaves out.
        return searched[lexical.best_first(self.vectors[searched] @ vector + 2.0, k)]

    def cosines(self, query: StaticQuery, pool: np.ndarray) -> np.ndarray:
        return self.vectors[pool] @ query.vector

    def soft(self, query: StaticQuery, pool: np.ndarray) -> np.ndarray:
        """For each record of the pool, how well its words cover the query's, allowing
        synonyms: over the query's tokens (weighted as in the vectors), the mean of
        each one's best cosine with one of the record's tokens ("physician" meets
        "doctor" at 0.84, where BM25 sees nothing in common)."""
        out = np.zeros(len(pool), dtype=np.float32)
        segments = [self.tokens[self.starts[i] : self.starts[i + 1]] for i in pool]
        lengths = np.array([len(s) for s in segments], dtype=np.int64)
        mine = query.rows
        if len(mine) > SOFT_TOKENS:
            mine = mine[np.argsort(-self.weights[mine], kind="stable")[:SOFT_TOKENS]]
        weights = self.weights[mine]
        if not lengths.any() or not weights.sum():
            return out
        rows = np.concatenate(segments).astype(np.int64)
        cosines = self.table.unit(mine) @ self.table.unit(rows).T
        starts = np.cumsum(lengths) - lengths
        filled = lengths > 0
        best = np.maximum.reduceat(cosines, starts[filled], axis=1)
        out[filled] = weights @ best / weights.sum()
        return out

    def nbytes(self) -> int:
        return sum(values.nbytes for values in self.arrays().values())


# k-means: Lloyd's iterations on a sample of the records, the seed fixed so that a build
# is repeatable; the lists are about as many as a list has records.
KMEANS_ROUNDS = 6
KMEANS_SAMPLE_PER_LIST = 64
KMEANS_SEED = 18
_CHUNK = 16_384  # records assigned at a time: a chunk's cosines are 64 MB at 1,000 lists


@dataclass(frozen=True)
class Lists:
    """An inverted file over unit vectors: the records split by their nearest centroid
    (spherical k-means); ``members`` holds each list's records in ascending order, list
    j's from ``starts[j]`` to ``starts[j + 1]``."""

    centroids: np.ndarray  # (lists, dims) float32, unit length
    members: np.ndarray  # (records,) int32
    starts: np.ndarray  # (lists + 1,) int64

    @classmethod
    def none(cls, dims: int) -> Lists:
        """No lists: the archive is scanned whole."""
        return cls(np.zeros((0, dims), np.float32), np.zeros(0, np.int32), np.zeros(1, np.int64))

    @classmethod
    def build(cls, vectors: np.ndarray) -> Lists:
        count = max(1, round(len(vectors) ** 0.5))
        rng = np.random.default_rng(KMEANS_SEED)
        sample_size = min(len(vectors), count * KMEANS_SAMPLE_PER_LIST)
        sample = vectors[np.sort(rng.choice(len(vectors), sample_size, replace=False))]
        centroids = sample[rng.choice(len(sample), count, replace=False)].copy()
        for _ in range(KMEANS_ROUNDS):
            centroids = _centroids(sample, _assigned(sample, centroids), centroids)
        assigned = _assigned(vectors, centroids)
        members = np.argsort(assigned, kind="stable").astype(np.int32)
        starts = np.concatenate([[0], np.cumsum(np.bincount(assigned, minlength=count))])
        return cls(centroids, members, starts.astype(np.int64))

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.centroids, self.members, self.starts

    def searched(self, vector: np.ndarray, nprobe: int) -> np.ndarray:
        """The records of the ``nprobe`` lists nearest to ``vector``, ascending."""
        nearest = lexical.best_first(self.centroids @ vector + 2.0, nprobe)
        parts = [self.members[self.starts[j] : self.starts[j + 1]] for j in nearest]
        return np.sort(np.concatenate([np.zeros(0, np.int32), *parts]))


def _assigned(vectors: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Each vector's nearest centroid by cosine (ties to the first)."""
    out = np.zeros(len(vectors), dtype=np.int64)
    for start in range(0, len(vectors), _CHUNK):
        out[start : start + _CHUNK] = np.argmax(vectors[start : start + _CHUNK] @ centroids.T, 1)
    return out


def _centroids(vectors: np.ndarray, assigned: np.ndarray, old: np.ndarray) -> np.ndarray:
    """Each list's mean direction; a list left empty keeps its old centroid."""
    sums = np.zeros_like(old)
    np.add.at(sums, assigned, vectors)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return np.where(norms > 0, sums / np.where(norms > 0, norms, 1.0), old).astype(np.float32)


@functools.lru_cache(maxsize=1)
def load() -> StaticTable | None:
    """The shared table, or None when the package data is missing."""
    return StaticTable.load() if TABLE_PATH.exists() else None
