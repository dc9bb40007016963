"""The desk in a browser: editor and reviewer pages, rendered on the server.

Forms post to these views, which call the same services as the JSON API. A
refused action (a domain error) becomes a message on the page it came from,
never an error page; nothing is half-written, since the transaction rolls back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from factcheck import history
from factcheck.accounts import services as accounts
from factcheck.claims import curation
from factcheck.claims import services as claims
from factcheck.claims.extraction import KINDS
from factcheck.claims.states import ACTIVE, ClaimStatus
from factcheck.db import MAX_INT
from factcheck.errors import DomainError, InvalidInput, NotFound
from factcheck.essays import services as essays
from factcheck.essays.states import EssayStatus
from factcheck.publishing import services as publishing
from factcheck.publishing.models import Publication
from factcheck.review import ratings
from factcheck.review import services as review
from factcheck.review.models import ReviewTask
from factcheck.review.states import TaskState
from factcheck.sources import services as sources
from web.operations import (
    database,
    json_response,
    masthead,
    settings,
)
from web.schemas import (
    AssignIn,
    ClaimEditIn,
    DraftIn,
    EssayIn,
    NoteIn,
    RequiredNoteIn,
    ReturnIn,
    VerdictIn,
    citation_inputs,
)
from web.signin import current_user, signed_in

blueprint = Blueprint("desk", __name__, url_prefix="/desk")

EDITOR = ("editor",)
REVIEWER = ("reviewer",)
QUOTE_FIELD = "quote-"


def act(
    action: Callable[[Session], str | None],
    back: str,
    done: str | None = None,
    lease: bool = False,
) -> Response:
    """Run a form's action in one transaction; on a refusal, say why on ``back``, the
    form's page; on success go to ``done`` (by default ``back`` too). ``lease``: the
    action only changes a task's lease (``Database.lease_scope``)."""
    scope = database().lease_scope if lease else database().scope
    try:
        with scope() as session:
            message = action(session)
    except DomainError as error:
        flash(error.detail, "error")
        return redirect(back)
    if message:
        flash(message, "info")
    return redirect(done or back)


Form = TypeVar("Form", bound=BaseModel)


def checked(model: type[Form], fields: dict[str, Any]) -> Form:
    """A form's fields checked by the API's body model for the same action, so that
    the desk refuses what the API refuses (control characters, lengths, URLs)."""
    try:
        return model.model_validate(fields)
    except ValidationError as error:
        raise InvalidInput(_first_problem(error)) from None


def _first_problem(error: ValidationError) -> str:
    problem = error.errors(include_url=False)[0]
    field = next((str(p) for p in reversed(problem["loc"]) if isinstance(p, str)), "a field")
    field = field.replace("_", " ")
    context = problem.get("ctx", {})
    match problem["type"]:
        case "missing" | "string_too_short":
            return f"the {field} is required"
        case "too_short":
            return f"the {field}: at least {context['min_length']} needed"
        case "literal_error":
            return f"choose a {field}"
        case "string_too_long":
            return f"the {field} is too long: at most {context['max_length']:,} characters"
        case "string_pattern_mismatch":
            return f"the {field} must start with http:// or https://"
        case "value_error":
            return f"the {field} {context['error']}"
    return f"the {field}: {problem['msg']}"


@blueprint.get("/")
@signed_in()
def home() -> Response:
    user = current_user()
    if user is not None and user.has_role("editor"):
        return redirect(url_for("desk.essay_list"))
    return redirect(url_for("desk.queue"))


# --- editors -----------------------------------------------------------------------

ESSAYS_PER_PAGE = 50


@blueprint.get("/essays")
@signed_in(*EDITOR)
def essay_list() -> str:
    before = _int(request.args.get("before"), 0) or None  # not an id: the first page
    with database().read_scope() as session:
        page, cursor = essays.essay_page(session, ESSAYS_PER_PAGE, before)
        counts = claims.counts_by_essay(session, [essay.id for essay in page])
    older = url_for("desk.essay_list", before=cursor) if cursor else None
    return render_template("desk/essays.html", essays=page, counts=counts, older=older)


