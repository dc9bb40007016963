"""The desk in a browser: editor and reviewer pages, rendered on the server.

Forms post to these views, which call the same services as the JSON API. A
refused action (a domain error) draws the page it came from again, with what the
user typed and the message by its field (``web.forms``), never an error page;
nothing is half-written, since the transaction rolls back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as flask_session
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from factcheck import history
from factcheck.accounts import services as accounts
from factcheck.accounts.models import User
from factcheck.claims import curation, segmentation, triage
from factcheck.claims import services as claims
from factcheck.claims.decisions import NOT_CHECKED, Band, Decision, band_of
from factcheck.claims.extraction import KINDS
from factcheck.claims.states import ClaimStatus
from factcheck.db import MAX_INT, utcnow
from factcheck.errors import DomainError, InvalidInput, NotFound
from factcheck.essays import overview
from factcheck.essays import services as essays
from factcheck.essays.models import Essay, Medium
from factcheck.publishing import services as publishing
from factcheck.publishing.models import Publication
from factcheck.review import compare, ratings
from factcheck.review import queue as review_queue
from factcheck.review import services as review
from factcheck.review.models import ReviewTask, Verdict
from factcheck.review.states import TaskState
from factcheck.sources import services as sources
from factcheck.sources.models import SourceRecord
from web.forms import Names, refuse, same_name
from web.operations import (
    database,
    json_response,
    masthead,
    settings,
)
from web.problems import status_for
from web.schemas import (
    ApproveIn,
    AssignIn,
    ClaimEditIn,
    DraftIn,
    EssayIn,
    NoteIn,
    RequiredNoteIn,
    ReturnIn,
    TriageIn,
    VerdictIn,
    citation_inputs,
)
from web.signin import current_user, signed_in

blueprint = Blueprint("desk", __name__, url_prefix="/desk")

EDITOR = ("editor",)
REVIEWER = ("reviewer",)
QUOTE_FIELD = "quote-"
SNAPSHOT_SHOWN = 20_000  # characters of a source's text on the task page


@dataclass(frozen=True)
class Page:
    """A desk page a form is on: where the form goes back to when done, and how the
    page is drawn again when the form is refused (by its own view)."""

    endpoint: str
    values: dict[str, Any] = field(default_factory=dict)

    def url(self) -> str:
        return url_for(self.endpoint, **self.values)

    def draw(self) -> ResponseReturnValue:
        return current_app.view_functions[self.endpoint](**self.values)


def act(
    action: Callable[[Session], str | None],
    back: Page,
    done: str | Callable[[], str] | None = None,
    lease: bool = False,
    *,
    form: str = "",
    names: Names = same_name,
) -> Response:
    """Run a form's action in one transaction; on success go to ``done`` (by default
    ``back``, the form's page). On a refusal draw ``back`` again with what was typed in
    ``form`` (its key in the templates, see ``web.forms``) and the error by the input
    ``names`` gives for the field the error names. ``lease``: the action only changes
    a task's lease (``Database.lease_scope``). A callable ``done`` is asked after the
    action (which may have found where the editor goes back to)."""
    scope = database().lease_scope if lease else database().scope
    try:
        with scope() as session:
            message = action(session)
    except DomainError as error:
        return refuse(back.draw, form, error, names)
    if message:
        flash(message, "info")
    return redirect((done() if callable(done) else done) or back.url())


Form = TypeVar("Form", bound=BaseModel)


def checked(model: type[Form], fields: dict[str, Any]) -> Form:
    """A form's fields checked by the API's body model for the same action, so that
    the desk refuses what the API refuses (control characters, lengths, URLs)."""
    try:
        return model.model_validate(fields)
    except ValidationError as error:
        where = error.errors(include_url=False)[0]["loc"]
        path = ".".join(str(part) for part in where) or None
        raise InvalidInput(_first_problem(error), field=path) from None


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
MAX_PAGE = 100_000  # far past any list's end; keeps the offset a small number


@dataclass(frozen=True)
class EssayRow:
    """An essay as the list shows it: counts and state in an editor's words."""

    essay: Essay
    changed_at: datetime
    tally: overview.Tally
    state: str


