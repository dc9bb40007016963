"""The JSON API, version 1."""

from __future__ import annotations

from flask import Blueprint, Response, url_for
from pydantic import BaseModel

from factcheck.accounts.services import user_by_name
from factcheck.audit import AuditEvent
from factcheck.claims import curation, triage
from factcheck.claims import services as claims
from factcheck.errors import InvalidInput
from factcheck.essays import services as essays
from factcheck.factchecks import formats as factcheck_formats
from factcheck.factchecks import services as factcheck_archive
from factcheck.publishing import exports
from factcheck.publishing import services as publishing
from factcheck.review import queue, ratings
from factcheck.review import services as review
from factcheck.review.models import ReviewTask
from factcheck.sources import services as sources
from web.operations import (
    PUBLIC,
    Api,
    Context,
    json_response,
    masthead,
    openapi_document,
    public_url,
)
from web.public import export_response, published_versions
from web.schemas import (
    ApproveIn,
    AssignIn,
    ClaimAddIn,
    ClaimEditIn,
    ClaimMergeIn,
    ClaimOut,
    ClaimSplitIn,
    ConnectorRunOut,
    CorrectionOut,
    DraftIn,
    EssayIn,
    EssayOut,
    EssayPageOut,
    EssayPageQuery,
    HistoryEventOut,
    NoteIn,
    PublicationDetailOut,
    PublicationOut,
    QueueClaimOut,
    QueueEssayOut,
    QueueItemOut,
    QueuePageOut,
    QueueQuery,
    RatingOut,
    RatingScaleOut,
    RequiredNoteIn,
    ReturnIn,
    SourceIn,
    SourceOut,
    TaskOut,
    TriageIn,
    TriageOut,
    VerdictIn,
    VerdictOut,
    VerifiedClaimDetailOut,
    VerifiedClaimImportIn,
    VerifiedClaimImportOut,
    VerifiedClaimOut,
    VerifiedClaimPageOut,
    VerifiedClaimQuery,
    citation_inputs,
)

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")
api = Api(blueprint, "/api/v1")

EDITOR = ("editor",)
REVIEWER = ("reviewer",)
DESK = ("editor", "reviewer")
PROBLEM = "problem"


# --- essays ----------------------------------------------------------------------


@api.operation(
    "POST",
    "/essays",
    summary="Submit an essay",
    roles=EDITOR,
    body=EssayIn,
    tag="essays",
    responses={201: EssayOut, 413: PROBLEM},
)
def submit_essay(ctx: Context, body: EssayIn) -> Response:
    essay = essays.submit_essay(ctx.session, ctx.actor, ctx.settings, **body.model_dump())
    location = url_for("api.get_essay", essay_id=essay.id)
    return json_response(_essay_out(ctx, essay.id), 201, {"Location": location})


@api.operation(
    "GET",
    "/essays",
    summary="Essays, newest first, a page at a time (follow `next`)",
    roles=DESK,
    query=EssayPageQuery,
    tag="essays",
    responses={200: EssayPageOut},
)
def list_essays(ctx: Context, query: EssayPageQuery) -> Response:
    page, cursor = essays.essay_page(ctx.session, query.limit, query.before, query.status)
    counts = claims.counts_by_essay(ctx.session, [essay.id for essay in page])
    items = [EssayOut.model_validate(essay) for essay in page]
    for item in items:
        item.claim_counts = counts[item.id]
    next_url = _next_page("api.list_essays", query, before=cursor)
    return json_response(EssayPageOut(items=items, next=next_url))


@api.operation(
    "GET",
    "/essays/{essay_id}",
    summary="An essay with its claims counted by status",
    roles=DESK,
    tag="essays",
    responses={200: EssayOut, 404: PROBLEM},
)
def get_essay(ctx: Context, essay_id: int) -> Response:
    return json_response(_essay_out(ctx, essay_id))


def _next_page(endpoint: str, query: BaseModel, **cursor: int | None) -> str | None:
    """The `next` link of a paged list: the same query with the cursor moved on, or
    None on the last page."""
    [(name, value)] = cursor.items()
    if value is None:
        return None
    return url_for(endpoint, **{**query.model_dump(exclude_none=True), name: value})