@blueprint.route("/essays/new", methods=["GET", "POST"])
@signed_in(*EDITOR)
def new_essay() -> Response | str:
    if request.method == "GET":
        return render_template("desk/new_essay.html", form={})
    form = request.form
    try:
        fields = _essay_fields(form)
        with database().scope() as session:
            user = session.merge(current_user())
            essay_id = essays.submit_essay(session, user, settings(), **fields).id
    except DomainError as error:
        flash(error.detail, "error")
        return render_template("desk/new_essay.html", form=form), 422
    flash("Essay submitted: the claims appear below as the workers split it.", "info")
    return redirect(url_for("desk.essay_page", essay_id=essay_id))


def _essay_fields(form: Any) -> dict[str, Any]:
    upload = request.files.get("file")
    text = form.get("text", "")
    if upload and upload.filename:
        if not upload.filename.lower().endswith((".txt", ".md")):
            raise InvalidInput("upload a .txt or .md file")
        try:
            text = upload.read(settings().max_essay_chars * 4 + 1).decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("the file is not UTF-8 text") from None
    if not form.get("title", "").strip() or not text.strip():
        raise InvalidInput("an essay needs a title and a text")
    essay = checked(
        EssayIn,
        {
            "title": form.get("title", ""),
            "text": text.replace("\r\n", "\n"),
            "author": form.get("author") or None,
            "url": form.get("url") or None,
            "published_at": form.get("published_at") or None,
            "deadline": _deadline(form.get("deadline")),
            "hold_for_review": form.get("hold_for_review") == "on",
        },
    )
    return essay.model_dump()


def _deadline(value: str | None) -> datetime | None:
    """The form's date and time (no zone: the desk works in UTC)."""
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC) if value else None
    except ValueError:
        raise InvalidInput(f"{value!r} is not a date and time") from None


@blueprint.get("/essays/<id:essay_id>")
@signed_in(*EDITOR, *REVIEWER)
def essay_page(essay_id: int) -> str:
    with database().read_scope() as session:
        essay = essays.get_essay(session, essay_id)
        essay_claims = claims.essay_claims(session, essay_id)
        counts = claims.counts_by_status(session, essay_id)
        published = _latest_version(session, essay_id)
        waiting = review.open_tasks_by_claim(session, [claim.id for claim in essay_claims])
        reviewers = [user.name for user in accounts.active_users(session, "reviewer")]
    live = [claim for claim in essay_claims if claim.status != ClaimStatus.DISCARDED]
    return render_template(
        "desk/essay.html",
        essay=essay,
        claims=essay_claims,
        counts=counts,
        segments=publishing.marked_segments(essay.text, live),
        working=_working(essay.status, counts),
        published=published,
        kinds=KINDS,
        waiting=waiting,
        reviewers=reviewers,
    )


def _latest_version(session: Session, essay_id: int) -> Publication | None:
    try:
        return publishing.latest_publication(session, essay_id)
    except NotFound:
        return None


@blueprint.get("/essays/<id:essay_id>/progress.json")
@signed_in(*EDITOR, *REVIEWER)
def essay_progress(essay_id: int) -> Response:
    with database().read_scope() as session:
        essay = essays.get_essay(session, essay_id)
        counts = claims.counts_by_status(session, essay_id)
    working = _working(essay.status, counts)
    return json_response({"status": essay.status, "counts": counts, "working": working})


def _working(status: EssayStatus, counts: dict[str, int]) -> bool:
    """Is the pipeline still on the essay (the page keeps polling while it is)?"""
    return status == EssayStatus.SUBMITTED or any(counts.get(s) for s in ACTIVE)


def _back_to_essay(essay_id: int | str | None) -> str:
    essay_id = _int(str(essay_id), 0) if essay_id is not None else 0
    if essay_id > 0:
        return url_for("desk.essay_page", essay_id=essay_id)
    return url_for("desk.essay_list")


