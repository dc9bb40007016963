"""Every entity's state machine: its table, the database's CHECK, the pages' coverage."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from factcheck import migrate
from factcheck.claims import services as claim_services
from factcheck.claims.states import TRANSITIONS as CLAIM_TRANSITIONS
from factcheck.claims.states import ClaimStatus
from factcheck.db import Base, Database, StatusType, status_check
from factcheck.errors import Conflict
from factcheck.essays.states import TRANSITIONS as ESSAY_TRANSITIONS
from factcheck.essays.states import EssayStatus
from factcheck.review.states import TASK_TRANSITIONS, VERDICT_TRANSITIONS, TaskState, VerdictState
from factcheck.sources.states import TRANSITIONS as RUN_TRANSITIONS
from factcheck.sources.states import RunState
from factcheck.states import Status, Tone
from factcheck.webhooks.states import TRANSITIONS as DELIVERY_TRANSITIONS
from factcheck.webhooks.states import DeliveryState
from tests.unit.helpers import claims_of, submitted_essay

WEB = Path(__file__).resolve().parents[2] / "web"

# (table, column, enum, transitions) of every entity with a state.
MACHINES = [
    ("essays", "status", EssayStatus, ESSAY_TRANSITIONS),
    ("claims", "status", ClaimStatus, CLAIM_TRANSITIONS),
    ("review_tasks", "state", TaskState, TASK_TRANSITIONS),
    ("verdicts", "state", VerdictState, VERDICT_TRANSITIONS),
    ("connector_runs", "state", RunState, RUN_TRANSITIONS),
    ("webhook_deliveries", "state", DeliveryState, DELIVERY_TRANSITIONS),
]
ENUMS = [enum for _, _, enum, _ in MACHINES]
MEMBERS = [member for enum in ENUMS for member in enum]


@pytest.mark.parametrize(("table", "column", "enum", "transitions"), MACHINES)
def test_each_transition_table_covers_its_enum(table, column, enum, transitions):
    assert set(transitions) == set(enum)
    assert all(targets <= set(enum) for targets in transitions.values())


def test_every_status_column_is_listed_and_checked():
    """A new status column must join MACHINES (and so the tests below)."""
    listed = {(table, column, enum) for table, column, enum, _ in MACHINES}
    found = {
        (table.name, column.name, column.type.enum)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, StatusType)
    }
    assert found == listed
    for table, column, _, _ in MACHINES:
        names = {c.name for c in Base.metadata.tables[table].constraints}
        assert f"ck_{table}_{column}" in names


def test_the_migrated_checks_are_the_models_checks(tmp_path):
    """alembic check does not compare CHECK constraints: this does."""
    url = f"sqlite:///{tmp_path / 'checks.sqlite'}"
    migrate.upgrade(url)
    database = Database(url)
    try:
        inspector = inspect(database.engine)
        for table, column, enum, _ in MACHINES:
            found = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table)}
            assert found[f"ck_{table}_{column}"] == str(status_check(column, enum).sqltext)
        # The claims' triage decision is checked the same way (not a state machine).
        (model,) = [
            c for c in Base.metadata.tables["claims"].constraints if c.name == "ck_claims_triage"
        ]
        found = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints("claims")}
        assert found["ck_claims_triage"] == str(model.sqltext)
    finally:
        database.dispose()


@pytest.mark.parametrize(("table", "column", "enum", "transitions"), MACHINES)
def test_the_database_refuses_a_status_outside_the_enum(database, table, column, enum, transitions):
    # Raw SQL: the ORM's column type would refuse the value before the database does.
    # Foreign keys wait for a commit that never comes; the CHECK answers at once.
    with database.scope() as session:
        session.execute(text("PRAGMA defer_foreign_keys = ON"))
        insert_row(session, table, column, str(next(iter(enum))))  # the rest of the row is fine
        with pytest.raises(IntegrityError, match="CHECK constraint failed"):
            insert_row(session, table, column, "bogus")
        session.rollback()


def insert_row(session, table: str, column: str, value: str) -> None:
    """A row with a made-up value in every required column and ``value`` in ``column``."""
    made_up = {int: 1, float: 0.5, bool: False, str: "x", object: "{}"}  # object: JSON
    made_up |= {datetime: "2026-01-01 00:00:00", date: "2026-01-01"}
    values = {
        c.name: made_up[getattr(c.type, "impl", c.type).python_type]
        for c in Base.metadata.tables[table].columns
        if not c.nullable and not c.primary_key
    }
    values[column] = value
    names = ", ".join(f'"{name}"' for name in values)
    params = ", ".join(f":{name}" for name in values)
    with session.begin_nested():
        session.execute(text(f"INSERT INTO {table} ({names}) VALUES ({params})"), values)


def test_a_claim_moves_only_along_the_table(session, make_user):
    editor = make_user("ed", "editor")
    essay = submitted_essay(session, editor, "Officials said 200 people died.")
    claim_services.extract_claims(session, essay.id)
    (claim,) = claims_of(session, essay)
    assert claim.status == ClaimStatus.GATHERING
    with pytest.raises(Conflict):
        claim_services.approve(session, [claim], editor.id)  # not from gathering
    with pytest.raises(Conflict):
        claim_services.stop_review(session, [claim], editor.id)  # only from in_review
    claim_services.finish_gathering(session, [claim])
    assert claim.status == ClaimStatus.AWAITING_REVIEW


def css_rule_for(class_name: str, css: str) -> bool:
    return bool(re.search(rf"\.{re.escape(class_name)}(?![\w-])[^{{]*\{{", css))


def test_every_status_is_coloured_by_the_desk_stylesheet():
    """Through its tone: each tone has a rule, each status a tone."""
    css = (WEB / "static" / "desk.css").read_text()
    assert not [tone for tone in Tone if not css_rule_for(f"tone-{tone}", css)]
    assert all(f"tone-{member.tone}" in member.css_class.split() for member in MEMBERS)


def test_the_stylesheet_styles_no_status_that_does_not_exist():
    css = (WEB / "static" / "desk.css").read_text()
    prefixes = "|".join(enum.css_prefix for enum in ENUMS)
    named = set(re.findall(rf"\.((?:{prefixes}|tone)-[a-z_]+)(?![\w-])", css)) - {"essay-text"}
    known = {name for member in MEMBERS for name in member.css_class.split()}
    assert named <= known


def test_every_status_has_a_label_and_its_own_class():
    assert all(member.label.strip() for member in MEMBERS)
    for enum in ENUMS:
        assert len({member.css_class.split()[0] for member in enum}) == len(enum)
    prefixes = [enum.css_prefix for enum in ENUMS]
    assert all(prefixes) and len(set(prefixes)) == len(prefixes)


def test_the_progress_bar_shows_every_claim_status(client):
    with client.application.test_request_context():
        template = client.application.jinja_env.get_template("desk/_status.html")
        html = template.render(counts={ClaimStatus.APPROVED: 2}, working=False, progress_url="/p")
    for status in ClaimStatus:
        assert f'class="bar {status.css_class}"' in html
        assert f'{status.label}: <strong data-count="{status}">' in html
    assert 'data-count="approved">2<' in html


def test_templates_compare_statuses_with_the_enums_not_literals():
    """``claim.status == 'approved'`` or ``in ('a', 'b')`` would escape every check."""
    values = "|".join(sorted({re.escape(str(member)) for member in MEMBERS}))
    literal = re.compile(rf"""(==|!=|\bin)\s*[(\[]?\s*['"]({values})['"]""")
    found = [
        (path.name, match.group(0))
        for path in (WEB / "templates").rglob("*.html")
        for match in literal.finditer(path.read_text())
    ]
    assert not found


def test_a_status_is_its_stored_string():
    for member in MEMBERS:
        assert isinstance(member, Status) and member == member.value