def _essay_out(ctx: Context, essay_id: int) -> EssayOut:
    essay = essays.get_essay(ctx.session, essay_id)
    out = EssayOut.model_validate(essay)
    out.claim_counts = claims.counts_by_status(ctx.session, essay_id)
    return out


@api.operation(
    "GET",
    "/essays/{essay_id}/claims",
    summary="The claims of an essay, in text order",
    roles=DESK,
    tag="claims",
    responses={200: [ClaimOut], 404: PROBLEM},
)
def list_claims(ctx: Context, essay_id: int) -> Response:
    essays.get_essay(ctx.session, essay_id)
    return json_response([ClaimOut.of(c) for c in claims.essay_claims(ctx.session, essay_id)])


@api.operation(
    "POST",
    "/essays/{essay_id}/publish",
    summary="Publish a new version (after the first, say what changed in `note`)",
    roles=EDITOR,
    body=NoteIn,
    body_optional=True,
    tag="publishing",
    responses={201: PublicationOut, 404: PROBLEM, 409: PROBLEM},
)
def publish(ctx: Context, body: NoteIn, essay_id: int) -> Response:
    publication = publishing.publish(
        ctx.session,
        essay_id,
        ctx.actor,
        masthead(),
        note=body.note or None,
        base_url=ctx.settings.base_url,
    )
    url = public_url("public.fact_check", essay_id=essay_id)
    return json_response(
        PublicationOut(url=url, version=publication.version), 201, {"Location": url}
    )


@api.operation(
    "POST",
    "/essays/{essay_id}/withdraw",
    summary="Withdraw a published fact-check; its URL stays with the note",
    roles=EDITOR,
    body=RequiredNoteIn,
    tag="publishing",
    responses={201: PublicationOut, 404: PROBLEM, 409: PROBLEM},
)
def withdraw(ctx: Context, body: RequiredNoteIn, essay_id: int) -> Response:
    publication = publishing.withdraw(
        ctx.session, essay_id, ctx.actor, body.note, base_url=ctx.settings.base_url
    )
    url = public_url("public.fact_check", essay_id=essay_id)
    return json_response(PublicationOut(url=url, version=publication.version), 201)


@api.operation(
    "POST",
    "/claims/{claim_id}/reopen",
    summary="Reopen a published verdict for correction (the note goes in the log)",
    roles=EDITOR,
    body=RequiredNoteIn,
    tag="publishing",
    responses={201: CorrectionOut, 404: PROBLEM, 409: PROBLEM},
)
def reopen(ctx: Context, body: RequiredNoteIn, claim_id: int) -> Response:
    correction = publishing.reopen_claim(ctx.session, claim_id, ctx.actor, body.note)
    return json_response(CorrectionOut.model_validate(correction), 201)


@api.operation(
    "GET",
    "/publications/{publication_id}",
    summary="A published version as JSON, with its ClaimReview objects",
    roles=PUBLIC,
    tag="publishing",
    responses={200: PublicationDetailOut, 404: PROBLEM},
)
def get_publication(ctx: Context, publication_id: int) -> Response:
    publication = publishing.get_publication(ctx.session, publication_id)
    [published] = published_versions(ctx.session, [publication])
    history = publishing.versions(ctx.session, publication.essay_id)
    return json_response(
        PublicationDetailOut(
            id=publication.id,
            essay_id=publication.essay_id,
            version=publication.version,
            kind=publication.kind,
            published_at=publication.published_at,
            changelog=publication.changelog,
            url=published.version_url,
            versions=[p.version for p in history],
            content=None if published.withdrawn else published.snapshot,
            claim_reviews=exports.claim_reviews(published),
        )
    )


VERDICTS_CSV = exports.find("verdicts.csv", collection=True)


@api.operation(
    "GET",
    "/exports/verdicts.csv",
    summary="Every published verdict, as CSV (the same as /fact-checks/verdicts.csv)",
    roles=EDITOR,
    tag="publishing",
    responses={200: VERDICTS_CSV.media_type},
)
def verdicts_csv(ctx: Context) -> Response:
    assert VERDICTS_CSV.reads is not None
    return export_response(ctx.session, VERDICTS_CSV, VERDICTS_CSV.reads(ctx.session))


