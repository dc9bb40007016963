"""What an approver reads beside a verdict: each quote in its source's context, the
earlier returns of the claim, and what changed since the last one."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from factcheck.accounts.models import User
from factcheck.review.models import Citation, ReviewTask, Verdict
from factcheck.review.states import VerdictState

CONTEXT_CHARS = 160


@dataclass(frozen=True)
class InContext:
    """A quote as it stands in its source: the text before, the passage, the text after."""

    before: str
    passage: str
    after: str


def in_context(text: str, quote: str, context: int = CONTEXT_CHARS) -> InContext | None:
    """Where ``quote`` stands in ``text``, white space aside (as quotes are checked),
    with up to ``context`` characters around it, cut at words; None if it is not there."""
    words = quote.split()
    if not words:
        return None
    found = re.search(r"\s+".join(map(re.escape, words)), text)
    if found is None:
        return None
    start, end = found.span()
    before = text[max(0, start - context) : start]
    after = text[end : end + context]
    if start > context:
        before = "…" + before.split(" ", 1)[-1]
    if end + context < len(text):
        after = after.rsplit(" ", 1)[0] + "…"
    return InContext(before, found.group(), after)


@dataclass(frozen=True)
class Return:
    """A verdict an approver sent back, with why and by whom."""

    verdict: Verdict
    comment: str
    approver: str


def returns_of(session: Session, claim_id: int) -> list[Return]:
    """The claim's returned verdicts, oldest first, each with its return comment (kept
    on the review task the return opened)."""
    rows = session.execute(
        select(Verdict, ReviewTask.comment, User.display_name)
        .join(ReviewTask, ReviewTask.verdict_id == Verdict.id)
        .outerjoin(User, User.id == Verdict.approver_id)
        .where(
            Verdict.claim_id == claim_id,
            Verdict.state == VerdictState.RETURNED,
            ReviewTask.kind == "review",
        )
        .options(selectinload(Verdict.citations).selectinload(Citation.source))
        .order_by(Verdict.decided_at, Verdict.id)
    )
    return [Return(verdict, comment or "", approver) for verdict, comment, approver in rows]


@dataclass(frozen=True)
class Changes:
    """What a verdict changed against an earlier one."""

    rating: tuple[str, str] | None  # (before, after) slugs, when it changed
    rationale: list[tuple[str, str]]  # (" " same | "-" removed | "+" added, words)
    added: list[Citation]
    removed: list[Citation]

    @property
    def any(self) -> bool:
        return bool(
            self.rating or self.added or self.removed or any(op != " " for op, _ in self.rationale)
        )


def changes(earlier: Verdict, later: Verdict) -> Changes:
    rating = (earlier.rating, later.rating) if earlier.rating != later.rating else None
    before = {(c.source_id, " ".join(c.quote.split())): c for c in earlier.citations}
    after = {(c.source_id, " ".join(c.quote.split())): c for c in later.citations}
    return Changes(
        rating=rating,
        rationale=word_diff(earlier.rationale, later.rationale),
        added=[c for key, c in after.items() if key not in before],
        removed=[c for key, c in before.items() if key not in after],
    )


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """``after`` against ``before`` as runs of words kept, removed and added."""
    old, new = before.split(), after.split()
    runs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            runs.append((" ", " ".join(old[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("-", " ".join(old[i1:i2])))
        if j2 > j1:
            runs.append(("+", " ".join(new[j1:j2])))
    return runs
