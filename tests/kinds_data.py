"""The labelled op-ed and news sentences of tests/data/kinds (see the README there).

Each document is a TSV file of ``kind``, ``checkable`` and ``sentence``;
``documents.json`` names its source, licence and split: ``dev`` to build the
rules on, ``test`` held aside (a third of the sentences, whole documents).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

FOLDER = Path(__file__).parent / "data" / "kinds"


@dataclass(frozen=True)
class Labelled:
    document: str
    sentence: str
    kind: str
    checkable: bool


def documents(split: str | None = None) -> list[dict[str, str]]:
    """The documents' records from documents.json, of one split or all."""
    records = json.loads((FOLDER / "documents.json").read_text(encoding="utf-8"))
    return [record for record in records if split is None or record["split"] == split]


def sentences(split: str | None = None, document: str | None = None) -> list[Labelled]:
    """The labelled sentences of a split (``dev`` or ``test``) or of one document file."""
    found = []
    for record in documents(split):
        if document is not None and record["file"] != document:
            continue
        with (FOLDER / record["file"]).open(encoding="utf-8", newline="") as rows:
            for row in csv.DictReader(rows, delimiter="\t", quoting=csv.QUOTE_NONE):
                checkable = row["checkable"] == "yes"
                found.append(Labelled(record["file"], row["sentence"], row["kind"], checkable))
    return found
