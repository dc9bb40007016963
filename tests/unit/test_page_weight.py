"""The heavy pages read the same number of statements however many claims an essay has
(bench/pages.py times them with 300)."""

from __future__ import annotations

from factcheck.accounts import services as accounts
from factcheck.claims.states import ClaimStatus
from factcheck.db import captured_statements
from tests import factories
from tests.unit.pages import sign_in


def essay_with(database, claims: int) -> int:
    with database.scope() as session:
        editor = accounts.user_by_name(session, "ed")
        essay = factories.make_essay(session, editor)
        for n in range(claims):
            sentence = (factories.CAR_BOMBS, factories.MINISTRY)[n % 2]
            claim = factories.make_claim(session, essay, sentence)
            factories.make_source(session, claim, url=f"https://example.org/{n}")
            factories.make_review_task(session, claim)
        factories.make_claim(session, essay, factories.OPINION, ClaimStatus.NOT_CHECKABLE)
        return essay.id


def statements(client, path: str) -> list[str]:
    engine = client.application.extensions["factcheck.database"].engine  # the app's own
    with captured_statements(engine) as seen:
        answer = client.get(path)
    assert answer.status_code == 200
    return [statement for statement, _ in seen]


def test_the_desk_essay_page_reads_no_more_for_more_claims(client, people, database):
    small, large = essay_with(database, 2), essay_with(database, 30)
    sign_in(client, "ed")
    few = statements(client, f"/desk/essays/{small}")
    many = statements(client, f"/desk/essays/{large}")
    assert few, "no statement captured: not the app's engine?"
    assert client.get(f"/desk/essays/{large}").text.count('class="claim-row') == 31
    assert len(many) == len(few), "\n".join(many)
