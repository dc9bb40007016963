"""The desk pages through Flask's test client: sign-in, roles, CSRF, forms."""

from __future__ import annotations

import html
import re

from factcheck.accounts import services as accounts
from tests.conftest import SEED_ESSAY
from tests.factories import TINY_ESSAY
from tests.unit.pages import PASSWORD, post, sign_in, take_next_task_as, token_from


def take_task_showing(client, text: str) -> str:
    """Take tasks from the queue until one whose page shows ``text``; its path."""
    for _ in range(100):
        task_path = post(client, "/desk/queue/next", {}, "/desk/queue").location
        assert task_path.startswith("/desk/tasks/"), f"the queue ran out before {text!r}"
        if text in client.get(task_path).text:
            return task_path
    raise AssertionError(f"no task shows {text!r}")


def test_pages_need_a_signed_in_user(client):
    response = client.get("/desk/essays")
    assert response.status_code == 302 and "/login?next=/desk/essays" in response.location


def test_wrong_password_is_refused_without_saying_which_part(client, people):
    response = sign_in(client, "ed", "wrong password!")
    assert response.status_code == 200 and "Wrong user name or password" in response.text
    unknown = sign_in(client, "nobody", PASSWORD)
    assert "Wrong user name or password" in unknown.text
    assert client.get("/desk/essays").status_code == 302


def test_sign_in_sets_a_safe_cookie_and_sign_out_ends_it(client, people):
    response = sign_in(client, "ed")
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/desk/essays").status_code == 200
    post(client, "/logout")
    assert client.get("/desk/essays").status_code == 302


def test_sign_in_never_redirects_off_site(client, people):
    page = client.get("/login?next=//evil.example/")
    response = client.post(
        "/login",
        data={
            "name": "ed",
            "password": PASSWORD,
            "next": "//evil.example/",
            "csrf_token": token_from(page.text),
        },
    )
    assert response.location == "/desk/"


def test_forms_without_the_csrf_token_are_refused(client, people):
    sign_in(client, "ed")
    response = client.post("/desk/essays/new", data={"title": "t", "text": "x"})
    assert response.status_code == 400


def test_roles_decide_what_pages_allow(client, people):
    sign_in(client, "rev")
    assert client.get("/desk/essays/new").status_code == 403
    assert client.get("/desk/queue").status_code == 200


def test_editor_submits_curates_and_publishes_in_pages(client, people, queue):
    sign_in(client, "ed")
    response = post(
        client,
        "/desk/essays/new",
        {"title": "Seed", "author": "F. Z.", "text": SEED_ESSAY},
        "/desk/essays/new",
    )
    assert response.status_code == 302
    essay_path = response.location
    progress = client.get(essay_path + "/progress.json").json
    assert progress["working"] is True and progress["status"] == "submitted"
    queue.run_all()
    page = client.get(essay_path).text
    assert 'class="claim status-awaiting_review' in page and "Progress" in page
    assert client.get(essay_path + "/progress.json").json["working"] is False
    claim_id = int(re.search(r'id="claim-(\d+)"', page).group(1))
    discarded = post(
        client,
        f"/desk/claims/{claim_id}/discard",
        {"essay_id": essay_path.rsplit("/", 1)[1]},
        essay_path,
    )
    assert discarded.status_code == 302
    assert f'id="claim-{claim_id}"' in client.get(essay_path).text
    refused = post(client, essay_path + "/publish", {}, essay_path)
    assert refused.status_code == 409 and "are in the way" in refused.text


