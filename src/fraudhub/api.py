"""The JSON API at /api/v1/: every app's Router mounted on one NinjaAPI."""

from __future__ import annotations

from ninja import NinjaAPI

from fraudhub.agencies.api import router as agencies_router
from fraudhub.agencies.dashboard_api import router as dashboard_router
from fraudhub.cases.api import router as cases_router
from fraudhub.core.http import ActorAuth, JsonParser, install_error_handlers
from fraudhub.indicators.api import router as indicators_router
from fraudhub.indicators.delisting_api import router as delisting_router
from fraudhub.reports.api import router as reports_router
from fraudhub.taxonomy.api import router as taxonomy_router

api = NinjaAPI(
    title="FraudHub API",
    version="1",
    description=(
        "Report online fraud, review and decide cases, appeal decisions. Authenticate with "
        "`Authorization: Bearer <api key>`; public endpoints also answer anonymous callers."
    ),
    auth=ActorAuth(),
    urls_namespace="api",
    parser=JsonParser(),
)
install_error_handlers(api)
api.add_router("", taxonomy_router)
api.add_router("", reports_router)
api.add_router("", cases_router)
api.add_router("", indicators_router)
api.add_router("", delisting_router)
api.add_router("", agencies_router)
api.add_router("", dashboard_router)
