"""The matcher kept in a file: built once, then read back by any process with mmap.

One file holds what ``Matcher.match`` reads: the BM25 postings (``Bm25Index.arrays``)
and its vocabulary, each record's id, claim, headline and terms (the re-ranker and
"why it matched" read them for a query's pool of 30), and, when the static table is
installed, the static stage's arrays (``StaticIndex.arrays``: its token weights, each
record's vector and distinct tokens, and a large archive's inverted file), so that a
matcher read back scores as ``Matcher.build`` does. Those are built again in full at
every build: a record's vector weighs its tokens by the whole archive's frequencies,
which any import changes.
Strings are kept as one UTF-8 blob per column with the end of each string in it; a
record is decoded only when a pool holds it. The file is mapped, not read: processes
on one machine share its pages.

Layout: ``MAGIC``, the header's length (8 bytes, little-endian), the header (JSON:
the format, what the file was built from, where each array starts, a CRC-32 of them
all), then the arrays, each at a multiple of ``ALIGN`` bytes. A file is written under a
temporary name and renamed over the old one, so a reader sees the old file or the new,
never half of one; a truncated or damaged file, or one of another format, is
``Unusable``, never read.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import threading
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from factcheck.factchecks import features, lexical, static, text
from factcheck.factchecks.lexical import Bm25Index
from factcheck.factchecks.matching import Candidate, Matcher

MAGIC = b"FCMATCH\n"
ALIGN = 64
VERSION = 3  # up by one whenever what the file holds changes (2: the static stage, 3: its lists)
COLUMNS = ("ids", "claims", "titles", "claim_terms", "title_terms")


class Unusable(Exception):
    """The file is missing, of another format, built from something else, or damaged."""


def format_id() -> str:
    """The file's version and how its terms were made and weighed: a file written by
    code that stems or weighs differently, or with another static table (or none), is
    of another format, so it is built again."""
    recipe = hashlib.sha256(Path(text.__file__).read_bytes()).hexdigest()[:16]
    lexical_part = f"k1={lexical.K1}:b={lexical.B}:min={lexical.MIN_ARCHIVE}:text={recipe}"
    return f"{VERSION}:{lexical_part}:static={_static_recipe()}"


@functools.lru_cache(maxsize=1)
def _static_recipe() -> str:
    """The static table and the code that reads it, or "none" without the table."""
    if static.load() is None:
        return "none"
    digest = hashlib.sha256(Path(static.__file__).read_bytes())
    digest.update(static.TABLE_PATH.read_bytes())
    return digest.hexdigest()[:16]


# --- writing -----------------------------------------------------------------------------


class _StringsWriter:
    def __init__(self) -> None:
        self.data = bytearray()
        self.ends = array("q")

    def add(self, value: str) -> None:
        self.data += value.encode()
        self.ends.append(len(self.data))

    def arrays(self, name: str) -> dict[str, np.ndarray]:
        return {
            f"{name}.data": np.frombuffer(self.data, dtype=np.uint8),
            f"{name}.ends": np.array(self.ends, dtype=np.int64),
        }


# A candidate's terms if an earlier index has them (same id, same text), else None.
Known = Callable[[Candidate], features.Record | None]


def write(
    path: Path, candidates: Iterable[Candidate], meta: dict[str, Any], known: Known | None = None
) -> int:
    """Index the candidates (read one by one, e.g. from a database cursor) and keep the
    index in ``path`` with ``meta``. Returns how many records it holds."""
    arrays = build(candidates, known)
    save(path, arrays, meta)
    return int(arrays["size"][0])


def build(candidates: Iterable[Candidate], known: Known | None = None) -> dict[str, np.ndarray]:
    """The arrays of the index of the candidates, as ``save`` keeps them. ``known``
    gives a candidate's terms when they are known already (an earlier index of the
    same text), which saves reading them again, most of a build's cost."""
    columns = {name: _StringsWriter() for name in COLUMNS}

    def docs() -> Iterator[tuple[str, ...]]:
        for candidate in candidates:
            record = known(candidate) if known else None
            if record is None:
                record = features.Record.read(candidate.claim, candidate.title)
            values = (candidate.id, candidate.claim, candidate.title,
                      " ".join(record.claim), " ".join(record.title))  # fmt: skip
            for name, value in zip(COLUMNS, values, strict=True):
                columns[name].add(value)
            yield record.claim + record.title  # as Matcher.build indexes them

    index = Bm25Index(docs())
    arrays = index.arrays()
    # Terms are letters and digits (text.TOKEN): one space between them is unambiguous.
    arrays["vocabulary"] = np.frombuffer(" ".join(index.vocabulary).encode(), dtype=np.uint8)
    for name, column in columns.items():
        arrays.update(column.arrays(name))
    table = static.load()
    if table is not None:
        claims, titles = (_strings(arrays, name) for name in ("claims", "titles"))
        texts = (f"{claim} {title}" for claim, title in zip(claims, titles, strict=True))
        for name, values in static.StaticIndex(table, texts).arrays().items():
            arrays[f"static.{name}"] = values  # as Matcher.build makes them
    return arrays


