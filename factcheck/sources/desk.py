"""Our own earlier verdicts: a claim the desk already rated shows that verdict."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import defer

from factcheck.claims.models import Claim
from factcheck.db import Database
from factcheck.essays.models import Essay
from factcheck.essays.states import EssayStatus
from factcheck.review import ratings
from factcheck.review.models import Verdict
from factcheck.review.states import VerdictState
from factcheck.settings import Settings
from factcheck.sources.connectors import ClaimQuery, Found, Reach
from factcheck.sources.library import search_terms

# Compare against the most recent approved verdicts only: enough for a desk's
# recent work, and bounded however large the archive grows.
RECENT_VERDICTS = 5_000
MIN_OVERLAP = 0.35


class DeskConnector:
    name = "desk"
    reach = Reach.LOCAL
    archived = False  # our own pages
    time_limit = 10  # a batch of searches in our database: well under 1 s

    def __init__(self, database: Database, base_url: str, top_k: int = 3) -> None:
        self.database = database
        self.base_url = base_url.rstrip("/")
        self.top_k = top_k

    @classmethod
    def build(cls, settings: Settings, database: Database) -> DeskConnector:
        return cls(database, settings.base_url)

    @staticmethod
    def enabled(settings: Settings) -> bool:
        return True

    def find(self, query: ClaimQuery) -> list[Found]:
        wanted = set(search_terms(query.text, limit=64))
        if not wanted:
            return []
        with self.database.read_scope() as session:
            rows = session.execute(
                select(Verdict, Claim, Essay)
                .join(Claim, Claim.id == Verdict.claim_id)
                .join(Essay, Essay.id == Claim.essay_id)
                .options(defer(Essay.text))  # thousands of rows; only the title is shown
                .where(
                    Verdict.state == VerdictState.APPROVED,
                    Essay.status == EssayStatus.PUBLISHED,
                    Claim.id != query.claim_id,
                )
                .order_by(Verdict.id.desc())
                .limit(RECENT_VERDICTS)
            ).all()
            scored = []
            for verdict, claim, essay in rows:
                overlap = _overlap(wanted, set(search_terms(claim.text, limit=64)))
                if overlap >= MIN_OVERLAP:
                    scored.append((overlap, self._found(verdict, claim, essay, overlap)))
        scored.sort(key=lambda pair: pair[0], reverse=True)
        return [found for _, found in scored[: self.top_k]]

    def _found(self, verdict: Verdict, claim: Claim, essay: Essay, overlap: float) -> Found:
        label = ratings.BY_SLUG[verdict.rating].label
        return Found(
            url=f"{self.base_url}/fact-checks/{essay.id}#claim-{claim.id}",
            title=f"Our verdict: {label} — {essay.title}",
            publisher="this desk",
            published_at=verdict.decided_at.date() if verdict.decided_at else None,
            snippet=verdict.rationale[:500],
            snapshot_text=f"{claim.text}\n\nRated {label}. {verdict.rationale}",
            score=round(overlap, 4),
            details={"rating": verdict.rating, "label": label, "claim_id": claim.id},
        )


def _overlap(wanted: set[str], other: set[str]) -> float:
    """Share of the two term sets in common (Jaccard)."""
    return len(wanted & other) / len(wanted | other) if other else 0.0
