"""Every domain's tables on the one metadata, for migrations and tests (not imported by domains)."""

from __future__ import annotations

from yiwang import jobs
from yiwang.applications import models as applications_models
from yiwang.audit import models as audit_models
from yiwang.catalog import models as catalog_models
from yiwang.certificates import models as certificates_models
from yiwang.complaints import models as complaints_models
from yiwang.database import metadata
from yiwang.exchange import models as exchange_models
from yiwang.identity import models as identity_models
from yiwang.notifications import models as notifications_models
from yiwang.prefill import models as prefill_models
from yiwang.ratings import models as ratings_models
from yiwang.workflow import models as workflow_models

__all__ = [
    "applications_models",
    "audit_models",
    "catalog_models",
    "complaints_models",
    "certificates_models",
    "exchange_models",
    "identity_models",
    "jobs",
    "metadata",
    "notifications_models",
    "prefill_models",
    "ratings_models",
    "workflow_models",
]
