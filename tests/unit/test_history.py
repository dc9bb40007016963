"""The history in plain words: a sentence for every action the code records, labels
and names instead of slugs and ids, and a page read in the same few queries however
long the history."""

from __future__ import annotations

import ast
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from factcheck import audit, history
from factcheck.accounts import services as accounts
from factcheck.audit import AuditEvent
from factcheck.claims.states import ClaimStatus
from factcheck.db import captured_statements
from factcheck.publishing.models import PUBLICATION_KINDS, Correction
from factcheck.review import services as review
from factcheck.review.models import ReviewTask
from factcheck.review.services import CitationInput
from factcheck.review.states import TaskState
from factcheck.sources import services as sources
from factcheck.sources.states import RETRYABLE
from factcheck.states import Status, Tone
from tests import factories
from tests.unit.helpers import first_source
from tests.unit.pages import sign_in

ROOT = Path(__file__).resolve().parents[2]
# Actions built at run time: their prefix, and every value the rest can take.
FAMILIES = {
    "claim.": {status.value for status in ClaimStatus},
    "gathering.": {state.value for state in RETRYABLE},  # only runs that did not succeed
    "publication.": set(PUBLICATION_KINDS),
}


def recorded_actions() -> set[str]:
    """Every action an ``audit.record`` call in factcheck/, web/ or workers/ can write."""
    actions: set[str] = set()
    for path in [p for d in ("factcheck", "web", "workers") for p in (ROOT / d).rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if _is_record_call(node):
                actions |= _actions(node.args[1], f"{path.relative_to(ROOT)}:{node.lineno}")
    return actions


def _is_record_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "record"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "audit"
    )


def _actions(node: ast.expr, where: str) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _actions(node.body, where) | _actions(node.orelse, where)
    if isinstance(node, ast.JoinedStr) and isinstance(node.values[0], ast.Constant):
        prefix = node.values[0].value
        assert prefix in FAMILIES, f"{where}: say in FAMILIES what {prefix}... can be"
        return {prefix + value for value in FAMILIES[prefix]}
    raise AssertionError(f"{where}: an action this test cannot read; write it out")


def test_every_recorded_action_has_a_sentence():
    actions = recorded_actions()
    assert len(actions) > 30, "the call sites were not found"
    missing = sorted(actions - set(history.SENTENCES))
    assert not missing, f"actions with no sentence in factcheck/history.py: {missing}"


def test_a_claim_status_without_its_own_sentence_reads_from_its_label():
    """A status added to factcheck/claims/states.py needs no edit here to be told."""

    class Statuses(Status, css_prefix="status"):
        APPROVED = "approved", "approved", Tone.DONE
        ON_HOLD = "on_hold", "on hold", Tone.WAITING

    sentences = history.with_claim_statuses(
        {"claim.approved": lambda e: "its own sentence"}, Statuses
    )
    assert set(sentences) == {"claim.approved", "claim.on_hold"}
    event = history.Event("claim.on_hold", 1, None, {}, {}, history.Facts())
    assert sentences["claim.on_hold"](event) == "The claim is now on hold"
    assert sentences["claim.approved"](event) == "its own sentence"


# Actions the code no longer records, whose events earlier histories still hold.
RETIRED = {"verdict.edited"}


def test_every_sentence_is_for_an_action_the_code_records():
    assert not sorted(set(history.SENTENCES) - recorded_actions() - RETIRED)
    assert not RETIRED & recorded_actions()


def test_the_test_sees_a_new_call_site(tmp_path):
    """The parser finds what it must: a literal, a conditional and a family."""
    source = (
        "audit.record(s, 'a.b', x)\n"
        "audit.record(s, 'c.d' if y else 'e.f', x)\n"
        "audit.record(s, f'claim.{target}', x)\n"
    )
    found = set()
    for node in ast.walk(ast.parse(source)):
        if _is_record_call(node):
            found |= _actions(node.args[1], "here")
    assert {"a.b", "c.d", "e.f", "claim.approved"} <= found


@pytest.mark.parametrize("action", sorted(history.SENTENCES))
def test_every_sentence_reads_without_ids_or_dicts_even_with_empty_payloads(action):
    event = AuditEvent(
        at=datetime(2006, 11, 23, 14, 5, tzinfo=UTC),
        action=action,
        subject_type="claims",
        subject_id=7,
        actor_id=None,
        before=None,
        after=None,
    )
    line = history.describe(event, "ann", history.Facts())
    assert line.sentence and line.when == "23 Nov 2006, 14:05 UTC"
    assert_plain(line.sentence)


