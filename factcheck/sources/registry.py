"""Every connector, listed once; the enabled ones built from settings.

Adding a connector: write its module (a class with ``name``, ``reach``, ``archived``,
``build``, ``enabled`` and ``find``; see ``factcheck.sources.connectors``) and add
its class to ``CONNECTORS`` below. Planning, batching, time limits and archive
lookups all read its declaration from here.
"""

from __future__ import annotations

from factcheck.db import Database
from factcheck.http import HttpClient, get_client
from factcheck.settings import Settings
from factcheck.sources import archive
from factcheck.sources.cited_links import CitedLinksConnector
from factcheck.sources.connectors import Connector, LibraryConnector, Reach
from factcheck.sources.desk import DeskConnector
from factcheck.sources.factchecktools import FactCheckToolsConnector
from factcheck.sources.wikipedia import WikipediaConnector

CONNECTORS: dict[str, type[Connector]] = {
    connector.name: connector
    for connector in (
        LibraryConnector,
        DeskConnector,
        WikipediaConnector,
        FactCheckToolsConnector,
        CitedLinksConnector,
    )
}


def build_connectors(settings: Settings, database: Database) -> dict[str, Connector]:
    """The connectors named in ``FACTCHECK_CONNECTORS`` that can run with these settings
    (Fact Check Tools only with an API key)."""
    return {
        name: CONNECTORS[name].build(settings, database)
        for name in settings.enabled_connectors()
        if name in CONNECTORS and CONNECTORS[name].enabled(settings)
    }


def is_local(name: str) -> bool:
    """Whether the connector only reads our own database (an unknown name is not)."""
    return name in CONNECTORS and CONNECTORS[name].reach is Reach.LOCAL


def archive_client(name: str, settings: Settings) -> HttpClient | None:
    """The client for Wayback Machine lookups of this connector's pages, when the
    connector's pages are archived and lookups are enabled."""
    archived = name in CONNECTORS and CONNECTORS[name].archived
    return get_client(settings) if archived and archive.enabled(settings) else None