def test_reviewer_takes_a_task_saves_a_draft_and_submits(client, desk_essay):
    task_path = take_next_task_as(client, "rev")
    assert task_path.startswith("/desk/tasks/")
    page = client.get(task_path).text
    source_id = int(re.search(r'data-source="(\d+)"', page).group(1))
    sentence = re.search(rf'id="sentence-{source_id}-1">([^<]+)', page).group(1)
    quote = html.unescape(sentence)[:30]
    draft = post(
        client,
        task_path + "/verdict",
        {
            "save": "draft",
            "rationale": "Work in progress",
            "cite": str(source_id),
            f"quote-{source_id}": quote,
        },
        task_path,
    )
    assert draft.location == task_path
    assert "Work in progress" in client.get(task_path).text
    bad = post(
        client,
        task_path + "/verdict",
        {
            "save": "submit",
            "rating": "false",
            "rationale": "r",
            "cite": str(source_id),
            f"quote-{source_id}": "not in the source at all",
        },
        task_path,
    )
    # The page comes again with what was typed, the message by the quote.
    assert bad.status_code == 422
    assert f'<p class="field-error" id="quote-{source_id}-error">the quoted passage' in bad.text
    assert ">not in the source at all</textarea>" in bad.text
    assert 'value="false" checked' in bad.text
    version = re.search(r'name="version" value="(\d+)"', client.get(task_path).text).group(1)
    good = post(
        client,
        task_path + "/verdict",
        {
            "save": "submit",
            "rating": "false",
            "rationale": "Wrong toll.",
            "version": version,
            "cite": str(source_id),
            f"quote-{source_id}": quote,
        },
        task_path,
    )
    assert good.location == "/desk/queue"
    post(client, "/logout")
    sign_in(client, "rev2")
    approval = take_task_showing(client, "Wrong toll.")
    shown = re.search(r'name="version" value="(\d+)"', client.get(approval).text).group(1)
    stale = post(client, approval + "/approve", {"version": int(shown) - 1}, approval)
    assert stale.status_code == 409 and "changed after you read it" in html.unescape(stale.text)
    approved = post(client, approval + "/approve", {"version": shown}, approval)
    assert approved.location == "/desk/queue"


def test_heartbeat_extends_a_held_lease(client, desk_essay):
    task_path = take_next_task_as(client, "rev")
    token = token_from(client.get(task_path).text)
    beat = client.post(task_path + "/heartbeat", headers={"X-CSRFToken": token})
    assert beat.status_code == 200 and beat.json["held"] is True
    post(client, "/logout")
    sign_in(client, "rev2")
    token = token_from(client.get("/desk/queue").text)
    assert client.post(task_path + "/heartbeat", headers={"X-CSRFToken": token}).status_code == 409


def test_dashboard_draws_charts_with_tables(client, desk_essay):
    # Each chart is a table whose rows carry their bar: words for labels, no slugs.
    page = client.get("/desk/dashboard").text
    assert page.count('<figure class="chart"') == 5
    assert re.search(r'<th scope="row">Awaiting review</th>\s*<td><span class="bar"', page)
    assert "not_checkable" not in page and "Not checkable</th>" in page


