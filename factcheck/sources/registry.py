"""Build the enabled connectors from settings, once per process."""

from __future__ import annotations

from factcheck.db import Database
from factcheck.settings import Settings
from factcheck.sources.connectors import Connector, LibraryConnector
from factcheck.sources.desk import DeskConnector


def build_connectors(settings: Settings, database: Database) -> dict[str, Connector]:
    """The connectors named in ``FACTCHECK_CONNECTORS`` that can run with these settings."""
    available: dict[str, Connector] = {
        "library": LibraryConnector(database, settings.library_top_k),
        "desk": DeskConnector(database, settings.base_url),
    }
    return {name: available[name] for name in settings.enabled_connectors() if name in available}