@blueprint.get("/essays")
@signed_in(*EDITOR)
def essay_list() -> str:
    """The essays in the order the editor chose (``sort``), a page at a time."""
    sort = request.args.get("sort", overview.DEFAULT_SORT)
    sort = sort if sort in overview.SORTS else overview.DEFAULT_SORT
    page = min(_int(request.args.get("page"), 1) or 1, MAX_PAGE)
    with database().read_scope() as session:
        listed, more = overview.essay_list(session, sort, ESSAYS_PER_PAGE, page)
        ids = [row.essay.id for row in listed]
        counts, chosen = claims.counts_by_essay(session, ids), claims.chosen_by_essay(session, ids)
    rows = [
        EssayRow(
            row.essay,
            row.changed_at,
            overview.tally(counts[row.essay.id], chosen[row.essay.id]),
            overview.state_words(row.essay, counts[row.essay.id], chosen[row.essay.id]),
        )
        for row in listed
    ]
    return render_template(
        "desk/essays.html",
        rows=rows,
        sort=sort,
        sorts=overview.SORTS,
        sorted_column=dict([overview.SORTED_COLUMN[sort]]),
        newer=url_for("desk.essay_list", sort=sort, page=page - 1) if page > 1 else None,
        older=url_for("desk.essay_list", sort=sort, page=page + 1) if more else None,
    )


@blueprint.route("/essays/new", methods=["GET", "POST"])
@signed_in(*EDITOR)
def new_essay() -> Response | str:
    if request.method == "GET":
        return _new_essay_page()
    form = request.form.copy()  # the upload's text joins it, to be shown if refused
    try:
        fields = _essay_fields(form)
        with database().scope() as session:
            user = session.merge(current_user())
            essay_id = essays.submit_essay(session, user, settings(), **fields).id
    except DomainError as error:
        return refuse(_new_essay_page, "essay", error, values=form)
    flash("Essay submitted: the claims appear below as the workers split it.", "info")
    return redirect(url_for("desk.essay_page", essay_id=essay_id))


def _new_essay_page() -> str:
    return render_template("desk/new_essay.html", media=list(Medium))