# --- curation ----------------------------------------------------------------------


@api.operation(
    "PATCH",
    "/claims/{claim_id}",
    summary="Edit a claim's wording, span, kind or checkable flag",
    roles=EDITOR,
    body=ClaimEditIn,
    tag="claims",
    responses={200: ClaimOut, 404: PROBLEM, 409: PROBLEM},
)
def edit_claim(ctx: Context, body: ClaimEditIn, claim_id: int) -> Response:
    edit = curation.ClaimEdit(**body.model_dump())
    curation.edit_claim(ctx.session, claim_id, edit, ctx.actor.id)
    return json_response(ClaimOut.of(claims.get_claim(ctx.session, claim_id)))


@api.operation(
    "POST",
    "/claims/{claim_id}/discard",
    summary="Discard a claim (kept in the history)",
    roles=EDITOR,
    tag="claims",
    responses={200: ClaimOut, 404: PROBLEM, 409: PROBLEM},
)
def discard_claim(ctx: Context, claim_id: int) -> Response:
    return json_response(ClaimOut.of(curation.discard_claim(ctx.session, claim_id, ctx.actor.id)))


@api.operation(
    "POST",
    "/claims/{claim_id}/split",
    summary="Split a claim in two at an offset in the essay",
    roles=EDITOR,
    body=ClaimSplitIn,
    tag="claims",
    responses={201: [ClaimOut], 404: PROBLEM, 409: PROBLEM},
)
def split_claim(ctx: Context, body: ClaimSplitIn, claim_id: int) -> Response:
    parts = curation.split_claim(ctx.session, claim_id, body.offset, ctx.actor.id)
    return json_response([ClaimOut.of(part) for part in parts], 201)


@api.operation(
    "POST",
    "/essays/{essay_id}/claims/merge",
    summary="Merge adjacent claims into one",
    roles=EDITOR,
    body=ClaimMergeIn,
    tag="claims",
    responses={201: ClaimOut, 404: PROBLEM, 409: PROBLEM},
)
def merge_claims(ctx: Context, body: ClaimMergeIn, essay_id: int) -> Response:
    merged = curation.merge_claims(ctx.session, essay_id, body.claim_ids, ctx.actor.id)
    return json_response(ClaimOut.of(merged), 201)


@api.operation(
    "POST",
    "/essays/{essay_id}/claims",
    summary="Add a claim the splitter missed, by its span",
    roles=EDITOR,
    body=ClaimAddIn,
    tag="claims",
    responses={201: ClaimOut, 404: PROBLEM, 409: PROBLEM},
)
def add_claim(ctx: Context, body: ClaimAddIn, essay_id: int) -> Response:
    claim = curation.add_claim(
        ctx.session, essay_id, body.start, body.end, ctx.actor.id, body.kind, body.checkable
    )
    return json_response(ClaimOut.of(claim), 201)


@api.operation(
    "POST",
    "/essays/{essay_id}/confirm",
    summary="Confirm a held essay's claims; gathering starts",
    roles=EDITOR,
    tag="claims",
    responses={200: EssayOut, 404: PROBLEM, 409: PROBLEM},
)
def confirm_claims(ctx: Context, essay_id: int) -> Response:
    curation.confirm_claims(ctx.session, essay_id, ctx.actor.id)
    return json_response(_essay_out(ctx, essay_id))


@api.operation(
    "POST",
    "/essays/{essay_id}/triage",
    summary="Check, do not check (with a reason), discard or restore many claims at once",
    roles=EDITOR,
    body=TriageIn,
    tag="claims",
    responses={200: TriageOut, 404: PROBLEM, 409: PROBLEM},
)
def triage_claims(ctx: Context, body: TriageIn, essay_id: int) -> Response:
    selection = triage.Selection(
        claim_ids=body.claim_ids, top=body.top, band=body.band, undecided=body.undecided
    )
    reason = triage.Decision(body.reason) if body.reason else None
    outcome = triage.apply(ctx.session, essay_id, body.action, selection, ctx.actor.id, reason)
    return json_response(
        TriageOut(
            action=outcome.action,
            changed=len(outcome.changed),
            unchanged=len(outcome.unchanged),
            claims=[ClaimOut.of(claim) for claim in outcome.changed],
            unchanged_ids=outcome.unchanged,
        )
    )


