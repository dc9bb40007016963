import pytest

from tests.migrations import check_migrations
from tests.private_drafts import check_drafts_are_scrubbed

pytestmark = pytest.mark.integration


def test_migrations_build_the_schema_on_postgresql(postgres_url):
    check_migrations(postgres_url)


def test_drafts_are_scrubbed_from_the_audit_log_on_postgresql(postgres_url):
    check_drafts_are_scrubbed(postgres_url)