def test_an_uploaded_text_file_becomes_the_essay(client, people, queue):
    import io

    sign_in(client, "ed")
    token = token_from(client.get("/desk/essays/new").text)
    response = client.post(
        "/desk/essays/new",
        data={
            "title": "Upload",
            "csrf_token": token,
            "file": (io.BytesIO(TINY_ESSAY.encode()), "essay.md"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    wrong = client.post(
        "/desk/essays/new",
        data={"title": "Upload", "csrf_token": token, "file": (io.BytesIO(b"x"), "essay.pdf")},
        content_type="multipart/form-data",
    )
    assert wrong.status_code == 422 and "upload a .txt or .md file" in wrong.text
    queue.run_all()
    assert "car bombs killed more than 200 people" in client.get(response.location).text


def test_an_editor_assigns_a_waiting_task_to_a_reviewer(client, desk_essay):
    task_id = desk_essay["task_id"]
    assigned = post(
        client,
        f"/desk/tasks/{task_id}/assign",
        {"reviewer": "rev2", "essay_id": desk_essay["essay_id"]},
        desk_essay["essay"],
    )
    assert "Task given to rev2" in client.get(assigned.location).text
    post(client, "/logout")
    sign_in(client, "rev2")
    assert f"/desk/tasks/{task_id}" in client.get("/desk/queue").text


def test_an_approver_returns_a_verdict_with_a_comment(client, desk_essay, database):
    from factcheck.review import services as review
    from factcheck.sources.models import SourceRecord

    with database.scope() as session:
        author = accounts.user_by_name(session, "rev")
        task = review.claim_next(session, author, 600)
        source = session.query(SourceRecord).filter_by(claim_id=task.claim_id).first()
        review.submit_verdict(
            session,
            task.id,
            author,
            rating="true",
            rationale="Looks fine.",
            citations=[review.CitationInput(source.id, source.snapshot_text[:20])],
        )
    post(client, "/logout")
    sign_in(client, "rev2")
    approval = take_task_showing(client, "Looks fine.")
    returned = post(client, approval + "/return", {"comment": "Which toll?"}, approval)
    assert returned.location == "/desk/queue"
    post(client, "/logout")
    sign_in(client, "rev")
    page = client.get(take_task_showing(client, "Which toll?")).text
    note, form = page.split('id="verdict-form"', 1)
    assert "rev2 returned this verdict with a comment:" in note and "Which toll?" in note
    # The form starts from the returned verdict, with no draft version of its own.
    assert re.search(r'value="true" checked', form)
    assert ">Looks fine.</textarea>" in form and 'name="version" value=""' in form
    assert html.escape(source.snapshot_text[:20], quote=False) in form


def test_hostile_text_is_inert_on_every_desk_page(client, people, queue):
    hostile = '<script>alert(1)</script> "><img src=x onerror=alert(2)>'
    sign_in(client, "ed")
    essay_path = post(
        client,
        "/desk/essays/new",
        {
            "title": f"T {hostile}",
            "author": hostile,
            "text": f"Officials said 200 people died on Thursday. {hostile}",
        },
        "/desk/essays/new",
    ).location
    queue.run_all()
    claim_id = re.search(r'id="claim-(\d+)"', client.get(essay_path).text).group(1)
    pages = ["/desk/essays", essay_path, f"/desk/claims/{claim_id}/history", "/desk/dashboard"]
    pages.append(take_next_task_as(client, "rev"))
    for path in pages:
        html = client.get(path).text
        assert "<script>alert" not in html and "<img" not in html, path
    assert "&lt;script&gt;alert(1)" in client.get(pages[-1]).text


def test_numbers_past_the_columns_are_refused_not_crashed(client, desk_essay):
    answer = post(
        client,
        f"/desk/essays/{desk_essay['essay_id']}/merge",
        {"claim_id": ["1", str(2**31)]},
        desk_essay["essay"],
    )
    assert answer.status_code == 422 and "out of range" in answer.text


def test_the_essay_list_pages_on_to_older_essays(client, people, database, settings):
    from factcheck.essays import services as essays
    from web.desk import ESSAYS_PER_PAGE

    with database.scope() as session:
        editor = accounts.user_by_name(session, "ed")
        for n in range(ESSAYS_PER_PAGE + 3):
            essays.submit_essay(
                session, editor, settings, title=f"Essay number {n}", text="A text."
            )
    sign_in(client, "ed")
    first = client.get("/desk/essays").text
    titles = re.findall(r"Essay number (\d+)", first)
    assert titles[0] == str(ESSAYS_PER_PAGE + 2) and len(titles) == ESSAYS_PER_PAGE
    older = re.search(r'<a href="([^"]+)" rel="next">Next page</a>', first)
    assert older is not None
    rest = client.get(html.unescape(older.group(1))).text
    assert re.findall(r"Essay number (\d+)", rest) == ["2", "1", "0"]
    assert "Next page" not in rest and "Newer page" in rest
    assert client.get("/desk/essays?before=junk").status_code == 200  # the first page
    for junk in ("page=junk", "page=-1", "page=99999999999999999999", "sort=<b>"):
        assert client.get(f"/desk/essays?{junk}").status_code == 200