@blueprint.post("/claims/<id:claim_id>/edit")
@signed_in(*EDITOR)
def edit_claim(claim_id: int) -> Response:
    form = request.form

    def action(session: Session) -> str:
        fields = {
            "version": form.get("version"),
            "text": form.get("text") or None,
            "kind": form.get("kind") or None,
            "checkable": form.get("checkable") == "on",
        }
        edit = curation.ClaimEdit(**checked(ClaimEditIn, fields).model_dump())
        curation.edit_claim(session, claim_id, edit, _user_id())
        return "Claim updated."

    return act(action, _back_to_essay(form.get("essay_id")))


@blueprint.post("/claims/<id:claim_id>/discard")
@signed_in(*EDITOR)
def discard_claim(claim_id: int) -> Response:
    return act(
        lambda session: (
            curation.discard_claim(session, claim_id, _user_id()) and "Claim discarded."
        ),
        _back_to_essay(request.form.get("essay_id")),
    )


@blueprint.post("/claims/<id:claim_id>/split")
@signed_in(*EDITOR)
def split_claim(claim_id: int) -> Response:
    words = request.form.get("before", "").strip()

    def action(session: Session) -> str:
        claim = claims.get_claim(session, claim_id)
        # The split falls in the essay, so look in the claim's span of it: an edited
        # claim's wording may differ.
        found = claim.essay.text[claim.start : claim.end].find(words) if words else -1
        if found <= 0:
            raise InvalidInput("type the words of the essay that should begin the second part")
        curation.split_claim(session, claim_id, claim.start + found, _user_id())
        return "Claim split in two."

    return act(action, _back_to_essay(request.form.get("essay_id")))


@blueprint.post("/essays/<id:essay_id>/merge")
@signed_in(*EDITOR)
def merge_claims(essay_id: int) -> Response:
    def action(session: Session) -> str:
        ids = [_int(value) for value in request.form.getlist("claim_id")]
        curation.merge_claims(session, essay_id, ids, _user_id())
        return "Claims merged."

    return act(action, _back_to_essay(essay_id))


@blueprint.post("/essays/<id:essay_id>/claims")
@signed_in(*EDITOR)
def add_claim(essay_id: int) -> Response:
    def action(session: Session) -> str:
        start, end = _int(request.form.get("start"), 0), _int(request.form.get("end"), 0)
        curation.add_claim(session, essay_id, start, end, _user_id())
        return "Claim added."

    return act(action, _back_to_essay(essay_id))


@blueprint.post("/essays/<id:essay_id>/confirm")
@signed_in(*EDITOR)
def confirm_claims(essay_id: int) -> Response:
    def action(session: Session) -> str:
        curation.confirm_claims(session, essay_id, _user_id())
        return "Claims confirmed: gathering evidence."

    return act(action, _back_to_essay(essay_id))


@blueprint.post("/essays/<id:essay_id>/publish")
@signed_in(*EDITOR)
def publish(essay_id: int) -> Response:
    def action(session: Session) -> str:
        note = checked(NoteIn, {"note": request.form.get("note", "")}).note
        user = session.merge(current_user())
        publication = publishing.publish(
            session, essay_id, user, masthead(), note=note or None, base_url=settings().base_url
        )
        return f"Published version {publication.version}."

    return act(action, _back_to_essay(essay_id))


@blueprint.post("/essays/<id:essay_id>/withdraw")
@signed_in(*EDITOR)
def withdraw(essay_id: int) -> Response:
    def action(session: Session) -> str:
        note = checked(RequiredNoteIn, {"note": request.form.get("note", "")}).note
        user = session.merge(current_user())
        publishing.withdraw(session, essay_id, user, note, base_url=settings().base_url)
        return "Fact-check withdrawn; its page now says so."

    return act(action, _back_to_essay(essay_id))


