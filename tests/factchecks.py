"""Files of earlier fact-checks in each format the archive imports, hostile ones too."""

from __future__ import annotations

import itertools
import json

from flask.testing import FlaskClient

from factcheck.accounts.services import user_by_name
from factcheck.db import Database
from factcheck.factchecks import formats
from factcheck.factchecks import services as archive
from factcheck.factchecks.formats import Record
from factcheck.sources.connectors import ClaimQuery
from factcheck.sources.models import SourceRecord
from factcheck.sources.services import sha256
from factcheck.sources.verified_claims import VerifiedClaimsConnector
from tests import factories
from tests.unit.pages import post, sign_in

BOMBS_CLAIM = "Car bombs killed more than 200 people in Sadr City on Thursday."
BOMBS_URL = "https://checkers.example/sadr-city-bombs"


def claim_review(url: str, claim: str, rating: str = "True", **extra: object) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": claim,
        "headline": f"Fact check: {claim[:40]}",
        "datePublished": "2006-11-25",
        "author": {"@type": "Organization", "name": "Checkers"},
        "reviewRating": {"@type": "Rating", "alternateName": rating},
        "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "A. Speaker"}},
        **extra,
    }


def page(*scripts: str) -> str:
    """A fact-checker's web page with these JSON-LD script bodies."""
    tags = "".join(f'<script type="application/ld+json">{body}</script>' for body in scripts)
    return f"<!doctype html><html><head>{tags}</head><body><p>Our check</p></body></html>"


def json_lines(*values: object) -> str:
    return "\n".join(v if isinstance(v, str) else json.dumps(v) for v in values) + "\n"


BOMBS = claim_review(BOMBS_URL, BOMBS_CLAIM)

# A background archive of other fact-checks, as a desk's would be: the matches compete
# with a thousand others sharing their words ("the governor", "in Ohio").
BACKGROUND = 1000
_WHO = (
    "The governor",
    "A senator",
    "The mayor",
    "A video",
    "A viral post",
    "The president",
    "A study",
    "The company",
    "Scientists",
    "A photo",
)
_SAYS = ("shows", "says", "claims", "proves", "reveals")
_WHAT = (
    "taxes rose",
    "the vaccine is unsafe",
    "crime fell",
    "the bridge collapsed",
    "schools closed",
    "wages doubled",
    "the river flooded",
    "the election was rigged",
    "prices fell",
    "the airport shut",
)
_WHERE = ("in Texas", "in Paris", "in Ohio", "in Lagos", "in Delhi", "in Manila")  # fmt: skip


def background(n: int = BACKGROUND) -> list[Record]:
    """``n`` other earlier fact-checks (at most 3,000), none about car bombs."""
    said = itertools.islice(itertools.product(_WHO, _SAYS, _WHAT, _WHERE), n)
    return [Record(f"background-{i}", f"{who} {says} {what} {where}.", rating_text="False")
            for i, (who, says, what, where) in enumerate(said)]  # fmt: skip


HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(2)> the moon is cheese'


def seed_checked_before(database: Database, editor: str = "ed") -> tuple[int, int]:
    """An archive holding an earlier check of the tiny essay's first claim (a NUL in it,
    markup in its checker's name) among a background of others, and that claim
    gathered: its verified_claims source and an open review task. Returns (the claim's
    id, the source's id).

    The markup is in the checker's name, not the claim, since any markup in the claim
    makes it a weaker match (a kept one, not a strong one, in an archive of a thousand:
    test_fact_checks.py)."""
    with database.scope() as session:
        fields = {"ref": BOMBS_URL, "claim": BOMBS_CLAIM + "\x00", "rating_text": "True",
                  "url": BOMBS_URL, "publisher": f"Checkers {HOSTILE}"}  # fmt: skip
        record = formats.checked(fields, "record 1")
        archive.import_records(session, [*background(), record], name="f", format="claimreview")
    with database.scope() as session:
        essay = factories.make_essay(session, user_by_name(session, editor))
        claim = factories.make_claim(session, essay, factories.CAR_BOMBS)
        query = ClaimQuery(claim_id=claim.id, text=claim.text, start=0, end=1)
        found = VerifiedClaimsConnector(database).find(query)[0]
        source = SourceRecord(
            claim_id=claim.id, connector="verified_claims", url=found.url, title=found.title,
            publisher=found.publisher, published_at=found.published_at, snippet=found.snippet,
            score=found.score, snapshot_text=found.snapshot_text,
            snapshot_sha256=sha256(found.snapshot_text), details=found.details,
        )  # fmt: skip
        session.add(source)
        factories.make_review_task(session, claim)
        return claim.id, source.id


def check_task_page_box(client: FlaskClient, database: Database) -> None:
    """A strong match in the archive stands first on the reviewer's page, escaped, and
    is a source the verdict can cite. Needs the users ed (editor) and rev (reviewer)."""
    _, source_id = seed_checked_before(database)
    sign_in(client, "rev")
    task_path = post(client, "/desk/queue/next", {}, "/desk/queue").location
    text = client.get(task_path).text
    assert text.index("Checked before") < text.index('id="sources-heading"')
    assert "<script>alert(1)" not in text and "&lt;script&gt;alert(1)" in text
    assert f'href="#source-{source_id}"' in text and f'name="cite" value="{source_id}"' in text
