from sqlalchemy import create_engine, inspect, select

from factcheck import migrate
from factcheck.accounts import services as accounts
from factcheck.claims.services import extract_claims
from factcheck.db import Database
from factcheck.review.models import Verdict
from factcheck.sources.models import ConnectorRun
from tests.migrations import check_migrations
from tests.private_drafts import check_drafts_are_scrubbed
from tests.triage_migration import check_triage_migration
from tests.unit.helpers import claims_of, submitted_essay


def test_migrations_build_the_schema_on_sqlite(tmp_path):
    check_migrations(f"sqlite:///{tmp_path / 'empty.sqlite'}")


def test_the_queue_index_is_there(tmp_path):
    url = f"sqlite:///{tmp_path / 'queue.sqlite'}"
    migrate.upgrade(url)
    engine = create_engine(url)
    indexes = {index["name"] for index in inspect(engine).get_indexes("review_tasks")}
    engine.dispose()
    assert "ix_review_tasks_next" in indexes


def test_older_approved_verdicts_become_superseded(tmp_path):
    url = f"sqlite:///{tmp_path / 'verdicts.sqlite'}"
    migrate.upgrade(url)
    database = Database(url)
    with database.scope() as session:
        editor = accounts.create_user(session, "ed", "editor")
        reviewer = accounts.create_user(session, "rev", "reviewer")
        essay = submitted_essay(session, editor, "Officials said 200 people died.")
        extract_claims(session, essay.id)
        (claim,) = claims_of(session, essay)
    # The revision before the data step; the verdicts table is the same there.
    migrate.downgrade(url, "3b1e5f0c9a21")
    with database.scope() as session:
        for rating in ("true", "false"):
            session.add(
                Verdict(
                    claim_id=claim.id,
                    rating=rating,
                    rationale="r",
                    state="approved",
                    author_id=reviewer.id,
                )
            )
    migrate.upgrade(url)
    assert verdict_states(database) == ["superseded", "approved"]
    migrate.downgrade(url, "3b1e5f0c9a21")
    assert verdict_states(database) == ["approved", "approved"]
    database.dispose()


def verdict_states(database: Database) -> list[str]:
    with database.scope() as session:
        return list(session.scalars(select(Verdict.state).order_by(Verdict.id)))


def test_drafts_are_scrubbed_from_the_audit_log(tmp_path):
    check_drafts_are_scrubbed(f"sqlite:///{tmp_path / 'drafts.sqlite'}")


def test_claims_made_before_triage_stay_chosen_for_checking(tmp_path):
    check_triage_migration(f"sqlite:///{tmp_path / 'triage.sqlite'}")


def test_stored_refusals_no_longer_name_what_a_host_resolved_to(tmp_path):
    url = f"sqlite:///{tmp_path / 'refusals.sqlite'}"
    migrate.upgrade(url)
    database = Database(url)
    with database.scope() as session:
        editor = accounts.create_user(session, "ed", "editor")
        essay = submitted_essay(session, editor, "Officials said 200 people died.")
        extract_claims(session, essay.id)
        (claim,) = claims_of(session, essay)
    migrate.downgrade(url, "e8b6f085a89f")  # the revision before the rewrite
    leaked = (
        "refused: http://localhost:8000/x: all 2 cited links failed; "
        "localhost resolves to 127.0.0.1 (loopback)"
    )
    with database.scope() as session:
        session.add(ConnectorRun(claim_id=claim.id, connector="cited_links", error=leaked))
        session.add(ConnectorRun(claim_id=claim.id, connector="wikipedia", error="HTTP 503"))
    migrate.upgrade(url)
    with database.scope() as session:
        errors = session.scalars(select(ConnectorRun.error).order_by(ConnectorRun.id)).all()
    database.dispose()
    assert errors == [
        "refused: http://localhost:8000/x: all 2 cited links failed; not a public address",
        "HTTP 503",
    ]
