"""The audit log in plain words: each event as a sentence a person can read.

``SENTENCES`` has one entry per action that ``audit.record`` writes (a test parses the
call sites and fails on one without a sentence). Each entry turns an event and the
``Facts`` it needs (names of people, sources, the kind of each task, each verdict's
author and rating) into a sentence, with labels for ratings and states and never an
id, a slug or a dict. ``load_facts`` reads those facts for a whole list of events in
at most four queries, however long the list. The JSON API keeps the structured events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.accounts.models import User
from factcheck.audit import AuditEvent
from factcheck.claims.decisions import REASON_LABELS, Decision
from factcheck.claims.states import ClaimStatus
from factcheck.review import ratings
from factcheck.review.models import ReviewTask, Verdict
from factcheck.sources.models import SourceRecord

QUOTE_CHARS = 160  # a longer quote is cut at a word, with an ellipsis


@dataclass(frozen=True)
class SourceFacts:
    title: str
    publisher: str | None
    published_at: date | None


@dataclass(frozen=True)
class VerdictFacts:
    author_id: int
    rating: str


@dataclass(frozen=True)
class Facts:
    """What the sentences of some events name besides the events themselves."""

    users: dict[int, str] = field(default_factory=dict)
    sources: dict[int, SourceFacts] = field(default_factory=dict)
    task_kinds: dict[int, str] = field(default_factory=dict)
    verdicts: dict[int, VerdictFacts] = field(default_factory=dict)


@dataclass(frozen=True)
class Line:
    """One event as people read it: when, who (None: the desk itself), a sentence,
    and what someone wrote with it (a rationale, a comment, a note), if anything."""

    at: datetime
    actor: str | None
    sentence: str
    note: str | None = None

    @property
    def when(self) -> str:
        return readable_time(self.at)


@dataclass(frozen=True)
class Event:
    """An audit event as the sentences see it: its payloads never None."""

    action: str
    subject_id: int
    actor: str | None
    before: dict[str, Any]
    after: dict[str, Any]
    facts: Facts

    @property
    def who(self) -> str:
        return self.actor or "The desk"

    def user(self, user_id: Any) -> str:
        return self.facts.users.get(user_id, "a former user") if user_id else "nobody"

    def rating(self, slug: Any) -> str:
        rating = ratings.BY_SLUG.get(slug)
        return rating.label if rating else "no rating"

    def verdict(self, verdict_id: Any = None) -> str:
        """ "rev's verdict (Mostly true)" for ``verdict_id`` (the subject by default)."""
        facts = self.facts.verdicts.get(verdict_id or self.subject_id)
        if facts is None:
            return "the verdict"
        return f"{self.user(facts.author_id)}'s verdict ({self.rating(facts.rating)})"


Sentence = Callable[[Event], "str | tuple[str, str | None]"]


def readable_time(moment: datetime) -> str:
    """23 Nov 2006, 14:05 UTC"""
    moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def readable_date(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def describe(event: AuditEvent, actor: str | None, facts: Facts) -> Line:
    """``event`` (made by ``actor``, a user name or None) as a line of the history."""
    seen = Event(
        event.action, event.subject_id, actor, event.before or {}, event.after or {}, facts
    )
    entry = SENTENCES.get(event.action, _unknown)
    said = entry(seen)
    sentence, note = said if isinstance(said, tuple) else (said, None)
    return Line(event.at, actor, sentence, note)


def lines(session: Session, events: list[tuple[AuditEvent, str | None]]) -> list[Line]:
    """Every event with its actor's name, as lines (the facts read in a few queries)."""
    facts = load_facts(session, [event for event, _ in events])
    return [describe(event, actor, facts) for event, actor in events]


# --- the facts ---------------------------------------------------------------------


def load_facts(session: Session, events: Iterable[AuditEvent]) -> Facts:
    """The facts ``events`` name: tasks, verdicts, sources, then every user named (the
    verdicts' authors included), one query each, none when nothing is named."""
    ids: dict[str, set[int]] = {"users": set(), "sources": set(), "tasks": set(), "verdicts": set()}
    for event in events:
        _named(event, ids)
    task_kinds = _by_id(session, ReviewTask.id, ReviewTask.kind, ids["tasks"])
    verdicts = {
        row.id: VerdictFacts(row.author_id, row.rating)
        for row in _rows(session, Verdict, ids["verdicts"], Verdict.author_id, Verdict.rating)
    }
    ids["users"] |= {v.author_id for v in verdicts.values()}
    sources = {
        row.id: SourceFacts(row.title, row.publisher, row.published_at)
        for row in _rows(
            session,
            SourceRecord,
            ids["sources"],
            SourceRecord.title,
            SourceRecord.publisher,
            SourceRecord.published_at,
        )
    }
    users = _by_id(session, User.id, User.name, ids["users"])
    return Facts(users, sources, task_kinds, verdicts)


