"""Import every domain's tables so that ``Base.metadata`` knows them all."""

from factcheck.accounts.models import ApiToken, ThrottleCount, User
from factcheck.audit import AuditEvent
from factcheck.claims.models import Claim
from factcheck.db import Base
from factcheck.essays.models import Essay
from factcheck.factchecks.models import FactCheckImport, VerifiedClaim, VerifiedClaimVersion
from factcheck.publishing.models import Correction, Publication
from factcheck.review.models import Citation, ReviewTask, TaskSkip, Verdict
from factcheck.sources.models import ConnectorRun, LibraryDocument, SourceRecord
from factcheck.webhooks.models import Webhook, WebhookDelivery

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "Citation",
    "Claim",
    "ConnectorRun",
    "Correction",
    "Essay",
    "FactCheckImport",
    "LibraryDocument",
    "Publication",
    "ReviewTask",
    "SourceRecord",
    "TaskSkip",
    "ThrottleCount",
    "User",
    "Verdict",
    "VerifiedClaim",
    "VerifiedClaimVersion",
    "Webhook",
    "WebhookDelivery",
]