def assert_plain(text: str) -> None:
    """No dict, no None, no id column, no slug of a rating or a status."""
    assert not re.search(r"[{}\[\]]|None|_id\b|\bid\b", text), text
    for slug in ("mostly-true", "half-true", "mostly-false", "awaiting_review", "in_review"):
        assert slug not in text, text


def test_a_verdict_reads_as_the_example():
    facts = history.Facts(
        users={1: "reviewer1"},
        sources={9: history.SourceFacts("Sadr City bombings", "BBC", date(2006, 11, 23))},
    )
    event = AuditEvent(
        at=datetime(2006, 11, 23, 14, 5, tzinfo=UTC),
        action="verdict.submitted",
        subject_type="verdicts",
        subject_id=3,
        after={
            "rating": "mostly-true",
            "rationale": "The toll was higher.",
            "state": "submitted",
            "citations": [{"source_id": 9, "quote": "a death toll of at least 215"}],
        },
    )
    line = history.describe(event, "reviewer1", facts)
    assert line.sentence == (
        "reviewer1 rated the claim Mostly true, citing 'a death toll of at least 215' "
        "(BBC, 23 Nov 2006)"
    )
    assert line.note == "The toll was higher."


@pytest.fixture
def reviewed_claim(database, people):
    """A claim through most of what can happen to it: assigned, drafted, released,
    expired, a source added, submitted, returned, submitted again, approved."""
    with database.scope() as session:
        ed, rev, rev2 = (accounts.get_user(session, name) for name in ("ed", "rev", "rev2"))
        _, tasks = factories.reviewable_essay(session, ed)
        claim_id = tasks[0].claim_id
        source = first_source(session, claim_id)
        source.publisher, source.published_at = "BBC", date(2006, 11, 23)
        lease = 600
        review.assign(session, tasks[0].id, rev, ed, lease)
        review.save_draft(
            session,
            tasks[0].id,
            rev,
            rating="false",
            rationale="secret",
            citations=[],
            version=None,
        )
        review.release(session, tasks[0].id, rev)
        review.assign(session, tasks[0].id, rev, ed, lease)
        review.expire_leases(session, datetime.now(UTC) + timedelta(seconds=lease + 1))
        sources.add_manual_source(
            session, claim_id, rev.id, url="https://example.org/more", title="More on it",
            publisher=None, published_at=None, text="Officials counted 215 dead.",
        )  # fmt: skip
        review.assign(session, tasks[0].id, rev, ed, lease)
        cite = [CitationInput(source.id, "at least 215 people")]
        submit(session, claim_id, rev, "mostly-true", cite)
        review.return_verdict(session, open_task(session, claim_id, "approval", rev2, ed), rev2,
                              "Say which count.")  # fmt: skip
        review.assign(session, open_task(session, claim_id, "review"), rev, ed, lease)
        submit(session, claim_id, rev, "mostly-true", cite)
        approval = session.get(ReviewTask, open_task(session, claim_id, "approval", rev2, ed))
        review.approve(session, approval.id, rev2, approval.verdict.version)
    return claim_id


def open_task(session, claim_id: int, kind: str, holder=None, editor=None) -> int:
    """The claim's waiting task of ``kind``; given to ``holder`` when named."""
    task_id = session.scalar(
        select(ReviewTask.id).where(
            ReviewTask.claim_id == claim_id,
            ReviewTask.kind == kind,
            ReviewTask.state == TaskState.OPEN,
        )
    )
    if holder is not None:
        review.assign(session, task_id, holder, editor, 600)
    return task_id


def submit(session, claim_id: int, reviewer, rating: str, cite) -> None:
    task_id = session.scalar(
        select(ReviewTask.id).where(
            ReviewTask.claim_id == claim_id, ReviewTask.state == TaskState.LEASED
        )
    )
    review.submit_verdict(
        session, task_id, reviewer, rating=rating, rationale="The count was 215.", citations=cite
    )


def timeline(page: str) -> str:
    return page[page.index('<ol class="timeline">') : page.index("</ol>")]