@blueprint.post("/claims/<id:claim_id>/reopen")
@signed_in(*EDITOR)
def reopen(claim_id: int) -> Response:
    def action(session: Session) -> str:
        note = checked(RequiredNoteIn, {"note": request.form.get("note", "")}).note
        publishing.reopen_claim(session, claim_id, session.merge(current_user()), note)
        return "Verdict reopened for correction; republish once it is approved again."

    return act(action, _back_to_essay(request.form.get("essay_id")))


@blueprint.post("/tasks/<id:task_id>/assign")
@signed_in(*EDITOR)
def assign_task(task_id: int) -> Response:
    def action(session: Session) -> str:
        name = checked(AssignIn, {"reviewer": request.form.get("reviewer", "")}).reviewer
        reviewer = accounts.user_by_name(session, name)
        if reviewer is None:
            raise InvalidInput(f"there is no user named {name!r}")
        editor = session.merge(current_user())
        review.assign(session, task_id, reviewer, editor, settings().lease_seconds)
        return f"Task given to {reviewer.name}."

    return act(action, _back_to_essay(request.form.get("essay_id")))


# --- reviewers -------------------------------------------------------------------------


@blueprint.get("/queue")
@signed_in(*REVIEWER)
def queue() -> str:
    with database().read_scope() as session:
        held = review.tasks_held_by(session, session.merge(current_user()))
        rows = [(task, task.claim) for task in held]
    return render_template("desk/queue.html", held=rows, now=datetime.now(UTC))


@blueprint.post("/queue/next")
@signed_in(*REVIEWER)
def next_task() -> Response:
    with database().lease_scope() as session:
        task = review.claim_next(session, session.merge(current_user()), settings().lease_seconds)
        task_id = task.id if task else None
    if task_id is None:
        flash("Nothing is waiting for you right now.", "info")
        return redirect(url_for("desk.queue"))
    return redirect(url_for("desk.task_page", task_id=task_id))


@blueprint.get("/tasks/<id:task_id>")
@signed_in(*REVIEWER)
def task_page(task_id: int) -> Response | str:
    with database().read_scope() as session:
        task = session.get(ReviewTask, task_id)
        user = session.merge(current_user())
        if task is None or task.assignee_id != user.id or task.state != TaskState.LEASED:
            flash("That task is not yours (any more): take the next one.", "error")
            return redirect(url_for("desk.queue"))
        if review.lease_ran_out(task):
            flash("Your lease on that task has expired: take the next one.", "error")
            return redirect(url_for("desk.queue"))
        claim = task.claim
        essay = essays.get_essay(session, claim.essay_id)
        records = sources.list_sources(session, claim.id)
        verdict = task.verdict if task.kind == "approval" else review.draft_of(session, task, user)
        previous = task.verdict if task.kind == "review" else None
        citations = {c.source_id: c.quote for c in verdict.citations} if verdict else {}
        context = {
            "task": task,
            "claim": claim,
            "essay": essay,
            "paragraph": publishing.paragraph_around(essay.text, claim.start, claim.end),
            "sources": records,
            "verdict": verdict,
            "previous": previous,
            "citations": citations,
            "ratings": ratings.SCALE,
            "runs": sources.runs_of(session, claim.id),
        }
        return render_template("desk/task.html", **context)


def _back_to_task(task_id: int) -> str:
    return url_for("desk.task_page", task_id=task_id)


def _citations_from(form: Any) -> list[dict[str, Any]]:
    """Citations from the form: each ticked source with its quoted passage."""
    cited = []
    for value in form.getlist("cite"):
        source_id = _int(value)
        cited.append({"source_id": source_id, "quote": form.get(f"{QUOTE_FIELD}{source_id}", "")})
    return cited


