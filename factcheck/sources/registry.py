"""Every connector, listed once; the enabled ones built from settings.

Adding a connector: write its module (a class with ``name``, ``reach``, ``archived``,
``time_limit``, ``build``, ``enabled`` and ``find``; see
``factcheck.sources.connectors``) and add its class to ``CONNECTORS`` below.
Planning, batching, time limits and archive lookups all read its declaration from
here.
"""

from __future__ import annotations

from factcheck.db import Database
from factcheck.http import HttpClient, get_client
from factcheck.settings import Settings, get_settings
from factcheck.sources import archive
from factcheck.sources.cited_links import CitedLinksConnector
from factcheck.sources.connectors import Connector, LibraryConnector, Reach
from factcheck.sources.desk import DeskConnector
from factcheck.sources.factchecktools import FactCheckToolsConnector
from factcheck.sources.verified_claims import VerifiedClaimsConnector
from factcheck.sources.wikipedia import WikipediaConnector

CONNECTORS: dict[str, type[Connector]] = {
    connector.name: connector
    for connector in (
        LibraryConnector,
        DeskConnector,
        VerifiedClaimsConnector,
        WikipediaConnector,
        FactCheckToolsConnector,
        CitedLinksConnector,
    )
}


def build_connectors(settings: Settings, database: Database) -> dict[str, Connector]:
    """The connectors named in ``FACTCHECK_CONNECTORS`` (``all``: every one listed
    here) that can run with these settings (Fact Check Tools only with an API key)."""
    return {name: CONNECTORS[name].build(settings, database) for name in enabled_names(settings)}


def enabled_names(settings: Settings) -> list[str]:
    """The names of the connectors ``build_connectors`` builds."""
    named = settings.enabled_connectors()
    return [
        name
        for name in (list(CONNECTORS) if named == ["all"] else named)
        if name in CONNECTORS and CONNECTORS[name].enabled(settings)
    ]


def is_local(name: str) -> bool:
    """Whether the connector only reads our own database (an unknown name is not)."""
    return name in CONNECTORS and CONNECTORS[name].reach is Reach.LOCAL


def job_time_limit(name: str) -> int:
    """Seconds the job carrying a run of this connector may take before the run ends
    ``timed_out``. A network run has its own job, limited by its connector's
    declaration, lowered by ``FACTCHECK_CONNECTOR_TIME_LIMIT_SECONDS`` when set. Local
    runs share batch jobs, limited by the longest declaration among local connectors."""
    if is_local(name):
        return max(c.time_limit for c in CONNECTORS.values() if c.reach is Reach.LOCAL)
    connector = CONNECTORS.get(name)
    if connector is None:
        return UNKNOWN_TIME_LIMIT
    cap = get_settings().connector_time_limit_seconds
    return min(connector.time_limit, cap) if cap else connector.time_limit


# A run of a connector this code no longer has ends at once ("connector not enabled").
UNKNOWN_TIME_LIMIT = 10


def archive_client(name: str, settings: Settings) -> HttpClient | None:
    """The client for Wayback Machine lookups of this connector's pages, when the
    connector's pages are archived and lookups are enabled."""
    archived = name in CONNECTORS and CONNECTORS[name].archived
    return get_client(settings) if archived and archive.enabled(settings) else None
