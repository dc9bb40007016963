"""Build the enabled connectors from settings, once per process."""

from __future__ import annotations

from factcheck.db import Database
from factcheck.http import HttpClient, get_client
from factcheck.settings import Settings
from factcheck.sources import archive, factchecktools
from factcheck.sources.cited_links import CitedLinksConnector
from factcheck.sources.connectors import Connector, LibraryConnector
from factcheck.sources.desk import DeskConnector
from factcheck.sources.factchecktools import FactCheckToolsConnector
from factcheck.sources.wikipedia import WikipediaConnector

# Connectors that read only our own database: quick and local, so the workers run
# several of their runs per task, on the default queue.
DATABASE_CONNECTORS = frozenset({"library", "desk"})


def build_connectors(settings: Settings, database: Database) -> dict[str, Connector]:
    """The connectors named in ``FACTCHECK_CONNECTORS`` that can run with these settings
    (Fact Check Tools only with an API key)."""
    available: dict[str, Connector] = {
        "library": LibraryConnector(database, settings.library_top_k),
        "desk": DeskConnector(database, settings.base_url),
        "wikipedia": WikipediaConnector(settings),
        "cited_links": CitedLinksConnector(settings),
    }
    if factchecktools.enabled(settings):
        available["factcheck_tools"] = FactCheckToolsConnector(settings)
    return {name: available[name] for name in settings.enabled_connectors() if name in available}


def archive_client(settings: Settings) -> HttpClient | None:
    """The client for Wayback Machine lookups, when they are enabled."""
    return get_client(settings) if archive.enabled(settings) else None