@blueprint.post("/tasks/<id:task_id>/verdict")
@signed_in(*REVIEWER)
def verdict(task_id: int) -> Response:
    form = request.form
    if form.get("save") == "draft":
        return act(lambda session: _save_draft(session, task_id, form), _back_to_task(task_id))
    try:
        body = checked(
            VerdictIn,
            {
                "rating": form.get("rating", ""),
                "rationale": form.get("rationale", ""),
                "citations": _citations_from(form),
            },
        )
        with database().scope() as session:
            review.submit_verdict(
                session,
                task_id,
                session.merge(current_user()),
                rating=body.rating,
                rationale=body.rationale,
                citations=citation_inputs(body.citations),
            )
    except DomainError as error:
        flash(error.detail, "error")
        return redirect(_back_to_task(task_id))
    flash("Verdict submitted for a second review.", "info")
    return redirect(url_for("desk.queue"))


def _save_draft(session: Session, task_id: int, form: Any) -> str:
    fields = {
        "rating": form.get("rating") or None,
        "rationale": form.get("rationale", ""),
        "citations": [c for c in _citations_from(form) if c["quote"].strip()],
        "version": form.get("version") or None,
    }
    draft = checked(DraftIn, fields)
    review.save_draft(
        session,
        task_id,
        session.merge(current_user()),
        rating=draft.rating,
        rationale=draft.rationale,
        citations=citation_inputs(draft.citations),
        version=draft.version,
    )
    return "Draft saved."


@blueprint.post("/tasks/<id:task_id>/approve")
@signed_in(*REVIEWER)
def approve(task_id: int) -> Response:
    return _finish_task(
        task_id, lambda s: review.approve(s, task_id, s.merge(current_user())), "Verdict approved."
    )


@blueprint.post("/tasks/<id:task_id>/return")
@signed_in(*REVIEWER)
def return_verdict(task_id: int) -> Response:
    def step(session: Session) -> None:
        comment = checked(ReturnIn, {"comment": request.form.get("comment", "")}).comment
        review.return_verdict(session, task_id, session.merge(current_user()), comment)

    return _finish_task(task_id, step, "Verdict returned to review with your comment.")


@blueprint.post("/tasks/<id:task_id>/release")
@signed_in(*REVIEWER)
def release(task_id: int) -> Response:
    return _finish_task(
        task_id,
        lambda s: review.release(s, task_id, s.merge(current_user())),
        "Task given back to the queue.",
        lease=True,
    )


def _finish_task(
    task_id: int, step: Callable[[Session], Any], message: str, lease: bool = False
) -> Response:
    """A step that ends the reviewer's work on a task: back to the queue when done.
    ``lease``: the step only gives the lease back (see ``act``)."""

    def action(session: Session) -> str:
        step(session)
        return message

    return act(action, _back_to_task(task_id), url_for("desk.queue"), lease)


@blueprint.post("/tasks/<id:task_id>/heartbeat")
@signed_in(*REVIEWER)
def heartbeat(task_id: int) -> Response:
    try:
        with database().lease_scope() as session:
            task = review.heartbeat(
                session, task_id, session.merge(current_user()), settings().lease_seconds
            )
            expires = task.lease_expires_at
    except DomainError as error:
        return json_response({"held": False, "detail": error.detail}, 409)
    return json_response(
        {"held": True, "lease_expires_at": expires.isoformat() if expires else None}
    )


# --- history -----------------------------------------------------------------------------


@blueprint.get("/claims/<id:claim_id>/history")
@signed_in(*EDITOR, *REVIEWER)
def claim_history(claim_id: int) -> str:
    with database().read_scope() as session:
        claim = claims.get_claim(session, claim_id)
        lines = history.lines(session, review.claim_history(session, claim_id))
    return render_template("desk/history.html", claim=claim, lines=lines)


def _user_id() -> int:
    user = current_user()
    assert user is not None
    return user.id


def _int(value: str | None, default: int | None = None) -> int:
    """A form's number, within what the id and version columns hold; ``default``
    (when given) for anything else."""
    try:
        number: int | None = int(value or "")
    except ValueError:
        number = None
    if number is not None and 0 <= number <= MAX_INT:
        return number
    if default is not None:
        return default
    if number is None:
        raise InvalidInput(f"{value!r} is not a number")
    raise InvalidInput(f"{value!r} is out of range")