# --- sources ---------------------------------------------------------------------


@api.operation(
    "GET",
    "/claims/{claim_id}/sources",
    summary="Source records gathered for a claim, best first",
    roles=DESK,
    tag="sources",
    responses={200: [SourceOut], 404: PROBLEM},
)
def list_sources(ctx: Context, claim_id: int) -> Response:
    records = sources.list_sources(ctx.session, claim_id)
    return json_response([SourceOut.model_validate(record) for record in records])


@api.operation(
    "GET",
    "/claims/{claim_id}/runs",
    summary="How each connector's search for a claim went",
    roles=DESK,
    tag="sources",
    responses={200: [ConnectorRunOut], 404: PROBLEM},
)
def list_runs(ctx: Context, claim_id: int) -> Response:
    claims.get_claim(ctx.session, claim_id)
    runs = sources.runs_of(ctx.session, claim_id)
    return json_response([ConnectorRunOut.model_validate(run) for run in runs])


@api.operation(
    "POST",
    "/claims/{claim_id}/sources",
    summary="Add a source found by hand",
    roles=DESK,
    body=SourceIn,
    tag="sources",
    responses={201: SourceOut, 404: PROBLEM, 409: PROBLEM},
)
def add_source(ctx: Context, body: SourceIn, claim_id: int) -> Response:
    record = sources.add_manual_source(ctx.session, claim_id, ctx.actor.id, **body.model_dump())
    return json_response(SourceOut.model_validate(record), 201)


# --- earlier fact-checks ---------------------------------------------------------------

ADMIN = ("admin",)


@api.operation(
    "POST",
    "/verified-claims/imports",
    summary="Import a file of earlier fact-checks (a second import of it changes nothing)",
    roles=ADMIN,
    body=VerifiedClaimImportIn,
    tag="fact-checks",
    responses={201: VerifiedClaimImportOut, 422: PROBLEM},
)
def import_verified_claims(ctx: Context, body: VerifiedClaimImportIn) -> Response:
    try:
        parsed = factcheck_formats.read(
            body.content,
            body.format,
            columns=factcheck_formats.parse_columns(body.columns),
            publisher=body.publisher,
            name=body.name,
        )
        result = factcheck_archive.import_records(
            ctx.session,
            parsed,
            name=body.name,
            format=body.format or factcheck_formats.guess_format(body.content, body.name),
            by_id=ctx.actor.id,
        )
    except factcheck_formats.FormatProblem as problem:
        raise InvalidInput(str(problem), field="columns") from None
    assert result.id is not None
    out = VerifiedClaimImportOut(summary=result.summary(), **vars(result))
    return json_response(out, 201)


@api.operation(
    "GET",
    "/verified-claims",
    summary="Earlier fact-checks in the archive, a page at a time (follow `next`)",
    roles=DESK,
    query=VerifiedClaimQuery,
    tag="fact-checks",
    responses={200: VerifiedClaimPageOut},
)
def list_verified_claims(ctx: Context, query: VerifiedClaimQuery) -> Response:
    rows, cursor = factcheck_archive.page(ctx.session, query.limit, query.after, query.publisher)
    next_url = _next_page("api.list_verified_claims", query, after=cursor)
    items = [VerifiedClaimOut.model_validate(row) for row in rows]
    return json_response(VerifiedClaimPageOut(items=items, next=next_url))


@api.operation(
    "GET",
    "/verified-claims/{verified_claim_id}",
    summary="An earlier fact-check with every version of it",
    roles=DESK,
    tag="fact-checks",
    responses={200: VerifiedClaimDetailOut, 404: PROBLEM},
)
def get_verified_claim(ctx: Context, verified_claim_id: int) -> Response:
    row = factcheck_archive.get(ctx.session, verified_claim_id)
    out = VerifiedClaimDetailOut.model_validate(
        {
            **VerifiedClaimOut.model_validate(row).model_dump(),
            "versions": factcheck_archive.versions_of(ctx.session, verified_claim_id),
        }
    )
    return json_response(out)


# --- review ----------------------------------------------------------------------