def _strings(arrays: dict[str, np.ndarray], name: str) -> Strings:
    return Strings(arrays[f"{name}.data"], arrays[f"{name}.ends"])


def save(path: Path, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
    """Keep the arrays in ``path`` with ``meta``: written under a temporary name, then
    renamed over the old file."""
    layout, chunks, offset = {}, [], 0
    for name, values in arrays.items():
        values = np.ascontiguousarray(values)
        layout[name] = {"dtype": values.dtype.str, "shape": values.shape, "offset": offset}
        end = _aligned(offset + values.nbytes)
        raw = values.reshape(-1).view(np.uint8)  # flat first: (0, 128) casts to no bytes
        chunks += [raw.data, b"\0" * (end - offset - values.nbytes)]
        offset = end
    crc = 0
    for chunk in chunks:
        crc = zlib.crc32(chunk, crc)
    header = json.dumps(
        {"format": format_id(), "meta": meta, "arrays": layout, "size": offset, "crc32": crc}
    ).encode()
    start = _aligned(len(MAGIC) + 8 + len(header))
    temporary = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(temporary, "wb") as out:
            out.write(MAGIC + len(header).to_bytes(8, "little") + header)
            out.write(b"\0" * (start - out.tell()))
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _aligned(offset: int) -> int:
    return -(-offset // ALIGN) * ALIGN


# --- reading -----------------------------------------------------------------------------


def read(path: Path, meta: dict[str, Any] | None) -> Matcher:
    """The matcher kept in ``path``, if it was written with ``meta`` (None: any) by
    this format; ``Unusable`` otherwise (checked before the arrays are mapped)."""
    try:
        with open(path, "rb") as file:
            header, start = _header(file)
            if header.get("format") != format_id() or meta not in (None, header.get("meta")):
                raise Unusable("built by another format or from another revision")
            if os.fstat(file.fileno()).st_size != start + header["size"]:
                raise Unusable("truncated, or longer than its header says")
            # A plain array over the mapping: numpy's memmap subclass slows every slice.
            data = np.asarray(np.memmap(file, dtype=np.uint8, mode="r", offset=start))
        if zlib.crc32(data) != header["crc32"]:
            raise Unusable("damaged: its CRC does not match")
        arrays = {name: _view(data, spec) for name, spec in header["arrays"].items()}
        return _matcher(arrays)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError) as problem:
        raise Unusable(f"unreadable: {problem}") from problem


def _header(file: BinaryIO) -> tuple[dict[str, Any], int]:
    if file.read(len(MAGIC)) != MAGIC:
        raise Unusable("not a matcher index")
    length = int.from_bytes(file.read(8), "little")
    header = json.loads(file.read(length))
    if not isinstance(header, dict):
        raise Unusable("no header")
    return header, _aligned(len(MAGIC) + 8 + length)


def _view(data: np.ndarray, spec: dict[str, Any]) -> np.ndarray:
    dtype, shape = np.dtype(spec["dtype"]), tuple(spec["shape"])
    nbytes = dtype.itemsize * int(np.prod(shape, dtype=np.int64))
    start = int(spec["offset"])
    if start + nbytes > len(data):
        raise Unusable("an array runs past the end")
    return data[start : start + nbytes].view(dtype).reshape(shape)


def _matcher(arrays: dict[str, np.ndarray]) -> Matcher:
    terms = arrays["vocabulary"].tobytes().decode().split()
    index = Bm25Index.from_arrays(arrays, terms)
    column = {name: _strings(arrays, name) for name in COLUMNS}
    if len(terms) != len(index.idf) or any(len(c) != index.size for c in column.values()):
        raise Unusable("the records and the postings disagree")
    candidates = Candidates(column["ids"], column["claims"], column["titles"])
    records = Records(column["claim_terms"], column["title_terms"])
    return Matcher.from_parts(candidates, records, index, _static_index(arrays, index.size))


def _static_index(arrays: dict[str, np.ndarray], size: int) -> static.StaticIndex | None:
    """The static stage kept in the file, if the static table is installed (the
    format says whether it was when the file was written)."""
    table = static.load()
    if table is None:
        return None
    kept = {name: arrays[f"static.{name}"] for name in static.StaticIndex.ARRAYS}
    starts, tokens = kept["starts"], kept["tokens"]
    if (
        kept["weights"].shape != (table.missing + 1,)
        or kept["vectors"].shape != (size, table.dims)
        or starts.shape != (size + 1,)
        or int(starts[0]) != 0
        or int(starts[-1]) != len(tokens)
        or bool(np.any(np.diff(starts) < 0))
        or (len(tokens) and not 0 <= int(tokens.min()) <= int(tokens.max()) < table.missing)
        or not _lists_fit(kept, size, table.dims)
    ):
        raise Unusable("the static stage and the records disagree")
    return static.StaticIndex.from_arrays(table, kept)


def _lists_fit(kept: dict[str, np.ndarray], size: int, dims: int) -> bool:
    """Whether the static stage's inverted file (none, or every record in one list)
    fits the records."""
    centroids, members, starts = kept["centroids"], kept["members"], kept["list_starts"]
    if centroids.ndim != 2 or centroids.shape[1] != dims or starts.shape != (len(centroids) + 1,):
        return False
    if not len(centroids):
        return len(members) == 0 and int(starts[0]) == 0
    return (
        members.shape == (size,)
        and int(starts[0]) == 0
        and int(starts[-1]) == size
        and not bool(np.any(np.diff(starts) < 0))
        and (not size or 0 <= int(members.min()) <= int(members.max()) < size)
    )


class Strings(Sequence[str]):
    """Strings kept as one UTF-8 blob and the end of each in it; decoded when read."""

    def __init__(self, data: np.ndarray, ends: np.ndarray) -> None:
        self.data, self.ends = data, ends

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, i):  # type: ignore[no-untyped-def, override]
        size = len(self.ends)
        i = i + size if i < 0 else i
        if not 0 <= i < size:
            raise IndexError(i)
        start = int(self.ends[i - 1]) if i else 0
        return self.data[start : int(self.ends[i])].tobytes().decode()


@dataclass(frozen=True)
class Candidates(Sequence[Candidate]):
    """The records' ids, claims and headlines, read from the file when asked for."""

    ids: Strings
    claims: Strings
    titles: Strings

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i):  # type: ignore[no-untyped-def, override]
        return Candidate(self.ids[i], self.claims[i], self.titles[i])


@dataclass(frozen=True)
class Records(Sequence[features.Record]):
    """The records' terms, as ``features.Record.read`` made them at build time."""

    claim_terms: Strings
    title_terms: Strings

    def __len__(self) -> int:
        return len(self.claim_terms)

    def __getitem__(self, i):  # type: ignore[no-untyped-def, override]
        return features.Record(tuple(self.claim_terms[i].split()),
                               tuple(self.title_terms[i].split()))  # fmt: skip
