"""What every entity's state machine is made of (each domain's ``states.py`` has one).

A status enum subclasses ``Status``: its members are the strings stored in the
database, each with a ``label`` in words for people and a ``Tone``, the colour the
desk shows it in. Its ``css_class`` names both (``class ClaimStatus(Status,
css_prefix="status")`` gives ``status-awaiting_review tone-waiting``): the desk's
stylesheet colours the tones, so a new status needs no new CSS. Next to it, the
domain lists its transitions (status -> statuses it may become) and names its groups
once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Self, TypeVar

from factcheck.errors import Conflict


class Tone(StrEnum):
    """The colours of statuses on the desk (``.tone-*`` rules in web/static/desk.css)."""

    NEW = "new"  # nothing has happened yet
    WORKING = "working"  # the pipeline or a worker is on it
    WAITING = "waiting"  # waiting for a person
    HELD = "held"  # a person is on it
    CHECKING = "checking"  # waiting for a second person
    DONE = "done"
    ASIDE = "aside"  # set aside: needs nothing more
    STOPPED = "stopped"  # ended without success, or taken down


class Status(StrEnum):
    """A status stored as its value, shown to people as its label in its tone."""

    label: str
    tone: Tone
    css_prefix: str

    def __init_subclass__(cls, css_prefix: str = "", **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.css_prefix = css_prefix

    def __new__(cls, value: str, label: str, tone: Tone) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label, member.tone = label, tone
        return member

    @property
    def css_class(self) -> str:
        """Its own class, for the odd rule about one status, and its tone's."""
        return f"{self.css_prefix}-{self.value} tone-{self.tone}"


S = TypeVar("S", bound=Status)


def sources_of(transitions: Mapping[S, frozenset[S]], target: S) -> frozenset[S]:
    """Every status that may become ``target``."""
    return frozenset(source for source, targets in transitions.items() if target in targets)


def check_move(transitions: Mapping[S, frozenset[S]], before: S, after: S, what: str) -> None:
    """Refuse a change the entity's transition table does not allow (a 409)."""
    before = type(after)(before)  # a row made in this session may hold the plain string
    if after not in transitions[before]:
        raise Conflict(
            f"{what} is {before.label}; it cannot become {after.label}", current_status=before
        )


def sql_in(column: str, statuses: Iterable[Status]) -> str:
    """``column IN ('a', 'b')``, sorted, for CHECK constraints and partial indexes. The
    values are our own enum members (letters and underscores), never user input."""
    return f"{column} IN ({', '.join(repr(str(status)) for status in sorted(statuses))})"