@api.operation(
    "GET",
    "/ratings",
    summary="The rating scale",
    roles=PUBLIC,
    tag="review",
    responses={200: RatingScaleOut},
)
def rating_scale(ctx: Context) -> Response:
    scale = [RatingOut.model_validate(rating) for rating in ratings.SCALE]
    return json_response(RatingScaleOut(ratings=scale, best=ratings.BEST, worst=ratings.WORST))


@api.operation(
    "POST",
    "/queue/next",
    summary="Lease the next task in the queue",
    roles=REVIEWER,
    tag="review",
    responses={200: TaskOut, 204: None, 409: PROBLEM},
    lease=True,
)
def next_task(ctx: Context) -> Response:
    task = review.claim_next(ctx.session, ctx.actor, ctx.settings.lease_seconds)
    if task is None:
        return Response(status=204)
    return json_response(_task_out(task))


@api.operation(
    "GET",
    "/queue",
    summary="The tasks I may take, in queue order, with counts by kind (follow `next`)",
    roles=REVIEWER,
    query=QueueQuery,
    tag="review",
    responses={200: QueuePageOut},
)
def list_queue(ctx: Context, query: QueueQuery) -> Response:
    page = queue.queue_page(
        ctx.session,
        ctx.actor,
        essay_id=query.essay,
        kind=query.kind,
        limit=query.limit,
        after=query.after,
    )
    next_url = _next_page("api.list_queue", query, after=page.next_after)
    items = [_queue_item_out(item) for item in page.items]
    return json_response(QueuePageOut(counts=page.counts, items=items, next=next_url))


def _queue_item_out(item: queue.QueueItem) -> QueueItemOut:
    task = item.task
    return QueueItemOut(
        id=task.id,
        kind=task.kind,
        returned_to_me=item.returned_to_me,
        reserved_until=task.reserved_until if item.returned_to_me else None,
        given_back_at=item.given_back_at,
        deadline=task.deadline,
        created_at=task.created_at,
        comment=task.comment,
        essay=QueueEssayOut(id=item.claim.essay_id, title=item.essay_title),
        claim=QueueClaimOut.model_validate(item.claim),
    )


@api.operation(
    "POST",
    "/tasks/{task_id}/take",
    summary="Lease this task (409 if someone took it meanwhile or it is not mine to take)",
    roles=REVIEWER,
    tag="review",
    responses={200: TaskOut, 404: PROBLEM, 409: PROBLEM},
    lease=True,
)
def take_task(ctx: Context, task_id: int) -> Response:
    task = review.take_task(ctx.session, task_id, ctx.actor, ctx.settings.lease_seconds)
    return json_response(_task_out(task))


@api.operation(
    "POST",
    "/tasks/{task_id}/verdict",
    summary="Submit a verdict with citations",
    roles=REVIEWER,
    body=VerdictIn,
    tag="review",
    responses={201: VerdictOut, 404: PROBLEM, 409: PROBLEM},
)
def submit_verdict(ctx: Context, body: VerdictIn, task_id: int) -> Response:
    verdict = review.submit_verdict(
        ctx.session,
        task_id,
        ctx.actor,
        rating=body.rating,
        rationale=body.rationale,
        citations=citation_inputs(body.citations),
    )
    return json_response(VerdictOut.model_validate(verdict), 201)


@api.operation(
    "POST",
    "/tasks/{task_id}/approve",
    summary="Approve the verdict under review, at the version I read",
    roles=REVIEWER,
    body=ApproveIn,
    tag="review",
    responses={200: VerdictOut, 404: PROBLEM, 409: PROBLEM, 422: PROBLEM},  # 422: a review task
)
def approve(ctx: Context, body: ApproveIn, task_id: int) -> Response:
    verdict = review.approve(ctx.session, task_id, ctx.actor, body.version)
    return json_response(VerdictOut.model_validate(verdict))


@api.operation(
    "POST",
    "/tasks/{task_id}/return",
    summary="Return the verdict to review with a comment",
    roles=REVIEWER,
    body=ReturnIn,
    tag="review",
    responses={200: TaskOut, 404: PROBLEM, 409: PROBLEM},
)
def return_verdict(ctx: Context, body: ReturnIn, task_id: int) -> Response:
    task = review.return_verdict(
        ctx.session, task_id, ctx.actor, body.comment, ctx.settings.lease_seconds
    )
    return json_response(_task_out(task))