SUBJECTS = {"users": "users", "source_records": "sources", "review_tasks": "tasks"}


def _named(event: AuditEvent, ids: dict[str, set[int]]) -> None:
    """Add the ids ``event`` names, by what they are, to ``ids``."""
    kind = SUBJECTS.get(event.subject_type)
    if kind:
        ids[kind].add(event.subject_id)
    if event.subject_type == "verdicts":
        ids["verdicts"].add(event.subject_id)
    for payload in (event.before or {}, event.after or {}):
        for key in ("assignee_id", "reserved_for_id"):
            if isinstance(payload.get(key), int):
                ids["users"].add(payload[key])
        if isinstance(payload.get("by"), int):
            ids["verdicts"].add(payload["by"])
        for citation in payload.get("citations") or []:
            ids["sources"].add(citation["source_id"])


def _by_id(session: Session, key: Any, value: Any, ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    return {
        row_id: found for row_id, found in session.execute(select(key, value).where(key.in_(ids)))
    }


def _rows(session: Session, model: Any, ids: set[int], *columns: Any) -> list[Any]:
    if not ids:
        return []
    return list(session.execute(select(model.id, *columns).where(model.id.in_(ids))))


# --- pieces of sentences -------------------------------------------------------------


def quoted(text: str, limit: int = QUOTE_CHARS) -> str:
    """'text', cut at a word past ``limit`` characters."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + "…"
    return f"'{text}'"


def citations(event: Event, cited: list[dict[str, Any]]) -> str:
    """citing 'quote' (BBC, 23 Nov 2006) and 'quote' (Reuters)"""
    if not cited:
        return "citing nothing"
    parts = [f"{quoted(c.get('quote', ''))} ({_source(event, c.get('source_id'))})" for c in cited]
    return "citing " + _joined(parts)


def _source(event: Event, source_id: Any) -> str:
    facts = event.facts.sources.get(source_id)
    if facts is None:
        return "a source no longer on file"
    where = facts.publisher or facts.title
    return f"{where}, {readable_date(facts.published_at)}" if facts.published_at else where


def _joined(parts: list[str]) -> str:
    if len(parts) < 2:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _count(number: Any, one: str, many: str) -> str:
    """3 claims, 1 claim; "some claims" when an old event did not say."""
    if not isinstance(number, int):
        return f"some {many}"
    return f"{number} {one if number == 1 else many}"


# --- the sentences, one per action ---------------------------------------------------


def _verdict_given(event: Event, verb: str) -> tuple[str, str | None]:
    after = event.after
    rated = f"{event.who} {verb} {event.rating(after.get('rating'))}"
    return f"{rated}, {citations(event, after.get('citations') or [])}", after.get("rationale")


@dataclass(frozen=True)
class TaskWords:
    about: str  # what the task is about
    work: str  # what its holder does
    done: str
    noun: str


REVIEW = TaskWords("the claim", "review", "reviewed", "review")
APPROVAL = TaskWords("the verdict", "approve", "approved", "approval")


def _task(event: Event) -> TaskWords:
    return APPROVAL if event.facts.task_kinds.get(event.subject_id) == "approval" else REVIEW


def _taken(event: Event) -> str:
    task = _task(event)
    return f"{event.who} took {task.about} to {task.work}"


def _assigned(event: Event) -> str:
    task, to = _task(event), event.user(event.after.get("assignee_id"))
    return f"{event.who} gave {task.about} to {to} to {task.work}"


def _released(event: Event) -> str:
    task = _task(event)
    return f"{event.who} put {task.about} back in the queue, not {task.done}"


def _opened(event: Event) -> str:
    # A returned verdict's new task may be kept for its author for a while at first.
    reserved = event.after.get("reserved_for_id")
    said = "The claim joined the review queue"
    return f"{said}, kept at first for {event.user(reserved)}" if reserved else said


def _lease_expired(event: Event) -> str:
    holder = event.user(event.before.get("assignee_id"))
    return f"{holder}'s time with {_task(event).about} ran out; it went back to the queue"


def _cancelled(event: Event) -> str:
    if event.after.get("reason") == "withdrawn":
        return f"{event.who} took the verdict back; its {_task(event).noun} was cancelled"
    return f"The waiting {_task(event).noun} was withdrawn"


def _claim_waits(event: Event) -> str:
    came_from = event.before.get("status")
    if came_from == ClaimStatus.GATHERING:
        return "The evidence search ended; the claim waits for a reviewer"
    if came_from == ClaimStatus.APPROVED:
        return "The claim waits for a reviewer again, for the correction"
    return "The claim went back to the queue; it waits for a reviewer"


def _claim_changed(event: Event) -> str:
    before, after = event.before, event.after
    changes = []
    if before.get("text") != after.get("text"):
        changes.append(f"reworded the claim as {quoted(str(after.get('text', '')))}")
    if before.get("kind") != after.get("kind"):
        changes.append(f"made it a claim of the kind {after.get('kind')}")
    if before.get("checkable") != after.get("checkable"):
        changes.append("marked it checkable" if after.get("checkable") else "set it aside")
    if not changes:
        return f"{event.who} edited the claim, changing nothing a reader sees"
    return f"{event.who} {_joined(changes)}"


def _claim_triaged(event: Event) -> str:
    decision = event.after.get("triage")
    undo = "undid a decision: " if event.after.get("restored") else ""
    if decision == Decision.CHECK:
        return f"{event.who} {undo}chose the claim for checking"
    if decision is None:
        return f"{event.who} {undo}left the claim undecided"
    label = REASON_LABELS.get(decision, str(decision).replace("_", " "))
    return f"{event.who} {undo}decided not to check the claim ({label})"


TRIAGE_VERBS = {
    "check": "chose {} for checking",
    "do_not_check": "decided not to check {}",
    "discard": "discarded {}",
    "restore": "restored {}",
}


def _essay_triaged(event: Event) -> str:
    changed = len(event.after.get("changed") or [])
    verb = TRIAGE_VERBS.get(str(event.after.get("action")), "changed {}")
    return f"{event.who} {verb.format(_count(changed, 'claim', 'claims'))} at once"


def _restored_or(sentence: Sentence) -> Sentence:
    """A claim back from the discarded says so; otherwise ``sentence``."""

    def either(event: Event) -> str | tuple[str, str | None]:
        if event.before.get("status") == ClaimStatus.DISCARDED:
            return f"{event.who} restored the discarded claim"
        return sentence(event)

    return either


def _publication(verb: str) -> Sentence:
    def sentence(event: Event) -> tuple[str, str | None]:
        version = event.after.get("version")
        said = f"{event.who} {verb} the fact-check"
        if isinstance(version, int):
            said += f" (version {version})"
        return said, event.after.get("changelog")

    return sentence


WEBHOOK_EVENTS = {
    "publication.published": "new fact-checks",
    "publication.corrected": "corrections",
    "publication.withdrawn": "withdrawals",
}


def _webhook_registered(event: Event) -> str:
    wanted = [WEBHOOK_EVENTS.get(e, "other events") for e in event.after.get("events") or []]
    said = f"{event.who} registered a webhook at {event.after.get('url', 'an address')}"
    return f"{said} for {_joined(wanted)}" if wanted else said


def _user_created(event: Event) -> str:
    name = event.after.get("name") or event.user(event.subject_id)
    role = event.after.get("role")
    return f"{event.who} created the account {name}" + (f" ({role})" if role else "")


def _gathering_stopped(how: str) -> Sentence:
    def sentence(event: Event) -> tuple[str, str | None]:
        connector = event.after.get("connector", "a")
        return f"The {connector} search for evidence {how}", event.after.get("error")

    return sentence


def _unknown(event: Event) -> str:
    """Only for actions of older versions that no longer exist (see test_history)."""
    return f"{event.who} made a change ({event.action.replace('.', ': ').replace('_', ' ')})"


SENTENCES: dict[str, Sentence] = {
    # essays
    "essay.submitted": lambda e: f"{e.who} submitted the essay {quoted(e.after.get('title', ''))}",
    "essay.split": lambda e: (
        f"The essay was split into {_count(e.after.get('claims'), 'claim', 'claims')}"
    ),
    "essay.confirmed": lambda e: (
        f"{e.who} confirmed the essay's claims; "
        f"{_count(e.after.get('claims_to_gather'), 'goes', 'go')} to the evidence search"
    ),
    "essay.triaged": _essay_triaged,
    # claims: curation, then a sentence for each status a claim moves to
    "claim.added": lambda e: f"{e.who} added the claim {quoted(e.after.get('text', ''))}",
    "claim.edited": _claim_changed,
    "claim.triaged": _claim_triaged,
    "claim.extracted": _restored_or(lambda e: "The claim was taken from the essay"),
    "claim.gathering": _restored_or(lambda e: "The search for evidence on the claim began"),
    "claim.awaiting_review": _claim_waits,
    "claim.in_review": lambda e: f"{e.who} began to review the claim",
    "claim.awaiting_approval": lambda e: "The claim's verdict waits for a second reviewer",
    "claim.approved": lambda e: "The claim is checked: its verdict is approved",
    "claim.not_checkable": _restored_or(lambda e: f"{e.who} set the claim aside as not checkable"),
    "claim.discarded": lambda e: f"{e.who} discarded the claim",
    # the evidence search
    "gathering.failed": _gathering_stopped("failed"),
    "gathering.timed_out": _gathering_stopped("took too long and was stopped"),
    "source.added": lambda e: (
        f"{e.who} added the source {quoted(e.facts.sources[e.subject_id].title)} "
        f"({_source(e, e.subject_id)})"
        if e.subject_id in e.facts.sources
        else f"{e.who} added a source"
    ),
    # review tasks
    "task.opened": _opened,
    "task.leased": _taken,
    "task.assigned": _assigned,
    "task.released": _released,
    "task.lease_expired": _lease_expired,
    "task.cancelled": _cancelled,
    # verdicts (a draft's content is its author's alone: never shown)
    "verdict.draft_saved": lambda e: f"{e.who} saved a draft verdict",
    "verdict.submitted": lambda e: _verdict_given(e, "rated the claim"),
    # No longer recorded (a verdict awaiting approval changes only once withdrawn),
    # but earlier histories hold it.
    "verdict.edited": lambda e: _verdict_given(e, "changed the verdict to"),
    "verdict.withdrawn": lambda e: f"{e.who} withdrew {e.verdict()} from approval to change it",
    "verdict.approved": lambda e: f"{e.who} approved {e.verdict()}",
    "verdict.returned": lambda e: (
        f"{e.who} sent {e.verdict()} back for another review",
        e.after.get("comment"),
    ),
    "verdict.superseded": lambda e: (
        f"{_capitalised(e.verdict())} was replaced by {e.verdict(e.after.get('by'))}, "
        "approved in a correction"
    ),
    # publishing
    "correction.opened": lambda e: (
        f"{e.who} reopened the verdict for a correction",
        e.after.get("note"),
    ),
    "publication.publication": _publication("published"),
    "publication.correction": _publication("published a correction of"),
    "publication.withdrawal": _publication("withdrew"),
    # webhooks
    "webhook.registered": _webhook_registered,
    "webhook.deactivated": lambda e: f"{e.who} switched off a webhook",
    # accounts
    "user.created": _user_created,
    "user.password_set": lambda e: f"A new password was set for {e.user(e.subject_id)}",
    "user.disabled": lambda e: f"{e.who} disabled the account of {e.user(e.subject_id)}",
    "user.enabled": lambda e: f"{e.who} enabled the account of {e.user(e.subject_id)} again",
    "user.tokens_revoked": lambda e: (
        f"{e.who} revoked {_count(e.after.get('revoked'), 'API token', 'API tokens')} "
        f"of {e.user(e.subject_id)}"
    ),
}


def _claim_now(status: ClaimStatus) -> Sentence:
    return _restored_or(lambda e: f"The claim is now {status.label}")


def with_claim_statuses(
    sentences: dict[str, Sentence], statuses: Iterable[ClaimStatus]
) -> dict[str, Sentence]:
    """``sentences``, plus one from its label for each status that has none there: a
    status added to factcheck/claims/states.py reads well before it gets its own."""
    return {f"claim.{status}": _claim_now(status) for status in statuses} | sentences


SENTENCES = with_claim_statuses(SENTENCES, ClaimStatus)