def _essay_fields(form: Any) -> dict[str, Any]:
    """The essay's fields; an uploaded file's text goes into ``form`` as its text (a
    browser cannot be given the file back), and its name as ``file``."""
    upload = request.files.get("file")
    if upload and upload.filename:
        form["file"] = upload.filename
        if not upload.filename.lower().endswith((".txt", ".md")):
            raise InvalidInput("upload a .txt or .md file", field="file")
        try:
            form["text"] = upload.read(settings().max_essay_chars * 4 + 1).decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("the file is not UTF-8 text", field="file") from None
    text = form.get("text", "")
    if not form.get("title", "").strip() or not text.strip():
        missing = "text" if form.get("title", "").strip() else "title"
        raise InvalidInput("an essay needs a title and a text", field=missing)
    essay = checked(
        EssayIn,
        {
            "title": form.get("title", ""),
            "text": text.replace("\r\n", "\n"),
            "author": form.get("author") or None,
            "url": form.get("url") or None,
            "publisher": form.get("publisher") or None,
            "medium": form.get("medium") or None,
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
        raise InvalidInput(f"{value!r} is not a date and time", field="deadline") from None


@blueprint.get("/essays/<id:essay_id>")
@signed_in(*EDITOR, *REVIEWER)
def essay_page(essay_id: int) -> str:
    filters = _triage_filters(request.values)  # a refused triage form sends its view
    with database().read_scope() as session:
        essay = essays.get_essay(session, essay_id)
        essay_claims = claims.essay_claims(session, essay_id)
        counts = claims.counts_by_status(session, essay_id)
        published = _latest_version(session, essay_id)
        waiting = review.open_tasks_by_claim(session, [claim.id for claim in essay_claims])
        reviewers = [user.name for user in accounts.active_users(session, "reviewer")]
        lines = overview.claim_lines(session, essay_id)
        chosen = overview.chosen_counts(session, essay_id)
    live = [claim for claim in essay_claims if claim.status != ClaimStatus.DISCARDED]
    groups = overview.triage_groups(essay_claims, segmentation.sentences(essay.text), filters)
    return render_template(
        "desk/essay.html",
        essay=essay,
        claims=essay_claims,
        groups=groups,
        filters=filters,
        filtered=filters != overview.TriageFilters(sort=filters.sort),
        triage_sorts=overview.TRIAGE_SORTS,
        decided=overview.decisions(essay_claims),
        in_the_way=[(c, why) for c in essay_claims if (why := publishing.in_the_way(c))],
        undo=_undo_offer(essay_id),
        counts=counts,
        segments=publishing.marked_segments(essay.text, live),
        working=overview.is_working(essay, counts),
        poll=overview.polling(essay, counts, chosen),
        held=overview.is_held(essay),
        lines=lines,
        published=published,
        kinds=KINDS,
        bands=list(Band),
        band_of=band_of,
        decisions=list(Decision),
        decision_words=overview.decision_words,
        reasons=sorted(NOT_CHECKED),
        waiting=waiting,
        reviewers=reviewers,
    )


def _triage_filters(args: Any) -> overview.TriageFilters:
    """The query's filters; a value the page does not offer is ignored, never an error."""
    decisions = {str(d) for d in Decision} | {overview.UNDECIDED}
    sort = args.get("sort", overview.DEFAULT_TRIAGE_SORT)
    return overview.TriageFilters(
        decision=_one_of(args.get("decision"), decisions),
        kind=_one_of(args.get("kind"), set(KINDS)),
        band=_one_of(args.get("band"), {str(b) for b in Band}),
        sort=sort if sort in overview.TRIAGE_SORTS else overview.DEFAULT_TRIAGE_SORT,
    )


def _one_of(value: str | None, allowed: set[str]) -> str | None:
    return value if value in allowed else None


def _latest_version(session: Session, essay_id: int) -> Publication | None:
    try:
        return publishing.latest_publication(session, essay_id)
    except NotFound:
        return None


@blueprint.get("/essays/<id:essay_id>/progress.json")
@signed_in(*EDITOR, *REVIEWER)
def essay_progress(essay_id: int) -> Response:
    """The essay's progress, and each claim's line, which desk.js applies to the rows
    in place (never reloading the page, so an open form keeps what is typed)."""
    with database().read_scope() as session:
        essay = essays.get_essay(session, essay_id)
        lines = overview.claim_lines(session, essay_id)
        chosen = overview.chosen_counts(session, essay_id)
    counts: dict[str, int] = {}
    for line in lines.values():
        counts[line.status] = counts.get(line.status, 0) + 1
    return json_response(
        {
            "status": essay.status,
            "status_label": essay.status.label,
            "status_class": essay.status.css_class,
            "counts": counts,
            "working": overview.is_working(essay, counts),
            "poll": overview.polling(essay, counts, chosen),
            "held": overview.is_held(essay),
            "claims": [_line_json(line) for line in lines.values()],
        }
    )


def _line_json(line: overview.ClaimLine) -> dict[str, Any]:
    return {
        "id": line.id,
        "status": line.status,
        "label": line.status.label,
        "css_class": line.status.css_class,
        "sources": line.sources,
        "rating": line.rating,
        "rating_label": ratings.label_of(line.rating) if line.rating else None,
    }


def _at(back: Page, anchor: list[str]) -> Callable[[], str]:
    """Where an essay page's form lands when done: back at the row (or section) it
    acted on, by its anchor, never at the top of a long page (desk.js then focuses
    it). ``anchor`` is a list the action may fill: a new claim's id is known only
    after it."""

    def url() -> str:
        if back.endpoint != "desk.essay_page" or not anchor:
            return back.url()
        return url_for(back.endpoint, **back.values, _anchor=anchor[-1])

    return url


PROGRESS = "progress-heading"  # the essay's state and its publish controls


def _claim_row(claim_id: int) -> str:
    return f"claim-{claim_id}"


def _back_to_essay(essay_id: int | str | None) -> Page:
    essay_id = _int(str(essay_id), 0) if essay_id is not None else 0
    if essay_id > 0:
        return Page("desk.essay_page", {"essay_id": essay_id})
    return Page("desk.essay_list")


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

    back = _back_to_essay(form.get("essay_id"))
    done = _at(back, [_claim_row(claim_id)])
    return act(action, back, done, form=f"edit-{claim_id}")


@blueprint.post("/claims/<id:claim_id>/discard")
@signed_in(*EDITOR)
def discard_claim(claim_id: int) -> Response:
    def action(session: Session) -> str:
        curation.discard_claim(session, claim_id, _user_id())
        # Offered at once on the page, as after a bulk action: a discard can be undone.
        essay_id = claims.get_claim(session, claim_id).essay_id
        flask_session[UNDO] = {"essay": essay_id, "ids": [claim_id]}
        return "Claim discarded."

    back = _back_to_essay(request.form.get("essay_id"))
    return act(action, back, _at(back, [_claim_row(claim_id)]))


@blueprint.post("/claims/<id:claim_id>/split")
@signed_in(*EDITOR)
def split_claim(claim_id: int) -> Response:
    words = request.form.get("before", "").strip()
    landing: list[str] = []

    def action(session: Session) -> str:
        claim = claims.get_claim(session, claim_id)
        # The split falls in the essay, so look in the claim's span of it: an edited
        # claim's wording may differ.
        found = claim.essay.text[claim.start : claim.end].find(words) if words else -1
        if found <= 0:
            raise InvalidInput(
                "type the words of the essay that should begin the second part", field="before"
            )
        parts = curation.split_claim(session, claim_id, claim.start + found, _user_id())
        landing.append(_claim_row(parts[0].id))
        return "Claim split in two."

    # The form has one input: whatever field the error names, it is about those words.
    back = _back_to_essay(request.form.get("essay_id"))
    done = _at(back, landing)
    return act(action, back, done, form=f"split-{claim_id}", names=lambda _: "before")


@blueprint.post("/essays/<id:essay_id>/merge")
@signed_in(*EDITOR)
def merge_claims(essay_id: int) -> Response:
    landing: list[str] = []

    def action(session: Session) -> str:
        ids = [_int(value) for value in request.form.getlist("claim_id")]
        landing.append(_claim_row(curation.merge_claims(session, essay_id, ids, _user_id()).id))
        return "Claims merged."

    back = _back_to_essay(essay_id)
    return act(action, back, _at(back, landing), form="merge")


@blueprint.post("/essays/<id:essay_id>/claims")
@signed_in(*EDITOR)
def add_claim(essay_id: int) -> Response:
    landing: list[str] = []

    def action(session: Session) -> str:
        start, end = _int(request.form.get("start"), 0), _int(request.form.get("end"), 0)
        added = curation.add_claim(session, essay_id, start, end, _user_id())
        landing.append(_claim_row(added.id))
        return "Claim added."

    back = _back_to_essay(essay_id)
    return act(action, back, _at(back, landing), form="add-claim")


# A bulk action's undo, kept in the session for the page drawn next (a redirect
# cannot carry a thousand ids in its URL, and the audit event is written at commit).
UNDO = "triage_undo"
UNDO_MOST = 300  # ids a session cookie holds with room to spare; past it, no undo button
TRIAGE_WORDS = {
    triage.Action.CHECK: "chosen for checking",
    triage.Action.DO_NOT_CHECK: "marked not to check",
    triage.Action.DISCARD: "discarded",
    triage.Action.RESTORE: "restored",
}


@blueprint.post("/essays/<id:essay_id>/triage")
@signed_in(*EDITOR)
def triage_claims(essay_id: int) -> Response:
    """One bulk action from the triage view, through the API's service: the ticked
    claims (``claim_id``), the ``top`` N, or a ``band`` and above; all or nothing."""
    form = request.form

    def action(session: Session) -> str:
        body = checked(TriageIn, _triage_body(form))
        selection = triage.Selection(
            claim_ids=body.claim_ids, top=body.top, band=body.band, undecided=body.undecided
        )
        reason = Decision(body.reason) if body.reason else None
        outcome = triage.apply(session, essay_id, body.action, selection, _user_id(), reason)
        changed = [claim.id for claim in outcome.changed]
        if changed and body.action != triage.Action.RESTORE and len(changed) <= UNDO_MOST:
            flask_session[UNDO] = {"essay": essay_id, "ids": changed}
        return f"{_claims_word(len(changed))} {TRIAGE_WORDS[body.action]}" + (
            f"; {_claims_word(len(outcome.unchanged))} already so." if outcome.unchanged else "."
        )

    back = Page("desk.essay_page", {"essay_id": essay_id})
    done = url_for(back.endpoint, essay_id=essay_id, **_kept_query(form), _anchor="claims-heading")
    return act(action, back, done, form="triage", names=_triage_names)


def _triage_body(form: Any) -> dict[str, Any]:
    """The API's body from the form: which of its buttons was pressed says how the
    claims are named (``select``: the ticked ones, ``top`` or ``band``)."""
    how = form.get("select", "ticked")
    body: dict[str, Any] = {"action": form.get("action") or "check"}
    if body["action"] == "do_not_check":
        body["reason"] = form.get("reason") or None
    if how == "top":
        body["top"] = form.get("top") or None
    elif how == "band":
        body["band"] = form.get("band") or None
    else:
        ids = [_int(value) for value in form.getlist("claim_id")]
        if not ids:
            raise InvalidInput("tick the claims to act on first", field="claim_ids")
        body["claim_ids"] = ids
    return body


def _triage_names(path: str) -> str:
    """The ticked claims have no one input: their error goes by the action's select."""
    name = path.split(".", 1)[0]
    return "action" if name == "claim_ids" else name


def _kept_query(form: Any) -> dict[str, str]:
    """The view's filters and order, sent along by the form, so the editor lands on
    the view they acted from."""
    return {k: form[k] for k in ("decision", "kind", "band", "sort") if form.get(k)}


def _claims_word(count: int) -> str:
    return f"{count} claim{'' if count == 1 else 's'}"


def _undo_offer(essay_id: int) -> list[int]:
    """The claims the last bulk action on this essay changed, offered once to undo."""
    offer = flask_session.pop(UNDO, None) if UNDO in flask_session else None
    if not isinstance(offer, dict) or offer.get("essay") != essay_id:
        return []
    return [i for i in offer.get("ids", []) if isinstance(i, int)]


@blueprint.post("/essays/<id:essay_id>/confirm")
@signed_in(*EDITOR)
def confirm_claims(essay_id: int) -> Response:
    def action(session: Session) -> str:
        curation.confirm_claims(session, essay_id, _user_id())
        return "Claims confirmed: gathering evidence."

    back = _back_to_essay(essay_id)
    return act(action, back, _at(back, [PROGRESS]))


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

    back = _back_to_essay(essay_id)
    return act(action, back, _at(back, [PROGRESS]), form="publish")


@blueprint.post("/essays/<id:essay_id>/withdraw")
@signed_in(*EDITOR)
def withdraw(essay_id: int) -> Response:
    def action(session: Session) -> str:
        note = checked(RequiredNoteIn, {"note": request.form.get("note", "")}).note
        user = session.merge(current_user())
        publishing.withdraw(session, essay_id, user, note, base_url=settings().base_url)
        return "Fact-check withdrawn; its page now says so."

    back = _back_to_essay(essay_id)
    return act(action, back, _at(back, [PROGRESS]), form="withdraw")


@blueprint.post("/claims/<id:claim_id>/reopen")
@signed_in(*EDITOR)
def reopen(claim_id: int) -> Response:
    def action(session: Session) -> str:
        note = checked(RequiredNoteIn, {"note": request.form.get("note", "")}).note
        publishing.reopen_claim(session, claim_id, session.merge(current_user()), note)
        return "Verdict reopened for correction; republish once it is approved again."

    back = _back_to_essay(request.form.get("essay_id"))
    return act(action, back, _at(back, [_claim_row(claim_id)]), form=f"reopen-{claim_id}")


@blueprint.post("/tasks/<id:task_id>/assign")
@signed_in(*EDITOR)
def assign_task(task_id: int) -> Response:
    landing: list[str] = []

    def action(session: Session) -> str:
        name = checked(AssignIn, {"reviewer": request.form.get("reviewer", "")}).reviewer
        reviewer = accounts.user_by_name(session, name)
        if reviewer is None:
            raise InvalidInput(f"there is no user named {name!r}", field="reviewer")
        editor = session.merge(current_user())
        task = review.assign(session, task_id, reviewer, editor, settings().lease_seconds)
        landing.append(_claim_row(task.claim_id))
        return f"Task given to {reviewer.name}."

    back = _back_to_essay(request.form.get("essay_id"))
    return act(action, back, _at(back, landing), form=f"assign-{task_id}")


# --- reviewers -------------------------------------------------------------------------


QUEUE_PER_PAGE = 25


@blueprint.get("/queue")
@signed_in(*REVIEWER)
def queue() -> str:
    """What I hold, then what waits for me: counts by kind, filters, a page of tasks."""
    wanted = _queue_filters(request.values)  # a refused take draws it from its form
    after = _int(request.args.get("after"), 0) or None
    now = datetime.now(UTC)
    with database().read_scope() as session:
        user = session.merge(current_user())
        held = [(task, task.claim) for task in review.tasks_held_by(session, user)]
        try:
            page = review_queue.queue_page(
                session, user, **wanted, limit=QUEUE_PER_PAGE, after=after, now=now
            )
        except InvalidInput as error:  # a cursor made up or from another database
            flash(error.detail, "error")
            page = review_queue.queue_page(session, user, **wanted, limit=QUEUE_PER_PAGE, now=now)
        essays = review_queue.waiting_essays(session, user, now)
        awaiting = review.awaiting_approval_by(session, user)
    more = (
        url_for("desk.queue", **_query(wanted), after=page.next_after) if page.next_after else None
    )
    return render_template(
        "desk/queue.html",
        held=held,
        page=page,
        essays=essays,
        awaiting=awaiting,
        wanted=wanted,
        kinds=QUEUE_KINDS,
        more=more,
        first_page=url_for("desk.queue", **_query(wanted)) if after else None,
        now=now,
    )


QUEUE_KINDS = {"review": "To review", "approval": "To approve", "returned": "Returned to me"}


def _queue_filters(values: Any) -> dict[str, Any]:
    """The list's filters from a query string or a form; anything unknown is no filter."""
    kind = values.get("kind")
    return {
        "essay_id": _int(values.get("essay"), 0) or None,
        "kind": kind if kind in review_queue.KINDS else None,
    }


def _query(wanted: dict[str, Any]) -> dict[str, Any]:
    query = {"essay": wanted["essay_id"], "kind": wanted["kind"]}
    return {name: value for name, value in query.items() if value}


@blueprint.post("/tasks/<id:task_id>/take")
@signed_in(*REVIEWER)
def take_task(task_id: int) -> Response:
    """Take the task chosen in the list; a refusal shows on the list as it was."""

    def action(session: Session) -> None:
        user = session.merge(current_user())
        review.take_task(session, task_id, user, settings().lease_seconds)

    return act(action, Page("desk.queue"), _task(task_id).url(), lease=True)


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
        # A returned verdict (the review task a return opened points at it) fills the
        # form until its author saves a draft of their own.
        previous = task.verdict if task.kind == "review" else None
        prefill = verdict or previous
        citations = {c.source_id: c.quote for c in prefill.citations} if prefill else {}
        if task.kind == "approval":
            context_for_approver = _approver_context(session, verdict, records)
        else:
            context_for_approver = {}
        context = {
            **context_for_approver,
            "task": task,
            "claim": claim,
            "essay": essay,
            "paragraph": publishing.paragraph_around(essay.text, claim.start, claim.end),
            "sources": records,
            "checked_before": checked_before(records),
            "sentences": {
                record.id: quotable_sentences(record.snapshot_text) for record in records
            },
            "snapshot_shown": SNAPSHOT_SHOWN,
            "verdict": verdict,
            "previous": previous,
            "prefill": prefill,
            "returned_by": _name_of(session, previous.approver_id) if previous else None,
            "citations": citations,
            "ratings": ratings.SCALE,
            "runs": sources.runs_of(session, claim.id),
        }
        return render_template("desk/task.html", **context)


def checked_before(records: list[SourceRecord]) -> list[SourceRecord]:
    """The strong matches in the archive of earlier fact-checks, shown first."""
    return [r for r in records if r.connector == "verified_claims" and r.details.get("strong")]


def _name_of(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id else None
    return user.display_name if user else "the desk"


def quotable_sentences(text: str) -> list[tuple[str, str]]:
    """The first ``SNAPSHOT_SHOWN`` characters of a source's text as (what comes
    before, sentence) pairs, the last sentence maybe empty. Joined, they give the text
    back unchanged: a sentence or any selection across them is a verbatim passage,
    which the server's check of a quote (``review.quote_in_text``) requires."""
    shown = text[:SNAPSHOT_SHOWN]
    pairs, done = [], 0
    for start, end in segmentation.sentences(shown):
        pairs.append((shown[done:start], shown[start:end]))
        done = end
    if done < len(shown):  # white space, or lines that are no sentence ("---")
        pairs.append((shown[done:], ""))
    return pairs


def _approver_context(session: Session, verdict: Any, records: list[Any]) -> dict[str, Any]:
    """What the approver reads beside the verdict: who wrote it, each quote in its
    source's context, the claim's earlier returns and what changed since the last."""
    text_of = {record.id: record.snapshot_text for record in records}
    returns = compare.returns_of(session, verdict.claim_id)
    return {
        "author": _name_of(session, verdict.author_id),
        "quoted": {
            citation.id: compare.in_context(text_of.get(citation.source_id, ""), citation.quote)
            for citation in verdict.citations
        },
        "returns": returns,
        "changes": compare.changes(returns[-1].verdict, verdict) if returns else None,
    }


def _task(task_id: int) -> Page:
    return Page("desk.task_page", {"task_id": task_id})


VERDICT_FORM = "verdict"


def _citations_from(form: Any, quoted_only: bool = False) -> list[dict[str, Any]]:
    """Citations from the form: each ticked source with its quoted passage (only those
    with a passage: ``quoted_only``, for a draft)."""
    cited = []
    for value in form.getlist("cite"):
        source_id = _int(value)
        quote = form.get(f"{QUOTE_FIELD}{source_id}", "")
        if quote.strip() or not quoted_only:
            cited.append({"source_id": source_id, "quote": quote})
    return cited


def _verdict_names(cited: list[dict[str, Any]]) -> Names:
    """The verdict form's inputs for the body's fields: a citation's quote is the
    quote field of its source; anything else about citations, the ticks."""

    def name(path: str) -> str:
        parts = path.split(".")
        if parts[0] != "citations":
            return parts[0]
        quote = len(parts) == 3 and parts[2] == "quote" and parts[1].isdigit()
        if quote and int(parts[1]) < len(cited):
            return f"{QUOTE_FIELD}{cited[int(parts[1])]['source_id']}"
        return "cite"

    return name


@blueprint.post("/tasks/<id:task_id>/verdict")
@signed_in(*REVIEWER)
def verdict(task_id: int) -> Response:
    form = request.form
    draft = form.get("save") == "draft"
    cited = _citations_from(form, quoted_only=draft)

    def action(session: Session) -> str:
        if draft:
            _save_draft(session, task_id, form, cited)
            return "Draft saved."
        _submit(session, task_id, form, cited)
        return "Verdict submitted for a second review."

    done = None if draft else url_for("desk.queue")
    return act(action, _task(task_id), done, form=VERDICT_FORM, names=_verdict_names(cited))


def _submit(session: Session, task_id: int, form: Any, cited: list[dict[str, Any]]) -> None:
    fields = {"rating": form.get("rating", ""), "rationale": form.get("rationale", "")}
    body = checked(VerdictIn, {**fields, "citations": cited})
    review.submit_verdict(
        session,
        task_id,
        session.merge(current_user()),
        rating=body.rating,
        rationale=body.rationale,
        citations=citation_inputs(body.citations),
    )


def _save_draft(session: Session, task_id: int, form: Any, cited: list[dict[str, Any]]) -> Verdict:
    fields = {
        "rating": form.get("rating") or None,
        "rationale": form.get("rationale", ""),
        "citations": cited,
        "version": form.get("version") or None,
    }
    draft = checked(DraftIn, fields)
    return review.save_draft(
        session,
        task_id,
        session.merge(current_user()),
        rating=draft.rating,
        rationale=draft.rationale,
        citations=citation_inputs(draft.citations),
        version=draft.version,
    )


@blueprint.post("/tasks/<id:task_id>/draft")
@signed_in(*REVIEWER)
def autosave(task_id: int) -> Response:
    """The verdict form as the reviewer types it (desk.js posts it, debounced): the
    draft's new version, or why it was not saved, with the input concerned. A stale
    ``version`` is a 409: the draft changed elsewhere, and is never overwritten."""
    cited = _citations_from(request.form, quoted_only=True)
    try:
        with database().scope() as session:
            version = _save_draft(session, task_id, request.form, cited).version
    except DomainError as error:
        field = _verdict_names(cited)(error.field) if error.field else None
        return json_response({"detail": error.detail, "field": field}, status_for(error))
    return json_response({"version": version, "saved_at": utcnow().isoformat()})


@blueprint.post("/tasks/<id:task_id>/approve")
@signed_in(*REVIEWER)
def approve(task_id: int) -> Response:
    def step(session: Session) -> None:
        version = checked(ApproveIn, {"version": request.form.get("version")}).version
        review.approve(session, task_id, session.merge(current_user()), version)

    return _finish_task(task_id, step, "Verdict approved.")


@blueprint.post("/verdicts/<id:verdict_id>/withdraw")
@signed_in(*REVIEWER)
def withdraw_verdict(verdict_id: int) -> Response:
    """The author takes a verdict back from approval; they go on in its review task."""
    task_id = None

    def action(session: Session) -> str:
        nonlocal task_id
        author = session.merge(current_user())
        task_id = review.withdraw_from_approval(
            session, verdict_id, author, settings().lease_seconds
        ).id
        return "Verdict withdrawn from approval: change it and submit it again."

    response = act(action, Page("desk.queue"))
    return redirect(_task(task_id).url()) if task_id else response


@blueprint.post("/tasks/<id:task_id>/return")
@signed_in(*REVIEWER)
def return_verdict(task_id: int) -> Response:
    def step(session: Session) -> None:
        comment = checked(ReturnIn, {"comment": request.form.get("comment", "")}).comment
        user = session.merge(current_user())
        review.return_verdict(session, task_id, user, comment, settings().lease_seconds)

    message = "Verdict returned to review with your comment."
    return _finish_task(task_id, step, message, form="return")


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
    task_id: int,
    step: Callable[[Session], Any],
    message: str,
    lease: bool = False,
    form: str = "",
) -> Response:
    """A step that ends the reviewer's work on a task: back to the queue when done.
    ``lease``: the step only gives the lease back; ``form``: see ``act``."""

    def action(session: Session) -> str:
        step(session)
        return message

    return act(action, _task(task_id), url_for("desk.queue"), lease, form=form)


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
