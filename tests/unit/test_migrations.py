from tests.migrations import check_migrations


def test_migrations_build_the_schema_on_sqlite(tmp_path):
    check_migrations(f"sqlite:///{tmp_path / 'empty.sqlite'}")
