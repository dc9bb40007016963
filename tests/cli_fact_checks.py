"""Run `factcheck fact-checks` as outside checks do: a process of its own, files in,
JSON Lines out; the same steps on SQLite (unit) and PostgreSQL (integration)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.factchecks import BOMBS, BOMBS_URL, claim_review, json_lines

CLEF_LIKE = (
    "\tvclaim\ttitle\n"
    "0\t122 detainees released from Guantanamo Bay have re-engaged in terrorist activities.\t"
    "Did 122 Prisoners Return to the Battlefield?\n"
    "1\t70 per cent of the persons arrested during protests in Charlotte had out-of-state IDs.\t"
    "70% of Arrested Charlotte Protesters Are Out-of-State\n"
    "2\tA large-scale killing of white farmers is taking place in South Africa.\tFarm killings\n"
)


def factcheck(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "factcheck", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
        check=False,
    )


def import_and_match(env: dict[str, str], tmp_path: Path) -> None:
    """The CLI contract: imports report counts and are idempotent, a bad record is
    refused with its reason, and match answers one line per query, best first, with
    the imported records' own ids."""
    table = tmp_path / "verified_claims.docs.tsv"
    table.write_text(CLEF_LIKE)
    columns = "--columns", "id=,claim=vclaim,title=title"
    first = factcheck(env, "fact-checks", "import", str(table), "--format", "tsv", *columns,
                      "--publisher", "Snopes")  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert "3 new, 0 updated, 0 unchanged, 0 refused" in first.stdout
    again = factcheck(env, "fact-checks", "import", str(table), *columns, "--publisher", "Snopes")
    assert "0 new, 0 updated, 3 unchanged" in again.stdout and "nothing changed" in again.stdout
    dump = tmp_path / "reviews.jsonl"
    dump.write_text(json_lines(BOMBS, "{broken", claim_review("https://x.example/2", "y" * 9000)))
    mixed = factcheck(env, "fact-checks", "import", str(dump), "--format", "claimreview")
    assert mixed.returncode == 0 and "1 new, 0 updated, 0 unchanged, 2 refused" in mixed.stdout
    assert "refused line 2: not valid JSON" in mixed.stderr and "line 3: claim is" in mixed.stderr
    wrong = factcheck(env, "fact-checks", "import", str(table), "--columns", "claim=nosuch")
    assert wrong.returncode == 1 and "no such column" in wrong.stderr
    queries = json_lines(
        {"id": "q1", "text": "Obama let 122 Guantanamo prisoners go and they went back to terror"},
        {"id": 7, "text": "Car bombs in Sadr City killed more than 200 people"},
    )
    matched = factcheck(env, "fact-checks", "match", "--top", "2", stdin=queries)
    assert matched.returncode == 0, matched.stderr
    lines = [json.loads(line) for line in matched.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["q1", 7]
    assert lines[0]["matches"][0]["id"] == "0" and len(lines[0]["matches"]) <= 2
    assert BOMBS_URL in [m["id"] for m in lines[1]["matches"]]
    for line in lines:
        assert set(line) == {"id", "matches"}  # the contract's shape, nothing more
        assert all(set(m) == {"id", "score"} for m in line["matches"])
        scores = [m["score"] for m in line["matches"]]
        assert scores == sorted(scores, reverse=True)
    bad = factcheck(env, "fact-checks", "match", stdin='not json\n{"id": 1, "text": "IDs"}\n')
    assert bad.returncode == 1 and "line 1" in bad.stderr and len(bad.stdout.splitlines()) == 1
    kept_index_is_used(env, tmp_path, queries, matched.stdout)


def kept_index_is_used(env: dict[str, str], tmp_path: Path, queries: str, answer: str) -> None:
    """match keeps its index in the data dir: a second run loads it (the file is not
    written again) and answers the same; after an import it is built again."""
    (kept,) = Path(env["FACTCHECK_DATA_DIR"]).glob("matcher/index-*.bin")
    before = kept.stat()
    again = factcheck(env, "fact-checks", "match", "--top", "2", stdin=queries)
    assert again.returncode == 0 and again.stdout == answer
    assert (kept.stat().st_ino, kept.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    more = tmp_path / "more.tsv"
    more.write_text("\tvclaim\ttitle\n3\tAliens built the pyramids of Giza.\tPyramids\n")
    added = factcheck(env, "fact-checks", "import", str(more), "--columns",
                      "id=,claim=vclaim,title=title", "--publisher", "Snopes")  # fmt: skip
    assert "1 new" in added.stdout, added.stderr
    query = json_lines({"id": "q3", "text": "Did aliens build the pyramids?"})
    found = factcheck(env, "fact-checks", "match", stdin=query)
    assert json.loads(found.stdout)["matches"][0]["id"] == "3"
    assert kept.stat().st_ino != before.st_ino
