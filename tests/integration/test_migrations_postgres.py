import pytest

from tests.migrations import check_migrations

pytestmark = pytest.mark.integration


def test_migrations_build_the_schema_on_postgresql(postgres_url):
    check_migrations(postgres_url)
