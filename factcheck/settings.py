"""One typed settings object, read from FACTCHECK_* environment variables.

The defaults are the embedded stack: a SQLite database and a SQLite-backed
Celery broker, both under the data dir, so nothing needs a server.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

TriageDefault = Literal["wait", "high", "all"]
# Werkzeug's trusted-host check cannot name an IPv6 address, so [::1] is not here.
LOOPBACK_NAMES = ("localhost", "127.0.0.1")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FACTCHECK_", extra="ignore")

    data_dir: Path = Path("var")
    database_url: str = ""  # default: sqlite under data_dir
    broker_url: str = ""  # default: kombu's SQLAlchemy transport on sqlite under data_dir
    secret_key: str = ""  # default: a random key kept in the data dir (factcheck/secret_key.py)
    # Where readers reach the service: every absolute link it writes (pages, exports, the
    # feed, JSON-LD, the API, webhooks) starts with it, never with a request's Host.
    base_url: str = "http://127.0.0.1:8000"
    # Host names the web answers to, comma-separated ("*": any); others get a 400.
    # Default: the base URL's host and the loopback names (probes, `factcheck up`).
    trusted_hosts: str = ""
    # Reverse proxies in front of the web (compose: nginx, 1). The web believes the
    # X-Forwarded-For and -Proto that many of them add; with 0 it believes none.
    proxies: int = Field(0, ge=0, le=5)

    # Limits on what a client may send.
    max_essay_chars: int = 200_000
    max_essay_sentences: int = 3_000
    max_body_bytes: int = 1_000_000

    # API tokens expire this many days after they are made.
    token_days: int = 90

    # Workflow deadlines: the reconciler re-enqueues rows stuck past them.
    lease_seconds: int = 30 * 60
    stuck_after_seconds: int = 120
    reconcile_every_seconds: float = 30.0

    # Triage of new essays: "high" chooses the claims in the high check-worthiness band
    # for checking as soon as the essay is split, "all" every checkable claim; "wait"
    # leaves every choice to the editor.
    triage_default: TriageDefault = "high"

    # Evidence gathering: which connectors run, and where they reach.
    connectors: str = "all"  # names, comma-separated, or every registered connector
    library_top_k: int = 5
    wikipedia_api_url: str = "https://en.wikipedia.org/w/api.php"
    factcheck_tools_url: str = "https://factchecktools.googleapis.com/v1alpha1/claims:search"
    factcheck_tools_key: str = ""  # the connector runs only when a key is set
    archive_enabled: bool = False
    archive_url: str = "https://archive.org/wayback/available"
    # Lowers every network connector's declared time limit (sources/registry.py).
    connector_time_limit_seconds: int | None = Field(None, ge=1)
    # Runs of the database-only connectors (library, desk) per worker task.
    gather_batch_runs: int = Field(16, ge=1, le=1000)

    # The one outbound HTTP client (factcheck/http.py).
    http_allow_hosts: str = ""  # comma-separated hosts the SSRF guard lets through
    http_connect_timeout: float = 5.0
    http_read_timeout: float = 15.0
    http_max_bytes: int = 5_000_000
    http_retries: int = 3
    http_rate_per_host: float = 5.0  # requests per second, per host, across workers; 0: no limit
    http_contact: str = "factcheck-desk@example.org"
    http_total_timeout: float = 45.0  # one get(): all attempts, redirects, waits and reading
    http_max_retry_wait: float = 30.0  # longest backoff; a longer Retry-After gives up at once
    http_backoff_seconds: float = 0.5  # first retry after 0.25-0.5 s, then doubling
    http_max_redirects: int = 5
    http_cache_bytes: int = 20_000_000  # in-process cache of pages with ETag / Last-Modified
    http_ratelimit_redis_url: str = ""  # default: the broker when it is redis://, else in-process

    # Who publishes: the organisation named as ClaimReview author.
    org_name: str = "factcheck desk"
    org_url: str = ""  # default: the base URL
    methodology: str = (
        "Claims are chosen by check-worthiness, checked by one reviewer against the "
        "sources cited, and approved by a second. We correct errors openly: every "
        "change to a published verdict is listed below with its date."
    )
    public_reviewer_names: bool = True  # False: pages credit "the desk" instead of names

    broker_polling_interval: float = Field(0.1, description="seconds, SQL broker only")

    def enabled_connectors(self) -> list[str]:
        return [name.strip() for name in self.connectors.split(",") if name.strip()]

    def allowed_hosts(self) -> frozenset[str]:
        return frozenset(h.strip().lower() for h in self.http_allow_hosts.split(",") if h.strip())

    def resolved_org_url(self) -> str:
        return self.org_url or self.base_url

    def trusted_host_names(self) -> list[str] | None:
        """The hosts the web answers to; None: any (FACTCHECK_TRUSTED_HOSTS=*)."""
        names = [h.strip().lower() for h in self.trusted_hosts.split(",") if h.strip()]
        if names == ["*"]:
            return None
        if names:
            return names
        base_host = (urlsplit(self.base_url).hostname or "").lower()
        return sorted({base_host, *LOOPBACK_NAMES} - {""})

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir.resolve() / 'factcheck.sqlite'}"

    def resolved_broker_url(self) -> str:
        return self.broker_url or f"sqla+sqlite:///{self.data_dir.resolve() / 'broker.sqlite'}"

    def sqlite_broker_file(self) -> Path | None:
        """The broker's SQLite file, when the broker is kombu's SQL transport on SQLite."""
        url = self.resolved_broker_url()
        prefix = "sqla+sqlite:///"
        return Path(url.removeprefix(prefix)) if url.startswith(prefix) else None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build their own ``Settings`` instead."""
    return Settings()
