"""Earlier fact-checks of the same claim, from the archive of verified claims.

The matcher (``factcheck.factchecks.matching``) ranks the archive for the claim's
words; each match it keeps becomes a source record saying the earlier claim, its
rating, who checked it and when, and why it matched (the terms and numbers both
share). The reviewer cites it like any other source: its snapshot holds those lines.
"""

from __future__ import annotations

from factcheck.db import Database
from factcheck.factchecks import index, matching
from factcheck.factchecks import services as archive
from factcheck.factchecks.matching import Match
from factcheck.factchecks.models import VerifiedClaim
from factcheck.review import ratings
from factcheck.settings import Settings
from factcheck.sources.connectors import ClaimQuery, Found, Reach

TOP_K = 3
CANDIDATES = 10  # matches read from the matcher before the weak ones are dropped
# Which matches are kept, and when the best is strong (shown at the top of the
# reviewer's page as checked before), is the matcher's to say: ``matching.kept`` and
# ``matching.strong``, thresholds chosen on data.


class VerifiedClaimsConnector:
    name = "verified_claims"
    reach = Reach.LOCAL
    archived = False  # the archive's own copies
    # The matcher's index is kept in the data dir (factchecks/index.py): a process loads
    # it in about 30 ms at 10,375 or 100,000 records and half a second at a million
    # (bench/claim_matching.py), and worker processes do so as they start. After an
    # import, a builder thread rebuilds it (stemming only new and changed records: 5 s at
    # 100,000, 51 s at a million) while runs wait at most 5 s in all (index.WAIT), then
    # the older index answers. Only a process with no index at all, on an archive never
    # indexed, waits for a whole build (2-4 s at 10,375 records, 30-40 s at 100,000,
    # 2-6 minutes at a million): past this limit the run times out and is retried, and
    # the build goes on for the retry. Kept at the other local connectors' limit, which
    # local batches share.
    time_limit = 10

    def __init__(self, database: Database, top_k: int = TOP_K) -> None:
        self.database = database
        self.top_k = top_k

    @classmethod
    def build(cls, settings: Settings, database: Database) -> VerifiedClaimsConnector:
        return cls(database)

    @staticmethod
    def enabled(settings: Settings) -> bool:
        return True

    def find(self, query: ClaimQuery) -> list[Found]:
        if not query.text.strip():
            return []
        with self.database.read_scope() as session:
            serving = index.serving(session).matcher
            # The lexical stage's matches and calibration, the one KEEP is set on; the
            # absolute model's probability of the same records for STRONG.
            matches, sure = serving.kept_and_sure(query.text, top=CANDIDATES)
            rows = archive.by_ids(session, [int(match.id) for match in matches])
        found = []
        for match in matches:
            row = rows.get(int(match.id))
            if row is None or row.withdrawn_at is not None or _is_itself(row, query):
                continue
            if matching.kept(match):
                strong = not found and matching.strong(match, sure)
                found.append(_found(row, match, sure.get(match.id), strong=strong))
            if len(found) == self.top_k:
                break
        return found


def _is_itself(row: VerifiedClaim, query: ClaimQuery) -> bool:
    """Our own published verdict of this very claim (reopened for a correction)."""
    return row.source == "desk" and row.ref.endswith(f"#claim-{query.claim_id}")


def _found(row: VerifiedClaim, match: Match, sure: float | None, *, strong: bool) -> Found:
    rated = row.rating_text or (ratings.label_of(row.rating) if row.rating else "")
    who = row.publisher or "an unnamed fact-checker"
    when = f" on {row.reviewed_on.isoformat()}" if row.reviewed_on else ""
    verdict = f'Rated "{rated}" by {who}{when}.' if rated else f"Checked by {who}{when}."
    why = _why(match)
    lines = [f"Earlier claim: {row.claim}", row.title, verdict, why]
    return Found(
        url=row.url or f"verified-claim:{row.id}",
        title=(row.title or row.claim)[:500],
        publisher=row.publisher or None,
        published_at=row.reviewed_on,
        snippet=f"{row.claim} — {verdict}"[:500],
        snapshot_text="\n\n".join(line for line in lines if line),
        score=match.probability,
        details={
            "verified_claim_id": row.id,
            "ref": row.ref,
            "earlier_claim": row.claim,
            "textual_rating": row.rating_text or None,
            "rating": row.rating,
            "checked_by": row.publisher or None,
            "checked_on": row.reviewed_on.isoformat() if row.reviewed_on else None,
            "shared_terms": list(match.shared_terms),
            "shared_numbers": list(match.shared_numbers),
            "match_score": match.score,
            "probability": match.probability,
            "absolute_probability": sure,  # the absolute model's, which ``strong`` reads
            "strong": strong,
            "source": row.source,
        },
    )


def _why(match: Match) -> str:
    parts = []
    if match.shared_terms:
        parts.append("the words " + ", ".join(match.shared_terms))
    if match.shared_numbers:
        parts.append("the numbers " + ", ".join(match.shared_numbers))
    return f"Why it matched: both have {' and '.join(parts)}." if parts else ""
