"""The README's walk through the API, run as written against a live `factcheck up --demo`
with the variables from the `export` line it printed."""

from __future__ import annotations

import json
import os
import re
import shlex

import pytest

from tests.conftest import ROOT
from tests.service import start_service

pytestmark = pytest.mark.integration

WALK_DEADLINE = 300.0  # bounds a failure only: the walk polls for the workers itself


def walk_block() -> str:
    """The first ```sh block after the walk's heading, character for character."""
    section = (ROOT / "README.md").read_text().split("## A walk through the API", 1)[1]
    found = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert found, "the README's walk through the API has no ```sh block"
    return found.group(1)


def exported(line: str) -> dict[str, str]:
    """The variables of an `export A=... B=...  # comment` line."""
    words = shlex.split(line, comments=True)
    assert words[0] == "export", line
    return dict(word.split("=", 1) for word in words[1:])


# Each curl the walk runs writes its URL to $CALLS first, so the test counts API calls.
COUNT_CALLS = 'curl() { printf "%s\\n" "${@: -1}" >>"$CALLS"; command curl "$@"; }\n'
MAX_CALLS = 29  # issue 15: publish the seed essay in under 30 calls (polling aside)
CHOSEN = 5


def test_the_walk_through_the_api_works_as_written(tmp_path):
    """On the embedded default, as the README starts it (test_full_flow runs the same
    API calls on PostgreSQL and Redis)."""
    service = start_service({}, tmp_path, timeout=120.0)
    calls = tmp_path / "calls"
    try:
        variables = exported(service.wait_for_line("export E="))
        assert variables.keys() == {"E", "R1", "R2", "API"}
        assert variables["API"] == f"{service.base_url}/api/v1"
        status, printed = service.run_beside(
            ["bash", "-euo", "pipefail", "-c", COUNT_CALLS + walk_block()],
            WALK_DEADLINE,
            cwd=ROOT,
            env={**os.environ, **variables, "CALLS": str(calls)},
        )
    finally:
        assert service.stop() == 0, service.log_tail()
    assert status == 0, printed
    answers = [json.loads(line) for line in printed.splitlines() if line.startswith("{")]
    chosen, rest = [a for a in answers if "changed" in a]
    assert chosen["changed"] == CHOSEN and {c["band"] for c in chosen["claims"]} <= {
        "high",
        "medium",
    }
    assert rest["action"] == "do_not_check" and rest["changed"] > 0
    states = [a["state"] for a in answers if "verdict" in a]
    assert states == ["submitted"] * CHOSEN + ["approved"] * CHOSEN
    assert next(a for a in answers if "published" in a)["published"] == 1
    assert printed.rstrip().endswith(f"{service.base_url}/fact-checks/1")
    urls = calls.read_text().splitlines()
    polls = [url for url in urls if url == f"{variables['API']}/essays/1"]
    assert polls, "the walk never waited for the workers"
    assert len(urls) - len(polls) == MAX_CALLS, urls
