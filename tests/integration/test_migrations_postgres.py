import pytest

from tests.migrations import check_migrations
from tests.private_drafts import check_drafts_are_scrubbed
from tests.triage_migration import check_triage_migration

pytestmark = pytest.mark.integration


def test_migrations_build_the_schema_on_postgresql(postgres_url):
    check_migrations(postgres_url)


def test_drafts_are_scrubbed_from_the_audit_log_on_postgresql(postgres_url):
    check_drafts_are_scrubbed(postgres_url)


def test_claims_made_before_triage_stay_chosen_for_checking_on_postgresql(postgres_url):
    check_triage_migration(postgres_url)