def test_the_desk_page_tells_the_story_in_sentences(client, reviewed_claim):
    sign_in(client, "ed")
    page = client.get(f"/desk/claims/{reviewed_claim}/history")
    assert page.status_code == 200
    story = timeline(page.text)
    for sentence in (
        "ed gave the claim to rev to review.",
        "rev saved a draft verdict.",
        "rev put the claim back in the queue, not reviewed.",
        "rev&#39;s time with the claim ran out; it went back to the queue.",
        "rev added the source &#39;More on it&#39; (More on it).",
        "rev rated the claim Mostly true, citing &#39;at least 215 people&#39; (BBC, 23 Nov 2006).",
        "ed gave the verdict to rev2 to approve.",
        "rev2 sent rev&#39;s verdict (Mostly true) back for another review.",
        "Say which count.",
        "rev2 approved rev&#39;s verdict (Mostly true).",
        "The claim is checked: its verdict is approved.",
    ):
        assert sentence in story, sentence
    assert "secret" not in story
    assert_plain(re.sub(r'datetime="[^"]+"|class="[^"]+"', "", story))
    stamps = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', story)
    assert len(stamps) == story.count("<li>") > 20
    for machine, person in stamps:
        at = datetime.fromisoformat(machine)
        assert person == f"{at.day} {at:%b %Y, %H:%M} UTC"


def test_the_json_history_keeps_its_structure(client, reviewed_claim, token):
    answer = client.get(
        f"/api/v1/claims/{reviewed_claim}/history",
        headers={"Authorization": f"Bearer {token('api-ed', 'editor')}"},
    )
    submitted = [e for e in answer.json if e["action"] == "verdict.submitted"]
    assert submitted[0]["after"]["rating"] == "mostly-true"
    assert submitted[0]["after"]["citations"][0]["quote"] == "at least 215 people"


def test_the_page_reads_the_same_number_of_queries_however_long(client, database, people):
    with database.scope() as session:
        ed, rev = accounts.get_user(session, "ed"), accounts.get_user(session, "rev")
        _, tasks = factories.reviewable_essay(session, ed)
    sign_in(client, "ed")
    path = f"/desk/claims/{tasks[0].claim_id}/history"

    def statements() -> int:
        engine = client.application.extensions["factcheck.database"].engine
        with captured_statements(engine) as sent:
            assert client.get(path).status_code == 200
        return len([sql for sql, _ in sent if sql.lstrip().upper().startswith("SELECT")])

    def assign_and_release(times: int) -> None:
        with database.scope() as session:
            for _ in range(times):  # four events each, naming a task and users
                review.assign(session, tasks[0].id, rev, ed, 600)
                review.release(session, tasks[0].id, rev)

    assign_and_release(1)
    short = statements()
    assign_and_release(10)
    assert statements() == short


def test_a_claim_the_history_page_does_not_know_is_a_404(client, people):
    sign_in(client, "ed")
    assert client.get("/desk/claims/987654/history").status_code == 404


def test_a_task_kept_for_someone_names_them():
    event = AuditEvent(
        at=datetime(2006, 11, 23, 14, 5, tzinfo=UTC),
        action="task.opened",
        subject_type="review_tasks",
        subject_id=4,
        after={"kind": "review", "claim_id": 1, "reserved_for_id": 2},
    )
    facts = history.Facts(users={2: "rev"})
    line = history.describe(event, None, facts)
    assert line.sentence == "The claim joined the review queue, kept at first for rev"
    assert line.actor is None


def test_an_edited_claim_says_what_changed():
    event = AuditEvent(
        at=datetime(2006, 11, 23, 14, 5, tzinfo=UTC),
        action="claim.edited",
        subject_type="claims",
        subject_id=1,
        before={"text": "Old words.", "kind": "event", "checkable": True, "status": "gathering"},
        after={"text": "New words.", "kind": "opinion", "checkable": False, "status": "gathering"},
    )
    line = history.describe(event, "ed", history.Facts())
    assert line.sentence == (
        "ed reworded the claim as 'New words.', made it a claim of the kind opinion "
        "and set it aside"
    )


def test_a_claims_history_includes_its_corrections(session, make_user):
    editor = make_user("ed", "editor")
    essay = factories.make_essay(session, editor)
    claim = factories.make_claim(session, essay, factories.CAR_BOMBS)
    correction = Correction(
        essay_id=essay.id, claim_id=claim.id, note="The toll rose.", created_by_id=editor.id
    )
    session.add(correction)
    session.flush()
    audit.record(
        session, "correction.opened", correction, actor_id=editor.id,
        after={"claim_id": claim.id, "note": "The toll rose."},
    )  # fmt: skip
    told = history.lines(session, review.claim_history(session, claim.id))
    assert [(line.sentence, line.note) for line in told] == [
        ("ed reopened the verdict for a correction", "The toll rose.")
    ]
