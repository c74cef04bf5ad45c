from django.conf.urls.i18n import i18n_patterns  # noqa: F401 - languages switch by cookie
from django.contrib import admin
from django.urls import include, path

from fraudhub.api import api
from fraudhub.core.http import direct_get_view
from fraudhub.core.views import healthz
from fraudhub.indicators.api import lookup as indicator_lookup

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # The public lookup, the hot path, answered without ninja's dispatch (see direct_get_view).
    path("api/v1/lookup", direct_get_view(api, indicator_lookup, route="lookup")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("fraudhub.core.urls")),
    path("", include("fraudhub.reports.urls")),
    path("", include("fraudhub.cases.urls")),
    path("", include("fraudhub.indicators.urls")),
    path("", include("fraudhub.agencies.urls")),
    path("", include("fraudhub.agencies.dashboard_urls")),
]