@api.operation(
    "POST",
    "/tasks/{task_id}/release",
    summary="Give a held task back to the queue",
    roles=REVIEWER,
    tag="review",
    responses={200: TaskOut, 404: PROBLEM, 409: PROBLEM},
    lease=True,
)
def release(ctx: Context, task_id: int) -> Response:
    return json_response(_task_out(review.release(ctx.session, task_id, ctx.actor)))


@api.operation(
    "GET",
    "/queue/mine",
    summary="The tasks I hold, soonest lease end first",
    roles=REVIEWER,
    tag="review",
    responses={200: [TaskOut]},
)
def my_tasks(ctx: Context) -> Response:
    return json_response([_task_out(task) for task in review.tasks_held_by(ctx.session, ctx.actor)])


@api.operation(
    "POST",
    "/tasks/{task_id}/heartbeat",
    summary="Extend the lease on a task I am working on",
    roles=REVIEWER,
    tag="review",
    responses={200: TaskOut, 404: PROBLEM, 409: PROBLEM},
    lease=True,
)
def heartbeat(ctx: Context, task_id: int) -> Response:
    task = review.heartbeat(ctx.session, task_id, ctx.actor, ctx.settings.lease_seconds)
    return json_response(_task_out(task))


@api.operation(
    "POST",
    "/tasks/{task_id}/assign",
    summary="Hand a waiting task to a named reviewer",
    roles=EDITOR,
    body=AssignIn,
    tag="review",
    responses={200: TaskOut, 404: PROBLEM, 409: PROBLEM},
)
def assign(ctx: Context, body: AssignIn, task_id: int) -> Response:
    reviewer = user_by_name(ctx.session, body.reviewer)
    if reviewer is None:
        raise InvalidInput(f"there is no user named {body.reviewer!r}")
    task = review.assign(ctx.session, task_id, reviewer, ctx.actor, ctx.settings.lease_seconds)
    return json_response(_task_out(task))


@api.operation(
    "PUT",
    "/tasks/{task_id}/draft",
    summary="Save the verdict in progress (send the draft's version to update it)",
    roles=REVIEWER,
    body=DraftIn,
    tag="review",
    responses={200: VerdictOut, 404: PROBLEM, 409: PROBLEM},
)
def save_draft(ctx: Context, body: DraftIn, task_id: int) -> Response:
    verdict = review.save_draft(
        ctx.session,
        task_id,
        ctx.actor,
        rating=body.rating,
        rationale=body.rationale,
        citations=citation_inputs(body.citations),
        version=body.version,
    )
    return json_response(VerdictOut.model_validate(verdict))


@api.operation(
    "POST",
    "/verdicts/{verdict_id}/withdraw",
    summary="Take my verdict back from its second review to change it",
    roles=REVIEWER,
    tag="review",
    responses={200: TaskOut, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM},
)
def withdraw_verdict(ctx: Context, verdict_id: int) -> Response:
    task = review.withdraw_from_approval(
        ctx.session, verdict_id, ctx.actor, ctx.settings.lease_seconds
    )
    return json_response(_task_out(task))


@api.operation(
    "GET",
    "/claims/{claim_id}/history",
    summary="Every change to a claim, its tasks, verdicts and sources, oldest first",
    roles=DESK,
    tag="review",
    responses={200: [HistoryEventOut], 404: PROBLEM},
)
def claim_history(ctx: Context, claim_id: int) -> Response:
    events = review.claim_history(ctx.session, claim_id)
    return json_response(
        [
            HistoryEventOut.model_validate({**_columns(event), "actor": name})
            for event, name in events
        ]
    )


def _columns(event: AuditEvent) -> dict[str, object]:
    return {
        column: getattr(event, column)
        for column in ("at", "action", "subject_type", "subject_id", "before", "after")
    }


def _task_out(task: ReviewTask) -> TaskOut:
    return TaskOut.model_validate(task).model_copy(update={"claim": ClaimOut.of(task.claim)})


# --- description -------------------------------------------------------------------


@blueprint.get("/openapi.json")
def openapi() -> Response:
    return json_response(openapi_document(api, "factcheck", "1.0.0"))
